"""Page-ready data: what each view shows for a corpus, its filters and selection.

Plain functions over the corpus frames; the pages only lay these out.
"""

from __future__ import annotations

import html
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from geopy.distance import geodesic

from dashboard.corpus import Corpus
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
    parts = corpus.participants[corpus.participants["event"].isin(set(event_ids))]
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
        unplaced = int((~events["place"].isin(corpus.coords.keys())).sum())
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
    rows = corpus.events[corpus.events["id"] == event_id].to_dict("records")
    if not rows:
        return None
    ev = rows[0]
    kind = TAXONOMY[ev["kind"]]
    place = _place_text(corpus, ev["place"], ev["geo_precision"])
    if ev["origin"]:
        place = f"{_place_text(corpus, ev['origin'], None)} → {place}"
    quotes = corpus.sources.loc[corpus.sources["event"] == event_id, "quote"].tolist()
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


def article_html(corpus: Corpus, article_id: str, visible: set[str], selected: str | None) -> str:
    """The article as escaped HTML with each visible event's source spans marked.

    Overlapping spans are split at every boundary, so each piece of text is
    marked once with all the events that cite it; the selected event's pieces
    get the class `selected`. Every character of the article is escaped.
    """
    text = corpus.texts[article_id]
    srcs = corpus.sources[(corpus.sources["article"] == article_id) & corpus.sources["event"].isin(visible)]
    bounds = {0, len(text)}
    spans = list(srcs[["event", "start", "end"]].itertuples(index=False, name=None))
    for _, s, e in spans:
        bounds.update((s, e))
    cuts = sorted(bounds)
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = html.escape(text[a:b])
        cover = sorted({eid for eid, s, e in spans if s <= a and b <= e})
        if not cover:
            out.append(piece)
            continue
        cls = "ev selected" if selected in cover else "ev"
        ids = " ".join(cover)
        out.append(
            f'<mark class="{cls}" data-events="{html.escape(ids)}" '
            f'title="{html.escape(_titles(corpus, cover))}">{piece}</mark>'
        )
    body = "".join(out)
    paragraphs = [f"<p>{p}</p>" for p in body.split("\n") if p.strip()]
    lang = html.escape(corpus.articles[article_id].language)
    return f'<div class="article-text" lang="{lang}">{"".join(paragraphs)}</div>'


def _titles(corpus: Corpus, event_ids: list[str]) -> str:
    summaries = corpus.events.set_index("id").loc[event_ids, "summary"]
    return "\n".join(summaries.tolist())


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
    markers: pd.DataFrame  # kind, place, origin, count, latest, lat, lon, hover, hollow
    arcs: pd.DataFrame  # kind, origin, place, count, lat0, lon0, lat1, lon1, km
    unplaced: int
    frame: Frame
    selected: tuple[str, str, str] | None = None  # the (kind, place, origin) group of the selection


ANY = "*"  # a place bubble's group: every kind, every origin


