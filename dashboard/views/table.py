"""Lists of events: the summary line, the select box, the Explorer's list, the Events table, places."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard import export, query
from dashboard.catalog import Catalog
from dashboard.filters import Filters
from dashboard.model import TAXONOMY
from dashboard.views.labels import (
    date_label,
    event_label,
    list_label,
    participant_names,
    side_name,
    trust_text,
    where_text,
)

if TYPE_CHECKING:
    from dashboard.atlas import Atlas

MAX_CHOICES = 300  # events listed in the select box: the latest
MAX_LIST = 30  # events in the Explorer's keyboard list: the latest
MAX_ROWS = 1000  # rows in the events table; downloads hold every event


CODING_NAMES = {"human": "by hand", "machine": "machine", "draft": "draft"}


def summary_line(atlas: Atlas, s: dict[str, Any], f: Filters | None = None) -> str:
    """'7 of 22 events · 2020–2025 · 3 without a place', from `query.summary`; with a between filter,
    what it means first: 'Contacts between the United States and Belarus, 2025: 9 of 22 events'.

    Plain text: names come from the data, so a page escapes the line where it renders it.
    """
    count = f"{s['n']:,} of {atlas.events:,} events"
    when = None
    if s["n"]:
        if s["first"] is None:
            when = "undated"
        else:
            lo, hi = s["first"].year, s["last"].year
            when = str(lo) if lo == hi else f"{lo}–{hi}"
    rest = [f"{int(s['unplaced']):,} without a place"] if s["n"] and s["unplaced"] else []
    if s.get("records"):  # imported records in view: how many stories they tell
        n = int(s["stories"])
        rest.insert(
            0,
            f"{n:,} {'story' if n == 1 else 'stories'} from {int(s['records']):,} "
            f"{'record' if int(s['records']) == 1 else 'records'}",
        )
    if f is not None and f.between:
        a, b = (side_name(atlas, x, prose=True) for x in f.between)
        head = f"Contacts between {a} and {b}" + (f", {when}" if when else "")
        return " · ".join([f"{head}: {count}", *rest])
    return " · ".join([count, *([when] if when else []), *rest])


def _with_selected(atlas: Atlas, rows: list[dict[str, Any]], selected: str | None, limit: int) -> list:
    """The rows, with the selected event first when it is not among them (it passed the filters)."""
    if selected and all(r["id"] != selected for r in rows):
        ev = atlas.event(selected)
        if ev is not None:
            rows = [ev, *rows[: limit - 1]]
    return rows


def few_rows(atlas: Atlas, f: Filters, n: int) -> list[dict[str, Any]] | None:
    """Every filtered event's row, in corpus order, when there are at most MAX_CHOICES; else None.

    A small view's select box and list of events are both made from these rows: one query.
    """
    return query.first_events(atlas.engine, f, MAX_CHOICES) if n <= MAX_CHOICES else None


def latest_rows(atlas: Atlas, f: Filters) -> list[dict[str, Any]]:
    """The latest MAX_CHOICES filtered events: the select box's, and (the first MAX_LIST) the list's."""
    return query.latest(atlas.engine, f, MAX_CHOICES)


def select_choices(
    atlas: Atlas, f: Filters, rows: list[dict[str, Any]] | None, latest: list[dict[str, Any]] | None = None
) -> dict[str, str]:
    """The select box's events (id → label): all of them in order (`few_rows`), or the latest MAX_CHOICES
    (`latest`: `latest_rows`, read here when not given)."""
    if rows is None:
        latest = latest_rows(atlas, f) if latest is None else latest
        rows = _with_selected(atlas, latest, f.event, MAX_CHOICES + 1)
    return {r["id"]: event_label(r) for r in rows}


def event_list(
    atlas: Atlas, f: Filters, rows: list[dict[str, Any]] | None, latest: list[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    """(id, label) of the events the Explorer lists, latest first, the selection kept in (`latest`: as
    for `select_choices`; only its first MAX_LIST are read)."""
    if rows is not None:
        latest = sorted(rows, key=lambda r: r["sk"])  # the stepping order: latest first
    elif latest is None:
        latest = query.latest(atlas.engine, f, MAX_LIST)
    return [(r["id"], list_label(r)) for r in _with_selected(atlas, latest[:MAX_LIST], f.event, MAX_LIST)]


def events_table(atlas: Atlas, f: Filters) -> pd.DataFrame:
    """The Events page's table: the first MAX_ROWS filtered events in reading order, and the selection."""
    eng = atlas.engine
    rows = _with_selected(atlas, query.first_events(eng, f, MAX_ROWS), f.event, MAX_ROWS + 1)
    ids = [r["id"] for r in rows]
    names = participant_names(atlas, eng, ids)
    quotes: dict[str, list[str]] = {}
    for q in export.sources_of(eng, ids):
        # A source is its quote, or (an imported stream's) its link or outlet.
        quotes.setdefault(q["event"], []).append(q["quote"] or q["url"] or q["outlet"] or "")
    return pd.DataFrame(
        {
            "date": [date_label(e) for e in rows],
            "precision": [e["precision"] for e in rows],
            "kind": [TAXONOMY[e["kind"]].label for e in rows],
            "participants": [names.get(e, "") for e in ids],
            "place": [where_text(atlas, e["origin"], e["place"]) if e["place"] else "—" for e in rows],
            "attribution": [e["attribution"] for e in rows],
            "certainty": [e["certainty"] for e in rows],
            "dataset": [e["dataset"] for e in rows],
            "coding": [CODING_NAMES.get(e["coding"], e["coding"]) for e in rows],
            "trust": [trust_text(e) for e in rows],
            "says_who": [f"{e['attribution']} · {e['certainty']}" for e in rows],
            "quote": [" … ".join(quotes.get(e, [])) for e in ids],
            "summary": [e["summary"] for e in rows],
            "id": ids,
        },
        columns=["date", "precision", "kind", "participants", "place", "attribution", "certainty",
                 "dataset", "coding", "trust", "says_who", "quote", "summary", "id"],
    )  # fmt: skip


def places_table(c: Catalog) -> pd.DataFrame:
    """Each place with its coordinates and where they came from."""
    rows = []
    for pid, p in c.places.items():
        xy = c.coords.get(pid)
        rows.append(
            {
                "place": p.name,
                "kind": p.kind.value,
                "country": p.country,
                "lat": xy.lat if xy else None,
                "lon": xy.lon if xy else None,
                "source": c.coord_sources.get(pid, "not geocoded"),
                "id": pid,
            }
        )
    return pd.DataFrame(rows)
