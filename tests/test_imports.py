"""GDELT and ACLED imports: files written here from the documented column orders, imported as a user would.

Every mapping (dates, actors, CAMEO codes and kinds, places and their
precision, origins, sources, measures), the FIPS 10-4 conversion, the suspect
flag, idempotent re-imports, malformed rows, the import filters, the opt-in
fetch against a server on 127.0.0.1, and the imported events beside the
bundled article in the store, the export and the views.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import http.server
import io
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA

from dashboard import atlas as atlas_mod
from dashboard import filters, query
from dashboard.readers import corpus, fetch, gdelt
from dashboard.views import details as details_view
from dashboard.views import map as map_view
from dashboard.views import timeline as timeline_view

GDELT_FILE = "20250621120000.export.CSV"
KELLOGG = {
    "GLOBALEVENTID": 1230001, "SQLDATE": 20250621, "MonthYear": 202506, "Year": 2025, "FractionDate": 2025.4685,
    "Actor1Code": "USAGOV", "Actor1Name": "KEITH KELLOGG", "Actor1CountryCode": "USA", "Actor1Type1Code": "GOV",
    "Actor2Code": "BLRGOV", "Actor2Name": "ALEXANDER LUKASHENKO", "Actor2CountryCode": "BLR", "Actor2Type1Code": "GOV",
    "IsRootEvent": 1, "EventCode": "042", "EventBaseCode": "042", "EventRootCode": "04", "QuadClass": 1,
    "GoldsteinScale": 1.9, "NumMentions": 10, "NumSources": 2, "NumArticles": 10, "AvgTone": -2.5,
    "Actor1Geo_Type": 3, "Actor1Geo_FullName": "Washington, District of Columbia, United States",
    "Actor1Geo_CountryCode": "US", "Actor1Geo_ADM1Code": "USDC", "Actor1Geo_Lat": 38.8951, "Actor1Geo_Long": -77.0364,
    "Actor1Geo_FeatureID": "531871",
    "ActionGeo_Type": 4, "ActionGeo_FullName": "Minsk, Horad Minsk, Belarus", "ActionGeo_CountryCode": "BO",
    "ActionGeo_ADM1Code": "BO04", "ActionGeo_Lat": 53.9, "ActionGeo_Long": 27.5667, "ActionGeo_FeatureID": "-2960561",
    "DATEADDED": 20250621120000, "SOURCEURL": "https://news.example.org/kellogg-in-minsk",
}  # fmt: skip
RUSSIA = {
    "GLOBALEVENTID": 1230002, "SQLDATE": 20250622, "EventCode": "0353", "EventRootCode": "03", "Actor1Code": "RUS",
    "Actor1Name": "RUSSIA", "Actor1CountryCode": "RUS", "Actor2Code": "BLR", "Actor2Name": "BELARUS",
    "Actor2CountryCode": "BLR", "NumMentions": 3, "NumSources": 1, "NumArticles": 3, "GoldsteinScale": 5.2, "AvgTone": 1.25,
    "ActionGeo_Type": 1, "ActionGeo_FullName": "Russia", "ActionGeo_CountryCode": "RS", "ActionGeo_Lat": 60,
    "ActionGeo_Long": 100, "ActionGeo_FeatureID": "RS", "DATEADDED": 20250622000000, "SOURCEURL": "BBC Monitoring",
}  # fmt: skip
SURNAME_VILLAGE = {
    "GLOBALEVENTID": 1230003, "SQLDATE": 20250623, "EventCode": "111", "Actor1Code": "UKR", "Actor1Name": "UKRAINE",
    "Actor1CountryCode": "UKR", "Actor2Code": "USAGOV", "Actor2Name": "KEITH KELLOGG", "Actor2CountryCode": "USA",
    "ActionGeo_Type": 3, "ActionGeo_FullName": "Kellogg, Idaho, United States", "ActionGeo_CountryCode": "US",
    "ActionGeo_Lat": 47.5383, "ActionGeo_Long": -116.1357, "ActionGeo_FeatureID": "396818", "NumMentions": 1,
    "NumSources": 1, "NumArticles": 1, "GoldsteinScale": -2, "AvgTone": -4, "DATEADDED": 20250623000000,
    "SOURCEURL": "https://news.example.org/kellogg-criticised",
}  # fmt: skip
VILNIUS = {
    "GLOBALEVENTID": 1230004, "SQLDATE": 20250620, "EventCode": "0841", "Actor1Code": "BLRGOV", "Actor1Name": "BELARUS",
    "Actor1CountryCode": "BLR", "Actor2Code": "LTU", "Actor2Name": "LITHUANIA", "Actor2CountryCode": "LTU",
    "ActionGeo_Type": 4, "ActionGeo_FullName": "Vilnius, Vilniaus Apskritis, Lithuania", "ActionGeo_CountryCode": "LH",
    "ActionGeo_Lat": 54.6833, "ActionGeo_Long": 25.3167, "ActionGeo_FeatureID": "-2529157", "NumMentions": 4,
    "NumSources": 2, "NumArticles": 4, "GoldsteinScale": 4.4, "AvgTone": 0.5, "DATEADDED": 20250620000000,
    "SOURCEURL": "https://news.example.org/prisoners-freed",
}  # fmt: skip
KYIV_REGION = {
    "GLOBALEVENTID": 1230005, "SQLDATE": 20250619, "EventCode": "163", "Actor1Code": "EUR", "Actor1Name": "EUROPEAN UNION",
    "Actor2Code": "RUS", "Actor2Name": "RUSSIA", "Actor2CountryCode": "RUS", "ActionGeo_Type": 5,
    "ActionGeo_FullName": "Kyyivs'ka Oblast', Ukraine", "ActionGeo_CountryCode": "UP", "ActionGeo_ADM1Code": "UP13",
    "ActionGeo_Lat": 50.25, "ActionGeo_Long": 30.5, "ActionGeo_FeatureID": "UP13", "NumMentions": 7, "NumSources": 3,
    "NumArticles": 7, "GoldsteinScale": -8, "AvgTone": -6.1, "DATEADDED": 20250619000000,
    "SOURCEURL": "https://news.example.org/sanctions",
}  # fmt: skip
NO_ACTOR = {
    "GLOBALEVENTID": 1230006,
    "SQLDATE": 20250621,
    "EventCode": "010",
    "SOURCEURL": "https://x.example/",
}
MALFORMED = [
    ("SQLDATE", dict(KELLOGG, GLOBALEVENTID=1230101, SQLDATE=20251399), "'20251399' is not a date (YYYYMMDD)"),
    ("ActionGeo_Lat", dict(KELLOGG, GLOBALEVENTID=1230102, ActionGeo_Lat="53,9"), "'53,9' is not a number"),
    ("EventCode", dict(KELLOGG, GLOBALEVENTID=1230103, EventCode="X42"), "'X42' is not a CAMEO event code"),
    ("NumMentions", dict(KELLOGG, GLOBALEVENTID=1230104, NumMentions="ten"), "'ten' is not a number"),
]  # fmt: skip
GOOD = [KELLOGG, RUSSIA, SURNAME_VILLAGE, VILNIUS, KYIV_REGION]


def write_gdelt(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("".join(r if isinstance(r, str) else gdelt.row(**r) for r in rows), encoding="utf-8")
    return path


def gdelt_lines() -> list[dict | str]:
    """The documented row order: five good rows, one without actors, a short row and four malformed."""
    short = "\t".join(["1230100", "20250621"] * 30) + "\n"  # 60 columns
    return [*GOOD, NO_ACTOR, short, *(row for _, row, _ in MALFORMED)]


@pytest.fixture
def imported(tmp_path: Path, cli) -> tuple[Path, object]:
    """The bundled data with a GDELT file imported into it."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = write_gdelt(tmp_path / GDELT_FILE, gdelt_lines())
    return data, cli("import", "gdelt", str(src), "--out", str(data / "gdelt"))


