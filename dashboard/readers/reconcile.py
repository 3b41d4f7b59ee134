"""A data rule applied when the data folder is read: imported places and actors that are curated ones.

An import names its own places and actors (`gdelt-…`, `acled-…`): GDELT's
"Minsk, Horad Minsk, Belarus" and the curated Minsk would be two places, two
marks on the map; its `RUS` and the curated Russia two actors. Here each
imported record is matched against the curated ones (every record whose id is
not an import's), and a match becomes that record: its events are placed at
the curated place and its participants are the curated actor, in the store
the loader and the SQL build write alike. docs/DATA.md ("One place, one
actor") states the rules:

Places
  1. The same feature: the imported place's `geonames_id` (or `feature_id`) is
     a curated place's (given in the record, or, for `geonames_id`, found by
     the geocoder and kept in the cache).
  2. Else a country-level imported place is the curated country-level place
     of that country.
  3. Else the same name within 10 km: the imported name's first part ("Minsk"
     of "Minsk, Horad Minsk, Belarus"; "(general)" left out) equals a curated
     place's name or alias, compared without case or accents, and the two are
     at most MAX_KM apart.
  Two curated places that qualify, or a name that matches only places farther
  than MAX_KM (or not geocoded), is ambiguous: the imported place stays apart
  and a warning names it.

Actors
  1. A state (an import's actor whose code is its country's, `RUS`) is the
     curated state of that country.
  2. A person, organisation or media outlet is the curated actor of the same
     kind and country whose name and aliases include every name the import
     gave it (GDELT gives one actor code many names: `BLRGOV` is "BELARUS" in
     one row and "ALEXANDER LUKASHENKO" in the next, and is no person).
  Two curated actors that qualify is ambiguous: the actor stays apart, with a
  warning.

A record is looked at once each (hundreds of curated records beside thousands
of imported ones); no event is.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard.geocache import Coordinates
from dashboard.model import Actor, ActorKind, Dataset, Place, PlaceKind
from dashboard.problems import Problem, Severity
from dashboard.readers.suspects import fold

MAX_KM = 10.0
EARTH_KM = 6371.0088  # the mean radius
IMPORTED = tuple(f"{d.value}-" for d in Dataset if d is not Dataset.CURATED)  # the importers' ids
_GENERAL = re.compile(r"\s*\(general\)\s*$", re.IGNORECASE)


def imported(record_id: str) -> bool:
    """Whether a place or actor id is one an import made."""
    return record_id.startswith(IMPORTED)


def place_name(name: str) -> str:
    """A place name as compared: its first part, without GDELT's "(general)", case or accents."""
    head = _GENERAL.sub("", name.split(",", 1)[0])
    return " ".join(head.lower().split()) if head.isascii() else fold(head)  # most names: no accents


@dataclass
class Result:
    """Imported id → curated id, for places and actors, and the ambiguous cases as warnings."""

    places: dict[str, str] = field(default_factory=dict)
    actors: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


# Where each imported record was read from: id → (file, row), for the warnings.
Origins = Mapping[str, tuple[str, int | None]]


def _warn(out: Result, origins: Origins, rid: str, fld: str, message: str) -> None:
    file, row = origins.get(rid, ("(bulk records)", None))
    out.problems.append(Problem(file, message, rid, fld, row, Severity.WARNING))


def _ids(ids: list[str]) -> str:
    return ", ".join(repr(x) for x in sorted(ids))


def _km(a: Coordinates, b: Coordinates) -> float:
    """The distance in km: on the ellipsoid (geopy's geodesic) near the limit, where it decides; a
    sphere's great circle (within 0.5 % of it, a hundred times faster) farther off, where it is only
    told."""
    la, lb = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((lb - la) / 2) ** 2
        + math.cos(la) * math.cos(lb) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    sphere = 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
    if sphere > 2 * MAX_KM:
        return sphere
    from geopy.distance import geodesic  # noqa: PLC0415 - only a folder with imports needs it

    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).km)


def reconcile(
    places: Mapping[str, Place],
    actors: Mapping[str, Actor],
    coords: Mapping[str, Coordinates],
    geonames: Mapping[str, int],
    origins: Origins,
) -> Result:
    """Match imported places and actors to curated ones. `geonames`: a curated place's GeoNames id as
    the geocode cache found it (where the record gives none)."""
    out = Result()
    _places(places, coords, geonames, origins, out)
    _actors(actors, origins, out)
    return out


