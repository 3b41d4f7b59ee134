"""Stories: GDELT records grouped into the events they report, and tied to the curated events.

The GDELT rows are written here in the published 61-column TAB layout
(`gdelt.row`, the codebook's column order), from the documented format: one
article giving Belarus–Russia "consult" (030) four times, both actor orders and
two mention counts; Belarus–Russia diplomatic cooperation (05) from the same
article; Belarus–Lithuania 112 at Minsk and at the country "Lithuania"; UK–Saudi
042 and 043 in both orders at Riyadh and at "United Kingdom". They are
imported beside the bundled article, whose Kellogg–Lukashenko meeting in Minsk
(21 June 2025) one GDELT record corroborates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import DATA
from test_query import spark_available

from dashboard import engines, export, filters, query, sqlbuild, store, stories, stories_query
from dashboard.engines import spark
from dashboard.readers import corpus, gdelt

BELSAT = "https://belsat.example/en/news/24-10-2019-belarus-russia-talks/"
FLTIMES = "https://fltimes.example/uk-saudi-visit"
DAY = 20191024
MINSK = {"ActionGeo_Type": 4, "ActionGeo_FullName": "Minsk, Horad Minsk, Belarus", "ActionGeo_CountryCode": "BO",
         "ActionGeo_Lat": 53.9, "ActionGeo_Long": 27.5667, "ActionGeo_FeatureID": "-2960561"}  # fmt: skip
VLADIVOSTOK = {"ActionGeo_Type": 4, "ActionGeo_FullName": "Vladivostok, Primorskiy Kray, Russia",
               "ActionGeo_CountryCode": "RS", "ActionGeo_Lat": 43.1056, "ActionGeo_Long": 131.874,
               "ActionGeo_FeatureID": "-2992"}  # fmt: skip
LITHUANIA = {"ActionGeo_Type": 1, "ActionGeo_FullName": "Lithuania", "ActionGeo_CountryCode": "LH",
             "ActionGeo_Lat": 56, "ActionGeo_Long": 24, "ActionGeo_FeatureID": "LH"}  # fmt: skip
RIYADH = {"ActionGeo_Type": 4, "ActionGeo_FullName": "Riyadh, Ar Riyad, Saudi Arabia", "ActionGeo_CountryCode": "SA",
          "ActionGeo_Lat": 24.6408, "ActionGeo_Long": 46.7728, "ActionGeo_FeatureID": "-3092186"}  # fmt: skip
UK = {"ActionGeo_Type": 1, "ActionGeo_FullName": "United Kingdom", "ActionGeo_CountryCode": "UK",
      "ActionGeo_Lat": 54, "ActionGeo_Long": -2, "ActionGeo_FeatureID": "UK"}  # fmt: skip
ACTORS = {
    "BLR": {"Name": "BELARUS", "CountryCode": "BLR"},
    "RUS": {"Name": "RUSSIA", "CountryCode": "RUS"},
    "LTU": {"Name": "LITHUANIA", "CountryCode": "LTU"},
    "GBR": {"Name": "UNITED KINGDOM", "CountryCode": "GBR"},
    "SAU": {"Name": "SAUDI ARABIA", "CountryCode": "SAU"},
    "USAGOV": {"Name": "KEITH KELLOGG", "CountryCode": "USA", "Type1Code": "GOV"},
    "BLRGOV": {"Name": "ALEXANDER LUKASHENKO", "CountryCode": "BLR", "Type1Code": "GOV"},
}


def record(gid: int, a1: str, a2: str, code: str, place: dict, url: str, day: int = DAY, mentions: int = 10,
           tone: float = -2.0, goldstein: float = 1.0) -> dict:  # fmt: skip
    """One GDELT 2.0 Events row, as the codebook names its columns."""
    row = {"GLOBALEVENTID": gid, "SQLDATE": day, "MonthYear": day // 100, "Year": day // 10000,
           "FractionDate": day // 10000 + 0.5, "IsRootEvent": 1, "EventCode": code, "EventBaseCode": code[:3],
           "EventRootCode": code[:2], "QuadClass": 1, "GoldsteinScale": goldstein, "NumMentions": mentions,
           "NumSources": 1, "NumArticles": mentions, "AvgTone": tone, "DATEADDED": day * 1000000 + 120000,
           "SOURCEURL": url, **place}  # fmt: skip
    for k, code_ in (("1", a1), ("2", a2)):
        row[f"Actor{k}Code"] = code_
        row.update({f"Actor{k}{f}": v for f, v in ACTORS[code_].items()})
    return row


ROWS = [
    # belsat: Belarus–Russia consult (030), both orders, two mention counts: one story
    record(1001, "BLR", "RUS", "030", MINSK, BELSAT, mentions=10, tone=-1.0),
    record(1002, "RUS", "BLR", "030", MINSK, BELSAT, mentions=10, tone=-1.0),
    record(1003, "BLR", "RUS", "030", MINSK, BELSAT, mentions=2, tone=-4.0),
    record(1004, "RUS", "BLR", "030", MINSK, BELSAT, mentions=2, tone=-4.0),
    # the same article's diplomatic cooperation (05): another root, another story
    record(1005, "BLR", "RUS", "050", MINSK, BELSAT),
    record(1006, "RUS", "BLR", "051", MINSK, BELSAT),
    # Belarus–Lithuania 112 at Minsk and at the country: one story
    record(1007, "BLR", "LTU", "112", MINSK, BELSAT),
    record(1008, "BLR", "LTU", "112", LITHUANIA, BELSAT),
    # fltimes: UK–Saudi 042 and 043, both orders, at Riyadh and at the country: one story of root 04
    record(1009, "GBR", "SAU", "042", RIYADH, FLTIMES, mentions=4, goldstein=1.9),
    record(1010, "SAU", "GBR", "043", UK, FLTIMES, mentions=1, goldstein=2.8),
    # another outlet the next day at Minsk: within a day of the belsat consult, so the same story
    record(1011, "RUS", "BLR", "036", MINSK, "https://news.example.org/next-day", day=20191025, mentions=6),
    # two days after that: too late to chain
    record(1012, "BLR", "RUS", "030", MINSK, "https://news.example.org/later", day=20191027),
    # the same day and pair, 6,600 km away, another article: too far
    record(1013, "BLR", "RUS", "030", VLADIVOSTOK, "https://news.example.org/far"),
    # Kellogg meets Lukashenko in Minsk on 21 June 2025: the bundled article's meeting, corroborated
    record(1014, "USAGOV", "BLRGOV", "042", MINSK, "https://news.example.org/kellogg", day=20250621),
]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data folder with the GDELT rows above imported into it."""
    root = tmp_path_factory.mktemp("stories")
    data = root / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    src = root / "20191024120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in ROWS), encoding="utf-8")
    report, _ = gdelt.import_files([src], data / "gdelt", gdelt.Options())
    assert (report.imported, report.malformed) == (len(ROWS), 0), report.problems
    return data


