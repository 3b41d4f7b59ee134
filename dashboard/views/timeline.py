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

from dashboard import escape, query
from dashboard.filters import Filters
from dashboard.model import TAXONOMY
from dashboard.views.labels import date_label, participant_names, wrap_html

if TYPE_CHECKING:
    from dashboard.atlas import Atlas

MAX_MARKS = 500  # timeline marks a reader can tell apart; beyond, events are binned in time
MAX_LANES = 20  # lanes when grouping by actor: the busiest actors
MAX_ACTOR_ROWS = 3  # rows in an actor's lane; beyond, marks share rows
BIN = "@bin"  # customdata tag of a binned mark
MARK_COLUMNS = ["event", "kind", "lane", "row", "y", "x0", "x1", "shape", "hover", "count", "coding"]
MACHINE_OFFSET = 0.3  # a lane's machine-coded bins sit this far below its human-coded ones, drafts above


@dataclass(frozen=True)
class TimelineData:
    marks: pd.DataFrame  # event (or BIN), kind, lane, row, y, x0, x1, shape, hover, count
    lanes: pd.DataFrame  # lane, label, y (centre), rows
    undated: int
    binned: str | None = None  # the bin width ("month", "quarter", "year") when binned
    hidden_lanes: int = 0  # actor lanes beyond MAX_LANES, not drawn
    selected: list[int] = field(default_factory=list)  # rows of `marks` holding the selected event


def timeline_data(atlas: Atlas, f: Filters, undated: int) -> TimelineData:
    """Marks in lanes (by kind, or by actor: one mark per participant among the busiest actors).

    Up to MAX_MARKS marks, one per event, packed into rows: a day is a point;
    a month, a year or a span is a bar across it; a date known only as
    "before X" is a left-pointing marker at X. Beyond that, marks are binned
    by month, quarter or year by the engine, and a click on a bin steps
    through its events (`step_bin`). `undated`: how many filtered events have no date.
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
    if span["n"] > MAX_MARKS:
        return _binned(atlas, f, label_of, undated, actors, hidden, span)
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
            else:  # a full lane: share the row that frees up first
                i = min(range(len(ends)), key=ends.__getitem__)
                ends[i], m["row"] = max(ends[i], x1), i
    lane_rows = {lane: len(ends) for lane, ends in ends_of.items()}
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
                        *(["<i>draft, not yet reviewed (pale mark)</i>"] if m["coding"] == "draft" else []),
                    ]
                )
                for m in marks
            ],
            "count": 1,
            "coding": [m["coding"] for m in marks],
        },
        columns=MARK_COLUMNS,
    )
    return TimelineData(out, lane_table, undated, None, hidden)


def timeline_selection(atlas: Atlas, data: TimelineData, lanes: str, selected: str | None) -> TimelineData:
    """The timeline with the marks holding `selected` marked (its point, bar or bin)."""
    if not selected:
        return replace(data, selected=[])
    marks = data.marks
    if not data.binned:
        return replace(
            data, selected=[int(i) for i in np.flatnonzero((marks["event"] == selected).to_numpy())]
        )
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
    counts["x0"] = pd.to_datetime(counts["bin"])
    counts["x1"] = counts["x0"] + pd.DateOffset(months=MONTHS[width])
    counts["count"] = counts["events"].astype(int)
    lane_table, base = _stack_lanes(counts, label_of, {}, f.lanes)
    counts["row"] = 0
    # Human- and machine-coded events of a bin are two marks, filled and hollow, side by side.
    offset = np.select(
        [counts["coding"] == "machine", counts["coding"] == "draft"], [MACHINE_OFFSET, -MACHINE_OFFSET], 0.0
    )
    counts["y"] = counts["lane"].map(base) + offset
    counts["shape"] = "bin"
    counts["hover"] = ""  # the figure's hover template reads count, lane and dates
    counts["event"] = BIN
    counts["label"] = counts["lane"].map(lambda lane: label_of.get(lane, lane))
    marks = counts[[*MARK_COLUMNS, "label"]]
    return TimelineData(marks.reset_index(drop=True), lane_table, undated, width, hidden)


def step_bin(
    atlas: Atlas, f: Filters, lane: str, start: str, end: str, current: str | None, coding: str | None = None
) -> str | None:
    """The event a click on a timeline bin selects: its latest, then the one before …"""
    return query.step_bin(
        atlas.engine, f, f.lanes, lane, dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10]),
        current, coding,
    )  # fmt: skip
