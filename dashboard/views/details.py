"""The details card of the selected event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from geopy.distance import geodesic

from dashboard import export, stories_query
from dashboard.catalog import Catalog
from dashboard.model import CAMEO_ROOTS, MEASURES, TAXONOMY
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
    dataset: str = "curated"  # where it comes from: "curated", "gdelt", "acled"
    coding: str = "human"  # who coded it: "human", "machine", "draft" (not yet reviewed)
    origin_line: str = (
        ""  # "Curated · coded by hand from the article's sentences", "GDELT · machine-coded · gdelt:…"
    )
    measures: str = ""  # the stream's measures, as one line
    suspect: str | None = None  # why the place may be wrong
    links: list[dict[str, Any]] = field(
        default_factory=list
    )  # sources that are links: url, title, outlet, date
    corroboration: Corroboration | None = None  # a curated event's corroborating stories
    story: Story | None = None  # an imported record's story


PRECISION_ORDER = {"day": 0, "month": 1, "year": 2}
MAX_LINKS = 5  # links a card lists before "and K more"


@dataclass(frozen=True)
class Corroboration:
    """What a curated event's card says of the machine-coded stories that corroborate it."""

    records: int  # machine-coded reports (the stories' records)
    outlets: int
    links: list[dict[str, Any]]  # url, outlet, records: the most cited first, at most MAX_LINKS
    more: int  # links not listed


@dataclass(frozen=True)
class Story:
    """What an imported record's card says of its story: its records' links and outlets, and the
    curated events it corroborates."""

    id: str
    records: int
    outlets: int
    first: Any
    last: Any
    links: list[dict[str, Any]]  # url, outlet, records: the most cited first, at most MAX_LINKS
    more: int
    corroborates: list[tuple[str, str]]  # curated event id, its summary


def corroboration(atlas: Atlas, event_id: str) -> Corroboration | None:
    """The stories corroborating a curated event, as its card counts them; None when none does."""
    c = stories_query.corroborating(atlas.engine, event_id)
    if not c["stories"]:
        return None
    links = c["links"]
    return Corroboration(c["records"], c["outlets"], links[:MAX_LINKS], max(0, len(links) - MAX_LINKS))


def story_card(atlas: Atlas, event_id: str) -> Story | None:
    """The story an imported record belongs to, as its card tells it; None for a curated event."""
    eng = atlas.engine
    sid = stories_query.story_of(eng, event_id)
    s = stories_query.story(eng, sid) if sid else None
    if s is None:
        return None
    links = stories_query.story_links(eng, s["id"])
    # The most precise first: the day's meeting before the year's visits it is one of.
    found = stories_query.corroborated_by(eng, s["id"])
    found.sort(key=lambda e: PRECISION_ORDER.get(e["precision"], len(PRECISION_ORDER)))
    named = [(e["id"], e["summary"]) for e in found]
    return Story(
        s["id"], int(s["records"]), int(s["outlets"]), s["first"], s["last"], links[:MAX_LINKS],
        max(0, len(links) - MAX_LINKS), named,
    )  # fmt: skip


def details(atlas: Atlas, event_id: str) -> Details | None:
    eng = atlas.engine
    ev = atlas.event(event_id)
    if ev is None:
        return None
    kind = TAXONOMY[ev["kind"]]
    place = place_text(atlas, ev["place"], ev["geo_precision"])
    if ev["origin"]:
        place = f"{place_text(atlas, ev['origin'], None)} → {place}"
    sources = export.sources_of(eng, [event_id])
    return Details(
        id=event_id,
        title=ev["summary"],
        date=date_label(ev),
        precision=ev["precision"],
        kind=kind.label,
        cameo=f"CAMEO {ev['cameo']} · {CAMEO_ROOTS.get(str(ev['cameo'])[:2], kind.cameo_name)}",
        participants=participant_names(atlas, eng, [event_id]).get(event_id, ""),
        place=place,
        attribution=ev["attribution"],
        certainty=ev["certainty"],
        certainty_help=CERTAINTY_HELP[ev["certainty"]],
        quotes=[s["quote"] for s in sources if s["quote"] is not None],
        note=ev["note"],
        distance_km=distance_km(atlas, ev["origin"], ev["place"]),
        dataset=ev["dataset"],
        coding=ev["coding"],
        # Where it comes from, when the corpus holds more than the curated articles.
        origin_line=origin_line(ev)
        if len(atlas.datasets) > 1 or ev["dataset"] != "curated" or ev["coding"] == "draft"
        else "",
        measures=measures_line(ev),
        suspect=ev["suspect"],
        links=[s for s in sources if s["quote"] is None],
        corroboration=corroboration(atlas, event_id) if ev["dataset"] == "curated" else None,
        story=None if ev["dataset"] == "curated" else story_card(atlas, event_id),
    )


DATASET_NAMES = {"curated": "Curated", "gdelt": "GDELT 2.0", "acled": "ACLED"}
MEASURE_NAMES = {
    "mentions": "mentions", "num_sources": "sources", "num_articles": "articles", "goldstein": "Goldstein",
    "tone": "tone", "fatalities": "fatalities",
}  # fmt: skip


def origin_line(ev: dict[str, Any]) -> str:
    """Where the event comes from and who coded it: a reader tells the wires' guesses from sourced events."""
    if ev["coding"] == "draft":
        return "Draft · proposed from the article's text, not yet reviewed by an editor"
    coding = "machine-coded" if ev["coding"] == "machine" else "coded by hand"
    if ev["dataset"] == "curated":
        return f"Curated · {coding} from the article's sentences"
    ext = f" · {ev['external_id']}" if ev["external_id"] else ""
    return f"{DATASET_NAMES.get(ev['dataset'], ev['dataset'])} · {coding}{ext}"


def measures_line(ev: dict[str, Any]) -> str:
    parts = []
    for m in MEASURES:
        v = ev.get(m)
        if v is None or v != v:  # noqa: PLR0124 - NaN
            continue
        parts.append(f"{MEASURE_NAMES[m]} {v:,.1f}" if isinstance(v, float) else f"{MEASURE_NAMES[m]} {v:,}")
    return " · ".join(parts)


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