@pytest.fixture(scope="module")
def built(data: Path) -> store.Store:
    return store.build(corpus.load(data))


def table(s: store.Store, name: str) -> list[dict]:
    return pq.read_table(s.table(name)).to_pylist()


def groups(s: store.Store) -> set[frozenset[int]]:
    by: dict[str, set[int]] = {}
    for r in table(s, "story_events"):
        by.setdefault(r["story"], set()).add(int(r["event"].removeprefix("gdelt-")))
    return {frozenset(g) for g in by.values()}


def test_records_group_into_the_stories_they_report(built) -> None:
    assert groups(built) == {
        frozenset({1001, 1002, 1003, 1004, 1011}),  # one article's consult, and the next day's
        frozenset({1005, 1006}),  # diplomatic cooperation: another root
        frozenset({1007, 1008}),  # Minsk and "Lithuania": the country level joins
        frozenset({1009, 1010}),  # 042 and 043, both orders, Riyadh and "United Kingdom"
        frozenset({1012}),  # two days after the last: not within a day
        frozenset({1013}),  # Vladivostok: beyond 50 km
        frozenset({1014}),
    }


def test_a_story_carries_its_records_links_place_and_combined_measures(built) -> None:
    stories = {s["id"]: s for s in table(built, "stories")}
    consult = stories["story-gdelt-1001"]  # the smallest event id names the story
    assert (consult["records"], consult["urls"], consult["outlets"]) == (5, 2, 2)
    assert (str(consult["first"]), str(consult["last"])) == ("2019-10-24", "2019-10-25")
    assert (consult["root"], consult["country1"], consult["country2"]) == ("03", "BLR", "RUS")
    assert (consult["mentions"], consult["num_sources"], consult["num_articles"]) == (30, 5, 30)
    # tone weighted by mentions: (10·-1 + 10·-1 + 2·-4 + 2·-4 + 6·-2) / 30
    assert consult["tone"] == pytest.approx(-1.6)
    uk = stories["story-gdelt-1009"]
    assert uk["goldstein"] == pytest.approx((4 * 1.9 + 1 * 2.8) / 5)
    assert uk["place"] == "gdelt-n3092186"  # Riyadh, a city, over the country "United Kingdom"
    assert (
        stories["story-gdelt-1007"]["place"] == "minsk"
    )  # GDELT's Minsk is the curated Minsk (one place), chosen over "Lithuania"