def test_fips_codes_become_iso_codes() -> None:
    fips = gdelt.fips_to_iso3()
    assert (fips["BO"], fips["RS"], fips["LH"], fips["UP"]) == ("BLR", "RUS", "LTU", "UKR")
    assert (fips["US"], fips["UK"], fips["GM"]) == ("USA", "GBR", "DEU")  # FIPS differs from ISO alpha-2


def test_malformed_rows_are_named_and_skipped_and_the_rest_imports(imported) -> None:
    data, result = imported
    assert result.code == 0, result.err
    src = data.parent / GDELT_FILE  # as the command line named it
    lines = result.out.splitlines()
    first_bad = len(GOOD) + 2  # after the good rows and the row without actors
    assert lines[0] == f"{src}:{first_bad}: row: 60 columns, expected 61 (a GDELT 2.0 Events row)"
    for k, (fld, _, what) in enumerate(MALFORMED):
        assert f"{src}:{first_bad + 1 + k}: {fld}: {what}" in lines
    assert "5 new gdelt events from 11 rows" in result.out  # every line, the short one too
    assert "1 rows without an actor" in result.out
    assert "5 malformed rows skipped" in result.out


def test_imported_events_and_the_bundled_article_load_and_validate_together(imported, cli) -> None:
    data, _ = imported
    c = corpus.load(data)
    assert c.errors == []
    assert len(c.events) == 22 + len(GOOD)
    assert dict(c.events["dataset"].value_counts()) == {"curated": 22, "gdelt": 5}
    v = cli("validate", "--data", str(data))
    assert v.code == 0, v.out
    assert v.out.startswith("ok: 1 article")


