"""One place, one actor: GDELT rows, written in the published column layout and imported as a user
would, whose places and actors are curated ones become those (docs/DATA.md, "One place, one actor");
ambiguous ones stay apart and `validate` names them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dashboard import atlas as atlas_mod
from dashboard import filters, query, sqlbuild, store
from dashboard.model import Actor, Place
from dashboard.readers import corpus, gdelt, reconcile
from dashboard.views import map as map_view

CURATED = """
places:
  - {id: minsk, name: Minsk, aliases: [Мінск], kind: city, country: BLR, lat: 53.90019, lon: 27.56653}
  - {id: belarus, name: Belarus, kind: country, country: BLR, lat: 53.51, lon: 27.98}
actors:
  - {id: belarus, name: Belarus, kind: state, country: BLR}
  - {id: russia, name: Russia, kind: state, country: RUS}
  - {id: alexander-lukashenko, name: Alexander Lukashenko, kind: person, country: BLR}
  - id: presidential-administration
    name: Belarusian presidential administration
    aliases: [Administration of the President of Belarus]
    kind: organization
    country: BLR
"""
# One row of a GDELT 2.0 Events export, the columns named as the codebook names them.
ROW = {
    "GLOBALEVENTID": 900001, "SQLDATE": 20250621, "MonthYear": 202506, "Year": 2025, "FractionDate": 2025.4685,
    "Actor1Code": "RUS", "Actor1Name": "RUSSIA", "Actor1CountryCode": "RUS",
    "Actor2Code": "BLR", "Actor2Name": "BELARUS", "Actor2CountryCode": "BLR",
    "IsRootEvent": 1, "EventCode": "040", "EventBaseCode": "040", "EventRootCode": "04", "QuadClass": 1,
    "GoldsteinScale": 1, "NumMentions": 4, "NumSources": 1, "NumArticles": 4, "AvgTone": 0.5,
    "ActionGeo_Type": 4, "ActionGeo_FullName": "Minsk, Minsk, Belarus", "ActionGeo_CountryCode": "BO",
    "ActionGeo_ADM1Code": "BO04", "ActionGeo_Lat": 53.9, "ActionGeo_Long": 27.5667, "ActionGeo_FeatureID": "-2960561",
    "DATEADDED": 20250621120000, "SOURCEURL": "https://news.example.org/minsk-talks",
}  # fmt: skip
# GDELT's ADM1-level Minsk: "(general)", a few kilometres off the city's point.
GENERAL = dict(ROW, GLOBALEVENTID=900002, ActionGeo_Type=5, ActionGeo_FullName="Minsk, Belarus (general)",
               ActionGeo_Lat=53.9333, ActionGeo_Long=27.6333, ActionGeo_FeatureID="BO04")  # fmt: skip
COUNTRY = dict(ROW, GLOBALEVENTID=900003, ActionGeo_Type=1, ActionGeo_FullName="Belarus",
               ActionGeo_Lat=53, ActionGeo_Long=28, ActionGeo_FeatureID="BO")  # fmt: skip
# A place of the same name 200 km east of Minsk: not Minsk.
FAR = dict(ROW, GLOBALEVENTID=900004, ActionGeo_FullName="Minsk, Mahilyowskaya Voblasts', Belarus",
           ActionGeo_Lat=53.9, ActionGeo_Long=30.6, ActionGeo_FeatureID="-2960999")  # fmt: skip
# The presidential administration under BLRGOV, by its curated name only: that organisation.
ADMIN = dict(ROW, GLOBALEVENTID=900005, Actor1Code="BLRGOV", Actor1Name="BELARUSIAN PRESIDENTIAL ADMINISTRATION",
             Actor1CountryCode="BLR", Actor1Type1Code="GOV")  # fmt: skip
ROWS = [ROW, GENERAL, COUNTRY, FAR, ADMIN]


def _folder(tmp_path: Path, rows: list[dict], curated: str = CURATED) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "records.yaml").write_text(curated, encoding="utf-8")
    src = tmp_path / "20250621120000.export.CSV"
    src.write_text("".join(gdelt.row(**r) for r in rows), encoding="utf-8")
    report, _ = gdelt.import_files([src], data / "gdelt", gdelt.Options())
    assert report.imported == len(rows), report.lines()
    return data


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return _folder(tmp_path_factory.mktemp("reconcile"), ROWS)


def test_gdelts_minsk_is_the_curated_minsk_one_place_on_the_map(data: Path) -> None:
    c = corpus.load(data)
    assert c.errors == []
    place = dict(zip(c.events["id"], c.events["place"].astype(object), strict=True))
    assert place["gdelt-900001"] == place["gdelt-900002"] == "minsk"  # the city, and ADM1 "(general)"
    assert place["gdelt-900003"] == "belarus"  # the country, the curated country-level place
    assert place["gdelt-900004"] == "gdelt-n2960999"  # the same name 200 km away: another place
    assert "gdelt-n2960561" not in c.places
    a = atlas_mod.open_atlas(data, "duckdb")
    f = filters.Filters()
    m = map_view.map_data(a, f, query.count(a.engine, f))
    minsk = m.points[m.points["name"].str.startswith("Minsk")]
    assert sorted(set(minsk["place"])) == ["gdelt-n2960999", "minsk"]  # one mark at Minsk, one far off


def test_a_country_code_is_its_curated_country_and_a_named_organisation_its_curated_one(data: Path) -> None:
    c = corpus.load(data)
    assert (c.same_actors["gdelt-rus"], c.same_actors["gdelt-blr"]) == ("russia", "belarus")
    assert c.same_actors["gdelt-blrgov"] == "presidential-administration"
    assert not {"gdelt-rus", "gdelt-blr", "gdelt-blrgov"} & set(c.actors)
    a = atlas_mod.open_atlas(data, "duckdb")
    # The filters treat them as one: Russia's events are the machine-coded ones too.
    assert query.count(a.engine, filters.Filters.of(actors=["russia"])) == len(ROWS) - 1
    assert query.count(a.engine, filters.Filters.of(between=("russia", "belarus"))) == len(ROWS) - 1


def test_a_same_name_place_far_away_is_listed_by_validate(data: Path, cli) -> None:
    v = cli("validate", "--data", str(data))
    assert v.code == 0, v.out  # a warning: the data loads
    line = next(x for x in v.out.splitlines() if "gdelt-n2960999" in x)
    assert line.startswith("gdelt/gdelt.places.parquet:")
    assert ": record gdelt-n2960999: name: warning: named like curated 'minsk' 199 km away" in line


def test_two_curated_places_giving_one_geonames_feature_are_named_by_validate(data_copy: Path, cli) -> None:
    places = data_copy / "places.yaml"
    text = places.read_text(encoding="utf-8")
    places.write_text(
        text.replace("    country: UKR\n", "    country: UKR\n    geonames_id: 4140963\n", 1), "utf-8"
    )
    v = cli("validate", "--data", str(data_copy))
    assert v.code == 0, v.out  # a warning: the data loads
    said = [x for x in v.out.splitlines() if "GeoNames feature 4140963" in x]
    assert len(said) == 2, v.out  # each of the two records, named by file, record and field
    assert any(": record washington: geonames_id: warning:" in x and "'kyiv'" in x for x in said), said
    assert any(": record kyiv: geonames_id: warning:" in x and "'washington'" in x for x in said), said


def test_two_curated_places_within_10_km_leave_the_imported_one_apart(tmp_path: Path) -> None:
    two = CURATED.replace(
        "places:\n",
        "places:\n  - {id: minsk-centre, name: Minsk city centre, aliases: [Minsk], kind: site, country: BLR,"
        " lat: 53.8960, lon: 27.5470}\n",
    )
    data = _folder(tmp_path, [ROW], two)
    c = corpus.load(data)
    assert c.events["place"].astype(object).tolist() == ["gdelt-n2960561"]
    listed = [str(p) for p in c.problems]  # what `validate` prints
    assert any(
        "record gdelt-n2960561: name: warning: named like curated places 'minsk', 'minsk-centre', " in x
        for x in listed
    ), listed


def test_two_curated_states_of_one_country_leave_its_code_apart(tmp_path: Path) -> None:
    two = CURATED + "  - {id: belarus-republic, name: Republic of Belarus, kind: state, country: BLR}\n"
    c = corpus.load(_folder(tmp_path, [ROW], two))
    assert c.same_actors == {"gdelt-rus": "russia"}
    warned = [p for p in c.problems if p.record == "gdelt-blr"]
    assert [(p.field, p.message) for p in warned] == [
        (
            "country",
            "could be any of the curated actors 'belarus', 'belarus-republic' (state, BLR): kept apart",
        )
    ]


def test_an_actor_code_with_a_name_that_is_not_the_curated_ones_stays_apart() -> None:
    # GDELT's BLRGOV is "BELARUS" in one row and Lukashenko in the next: neither a person nor one
    # curated organisation.
    curated = Actor(id="presidential-administration", name="Belarusian presidential administration",
                    kind="organization", country="BLR")  # fmt: skip
    gov = Actor(id="gdelt-blrgov", name="BELARUSIAN PRESIDENTIAL ADMINISTRATION", aliases=["ALEXANDER LUKASHENKO"],
                kind="organization", country="BLR")  # fmt: skip
    person = Actor(
        id="gdelt-x", name="Belarusian presidential administration", kind="organization", country="RUS"
    )
    got = reconcile.reconcile({}, {a.id: a for a in (curated, gov, person)}, {}, {}, {})
    assert got.actors == {}
    assert got.problems == []


def test_the_same_geonames_feature_is_the_same_place_whatever_its_name() -> None:
    minsk = Place(id="minsk", name="Minsk", kind="city", country="BLR")
    # An editor gives GDELT's FeatureID to a place GDELT names otherwise.
    fortress = Place(
        id="brest-fortress", name="Brest Fortress", kind="site", country="BLR", feature_id="-123"
    )
    other = Place(id="acled-x", name="Mensk", kind="city", country="BLR", geonames_id=625144)
    gdelts = Place(id="gdelt-n123", name="Brest, Brestskaya Voblasts', Belarus", kind="city", country="BLR",
                   feature_id="-123")  # fmt: skip
    stray = Place(id="acled-y", name="Minsk", kind="city", country="BLR", feature_id="-1")
    places = {p.id: p for p in (minsk, fortress, other, gdelts, stray)}
    got = reconcile.reconcile(places, {}, {}, {"minsk": 625144}, {})
    # The cache's GeoNames id for the curated Minsk; the stray one has no coordinates to compare.
    assert got.places == {"acled-x": "minsk", "gdelt-n123": "brest-fortress"}
    assert [(p.record, p.field) for p in got.problems] == [("acled-y", "name")]
    assert "'minsk' not geocoded" in got.problems[0].message


def test_the_loader_and_the_sql_build_write_the_same_reconciled_store(data: Path, tmp_path: Path) -> None:
    loaded = corpus.load(data)
    expected = store.build(loaded, tmp_path / "loader")
    c, files = corpus.load_deferred(data)
    got = sqlbuild.build(c, files, tmp_path / "sql")
    assert got is not None  # the SQL path took the rows, not the loader
    for name in store.TABLES:
        want, have = (pq.read_table(s.table(name)) for s in (expected, got))
        assert have.equals(want), name
    events = pq.read_table(got.table("events"), columns=["place"])["place"].to_pylist()
    assert events.count("minsk") == 3
    actors = set(pq.read_table(got.table("participants"), columns=["actor"])["actor"].to_pylist())
    assert actors == {"russia", "belarus", "presidential-administration"}


def test_an_append_that_would_undo_a_link_declines_and_one_that_keeps_them_appends(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("CONTACT_ATLAS_CACHE", str(tmp_path / "cache"))
    data = _folder(tmp_path, [ROW, ADMIN])
    c, files = corpus.load_deferred(data)
    assert c.same_actors["gdelt-blrgov"] == "presidential-administration"
    assert sqlbuild.build(c, files) is not None

    def run(name: str, rows: list[dict]) -> None:
        src = tmp_path / name
        src.write_text("".join(gdelt.row(**r) for r in rows), encoding="utf-8")
        assert gdelt.import_files([src], data / "gdelt", gdelt.Options())[0].imported == len(rows)

    # Another day at Minsk, the same actors: appended, and the same store a full build writes.
    run("20250622120000.export.CSV", [dict(ROW, GLOBALEVENTID=900010, SQLDATE=20250622)])
    appended = sqlbuild.append(data)
    assert appended is not None
    full = store.build(corpus.load(data), tmp_path / "full")
    for name in store.TABLES:
        assert pq.read_table(appended.table(name)).equals(pq.read_table(full.table(name))), name
    # BLRGOV now also goes by Lukashenko's name: no longer the administration, in the older rows too,
    # which an append does not rewrite: it declines, and a build does it.
    run("20250623120000.export.CSV", [dict(ADMIN, GLOBALEVENTID=900011, Actor1Name="ALEXANDER LUKASHENKO")])
    assert "gdelt-blrgov" not in corpus.load(data).same_actors
    assert sqlbuild.append(data) is None