def test_the_gdelt_meeting_corroborates_the_curated_meeting(built) -> None:
    links = {(r["event"], r["story"]) for r in table(built, "corroboration")}
    assert ("kellogg-meets-lukashenko", "story-gdelt-1014") in links  # at the palace, inside Minsk
    assert ("kellogg-visits-belarus-2025", "story-gdelt-1014") in links
    assert {story for _, story in links} == {"story-gdelt-1014"}
    stories = {s["id"]: s for s in table(built, "stories")}
    assert stories["story-gdelt-1014"]["curated"] == len(links)
    assert stories["story-gdelt-1001"]["curated"] == 0


def test_spark_builds_the_same_stories_as_duckdb(built, tmp_path) -> None:
    spark_available()
    for name in store.TABLES:  # the store's tables as DuckDB wrote them; the stories again on Spark
        shutil.copy(built.table(name), tmp_path / f"{name}.parquet")
    stories.build(tmp_path, spark.aggregates_runner()(tmp_path))
    for name in stories.NAMES:
        want, got = pq.read_table(built.table(name)), pq.read_table(tmp_path / f"{name}.parquet")
        assert want.num_rows > 0, name
        assert got.equals(want), name


# --- corroboration, case by case, on tables written here ------------------------------------------

PLACES = {
    "minsk": ("city", "BLR", 53.9, 27.5667),
    "palace": ("site", "BLR", 53.9045, 27.5615),
    "vladivostok": ("city", "RUS", 43.1056, 131.874),
    "belarus": ("country", "BLR", 53.0, 28.0),
    "russia": ("country", "RUS", 60.0, 100.0),
}
ACTOR_COUNTRY = {"kellogg": "USA", "lukashenko": "BLR", "gdelt-usagov": "USA", "gdelt-blrgov": "BLR",
                 "gdelt-rus": "RUS"}  # fmt: skip
CURATED = {"precision": "day", "start": "2025-06-21", "end": "2025-06-21", "cameo": "040", "place": "palace"}
MACHINE = {
    "start": "2025-06-21",
    "cameo": "042",
    "place": "minsk",
    "actors": ("gdelt-usagov", "gdelt-blrgov"),
}