def map_data(corpus: Corpus, events: pd.DataFrame, selected: str | None = None) -> MapData:
    """Places sized by event count, and a clickable marker per kind of event at each.

    Events group by (kind, place, origin): one marker per group, sized by its
    count and drawn in its kind's colour and symbol; a contact's marker sits
    at the middle of its great-circle arc. Clicking a marker selects its
    latest event and, clicked again, steps back through the rest
    (`step_selection`). Grouping keeps the map legible at any corpus size;
    markers that crowd one spot are spread on a small spiral.
    """
    coords = corpus.coords
    placed = events[events["place"].isin(coords.keys())]
    lat_of = {p: c.lat for p, c in coords.items()}
    lon_of = {p: c.lon for p, c in coords.items()}

    # A place counts the events there and the contacts that leave from it.
    origins = placed["origin"][placed["origin"].isin(coords.keys())]
    counts = pd.concat([placed["place"], origins]).value_counts()
    places = pd.DataFrame(
        {
            "place": counts.index,
            "name": [corpus.places[p].name for p in counts.index],
            "lat": [lat_of[p] for p in counts.index],
            "lon": [lon_of[p] for p in counts.index],
            "events": counts.to_numpy(),
            "precision": [corpus.places[p].kind.value for p in counts.index],
        }
    )
    g = placed.assign(origin=_origin_key(corpus, placed))
    grouped = g.groupby(["kind", "place", "origin"], sort=False)
    groups = grouped.agg(
        count=("id", "size"), first=("id", "first"), geo=("geo_precision", "first")
    ).reset_index()
    groups["latest"] = [_latest(g.loc[idx]) for idx in grouped.groups.values()]
    groups["lat"] = groups["place"].map(lat_of).astype(float)
    groups["lon"] = groups["place"].map(lon_of).astype(float)
    arcs = groups[groups["origin"] != ""].copy()
    arcs["lat0"], arcs["lon0"] = (
        arcs["origin"].map(lat_of).astype(float),
        arcs["origin"].map(lon_of).astype(float),
    )
    arcs["lat1"], arcs["lon1"] = arcs["lat"], arcs["lon"]
    arcs["km"] = [
        round(geodesic((a, b), (c, d)).km)
        for a, b, c, d in arcs[["lat0", "lon0", "lat1", "lon1"]].itertuples(index=False)
    ]
    mid = [great_circle_midpoint(*r) for r in arcs[["lat0", "lon0", "lat1", "lon1"]].itertuples(index=False)]
    groups.loc[arcs.index, "lat"] = [m[0] for m in mid]
    groups.loc[arcs.index, "lon"] = [m[1] for m in mid]
    frame = Frame.around(
        [*places["lat"], *arcs["lat0"], *arcs["lat1"]], [*places["lon"], *arcs["lon0"], *arcs["lon1"]]
    )
    lat, lon = _spread(groups["lat"].to_numpy(), groups["lon"].to_numpy(), spacing=frame.lon_span * 0.02)
    km = dict(zip(arcs.index, arcs["km"], strict=True))
    singles = set(groups.loc[groups["count"] == 1, "first"])
    one = placed[placed["id"].isin(singles)].set_index("id")
    names = participant_names(corpus, list(singles))
    hover = []
    for i, r in groups.iterrows():
        where = _where(corpus, r["origin"] or None, r["place"]) + (f" · {km[i]:,} km" if i in km else "")
        if r["count"] == 1:
            e = one.loc[r["first"]]
            hover.append(
                "<br>".join(
                    [
                        f"<b>{html.escape(TAXONOMY[r['kind']].label)}</b> · {html.escape(date_label(e))}",
                        html.escape(_wrap(e["summary"])),
                        html.escape(names.get(r["first"], "")),
                        html.escape(where),
                        f"{e['certainty']} · {html.escape(e['attribution'])}",
                    ]
                )
            )
        else:
            hover.append(
                f"<b>{r['count']:,} × {html.escape(TAXONOMY[r['kind']].label)}</b><br>{html.escape(where)}"
                "<br>click to step through them, latest first"
            )
    markers = pd.DataFrame(
        {
            "kind": groups["kind"],
            "place": groups["place"],
            "origin": groups["origin"],
            "count": groups["count"],
            "latest": groups["latest"],
            "lat": lat,
            "lon": lon,
            "hover": hover,
            "hollow": (groups["geo"] == "country").to_numpy(),
        }
    )
    arcs_out = arcs[["kind", "origin", "place", "count", "lat0", "lon0", "lat1", "lon1", "km"]].reset_index(
        drop=True
    )
    sel_key = None
    if selected is not None:
        hit = g[g["id"] == selected]
        if len(hit):
            h = hit.iloc[0]
            sel_key = (h["kind"], h["place"], h["origin"])
    return MapData(places, markers, arcs_out, int(len(events) - len(placed)), frame, sel_key)


def _latest(group: pd.DataFrame) -> str:
    """The latest dated event of a group (events are in date order, undated last)."""
    dated = group[group["start"].notna()]
    return str((dated if len(dated) else group)["id"].iloc[-1])


def _origin_key(corpus: Corpus, events: pd.DataFrame) -> pd.Series:
    """An event's origin for grouping: "" when it has none the map can draw."""
    return events["origin"].where(events["origin"].isin(corpus.coords.keys()), "")


def step_selection(
    corpus: Corpus, events: pd.DataFrame, group: tuple[str, str, str], current: str | None
) -> str | None:
    """The event a click on a map marker selects: the group's latest, then the one before …

    `group` is the marker's (kind, place, origin); a place bubble's kind is ANY.
    """
    kind, place, origin = group
    m = events["place"] == place
    if kind == ANY:
        m |= events["origin"] == place
    else:
        m &= (events["kind"] == kind) & (_origin_key(corpus, events) == origin)
    members = events.loc[m]
    if members.empty:
        return None
    dated = members[members["start"].notna()]["id"].tolist()[::-1]
    order = dated + members[members["start"].isna()]["id"].tolist()
    if current in order:
        return order[(order.index(current) + 1) % len(order)]
    return order[0]


