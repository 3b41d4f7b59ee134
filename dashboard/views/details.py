"""The details card of the selected event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geopy.distance import geodesic

from dashboard import query
from dashboard.catalog import Catalog
from dashboard.model import TAXONOMY
from dashboard.views.labels import CERTAINTY_HELP, date_label, participant_names

if TYPE_CHECKING:
    from dashboard.atlas import Atlas


@dataclass(frozen=True)
class Details:
    """What the details card shows for one event."""

    id: str
    title: str
    date: str
    precision: str
    kind: str
    cameo: str
    participants: str
    place: str
    attribution: str
    certainty: str
    certainty_help: str
    quotes: list[str]
    note: str | None
    distance_km: int | None


def details(atlas: Atlas, event_id: str) -> Details | None:
    eng = atlas.engine
    ev = atlas.event(event_id)
    if ev is None:
        return None
    kind = TAXONOMY[ev["kind"]]
    place = place_text(atlas, ev["place"], ev["geo_precision"])
    if ev["origin"]:
        place = f"{place_text(atlas, ev['origin'], None)} → {place}"
    return Details(
        id=event_id,
        title=ev["summary"],
        date=date_label(ev),
        precision=ev["precision"],
        kind=kind.label,
        cameo=f"CAMEO {kind.cameo} · {kind.cameo_name}",
        participants=participant_names(atlas, eng, [event_id]).get(event_id, ""),
        place=place,
        attribution=ev["attribution"],
        certainty=ev["certainty"],
        certainty_help=CERTAINTY_HELP[ev["certainty"]],
        quotes=[q["quote"] for q in query.quotes_of(eng, [event_id])],
        note=ev["note"],
        distance_km=distance_km(atlas, ev["origin"], ev["place"]),
    )


def place_text(c: Catalog, pid: str | None, precision: str | None) -> str:
    if pid is None:
        return "not stated"
    name = c.place_label(pid)
    if pid not in c.coords:
        return f"{name} (not geocoded)"
    return f"{name} ({precision} precision)" if precision else name


def distance_km(c: Catalog, origin: str | None, place: str | None) -> int | None:
    """Geodesic length of a contact's arc, in whole km."""
    a, b = c.coords.get(origin or ""), c.coords.get(place or "")
    if a is None or b is None:
        return None
    return round(geodesic(a, b).km)