def corroborated(tmp_path: Path, curated: dict, machine: dict) -> bool:
    """Whether a curated event of Kellogg and Lukashenko and one machine record are linked."""

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    events = [
        {"id": "met", "dataset": "curated", "coding": "human", "cameo": curated["cameo"],
         "precision": curated["precision"], "start": day(curated["start"]), "end": day(curated["end"]),
         "place": curated["place"]},
        {"id": "gdelt-1", "dataset": "gdelt", "coding": "machine", "cameo": machine["cameo"], "precision": "day",
         "start": day(machine["start"]), "end": day(machine["start"]), "place": machine["place"], "mentions": 3},
    ]  # fmt: skip
    parts = [{"event": "met", "actor": "kellogg"}, {"event": "met", "actor": "lukashenko"}]
    parts += [{"event": "gdelt-1", "actor": a} for a in machine["actors"]]
    rows = {
        "events": events,
        "participants": parts,
        "actors": [{"id": a, "kind": "state", "country": c} for a, c in ACTOR_COUNTRY.items()],
        "places": [
            {"id": p, "kind": k, "country": c, "lat": y, "lon": x} for p, (k, c, y, x) in PLACES.items()
        ],
        "sources": [{"event": "gdelt-1", "url": "https://news.example.org/a"}],
    }
    write(tmp_path, rows)
    stories.build(tmp_path)
    return pq.read_table(tmp_path / "corroboration.parquet").num_rows == 1


def write(folder: Path, rows: dict[str, list[dict]]) -> None:
    """The store's tables from rows (a missing column is null), as Parquet in `folder`."""
    for name, rs in rows.items():
        sch = store.SCHEMAS[name]
        cols = {f.name: pa.array([r.get(f.name) for r in rs], f.type) for f in sch}
        pq.write_table(pa.table(cols, schema=sch), folder / f"{name}.parquet")


def stories_of(
    tmp_path: Path, records: list[tuple], sources: list[dict], base: Path | None = None
) -> dict[str, set[str]]:
    """The stories of machine records (id, place, actors[, day of June 2025]) of CAMEO 042: story -> ids.
    `base`: a folder built before, of the first of these records (an append)."""
    events = [
        {"ord": i, "id": r[0], "dataset": "gdelt", "coding": "machine", "cameo": "042", "precision": "day",
         "start": dt.date(2025, 6, r[3] if len(r) > 3 else 21), "end": dt.date(2025, 6, r[3] if len(r) > 3 else 21),
         "place": r[1]}
        for i, r in enumerate(records)
    ]  # fmt: skip
    places = {**PLACES, "berlin": ("city", "DEU", 52.52, 13.405)}  # 950 km from Minsk
    write(
        tmp_path,
        {
            "events": events,
            "participants": [{"event": r[0], "actor": a} for r in records for a in r[2]],
            "actors": [{"id": a, "kind": "state", "country": c} for a, c in ACTOR_COUNTRY.items()],
            "places": [
                {"id": p, "kind": k, "country": c, "lat": y, "lon": x} for p, (k, c, y, x) in places.items()
            ],
            "sources": sources,
        },
    )
    stories.build(tmp_path, base=base)
    out: dict[str, set[str]] = {}
    for r in pq.read_table(tmp_path / "story_events.parquet").to_pylist():
        out.setdefault(r["story"], set()).add(r["event"])
    return out


def test_a_placeless_record_does_not_bridge_distant_places(tmp_path) -> None:
    pair, other = ("gdelt-usagov", "gdelt-blrgov"), ("gdelt-rus", "gdelt-blrgov")
    got = stories_of(
        tmp_path,
        [
            # Minsk and Berlin, 950 km apart, and a record at country level matching both
            ("m", "minsk", pair), ("b", "berlin", pair), ("c", "belarus", pair), ("n", None, pair),
            # another pair: Minsk and the palace inside it, 0.6 km apart, and a record with no place
            ("m2", "minsk", other), ("p2", "palace", other), ("n2", None, other),
        ],
        [],
    )  # fmt: skip
    groups = {frozenset(g) for g in got.values()}
    # The placeless records of the first pair match places 950 km apart: they join neither story
    # (they are one story of their own); the second pair's matches are one place: it joins them.
    assert groups == {
        frozenset({"m"}),
        frozenset({"b"}),
        frozenset({"c", "n"}),
        frozenset({"m2", "p2", "n2"}),
    }