def test_every_gdelt_mapping(imported) -> None:
    data, _ = imported
    c = corpus.load(data)
    ev = {r["id"]: r for r in corpus.records(c.events)}
    visit = ev["gdelt-1230001"]
    assert (visit["kind"], visit["cameo"], visit["dataset"], visit["coding"]) == (
        "visit",
        "042",
        "gdelt",
        "machine",
    )
    assert visit["external_id"] == "gdelt:1230001"
    assert (str(visit["start"].date()), str(visit["end"].date()), visit["precision"]) == (
        "2025-06-21",
    ) * 2 + ("day",)
    assert (visit["mentions"], visit["num_sources"], visit["num_articles"]) == (10, 2, 10)
    assert (visit["goldstein"], visit["tone"]) == (1.9, -2.5)
    # ActionGeo is the place, with GDELT's FeatureID kept; Actor1Geo, a different place, the origin.
    # GDELT's Minsk is the curated Minsk (the same name, within 10 km): the event is placed there.
    assert (visit["place"], c.same_places["gdelt-n2960561"]) == ("minsk", "minsk")
    minsk, washington = c.merged_places["gdelt-n2960561"], c.places[visit["origin"]]
    assert (minsk.name, minsk.kind, minsk.country, minsk.feature_id) == (
        "Minsk, Horad Minsk, Belarus", "city", "BLR", "-2960561")  # fmt: skip
    assert (minsk.lat, minsk.lon) == (53.9, 27.5667)
    assert "gdelt-n2960561" not in c.places
    assert (washington.country, visit["geo_precision"]) == ("USA", "city")
    assert visit["suspect"] is None
    # Actors: ids from CAMEO actor codes, the name seen, the country from the actor's country code.
    parts = c.participants[c.participants["event"] == "gdelt-1230001"]
    assert list(parts["actor"].astype(str)) == ["gdelt-usagov", "gdelt-blrgov"]
    gov = c.actors["gdelt-blrgov"]
    assert (gov.name, gov.country, gov.kind) == ("ALEXANDER LUKASHENKO", "BLR", "organization")
    assert gov.aliases == ["BELARUS"]  # another name for the same actor code, kept as an alias
    # RUS is a state: the curated Russia. EUR is no country: an actor of its own.
    assert (c.merged_actors["gdelt-rus"].kind, c.same_actors["gdelt-rus"]) == ("state", "russia")
    assert c.actors["gdelt-eur"].country is None
    # The full CAMEO code, with its leading zero, and the kinds the curated taxonomy lacked.
    assert (ev["gdelt-1230002"]["cameo"], ev["gdelt-1230002"]["kind"]) == ("0353", "intent")
    assert (ev["gdelt-1230004"]["kind"], ev["gdelt-1230005"]["kind"]) == ("release", "sanction")
    assert ev["gdelt-1230003"]["kind"] == "criticism"
    # Geo_Type: country, ADM1 region, city.
    assert c.places[ev["gdelt-1230002"]["place"]].kind == "country"
    kyiv_oblast = c.places[ev["gdelt-1230005"]["place"]]
    assert (kyiv_oblast.kind, kyiv_oblast.country, ev["gdelt-1230005"]["geo_precision"]) == (
        "region",
        "UKR",
        "region",
    )
    assert c.places[ev["gdelt-1230004"]["place"]].country == "LTU"
    # Sources: the report's URL, with the day GDELT added it; a source that is not a URL is its outlet.
    src = {r["event"]: r for r in corpus.records(c.sources)}
    assert (src["gdelt-1230001"]["url"], str(src["gdelt-1230001"]["date"].date())) == (
        "https://news.example.org/kellogg-in-minsk", "2025-06-21")  # fmt: skip
    assert (src["gdelt-1230002"]["url"], src["gdelt-1230002"]["outlet"]) == (None, "BBC Monitoring")


