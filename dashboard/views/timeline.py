"""The timeline's data: marks in lanes (by kind or by actor), or bins when there are too many.

Up to MAX_MARKS marks the engine returns the events themselves (one query,
with a limit); beyond, it counts them per lane and per month, quarter or
year, and each bin is one mark sized by its count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard import escape, query, stories_query, zoom
from dashboard.filters import Filters
from dashboard.model import TAXONOMY
from dashboard.views.labels import date_label, participant_names, wrap_html

if TYPE_CHECKING:
    from dashboard.atlas import Atlas

MAX_MARKS = 500  # timeline marks a reader can tell apart; beyond, events are binned in time
MAX_LANES = 20  # lanes when grouping by actor: the busiest actors
MAX_ACTOR_ROWS = 3  # rows in an actor's lane; beyond, marks share rows
BIN = "@bin"  # customdata tag of a binned mark
MARK_COLUMNS = ["event", "kind", "lane", "row", "y", "x0", "x1", "x", "shape", "hover", "count", "coding"]
MACHINE_OFFSET = 0.3  # a lane's machine-coded bins sit this far below its human-coded ones, drafts above
DENSE_SHARE = 0.75  # the first axis frames the shortest span holding this share of the dated events
DENSE_MAX = 0.6  # … unless that span, with its margin, is most of the whole (then everything is shown)
DODGE_PX = 16  # same-day marks in a lane sit this far apart (px) at the first axis, on a plot area …
CHART_PX = 400  # … about this wide (the timeline beside the article, past its lane names)


@dataclass(frozen=True)
class TimelineData:
    marks: pd.DataFrame  # event (or BIN), kind, lane, row, y, x0, x1, shape, hover, count
    lanes: pd.DataFrame  # lane, label, y (centre), rows
    undated: int
    binned: str | None = None  # the bin width ("month", "quarter", "year") when binned
    hidden_lanes: int = 0  # actor lanes beyond MAX_LANES, not drawn
    selected: list[int] = field(default_factory=list)  # rows of `marks` holding the selected event
    dense: tuple[str, str] | None = None  # the first axis range (ISO dates): where events are dense
    outside: int = 0  # dated events outside `dense`, shown by "All"


def timeline_data(atlas: Atlas, f: Filters, undated: int, events: int | None = None) -> TimelineData:
    """Marks in lanes (by kind, or by actor: one mark per participant among the busiest actors).

    Up to MAX_MARKS marks, one per event, packed into rows: a day is a point;
    a month, a year or a span is a bar across it; a date known only as
    "before X" is a left-pointing marker at X. Beyond that, marks are binned
    by month, quarter or year by the engine, and a click on a bin steps
    through its events (`step_bin`). `undated`: how many filtered events have no date; `events`: how
    many they are in all, when the caller has counted them (else counted here).
    """
    eng, lanes = atlas.engine, f.lanes
    actors: list[str] = []
    hidden = 0
    if lanes == "actor":
        busiest, hidden = query.actor_lanes(eng, f, MAX_LANES)
        actors = [a for a, _ in busiest]
        label_of = {a: atlas.actors[a].name for a in actors}
    else:
        label_of = {k: v.label for k, v in TAXONOMY.items()}
    # How many marks, from the aggregates: the events themselves are read only when few.
    span = query.bin_range(eng, f, lanes, actors)
    dense = _dense(atlas, f, span, undated, events)
    if span["n"] > MAX_MARKS:
        binned = _binned(atlas, f, label_of, undated, actors, hidden, span)
        return replace(binned, dense=dense[0], outside=dense[1])
    rows = query.timeline_marks(eng, f, MAX_MARKS + 1, lanes, actors)
    # At most MAX_MARKS rows: laid out in plain Python (days as ordinals), one frame built at the end.
    marks = []
    for r in rows:
        start, end = r["start"], r["end"]
        shape = (
            "before" if start is None else ("point" if r["precision"] == "day" and start == end else "bar")
        )
        first = (start if start is not None else end).toordinal()
        # A bar covers whole days: it ends at the end of its last day.
        marks.append({**r, "shape": shape, "d0": first, "d1": end.toordinal() + 1})
    marks.sort(key=lambda m: (m["d0"], m["id"]))
    span_days = max(max(m["d1"] for m in marks) - min(m["d0"] for m in marks), 30) if marks else 30
    pad = span_days * 0.015
    ends_of: dict[str, list[float]] = {}
    load_of: dict[str, dict[int, int]] = {}  # marks sharing each row of a full lane
    # Up to twenty actors' lanes: a few rows each keeps the chart's height bounded.
    cap = MAX_ACTOR_ROWS if lanes == "actor" else len(marks) + 1
    for m in marks:
        ends = ends_of.setdefault(m["lane"], [])
        x0 = m["d0"]
        x1 = m["d1"] if m["shape"] == "bar" else x0
        for i, last in enumerate(ends):
            if x0 > last + pad:
                ends[i], m["row"] = x1, i
                break
        else:
            if len(ends) < cap:
                ends.append(x1)
                m["row"] = len(ends) - 1
            else:  # a full lane: share the row that frees up first, the least crowded of equals
                load = load_of.setdefault(m["lane"], {})
                i = min(range(len(ends)), key=lambda k: (ends[k], load.get(k, 0)))
                ends[i], m["row"] = max(ends[i], x1), i
                load[i] = load.get(i, 0) + 1
    lane_rows = {lane: len(ends) for lane, ends in ends_of.items()}
    _dodge(marks, dense[0], span_days)
    x0s = pd.to_datetime([dt.date.fromordinal(m["d0"]) for m in marks])
    lane_table, base = _stack_lanes(
        pd.DataFrame({"lane": [m["lane"] for m in marks], "x0": x0s}), label_of, lane_rows, lanes
    )
    names = participant_names(atlas, eng, list(dict.fromkeys(m["id"] for m in marks)))
    out = pd.DataFrame(
        {
            "event": [m["id"] for m in marks],
            "kind": [m["kind"] for m in marks],
            "lane": [m["lane"] for m in marks],
            "row": [m["row"] for m in marks],
            "y": [base[m["lane"]] + m["row"] for m in marks],
            "x0": x0s,
            "x1": pd.to_datetime([dt.date.fromordinal(m["d1"]) for m in marks]),
            "x": pd.to_datetime([dt.date.fromordinal(m["d0"]) for m in marks])
            + pd.to_timedelta([m.get("dx", 0.0) for m in marks], unit="D"),
            "shape": [m["shape"] for m in marks],
            "hover": [
                "<br>".join(
                    [
                        f"<b>{escape.plotly_text(TAXONOMY[m['kind']].label)}</b> · "
                        + escape.plotly_text(date_label(m)),
                        wrap_html(m["summary"]),
                        escape.plotly_text(names.get(m["id"], "")),
                        f"{m['certainty']} · {escape.plotly_text(m['attribution'])}",
                        *(["<i>machine-coded (hollow mark)</i>"] if m["coding"] == "machine" else []),
                        *([escape.plotly_text(story_line(m))] if m.get("story") else []),
                        *(["<i>draft, not yet reviewed (pale mark)</i>"] if m["coding"] == "draft" else []),
                    ]
                )
                for m in marks
            ],
            # A story's mark grows with its outlets; any other mark counts one.
            "count": [int(m.get("story_outlets") or 1) if m.get("story") else 1 for m in marks],
            "coding": [m["coding"] for m in marks],
        },
        columns=MARK_COLUMNS,
    )
    return TimelineData(out, lane_table, undated, None, hidden, dense=dense[0], outside=dense[1])


def story_line(m: dict[str, Any]) -> str:
    """What a story's mark says of it: "a story of 5 records from 2 outlets"."""
    n, k = int(m.get("story_records") or 1), int(m.get("story_outlets") or 0)
    return (
        f"a story of {n:,} record{'s' if n != 1 else ''} from {k:,} outlet{'s' if k != 1 else ''}"
        " (one mark a story)"
    )