def test_an_append_finds_the_distant_places_a_placeless_record_already_matched(tmp_path) -> None:
    # Minsk and Berlin on the 20th, a record at country level on the 21st matching both: three
    # stories. Appended, a record on the 22nd at Minsk matches only the placeless one, whose other
    # matches lie in stories the new day cannot reach: it must still not join them.
    pair = ("gdelt-usagov", "gdelt-blrgov")
    first = [("m", "minsk", pair, 20), ("b", "berlin", pair, 20), ("c", "belarus", pair, 21)]
    then = [*first, ("n", "minsk", pair, 22)]
    (tmp_path / "base").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "whole").mkdir()
    stories_of(tmp_path / "base", first, [])
    whole = stories_of(tmp_path / "whole", then, [])
    assert {frozenset(g) for g in whole.values()} == {frozenset(x) for x in ("m", "b", "c", "n")}
    assert stories_of(tmp_path / "new", then, [], base=tmp_path / "base") == whole
    for name in stories.NAMES:
        want, got = (pq.read_table(tmp_path / d / f"{name}.parquet") for d in ("whole", "new"))
        assert got.equals(want), name


def test_outlets_are_named_outlets_and_the_hosts_of_http_links(tmp_path) -> None:
    pair = ("gdelt-usagov", "gdelt-blrgov")
    sources = [
        {"event": "a", "url": "https://WWW.Belsat.Example/en/1"},  # the host, lower case, without www.
        {"event": "a", "url": "http://belsat.example/en/2"},  # the same outlet
        {"event": "b", "url": "ftp://files.example.net/x"},  # a link, but no web page: no outlet
        {"event": "b", "outlet": "Reuters"},  # an ACLED source: an outlet by its name
        {"event": "c", "outlet": "BBC Monitoring"},  # a GDELT SOURCEURL that is no link: a name
        {"event": "c", "outlet": "GDELT"},  # GDELT's placeholder for an empty SOURCEURL: none
        {"event": "c", "outlet": "ACLED"},  # ACLED's, for a record naming no source: none
        {"event": "c", "url": "https://belsat.example:x@evil.example/p"},  # a user name is not the host
    ]
    got = stories_of(tmp_path, [(r, "minsk", pair) for r in "abc"], sources)
    assert list(got.values()) == [{"a", "b", "c"}]
    story = pq.read_table(tmp_path / "stories.parquet").to_pylist()[0]
    assert (story["outlets"], story["urls"]) == (4, 4)
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    con.read_parquet(str(tmp_path / "sources.parquet")).create_view("sources")
    named = con.sql(f"SELECT DISTINCT {stories.outlet_sql('s')} AS o FROM sources AS s").fetchall()  # noqa: S608
    assert {o for (o,) in named} == {"belsat.example", "Reuters", "BBC Monitoring", "evil.example", None}


# A link → its outlet: the host, or none when no host can be read from it.
LINK_OUTLETS = [
    ("https://WWW.Belsat.Example/en/1", "belsat.example"),
    ("http://[::1]/page", "[::1]"),  # an IPv6 address is a host
    ("http://[::1", None),  # no closing bracket: no host, not "["
    ("http://[/x", None),
    ("https://news.example.org:8443/a", "news.example.org"),
    ("https://x@", None),
    ("https://belsat.example:x@evil.example/p", "evil.example"),
]


@pytest.mark.parametrize(("url", "outlet"), LINK_OUTLETS)
def test_a_link_whose_host_cannot_be_read_has_no_outlet(url, outlet) -> None:
    import duckdb  # noqa: PLC0415

    con = duckdb.connect()
    con.execute("CREATE TABLE sources AS SELECT ?::VARCHAR AS url, NULL::VARCHAR AS outlet", [url])
    assert con.sql(f"SELECT {stories.outlet_sql('s')} FROM sources AS s").fetchall() == [(outlet,)]  # noqa: S608
    assert (export._host(url) is None) == (outlet is None)  # the export's publisher: the same host, or none