def test_suspect_places_say_why(imported) -> None:
    data, _ = imported
    c = corpus.load(data)
    ev = {r["id"]: r for r in corpus.records(c.events)}
    assert "only the country" in ev["gdelt-1230002"]["suspect"]
    village = ev["gdelt-1230003"]["suspect"]
    assert "'Kellogg'" in village
    assert "KEITH KELLOGG" in village
    assert ev["gdelt-1230004"]["suspect"] is None


def test_importing_twice_changes_nothing(imported, cli, tmp_path) -> None:
    data, _ = imported
    before = sorted((p.name, p.read_bytes()) for p in (data / "gdelt").iterdir())
    again = cli("import", "gdelt", str(tmp_path / GDELT_FILE), "--out", str(data / "gdelt"))
    assert again.code == 0
    assert "0 new gdelt events" in again.out
    assert "5 already imported" in again.out
    assert sorted((p.name, p.read_bytes()) for p in (data / "gdelt").iterdir()) == before
    # The same GLOBALEVENTID in another file (GDELT repeats events across updates) imports once.
    other = write_gdelt(
        tmp_path / "20250621121500.export.CSV", [KELLOGG, dict(VILNIUS, GLOBALEVENTID=1230200)]
    )
    third = cli("import", "gdelt", str(other), "--out", str(data / "gdelt"))
    assert "1 new gdelt events" in third.out
    assert "1 already imported" in third.out
    assert len(corpus.load(data).events) == 22 + len(GOOD) + 1


def test_a_zipped_file_imports_as_the_file_itself(tmp_path, cli) -> None:
    plain = write_gdelt(tmp_path / GDELT_FILE, GOOD)
    zipped = tmp_path / f"{GDELT_FILE}.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(plain, GDELT_FILE)
    a, b = tmp_path / "a", tmp_path / "b"
    assert cli("import", "gdelt", str(plain), "--out", str(a)).code == 0
    assert cli("import", "gdelt", str(zipped), "--out", str(b)).code == 0

    def events(folder: Path) -> list[dict]:
        return corpus.records(corpus.load(folder).events)

    assert events(a) == events(b)
    assert len(events(a)) == len(GOOD)


