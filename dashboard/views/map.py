"""The map's data: one marker per place, contacts as arrows into their place, countries shaded.

Everything is counted by the engine (`query.map_groups`): events per map
point and kind, contacts per (kind, origin, place). Python only turns those
groups, a few hundred rows at most, into markers, routes and their hovers.

At news scale (more than CLUSTER_ABOVE place marks: a month of GDELT names
thousands of places) the places are drawn as density instead: the engine
counts events per H3 hexagon at each of the store's resolutions
(`query.map_clusters`), one layer of clusters per resolution plus one of
every place, and the page shows the layer that suits the zoom. The
curated events stay marks of their own when they are few.

Stories (`Filters.records`, "stories" unless `?records=raw`): a mark counts
the stories at its place as well as the records, and is sized by their
outlets. A story is counted once, at the place of its *head* record (its
earliest record at the story's place, `dashboard.stories`), when its head
passes the filters; a curated event or draft is its own story, of no
outlets. The engine sums that from the rows or the aggregates alike
(`query.map_groups`, `query.map_clusters`): "Minsk: 3 stories from 12
records, 5 outlets", the records being those at the place.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from geopy.distance import geodesic

from dashboard import escape, query, zoom
from dashboard.engines.duckdb import IN_MEMORY_EVENTS
from dashboard.filters import Filters
from dashboard.model import TAXONOMY, quad_class
from dashboard.store import CELL_RES
from dashboard.views.labels import event_line, participant_names, where_text

if TYPE_CHECKING:
    from dashboard.atlas import Atlas

ANY = "*"  # in a marker's (kind, place, origin): any kind, or any origin
MAX_ROUTES = 150  # contact routes a reader can tell apart: beyond, merged across kinds, the busiest drawn
CLUSTER_ABOVE = 400  # place marks beyond which places are clustered by H3 cell
KEEP_CURATED = 100  # at scale, human-coded and draft marks stay marks when there are at most this many
NEWS_ROUTES = 25  # routes drawn when places are clustered: the busiest
# CAMEO's quad classes, in the code's order: what a cluster's colour says.
QUADS = {1: "Verbal cooperation", 2: "Material cooperation", 3: "Verbal conflict", 4: "Material conflict"}
EDGE_KM = {0: 1107.7, 1: 418.7, 2: 158.2, 3: 59.8, 4: 22.6}  # H3's average hexagon edge per resolution


def great_circle(lat1: float, lon1: float, lat2: float, lon2: float, fractions: np.ndarray) -> np.ndarray:
    """Points at these fractions of the great circle from the first point to the second: (lat, lon) rows."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = np.array([math.cos(p1) * math.cos(l1), math.cos(p1) * math.sin(l1), math.sin(p1)])
    b = np.array([math.cos(p2) * math.cos(l2), math.cos(p2) * math.sin(l2), math.sin(p2)])
    omega = math.acos(max(-1.0, min(1.0, float(a @ b))))
    t = np.asarray(fractions, dtype=float)[:, None]
    if omega < 1e-9:
        v = np.repeat(a[None, :], len(t), axis=0)
    else:
        v = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / math.sin(omega)
    lat = np.degrees(np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1])))
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    return np.column_stack([lat, lon])