CASES = {
    "match": ({}, {}, True),
    "wrong day": ({}, {"start": "2025-06-23"}, False),
    "the next day is another day": ({}, {"start": "2025-06-22"}, False),
    "a day in the curated month": (
        {"precision": "month", "start": "2025-06-01", "end": "2025-06-30"},
        {"start": "2025-06-23"},
        True,
    ),
    "the next month is another month": (
        {"precision": "month", "start": "2025-06-01", "end": "2025-06-30"},
        {"start": "2025-07-01"},
        False,
    ),
    "a day late in the curated year": (
        {"precision": "year", "start": "2025-01-01", "end": "2025-12-31"},
        {"start": "2025-11-30"},
        True,
    ),
    "the year before the curated year": (
        {"precision": "year", "start": "2025-01-01", "end": "2025-12-31"},
        {"start": "2024-12-31"},
        False,
    ),
    "undated curated event": ({"precision": "unknown", "start": None, "end": None}, {}, False),
    "wrong pair": ({}, {"actors": ("gdelt-usagov", "gdelt-rus")}, False),
    "pair in either order": ({}, {"actors": ("gdelt-blrgov", "gdelt-usagov")}, True),
    "one actor, one of the countries": ({}, {"actors": ("gdelt-blrgov",)}, True),
    "one actor, another country": ({}, {"actors": ("gdelt-rus",)}, False),
    "wrong root": ({}, {"cameo": "111"}, False),
    "too far": ({}, {"place": "vladivostok"}, False),
    "country level, same country": ({}, {"place": "belarus"}, True),
    "country level, another country": ({}, {"place": "russia"}, False),
    "no place": ({}, {"place": None}, True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_corroboration_case_by_case(tmp_path, case) -> None:
    cur, mach, linked = CASES[case]
    assert corroborated(tmp_path, {**CURATED, **cur}, {**MACHINE, **mach}) is linked


# --- the queries the views use, the filter, the exports --------------------------------------------


@pytest.fixture(scope="module")
def eng(built):
    return engines.open(built, "duckdb")


def test_the_story_of_an_event_lists_its_records_and_outlets(eng) -> None:
    sid = stories_query.story_of(eng, "gdelt-1003")
    assert sid == "story-gdelt-1001"
    assert stories_query.story_of(eng, "kellogg-meets-lukashenko") is None  # curated: no story
    assert stories_query.story(eng, sid)["records"] == 5
    recs = stories_query.story_records(eng, sid)
    assert [r["id"] for r in recs] == ["gdelt-1001", "gdelt-1002", "gdelt-1003", "gdelt-1004", "gdelt-1011"]
    assert {r["outlet"] for r in recs} == {"belsat.example", "news.example.org"}
    links = stories_query.story_links(eng, sid)
    assert links[0] == {"url": BELSAT, "outlet": "belsat.example", "records": 4}  # the most cited first
    assert len(links) == 2


def test_a_curated_event_and_its_story_name_each_other(eng) -> None:
    card = stories_query.corroborating(eng, "kellogg-meets-lukashenko")
    assert [s["id"] for s in card["stories"]] == ["story-gdelt-1014"]
    assert (card["records"], card["outlets"]) == (
        1,
        1,
    )  # "corroborated by 1 machine-coded report from 1 outlet"
    assert card["links"][0]["url"] == "https://news.example.org/kellogg"
    named = [e["id"] for e in stories_query.corroborated_by(eng, "story-gdelt-1014")]
    assert "kellogg-meets-lukashenko" in named
    assert stories_query.corroborating(eng, "state-media-show-handshake")["stories"] == []
    assert stories_query.corroborated_by(eng, "story-gdelt-1001") == []


def test_the_summary_counts_stories_and_records_for_the_filters(eng) -> None:
    assert stories_query.story_count(eng, filters.Filters()) == {"stories": 7, "records": 14, "heads": 7}
    in_2019 = filters.Filters.of(start="2019-10-24", end="2019-10-24")
    assert stories_query.story_count(eng, in_2019) == {
        "stories": 5,
        "records": 11,
        "heads": 5,  # every story of the 24th starts on the 24th
    }  # not the 25th, 27th, 2025


@pytest.mark.parametrize(
    ("side", "has", "lacks"),
    [
        (
            "corroborated",
            {"kellogg-meets-lukashenko", "gdelt-1014"},
            {"gdelt-1001", "state-media-show-handshake"},
        ),
        ("curated", {"state-media-show-handshake"}, {"kellogg-meets-lukashenko", "gdelt-1014", "gdelt-1001"}),
        ("machine", {"gdelt-1001", "gdelt-1013"}, {"gdelt-1014", "kellogg-meets-lukashenko"}),
    ],
)
def test_the_corroboration_filter_keeps_one_side_of_the_tie(data, eng, side, has, lacks) -> None:
    c = corpus.load(data)
    f, notices = filters.from_query(c, {"corroboration": [side]})
    assert notices == []
    assert filters.to_query(f) == {"corroboration": [side]}
    kept = set(query.event_ids(eng, f))
    assert has <= kept
    assert not (lacks & kept)
    assert query.count(eng, f) == len(kept)


def test_a_bad_corroboration_value_is_a_notice_not_a_crash(data) -> None:
    f, notices = filters.from_query(corpus.load(data), {"corroboration": ["<script>"]})
    assert f.corroboration is None
    assert notices == ["Ignored corroboration '<script>': use corroborated, curated or machine"]


def test_every_export_format_carries_story_and_corroborated_by(eng) -> None:
    recs = export.export_records(eng, filters.Filters())
    by = {r["id"]: r for r in recs}
    assert by["gdelt-1002"]["story"] == "story-gdelt-1001"
    assert by["gdelt-1002"]["trust"] == "machine"
    assert by["gdelt-1014"]["trust"] == "corroborated"  # its story corroborates a curated event
    assert by["kellogg-meets-lukashenko"]["corroborated_by"] == ["story-gdelt-1014"]
    assert by["kellogg-meets-lukashenko"]["story"] is None
    assert by["state-media-show-handshake"]["corroborated_by"] == []
    assert all(r["corroborated_by"] == [] for r in recs if r["dataset"] != "curated")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(export.to_news_csv(recs)))}
    assert rows["gdelt-1002"]["story"] == "story-gdelt-1001"
    assert rows["kellogg-meets-lukashenko"]["corroborated_by"] == "story-gdelt-1014"
    feats = {f["id"]: f["properties"] for f in json.loads(export.to_geojson(recs))["features"]}
    assert feats["gdelt-1002"]["story"] == "story-gdelt-1001"
    assert feats["kellogg-meets-lukashenko"]["corroborated_by"] == ["story-gdelt-1014"]
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(recs)))["Events"]
    head = [c.value for c in sheet[1]]
    cells = {r[head.index("id")]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert cells["gdelt-1002"][head.index("story")] == "story-gdelt-1001"


def test_export_stories_writes_one_record_per_story(data, built, cli) -> None:
    out = cli("export", "--data", str(data), "--stories")
    assert out.code == 0, out.err
    got = {s["id"]: s for s in json.loads(out.out)["stories"]}
    assert len(got) == 7
    consult = got["story-gdelt-1001"]
    assert consult["records"] == ["gdelt-1001", "gdelt-1002", "gdelt-1003", "gdelt-1004", "gdelt-1011"]
    assert consult["outlets"] == ["belsat.example", "news.example.org"]
    assert consult["urls"] == sorted([BELSAT, "https://news.example.org/next-day"])
    assert consult["date"] == {"first": "2019-10-24", "last": "2019-10-25"}
    assert consult["place"]["name"] == "Minsk"  # the curated place GDELT's "Minsk, Horad Minsk, Belarus" is
    assert consult["measures"]["mentions"] == 30
    assert consult["corroborates"] == []
    assert "kellogg-meets-lukashenko" in got["story-gdelt-1014"]["corroborates"]
    as_csv = cli("export", "--data", str(data), "--stories", "--format", "csv")
    assert as_csv.code == 0
    assert len(list(csv.DictReader(io.StringIO(as_csv.out.lstrip("\ufeff"))))) == 7


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--stories", "--format", "geojson"), "--stories writes json or csv, not geojson"),
        (("--stories", "--actor", "gdelt-blr"), "--stories writes every story"),
        (("--corroboration", "both"), "Ignored corroboration 'both'"),
    ],
)
def test_bad_export_arguments_exit_2_with_one_line(data, built, cli, args, says) -> None:
    out = cli("export", "--data", str(data), *args)
    assert out.code == 2
    assert says in out.err


