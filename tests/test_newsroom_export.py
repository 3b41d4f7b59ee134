"""The newsroom's CSV and XLSX, the share link and file name, trust, and suspect places.

What an analyst meets opening a download in a spreadsheet: a byte-order mark, so curly quotes and
dashes survive Excel; the article's title, publisher, date and URL; sources in words; the coder's
note; rows by date; a file name saying the filters; the share link; and the command line giving the
page's bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import DATA, ROOT, SEED_EVENTS, edit

from dashboard import atlas as atlas_mod
from dashboard import export, filters
from dashboard.readers import corpus, gdelt
from dashboard.views import labels
from dashboard.views import table as table_view

KELLOGG = filters.Filters.of(actors=["keith-kellogg"], start="2025-01-01", end="2025-12-31")
BASE = "https://atlas.example.org/events"
LINK = f"{BASE}?from=2025-01-01&to=2025-12-31&actor=keith-kellogg"


@pytest.fixture(scope="module")
def seed_atlas(atlas) -> atlas_mod.Atlas:
    return atlas


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_csv_is_what_a_newsroom_needs(seed_atlas) -> None:
    rows = read_csv(export.download(seed_atlas.engine, KELLOGG, "csv", BASE))
    assert list(rows[0]) == export.NEWS_COLUMNS
    assert rows
    assert all("Keith Kellogg" in r["participants"] for r in rows)
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates, key=lambda d: (d == "", d))  # by date, the undated last
    report = next(r for r in rows if r["id"] == "euromaidan-reports-meeting")
    assert report["article_title"] == "US special envoy for Ukraine meets Belarus leader, Russia’s key ally"
    assert (report["article_publisher"], report["article_published"]) == ("Euromaidan Press", "2025-06-21")
    assert report["sources"].startswith("Euromaidan Press, 21 June 2025: “US Special Envoy")
    assert "Lukashenko — first" in report["sources"]  # the dash and the curly quotes intact
    assert {r["trust"] for r in rows} == {"curated"}
    assert {r["share_link"] for r in rows} == {LINK}


def test_the_coders_note_is_a_column(seed_atlas) -> None:
    rows = {r["id"]: r for r in read_csv(export.download(seed_atlas.engine, KELLOGG, "csv"))}
    # The inferred origin: the coder's note says so.
    assert (
        "the article does not say where Kellogg travelled from" in rows["kellogg-visits-belarus-2025"]["note"]
    )
    undated = rows["kellogg-sees-step-to-talks"]
    assert undated["note"] == "“Previously” — before the article; the article gives no date."
    assert list(rows).index("kellogg-sees-step-to-talks") == len(rows) - 1  # undated: last


def test_the_xlsx_holds_the_same_rows_as_the_csv(seed_atlas) -> None:
    rows = read_csv(export.download(seed_atlas.engine, KELLOGG, "csv", BASE))
    book = openpyxl.load_workbook(io.BytesIO(export.download(seed_atlas.engine, KELLOGG, "xlsx", BASE)))
    sheet = book["Events"]
    got = [[("" if c is None else str(c)) for c in r] for r in sheet.iter_rows(values_only=True)]
    assert got[0] == export.NEWS_COLUMNS
    assert len(got) == len(rows) + 1
    for want, have in zip(rows, got[1:], strict=True):
        for name, value in zip(export.NEWS_COLUMNS, have, strict=True):
            if name.endswith(("_lat", "_lon")) and value:
                assert float(value) == float(want[name])
            else:
                assert value == want[name], name
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    assert about["Share link"] == LINK
    assert about["Filters"] == "from: 2025-01-01; to: 2025-12-31; actor: keith-kellogg"


def test_text_that_looks_like_a_formula_is_text_in_both(data_copy: Path) -> None:
    edit(
        data_copy / SEED_EVENTS.relative_to(DATA),
        "attribution: the article",
        "attribution: '=HYPERLINK(\"https://evil.example\")'",
    )
    a = atlas_mod.open_atlas(data_copy)
    rows = read_csv(export.download(a.engine, filters.Filters(), "csv"))
    assert '\'=HYPERLINK("https://evil.example")' in {r["attribution"] for r in rows}
    sheet = openpyxl.load_workbook(io.BytesIO(export.download(a.engine, filters.Filters(), "xlsx")))["Events"]
    col = export.NEWS_COLUMNS.index("attribution") + 1
    cells = [sheet.cell(i, col) for i in range(2, sheet.max_row + 1)]
    evil = [c for c in cells if c.value and "HYPERLINK" in c.value]
    assert evil
    assert all(c.data_type == "s" for c in evil)  # a string cell, never a formula


def test_the_command_line_writes_the_pages_bytes(seed_atlas, tmp_path: Path) -> None:
    args = ["--actor", "keith-kellogg", "--from", "2025-01-01", "--to", "2025-12-31", "--link-base", BASE]
    folder = tmp_path / "out"
    folder.mkdir()
    # XLSX, the format with most to vary (zip times, creation time), named as the page names it.
    subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--format", "xlsx", *args, "-o", str(folder)],
        cwd=ROOT, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    (written,) = folder.iterdir()
    assert written.name.startswith("contact-atlas_keith-kellogg_2025-01-01_2025-12-31_")
    assert written.suffix == ".xlsx"
    assert written.read_bytes() == export.download(seed_atlas.engine, KELLOGG, "xlsx", BASE)


def test_file_names_say_the_filters_safely_and_briefly() -> None:
    day = dt.date(2026, 12, 7)
    assert (
        export.file_name(KELLOGG, "csv", day)
        == "contact-atlas_keith-kellogg_2025-01-01_2025-12-31_2026-12-07.csv"
    )
    assert export.file_name(filters.Filters(), "xlsx", day) == "contact-atlas_2026-12-07.xlsx"
    hostile = filters.Filters.of(actors=[f"../../etc/passwd-{i}" for i in range(40)], end="2025-03-01")
    name = export.file_name(hostile, "csv", day)
    assert name.endswith("-more_start_2025-03-01_2026-12-07.csv")
    assert len(name) < 140
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert ".." not in name


def test_the_share_link_leaves_out_the_selection() -> None:
    assert export.share_link(KELLOGG.with_event("kellogg-visits-belarus-2025"), BASE + "?old=1") == LINK
    assert export.share_link(filters.Filters.of(kinds=["visit", "meeting"])) == "?kind=meeting,visit"


# --- trust and suspect places --------------------------------------------------------------------

MAKEI_VILLAGE = {
    "GLOBALEVENTID": 1240001, "SQLDATE": 20250614, "EventCode": "040", "EventRootCode": "04",
    "Actor1Code": "BLR", "Actor1Name": "BELARUS", "Actor1CountryCode": "BLR",
    "Actor2Code": "RUS", "Actor2Name": "RUSSIA", "Actor2CountryCode": "RUS",
    "ActionGeo_Type": 4, "ActionGeo_FullName": "Makei, Pskovskaya Oblast', Russia", "ActionGeo_CountryCode": "RS",
    "ActionGeo_Lat": 57.5, "ActionGeo_Long": 28.9, "ActionGeo_FeatureID": "-1234567", "NumMentions": 1,
    "NumSources": 1, "NumArticles": 1, "GoldsteinScale": 1, "AvgTone": 0, "DATEADDED": 20250614000000,
    "SOURCEURL": "https://news.example.org/makei-meets",
}  # fmt: skip
MINSK = dict(
    MAKEI_VILLAGE, GLOBALEVENTID=1240002, ActionGeo_FullName="Minsk, Horad Minsk, Belarus", ActionGeo_CountryCode="BO",
    ActionGeo_Lat=53.9, ActionGeo_Long=27.5667, ActionGeo_FeatureID="-2960561", NumSources=4, NumArticles=6,
)  # fmt: skip
MAKEI = "  - id: vladimir-makei\n    name: Vladimir Makei\n    kind: person\n    country: BLR\n"


@pytest.fixture(scope="module")
def with_makei(tmp_path_factory) -> Path:
    """The bundled data, a hand-written actor Vladimir Makei, and GDELT events in Makei (a village) and Minsk."""
    root = tmp_path_factory.mktemp("makei")
    data = root / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    with (data / "actors.yaml").open("a", encoding="utf-8") as fh:
        fh.write(MAKEI)
    src = root / "20250614000000.export.CSV"
    src.write_text(gdelt.row(**MAKEI_VILLAGE) + gdelt.row(**MINSK), encoding="utf-8")
    report, _ = gdelt.import_files([src], data / "gdelt", gdelt.Options())
    assert report.imported == 2
    return data


def test_a_place_named_like_an_actor_is_suspect_with_the_reason(with_makei: Path) -> None:
    c = corpus.load(with_makei)
    assert c.errors == []
    ev = {r["id"]: r for r in corpus.records(c.events)}
    assert ev["gdelt-1240001"]["suspect"] == "place name “Makei” is the name of actor Vladimir Makei"
    assert ev["gdelt-1240002"]["suspect"] is None  # Minsk names no actor
    assert all(r["suspect"] is None for r in ev.values() if r["dataset"] == "curated")


def test_rows_say_their_trust_and_cautions(with_makei: Path) -> None:
    a = atlas_mod.open_atlas(with_makei)
    rows = {r["id"]: r for r in read_csv(export.download(a.engine, filters.Filters(), "csv"))}
    village, minsk = rows["gdelt-1240001"], rows["gdelt-1240002"]
    assert (village["trust"], village["dataset"]) == ("machine-coded", "gdelt")
    assert (
        village["cautions"]
        == "single source; suspect place: place name “Makei” is the name of actor Vladimir Makei"
    )
    assert (minsk["trust"], minsk["cautions"]) == ("machine-coded", "")
    assert rows["kellogg-visits-belarus-2025"]["trust"] == "curated"
    table = table_view.events_table(a, filters.Filters())
    trust = dict(zip(table["id"], table["trust"], strict=True))
    assert trust["gdelt-1240001"] == (
        "GDELT · machine-coded · single source · suspect place: place name “Makei” is the name of actor Vladimir Makei"
    )
    assert (trust["gdelt-1240002"], trust["kellogg-visits-belarus-2025"]) == (
        "GDELT · machine-coded",
        "curated",
    )
    listed = dict(table_view.event_list(a, filters.Filters(), None))
    assert listed["gdelt-1240001"].endswith("[GDELT · machine-coded · single source · suspect place]")
    assert listed["kellogg-visits-belarus-2025"].endswith("[curated]")


def test_corroborated_is_ready_for_the_tie_to_curated_stories() -> None:
    from dashboard.model import trust  # noqa: PLC0415

    assert trust("gdelt", "machine") == "machine"
    assert trust("gdelt", "machine", corroborated=True) == "corroborated"
    assert trust("curated", "human", corroborated=True) == "curated"
    assert trust("curated", "draft") == "draft"
    assert labels.TRUST_LABELS["corroborated"] == "corroborated"


@pytest.mark.browser
def test_the_downloads_from_the_page_open_in_a_spreadsheet_intact(browser, server) -> None:
    """The analyst's task: Kellogg's 2025 events downloaded from the Events page, opened as a table."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/events?from=2025-01-01&to=2025-12-31&actor=keith-kellogg")
    page.get_by_role("button", name="Download CSV").wait_for()
    got = {}
    for fmt in ("CSV", "XLSX"):
        with page.expect_download() as info:
            page.get_by_role("button", name=f"Download {fmt}").click()
        name = info.value.suggested_filename
        assert "keith-kellogg" in name, name
        assert name.endswith(f"_{dt.date.today():%Y-%m-%d}.{fmt.lower()}"), name
        got[fmt] = info.value.path().read_bytes()
    ctx.close()
    rows = read_csv(got["CSV"])  # the byte-order mark first, then UTF-8
    report = next(r for r in rows if r["id"] == "euromaidan-reports-meeting")
    assert "Lukashenko — first" in report["sources"]
    assert "“US Special Envoy" in report["sources"]
    assert report["article_title"].endswith("Russia’s key ally")
    assert report["share_link"].startswith(server)
    assert "actor=keith-kellogg" in report["share_link"]
    sheet = openpyxl.load_workbook(io.BytesIO(got["XLSX"]))["Events"]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == export.NEWS_COLUMNS
    assert [[("" if v is None else str(v)) for v in r] for r in table[1:]] == [list(r.values()) for r in rows]