@dataclass(frozen=True)
class Frame:
    """A view of the map: latitude and longitude ranges."""

    lat: tuple[float, float]
    lon: tuple[float, float]

    @classmethod
    def around(cls, lats: list[float], lons: list[float], aspect: float = 0.85) -> Frame:
        """Frame these points with a margin, widened to the chart's shape (height / width)
        so the map fills its box instead of shrinking to a strip."""
        if not lats:
            return cls((-60.0, 85.0), (-180.0, 180.0))
        lo_lat, hi_lat, lo_lon, hi_lon = min(lats), max(lats), min(lons), max(lons)
        # Degrees of longitude shrink towards the poles: a span is widened to look as tall as it is.
        squash = max(math.cos(math.radians((lo_lat + hi_lat) / 2)), 0.3)
        lat_span = (hi_lat - lo_lat) * 1.5 + 6
        lon_span = max((hi_lon - lo_lon) * 1.3 + 8, lat_span / aspect / squash)
        lat_span = max(lat_span, lon_span * aspect * squash)
        lon_span, lat_span = min(lon_span, 360), min(lat_span, 145)
        mid_lat, mid_lon = (lo_lat + hi_lat) / 2, (lo_lon + hi_lon) / 2
        lat0 = min(max(mid_lat - lat_span / 2, -60), 85 - lat_span)
        lon0 = min(max(mid_lon - lon_span / 2, -180), 180 - lon_span)
        return cls((lat0, lat0 + lat_span), (lon0, lon0 + lon_span))

    def contains(self, lat: float, lon: float, inset: float = 0.0) -> bool:
        """Inside the frame, at least `inset` (a fraction of each span) from its edges."""
        dlat, dlon = inset * (self.lat[1] - self.lat[0]), inset * (self.lon[1] - self.lon[0])
        return (
            self.lat[0] + dlat <= lat <= self.lat[1] - dlat
            and self.lon[0] + dlon <= lon <= self.lon[1] - dlon
        )

    @property
    def centre(self) -> tuple[float, float]:
        return (self.lat[0] + self.lat[1]) / 2, (self.lon[0] + self.lon[1]) / 2


@dataclass(frozen=True)
class MapData:
    """What the map draws: one marker per place, one arrow per route, countries shaded.

    `points`: place (a city, or a site with no city), name, lat, lon, events,
    kind (the events' one kind, or ANY), latest (event id), hover, coding
    (human or machine: one mark for each at a place), suspect (why every event
    there has a doubtful place, or "").
    `countries`: place, iso3, name, events, kind, latest, hover — events known
    only to the country, drawn by shading it.
    `routes`: kind (or ANY), style (a kind), origin, origin_name, place, count, latest, km,
    lat0, lon0, lat1, lon1, hover — contacts, drawn from origin to place.
    """

    points: pd.DataFrame
    countries: pd.DataFrame
    routes: pd.DataFrame
    unplaced: int
    frame: Frame  # where the events happen: the first view
    extent: Frame  # everything drawn, far origins included: "Fit all"
    selected: tuple[str, str] | None = None  # the selected event's (place, origin or "")
    aggregated: bool = False  # routes merged across kinds, the busiest MAX_ROUTES drawn
    routes_dropped: int = 0  # events on routes beyond MAX_ROUTES, not drawn
    clusters: pd.DataFrame | None = None  # at scale: CLUSTER_COLUMNS, one row per cluster per layer
    layers: tuple[Layer, ...] = ()  # the cluster layers, coarse to fine (the last: every place)
    clustered: tuple[str, ...] = ()  # the codings drawn as clusters
    by_story: bool = False  # marks count stories (`stories`, `outlets`) and are sized by `weight`

    @property
    def dense(self) -> bool:
        return self.clusters is not None


@dataclass(frozen=True)
class Layer:
    """One zoom level of clusters: its H3 resolution (POINT_RES: each place), the distance (km) between
    neighbouring marks, a button label, and whether it is the one shown first."""

    res: int
    km: float
    label: str


CLUSTER_COLUMNS = ["layer", "key", "name", "lat", "lon", "events", "places", "quad", "hover",
                   "q1", "q2", "q3", "q4", "stories", "outlets", "weight"]  # fmt: skip


# `events`: the records at a mark; `stories`, `outlets`: its stories and their outlets (raw: each
# record a story of none); `weight`: what its size shows (raw: its records; else its stories'
# outlets, at least one a story).
POINT_COLUMNS = ["place", "name", "iso3", "lat", "lon", "events", "kind", "latest", "hover", "country",
                 "coding", "suspect", "stories", "outlets", "weight"]  # fmt: skip
ROUTE_COLUMNS = ["kind", "style", "origin", "origin_name", "place", "count", "latest", "km",
                 "lat0", "lon0", "lat1", "lon1", "hover", "coding"]  # fmt: skip


