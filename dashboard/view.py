"""Page-ready data: what each view shows for a corpus, its filters and selection.

Plain functions over the corpus frames; the pages only lay these out.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from geopy.distance import geodesic

from dashboard import markup, store
from dashboard.arrow import isin
from dashboard.corpus import Corpus, records
from dashboard.filters import Filters
from dashboard.model import TAXONOMY, EventDate, Precision

CERTAINTY_HELP = {
    "confirmed": "stated in the article's own voice, or quoted or shown directly",
    "reported": "relayed from others: “reportedly”, “Reuters reported, citing sources”",
    "claimed": "one party's own account, not independently confirmed",
}


# --- labels ---------------------------------------------------------------------------


def date_label(ev: dict[str, Any]) -> str:
    """'21 June 2025', 'February 2025', '2020 – 21 June 2025', 'date unknown (by …)'."""
    start = None if pd.isna(ev["start"]) else pd.Timestamp(ev["start"]).date()
    end = None if pd.isna(ev["end"]) else pd.Timestamp(ev["end"]).date()
    return EventDate(precision=Precision(ev["precision"]), start=start, end=end).label()


def event_label(ev: dict[str, Any]) -> str:
    """One line for a select box: date · kind — summary."""
    return f"{date_label(ev)} · {TAXONOMY[ev['kind']].label} — {ev['summary']}"


def participant_names(corpus: Corpus, event_ids: pd.Series | list[str]) -> dict[str, str]:
    """'Keith Kellogg (visitor), Alexander Lukashenko (host)' for each event."""
    parts = corpus.participants[isin(corpus.participants["event"], pd.Series(list(event_ids), dtype="str"))]
    names = {a: x.name for a, x in corpus.actors.items()}
    out: dict[str, list[str]] = {}
    for eid, actor, role in parts[["event", "actor", "role"]].itertuples(index=False):
        out.setdefault(eid, []).append(f"{names[actor]} ({role})" if role else names[actor])
    return {k: ", ".join(v) for k, v in out.items()}


def year_span(events: pd.DataFrame) -> str:
    starts = events["start"].dropna()
    if starts.empty:
        return "undated"
    lo, hi = starts.min().year, events["end"].dropna().max().year
    return str(lo) if lo == hi else f"{lo}–{hi}"


def summary_line(corpus: Corpus, events: pd.DataFrame) -> str:
    """'7 of 22 events · 2020–2025 · 3 without a place'."""
    total = len(corpus.events)
    parts = [f"{len(events):,} of {total:,} events"]
    if len(events):
        parts.append(year_span(events))
        unplaced = int((~isin(events["place"], corpus.coords.keys())).sum())
        if unplaced:
            parts.append(f"{unplaced:,} without a place")
    return " · ".join(parts)


# --- the selected event ---------------------------------------------------------------


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


def details(corpus: Corpus, event_id: str) -> Details | None:
    rows = records(corpus.events[corpus.events["id"] == event_id])
    if not rows:
        return None
    ev = rows[0]
    kind = TAXONOMY[ev["kind"]]
    place = _place_text(corpus, ev["place"], ev["geo_precision"])
    if ev["origin"]:
        place = f"{_place_text(corpus, ev['origin'], None)} → {place}"
    quotes = corpus.quotes(corpus.sources[corpus.sources["event"] == event_id])
    return Details(
        id=event_id,
        title=ev["summary"],
        date=date_label(ev),
        precision=ev["precision"],
        kind=kind.label,
        cameo=f"CAMEO {kind.cameo} · {kind.cameo_name}",
        participants=participant_names(corpus, [event_id]).get(event_id, ""),
        place=place,
        attribution=ev["attribution"],
        certainty=ev["certainty"],
        certainty_help=CERTAINTY_HELP[ev["certainty"]],
        quotes=quotes,
        note=ev["note"],
        distance_km=distance_km(corpus, ev["origin"], ev["place"]),
    )


def _place_text(corpus: Corpus, pid: str | None, precision: str | None) -> str:
    if pid is None:
        return "not stated"
    p = corpus.places[pid]
    parent = corpus.places.get(p.parent) if p.parent else None
    name = f"{p.name}, {parent.name}" if parent else p.name
    if pid not in corpus.coords:
        return f"{name} (not geocoded)"
    return f"{name} ({precision} precision)" if precision else name


def distance_km(corpus: Corpus, origin: str | None, place: str | None) -> int | None:
    """Geodesic length of a contact's arc, in whole km."""
    a, b = corpus.coords.get(origin or ""), corpus.coords.get(place or "")
    if a is None or b is None:
        return None
    return round(geodesic(a, b).km)