@pytest.mark.parametrize(
    ("args", "kept"),
    [
        (["--country", "LTU"], {1230004}),
        (["--country", "blr"], {1230001, 1230002, 1230004}),  # an actor's country, or the action's
        (["--country", "UKR"], {1230003, 1230005}),  # Kyiv oblast (FIPS UP) is the action's country
        (["--root", "4"], {1230001}),
        (["--root", "03", "--root", "16"], {1230002, 1230005}),
        (["--since", "2025-06-21", "--until", "2025-06-22"], {1230001, 1230002}),
    ],
)
def test_import_filters(tmp_path, cli, args, kept) -> None:
    src = write_gdelt(tmp_path / GDELT_FILE, GOOD)
    out = tmp_path / "out"
    r = cli("import", "gdelt", str(src), "--out", str(out), *args)
    assert r.code == 0, r.err
    assert f"{len(GOOD) - len(kept):,} filtered out" in r.out
    got = {int(x.split(":")[1]) for x in corpus.load(out).events["external_id"]}
    assert got == kept


def test_bad_filter_values_are_refused_before_anything_is_read(tmp_path, cli) -> None:
    src = write_gdelt(tmp_path / GDELT_FILE, GOOD)
    bad_country = cli("import", "gdelt", str(src), "--out", str(tmp_path / "o"), "--country", "XX1")
    assert bad_country.code == 2
    assert "ISO 3166-1 alpha-3" in bad_country.err
    bad_root = cli("import", "gdelt", str(src), "--out", str(tmp_path / "o"), "--root", "21")
    assert bad_root.code == 2
    assert not (tmp_path / "o").exists()


def test_export_carries_the_streams_fields_and_keeps_one_dataset(imported, cli) -> None:
    data, _ = imported
    r = cli("export", "--data", str(data), "--dataset", "gdelt")
    assert r.code == 0, r.err
    events = json.loads(r.out)["events"]
    assert {e["dataset"] for e in events} == {"gdelt"}
    assert len(events) == len(GOOD)
    intent = next(e for e in events if e["external_id"] == "gdelt:1230002")
    assert intent["cameo"] == "0353"  # a string, leading zero kept
    assert intent["coding"] == "machine"
    assert intent["measures"] == {
        "mentions": 3,
        "num_sources": 1,
        "num_articles": 3,
        "goldstein": 5.2,
        "tone": 1.25,
    }
    visit = next(e for e in events if e["external_id"] == "gdelt:1230001")
    assert visit["sources"] == [
        {"article": None, "start": None, "end": None, "quote": None,
         "url": "https://news.example.org/kellogg-in-minsk", "title": None, "outlet": None, "date": "2025-06-21"}
    ]  # fmt: skip
    assert visit["origin"]["name"].startswith("Washington")
    both = json.loads(cli("export", "--data", str(data)).out)["events"]
    assert {e["dataset"] for e in both} == {"curated", "gdelt"}
    rows = list(csv.DictReader(io.StringIO(cli("export", "--data", str(data), "--format", "csv").out)))
    by_id = {row["id"]: row for row in rows}
    assert by_id["gdelt-1230002"]["cameo"] == "0353"
    assert by_id["gdelt-1230001"]["article_url"] == "https://news.example.org/kellogg-in-minsk"
    assert (
        by_id["gdelt-1230001"]["sources"]
        == "news.example.org, 21 June 2025: https://news.example.org/kellogg-in-minsk"
    )
    assert "GDELT knows only the country" in by_id["gdelt-1230002"]["cautions"]
    assert by_id["gdelt-1230002"]["cautions"].startswith("single source; suspect place: ")
    geo = json.loads(cli("export", "--data", str(data), "--format", "geojson", "--dataset", "gdelt").out)
    assert {f["properties"]["coding"] for f in geo["features"]} == {"machine"}