def _latest_ord(groups: list[dict[str, Any]]) -> int:
    """A group's latest event: its last dated one, or its last one when none is dated."""
    dated = [g["last_dated"] for g in groups if g["last_dated"] is not None]
    return int(max(dated) if dated else max(g["last_ord"] for g in groups))


def map_data(atlas: Atlas, f: Filters, total: int) -> MapData:
    """Places sized by their events, contacts as arrows into their destination, countries shaded.

    Every event drawn sits at its own place (a site at its city): one marker
    there, whatever the kinds, clicked to list them latest first
    (`query.step_at`). A contact is also an arrow from its origin, one per
    (kind, origin, place), or merged across kinds with only the MAX_ROUTES
    busiest drawn when there are more. Events placed only in a country shade
    that country. `total` is how many events the filters keep.
    """
    c, eng = atlas, atlas.engine
    by_story = f.records == "stories"
    groups = query.map_groups(eng, f, MAX_ROUTES, few=atlas.events <= IN_MEMORY_EVENTS)
    # One marker per map point and coding: a place's human- and machine-coded events are two marks
    # (filled and hollow); a country known only as a whole is shaded once, whatever the coding.
    by_mark: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for g in groups.points:
        country = c.places[g["place"]].kind == "country"
        by_mark.setdefault((g["place"], ANY if country else g["coding"]), []).append(g)
    # A month of GDELT names thousands of places: drawn as clusters (hexagon cells by zoom), not marks.
    clusters, layers, clustered = None, (), ()
    if len(by_mark) > CLUSTER_ABOVE:
        countries = {k for k in by_mark if k[1] == ANY}
        curated = [k for k in by_mark if k[1] in ("human", "draft")]
        codings = {k[1] for k in by_mark} - {ANY}
        clustered = tuple(sorted({"machine"} & codings if len(curated) <= KEEP_CURATED else codings))
        by_mark = {k: gs for k, gs in by_mark.items() if k in countries or k[1] not in clustered}
        clusters, layers = _clusters(atlas, query.map_clusters(eng, f, clustered), by_story)
    routes, aggregated, dropped = _route_groups(groups)
    if clusters is not None and len(routes) > NEWS_ROUTES:
        # Thousands of places: the busiest contacts stand out; the engine returned them busiest first.
        dropped += sum(r["count"] for r in routes[NEWS_ROUTES:])
        routes, aggregated = routes[:NEWS_ROUTES], True
    wanted = {_latest_ord(gs) for gs in by_mark.values()} | {r["latest_ord"] for r in routes}
    latest = {int(e["ord"]): e for e in query.events_at(eng, sorted(wanted), query.MARK_COLUMNS)}

    place_rows = []
    for (pid, coding), gs in by_mark.items():
        p, xy = c.places[pid], c.coords[pid]
        n = sum(int(g["events"]) for g in gs)
        kinds = {g["kind"] for g in gs}
        ev = latest[_latest_ord(gs)]
        doubtful = sum(int(g["suspect"]) for g in gs)
        told = _told(gs, n, by_story)
        # A mark is drawn as suspect when every event at it has a suspect place (its latest, then, too:
        # the reason shown is that event's).
        why = (ev["suspect"] or "") if doubtful == n else ""
        place_rows.append(
            {
                "place": pid, "name": p.name, "iso3": p.country, "lat": xy.lat, "lon": xy.lon, "events": n,
                "kind": next(iter(kinds)) if len(kinds) == 1 else ANY, "latest": ev["id"],
                "hover": _place_hover(p.name, gs, ev, coding, doubtful, why, told if by_story else None),
                "country": p.kind == "country", "coding": coding, "suspect": why, **told,
            }
        )  # fmt: skip
    placed = pd.DataFrame(place_rows, columns=POINT_COLUMNS)
    placed = placed.sort_values(["events", "place"], ascending=[False, True], kind="stable")
    placed["country"] = placed["country"].astype(bool)  # an empty frame's column is not yet boolean
    countries = placed[placed["country"]].drop(columns=["country", "lat", "lon"]).reset_index(drop=True)
    pts = placed[~placed["country"]].drop(columns=["country", "iso3"]).reset_index(drop=True)

    names = participant_names(c, eng, [latest[r["latest_ord"]]["id"] for r in routes if r["count"] == 1])
    route_rows = []
    for r in routes:
        ev = latest[r["latest_ord"]]
        a, b = c.coords[r["origin"]], c.coords[r["place"]]
        row = {
            "kind": r["kind"], "style": r["style"], "origin": r["origin"],
            "origin_name": c.places[r["origin"]].name, "place": r["place"], "count": r["count"],
            "latest": ev["id"], "km": _km(a.lat, a.lon, b.lat, b.lon),
            "lat0": a.lat, "lon0": a.lon, "lat1": b.lat, "lon1": b.lon, "coding": r["coding"],
        }  # fmt: skip
        row["hover"] = _route_hover(c, row, ev, names.get(ev["id"], ""))
        route_rows.append(row)
    route_frame = pd.DataFrame(route_rows, columns=ROUTE_COLUMNS)
    frame = Frame.around(placed["lat"].tolist(), placed["lon"].tolist())
    extent = Frame.around([*placed["lat"], *route_frame["lat0"]], [*placed["lon"], *route_frame["lon0"]])
    placed_events = int(placed["events"].sum()) if len(placed) else 0
    if clusters is not None:
        every = clusters[clusters["layer"] == len(layers) - 1]
        placed_events += int(every["events"].sum())
        frame = Frame.around([*placed["lat"], *every["lat"]], [*placed["lon"], *every["lon"]])
        extent = Frame.around(
            [*placed["lat"], *every["lat"], *route_frame["lat0"]],
            [*placed["lon"], *every["lon"], *route_frame["lon0"]],
        )
    return MapData(
        pts, countries, route_frame, total - placed_events, frame, extent, None, aggregated, dropped,
        clusters, layers, clustered, by_story,
    )  # fmt: skip


