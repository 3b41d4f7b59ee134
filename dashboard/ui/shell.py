"""What every page shares: the cached corpus, the sidebar filters and the URL.

The URL is the state. On a session's first run the query string is read
through `filters.from_query` (invalid values are dropped with a notice); on
every run the canonical query string is written back from the widgets, so a
copied link reproduces the view on any page.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import compiled, figures, filters, view
from dashboard import corpus as corpus_mod
from dashboard.filters import DATE_MAX, DATE_MIN, Filters
from dashboard.model import TAXONOMY, Certainty

URL_READ = "_url_read"
NOTICES = "_notices"


@dataclass(frozen=True)
class Context:
    """One run's view of the data, handed from the entrypoint to the page."""

    corpus: corpus_mod.Corpus
    filters: Filters
    events: pd.DataFrame  # the filtered events
    notices: tuple[str, ...]
    events_key: str  # names the filtered events by content, for the per-view caches


@st.cache_resource(show_spinner="Loading the corpus…", max_entries=4)
def _load(root: str, fingerprint: str) -> corpus_mod.Corpus:
    c = corpus_mod.load(root)
    for _ in range(3):
        # A file that changed while it was read may have been read half-written: read again.
        now = compiled.fingerprint(Path(root))
        if now == fingerprint:
            break
        fingerprint, c = now, corpus_mod.load(root)
    c = replace(c, fingerprint=fingerprint)
    if os.environ.get("CONTACT_ATLAS_GC_FREEZE", "1") != "0":
        # The corpus lives as long as the server: move it, and the modules imported by now, out of
        # the collector's reach so no collection walks them again (a full collection's cost grows
        # with the live heap). Unfreezing first lets a collection free corpora evicted since.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return c


def load_corpus() -> corpus_mod.Corpus:
    """The corpus, reloaded when an editor changes a data file under the running app.

    The fingerprint is the compiled copy's own, which leaves out that copy:
    writing it after a first load must not look like an edit.
    """
    root = corpus_mod.data_dir().resolve()
    return _load(str(root), compiled.fingerprint(root) if root.is_dir() else "")


def _seed_from_url(c: corpus_mod.Corpus) -> None:
    """First run of a session: the URL fills the widgets."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    f, notices = filters.from_query(c, params)
    for name, key in filters.SET_PARAMS.items():
        st.session_state[key] = sorted(getattr(f, name))
    for name, key in filters.DATE_PARAMS.items():
        st.session_state[key] = getattr(f, name)
    st.session_state[filters.EVENT_PARAM] = f.event
    st.session_state[filters.LANES_PARAM] = f.lanes
    st.session_state[NOTICES] = notices
    st.session_state[URL_READ] = True


def _current(c: corpus_mod.Corpus) -> Filters:
    ss = st.session_state
    return Filters.of(
        **{name: ss.get(key) or () for name, key in filters.SET_PARAMS.items()},
        **{name: ss.get(key) for name, key in filters.DATE_PARAMS.items()},
        event=ss.get(filters.EVENT_PARAM),
        lanes=ss.get(filters.LANES_PARAM) or filters.LANES[0],
    )


def clear_filters() -> None:
    """Callback: back to everything, keeping the selection if it is still valid."""
    for key in filters.SET_PARAMS.values():
        st.session_state[key] = []
    for key in filters.DATE_PARAMS.values():
        st.session_state[key] = None


def sidebar(c: corpus_mod.Corpus) -> Context:
    """Render the shared filters and return this run's context."""
    notices: list[str] = []
    if not st.session_state.get(URL_READ):
        _seed_from_url(c)
        notices = list(st.session_state.get(NOTICES, []))
    choices = filters.choices(c)
    actor_name = {a: x.name for a, x in c.actors.items()}
    place_name = {p: x.name for p, x in c.places.items()}
    with st.sidebar:
        st.header("Filters")
        col1, col2 = st.columns(2)
        col1.date_input(
            "From", value=None, key="from", min_value=DATE_MIN, max_value=DATE_MAX, format="YYYY-MM-DD"
        )
        col2.date_input(
            "To", value=None, key="to", min_value=DATE_MIN, max_value=DATE_MAX, format="YYYY-MM-DD"
        )
        st.multiselect(
            "Event kinds", list(TAXONOMY), key="kind", format_func=lambda k: TAXONOMY[k].label,
            placeholder="All kinds",
        )  # fmt: skip
        st.multiselect(
            "Actors", sorted(choices["actors"], key=actor_name.get), key="actor",
            format_func=actor_name.get, placeholder="All actors",
        )  # fmt: skip
        st.multiselect("Countries", sorted(choices["countries"]), key="country", placeholder="All countries")
        st.multiselect(
            "Places", sorted(choices["places"], key=place_name.get), key="place",
            format_func=place_name.get, placeholder="All places",
        )  # fmt: skip
        st.multiselect(
            "Certainty", [x.value for x in Certainty], key="certainty", placeholder="Any certainty",
            help="; ".join(f"{k}: {v}" for k, v in view.CERTAINTY_HELP.items()),
        )  # fmt: skip
        if len(c.articles) > 1:
            st.multiselect(
                "Articles", sorted(c.articles), key="article", format_func=lambda a: c.articles[a].title,
                placeholder="All articles",
            )  # fmt: skip
        f = _current(c)
        events, events_key = filtered(c, f)
        if f.event and not (events["id"] == f.event).any():
            notices.append("The selected event is hidden by these filters; selection cleared.")
            st.session_state[filters.EVENT_PARAM] = None
            f = f.with_event(None)
        labels = _select_labels(c, events, f.event, f"{events_key}&event={f.event}")
        many = len(events) > len(labels)
        st.selectbox(
            "Selected event", list(labels), key=filters.EVENT_PARAM, format_func=labels.get, index=None,
            placeholder=f"Choose one of {len(events):,} events…" if len(events) else "No events",
            help=f"The {view.MAX_CHOICES:,} latest events are listed; narrow the filters to reach the others."
            if many else None,
        )  # fmt: skip
        if f.narrows:
            st.button("Clear filters", on_click=clear_filters, width="stretch")
    f = _current(c)
    write_url(f)
    return Context(c, f, events, tuple(notices), events_key)