def test_views_tell_machine_coded_and_suspect_apart(imported) -> None:
    data, _ = imported
    a = atlas_mod.open_atlas(data, "duckdb")
    assert a.datasets == ("curated", "gdelt")
    f = filters.Filters()
    n = query.count(a.engine, f)
    m = map_view.map_data(a, f, n)
    codings = set(m.points["coding"])
    assert codings == {"human", "machine"}
    village = m.points[m.points["name"].str.startswith("Kellogg")]
    assert len(village) == 1
    assert "KEITH KELLOGG" in village["suspect"].iloc[0]
    assert "suspect" in village["hover"].iloc[0]
    # Minsk: GDELT's Minsk is the curated one, one place; its curated events and GDELT's are two
    # marks there, filled and hollow.
    minsk = m.points[m.points["name"].str.startswith("Minsk")]
    assert (set(minsk["place"]), set(minsk["coding"])) == ({"minsk"}, {"human", "machine"})
    # A click on the hollow mark steps through the machine-coded events there only.
    assert map_view.step(a, f, (map_view.ANY, "minsk", map_view.ANY, "machine"), None) == "gdelt-1230001"
    t = timeline_view.timeline_data(a, f, 0)
    assert set(t.marks.loc[t.marks["event"].str.startswith("gdelt-"), "coding"]) == {"machine"}
    d = details_view.details(a, "gdelt-1230001")
    assert d.origin_line == "GDELT 2.0 · machine-coded · gdelt:1230001"
    assert d.cameo == "CAMEO 042 · Consult"
    assert "mentions 10" in d.measures
    assert d.quotes == []
    assert [x["url"] for x in d.links] == ["https://news.example.org/kellogg-in-minsk"]
    curated = details_view.details(a, "kellogg-visits-belarus-2025")
    assert curated.origin_line.startswith("Curated")
    assert curated.links == []
    only = filters.Filters.of(datasets=["curated"])
    assert query.count(a.engine, only) == 22


def test_the_dataset_filter_reads_from_a_link(imported) -> None:
    data, _ = imported
    a = atlas_mod.open_atlas(data, "duckdb")
    f, notices = filters.from_query(a, {"dataset": "gdelt,wire"})
    assert f.datasets == frozenset({"gdelt"})
    assert notices == ["Ignored dataset 'wire': use curated, gdelt or acled"]
    assert filters.to_query(f) == {"dataset": ["gdelt"]}


# --- ACLED ---------------------------------------------------------------------------------------

ACLED_HEADER = (
    "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,"
    "assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,"
    "admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,"
    "tags,timestamp"
)
ACLED_ROWS = [
    ["UKR123", "2025-06-21", "2025", "1", "Political violence", "Explosions/Remote violence", "Air/drone strike",
     "Military Forces of Russia (2000-)", "", "8", "Civilians (Ukraine)", "", "7", "78", "Civilian targeting",
     "804", "Europe", "Ukraine", "Kyiv", "Kyiv", "", "Kyiv", "50.4501", "30.5234", "1", "Ukrainska Pravda",
     "National", "On 21 June 2025, Russian forces struck Kyiv with drones, the city administration said.", "2",
     "", "1750636800"],
    ["BLR9", "21 June 2025", "2025", "2", "Demonstrations", "Protests", "Peaceful protest", "Protesters (Belarus)",
     "", "6", "", "", "0", "60", "", "112", "Europe", "Belarus", "Minsk", "", "", "Minsk", "53.9", "27.5667",
     "3", "Nasha Niva", "National", "Around 21 June, people rallied in Minsk.", "0", "", ""],
    ["RUS7", "2025-06-14", "2025", "3", "Strategic developments", "Strategic developments", "Arrests",
     "Police Forces of Russia (2000-)", "", "1", "Civilians (Russia)", "", "7", "17", "", "643", "Europe",
     "Russia", "Moscow", "", "", "Moscow", "55.7522", "37.6156", "2", "Meduza", "National",
     "In June 2025, police detained <b>activists</b> in Moscow.", "", "", ""],
    ["BAD1", "2025-13-01", "2025", "1", "", "Protests", "Peaceful protest", "Protesters (Belarus)", "", "6", "",
     "", "0", "60", "", "112", "Europe", "Belarus", "Minsk", "", "", "Minsk", "53.9", "27.5667", "1", "X",
     "National", "notes", "0", "", ""],
    ["BAD2", "2025-06-01", "2025", "1", "", "Protests", "Peaceful protest", "Protesters (Belarus)", "", "6", "",
     "", "0", "60", "", "112", "Europe", "Belarus", "Minsk", "", "", "Minsk", "north", "27.5667", "1", "X",
     "National", "notes", "0", "", ""],
]  # fmt: skip