def _told(groups: list[dict[str, Any]], records: int, by_story: bool) -> dict[str, int]:
    """A mark's stories, their outlets, and its weight (what its size shows), from its groups."""
    if not by_story:
        return {"stories": records, "outlets": 0, "weight": records}
    if len(groups) == 1:
        stories, outlets = int(groups[0]["stories"]), int(groups[0]["outlets"])
    else:
        stories = sum(int(g["stories"]) for g in groups)
        outlets = sum(int(g["outlets"]) for g in groups)
    return {"stories": stories, "outlets": outlets, "weight": max(outlets, stories)}


def story_text(stories: int, records: int, outlets: int) -> str:
    """ "3 stories from 12 records, 5 outlets" (plain text: numbers and fixed words only)."""
    rec = f"{records:,} record{'' if records == 1 else 's'}"
    if not stories:  # records of stories whose own place is another (a country's, say)
        return f"{rec} of stories placed elsewhere"
    return (
        f"{stories:,} {'story' if stories == 1 else 'stories'} from {rec}, "
        f"{outlets:,} outlet{'' if outlets == 1 else 's'}"
    )


def _clusters(
    atlas: Atlas, rows: list[dict[str, Any]], by_story: bool = False
) -> tuple[pd.DataFrame, tuple[Layer, ...]]:
    """The engine's clusters as layers: a resolution is a layer when it groups places (fewer cells
    than 0.7 × the places), then every place; each cluster with its name, colour and hover."""
    if not rows:
        return pd.DataFrame(columns=CLUSTER_COLUMNS), ()
    by_res: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_res.setdefault(int(r["res"]), []).append(r)
    places = len(by_res.get(query.POINT_RES, []))
    kept = [res for res in CELL_RES if res in by_res and len(by_res[res]) <= 0.7 * places]
    layers = tuple(
        Layer(res, round(1.8 * EDGE_KM[res]), f"~{round(2 * EDGE_KM[res], -1):,.0f} km") for res in kept
    )
    layers += (Layer(query.POINT_RES, round(1.8 * EDGE_KM[4]), "places"),)
    out = []
    for i, layer in enumerate(layers):
        for r in by_res[layer.res]:
            n, q = int(r["events"]), [int(r[f"q{k}"]) for k in (1, 2, 3, 4)]
            name = atlas.places[r["top"]].name
            told = _told([r], n, by_story)
            out.append(
                {
                    "layer": i, "key": f"@{layer.res}:{r['cell']}", "name": name,
                    "lat": float(r["lat"]), "lon": float(r["lon"]), "events": n, "places": int(r["places"]),
                    "quad": 1 + max(range(4), key=lambda k: (q[k], -k)),
                    "hover": _cluster_hover(name, r, q, told if by_story else None),
                    "q1": q[0], "q2": q[1], "q3": q[2], "q4": q[3], **told,
                }
            )  # fmt: skip
    return pd.DataFrame(out, columns=CLUSTER_COLUMNS), layers


