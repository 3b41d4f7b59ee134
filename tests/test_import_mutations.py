"""Hypothesis mutates one field of one row — junk text, bytes that are not UTF-8, huge numbers, NaN and
infinities, stray tabs, commas and line breaks — in both importers, and checks that every other row
survives, the mutated one is imported or named at its line, the counts add up, and the loader takes
everything written without a single problem."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import_rows import acled_row
from test_imports import ACLED_HEADER, GDELT_FILE, GOOD

from dashboard.readers import acled, corpus, gdelt, imports

JUNK = [
    "", " ", "x", "text with spaces", "-1", "0", "1e999", "-1e999", "NaN", "nan", "inf", "-inf",
    "99999999999999999999", "9223372036854775808", "-9223372036854775809", "1.5", "12,5", "00010101",
    "99991231", "18000101", "21001231", "http://a b", "https://", "HTTPS://X.ORG", "javascript:alert(1)",
    "[link](http://x.org)", "<b>bold</b>", "=1+1", "A" * 200, "\x00", "é", "ß" * 80, "2025-13-01",
    "\t", "\t\t", "\n", "\r", "\r\n", ",", '"', "\udce9", "a\udce9b",
]  # fmt: skip
junk = st.one_of(st.sampled_from(JUNK), st.text(max_size=24))


def _bytes(text: str) -> bytes:
    """UTF-8, but a lone surrogate stands for the byte it escapes (a Latin-1 byte in the file)."""
    return text.encode("utf-8", errors="surrogateescape")


def accounted(report: imports.Report) -> None:
    """Every row read is imported, already there, filtered, unusable or malformed — nothing else."""
    assert report.read == (
        report.imported + report.already + report.filtered + sum(report.unusable.values()) + report.malformed
    ), report


def loads_cleanly(out: Path) -> corpus.Corpus:
    c = corpus.load(out)
    assert [str(p) for p in c.problems] == []
    return c


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(0, len(GOOD) - 1), column=st.sampled_from(gdelt.COLUMNS), value=junk)
def test_one_bad_gdelt_field_loses_at_most_its_row(row: int, column: str, value: str) -> None:
    lines = [gdelt.row(**r).encode() for r in GOOD]
    fields = lines[row].removesuffix(b"\n").split(b"\t")
    fields[gdelt.COLUMNS.index(column)] = _bytes(value)
    lines[row] = b"\t".join(fields) + b"\n"
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / GDELT_FILE
        src.write_bytes(b"".join(lines))
        out = Path(tmp) / "out"
        report, _ = gdelt.import_files([src], out, gdelt.Options())
        accounted(report)
        ids = set(loads_cleanly(out).events["external_id"]) if report.imported else set()
        others = {f"gdelt:{r['GLOBALEVENTID']}" for k, r in enumerate(GOOD) if k != row}
        assert others <= ids, [str(p) for p in report.problems]
        # The mutated row: imported (under its id or a new one), or named on its line(s), or counted.
        first = row + 1
        last = first + _bytes(value).count(b"\n")
        named = [p for p in report.problems if p.file == str(src) and first <= (p.line or 0) <= last]
        assert len(ids) == len(GOOD) or named or report.unusable, (value, [str(p) for p in report.problems])
        for p in named:
            assert p.field in {column, "row"} or p.field == "ActionGeo_CountryCode", str(p)


ACLED_COLUMNS = ACLED_HEADER.split(",")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.integers(0, 2),
    column=st.sampled_from(ACLED_COLUMNS),
    value=junk,
    how=st.sampled_from(["value", "value", "extra field", "missing field"]),
)
def test_one_bad_acled_field_loses_at_most_its_row(row: int, column: str, value: str, how: str) -> None:
    rows = [acled_row(k) for k in range(3)]
    k = ACLED_COLUMNS.index(column)
    if how == "value":
        rows[row][k] = value
    elif how == "extra field":
        rows[row].insert(k, value)
    else:
        del rows[row][k]
    buf = io.StringIO()
    buf.write(ACLED_HEADER + "\n")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "acled.csv"
        src.write_bytes(_bytes(buf.getvalue()))
        out = Path(tmp) / "out"
        report, _ = acled.import_file(src, out)
        accounted(report)
        ids = set(loads_cleanly(out).events["external_id"]) if report.imported else set()
        others = {f"acled:ROW{j}" for j in range(3) if j != row}
        assert others <= ids, [str(p) for p in report.problems]
        named = [p for p in report.problems if p.line == row + 2]
        assert len(ids) == 3 or named, (value, [str(p) for p in report.problems])
        if how != "value":
            assert [p.field for p in named] == ["row"]