# --- the article ----------------------------------------------------------------------


def article_html(corpus: Corpus, article_id: str, events: pd.DataFrame, selected: str | None) -> str:
    """The article as escaped HTML with the source spans of `events` marked.

    Overlapping spans are split at every boundary, so each piece of text is
    marked once with all the events that cite it; the selected event's pieces
    get the class `selected`. Every character of the article is escaped.
    Only this article's spans are looked at, whatever the corpus size.
    """
    in_article = corpus.sources[corpus.sources["article"] == article_id]
    shown = events[isin(events["id"], in_article["event"])]
    summary = dict(zip(shown["id"], shown["summary"], strict=True))
    srcs = in_article[isin(in_article["event"], shown["id"])]
    spans = [
        markup.Span(e, s, t) for e, s, t in srcs[["event", "start", "end"]].itertuples(index=False, name=None)
    ]
    language = corpus.articles[article_id].language
    return markup.article_html(corpus.texts[article_id], spans, summary, selected, language)


def article_meta(corpus: Corpus, article_id: str) -> str:
    a = corpus.articles[article_id]
    return f"{a.publisher} · {a.published:%-d %B %Y}" + (f" · {a.url}" if a.url else "")


def reading_article(corpus: Corpus, events: pd.DataFrame, f: Filters) -> str | None:
    """The article to show: the selected event's, else the first filtered event's."""
    if f.event:
        hit = corpus.events.loc[corpus.events["id"] == f.event, "article"]
        if len(hit):
            return str(hit.iloc[0])
    if len(events):
        return str(events["article"].iloc[0])
    return next(iter(corpus.articles), None)