def _cluster_hover(name: str, r: dict[str, Any], q: list[int], told: dict[str, int] | None = None) -> str:
    n, more = int(r["events"]), int(r["places"]) - 1
    where = f"<b>{escape.plotly_text(name)}</b>" + (
        f" and {more:,} more place{'s' if more > 1 else ''}" if more else ""
    )
    classes = " · ".join(f"{QUADS[k + 1].lower()} {q[k]:,}" for k in range(4) if q[k])
    tail = "click to list them, latest first" + ("; zoom in to see each place" if more else "")
    count = story_text(told["stories"], n, told["outlets"]) if told else f"{n:,} event{'s' if n != 1 else ''}"
    return "<br>".join([f"{where} · {count}", classes, tail])


def _route_groups(groups: query.MapGroups) -> tuple[list[dict[str, Any]], bool, int]:
    """Contacts by (kind, origin, place), or by (origin, place) across kinds when there are too many."""
    routes = [
        {
            "kind": ANY if groups.aggregated else g["kind"],
            "style": g["style"] if groups.aggregated else g["kind"],
            "origin": g["origin"],
            "place": g["place"],
            "count": int(g["events"]),
            "latest_ord": _latest_ord([g]),
            "coding": g["coding"],
        }
        for g in groups.routes
    ]
    return routes, groups.aggregated, groups.dropped


def map_selection(atlas: Atlas, data: MapData, selected: str | None) -> MapData:
    """The map with the selected event's place (and its route, for a contact) marked."""
    ev = atlas.event(selected) if selected else None
    if ev is None or ev["point"] is None:
        return replace(data, selected=None)
    return replace(data, selected=(ev["point"], ev["origin_point"] or ""))


def step(atlas: Atlas, f: Filters, group: tuple[str, ...], current: str | None) -> str | None:
    """The event a click on the map selects: the group's latest, then the one before …

    `group` is a mark's (kind, place, origin[, coding]), with `place` a map
    point: a site's events are its city's. ANY as kind matches every kind; ANY as
    origin matches every event at the place (a place marker or a shaded
    country), an origin only the contacts from there (a route).
    """
    kind, place, origin = group[:3]
    if place.startswith("@"):
        # A cluster: (ANY, "@RES:CELL", ANY, its codings joined by "+"); RES POINT_RES: CELL is a place.
        res, cell = place[1:].split(":", 1)
        return query.step_in_cluster(atlas.engine, f, int(res), cell, group[3].split("+"), current)
    coding = group[3] if len(group) > 3 and group[3] != ANY else None
    return query.step_at(
        atlas.engine, f, place, None if origin == ANY else origin, None if kind == ANY else kind, current,
        coding,
    )  # fmt: skip