@pytest.fixture
def acled_data(tmp_path: Path, cli) -> tuple[Path, object]:
    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = tmp_path / "acled-belarus-ukraine.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ACLED_HEADER.split(","))
    w.writerows(ACLED_ROWS)
    src.write_text(buf.getvalue(), encoding="utf-8")
    return data, cli("import", "acled", str(src), "--out", str(data / "acled"))


def test_acled_rows_map_and_malformed_ones_are_named(acled_data) -> None:
    data, result = acled_data
    assert result.code == 0, result.err
    assert "acled-belarus-ukraine.csv:5: event_date: '2025-13-01' is not a date" in result.out
    assert "acled-belarus-ukraine.csv:6: latitude: 'north' is not a number (a plain decimal)" in result.out
    assert "3 new acled events from 5 rows" in result.out
    c = corpus.load(data)
    assert c.errors == []
    ev = {r["id"]: r for r in corpus.records(c.events)}
    strike = ev["acled-ukr123"]
    assert (strike["kind"], strike["cameo"], strike["dataset"], strike["coding"]) == (
        "use_of_force", "195", "acled", "human")  # fmt: skip
    assert (strike["external_id"], strike["fatalities"], strike["geo_precision"]) == (
        "acled:UKR123",
        2,
        "city",
    )
    assert strike["attribution"] == "ACLED, citing Ukrainska Pravda"
    # The notes are the text the event cites: the span covers all of it.
    src = c.sources[c.sources["event"] == "acled-ukr123"].iloc[0]
    text = c.texts[src["article"]]
    assert text.startswith("On 21 June 2025, Russian forces struck Kyiv")
    assert (src["start"], src["end"]) == (0, len(text))
    # Time precision 2: the week around the date; 3: the month. Geo precision 3: the region.
    protest = ev["acled-blr9"]
    assert (str(protest["start"].date()), str(protest["end"].date()), protest["kind"]) == (
        "2025-06-18", "2025-06-24", "protest")  # fmt: skip
    assert protest["geo_precision"] == "region"
    arrests = ev["acled-rus7"]
    assert (arrests["precision"], str(arrests["start"].date()), str(arrests["end"].date())) == (
        "month", "2025-06-01", "2025-06-30")  # fmt: skip
    assert (arrests["kind"], arrests["cameo"], arrests["fatalities"]) == ("coercion", "173", None)
    assert "near this place" in arrests["note"]
    assert c.places[arrests["place"]].country == "RUS"


def test_acled_notes_are_escaped_once_in_the_reading_pane(acled_data) -> None:
    from dashboard.ui.html import article_html  # noqa: PLC0415
    from dashboard.views import article as article_view  # noqa: PLC0415

    data, _ = acled_data
    a = atlas_mod.open_atlas(data, "duckdb")
    html = article_html(article_view.article_text(a, filters.Filters(event="acled-rus7"), "acled-rus7"))
    assert "&lt;b&gt;activists&lt;/b&gt;" in html
    assert "<b>activists" not in html


def test_acled_import_twice_changes_nothing(acled_data, cli, tmp_path) -> None:
    data, _ = acled_data
    again = cli("import", "acled", str(tmp_path / "acled-belarus-ukraine.csv"), "--out", str(data / "acled"))
    assert "0 new acled events" in again.out
    assert "3 already imported" in again.out


