"""Imports lose only the bad row: each malformed row is named FILE:LINE: field: why and skipped, the
rest imports, the summary matches what was written, and a hostile file cannot exhaust memory.

Rows are written here from the documented column layouts (GDELT 2.0 Events: 61 TAB-separated
columns, no header; ACLED's CSV export), reusing test_imports' rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_imports import ACLED_HEADER, ACLED_ROWS, GDELT_FILE, GOOD, KELLOGG, RUSSIA, write_gdelt

from dashboard import model
from dashboard.readers import acled, corpus, gdelt, imports

ROOT = Path(__file__).resolve().parents[1]
ACLED_FILE = "acled-export.csv"


def gdelt_ids(out: Path) -> set[str]:
    return {
        x for p in out.glob("gdelt-*.events.parquet") for x in pq.read_table(p)["external_id"].to_pylist()
    }


def written_events(out: Path, dataset: str) -> int:
    return sum(pq.read_metadata(p).num_rows for p in out.glob(f"{dataset}-*.events.parquet"))


def loads_cleanly(out: Path) -> corpus.Corpus:
    """The folder the import wrote loads with no problem at all: the loader drops nothing."""
    c = corpus.load(out)
    assert [str(p) for p in c.problems] == []
    return c


def acled_csv(path: Path, rows: list[list[str] | str]) -> Path:
    """An ACLED export: the header, then rows (a str is written as the raw line it is)."""
    buf = io.StringIO()
    buf.write(ACLED_HEADER + "\n")
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        if isinstance(r, str):
            buf.write(r + "\n")
        else:
            w.writerow(r)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def acled_row(k: int, **changes: str) -> list[str]:
    """A good ACLED row with its own id (event_id_cnty ROWk) and fields changed by name."""
    names = ACLED_HEADER.split(",")
    row = list(ACLED_ROWS[k % 3])
    row[names.index("event_id_cnty")] = f"ROW{k}"
    for name, value in changes.items():
        row[names.index(name)] = value
    return row


# --- ACLED ------------------------------------------------------------------------------------


def test_an_acled_row_with_one_field_too_many_loses_only_that_row(tmp_path, cli) -> None:
    rows: list[list[str] | str] = [acled_row(k) for k in range(5)]
    rows[2] = [*acled_row(2), "one too many"]
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert f"{ACLED_FILE}:4: row: 32 fields, expected 31 (the header's)" in r.out
    assert "4 new acled events from 5 rows" in r.out
    assert "1 malformed rows skipped" in r.out
    c = loads_cleanly(tmp_path / "out")
    assert sorted(c.events["external_id"]) == ["acled:ROW0", "acled:ROW1", "acled:ROW3", "acled:ROW4"]


def test_a_late_acled_value_of_another_type_loses_only_its_row_and_the_summary_matches(tmp_path, cli) -> None:
    n, late = 12_000, 11_990
    rows: list[list[str] | str] = [acled_row(k, fatalities=str(k % 7)) for k in range(n)]
    rows[late] = acled_row(late, fatalities="unknown")
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    out = tmp_path / "out"
    r = cli("import", "acled", str(src), "--out", str(out))
    assert r.code == 0, r.err
    assert f"{ACLED_FILE}:{late + 2}: fatalities: 'unknown' is not a whole number (up to 18 digits)" in r.out
    assert f"{n - 1:,} new acled events from {n:,} rows" in r.out
    assert written_events(out, "acled") == n - 1  # what the summary says is what was written


def test_acled_dates_outside_the_range_and_broken_bytes_are_named(tmp_path, cli) -> None:
    src = tmp_path / ACLED_FILE
    acled_csv(src, [acled_row(0), acled_row(1, event_date="0999-06-21"),
                    acled_row(2, event_date="9999-12-31", time_precision="2"), acled_row(3),
                    acled_row(4, timestamp="99999999999999999999")])  # fmt: skip
    raw = src.read_bytes().replace(b"Kyiv,", b"K\xe9iv,", 1)  # a Latin-1 byte in row 1's admin1
    src.write_bytes(raw)
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert f"{ACLED_FILE}:2: admin1: byte 0xE9 at position 2 is not UTF-8" in r.out
    assert f"{ACLED_FILE}:3: event_date: '0999-06-21' is outside the dates this atlas takes" in r.out
    assert f"{ACLED_FILE}:4: event_date: '9999-12-31' is outside the dates this atlas takes" in r.out
    c = loads_cleanly(tmp_path / "out")
    # An unusable timestamp only loses the article's own date: the event's day stands in.
    assert sorted(c.events["external_id"]) == ["acled:ROW3", "acled:ROW4"]


def test_acled_ids_that_make_the_same_event_id_are_named_not_both_kept(tmp_path, cli) -> None:
    src = acled_csv(
        tmp_path / ACLED_FILE, [acled_row(0, event_id_cnty="UKR-1"), acled_row(1, event_id_cnty="ukr_1")]
    )
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert (
        f"{ACLED_FILE}:3: event_id_cnty: 'ukr_1' makes the event id 'acled-ukr-1', which another event has"
        in r.out
    )
    assert list(loads_cleanly(tmp_path / "out").events["external_id"]) == ["acled:UKR-1"]


# --- GDELT ------------------------------------------------------------------------------------


def eleven_rows() -> list[dict]:
    return [dict(KELLOGG, GLOBALEVENTID=1240000 + k) for k in range(11)]


def test_a_latin1_byte_in_row_11_loses_only_row_11(tmp_path, cli) -> None:
    src = write_gdelt(tmp_path / GDELT_FILE, eleven_rows())
    lines = src.read_bytes().split(b"\n")
    lines[10] = lines[10].replace(b"ALEXANDER LUKASHENKO", b"ALEXANDER LUKA\xa8ENKO")
    src.write_bytes(b"\n".join(lines))
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == f"{src}:11: Actor2Name: byte 0xA8 at position 15 is not UTF-8"
    assert "10 new gdelt events from 11 rows" in r.out
    assert "1 malformed rows skipped" in r.out
    assert gdelt_ids(out) == {f"gdelt:{1240000 + k}" for k in range(10)}


def test_infinite_measures_and_overflowing_ids_lose_only_their_rows(tmp_path, cli) -> None:
    rows = [*GOOD, dict(KELLOGG, GLOBALEVENTID=1240100, AvgTone="1e999"),
            dict(KELLOGG, GLOBALEVENTID="12345678901234567890"),
            dict(KELLOGG, GLOBALEVENTID=1240101, NumMentions="-3"),
            dict(KELLOGG, GLOBALEVENTID=1240102, GoldsteinScale="NaN")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    other = write_gdelt(tmp_path / "20250621121500.export.CSV", [dict(KELLOGG, GLOBALEVENTID=1240200)])
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), str(other), "--out", str(out))
    assert r.code == 0, r.err
    assert f"{GDELT_FILE}:6: AvgTone: '1e999' is not a finite number" in r.out
    assert (
        f"{GDELT_FILE}:7: GLOBALEVENTID: '12345678901234567890' is not an event id "
        "(a whole number up to 9223372036854775807)"
    ) in r.out
    assert f"{GDELT_FILE}:8: NumMentions: '-3' is not a count" in r.out
    assert f"{GDELT_FILE}:9: GoldsteinScale: 'NaN' is not a number" in r.out
    assert "6 new gdelt events from 10 rows" in r.out
    loads_cleanly(out)
    exported = cli("export", "--data", str(out), "--dataset", "gdelt")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the JSON export")

    events = json.loads(exported.out, parse_constant=refuse)["events"]
    assert len(events) == 6


def test_measures_outside_the_codebook_s_ranges_lose_only_their_rows(tmp_path, cli) -> None:
    # GDELT's codebook: the counts are INTEGER, Goldstein -10..+10, AvgTone -100..+100. Past them a row
    # is damaged (and a story's sums of it would overflow), so it is named and left out.
    rows = [*GOOD, dict(KELLOGG, GLOBALEVENTID=1240100, NumMentions="9223372036854775807"),
            dict(KELLOGG, GLOBALEVENTID=1240101, GoldsteinScale="10.5"),
            dict(KELLOGG, GLOBALEVENTID=1240102, AvgTone="-1e308"),
            dict(KELLOGG, GLOBALEVENTID=1240103, NumArticles="2147483648"),
            dict(KELLOGG, GLOBALEVENTID=1240104, GoldsteinScale="-10", AvgTone="100", NumSources="2147483647")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert r.code == 0, r.err
    assert f"{GDELT_FILE}:6: NumMentions: '9223372036854775807' is outside 0 to 2,147,483,647" in r.out
    assert f"{GDELT_FILE}:7: GoldsteinScale: '10.5' is outside -10 to 10" in r.out
    assert f"{GDELT_FILE}:8: AvgTone: '-1e308' is outside -100 to 100" in r.out
    assert f"{GDELT_FILE}:9: NumArticles: '2147483648' is outside 0 to 2,147,483,647" in r.out
    assert f"{GDELT_FILE}:10:" not in r.out  # the edges of the ranges are values
    assert "6 new gdelt events from 10 rows" in r.out
    loads_cleanly(out)


def test_an_actor_code_that_is_not_cameo_s_is_named_not_merged_with_another(tmp_path, cli) -> None:
    # Ä and Ö would vanish from the actors' ids and make ÄBC and ÖBC one actor.
    rows = [*GOOD, dict(KELLOGG, GLOBALEVENTID=1240100, Actor1Code="ÄBC"),
            dict(KELLOGG, GLOBALEVENTID=1240101, Actor2Code="blr gov")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    r = cli("import", "gdelt", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert f"{GDELT_FILE}:6: Actor1Code: 'ÄBC' is not a CAMEO actor code (A-Z, 0-9)" in r.out
    assert f"{GDELT_FILE}:7: Actor2Code: 'blr gov' is not a CAMEO actor code (A-Z, 0-9)" in r.out
    assert "5 new gdelt events from 7 rows" in r.out


def test_an_address_with_a_user_name_is_attributed_to_its_real_host(tmp_path, cli) -> None:
    rows = [dict(KELLOGG, SOURCEURL="https://belsat.by:x@evil.example/p")]
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(write_gdelt(tmp_path / GDELT_FILE, rows)), "--out", str(out))
    assert r.code == 0, r.err
    (event,) = json.loads(cli("export", "--data", str(out), "--dataset", "gdelt").out)["events"]
    assert event["attribution"] == "GDELT, machine-coded from evil.example"


def test_a_source_url_with_a_space_is_named_at_import_not_dropped_by_the_loader(tmp_path, cli) -> None:
    rows = [KELLOGG, dict(KELLOGG, GLOBALEVENTID=1240300, SOURCEURL="https://news.example.org/a b"),
            dict(KELLOGG, GLOBALEVENTID=1240301, SOURCEURL="HTTP://NEWS.EXAMPLE.ORG/X"),
            dict(KELLOGG, GLOBALEVENTID=1240302, SOURCEURL="BBC Monitoring")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert r.code == 0, r.err
    assert f"{GDELT_FILE}:2: SOURCEURL: 'https://news.example.org/a b' is not a usable address" in r.out
    assert f"{GDELT_FILE}:3: SOURCEURL: 'HTTP://NEWS.EXAMPLE.ORG/X' is not a usable address" in r.out
    c = loads_cleanly(out)
    assert sorted(c.events["external_id"]) == ["gdelt:1230001", "gdelt:1240302"]


def test_gdelt_dates_outside_the_range_are_named(tmp_path, cli) -> None:
    rows = [KELLOGG, dict(KELLOGG, GLOBALEVENTID=1240400, SQLDATE="00010101"),
            dict(KELLOGG, GLOBALEVENTID=1240401, SQLDATE="99991231"),
            dict(KELLOGG, GLOBALEVENTID=1240402, DATEADDED="99991231000000"),
            dict(KELLOGG, GLOBALEVENTID=1240403, SQLDATE="18000101")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert r.code == 0, r.err
    why = "is outside the dates this atlas takes (1800-01-01 to 2100-12-31)"
    assert f"{GDELT_FILE}:2: SQLDATE: '00010101' {why}" in r.out
    assert f"{GDELT_FILE}:3: SQLDATE: '99991231' {why}" in r.out
    assert f"{GDELT_FILE}:4: DATEADDED: '99991231000000' {why}" in r.out
    c = loads_cleanly(out)
    assert sorted(c.events["external_id"]) == ["gdelt:1230001", "gdelt:1240403"]  # the range's first day


def test_wrong_field_counts_and_stray_line_breaks_keep_the_line_numbers(tmp_path, cli) -> None:
    good = eleven_rows()
    text = "".join(gdelt.row(**r) for r in good[:3])
    text += "\n"  # an empty line: line 4
    text += gdelt.row(**good[3]).replace("\t", "\t\t", 1)  # 62 columns: line 5
    text += gdelt.row(**good[4]).replace("\n", "\r\n")  # a Windows line end is a line end: line 6
    text += gdelt.row(**good[5]).replace("KEITH", "KEITH\rX")  # a carriage return inside: line 7
    text += "".join(gdelt.row(**r) for r in good[6:])  # lines 8 to 12
    src = tmp_path / GDELT_FILE
    src.write_text(text.removesuffix("\n"), encoding="utf-8")  # the last line without its newline
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert r.code == 0, r.err
    assert r.out.splitlines()[:3] == [
        f"{src}:4: row: an empty line, expected 61 columns (a GDELT 2.0 Events row)",
        f"{src}:5: row: 62 columns, expected 61 (a GDELT 2.0 Events row)",
        f"{src}:7: row: a carriage return inside the row: not a GDELT 2.0 Events row",
    ]
    assert "9 new gdelt events from 12 rows" in r.out
    assert gdelt_ids(out) == {f"gdelt:{1240000 + k}" for k in (0, 1, 2, 4, 6, 7, 8, 9, 10)}


def _measured(args: list[str]) -> tuple[int, float, str]:
    """Exit status, peak resident memory (MB, the kernel's rusage of the process) and output."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss / 1024, out.decode()


def test_a_zip_of_five_million_newlines_is_read_in_bounded_memory(tmp_path) -> None:
    bomb = tmp_path / f"{GDELT_FILE}.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(GDELT_FILE, b"\n" * 5_000_000)
    assert bomb.stat().st_size < 10_000
    small = write_gdelt(tmp_path / "20250621121500.export.CSV", GOOD)
    code, base_mb, _ = _measured(["import", "gdelt", str(small), "--out", str(tmp_path / "a")])
    assert code == 0
    code, peak_mb, out = _measured(["import", "gdelt", str(bomb), "--out", str(tmp_path / "b")])
    assert code == 1, out  # every row malformed: nothing imported is a failure a script notices
    assert "0 new gdelt events from 5,000,000 rows" in out
    assert "5,000,000 malformed rows skipped" in out
    assert f"… and {5_000_000 - imports.MAX_SHOWN_PROBLEMS:,} more problems" in out
    assert f"error: {bomb}: every row is malformed" in out
    assert (
        len(out.splitlines()) == imports.MAX_SHOWN_PROBLEMS + 3
    )  # the problems shown, the count, the summary, the error
    # The import of 5 million lines costs no more memory than that of five rows, give or take 150 MB
    # (it held 3 GB when every line became a kept problem).
    assert peak_mb < base_mb + 150, (base_mb, peak_mb)


def test_problems_kept_are_bounded_and_the_rest_counted(tmp_path) -> None:
    src = tmp_path / GDELT_FILE
    src.write_text("x\n" * 50_000, encoding="utf-8")
    report, _ = gdelt.import_files([src], tmp_path / "out", gdelt.Options())
    assert len(report.problems) == imports.MAX_KEPT_PROBLEMS
    assert (report.problem_count, report.malformed, report.read) == (50_000, 50_000, 50_000)
    assert str(report.problems[0]) == f"{src}:1: row: 1 columns, expected 61 (a GDELT 2.0 Events row)"


def test_a_zip_member_larger_than_the_limit_is_not_read_past_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(gdelt, "MAX_UNZIPPED", 1 << 20)
    monkeypatch.setattr(gdelt, "PIECE", 64 << 10)
    rows = "".join(gdelt.row(**dict(KELLOGG, GLOBALEVENTID=1250000 + k)) for k in range(4000))
    big = tmp_path / f"{GDELT_FILE}.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(GDELT_FILE, rows)
    info = zipfile.ZipFile(big).infolist()[0]
    assert info.file_size > 1 << 20
    report, _ = gdelt.import_files([big], tmp_path / "out", gdelt.Options())
    assert report.unread == 1
    assert "holds" in str(report.problems[-1])
    assert "more than 1,048,576" in str(report.problems[-1])
    assert report.imported == 0


def test_a_line_longer_than_a_piece_is_named_and_not_held(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(gdelt, "PIECE", 4096)
    rows = [gdelt.row(**dict(KELLOGG, GLOBALEVENTID=1270000 + k)) for k in range(3)]
    src = tmp_path / GDELT_FILE
    src.write_text(rows[0] + "A" * 50_000 + "\n" + rows[1] + "B" * 50_000 + rows[2], encoding="utf-8")
    report, _ = gdelt.import_files([src], tmp_path / "out", gdelt.Options())
    assert [str(p) for p in report.problems] == [
        f"{src}:2: row: a line longer than 4,096 bytes: not a GDELT 2.0 Events row",
        f"{src}:4: row: a line longer than 4,096 bytes: not a GDELT 2.0 Events row",
    ]
    assert (report.read, report.imported, report.malformed) == (4, 2, 2)
    assert gdelt_ids(tmp_path / "out") == {"gdelt:1270000", "gdelt:1270001"}


# --- runs of the same file name, dates that do not exist, quotes, line ends ---------------------


def five_gdelt(**first: object) -> list[dict]:
    """Five good GDELT rows, ids 1280000 to 1280004, the first one's columns changed by name."""
    rows = [dict(KELLOGG, GLOBALEVENTID=1280000 + k) for k in range(5)]
    rows[0].update(first)
    return rows


def test_importing_a_fixed_file_again_keeps_the_rows_of_the_first_run(tmp_path, cli) -> None:
    out = tmp_path / "out"
    src = write_gdelt(tmp_path / GDELT_FILE, five_gdelt(SQLDATE="2025062"))
    first = cli("import", "gdelt", str(src), "--out", str(out))
    assert "4 new gdelt events from 5 rows" in first.out, first.out
    write_gdelt(src, five_gdelt())  # the bad date fixed, the same file name
    again = cli("import", "gdelt", str(src), "--out", str(out))
    assert again.code == 0, again.err
    assert "1 new gdelt events from 5 rows" in again.out
    assert "4 already imported" in again.out
    assert sorted(loads_cleanly(out).events["external_id"]) == [f"gdelt:{1280000 + k}" for k in range(5)]
    # Another folder's file of the same name: its rows join, none of the earlier ones is lost.
    (tmp_path / "b").mkdir()
    other = write_gdelt(tmp_path / "b" / GDELT_FILE, [dict(KELLOGG, GLOBALEVENTID=1280100)])
    assert "1 new gdelt events" in cli("import", "gdelt", str(other), "--out", str(out)).out
    assert len(loads_cleanly(out).events) == 6
    # The same file a fourth time changes nothing: no new run is written.
    files = sorted(p.name for p in out.iterdir())
    assert "0 new gdelt events" in cli("import", "gdelt", str(other), "--out", str(out)).out
    assert sorted(p.name for p in out.iterdir()) == files


def test_importing_a_fixed_acled_file_again_keeps_the_rows_of_the_first_run(tmp_path, cli) -> None:
    out = tmp_path / "out"
    rows = [acled_row(k) for k in range(5)]
    src = acled_csv(tmp_path / ACLED_FILE, [acled_row(0, event_date="2025-13-01"), *rows[1:]])
    assert "4 new acled events from 5 rows" in cli("import", "acled", str(src), "--out", str(out)).out
    acled_csv(src, rows)
    again = cli("import", "acled", str(src), "--out", str(out))
    assert again.code == 0, again.err
    assert "1 new acled events from 5 rows" in again.out
    assert sorted(loads_cleanly(out).events["external_id"]) == [f"acled:ROW{k}" for k in range(5)]


def test_an_acled_timestamp_past_year_9999_loses_only_the_articles_date(tmp_path, cli) -> None:
    rows = [acled_row(k) for k in range(5)]
    rows[2] = acled_row(2, timestamp="999999999999")  # 12 digits: the year 33658
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert "5 new acled events from 5 rows" in r.out
    loads_cleanly(tmp_path / "out")
    (arts,) = (tmp_path / "out").glob("acled-*.articles.parquet")
    published = dict(zip(*pq.read_table(arts, columns=["id", "published"]).to_pydict().values(), strict=True))
    assert str(published["acled-row2"]) == "2025-06-14"  # dated by the event (RUS7's event_date)


def test_gdelt_dates_that_do_not_exist_are_named_not_moved(tmp_path, cli) -> None:
    rows = [*five_gdelt(SQLDATE="20250230"), dict(KELLOGG, GLOBALEVENTID=1280010, DATEADDED="20250230120000"),
            dict(KELLOGG, GLOBALEVENTID=1280011, DATEADDED="garbage"),
            dict(KELLOGG, GLOBALEVENTID=1280012, DATEADDED="20250621250000"),
            dict(KELLOGG, GLOBALEVENTID=1280013, DATEADDED="")]  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    r = cli("import", "gdelt", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert r.out.splitlines()[:4] == [
        f"{src}:1: SQLDATE: '20250230' is not a date (YYYYMMDD)",
        f"{src}:6: DATEADDED: '20250230120000' is not a date and time (YYYYMMDDHHMMSS)",
        f"{src}:7: DATEADDED: 'garbage' is not a date and time (YYYYMMDDHHMMSS)",
        f"{src}:8: DATEADDED: '20250621250000' is not a date and time (YYYYMMDDHHMMSS)",
    ]
    assert "5 new gdelt events from 9 rows" in r.out  # four good rows, and one without DATEADDED
    c = loads_cleanly(tmp_path / "out")
    assert "2025-03-02" not in {str(d)[:10] for d in c.events["start"]}


def test_an_unclosed_acled_quote_loses_only_its_row_and_the_counts_add_up(tmp_path, cli) -> None:
    src = acled_csv(tmp_path / ACLED_FILE, [acled_row(k) for k in range(5)])
    text = src.read_text(encoding="utf-8").splitlines(keepends=True)
    names = ACLED_HEADER.split(",")
    fields = next(csv.reader([text[2]]))
    fields[names.index("notes")] = '"x'
    text[2] = ",".join(fields) + "\n"  # a quote opened in row 2's notes and never closed
    src.write_text("".join(text), encoding="utf-8")
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert f"{ACLED_FILE}:3: row: not a CSV row" in r.out
    assert "line 4 is read again as rows" in r.out  # where the next row's quote closed it
    assert "4 new acled events from 5 rows" in r.out
    assert "1 malformed rows skipped" in r.out
    c = loads_cleanly(tmp_path / "out")
    assert sorted(c.events["external_id"]) == ["acled:ROW0", "acled:ROW2", "acled:ROW3", "acled:ROW4"]
    # No later quote to close it: the quote runs to the end of the file, and every line after is read again.
    rows = [acled_row(k, notes="plain notes") for k in range(5)]
    rows[1] = acled_row(1, notes="OPEN")
    src = acled_csv(tmp_path / "b.csv", rows)
    src.write_text(src.read_text(encoding="utf-8").replace("OPEN", '"x'), encoding="utf-8")
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "b"))
    assert "b.csv:3: row: not a CSV row: unexpected end of data; lines 4 to 6 are read again as rows" in r.out
    assert "4 new acled events from 5 rows" in r.out


def test_acled_problems_name_the_physical_line_a_row_starts_on(tmp_path, cli) -> None:
    rows: list[list[str] | str] = [
        acled_row(0, notes="First line.\nSecond line.\nThird line."),  # lines 2 to 4
        "",  # line 5: a blank line is no row
        acled_row(1, fatalities="many"),  # line 6
        acled_row(2, notes="One\r\nTwo"),  # lines 7 and 8
        acled_row(3, event_date="2025-13-01"),  # line 9
    ]
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert r.out.splitlines()[:2] == [
        f"{src}:6: fatalities: 'many' is not a whole number (up to 18 digits)",
        f"{src}:9: event_date: '2025-13-01' is not a date (YYYY-MM-DD or 21 June 2025)",
    ]
    assert "2 new acled events from 4 rows" in r.out


def test_a_gdelt_file_with_carriage_return_line_ends_says_so_and_fails(tmp_path, cli) -> None:
    src = tmp_path / GDELT_FILE
    src.write_text("".join(gdelt.row(**r).replace("\n", "\r") for r in five_gdelt()), encoding="utf-8")
    r = cli("import", "gdelt", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 1, r.out
    assert f"{GDELT_FILE}:1: row: carriage returns inside a line of 301 columns" in r.out
    assert "carriage return alone" in r.out
    assert f"error: {src}: every row is malformed" in r.err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.parquet"))


def test_a_file_whose_every_row_is_malformed_fails_among_good_ones(tmp_path, cli) -> None:
    good = write_gdelt(tmp_path / GDELT_FILE, five_gdelt())
    broken = tmp_path / "20250621121500.export.CSV"
    broken.write_text("not\ta\tgdelt\trow\n" * 3, encoding="utf-8")
    r = cli("import", "gdelt", str(good), str(broken), "--out", str(tmp_path / "out"))
    assert r.code == 1
    assert "5 new gdelt events from 8 rows" in r.out
    assert (
        r.err.strip()
        == f"error: {broken}: every row is malformed (named above): nothing was imported from it"
    )
    acled = acled_csv(tmp_path / ACLED_FILE, [acled_row(k, latitude="north") for k in range(3)])
    r = cli("import", "acled", str(acled), "--out", str(tmp_path / "acled"))
    assert r.code == 1
    assert "every row is malformed" in r.err


def test_acled_coordinates_are_plain_decimals(tmp_path, cli) -> None:
    rows = [acled_row(0), acled_row(1, latitude="5_0.45"), acled_row(2, latitude="٥٠.٤٥"),
            acled_row(3, longitude="nan"), acled_row(4, latitude="-50.45")]  # fmt: skip
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    r = cli("import", "acled", str(src), "--out", str(tmp_path / "out"))
    assert r.code == 0, r.err
    assert f"{ACLED_FILE}:3: latitude: '5_0.45'" in r.out
    assert f"{ACLED_FILE}:4: latitude: '٥٠.٤٥'" in r.out
    assert f"{ACLED_FILE}:5: longitude: 'nan' is not a number" in r.out
    assert sorted(loads_cleanly(tmp_path / "out").events["external_id"]) == ["acled:ROW0", "acled:ROW4"]


def test_a_gdelt_line_longer_than_a_piece_is_skipped_also_when_it_ends_in_the_next_read(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(gdelt, "PIECE", 4096)
    rows = [gdelt.row(**dict(KELLOGG, GLOBALEVENTID=1290000 + k)) for k in range(3)]
    rows[1] = gdelt.row(**dict(KELLOGG, GLOBALEVENTID=1290001, Actor1Name="K" * 6000))  # 61 columns, 6 KB
    src = tmp_path / GDELT_FILE
    src.write_text("".join(rows), encoding="utf-8")
    report, _ = gdelt.import_files([src], tmp_path / "out", gdelt.Options())
    assert [str(p) for p in report.problems] == [
        f"{src}:2: row: a line longer than 4,096 bytes: not a GDELT 2.0 Events row"
    ]
    assert gdelt_ids(tmp_path / "out") == {"gdelt:1290000", "gdelt:1290002"}


def test_problems_name_each_file_as_the_command_line_gave_it(tmp_path, cli) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_gdelt(tmp_path / "a" / GDELT_FILE, five_gdelt(SQLDATE="2025062"))
    write_gdelt(tmp_path / "b" / GDELT_FILE, [dict(KELLOGG, GLOBALEVENTID=1290100, EventCode="X")])
    one, two = (os.path.relpath(tmp_path / d / GDELT_FILE, ROOT) for d in "ab")  # relative, as typed
    r = cli("import", "gdelt", one, two, "--out", str(tmp_path / "out"))
    assert r.out.splitlines()[:2] == [
        f"{one}:1: SQLDATE: '2025062' is not a date (YYYYMMDD)",
        f"{two}:1: EventCode: 'X' is not a CAMEO event code",
    ]
    assert (
        r.err.strip() == f"error: {two}: every row is malformed (named above): nothing was imported from it"
    )


# --- the codebooks' shapes: feature ids, place types, text, repeats ------------------------------


def gdelt_import(tmp_path: Path, rows: list[dict]) -> tuple[imports.Report, corpus.Corpus, Path]:
    src = write_gdelt(tmp_path / GDELT_FILE, rows)
    report, _ = gdelt.import_files([src], tmp_path / "out", gdelt.Options())
    return report, loads_cleanly(tmp_path / "out"), src


# ActionGeo_FeatureID → (the problem's start, or None; the place id, or None: the event kept without one)
FEATURE_IDS = [
    ("AB.1", "'AB.1' is not a feature id of the codebook's", None),  # "AB 1" and "AB.1" were one place
    ("AB 1", "'AB 1' is not a feature id of the codebook's", None),
    ("ab1", "'ab1' is not a feature id of the codebook's", None),  # "ab1" and "AB1" were one place
    ("\u202e-1", "'\\u202e-1' is not a feature id of the codebook's", None),  # was "1"'s place
    ("AB1", None, "gdelt-ab1"),
    ("-1", None, "gdelt-n1"),  # GNS ids may be negative: another feature than 1
    ("1", None, "gdelt-1"),
    ("BO05", None, "gdelt-bo05"),
    ("N1", "'N1' is not a feature id of the codebook's", None),  # would be -1's id
]


def test_only_feature_ids_of_the_codebook_s_shape_make_places_one_each(tmp_path) -> None:
    rows = [dict(KELLOGG, GLOBALEVENTID=1300000 + k, ActionGeo_FeatureID=f) for k, (f, _, _) in
            enumerate(FEATURE_IDS)]  # fmt: skip
    report, c, src = gdelt_import(tmp_path, rows)
    problems = {p.line: p for p in report.problems}
    events = c.events.set_index("external_id")
    for k, (fid, problem, place) in enumerate(FEATURE_IDS):
        event = events.loc[f"gdelt:{1300000 + k}"]  # every row is an event, with its actors and measures
        assert event["mentions"] == KELLOGG["NumMentions"], fid
        got = event["place"] if isinstance(event["place"], str) else None
        assert got == place, fid
        if problem is None:
            assert k + 1 not in problems, fid
        else:
            p = problems[k + 1]
            assert (p.file, p.field) == (str(src), "ActionGeo_FeatureID"), fid
            assert p.message.startswith(problem), p
            assert p.message.endswith("kept without this place"), p
    assert (report.imported, report.malformed) == (len(FEATURE_IDS), 0)


# ActionGeo_Type → whether the event keeps its place, and whether a problem names the type
GEO_TYPES = [
    ("4", True, False),
    ("1", True, False),
    ("9", False, True),
    ("6", False, True),
    ("x", False, True),
]


def test_a_place_type_outside_the_codebook_s_is_named_and_the_event_kept_without_the_place(tmp_path) -> None:
    rows = [dict(KELLOGG, GLOBALEVENTID=1310000 + k, ActionGeo_Type=t, ActionGeo_FeatureID=f"{k + 1}")
            for k, (t, _, _) in enumerate(GEO_TYPES)]  # fmt: skip
    rows.append(dict(KELLOGG, GLOBALEVENTID=1310099, ActionGeo_Type=0, ActionGeo_FullName="", ActionGeo_CountryCode="",
                     ActionGeo_Lat="", ActionGeo_Long="", ActionGeo_FeatureID=""))  # fmt: skip  # GDELT's "no place"
    report, c, _ = gdelt_import(tmp_path, rows)
    named = {p.line: str(p) for p in report.problems}
    events = c.events.set_index("external_id")
    for k, (t, placed, problem) in enumerate(GEO_TYPES):
        assert isinstance(events.loc[f"gdelt:{1310000 + k}", "place"], str) == placed, t
        if problem:
            assert named[k + 1].endswith(
                f":{k + 1}: ActionGeo_Type: '{t}' is not a place type (1 to 5, or 0 for none): "
                "the event is kept without this place"
            )
        else:
            assert k + 1 not in named, t
    assert not isinstance(events.loc["gdelt:1310099", "place"], str)
    assert len(GEO_TYPES) + 1 not in named
    assert report.imported == len(rows)


LONG_URL = "https://" + "a" * 70_000 + ".example/"
# column → (value, what the problem says or None, what the event or source holds)
TEXTS = [
    ("Actor1Name", "A" * 500_000, "longer than 200 characters: cut to 200, ending in '…'", "A" * 199 + "…"),
    ("Actor2Name", "LUKA\x00SHEN\x1bKO\x07", "control characters removed", "LUKASHENKO"),
    ("ActionGeo_FullName", "Minsk\x9b, Belarus", "control characters removed", "Minsk, Belarus"),
    ("Actor2Name", "\u202eOKNEHSAKUL\u202c", "control characters removed", "OKNEHSAKUL"),  # shown backwards
    ("SOURCEURL", LONG_URL, "an address of 70,017 characters, longer than 2,048: not kept", None),
    ("SOURCEURL", "https://news.example.org/\x1b[31mred", "control characters removed",
     "https://news.example.org/[31mred"),
    ("SOURCEURL", "BBC " + "M" * 300, "longer than 200 characters: cut to 200", "BBC " + "M" * 195 + "…"),
]  # fmt: skip


def test_imported_text_is_one_line_without_control_characters_and_capped(tmp_path) -> None:
    rows = [dict(KELLOGG, GLOBALEVENTID=1320000 + k, Actor2Code=f"BLR{k:03d}", ActionGeo_FeatureID=f"{k + 10}",
                 **{col: value}) for k, (col, value, _, _) in enumerate(TEXTS)]  # fmt: skip
    report, c, _ = gdelt_import(tmp_path, rows)
    named = {(p.line, p.field): p.message for p in report.problems}
    events = c.events.set_index("external_id")
    sources = c.sources.set_index("event")
    for k, (col, _, problem, held) in enumerate(TEXTS):
        assert named[k + 1, col].startswith(problem), (col, named)
        eid = f"gdelt-{1320000 + k}"
        if col == "Actor1Name":
            assert events.loc[f"gdelt:{1320000 + k}", "summary"].startswith(held + " → ")
        elif col == "Actor2Name":
            assert c.actors[f"gdelt-blr{k:03d}"].name == held
        elif col == "ActionGeo_FullName":
            assert c.places[events.loc[f"gdelt:{1320000 + k}", "place"]].name == held
        elif held is None or held.startswith("http"):
            url = sources.loc[eid, "url"]
            assert (url if isinstance(url, str) else None) == held
        else:
            assert sources.loc[eid, "outlet"] == held
    assert (report.imported, report.malformed) == (len(TEXTS), 0)


@pytest.mark.parametrize("tiny_batches", [False, True])
def test_a_repeated_gdelt_id_is_named_against_its_first_row(tmp_path, monkeypatch, tiny_batches) -> None:
    if tiny_batches:  # each line its own piece and batch: the first row is in an earlier batch
        monkeypatch.setattr(gdelt, "PIECE", 700)
        monkeypatch.setattr(gdelt, "FIRST_CHUNK", 1)
        monkeypatch.setattr(gdelt, "CHUNK", 1)
    rows = [*GOOD, dict(GOOD[1]), dict(GOOD[1], SOURCEURL="https://other.example/"), dict(GOOD[0])]
    report, c, src = gdelt_import(tmp_path, rows)
    assert [str(p) for p in report.problems if p.field == "GLOBALEVENTID"] == [
        f"{src}:6: GLOBALEVENTID: 1230002 repeats line 2: this row is skipped",
        f"{src}:7: GLOBALEVENTID: 1230002 repeats line 2, with other values in its other columns: this row is "
        "skipped",
        f"{src}:8: GLOBALEVENTID: 1230001 repeats line 1: this row is skipped",
    ]
    assert report.summary("gdelt", 1).startswith(f"{len(GOOD)} new gdelt events from 8 rows")
    assert "3 repeated rows (named above)" in report.summary("gdelt", 1)
    assert "already imported" not in report.summary("gdelt", 1)
    assert sorted(c.events["external_id"]) == sorted(f"gdelt:{r['GLOBALEVENTID']}" for r in GOOD)


def test_a_gdelt_id_in_two_files_of_one_run_names_the_first_file(tmp_path) -> None:
    a = write_gdelt(tmp_path / "20250621120000.export.CSV", [KELLOGG])
    b = write_gdelt(tmp_path / "20250621121500.export.CSV", [RUSSIA, KELLOGG])
    report, _ = gdelt.import_files([a, b], tmp_path / "out", gdelt.Options())
    assert [str(p) for p in report.problems] == [
        f"{b}:2: GLOBALEVENTID: 1230001 repeats {a}:1: this row is skipped"
    ]
    again, _ = gdelt.import_files([a], tmp_path / "out", gdelt.Options())  # a later run: already imported
    assert (again.already, again.problems) == (1, [])


def acled_import(tmp_path: Path, rows: list[list[str] | str]) -> tuple[imports.Report, corpus.Corpus]:
    src = acled_csv(tmp_path / ACLED_FILE, rows)
    report, _ = acled.import_file(src, tmp_path / "out")
    return report, loads_cleanly(tmp_path / "out")


# changes to a good row → (the problem line after "FILE:LINE: ", whether the row is imported)
ACLED_CASES = [
    ({"longitude": "181"}, "longitude: 181 is outside -180..180: not on the globe", False),
    ({"latitude": "-91"}, "latitude: -91 is outside -90..90: not on the globe", False),
    ({"longitude": "east"}, "longitude: 'east' is not a number (a plain decimal)", False),
    ({"notes": "N" * 2_000_000}, "notes: longer than 2,000 characters: cut to 2,000, ending in '…'", True),
    ({"actor1": "Police\x00 Forces\x1b[0m"}, "actor1: control characters removed", True),
    ({"actor2": "M" * 300}, "actor2: longer than 200 characters: cut to 200, ending in '…'", True),
    ({"location": "Kyiv\x07"}, "location: control characters removed", True),
    ({"location": "\u2067Kyiv\u2069"}, "location: control characters removed", True),
    ({"source": "Kyiv\x9dPost"}, "source: control characters removed", True),
    ({"event_id_cnty": "U" * 81}, "event_id_cnty: 'UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU'… is longer than 80", False),
]  # fmt: skip


def test_acled_fields_are_named_and_text_cleaned_and_capped(tmp_path) -> None:
    rows: list[list[str] | str] = [acled_row(k, **changes) for k, (changes, _, _) in enumerate(ACLED_CASES)]
    report, c = acled_import(tmp_path, rows)
    named = {p.line: str(p) for p in report.problems}
    ids = set(c.events["external_id"])
    for k, (changes, problem, kept) in enumerate(ACLED_CASES):
        assert named[k + 2].startswith(f"{tmp_path / ACLED_FILE}:{k + 2}: {problem}"), (
            changes,
            named.get(k + 2),
        )
        assert (f"acled:ROW{k}" in ids) == kept, changes
    assert c.texts["acled-row3"] == "N" * 1_999 + "…"
    names = {a.name for a in c.actors.values()}
    assert {"Police Forces[0m", "M" * 199 + "…"} <= names
    assert not any(imports.CONTROL.search(n) for n in names)


@pytest.mark.parametrize("brk", ["\n", "\t", "\x0b", "\x85", "\u2028", "\u2029"],
                         ids=["newline", "tab", "vt", "nel", "line-sep", "para-sep"])  # fmt: skip
def test_acled_names_with_a_line_break_are_one_line_as_gdelts_are(tmp_path, brk) -> None:
    """A tab or line break inside a name becomes a space (GDELT's rule, docs/DATA.md "Lengths"):
    the name then loads, labels the map on one line and writes one spreadsheet line."""
    row = acled_row(0, actor1=f"Police{brk}Forces", location=f"Kyiv{brk}City", source=f"Kyiv{brk}Post")
    report, c = acled_import(tmp_path, [row])
    assert report.imported == 1
    assert "Police Forces" in {a.name for a in c.actors.values()}
    assert "Kyiv City" in {p.name for p in c.places.values()}
    assert set(c.sources["outlet"]) == {"Kyiv Post"}
    texts = [a.name for a in c.actors.values()] + [p.name for p in c.places.values()]
    assert not any(model.control_character(t) for t in texts)


NUMERIC = "is a numeric date whose day and month could be read either way round: write it YYYY-MM-DD or 21 June 2025"


def test_acled_dates_are_read_only_in_the_forms_acled_writes(tmp_path) -> None:
    # ACLED writes event_date as 2025-06-21 (its API) or 21 June 2025 (its spreadsheet exports). A numeric
    # date in another order is no form of its own: 03/04/2025 is 3 April or 4 March, so none is guessed.
    read = ["2025-06-21", "21 June 2025", "21-June-2025"]
    refused = ["21/06/2025", "06/21/2025", "03/04/2025", "21.06.2025", "21-06-2025"]
    year_first = ["2025/06/21"]  # not ambiguous, but not a form ACLED writes either
    given = [*read, *refused, *year_first, "2025-06-21"]
    rows: list[list[str] | str] = [
        acled_row(k, event_date=d, time_precision="1") for k, d in enumerate(given)
    ]
    report, c = acled_import(tmp_path, rows)
    src = tmp_path / ACLED_FILE
    not_acled = "is not in a form ACLED writes: write it YYYY-MM-DD or 21 June 2025"
    assert [str(p) for p in report.problems] == [
        f"{src}:{k + 2}: event_date: {d!r} {NUMERIC if d in refused else not_acled}"
        for k, d in enumerate(given)
        if d in refused or d in year_first
    ]
    # The other rows import as before, each dated 21 June 2025.
    assert set(c.events["external_id"]) == {"acled:ROW0", "acled:ROW1", "acled:ROW2", "acled:ROW9"}
    assert {str(d)[:10] for d in c.events["start"]} == {"2025-06-21"}
    assert report.malformed == 6


def test_a_repeated_acled_id_is_named_against_its_first_row(tmp_path) -> None:
    rows: list[list[str] | str] = [
        acled_row(0),
        acled_row(1),
        acled_row(0),
        acled_row(0, notes="other notes"),
    ]
    report, c = acled_import(tmp_path, rows)
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / ACLED_FILE}:4: event_id_cnty: 'ROW0' repeats line 2: this row is skipped",
        f"{tmp_path / ACLED_FILE}:5: event_id_cnty: 'ROW0' repeats line 2, with other values in its other "
        "columns: this row is skipped",
    ]
    assert "2 repeated rows (named above)" in report.summary("acled", 1)
    assert "already" not in report.summary("acled", 1)
    assert sorted(c.events["external_id"]) == ["acled:ROW0", "acled:ROW1"]


def test_what_is_not_an_export_file_is_named_for_what_it_is(tmp_path, cli) -> None:
    (tmp_path / "empty.export.CSV").touch()
    r = cli("import", "gdelt", str(tmp_path), "/dev/null", str(tmp_path / "empty.export.CSV"),
            str(tmp_path / "gone.CSV"), "--out", str(tmp_path / "out"))  # fmt: skip
    assert r.code == 2
    assert r.err.splitlines() == [
        f"error: {tmp_path}: is a directory, not a GDELT export file (name the files in it)",
        "error: /dev/null: is not a regular file (a device or a pipe): not a GDELT export",
        f"error: {tmp_path / 'empty.export.CSV'}: is empty: not a GDELT export",
        f"error: {tmp_path / 'gone.CSV'}: no such file",
    ]


def test_places_without_a_feature_id_on_either_side_of_the_equator_or_meridian_stay_apart(tmp_path) -> None:
    # A place GDELT gives no feature id is named by its point; a minus sign must not vanish from it.
    points = [("53.9", "27.5"), ("-53.9", "27.5"), ("53.9", "-27.5"), ("-53.9", "-27.5")]
    rows = [dict(KELLOGG, GLOBALEVENTID=1320000 + k, ActionGeo_FeatureID="", ActionGeo_Lat=lat, ActionGeo_Long=lon)
            for k, (lat, lon) in enumerate(points)]  # fmt: skip
    _, c, _ = gdelt_import(tmp_path, rows)
    events = c.events.set_index("external_id")
    places = [events.loc[f"gdelt:{1320000 + k}", "place"] for k in range(len(points))]
    assert len(set(places)) == 4, places
    assert all(isinstance(p, str) for p in places)