def members(atlas: Atlas, f: Filters, group: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    """The events of a map mark (`group` as in `step`), latest first, up to `limit`."""
    kind, place, origin = group[:3]
    if place.startswith("@"):
        res, cell = place[1:].split(":", 1)
        return query.members_in_cluster(atlas.engine, f, int(res), cell, group[3].split("+"), limit)
    coding = group[3] if len(group) > 3 and group[3] != ANY else None
    origin_or_none, kind_or_none = (None if origin == ANY else origin), (None if kind == ANY else kind)
    return query.members_at(atlas.engine, f, place, origin_or_none, kind_or_none, coding, limit)


def mark_title(atlas: Atlas, group: tuple[str, ...]) -> str:
    """What a map mark stands for, in words: 'Minsk', 'Washington → Minsk', 'this cluster'."""
    _kind, place, origin = group[:3]
    if place.startswith("@"):
        res, cell = place[1:].split(":", 1)
        one = int(res) == query.POINT_RES and cell in atlas.places
        return atlas.places[cell].name if one else "this cluster"
    name = atlas.places[place].name if place in atlas.places else place
    if origin != ANY and origin in atlas.places:
        return f"{atlas.places[origin].name} → {name}"
    return name


def shows_any(data: MapData, view: str | None) -> bool:
    """Whether a reader's map view still holds a marker (a filter change may leave none in it)."""
    box = zoom.map_box(view)
    if box is None:
        return True
    w, s, e, n = box
    marks = [(data.points["lat"], data.points["lon"])]
    marks += [(data.routes["lat0"], data.routes["lon0"]), (data.routes["lat1"], data.routes["lon1"])]
    if data.clusters is not None:
        marks.append((data.clusters["lat"], data.clusters["lon"]))
    lat = pd.concat([m[0] for m in marks], ignore_index=True).astype(float)
    lon = pd.concat([m[1] for m in marks], ignore_index=True).astype(float)
    inside = (lat >= s) & (lat <= n) & (((lon >= w) & (lon <= e)) | ((lon + 360 >= w) & (lon + 360 <= e)))
    return bool(inside.any())


def view_frame(data: MapData, view: str | None) -> Frame | None:
    """The frame a `map` view asks for: None as built (the events), the extent for "all", or a box."""
    if view == "all":
        return data.extent
    box = zoom.map_box(view)
    if box is None:
        return None
    w, s, e, n = box
    return Frame((s, n), (w, e))


@functools.lru_cache(maxsize=65536)
def _km(lat0: float, lon0: float, lat1: float, lon1: float) -> int:
    # Routes repeat across reruns; geodesic is exact but not cheap.
    return round(geodesic((lat0, lon0), (lat1, lon1)).km)


def _counted(per_kind: dict[str, int]) -> str:
    """ "5 statements, 1 meeting …": the kinds at a place, commonest first."""
    order = sorted(per_kind, key=lambda k: -per_kind[k])
    parts = [f"{per_kind[k]:,} × {TAXONOMY[k].label.lower()}" for k in order if per_kind[k]]
    more = len(parts) - 4
    return ", ".join(parts[:4]) + (f" and {more} more kinds" if more > 0 else "")


def _place_hover(
    name: str,
    groups: list[dict[str, Any]],
    latest: dict[str, Any],
    coding: str,
    doubtful: int,
    why: str,
    told: dict[str, int] | None = None,
) -> str:
    per_kind: dict[str, int] = {}
    for g in groups:
        per_kind[g["kind"]] = per_kind.get(g["kind"], 0) + int(g["events"])
    n = sum(per_kind.values())
    tail = []
    if coding == "machine":
        tail.append("<i>machine-coded (hollow mark)</i>")
    elif coding == "draft":
        tail.append("<i>drafts, not yet reviewed (pale mark)</i>")
    if doubtful:
        share = "its place is" if n == 1 else f"{doubtful:,} of {n:,} have a place that is"
        reason = f" — {escape.plotly_text(why)}" if why else " (see each event's details)"
        tail.append(f"<i>suspect: {share} doubtful{reason}</i>")
    # Stories mode, a mark of machine-coded records: its stories and their outlets come first.
    told_text = story_text(told["stories"], n, told["outlets"]) if told and coding == "machine" else ""
    if n == 1:
        label = TAXONOMY[latest["kind"]].label
        return "<br>".join(
            [f"<b>{escape.plotly_text(name)}</b> · {escape.plotly_text(label)}", event_line(latest),
             *([told_text] if told_text else []), *tail]
        )  # fmt: skip
    head = told_text or f"{n:,} events"
    return "<br>".join(
        [
            f"<b>{escape.plotly_text(name)}</b> · {head}",
            escape.plotly_text(_counted(per_kind)),
            "latest: " + event_line(latest),
            *tail,
            "click to list them, latest first",
        ]
    )


def _route_hover(atlas: Atlas, r: dict[str, Any], latest: dict[str, Any], names: str) -> str:
    where = f"{where_text(atlas, r['origin'], r['place'])} · {r['km']:,} km"
    if r["count"] == 1:
        lines = [
            f"<b>{escape.plotly_text(TAXONOMY[r['style']].label)}</b> · {escape.plotly_text(where)}",
            event_line(latest), escape.plotly_text(names),
            f"{latest['certainty']} · {escape.plotly_text(latest['attribution'])}",
        ]  # fmt: skip
        return "<br>".join(lines)
    label = TAXONOMY[r["style"]].label
    what = f"contacts, mostly {label.lower()}" if r["kind"] == ANY else f"× {label}"
    return "<br>".join(
        [
            f"<b>{r['count']:,} {escape.plotly_text(what)}</b> · {escape.plotly_text(where)}",
            "latest: " + event_line(latest),
            "click to list them, latest first",
        ]
    )


def map_text(data: MapData, atlas: Atlas) -> list[str]:
    """The map as sentences, for readers who cannot see it: places, countries and routes, busiest first."""
    lines = []
    # Rows as tuples: pandas' iterrows builds a Series per row, the most of this function's time.
    for p in data.points.itertuples(index=False):
        machine = {"machine": " (machine-coded)", "draft": " (drafts)"}.get(p.coding, "")
        doubt = f" — suspect place: {p.suspect}" if p.suspect else ""
        lines.append(f"{p.name}: {_count_text(data, p)}{machine}{doubt}")
    if data.clusters is not None and len(data.layers):
        every = data.clusters[data.clusters["layer"] == len(data.layers) - 1]
        machine = " (machine-coded)" if data.clustered == ("machine",) else ""
        cols = (every[c].tolist() for c in ("name", "events", "stories", "outlets"))
        for name, n, stories, outlets in zip(*cols, strict=True):
            told = story_text(stories, n, outlets) if data.by_story else f"{n:,} event{'s' if n != 1 else ''}"
            lines.append(f"{name}: {told}{machine}")
    for p in data.countries.itertuples(index=False):
        lines.append(f"{p.name} (the country): {_count_text(data, p)}")
    for r in data.routes.itertuples(index=False):
        what = "contacts" if r.kind == ANY else TAXONOMY[r.style].label.lower()
        lines.append(f"{where_text(atlas, r.origin, r.place)}, {r.km:,} km: {r.count:,} × {what}")
    return lines


def _count_text(data: MapData, mark: Any) -> str:
    """A mark's count in words: its stories (stories mode, when it holds machine-coded records or
    a story of several), else its events."""
    n = int(mark.events)
    if data.by_story and (getattr(mark, "coding", "machine") == "machine" or int(mark.stories) != n):
        return story_text(int(mark.stories), n, int(mark.outlets))
    return f"{n:,} event{'s' if n != 1 else ''}"


def kinds_by_class() -> str:
    """The taxonomy's kinds under CAMEO's four quad classes, as Markdown: the clusters' legend, in full."""
    lines = []
    for q, name in QUADS.items():
        kinds = [f"{k.label} ({k.cameo})" for k in TAXONOMY.values() if quad_class(k.cameo) == q]
        lines.append(f"- **{name}**: {', '.join(kinds)}")
    return "\n".join(lines)
