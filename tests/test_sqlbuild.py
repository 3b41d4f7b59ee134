# ruff: noqa: S608 - fixed table names
"""The bulk build in SQL writes the very store the loader's build writes, and leaves bad data to the loader."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DATA

from dashboard import sqlbuild, store, synth
from dashboard.readers import bulk, corpus


def _gdelt_like(folder: Path) -> None:
    """Rows as an import writes them: a dataset, measures (a NaN tone), CAMEO codes, link sources."""
    folder.mkdir(parents=True)
    n = 40
    day = dt.date(2025, 6, 1)
    events = {
        "id": [f"gdelt-{i}" for i in range(n)], "kind": ["meeting"] * n,
        "summary": [f"Talks {i}" for i in range(n)], "precision": ["day"] * n,
        "start": [day + dt.timedelta(days=i % 7) for i in range(n)],
        "end": [day + dt.timedelta(days=i % 7) for i in range(n)],
        "place": ["minsk" if i % 3 else None for i in range(n)], "attribution": ["GDELT"] * n,
        "certainty": ["reported"] * n, "dataset": ["gdelt"] * n, "external_id": [str(10**9 + i) for i in range(n)],
        "cameo": ["043" if i % 2 else None for i in range(n)],
        "mentions": list(range(n)), "tone": [float("nan") if i == 3 else i / 3 for i in range(n)],
    }  # fmt: skip
    pq.write_table(pa.table(events, schema=bulk.schema("events", events)), folder / "run.events.parquet")
    parts = {
        "event": [f"gdelt-{i}" for i in range(n)],
        "actor": ["alexander-lukashenko"] * n,
        "role": ["host"] * n,
    }
    pq.write_table(
        pa.table(parts, schema=bulk.schema("participants", parts)), folder / "run.participants.parquet"
    )
    srcs = {
        "event": [f"gdelt-{i}" for i in range(n)], "url": [f"https://news.example/{i}" for i in range(n)],
        "outlet": ["example"] * n, "date": [day] * n,
    }  # fmt: skip
    pq.write_table(pa.table(srcs, schema=bulk.schema("sources", srcs)), folder / "run.sources.parquet")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """The bundled YAML corpus, a synthetic bulk corpus and a run of imported rows, in one folder."""
    root = tmp_path_factory.mktemp("mixed") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    synth.write(3000, root / "synth", seed=3)
    _gdelt_like(root / "imports")
    return root


def _tables(path: Path) -> dict[str, pa.Table]:
    return {name: pq.read_table(path / f"{name}.parquet") for name in store.TABLES}


@pytest.mark.parametrize("hot", [False, True], ids=["small", "with hot tables"])
def test_the_sql_build_writes_the_loaders_store_row_for_row(
    mixed: Path, tmp_path: Path, monkeypatch, hot
) -> None:
    if hot:
        monkeypatch.setattr(store, "HOT_EVENTS", 1000)
    loaded = corpus.load(mixed)
    assert not loaded.errors
    expected = store.build(loaded, tmp_path / "loader")
    c, files = corpus.load_deferred(mixed)
    assert sorted(rel for rel, _ in files["events"]) == [
        "imports/run.events.parquet",
        "synth/synth.events.parquet",
    ]
    got = sqlbuild.build(c, files, tmp_path / "sql")
    assert got is not None
    assert got.events == expected.events == len(loaded.events)
    want, have = _tables(expected.path), _tables(got.path)
    for name in store.TABLES:
        assert have[name].schema.equals(store.SCHEMAS[name]), name
        assert have[name].equals(want[name]), name
    assert (got.path / store.CATALOG).read_text() == (expected.path / store.CATALOG).read_text()
    assert (got.path / store.HOT).exists() is hot
    if hot:
        con = duckdb.connect()
        con.execute(f"ATTACH '{expected.path / store.HOT}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{got.path / store.HOT}' AS b (READ_ONLY)")
        for t in ("events", "participants"):
            assert (
                con.sql(f"SELECT * FROM b.{t} ORDER BY ord")
                .to_arrow_table()
                .equals(con.sql(f"SELECT * FROM a.{t} ORDER BY ord").to_arrow_table())
            )


def _damage(root: Path, section: str, column: str, row: int, value) -> None:
    path = next(root.rglob(f"synth.{section}.parquet"))
    table = pq.read_table(path)
    values = table[column].to_pylist()
    values[row] = value
    field = table.schema.field(column)
    table = table.set_column(table.schema.get_field_index(column), field, pa.array(values, field.type))
    pq.write_table(table, path)


@pytest.mark.parametrize(
    ("section", "column", "row", "value"),
    [
        ("events", "id", 5, None),  # a duplicate id (the first row's)
        ("events", "place", 9, "atlantis"),
        ("events", "summary", 2, "\u2003"),  # blank by a Unicode space
        ("events", "start", 4, dt.date(1700, 1, 1)),
        ("participants", "actor", 3, "nobody"),
        ("sources", "end", 0, 10**6),  # a span past its article's end
    ],
)
def test_a_row_the_loader_rejects_is_left_to_the_loader(tmp_path: Path, section, column, row, value) -> None:
    root = tmp_path / "data"
    synth.write(200, root, seed=1)
    if column == "id":
        value = pq.read_table(root / "synth.events.parquet")["id"][0].as_py()
    _damage(root, section, column, row, value)
    c, files = corpus.load_deferred(root)
    assert sqlbuild.build(c, files, tmp_path / "store") is None
    assert not (tmp_path / "store").exists()
    assert corpus.load(root).errors  # and the loader names it


def test_dates_written_as_text_are_left_to_the_loader(tmp_path: Path) -> None:
    root = tmp_path / "data"
    synth.write(200, root, seed=1)
    path = root / "synth.events.parquet"
    table = pq.read_table(path)
    at = table.schema.get_field_index("start")
    pq.write_table(table.set_column(at, "start", table["start"].cast(pa.string())), path)
    c, files = corpus.load_deferred(root)
    assert sqlbuild.build(c, files, tmp_path / "store") is None
    assert not corpus.load(root).errors  # the loader reads them as dates
