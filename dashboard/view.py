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

from dashboard import markup
from dashboard.arrow import isin, with_default
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


def great_circle_midpoint(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    """The point halfway along the great circle, where the arc's marker sits."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    bx = math.cos(p2) * math.cos(l2 - l1)
    by = math.cos(p2) * math.sin(l2 - l1)
    lat = math.atan2(math.sin(p1) + math.sin(p2), math.hypot(math.cos(p1) + bx, by))
    lon = l1 + math.atan2(by, math.cos(p1) + bx)
    return math.degrees(lat), (math.degrees(lon) + 540) % 360 - 180


@dataclass(frozen=True)
class Frame:
    """The map's initial view: latitude and longitude ranges."""

    lat: tuple[float, float]
    lon: tuple[float, float]

    @classmethod
    def around(cls, lats: list[float], lons: list[float], aspect: float = 0.42) -> Frame:
        """Frame these points with a margin, widened to the chart's shape (height / width)
        so the map fills its box instead of shrinking to a strip."""
        if not lats:
            return cls((-60.0, 85.0), (-180.0, 180.0))
        lo_lat, hi_lat, lo_lon, hi_lon = min(lats), max(lats), min(lons), max(lons)
        lon_span = (hi_lon - lo_lon) * 1.2 + 20
        lat_span = max((hi_lat - lo_lat) * 1.3 + 12, lon_span * aspect)
        lon_span = min(max(lon_span, lat_span / aspect), 360)
        lat_span = min(lat_span, 150)
        mid_lat, mid_lon = (lo_lat + hi_lat) / 2, (lo_lon + hi_lon) / 2
        lat0 = min(max(mid_lat - lat_span / 2, -60), 85 - lat_span)
        lon0 = min(max(mid_lon - lon_span / 2, -180), 180 - lon_span)
        return cls((lat0, lat0 + lat_span), (lon0, lon0 + lon_span))

    @property
    def lon_span(self) -> float:
        return self.lon[1] - self.lon[0]


@dataclass(frozen=True)
class MapData:
    places: pd.DataFrame  # place, name, lat, lon, events, precision
    markers: (
        pd.DataFrame
    )  # kind (or ANY), style (a kind), place, origin, count, latest, lat, lon, hover, hollow
    arcs: pd.DataFrame  # style, origin, place, count, lat0, lon0, lat1, lon1, km
    unplaced: int
    frame: Frame
    selected: tuple[str, str, str] | None = None  # the (kind, place, origin) group of the selection
    aggregated: bool = False  # one marker per place and route instead of per kind
    routes_dropped: int = 0  # events on routes beyond MAX_ROUTES, not drawn


ANY = "*"  # in a marker's (kind, place, origin): any kind, or any origin (a place bubble)
MAX_GROUPS = 300  # markers a reader can still tell apart; beyond, the map aggregates further
MAX_ROUTES = 150  # contact routes drawn when aggregated, the busiest first


def map_data(corpus: Corpus, events: pd.DataFrame, selected: str | None = None) -> MapData:
    """Places sized by event count, and clickable markers for the events at each.

    Events group by (kind, place, origin): one marker per group, sized by its
    count and drawn in its kind's colour and symbol; a contact's marker sits
    at the middle of its great-circle arc. With more than MAX_GROUPS groups
    the map aggregates on the server instead: one marker per place and per
    route (coloured by its commonest kind), the MAX_ROUTES busiest routes
    drawn. Clicking a marker selects its latest event and, clicked again,
    steps back through the rest (`step_selection`). Markers that crowd one
    spot are spread on a small spiral.
    """
    coords = corpus.coords
    rows = np.flatnonzero(isin(events["place"], coords.keys()))
    # Group on integer codes: a million events group in tens of milliseconds.
    kind_c, kinds = _codes(events["kind"])
    place_c, place_ids = _codes(events["place"])
    origin_c, origin_ids = _codes(_origin_key(corpus, events))
    kind_c, place_c, origin_c = kind_c[rows], place_c[rows], origin_c[rows]
    places = _place_counts(corpus, place_c, place_ids, origin_c, origin_ids)
    n_origin, n_place = len(origin_ids), len(place_ids)
    key = (kind_c * n_place + place_c) * n_origin + origin_c
    uniq, inverse = _factorize(key, len(kinds) * n_place * n_origin)
    aggregated = len(uniq) > MAX_GROUPS
    if aggregated:
        key = place_c * n_origin + origin_c
        uniq, inverse = _factorize(key, n_place * n_origin)
    count = np.bincount(inverse, minlength=len(uniq))
    # Events come in date order, undated last: a group's latest is its last dated row.
    dated = events["start"].notna().to_numpy()[rows]
    last = np.full(len(uniq), -1, dtype=np.int64)
    np.maximum.at(last, inverse, rows)
    latest = np.full(len(uniq), -1, dtype=np.int64)
    np.maximum.at(latest, inverse[dated], rows[dated])
    latest = np.where(latest >= 0, latest, last)
    if aggregated:
        per_kind = np.bincount(inverse * len(kinds) + kind_c, minlength=len(uniq) * len(kinds))
        style_c = per_kind.reshape(len(uniq), len(kinds)).argmax(axis=1)
        kind_col = np.full(len(uniq), ANY, dtype=object)
    else:
        style_c = (uniq // (n_place * n_origin)).astype(np.int64)
        kind_col = kinds[style_c]
    groups = pd.DataFrame(
        {
            "kind": kind_col,
            "style": kinds[style_c],
            "place": place_ids[(uniq // n_origin) % n_place],
            "origin": origin_ids[uniq % n_origin],
            "count": count,
            "latest": events["id"].iloc[latest].to_numpy(),
            "row": latest,
            "geo": events["geo_precision"].iloc[latest].astype(object).to_numpy(),
        }
    )
    dropped = 0
    if aggregated:
        routes = groups[groups["origin"] != ""].sort_values("count", ascending=False, kind="stable")
        dropped = int(routes["count"].iloc[MAX_ROUTES:].sum())
        groups = pd.concat([groups[groups["origin"] == ""], routes.iloc[:MAX_ROUTES]], ignore_index=True)
    lat_of = {p: c.lat for p, c in coords.items()}
    lon_of = {p: c.lon for p, c in coords.items()}
    groups["lat"] = groups["place"].map(lat_of).astype(float)
    groups["lon"] = groups["place"].map(lon_of).astype(float)
    arcs = groups[groups["origin"] != ""].copy()
    arcs["lat0"] = arcs["origin"].map(lat_of).astype(float)
    arcs["lon0"] = arcs["origin"].map(lon_of).astype(float)
    arcs["lat1"], arcs["lon1"] = arcs["lat"], arcs["lon"]
    pts = arcs[["lat0", "lon0", "lat1", "lon1"]].itertuples(index=False, name=None)
    arcs["km"] = [_km(a, b, c, d) for a, b, c, d in pts]
    mid = [great_circle_midpoint(*r) for r in arcs[["lat0", "lon0", "lat1", "lon1"]].itertuples(index=False)]
    groups.loc[arcs.index, "lat"] = [m[0] for m in mid]
    groups.loc[arcs.index, "lon"] = [m[1] for m in mid]
    frame = Frame.around(
        [*places["lat"], *arcs["lat0"], *arcs["lat1"]], [*places["lon"], *arcs["lon0"], *arcs["lon1"]]
    )
    lat, lon = _spread(groups["lat"].to_numpy(), groups["lon"].to_numpy(), spacing=frame.lon_span * 0.02)
    groups["hover"] = _group_hover(corpus, events, groups, dict(zip(arcs.index, arcs["km"], strict=True)))
    markers = groups.assign(lat=lat, lon=lon, hollow=groups["geo"].eq("country").to_numpy())
    markers = markers[
        ["kind", "style", "place", "origin", "count", "latest", "lat", "lon", "hover", "hollow"]
    ]
    arcs_out = arcs[["style", "origin", "place", "count", "lat0", "lon0", "lat1", "lon1", "km"]]
    data = MapData(
        places, markers.reset_index(drop=True), arcs_out.reset_index(drop=True),
        int(len(events) - len(rows)), frame, None, aggregated, dropped,
    )  # fmt: skip
    return map_selection(corpus, data, selected)


def map_selection(corpus: Corpus, data: MapData, selected: str | None) -> MapData:
    """The map with the marker group holding `selected` marked (cheap: one event's lookup)."""
    rec = records(corpus.events[corpus.events["id"] == selected]) if selected else []
    if not rec or rec[0]["place"] not in corpus.coords:
        return replace(data, selected=None)
    e = rec[0]
    origin = e["origin"] if e["origin"] in corpus.coords else ""
    return replace(data, selected=(ANY if data.aggregated else e["kind"], e["place"], origin))


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


def _place_counts(
    corpus: Corpus, place_c: np.ndarray, place_ids: np.ndarray, origin_c: np.ndarray, origin_ids: np.ndarray
) -> pd.DataFrame:
    """Each place with the events there and the contacts that leave from it."""
    counts: dict[str, int] = {}
    for codes, names in ((place_c, place_ids), (origin_c, origin_ids)):
        for code in np.flatnonzero(tally := np.bincount(codes, minlength=len(names))):
            name = str(names[code])
            if name in corpus.coords:
                counts[name] = counts.get(name, 0) + int(tally[code])
    pids = sorted(counts, key=lambda p: -counts[p])
    return pd.DataFrame(
        {
            "place": pids,
            "name": [corpus.places[p].name for p in pids],
            "lat": [corpus.coords[p].lat for p in pids],
            "lon": [corpus.coords[p].lon for p in pids],
            "events": np.array([counts[p] for p in pids], dtype=np.int64),
            "precision": [corpus.places[p].kind.value for p in pids],
        }
    )


def _group_hover(corpus: Corpus, events: pd.DataFrame, groups: pd.DataFrame, km: dict[int, int]) -> list[str]:
    """Kind, date, participants, place and km of each marker's event (its latest, for a group)."""
    latest = events.iloc[groups["row"].to_numpy()].set_index("id")
    names = participant_names(corpus, groups["latest"].tolist())
    hover = []
    for i, r in groups.iterrows():
        where = _where(corpus, r["origin"] or None, r["place"]) + (f" · {km[i]:,} km" if i in km else "")
        label = TAXONOMY[r["style"]].label
        e = _clean(latest.loc[r["latest"]].to_dict())
        event = [
            f"{markup.plotly_text(date_label(e))} · " + _wrap_html(e["summary"]),
            markup.plotly_text(names.get(r["latest"], "")),
        ]
        if r["count"] == 1:
            lines = [f"<b>{markup.plotly_text(label)}</b>", *event, markup.plotly_text(where),
                     f"{e['certainty']} · {markup.plotly_text(e['attribution'])}"]  # fmt: skip
        else:
            what = f"events, mostly {label.lower()}" if r["kind"] == ANY else f"× {label}"
            head = f"<b>{r['count']:,} {markup.plotly_text(what)}</b> · {markup.plotly_text(where)}"
            lines = [head, "latest:", *event, "click to step through them, latest first"]
        hover.append("<br>".join(lines))
    return hover


def _clean(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rec.items()}


def _origin_key(corpus: Corpus, events: pd.DataFrame) -> pd.Series:
    """An event's origin for grouping: "" when it has none the map can draw."""
    return with_default(events["origin"], isin(events["origin"], corpus.coords.keys()), "")


def step_selection(
    corpus: Corpus, events: pd.DataFrame, group: tuple[str, str, str], current: str | None
) -> str | None:
    """The event a click on a map marker selects: the group's latest, then the one before …

    `group` is the marker's (kind, place, origin). ANY as kind matches every
    kind; ANY as origin (a place bubble) matches events at the place and the
    contacts that leave from it.
    """
    kind, place, origin = group
    if origin == ANY:
        m = (events["place"] == place).to_numpy() | (events["origin"] == place).to_numpy()
    else:
        m = (events["place"] == place).to_numpy() & (_origin_key(corpus, events) == origin).to_numpy()
    if kind != ANY:
        m = m & (events["kind"] == kind).to_numpy()
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


def _spread(lat: np.ndarray, lon: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Spread markers that crowd one spot onto a small sunflower around it.

    Markers in the same grid cell (a few `spacing`s wide, in degrees) form a
    group laid out on Vogel's spiral, so every marker stays clickable and
    zooming in separates them further.
    """
    lat, lon = lat.astype(float).copy(), lon.astype(float).copy()
    if not len(lat) or spacing <= 0:
        return lat, lon
    cell = spacing * 2.5
    keys = pd.Series(
        list(zip(np.floor(lat / cell).astype(int), np.floor(lon / cell).astype(int), strict=True))
    )
    golden = math.pi * (3 - math.sqrt(5))
    for members in keys.groupby(keys).indices.values():
        if len(members) < 2:
            continue
        clat, clon = float(lat[members].mean()), float(lon[members].mean())
        squash = max(math.cos(math.radians(clat)), 0.2)
        k = np.arange(len(members))
        r = spacing * np.sqrt(k + 0.5)
        lat[members] = clat + r * np.sin(k * golden) * squash
        lon[members] = clon + r * np.cos(k * golden)
    return lat, lon


# --- the timeline -----------------------------------------------------------------------


MAX_MARKS = 500  # timeline marks a reader can tell apart; beyond, events are binned in time
MAX_LANES = 20  # lanes when grouping by actor: the busiest actors
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
                ends.append(x1)
                rows[i] = len(ends) - 1
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
        y += n + 0.6
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
.article-text mark.ev { background: #fdf0c2; color: inherit; border-bottom: 2px solid #e3b505;
  padding: 0 1px; border-radius: 2px; }
.article-text mark.ev.selected { background: #ffd166; border-bottom: 3px solid #111;
  outline: 2px solid #111; outline-offset: 1px; font-weight: 600; }
</style>"""

# Finds the selected span and scrolls the nearest scrolling pane (not the page) to it.
SCROLL_JS = """function (eventId) {
  let tries = 0;
  function go() {
    const marks = Array.from(document.querySelectorAll('mark.ev.selected'))
      .filter((m) => (m.dataset.events || '').split(' ').includes(eventId));
    if (!marks.length) { if (tries++ < 40) setTimeout(go, 50); return; }
    const el = marks[0];
    let pane = el.parentElement;
    while (pane && !(pane.scrollHeight > pane.clientHeight + 4 &&
           /(auto|scroll)/.test(getComputedStyle(pane).overflowY))) pane = pane.parentElement;
    if (!pane) return;
    const delta = el.getBoundingClientRect().top - pane.getBoundingClientRect().top;
    pane.scrollTo({ top: pane.scrollTop + delta - pane.clientHeight / 3, behavior: 'instant' });
    pane.dataset.scrolledTo = eventId;
  }
  go();
}"""