# --- --online, against a GDELT-shaped server on 127.0.0.1 ------------------------------------------


@pytest.fixture
def gdelt_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """A file list and two zipped export files, served on a free loopback port, which the setting
    allows (and the `cli` processes inherit); yields the list's URL."""
    root = tmp_path / "www"
    root.mkdir()
    listing = []
    for stamp, row in (("20250621120000", KELLOGG), ("20250621121500", VILNIUS), ("20250621113000", RUSSIA)):
        name = f"{stamp}.export.CSV"
        csv_path = write_gdelt(tmp_path / name, [row])
        with zipfile.ZipFile(root / f"{name}.zip", "w") as z:
            z.write(csv_path, name)
        blob = (root / f"{name}.zip").read_bytes()
        listing.append(f"{len(blob)} {hashlib.md5(blob).hexdigest()} http://127.0.0.1:{{port}}/{name}.zip")  # noqa: S324
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    port = httpd.server_address[1]
    monkeypatch.setenv(fetch.HOSTS_SETTING, f"http://127.0.0.1:{port}")
    (root / "masterfilelist.txt").write_text("\n".join(x.format(port=port) for x in listing) + "\n")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/masterfilelist.txt", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_online_fetches_the_newest_files_once_and_resumes(gdelt_server, tmp_path, cli) -> None:
    url, requests = gdelt_server
    out = tmp_path / "out"
    r = cli("import", "gdelt", "--online", "2", "--list-url", url, "--out", str(out))
    assert r.code == 0, r.err
    assert "fetched 20250621120000.export.CSV.zip" in r.err
    assert "fetched 20250621121500.export.CSV.zip" in r.err
    assert "20250621113000" not in r.err  # the oldest of three is not among the newest two
    assert "2 new gdelt events" in r.out
    fetched = [p for p in requests if p.endswith(".zip")]
    assert len(fetched) == 2
    # Again: both files are complete on disk (size and MD5), so nothing but the list is fetched.
    r2 = cli("import", "gdelt", "--online", "2", "--list-url", url, "--out", str(out))
    assert "have 20250621121500.export.CSV.zip" in r2.err
    assert [p for p in requests if p.endswith(".zip")] == fetched
    assert "0 new gdelt events" in r2.out


def test_online_without_a_network_says_so_and_exits_cleanly(tmp_path, cli, monkeypatch) -> None:
    from browser import free_port  # noqa: PLC0415

    port = free_port()
    monkeypatch.setenv(fetch.HOSTS_SETTING, f"http://127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/masterfilelist.txt"  # nothing listens there
    r = cli("import", "gdelt", "--online", "3", "--list-url", url, "--out", str(tmp_path / "out"))
    assert r.code == 3
    assert r.err.startswith(f"error: cannot fetch {url}")
    assert "Nothing was imported" in r.err
    assert not list((tmp_path / "out").glob("*.parquet"))


def test_a_fips_code_no_iso_country_has_keeps_the_event_without_a_place(tmp_path, cli) -> None:
    # GeoNames gives Kosovo (FIPS KV) the user-assigned XKX, which ISO does not assign.
    pristina = {**KELLOGG, "GLOBALEVENTID": 1230300, "ActionGeo_CountryCode": "KV",
                "ActionGeo_FullName": "Pristina, Kosovo", "ActionGeo_FeatureID": "-786714"}  # fmt: skip
    src = write_gdelt(tmp_path / GDELT_FILE, [pristina])
    out = tmp_path / "data"
    r = cli("import", "gdelt", str(src), "--out", str(out))
    assert (
        f"{GDELT_FILE}:1: ActionGeo_CountryCode: FIPS 10-4 code 'KV' names no ISO 3166-1 country; "
        "the event is kept without a place"
    ) in r.out
    c = corpus.load(out)
    assert c.errors == []
    assert corpus.records(c.events)[0]["place"] is None
    assert cli("validate", "--data", str(out)).code == 0
