"""Stories are the connected components of the records' links: long chains converge in a few rounds.

A chain of daily reports of one contact (GBR–SAU visits at Riyadh, a day apart) is one story however
its ids fall along it; the worst order for a plain least-label propagation is the least id at one
end and the others falling away from it, which moves the least label one record a round. (Spark
runs the same rounds' SQL: test_stories compares its stories with DuckDB's.)
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import DATA
from test_stories import RIYADH, record

from dashboard import store
from dashboard.readers import corpus, gdelt

LENGTH = 300
ORDERS = {
    "least id at one end, the rest falling away": lambda i: 100_000 if i == 0 else 199_999 - i,
    "rising": lambda i: 100_000 + i,
    "falling": lambda i: 199_999 - i,
    "interleaved from both ends": lambda i: 100_000 + (i // 2 if i % 2 == 0 else LENGTH - i // 2),
}


def folder(root: Path, rows: list[dict]) -> Path:
    data = root / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = root / "20190101120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in rows), encoding="utf-8")
    report, _ = gdelt.import_files([src], data / "gdelt", gdelt.Options())
    assert report.imported == len(rows), report.problems
    return data


def chain(root: Path, ids) -> Path:
    data = root / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    first = dt.date(2019, 1, 1)
    rows = [
        record(ids(i), "GBR", "SAU", "042", RIYADH, f"https://chain.example/{i}",
               day=int((first + dt.timedelta(days=i)).strftime("%Y%m%d")))
        for i in range(LENGTH)
    ]  # fmt: skip
    src = root / "20190101120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in rows), encoding="utf-8")
    report, _ = gdelt.import_files([src], data / "gdelt", gdelt.Options())
    assert report.imported == LENGTH, report.problems
    return data


@pytest.mark.parametrize("order", list(ORDERS))
def test_a_long_chain_of_daily_reports_is_one_story_named_by_its_least_record(tmp_path, order) -> None:
    s = store.build(corpus.load(chain(tmp_path, ORDERS[order])))
    labels = {r["story"] for r in pq.read_table(s.table("story_events")).to_pylist()}
    assert len(labels) == 1, f"{len(labels)} stories"
    (one,) = pq.read_table(s.table("stories")).to_pylist()
    assert one["records"] == LENGTH
    assert (one["first"], one["last"]) == (
        dt.date(2019, 1, 1),
        dt.date(2019, 1, 1) + dt.timedelta(LENGTH - 1),
    )


def test_records_mentioned_nowhere_keep_their_plain_average(tmp_path) -> None:
    # Goldstein and tone are weighted by mentions; when the mentions add up to 0 there is no weight,
    # and the story's measures are the records' plain average, not a blank.
    rows = [record(100 + i, "GBR", "SAU", "042", RIYADH, "https://zero.example/a", day=20190101, mentions=0,
                   goldstein=g, tone=t) for i, (g, t) in enumerate(((5.0, -2.0), (3.0, -4.0)))]  # fmt: skip
    s = store.build(corpus.load(folder(tmp_path, rows)))
    (one,) = pq.read_table(s.table("stories")).to_pylist()
    assert (one["records"], one["mentions"]) == (2, 0)
    assert (one["goldstein"], one["tone"]) == (pytest.approx(4.0), pytest.approx(-3.0))