Dense = tuple[tuple[str, str] | None, int]


def _dense(atlas: Atlas, f: Filters, span: dict[str, Any], undated: int, events: int | None) -> Dense:
    """The first axis range, where the events are dense (the engine finds the span), and how many
    dated events lie outside it; None when that span is most of the whole anyway."""
    if not span["n"] or span["lo"] is None:
        return None, 0
    found = query.dense_span(atlas.engine, f, DENSE_SHARE)
    if found is None:
        return None, 0
    lo, hi = found
    whole = max((span["hi"] - span["lo"]).days, 1)
    pad = dt.timedelta(days=max(7, round((hi - lo).days * 0.1)))
    lo, hi = lo - pad, hi + pad + dt.timedelta(days=1)
    if (hi - lo).days >= DENSE_MAX * whole:
        return None, 0
    inside = replace(f, start=max(lo, f.start or lo), end=min(hi, f.end or hi))
    eng = atlas.engine
    every = query.count(eng, f) if events is None else events
    outside = every - undated - query.count(eng, replace(inside, event=None))
    return (lo.isoformat(), hi.isoformat()), max(outside, 0)


def _dodge(marks: list[dict[str, Any]], dense: tuple[str, str] | None, span_days: int) -> None:
    """Same-day points sharing a lane's row sit side by side, centred on their day (`dx`, in days),
    DODGE_PX apart on the first axis: each can be hovered and clicked on its own."""
    if dense:
        frame = (dt.date.fromisoformat(dense[1]) - dt.date.fromisoformat(dense[0])).days
    else:
        frame = span_days * 1.03
    step = frame * DODGE_PX / CHART_PX
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for m in marks:
        if m["shape"] != "bar":
            groups.setdefault((m["lane"], m["row"], m["d0"]), []).append(m)
    for group in groups.values():
        for j, m in enumerate(group):
            m["dx"] = (j - (len(group) - 1) / 2) * step