# --- the map --------------------------------------------------------------------------


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
    kind (the events' one kind, or ANY), latest (event id), hover.
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


ANY = "*"  # in a marker's (kind, place, origin): any kind, or any origin
MAX_ROUTES = 150  # contact routes a reader can tell apart: beyond, merged across kinds, the busiest drawn


def map_points(corpus: Corpus) -> dict[str, str]:
    """Where each geocoded place is drawn: a site inside a geocoded city is drawn at its city.

    Events at one spot stay at that spot: one marker, which steps through them
    when clicked, instead of markers spread around it onto their neighbours.
    """
    return store.map_points(corpus)


def _point_codes(values: pd.Series, points: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's map point as an integer code (the last code: not on the map), and the point ids."""
    codes, names = _codes(values)
    ids = np.asarray([*sorted(set(points.values())), ""], dtype=object)
    index = {p: i for i, p in enumerate(ids)}
    lookup = np.asarray([index[points.get(str(n), "")] for n in names], dtype=np.int64)
    return lookup[codes], ids


def map_data(corpus: Corpus, events: pd.DataFrame, selected: str | None = None) -> MapData:
    """Places sized by their events, contacts as arrows into their destination, countries shaded.

    Every event drawn sits at its own place (a site at its city): one marker
    there, whatever the kinds, clicked to step through them latest first
    (`step_selection`). A contact is also an arrow from its origin, one per
    (kind, origin, place), or merged across kinds with only the MAX_ROUTES
    busiest drawn when there are more. Events placed only in a country shade
    that country. Grouping runs on integer codes: a million events group in
    tens of milliseconds.
    """
    points = map_points(corpus)
    point_c, point_ids = _point_codes(events["place"], points)
    origin_c, _ = _point_codes(events["origin"], points)
    nowhere = len(point_ids) - 1
    kind_c, kinds = _codes(events["kind"])
    n_kinds, n_points = len(kinds), len(point_ids)
    rows = np.flatnonzero(point_c != nowhere)
    pc, kc, oc = point_c[rows], kind_c[rows], origin_c[rows]
    dated = events["start"].notna().to_numpy()[rows]

    # Events at each point, by kind; each point's latest event (date order, undated last).
    per_kind = np.bincount(pc * n_kinds + kc, minlength=n_points * n_kinds).reshape(n_points, n_kinds)
    total = per_kind.sum(axis=1)
    latest = _latest(pc, rows, dated, n_points)
    at = np.flatnonzero(total)
    summary = events["summary"].to_numpy()
    ids = events["id"].to_numpy()
    is_country = np.asarray([corpus.places[p].kind == "country" if p else False for p in point_ids])

    def one_kind(i: int) -> str:
        present = np.flatnonzero(per_kind[i])
        return str(kinds[present[0]]) if len(present) == 1 else ANY

    place_rows = []
    for i in at:
        pid = str(point_ids[i])
        p, c = corpus.places[pid], corpus.coords[pid]
        place_rows.append(
            {
                "place": pid, "name": p.name, "iso3": p.country, "lat": c.lat, "lon": c.lon,
                "events": int(total[i]), "kind": one_kind(i), "latest": ids[latest[i]],
                "hover": _place_hover(p.name, per_kind[i], kinds, events.iloc[latest[i]], summary[latest[i]]),
                "country": bool(is_country[i]),
            }
        )  # fmt: skip
    cols = ["place", "name", "iso3", "lat", "lon", "events", "kind", "latest", "hover", "country"]
    placed = pd.DataFrame(place_rows, columns=cols).sort_values("events", ascending=False, kind="stable")
    countries = placed[placed["country"]].drop(columns=["country", "lat", "lon"]).reset_index(drop=True)
    pts = placed[~placed["country"]].drop(columns=["country", "iso3"]).reset_index(drop=True)

    routes, aggregated, dropped = _routes(corpus, events, rows, pc, kc, oc, dated, point_ids, kinds)
    frame = Frame.around(placed["lat"].tolist(), placed["lon"].tolist())
    extent = Frame.around([*placed["lat"], *routes["lat0"]], [*placed["lon"], *routes["lon0"]])
    data = MapData(
        pts, countries, routes, int(len(events) - len(rows)), frame, extent, None, aggregated, dropped
    )
    return map_selection(corpus, data, selected)


def _latest(codes: np.ndarray, rows: np.ndarray, dated: np.ndarray, n: int) -> np.ndarray:
    """Each code's latest row: its last dated row, or its last row when none is dated."""
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, codes, rows)
    latest = np.full(n, -1, dtype=np.int64)
    np.maximum.at(latest, codes[dated], rows[dated])
    return np.where(latest >= 0, latest, last)


def _routes(
    corpus: Corpus, events: pd.DataFrame, rows: np.ndarray, pc: np.ndarray, kc: np.ndarray, oc: np.ndarray,
    dated: np.ndarray, point_ids: np.ndarray, kinds: np.ndarray,
) -> tuple[pd.DataFrame, bool, int]:  # fmt: skip
    """Contacts grouped by (kind, origin, place), or by (origin, place) when there are too many."""
    n_points, n_kinds = len(point_ids), len(kinds)
    contact = (oc != n_points - 1) & (oc != pc)
    r, pc, kc, oc, dated = rows[contact], pc[contact], kc[contact], oc[contact], dated[contact]
    key = (kc * n_points + oc) * n_points + pc
    uniq, inverse = _factorize(key, n_kinds * n_points * n_points)
    aggregated = len(uniq) > MAX_ROUTES
    if aggregated:
        uniq, inverse = _factorize(oc * n_points + pc, n_points * n_points)
        commonest = np.bincount(inverse * n_kinds + kc, minlength=len(uniq) * n_kinds)
        style_c = commonest.reshape(len(uniq), n_kinds).argmax(axis=1)
        kind = np.full(len(uniq), ANY, dtype=object)
        origin, place = uniq // n_points, uniq % n_points
    else:
        style_c = uniq // (n_points * n_points)
        kind = kinds[style_c]
        origin, place = (uniq // n_points) % n_points, uniq % n_points
    count = np.bincount(inverse, minlength=len(uniq))
    latest = _latest(inverse, r, dated, len(uniq))
    routes = pd.DataFrame(
        {
            "kind": kind, "style": kinds[style_c], "origin": point_ids[origin], "place": point_ids[place],
            "count": count, "row": latest,
        }
    ).sort_values("count", ascending=False, kind="stable")  # fmt: skip
    dropped = int(routes["count"].iloc[MAX_ROUTES:].sum())
    routes = routes.iloc[:MAX_ROUTES].reset_index(drop=True)
    lat_of = {p: c.lat for p, c in corpus.coords.items()}
    lon_of = {p: c.lon for p, c in corpus.coords.items()}
    routes["latest"] = events["id"].to_numpy()[routes["row"].to_numpy()] if len(routes) else []
    for end, col in (("0", "origin"), ("1", "place")):
        routes["lat" + end] = routes[col].map(lat_of).astype(float)
        routes["lon" + end] = routes[col].map(lon_of).astype(float)
    pts = routes[["lat0", "lon0", "lat1", "lon1"]].itertuples(index=False, name=None)
    routes["km"] = [_km(a, b, c, d) for a, b, c, d in pts]
    routes["origin_name"] = [corpus.places[o].name for o in routes["origin"]]
    names = participant_names(corpus, routes["latest"].tolist())
    routes["hover"] = [
        _route_hover(corpus, r, events.iloc[r["row"]], names.get(r["latest"], ""))
        for _, r in routes.iterrows()
    ]
    cols = ["kind", "style", "origin", "origin_name", "place", "count", "latest", "km",
            "lat0", "lon0", "lat1", "lon1", "hover"]  # fmt: skip
    return routes.reindex(columns=cols), aggregated, dropped


def map_selection(corpus: Corpus, data: MapData, selected: str | None) -> MapData:
    """The map with the selected event's place (and its route, for a contact) marked."""
    rec = records(corpus.events[corpus.events["id"] == selected]) if selected else []
    points = map_points(corpus)
    if not rec or rec[0]["place"] not in points:
        return replace(data, selected=None)
    e = rec[0]
    return replace(data, selected=(points[e["place"]], points.get(e["origin"] or "", "")))


@functools.lru_cache(maxsize=65536)
def _km(lat0: float, lon0: float, lat1: float, lon1: float) -> int:
    # Routes repeat across reruns; geodesic is exact but not cheap.
    return round(geodesic((lat0, lon0), (lat1, lon1)).km)


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column (missing: the last code) and the strings they stand for."""
    cat = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    names = np.asarray([str(c) for c in cat.cat.categories] + [""], dtype=object)
    codes = cat.cat.codes.to_numpy().astype(np.int64)
    return np.where(codes < 0, len(names) - 1, codes), names


def _factorize(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct keys (sorted) and each row's group number, for keys in range(space)."""
    present = np.bincount(key, minlength=space) > 0
    uniq = np.flatnonzero(present)
    lookup = np.cumsum(present) - 1
    return uniq, lookup[key]


def _counted(per_kind: np.ndarray, kinds: np.ndarray) -> str:
    """ "5 statements, 1 meeting …": the kinds at a place, commonest first."""
    order = np.argsort(-per_kind, kind="stable")
    parts = [f"{per_kind[i]:,} × {TAXONOMY[str(kinds[i])].label.lower()}" for i in order if per_kind[i]]
    more = len(parts) - 4
    return ", ".join(parts[:4]) + (f" and {more} more kinds" if more > 0 else "")


def _event_line(ev: pd.Series, summary: str) -> str:
    return f"{markup.plotly_text(date_label(_clean(ev.to_dict())))} · " + _wrap_html(summary)


def _place_hover(name: str, per_kind: np.ndarray, kinds: np.ndarray, latest: pd.Series, summary: str) -> str:
    n = int(per_kind.sum())
    if n == 1:
        label = TAXONOMY[str(latest["kind"])].label
        return "<br>".join(
            [f"<b>{markup.plotly_text(name)}</b> · {markup.plotly_text(label)}", _event_line(latest, summary)]
        )
    return "<br>".join(
        [
            f"<b>{markup.plotly_text(name)}</b> · {n:,} events",
            markup.plotly_text(_counted(per_kind, kinds)),
            "latest: " + _event_line(latest, summary),
            "click to step through them, latest first",
        ]
    )


def _route_hover(corpus: Corpus, r: pd.Series, latest: pd.Series, names: str) -> str:
    where = f"{_where(corpus, r['origin'], r['place'])} · {r['km']:,} km"
    if r["count"] == 1:
        e = _clean(latest.to_dict())
        lines = [
            f"<b>{markup.plotly_text(TAXONOMY[r['style']].label)}</b> · {markup.plotly_text(where)}",
            _event_line(latest, e["summary"]), markup.plotly_text(names),
            f"{e['certainty']} · {markup.plotly_text(e['attribution'])}",
        ]  # fmt: skip
        return "<br>".join(lines)
    label = TAXONOMY[r["style"]].label
    what = f"contacts, mostly {label.lower()}" if r["kind"] == ANY else f"× {label}"
    return "<br>".join(
        [
            f"<b>{r['count']:,} {markup.plotly_text(what)}</b> · {markup.plotly_text(where)}",
            "latest: " + _event_line(latest, str(latest["summary"])),
            "click to step through them, latest first",
        ]
    )


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rec.items()}


def step_selection(
    corpus: Corpus, events: pd.DataFrame, group: tuple[str, str, str], current: str | None
) -> str | None:
    """The event a click on the map selects: the group's latest, then the one before …

    `group` is a mark's (kind, place, origin), with `place` a map point
    (`map_points`): a site's events are its city's. ANY as kind matches every
    kind; ANY as origin matches every event at the place (a place marker or
    a shaded country), an origin only the contacts from there (a route).
    """
    kind, place, origin = group
    points = map_points(corpus)
    point_c, point_ids = _point_codes(events["place"], points)
    where = np.flatnonzero(point_ids == place)
    if not len(where):
        return None
    m = point_c == where[0]
    if origin != ANY:
        origin_c, _ = _point_codes(events["origin"], points)
        hit = np.flatnonzero(point_ids == origin)
        m &= origin_c == (hit[0] if len(hit) else -1)
    if kind != ANY:
        m &= (events["kind"] == kind).to_numpy()
    return _step(events.loc[m], current)


def _step(members: pd.DataFrame, current: str | None) -> str | None:
    """Latest dated first, then back in time, then the undated; wraps around."""
    if members.empty:
        return None
    dated = members.loc[members["start"].notna(), "id"].tolist()[::-1]
    order = dated + members.loc[members["start"].isna(), "id"].tolist()
    if current in order:
        return order[(order.index(current) + 1) % len(order)]
    return order[0]


def _where(corpus: Corpus, origin: str | None, place: str) -> str:
    there = corpus.places[place].name
    return f"{corpus.places[origin].name} → {there}" if origin in corpus.places else there


def _wrap_html(text: str) -> str:
    """Escaped, with line breaks Plotly's hover understands."""
    return markup.plotly_lines(_wrap(text).split("\n"))


def _wrap(text: str, width: int = 60) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join([*lines, line])


def map_text(data: MapData, corpus: Corpus) -> list[str]:
    """The map as sentences, for readers who cannot see it: places, countries and routes, busiest first."""
    lines = []
    for _, p in data.points.iterrows():
        lines.append(f"{p['name']}: {p['events']:,} event{'s' if p['events'] != 1 else ''}")
    for _, p in data.countries.iterrows():
        lines.append(f"{p['name']} (the country): {p['events']:,} event{'s' if p['events'] != 1 else ''}")
    for _, r in data.routes.iterrows():
        what = "contacts" if r["kind"] == ANY else TAXONOMY[r["style"]].label.lower()
        lines.append(f"{_where(corpus, r['origin'], r['place'])}, {r['km']:,} km: {r['count']:,} × {what}")
    return lines


# --- the timeline -----------------------------------------------------------------------


MAX_MARKS = 500  # timeline marks a reader can tell apart; beyond, events are binned in time
MAX_LANES = 20  # lanes when grouping by actor: the busiest actors
MAX_ACTOR_ROWS = 3  # rows in an actor's lane; beyond, marks share rows
BIN = "@bin"  # customdata tag of a binned mark


@dataclass(frozen=True)
class TimelineData:
    marks: pd.DataFrame  # event (or BIN), kind, lane, row, y, x0, x1, shape, hover, count
    lanes: pd.DataFrame  # lane, label, y (centre), rows
    undated: int
    binned: str | None = None  # the bin width ("month", "quarter", "year") when binned
    hidden_lanes: int = 0  # actor lanes beyond MAX_LANES, not drawn
    selected: list[int] = field(default_factory=list)  # rows of `marks` holding the selected event


def _lane_frame(corpus: Corpus, events: pd.DataFrame, lanes: str) -> tuple[pd.DataFrame, dict[str, str], int]:
    """Events with a `lane` column (kind, or actor: one row per participant), and lane labels."""
    if lanes == "actor":
        parts = corpus.participants[isin(corpus.participants["event"], events["id"])]
        busiest = parts["actor"].value_counts()
        busiest = busiest[busiest > 0]
        keep = [str(a) for a in busiest.index[:MAX_LANES]]
        parts = parts[isin(parts["actor"], keep)]
        lane = parts["actor"].astype(str).astype("category")
        ev = events.merge(pd.DataFrame({"id": parts["event"], "lane": lane}), on="id")
        return ev, {a: corpus.actors[a].name for a in keep}, max(len(busiest) - MAX_LANES, 0)
    ev = events.assign(lane=events["kind"])
    return ev, {k: v.label for k, v in TAXONOMY.items()}, 0


def timeline_data(
    corpus: Corpus, events: pd.DataFrame, lanes: str = "kind", selected: str | None = None
) -> TimelineData:
    """Marks in lanes (by kind, or by actor).

    Up to MAX_MARKS events, one mark each, packed into rows: a day is a
    point; a month, a year or a span is a bar across it; a date known only as
    "before X" is a left-pointing marker at X. Beyond that, events are binned
    by month, quarter or year on the server and each bin is one mark sized by
    its count, which a click steps through (`step_bin`).
    """
    dated = events[events["end"].notna()]
    ev, label_of, hidden = _lane_frame(corpus, dated, lanes)
    undated = len(events) - len(dated)
    if len(ev) > MAX_MARKS:
        return timeline_selection(corpus, _binned(ev, label_of, undated, lanes, hidden), lanes, selected)
    ev = ev.copy()
    ev["shape"] = np.where(
        ev["start"].isna(),
        "before",
        np.where(ev["precision"].astype(str).eq("day") & ev["start"].eq(ev["end"]), "point", "bar"),
    )
    # A bar covers whole days: it ends at the end of its last day.
    ev["x0"] = ev["start"].where(ev["start"].notna(), ev["end"])
    ev["x1"] = ev["end"] + pd.Timedelta(days=1)
    span_days = max((ev["x1"].max() - ev["x0"].min()).days, 30) if len(ev) else 30
    pad = pd.Timedelta(days=span_days * 0.015)
    ev = ev.sort_values(["x0", "id"]).reset_index(drop=True)
    rows = np.zeros(len(ev), dtype=int)
    lane_rows: dict[str, int] = {}
    # Up to twenty actors' lanes: a few rows each keeps the chart's height bounded.
    cap = MAX_ACTOR_ROWS if lanes == "actor" else len(ev) + 1
    for lane, idx in ev.groupby("lane", sort=False).indices.items():
        ends: list[pd.Timestamp] = []
        for i in idx:
            x0 = ev.at[i, "x0"]
            x1 = ev.at[i, "x1"] if ev.at[i, "shape"] == "bar" else x0
            for r, last in enumerate(ends):
                if x0 > last + pad:
                    ends[r] = x1
                    rows[i] = r
                    break
            else:
                if len(ends) < cap:
                    ends.append(x1)
                    rows[i] = len(ends) - 1
                else:  # a full lane: share the row that frees up first
                    r = int(np.argmin(ends))
                    ends[r], rows[i] = max(ends[r], x1), r
        lane_rows[lane] = len(ends)
    ev["row"] = rows
    lane_table, base = _stack_lanes(ev, label_of, lane_rows, lanes)
    ev["y"] = [base[lane] + r for lane, r in zip(ev["lane"], ev["row"], strict=True)]
    names = participant_names(corpus, ev["id"])
    recs = records(ev[["id", "kind", "summary", "start", "end", "precision", "certainty", "attribution"]])
    ev["hover"] = [
        "<br>".join(
            [
                f"<b>{markup.plotly_text(TAXONOMY[r['kind']].label)}</b> · "
                + markup.plotly_text(date_label(r)),
                _wrap_html(r["summary"]),
                markup.plotly_text(names.get(r["id"], "")),
                f"{r['certainty']} · {markup.plotly_text(r['attribution'])}",
            ]
        )
        for r in recs
    ]
    ev["count"] = 1
    marks = ev.rename(columns={"id": "event"})[
        ["event", "kind", "lane", "row", "y", "x0", "x1", "shape", "hover", "count"]
    ]
    marks = marks.assign(kind=marks["kind"].astype(str))
    return timeline_selection(corpus, TimelineData(marks, lane_table, undated, None, hidden), lanes, selected)


def timeline_selection(corpus: Corpus, data: TimelineData, lanes: str, selected: str | None) -> TimelineData:
    """The timeline with the marks holding `selected` marked (its point, bar or bin)."""
    if not selected:
        return replace(data, selected=[])
    marks = data.marks
    if not data.binned:
        return replace(
            data, selected=[int(i) for i in np.flatnonzero((marks["event"] == selected).to_numpy())]
        )
    rec = records(corpus.events[corpus.events["id"] == selected])
    if not rec:
        return replace(data, selected=[])
    when = pd.Timestamp(rec[0]["start"] if rec[0]["start"] is not None else rec[0]["end"])
    if lanes == "actor":
        parts = corpus.participants[corpus.participants["event"] == selected]
        lanes_of = {str(a) for a in parts["actor"]}
    else:
        lanes_of = {rec[0]["kind"]}
    hit = (
        marks["lane"].isin(lanes_of).to_numpy()
        & (marks["x0"] <= when).to_numpy()
        & (marks["x1"] > when).to_numpy()
    )
    return replace(data, selected=[int(i) for i in np.flatnonzero(hit)])


def _stack_lanes(
    ev: pd.DataFrame, label_of: dict[str, str], lane_rows: dict[str, int], lanes: str
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Lane order (taxonomy order, or first appearance for actors) and each lane's first row."""
    present = set(ev["lane"])
    if lanes == "actor":
        order = list(ev.groupby("lane")["x0"].min().sort_values().index)
    else:
        order = [k for k in TAXONOMY if k in present]
    table, base, y = [], {}, 0.0
    for lane in order:
        n = lane_rows.get(lane, 1)
        base[lane] = y
        table.append((lane, label_of.get(lane, lane), y + (n - 1) / 2, n))
        y += n + (1.0 if lanes == "actor" else 0.6)  # actors' names are long: a wider gap between lanes
    return pd.DataFrame(table, columns=["lane", "label", "y", "rows"]), base


def _bin_width(span_days: int) -> str:
    # About sixty bins across the axis at most: each stays wide enough to see and to click.
    return "month" if span_days <= 1900 else ("quarter" if span_days <= 5600 else "year")


def _binned(
    ev: pd.DataFrame, label_of: dict[str, str], undated: int, lanes: str, hidden: int
) -> TimelineData:
    when = ev["start"].where(ev["start"].notna(), ev["end"])
    width = _bin_width((when.max() - when.min()).days)
    months = {"month": 1, "quarter": 3, "year": 12}[width]
    # Bins as whole numbers of months since year 0: grouping integers is fast at any size.
    index = (when.dt.year.to_numpy() * 12 + when.dt.month.to_numpy() - 1) // months
    lane = ev["lane"] if isinstance(ev["lane"].dtype, pd.CategoricalDtype) else ev["lane"].astype("category")
    kind = ev["kind"] if isinstance(ev["kind"].dtype, pd.CategoricalDtype) else ev["kind"].astype("category")
    keys = pd.DataFrame({"lane": lane.cat.codes.to_numpy(), "bin": index, "kind": kind.cat.codes.to_numpy()})
    counts = (
        keys.groupby(["lane", "bin"], sort=True)
        .agg(count=("kind", "size"), kind=("kind", "first"))
        .reset_index()
    )
    kinds = kind.cat.categories
    counts["lane"] = np.asarray(lane.cat.categories.astype(str))[counts["lane"].to_numpy()]
    counts["kind"] = np.asarray(kinds.astype(str))[counts["kind"].to_numpy()]
    first_month = counts["bin"].to_numpy() * months
    counts["x0"] = pd.to_datetime({"year": first_month // 12, "month": first_month % 12 + 1, "day": 1})
    counts["x1"] = counts["x0"] + pd.DateOffset(months=months)
    lane_table, base = _stack_lanes(counts, label_of, {}, lanes)
    counts["row"] = 0
    counts["y"] = counts["lane"].map(base)
    counts["shape"] = "bin"
    counts["hover"] = ""  # the figure's hover template reads count, lane and dates
    counts["event"] = BIN
    counts["label"] = counts["lane"].map(lambda lane: label_of.get(lane, lane))
    marks = counts[["event", "kind", "lane", "row", "y", "x0", "x1", "shape", "hover", "count", "label"]]
    return TimelineData(marks.reset_index(drop=True), lane_table, undated, width, hidden)


def step_bin(
    corpus: Corpus, events: pd.DataFrame, lanes: str, lane: str, start: str, end: str, current: str | None
) -> str | None:
    """The event a click on a timeline bin selects: its latest, then the one before …"""
    when = events["start"].where(events["start"].notna(), events["end"])
    m = ((when >= pd.Timestamp(start)) & (when < pd.Timestamp(end))).to_numpy()
    if lanes == "actor":
        parts = corpus.participants[corpus.participants["actor"] == lane]
        m = m & isin(events["id"], parts["event"])
    else:
        m = m & (events["kind"] == lane).to_numpy()
    return _step(events.loc[m], current)


# --- tables ---------------------------------------------------------------------------

MAX_CHOICES = 300  # events listed in the select box: the latest
MAX_ROWS = 1000  # rows in the events table; downloads hold every event


def select_choices(events: pd.DataFrame, selected: str | None) -> pd.DataFrame:
    """The events the select box lists: all of them, or the latest MAX_CHOICES and the selection."""
    if len(events) <= MAX_CHOICES:
        return events
    dated = events[events["start"].notna()]
    latest = dated.iloc[::-1].iloc[:MAX_CHOICES]
    if selected and not (latest["id"] == selected).any():
        latest = pd.concat([events[events["id"] == selected], latest])
    return latest


def events_table(corpus: Corpus, events: pd.DataFrame) -> pd.DataFrame:
    """The Events page's table: one row per event, in reading order."""
    names = participant_names(corpus, events["id"])
    srcs = corpus.sources[isin(corpus.sources["event"], events["id"])]
    quote = srcs.assign(quote=corpus.quotes(srcs)).groupby("event")["quote"].agg(" … ".join)
    recs = records(events)
    return pd.DataFrame(
        {
            "date": [date_label(e) for e in recs],
            "precision": events["precision"].to_numpy(),
            "kind": [TAXONOMY[k].label for k in events["kind"]],
            "participants": [names.get(e, "") for e in events["id"]],
            "place": [_where(corpus, e["origin"], e["place"]) if e["place"] else "—" for e in recs],
            "attribution": events["attribution"].to_numpy(),
            "certainty": events["certainty"].to_numpy(),
            "says_who": [
                f"{a} · {c}" for a, c in zip(events["attribution"], events["certainty"], strict=True)
            ],
            "quote": [quote.get(e, "") for e in events["id"]],
            "summary": events["summary"].to_numpy(),
            "id": events["id"].to_numpy(),
        }
    )


def places_table(corpus: Corpus) -> pd.DataFrame:
    """Each place with its coordinates and where they came from."""
    rows = []
    for pid, p in corpus.places.items():
        c = corpus.coords.get(pid)
        rows.append(
            {
                "place": p.name,
                "kind": p.kind.value,
                "country": p.country,
                "lat": c.lat if c else None,
                "lon": c.lon if c else None,
                "source": corpus.coord_sources.get(pid, "not geocoded"),
                "id": pid,
            }
        )
    return pd.DataFrame(rows)


# --- presentation assets for the article pane ---------------------------------------------

ARTICLE_CSS = """<style>
.article-text { font-size: 1.02rem; line-height: 1.65; }
.article-text p { margin: 0 0 0.9em; }
.article-text mark.ev { background: #fbf3d5; color: inherit; border-bottom: 1px solid #d9c27a;
  padding: 0 1px; border-radius: 2px; }
.article-text mark.ev.selected { background: #ffd166; border-bottom: 3px solid #111;
  outline: 2px solid #111; outline-offset: 1px; }
</style>"""