def _key(c: corpus_mod.Corpus, f: Filters) -> str:
    # A plain string key: cheaper for Streamlit to hash than the Filters value itself. The corpus
    # is named by its data's fingerprint, so an entry can never outlive the data it was made from.
    return f"{c.root}@{c.fingerprint}?{sorted(filters.to_query(replace(f, event=None)).items())}"


def _events_key(c: corpus_mod.Corpus, events: pd.DataFrame) -> str:
    """The events a view shows, named by content: two links that select the same events share views.

    `events` is a slice of the corpus's events frame, so its index is the rows it kept;
    the fingerprint names the corpus they are rows of. Computed once per filter set.
    """
    rows = np.ascontiguousarray(events.index.to_numpy(dtype=np.int64))
    digest = hashlib.blake2b(rows.tobytes(), digest_size=12).hexdigest()
    return f"{c.root}@{c.fingerprint}#{len(events)}:{digest}"


def view_key(ctx: Context) -> str:
    """This exact view: the events it shows, the lanes and the selected event."""
    return f"{ctx.events_key}&lanes={ctx.filters.lanes}&event={ctx.filters.event}"


@st.cache_resource(max_entries=128, show_spinner=False)
def _chart(key: str, _build: Callable[[], go.Figure]) -> figures.FrozenFigure:
    return figures.freeze(_build())


def chart(name: str, ctx: Context, build: Callable[[], go.Figure]) -> figures.FrozenFigure:
    """A figure built and serialised once per view, however many readers look at that view."""
    return _chart(f"{name}:{view_key(ctx)}", build)


@st.cache_resource(max_entries=128, show_spinner=False)
def _cached_text(key: str, _build: Callable[[], str]) -> str:
    return _build()


def cached_text(name: str, key: str, build: Callable[[], str]) -> str:
    """Page text that depends only on the view (the summary line, the article's HTML)."""
    return _cached_text(f"{name}:{key}", build)


def filtered(c: corpus_mod.Corpus, f: Filters) -> tuple[pd.DataFrame, str]:
    """The filtered events and their content key, cached per filters: selecting an event filters nothing."""
    f = replace(f, event=None, lanes=filters.LANES[0])
    return _filtered(c, f, _key(c, f))


@st.cache_resource(max_entries=64, show_spinner=False)
def _select_labels(
    _c: corpus_mod.Corpus, _events: pd.DataFrame, _event: str | None, key: str
) -> dict[str, str]:
    frame = view.select_choices(_events, _event)
    return dict(zip(frame["id"], (view.event_label(e) for e in corpus_mod.records(frame)), strict=True))


MAX_LIST = 30  # events in the Explorer's keyboard list: the latest


def event_list(ctx: Context) -> list[tuple[str, str]]:
    """(id, label) of the events the Explorer lists, latest first, the selection kept in."""
    return _event_list(ctx.events, ctx.filters.event, f"{ctx.events_key}&event={ctx.filters.event}")


@st.cache_resource(max_entries=64, show_spinner=False)
def _event_list(_events: pd.DataFrame, _event: str | None, key: str) -> list[tuple[str, str]]:
    dated = _events["start"].notna()
    latest = pd.concat([_events[dated].iloc[::-1], _events[~dated]]).iloc[:MAX_LIST]
    if _event and not (latest["id"] == _event).any():
        latest = pd.concat([_events[_events["id"] == _event], latest.iloc[: MAX_LIST - 1]])
    return [(e["id"], view.event_label(e)) for e in corpus_mod.records(latest)]