def test_an_appended_day_leaves_the_stories_a_full_build_writes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns(".contact-atlas-cache"))
    first, then = [r for r in ROWS if r["SQLDATE"] == DAY], [r for r in ROWS if r["SQLDATE"] != DAY]
    # weeks later, the belsat article's cooperation again: the same URL joins its story
    then.append(record(1015, "BLR", "RUS", "050", MINSK, BELSAT, day=20191120))
    # the next day, Belarus–Lithuania 112 again, 6,000 km from Minsk: the record at "Lithuania" now
    # matches places far apart, and leaves the Minsk story
    then.append(record(1016, "BLR", "LTU", "112", VLADIVOSTOK, "https://news.example.org/vlad", day=20191025))
    for name, rows in (("20191024120000.export.CSV", first), ("20191025120000.export.CSV", then)):
        src = tmp_path / name
        src.write_text("".join(gdelt.row(**r) for r in rows), encoding="utf-8")
        gdelt.import_files([src], root / "gdelt", gdelt.Options())
        if rows is first:
            c, files = corpus.load_deferred(root)
            assert sqlbuild.build(c, files) is not None
    bases = []
    build = stories.build
    monkeypatch.setattr(stories, "build", lambda *a, **kw: bases.append(kw.get("base")) or build(*a, **kw))
    appended = sqlbuild.append(root)
    assert appended is not None
    assert bases
    assert bases[0] is not None  # only the stories the new day can touch were computed again
    full = store.build(corpus.load(root), tmp_path / "full")
    # The stories, and the map's counts of them (each at its head record's place), as built whole.
    for name in (*stories.NAMES, "agg_points", "agg_points_all"):
        assert pq.read_table(appended.table(name)).equals(pq.read_table(full.table(name))), name
    got = groups(appended)
    assert {frozenset({1007}), frozenset({1008}), frozenset({1016})} <= got
    assert frozenset({1001, 1002, 1003, 1004, 1011}) in got  # the next day joined its story
    assert frozenset({1005, 1006, 1015}) in got  # and the same URL weeks later
    assert frozenset({1009, 1010}) in got  # untouched, kept as built


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Three tones whose mean, 0.4333335, a float sum rounds up or down by the order it adds them in.
        ([(0.3000005, 1), (0.7, 1), (0.3, 1)], 0.433334),
        ([(-1.0, 10), (-1.0, 10), (-4.0, 2), (-4.0, 2), (-2.0, 6)], -1.6),  # weighted by mentions
        ([(2.5, None), (1.5, None), (None, None)], 2.0),  # no mentions: each record alike
    ],
)
def test_a_storys_average_tone_is_the_same_whatever_order_its_records_are_added_in(rows, expected) -> None:
    """Two builds of the same data (or an append and a full build) give a story the same bytes."""
    import itertools  # noqa: PLC0415

    import duckdb  # noqa: PLC0415

    con = duckdb.connect(config={"threads": 1})
    con.execute("CREATE TABLE t (tone DOUBLE, mentions BIGINT)")
    seen = set()
    for order in itertools.permutations(rows):
        con.execute("DELETE FROM t")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(order))
        seen.add(con.execute(f"SELECT {stories._weighted('tone')} FROM t").fetchone()[0])  # noqa: S608
    assert seen == {expected}