def _where(corpus: Corpus, origin: str | None, place: str) -> str:
    there = corpus.places[place].name
    return f"{corpus.places[origin].name} → {there}" if origin in corpus.places else there


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

    Markers closer than a few `spacing`s (degrees) are grouped; each group is
    laid out on Vogel's spiral, so every marker stays clickable and zooming in
    separates them further.
    """
    if not len(lat):
        return lat, lon
    groups: list[list[int]] = []
    for i in range(len(lat)):
        for g in groups:
            j = g[0]
            if abs(lat[i] - lat[j]) < spacing * 2.5 and abs(lon[i] - lon[j]) < spacing * 2.5:
                g.append(i)
                break
        else:
            groups.append([i])
    lat, lon = lat.copy(), lon.copy()
    golden = math.pi * (3 - math.sqrt(5))
    for g in groups:
        if len(g) < 2:
            continue
        clat, clon = float(np.mean(lat[g])), float(np.mean(lon[g]))
        squash = max(math.cos(math.radians(clat)), 0.2)
        for k, i in enumerate(g):
            r = spacing * math.sqrt(k + 0.5)
            lat[i] = clat + r * math.sin(k * golden) * squash
            lon[i] = clon + r * math.cos(k * golden)
    return lat, lon


# --- the timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineData:
    marks: pd.DataFrame  # event, kind, lane, row, y, start, end, shape, hover
    lanes: pd.DataFrame  # lane, label, y (centre), rows
    undated: int


def timeline_data(corpus: Corpus, events: pd.DataFrame, lanes: str = "kind") -> TimelineData:
    """One mark per event in lanes (by kind, or by actor), packed into rows.

    A day is a point; a month, a year or a span is a bar across it; a date
    known only as "before X" is a left-pointing marker at X.
    """
    ev = events[events["end"].notna()].copy()
    undated = len(events) - len(ev)
    if lanes == "actor":
        parts = corpus.participants[corpus.participants["event"].isin(set(ev["id"]))]
        ev = ev.merge(parts[["event", "actor"]], left_on="id", right_on="event").drop(columns="event")
        ev["lane"] = ev["actor"]
        label_of = {a: x.name for a, x in corpus.actors.items()}
    else:
        ev["lane"] = ev["kind"]
        label_of = {k: v.label for k, v in TAXONOMY.items()}
    ev["shape"] = np.where(
        ev["start"].isna(),
        "before",
        np.where(ev["precision"].eq("day") & ev["start"].eq(ev["end"]), "point", "bar"),
    )
    # A bar covers whole days: it ends at the end of its last day.
    ev["x0"] = ev["start"].where(ev["start"].notna(), ev["end"])
    ev["x1"] = ev["end"] + pd.Timedelta(days=1)
    span_days = max((ev["x1"].max() - ev["x0"].min()).days, 30) if len(ev) else 30
    pad = pd.Timedelta(days=span_days * 0.015)

    order = (
        ev.groupby("lane")["x0"].min().sort_values().index.tolist()
        if lanes == "actor"
        else [k for k in TAXONOMY if k in set(ev["lane"])]
    )
    rows = np.zeros(len(ev), dtype=int)
    lane_rows: dict[str, int] = {}
    ev = ev.sort_values(["x0", "id"]).reset_index(drop=True)
    for lane, idx in ev.groupby("lane").groups.items():
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
    lane_frame = []
    y = 0.0
    base: dict[str, float] = {}
    for lane in order:
        n = lane_rows.get(lane, 0)
        base[lane] = y
        lane_frame.append((lane, label_of.get(lane, lane), y + (n - 1) / 2, n))
        y += n + 0.6
    ev["y"] = [base[lane] + r for lane, r in zip(ev["lane"], ev["row"], strict=True)]
    names = participant_names(corpus, ev["id"])
    ev["hover"] = [
        "<br>".join(
            [
                f"<b>{html.escape(TAXONOMY[r.kind].label)}</b> · {html.escape(date_label(r._asdict()))}",
                html.escape(_wrap(r.summary)),
                html.escape(names.get(r.id, "")),
                f"{r.certainty} · {html.escape(r.attribution)}",
            ]
        )
        for r in ev[
            ["id", "kind", "summary", "start", "end", "precision", "certainty", "attribution"]
        ].itertuples(index=False)
    ]
    marks = ev.rename(columns={"id": "event"})[
        ["event", "kind", "lane", "row", "y", "x0", "x1", "shape", "hover"]
    ]
    return TimelineData(marks, pd.DataFrame(lane_frame, columns=["lane", "label", "y", "rows"]), undated)


# --- tables ---------------------------------------------------------------------------


def events_table(corpus: Corpus, events: pd.DataFrame) -> pd.DataFrame:
    """The Events page's table: one row per event, in reading order."""
    names = participant_names(corpus, events["id"])
    quotes = corpus.sources[corpus.sources["event"].isin(set(events["id"]))].groupby("event")["quote"]
    quote = quotes.agg(" … ".join)
    recs = events.to_dict("records")
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