def _places(
    places: Mapping[str, Place],
    coords: Mapping[str, Coordinates],
    geonames: Mapping[str, int],
    origins: Origins,
    out: Result,
) -> None:
    curated = {k: p for k, p in places.items() if not imported(k)}
    if not curated or len(curated) == len(places):
        return
    by_feature: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_country: dict[str, list[str]] = defaultdict(list)
    by_name: dict[str, list[str]] = defaultdict(list)
    for pid, p in curated.items():
        gid = p.geonames_id or geonames.get(pid)
        if gid:
            by_feature["geonames_id", str(gid)].append(pid)
        if p.feature_id:
            by_feature["feature_id", p.feature_id].append(pid)
        if p.kind == PlaceKind.COUNTRY:
            by_country[p.country].append(pid)
            continue
        for n in dict.fromkeys(place_name(x) for x in (p.name, *p.aliases)):
            by_name[n].append(pid)
    for pid, q in places.items():
        if pid in curated:
            continue
        features = [("geonames_id", str(q.geonames_id))] if q.geonames_id else []
        features += [("feature_id", q.feature_id)] if q.feature_id else []
        same = sorted({c for key in features for c in by_feature.get(key, ())})
        if len(same) == 1:
            out.places[pid] = same[0]
            continue
        if len(same) > 1:
            _warn(out, origins, pid, features[0][0],
                  f"the same feature as curated places {_ids(same)}: kept apart (give one of them "
                  "another geonames_id or feature_id)")  # fmt: skip
            continue
        if q.kind == PlaceKind.COUNTRY:
            countries = by_country.get(q.country, [])
            if len(countries) == 1:
                out.places[pid] = countries[0]
            elif countries:
                _warn(out, origins, pid, "country",
                      f"country {q.country} is curated as more than one country-level place "
                      f"({_ids(countries)}): kept apart")  # fmt: skip
            continue
        named = by_name.get(place_name(q.name), [])
        if not named:
            continue
        here = coords.get(pid)
        near, far = [], []
        for c in named:
            there = coords.get(c)
            km = _km(here, there) if here is not None and there is not None else None
            (near if km is not None and km <= MAX_KM else far).append((c, km))
        if len(near) == 1:
            out.places[pid] = near[0][0]
        elif near:
            _warn(out, origins, pid, "name",
                  f"named like curated places {_ids([c for c, _ in near])}, all within {MAX_KM:g} km: "
                  "kept apart (give the right one this place's geonames_id or feature_id)")  # fmt: skip
        else:
            what = "; ".join(
                f"{c!r} {km:,.0f} km away" if km is not None else f"{c!r} not geocoded" for c, km in far
            )
            _warn(out, origins, pid, "name",
                  f"named like curated {what}: farther than {MAX_KM:g} km, so kept apart (give the "
                  "curated place this one's geonames_id or feature_id if they are the same)")  # fmt: skip


def _actors(actors: Mapping[str, Actor], origins: Origins, out: Result) -> None:
    curated = {k: a for k, a in actors.items() if not imported(k)}
    if not curated or len(curated) == len(actors):
        return
    states: dict[str, list[str]] = defaultdict(list)
    named: dict[tuple[ActorKind, str, str], list[str]] = defaultdict(list)
    names_of: dict[str, set[str]] = {}
    for aid, a in curated.items():
        if a.country is None:
            continue
        if a.kind == ActorKind.STATE:
            states[a.country].append(aid)
            continue
        names_of[aid] = {fold(n) for n in (a.name, *a.aliases)}
        for n in names_of[aid]:
            named[a.kind, a.country, n].append(aid)
    for aid, a in actors.items():
        if aid in curated or a.country is None:
            continue
        if a.kind == ActorKind.STATE:
            found = states.get(a.country, [])
            fld = "country"
        else:
            names = {fold(n) for n in (a.name, *a.aliases)}
            first = named.get((a.kind, a.country, fold(a.name)), [])
            found = [c for c in first if names <= names_of[c]]
            fld = "name"
        if len(found) == 1:
            out.actors[aid] = found[0]
        elif found:
            _warn(out, origins, aid, fld,
                  f"could be any of the curated actors {_ids(found)} ({a.kind.value}, {a.country}): "
                  "kept apart")  # fmt: skip