@st.cache_resource(max_entries=32)
def _filtered(_c: corpus_mod.Corpus, _f: Filters, key: str) -> tuple[pd.DataFrame, str]:
    events = filters.apply(_c, _f)
    return events, _events_key(_c, events)


@st.cache_resource(max_entries=32)
def _map_data(_c: corpus_mod.Corpus, _events: pd.DataFrame, key: str) -> view.MapData:
    return view.map_data(_c, _events)


@st.cache_resource(max_entries=32)
def _timeline_data(_c: corpus_mod.Corpus, _events: pd.DataFrame, _lanes: str, key: str) -> view.TimelineData:
    return view.timeline_data(_c, _events, _lanes)


def map_data(ctx: Context) -> view.MapData:
    """The map's data for this view (cached per filters) with the selection marked."""
    base = _map_data(ctx.corpus, ctx.events, ctx.events_key)
    return view.map_selection(ctx.corpus, base, ctx.filters.event)


def timeline_data(ctx: Context) -> view.TimelineData:
    """The timeline's data for this view (cached per filters and lanes) with the selection marked."""
    f = ctx.filters
    base = _timeline_data(ctx.corpus, ctx.events, f.lanes, f"{ctx.events_key}&{f.lanes}")
    return view.timeline_selection(ctx.corpus, base, f.lanes, f.event)


def write_url(f: Filters) -> None:
    """Make the address bar say exactly this view, and nothing else."""
    want = filters.to_query(f)
    have = {k: st.query_params.get_all(k) for k in st.query_params}
    if have != want:
        st.query_params.from_dict(want)


def stop_if_empty(ctx: Context, no_match: str) -> None:
    """End the page with a word of why when there is nothing to show: an empty corpus, or no match."""
    c = ctx.corpus
    if c.events.empty:
        skipped = ": every record was skipped (see the problems above)." if c.errors else "."
        st.info(
            f"This corpus holds no events{skipped} Data folder: {c.root.name}.",
            icon=":material/database_off:",
        )
        st.stop()
    if ctx.events.empty:
        st.info(no_match, icon=":material/filter_alt_off:")
        st.button("Clear filters", on_click=clear_filters, key="clear-empty")
        st.stop()


def show_notices(ctx: Context) -> None:
    for n in ctx.notices:
        st.warning(n, icon=":material/link_off:")


def select_event(event_id: str | None) -> None:
    """Select an event everywhere: the sidebar box, every view and the URL."""
    st.session_state[filters.EVENT_PARAM] = event_id


def _points(key: str) -> list[dict]:
    state = st.session_state.get(key)
    return [p for p in (state["selection"]["points"] if state else []) if p.get("customdata")]


def on_timeline_select() -> None:
    """Callback: a timeline mark carries its event id; a bin steps through its events."""
    ctx = context()
    for p in _points("timeline"):
        data = [str(x) for x in p["customdata"]]
        if data[0] == view.BIN:
            _, lane, start, end = data[:4]
            f = ctx.filters
            select_event(view.step_bin(ctx.corpus, ctx.events, f.lanes, lane, start, end, f.event))
        else:
            select_event(data[0])
        return


def on_map_select() -> None:
    """Callback: a map marker is a group of events; each click steps through it."""
    ctx = context()
    for p in _points("map"):
        kind, place, origin = (str(x) for x in p["customdata"][:3])
        select_event(view.step_selection(ctx.corpus, ctx.events, (kind, place, origin), ctx.filters.event))
        return


def on_table_select(key: str, ids: list[str]) -> None:
    """Callback for the events table: the selected row's event, or none."""
    state = st.session_state.get(key)
    rows = state["selection"]["rows"] if state else []
    select_event(ids[rows[0]] if rows else None)


def copy_lanes() -> None:
    # The lanes control lives on one page; its value is kept where every page sees it.
    st.session_state[filters.LANES_PARAM] = st.session_state["lanes-widget"]


# Relative, so it resolves under any page's path and behind any URL prefix.
TOPOJSON_URL = "app/static/topojson/"
# The Explorer's own script (no data in it), read once per process, not on every run of the page.
EXPLORER_JS = Path(__file__).with_name("explorer.js").read_text(encoding="utf-8")
# The entrypoint and its page run in one thread: the run's context is handed over there,
# not kept in session state, which Streamlit walks on every run.
_RUN = threading.local()


def set_context(ctx: Context | None) -> None:
    _RUN.context = ctx


def context() -> Context:
    """This run's context, set by the entrypoint before the page runs.

    Callbacks run before the script, in a fresh thread: they rebuild it from
    the widgets' state (the corpus and the filtered events come from caches).
    """
    ctx = getattr(_RUN, "context", None)
    if ctx is None:
        c = load_corpus()
        f = _current(c)
        events, events_key = filtered(c, f)
        ctx = Context(c, f, events, (), events_key)
    return ctx