def timeline_selection(atlas: Atlas, data: TimelineData, lanes: str, selected: str | None) -> TimelineData:
    """The timeline with the marks holding `selected` marked (its point, bar or bin)."""
    if not selected:
        return replace(data, selected=[])
    marks = data.marks
    if not data.binned:
        hit = [int(i) for i in np.flatnonzero((marks["event"] == selected).to_numpy())]
        story = None if hit else stories_query.story_of(atlas.engine, selected)
        if story is not None:  # a record drawn as its story's mark: that mark
            of = stories_query.stories_of(atlas.engine, list(dict.fromkeys(marks["event"])))
            hit = [i for i, e in enumerate(marks["event"]) if of.get(e) == story]
        return replace(data, selected=hit)
    ev = atlas.event(selected)
    if ev is None or (ev["start"] is None and ev["end"] is None):
        return replace(data, selected=[])
    when = pd.Timestamp(ev["start"] if ev["start"] is not None else ev["end"])
    if lanes == "actor":
        lanes_of = {p["actor"] for p in query.participants_of(atlas.engine, [selected])}
    else:
        lanes_of = {ev["kind"]}
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
        first = ev.groupby("lane")["x0"].min().reset_index().sort_values(["x0", "lane"], kind="stable")
        order = first["lane"].tolist()
    else:
        order = [k for k in TAXONOMY if k in present]
    table, base, y = [], {}, 0.0
    for lane in order:
        n = lane_rows.get(lane, 1)
        base[lane] = y
        table.append((lane, label_of.get(lane, lane), y + (n - 1) / 2, n))
        y += n + (1.0 if lanes == "actor" else 0.6)  # actors' names are long: a wider gap between lanes
    return pd.DataFrame(table, columns=["lane", "label", "y", "rows"]), base


def bin_width(span_days: int) -> str:
    # About sixty bins across the axis at most: each stays wide enough to see and to click.
    return "month" if span_days <= 1900 else ("quarter" if span_days <= 5600 else "year")


MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _binned(
    atlas: Atlas,
    f: Filters,
    label_of: dict[str, str],
    undated: int,
    actors: list[str],
    hidden: int,
    span: dict[str, Any],
) -> TimelineData:
    eng = atlas.engine
    width = bin_width((span["hi"] - span["lo"]).days)
    counts = pd.DataFrame(
        query.timeline_bins(eng, f, width, f.lanes, actors),
        columns=["lane", "bin", "coding", "events", "kind"],
    )
    # Each column computed once and the frame built once: column by column, pandas' bookkeeping
    # cost more than the engine's counting.
    x0 = pd.to_datetime(counts["bin"])
    x1 = x0 + pd.DateOffset(months=MONTHS[width])
    lane_table, base = _stack_lanes(pd.DataFrame({"lane": counts["lane"], "x0": x0}), label_of, {}, f.lanes)
    coding = counts["coding"]
    # Human- and machine-coded events of a bin are two marks, filled and hollow, side by side.
    offset = np.select([coding == "machine", coding == "draft"], [MACHINE_OFFSET, -MACHINE_OFFSET], 0.0)
    marks = pd.DataFrame(
        {
            "event": BIN,
            "kind": counts["kind"],
            "lane": counts["lane"],
            "row": 0,
            "y": counts["lane"].map(base) + offset,
            "x0": x0,
            "x1": x1,
            "x": x0 + (x1 - x0) / 2,
            "shape": "bin",
            "hover": "",  # the figure's hover template reads count, lane and dates
            "count": counts["events"].astype(int),
            "coding": coding,
            "label": [label_of.get(lane, lane) for lane in counts["lane"]],
        },
        columns=[*MARK_COLUMNS, "label"],
        index=counts.index,
    )
    return TimelineData(marks.reset_index(drop=True), lane_table, undated, width, hidden)


def time_range(data: TimelineData, span: str | None) -> list[str] | None:
    """The axis range a `span` asks for (ISO dates), or None for every event (autorange).

    None: where the events are dense; "month", "year": the latest of what is shown;
    "all": everything; two dates: those.
    """
    if span is None:
        return list(data.dense) if data.dense else None
    if span == "all":
        return None
    marks = data.marks
    if span in ("month", "year"):
        if marks.empty or marks["x1"].isna().all():
            return None
        latest = pd.Timestamp(marks["x1"].max())
        days, pad = (31, 4) if span == "month" else (366, 15)
        return [f"{latest - pd.Timedelta(days=days):%Y-%m-%d}", f"{latest + pd.Timedelta(days=pad):%Y-%m-%d}"]
    dates = zoom.span_dates(span)
    return [dates[0].isoformat(), dates[1].isoformat()] if dates else None


def shows_any(data: TimelineData, span: str | None) -> bool:
    """Whether an explicit span still holds any of the marks (a filter change may leave none there)."""
    dates = zoom.span_dates(span)
    if dates is None or data.marks.empty:
        return True
    lo, hi = pd.Timestamp(dates[0]), pd.Timestamp(dates[1])
    return bool(((data.marks["x0"] <= hi) & (data.marks["x1"] >= lo)).any())


def step_bin(
    atlas: Atlas, f: Filters, lane: str, start: str, end: str, current: str | None, coding: str | None = None
) -> str | None:
    """The event a click on a timeline bin selects: its latest, then the one before …"""
    return query.step_bin(
        atlas.engine, f, f.lanes, lane, dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10]),
        current, coding,
    )  # fmt: skip


def bin_members(
    atlas: Atlas, f: Filters, lane: str, start: str, end: str, coding: str | None, limit: int
) -> list[dict[str, Any]]:
    """The events of a timeline bin, latest first, up to `limit`: a list to pick from."""
    return query.members_bin(
        atlas.engine, f, f.lanes, lane, dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10]),
        coding, limit,
    )  # fmt: skip
