"""What every page shares: the opened store, the sidebar filters, the URL and the view caches.

The URL is the state. On a session's first run the query string is read
through `filters.from_query` (invalid values are dropped with a notice); on
every run the canonical query string is written back from the widgets, so a
copied link reproduces the view on any page.

Every view asks the engine for what it draws (`dashboard.views`); the
results are cached here, keyed by the data's fingerprint and the filters
(plain strings, never object ids), in one cache bounded in bytes.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from dashboard import atlas as atlas_mod
from dashboard import escape, figures, filters, memo, query, stories_query, zoom
from dashboard import store as store_mod
from dashboard.countries import country_name
from dashboard.filters import DATE_MAX, DATE_MIN, Filters
from dashboard.model import TAXONOMY, Certainty
from dashboard.problems import DataError
from dashboard.readers import corpus as corpus_mod
from dashboard.views import labels
from dashboard.views import map as map_view
from dashboard.views import table as table_view
from dashboard.views import timeline as timeline_view

LOG = logging.getLogger(__name__)
URL_READ = "_url_read"
NETWORK_STATE = "network-nodes"  # the network's nodes, kept for every page (the chart's key is "network")
NOTICES = "_notices"
BETWEEN_A, BETWEEN_B = "between-a", "between-b"  # the sidebar's two sides of `between`
# The views' zoom (dashboard.zoom): kept per session like the filters, written to the URL with them.
SPAN_KEY = "_span"
MAP_KEY = "_mapview"
PICKED = "_picked"  # the map mark or timeline bin whose events are listed to pick from
ZOOM_SYNC = "zoom-sync"  # the bridge that tells the server of a reader's drag-zoom
T = TypeVar("T")

# Every view's result and figure, for every reader of this server, within this many bytes.
VIEW_CACHE_BYTES = int(float(os.environ.get("CONTACT_ATLAS_VIEW_CACHE_MB", "96")) * 2**20)
VIEWS = memo.Memo(VIEW_CACHE_BYTES)


@dataclass(frozen=True)
class Context:
    """One run's view of the data, handed from the entrypoint to the page."""

    atlas: atlas_mod.Atlas
    filters: Filters
    summary: dict[str, Any]  # query.summary of the filters: n, first, last, unplaced
    notices: tuple[str, ...]
    key: str  # names the data and the filters (not the selection), for the view caches

    @property
    def n(self) -> int:
        return int(self.summary["n"])


@st.cache_resource(show_spinner="Opening the corpus…", max_entries=2)
def _open(root: str, fingerprint: str) -> atlas_mod.Atlas:
    a = atlas_mod.open_atlas(Path(root))
    if os.environ.get("CONTACT_ATLAS_GC_FREEZE", "1") != "0":
        # The catalog lives as long as the server: move it, and the modules imported by now, out
        # of the collector's reach so no collection walks them again. Unfreezing first lets a
        # collection free what was evicted since.
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    return a


def load_atlas() -> atlas_mod.Atlas:
    """The opened store, reopened when an editor changes a data file under the running app.

    The data folder is looked at once every `atlas.RECHECK_S` seconds per
    process, not on every run; a change builds the new store on the next run.
    """
    root = corpus_mod.data_dir().resolve()
    try:
        a = _open(str(root), atlas_mod.fingerprint_now(root))
    except DataError as exc:
        # The server's log keeps the whole line, which names paths; a reader gets why, in a few words.
        LOG.error("cannot open the data: %s", exc)
        why = getattr(exc, "reason", None) or "the server's log says why"
        st.error(f"The data cannot be opened right now: {why}.", icon=":material/error:")
        st.stop()
    return a


def _seed_from_url(a: atlas_mod.Atlas) -> None:
    """First run of a session: the URL fills the widgets."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    f, notices = filters.from_query(a, params)
    for name, key in filters.SET_PARAMS.items():
        st.session_state[key] = sorted(getattr(f, name))
    for name, key in filters.DATE_PARAMS.items():
        st.session_state[key] = getattr(f, name)
    st.session_state[BETWEEN_A], st.session_state[BETWEEN_B] = f.between or (None, None)
    st.session_state[filters.EVENT_PARAM] = f.event
    st.session_state[filters.CORROBORATION_PARAM] = f.corroboration or ALL_EVENTS
    st.session_state[filters.LANES_PARAM] = f.lanes
    st.session_state[filters.RECORDS_PARAM] = f.records
    st.session_state[NETWORK_STATE] = f.network
    z, zoom_notices = zoom.from_query(params)
    st.session_state[SPAN_KEY], st.session_state[MAP_KEY] = z.span, z.map
    st.session_state[NOTICES] = notices + zoom_notices
    st.session_state[URL_READ] = True


def _current() -> Filters:
    ss = st.session_state
    sides = (ss.get(BETWEEN_A), ss.get(BETWEEN_B))
    return Filters.of(
        **{name: ss.get(key) or () for name, key in filters.SET_PARAMS.items()},
        **{name: ss.get(key) for name, key in filters.DATE_PARAMS.items()},
        between=sides if all(sides) else None,  # one side alone is no filter yet
        event=ss.get(filters.EVENT_PARAM),
        corroboration=None
        if ss.get(filters.CORROBORATION_PARAM) in (None, ALL_EVENTS)
        else ss.get(filters.CORROBORATION_PARAM),
        lanes=ss.get(filters.LANES_PARAM) or filters.LANES[0],
        network=ss.get(NETWORK_STATE) or filters.NETWORK[0],
        records=ss.get(filters.RECORDS_PARAM) or filters.RECORDS[0],
    )


def clear_filters() -> None:
    """Callback: back to everything, keeping the selection if it is still valid."""
    for key in filters.SET_PARAMS.values():
        st.session_state[key] = []
    for key in filters.DATE_PARAMS.values():
        st.session_state[key] = None
    st.session_state[filters.CORROBORATION_PARAM] = ALL_EVENTS
    clear_between()


def set_between(a: str, b: str) -> None:
    """Callback's work: the contacts between these two sides (a network edge's two nodes)."""
    st.session_state[BETWEEN_A], st.session_state[BETWEEN_B] = a, b


def clear_between() -> None:
    st.session_state[BETWEEN_A] = st.session_state[BETWEEN_B] = None


def filters_key(a: atlas_mod.Atlas, f: Filters) -> str:
    """The data and the filters as one string (the selection, the lanes, the network's nodes and
    no-op dates left out)."""
    # `between` is symmetric: both orders of its sides share the views.
    between = tuple(sorted(f.between)) if f.between else None
    same = filters.without_no_ops(
        replace(f, between=between, event=None, lanes=filters.LANES[0], network=filters.NETWORK[0]),
        *a.date_bounds,
    )
    q = filters.to_query(same)
    return f"{a.root}@{a.fingerprint}?{sorted(q.items())}"


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """A view's result, built once per key for every reader of this server."""
    return VIEWS.get(f"{name}|{key}", build)


def _summary(a: atlas_mod.Atlas, f: Filters, key: str) -> dict[str, Any]:
    """The summary line's counts; with imported records in the corpus, their stories too."""

    def build() -> dict[str, Any]:
        s = dict(query.summary(a.engine, f))
        if set(a.datasets) - {"curated"}:
            s |= stories_query.story_count(a.engine, f)
        return s

    return cached("summary", key, build)


def sidebar(a: atlas_mod.Atlas) -> Context:
    """Render the shared filters and return this run's context."""
    notices: list[str] = []
    if not st.session_state.get(URL_READ):
        _seed_from_url(a)
        notices = list(st.session_state.get(NOTICES, []))
    actors, countries, places, actor_name, place_name = cached(
        "sidebar-choices", f"{a.root}@{a.fingerprint}", lambda: _sidebar_choices(a)
    )
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
            "Actors", actors, key="actor",
            format_func=actor_name.get, placeholder="All actors",
        )  # fmt: skip
        st.multiselect(
            "Countries", countries, key="country",
            format_func=country_name, placeholder="All countries",
        )  # fmt: skip
        between_control(a)
        st.multiselect(
            "Places", places, key="place",
            format_func=place_name.get, placeholder="All places",
        )  # fmt: skip
        st.multiselect(
            "Certainty", [x.value for x in Certainty], key="certainty", placeholder="Any certainty",
            help="; ".join(f"{k}: {v}" for k, v in labels.CERTAINTY_HELP.items()),
        )  # fmt: skip
        if len(a.datasets) > 1 or st.session_state.get("dataset"):
            st.multiselect(
                "Dataset", list(DATASET_LABELS), key="dataset", format_func=DATASET_LABELS.get,
                placeholder="All datasets",
                help="Curated: coded here from an article's sentences. GDELT: machine-coded from news "
                "reports (hollow marks). ACLED: coded by hand from reports.",
            )  # fmt: skip
        if len(a.codings) > 1 or st.session_state.get("coding"):
            st.multiselect(
                "Coding", list(CODING_LABELS), key="coding", format_func=CODING_LABELS.get,
                placeholder="Any coding",
                help="Coded by hand: sourced events an editor has reviewed (filled marks). Drafts: "
                "proposed from an article's text and not yet reviewed (pale marks). Machine-coded: "
                "GDELT's events (hollow marks).",
            )  # fmt: skip
        if set(a.datasets) - {"curated"} or st.session_state.get(filters.CORROBORATION_PARAM) not in (
            None,
            ALL_EVENTS,
        ):
            st.selectbox(
                "Corroboration", list(CORROBORATION_LABELS), key=filters.CORROBORATION_PARAM,
                format_func=CORROBORATION_LABELS.get,
                help="Corroborated: curated events a machine-coded story reports, and that story's "
                "records. Curated only: curated events no story reports. Machine only: machine-coded "
                "records whose story corroborates no curated event.",
            )  # fmt: skip
        if len(a.articles) > 1:
            listed = article_choices(a, st.session_state.get("article") or ())
            st.multiselect(
                "Articles", listed, key="article", format_func=lambda x: a.articles[x].title,
                placeholder="All articles",
                help=f"The {MAX_ARTICLES:,} latest of {len(a.articles):,} articles are listed; a link may "
                "name any." if len(a.articles) > MAX_ARTICLES else None,
            )  # fmt: skip
        f = _current()
        key = filters_key(a, f)
        summary = _summary(a, f, key)
        n = int(summary["n"])
        if f.event and not _passes(a, f, key):
            notices.append("The selected event is hidden by these filters; selection cleared.")
            st.session_state[filters.EVENT_PARAM] = None
            f = f.with_event(None)
        rows = cached("rows", key, lambda: table_view.few_rows(a, f, n))
        labels_of = cached(
            "select",
            f"{key}&event={f.event}",
            lambda: table_view.select_choices(
                a, f, rows, None if rows is not None else latest_rows(a, f, key)
            ),
        )
        many = n > len(labels_of)
        st.selectbox(
            "Selected event", list(labels_of), key=filters.EVENT_PARAM, format_func=labels_of.get, index=None,
            placeholder=f"Choose one of {n:,} events…" if n else "No events",
            help=f"The {table_view.MAX_CHOICES:,} latest events are listed; narrow the filters to reach "
            "the others." if many else None,
        )  # fmt: skip
        if f.narrows:
            st.button("Clear filters", on_click=clear_filters, width="stretch")
    f = _current()
    if write_url(f):
        # Opened again, the whole query string would be dropped (Streamlit's limits): say so now.
        st.warning(
            "This view's link is too long to open again (more than 512 KiB or 1,000 values): "
            "shared, it would open unfiltered. Narrow by fewer places, actors or articles to share it.",
            icon=":material/link_off:",
        )
    return Context(a, f, summary, tuple(notices), key)


def _sidebar_choices(
    a: atlas_mod.Atlas,
) -> tuple[list[str], list[str], list[str], dict[str, str], dict[str, str]]:
    """The boxes' actors, countries and places, each by name, and the actors' and places' names:
    the same for every run on this data (at 1M events, 3,000 actors sorted on every run)."""
    choices = filters.choices(a)
    actor_name = {k: x.name for k, x in a.actors.items()}
    place_name = {k: x.name for k, x in a.places.items()}
    return (
        sorted(choices["actors"], key=actor_name.get),
        sorted(choices["countries"], key=country_name),
        sorted(choices["places"], key=place_name.get),
        actor_name,
        place_name,
    )


def between_control(a: atlas_mod.Atlas) -> None:
    """Two boxes: the sides of `between` (countries by name, groups, actors); both empty is off."""
    options = cached("between-sides", f"{a.root}@{a.fingerprint}", lambda: _side_options(a))
    for key, label, placeholder in (
        (BETWEEN_A, "Contacts between", "A country, group or actor"),
        (BETWEEN_B, "and", "… and another"),
    ):
        st.selectbox(
            label, list(options), key=key, index=None, format_func=options.get, placeholder=placeholder,
            help="Keeps the events in which one participant of the first side and another of the second "
            "take part. A group is a country's actors of one kind." if key == BETWEEN_A else None,
        )  # fmt: skip
    first, second = st.session_state.get(BETWEEN_A), st.session_state.get(BETWEEN_B)
    if bool(first) != bool(second):
        st.caption("Choose the other side too: one side alone does not filter.")
    elif first and second and (why := filters.read_between(a, f"{first},{second}").why):
        # One actor on both sides: no event can match, and the reader is told why (as a link would be).
        st.caption(escape.markdown_text(f"{why[:1].upper()}{why[1:]}."))


def _side_options(a: atlas_mod.Atlas) -> dict[str, str]:
    """Every side a reader may choose (id → name): countries, then groups, then actors, each by name.

    Names are unique (the box reports a choice by its name): an actor named like a country or
    another actor ("United States", the state) gets its id beside it.
    """
    out: dict[str, str] = {}
    for kind, sides in filters.sides(a).items():
        named = {s: labels.side_name(a, s) for s in sides}
        if kind == "actor":
            seen = Counter(named.values()) + Counter(out.values())
            named = {s: f"{n} ({s})" if seen[n] > 1 else n for s, n in named.items()}
        out |= dict(sorted(named.items(), key=lambda kv: (kv[1].casefold(), kv[0])))
    return out


ALL_EVENTS = "all"  # the corroboration box's "no filter"
CORROBORATION_LABELS = {
    ALL_EVENTS: "All events",
    "corroborated": "Corroborated",
    "curated": "Curated only",
    "machine": "Machine only",
}
CODING_LABELS = {"human": "Coded by hand", "draft": "Drafts, not yet reviewed", "machine": "Machine-coded"}
DATASET_LABELS = {"curated": "Curated articles", "gdelt": "GDELT (machine-coded)", "acled": "ACLED"}
MAX_ARTICLES = 200  # articles the sidebar lists (every option is sent to the browser on every run)


def article_choices(a: atlas_mod.Atlas, chosen: Sequence[str]) -> list[str]:
    """The articles the sidebar lists: all, or the latest MAX_ARTICLES and those already chosen."""
    if len(a.articles) <= MAX_ARTICLES:
        return sorted(a.articles)
    latest = cached(
        "articles",
        f"{a.root}@{a.fingerprint}",
        lambda: sorted(a.articles, key=lambda x: (a.articles[x].published, x), reverse=True)[:MAX_ARTICLES],
    )
    return sorted({*latest, *(x for x in chosen if x in a.articles)})


def _passes(a: atlas_mod.Atlas, f: Filters, key: str) -> bool:
    """Whether the selected event is among the filtered ones."""
    if not f.narrows:
        return a.has_event(f.event or "")
    return cached("passes", f"{key}&event={f.event}", lambda: query.count(a.engine, f, only=f.event) > 0)


def view_key(ctx: Context) -> str:
    """This exact view: the filters, the lanes and the selected event."""
    return f"{ctx.key}&lanes={ctx.filters.lanes}&event={ctx.filters.event}"


def chart(name: str, ctx: Context, build: Callable[[], figures.PlainFigure]) -> figures.FrozenFigure:
    """A figure built and serialised once per view, however many readers look at that view."""
    return cached(f"chart:{name}", view_key(ctx), lambda: figures.freeze(build()))


def cached_text(name: str, key: str, build: Callable[[], str]) -> str:
    """Page text that depends only on the view (the summary line, the article's HTML)."""
    return cached(f"text:{name}", key, build)


def latest_rows(a: atlas_mod.Atlas, f: Filters, key: str) -> list[dict[str, Any]]:
    """The latest filtered events, read once for the select box and the list of events."""
    return cached("latest", key, lambda: table_view.latest_rows(a, f))


def event_list(ctx: Context) -> list[tuple[str, str]]:
    """(id, label) of the events the Explorer lists, latest first, the selection kept in."""
    a, f = ctx.atlas, ctx.filters
    rows = cached("rows", ctx.key, lambda: table_view.few_rows(a, f, ctx.n))
    return cached(
        "list",
        f"{ctx.key}&event={f.event}",
        lambda: table_view.event_list(a, f, rows, None if rows is not None else latest_rows(a, f, ctx.key)),
    )


def map_data(ctx: Context) -> map_view.MapData:
    """The map's data for this view (cached per filters) with the selection marked."""
    base = cached("map", ctx.key, lambda: map_view.map_data(ctx.atlas, ctx.filters, ctx.n))
    return map_view.map_selection(ctx.atlas, base, ctx.filters.event)


def timeline_data(ctx: Context) -> timeline_view.TimelineData:
    """The timeline's data for this view (cached per filters and lanes) with the selection marked."""
    f = ctx.filters
    undated = int(ctx.summary["undated"])
    base = cached(
        "timeline",
        f"{ctx.key}&lanes={f.lanes}",
        lambda: timeline_view.timeline_data(ctx.atlas, f, undated, ctx.n),
    )
    return timeline_view.timeline_selection(ctx.atlas, base, f.lanes, f.event)


def current_zoom() -> zoom.Zoom:
    """The timeline's span and the map's view this session asks for."""
    return zoom.Zoom(span=st.session_state.get(SPAN_KEY), map=st.session_state.get(MAP_KEY))


def set_span(span: str | None) -> None:
    """Callback (a zoom button): the timeline's span; the figure and the URL follow on this run."""
    st.session_state[SPAN_KEY] = span


def set_map_view(view: str | None) -> None:
    """Callback (a fit button): the map's view."""
    st.session_state[MAP_KEY] = view


def on_zoomed() -> None:
    """Callback: a reader dragged or scrolled a chart's zoom; the page script reports the new range."""
    state = st.session_state.get(ZOOM_SYNC) or {}
    got = state.get("zoomed") if hasattr(state, "get") else None
    if not isinstance(got, dict):
        return
    try:
        if got.get("chart") == "timeline":
            lo, hi = got["range"]
            st.session_state[SPAN_KEY] = zoom.span_of(str(lo), str(hi))
        elif got.get("chart") == "map":
            w, s, e, n = (float(x) for x in got["box"])
            st.session_state[MAP_KEY] = zoom.parse_map(zoom.box_of(w, s, e, n))
    except (KeyError, TypeError, ValueError, OverflowError):
        LOG.info("ignored a zoom report: %r", got)  # our own script's message; nothing to tell a reader


def write_url(f: Filters) -> bool:
    """Make the address bar say exactly this view (filters, selection and zoom), and nothing else.
    Whether the link is too long to open again (Streamlit would drop it whole)."""
    want = {**filters.link_params(f), **zoom.to_query(current_zoom())}
    have = {k: st.query_params.get_all(k) for k in st.query_params}
    if have != want:
        st.query_params.from_dict(want)
    return filters.link_too_long(want)


def stop_if_empty(ctx: Context, no_match: str) -> None:
    """End the page with a word of why when there is nothing to show: an empty corpus, or no match."""
    a = ctx.atlas
    if not a.events:
        skipped = ": every record was skipped (see the problems above)." if a.errors else "."
        st.info(
            f"This corpus holds no events{skipped} Data folder: {escape.markdown_text(a.root.name)}.",
            icon=":material/database_off:",
        )
        st.stop()
    if not ctx.n:
        st.info(no_match, icon=":material/filter_alt_off:")
        st.button("Clear filters", on_click=clear_filters, key="clear-empty")
        st.stop()


def show_notices(ctx: Context) -> None:
    """The link's dropped values, quoted as text: a notice quotes what anyone may put in a URL."""
    for n in ctx.notices:
        st.warning(escape.markdown_text(n), icon=":material/link_off:")


# The server's own log (standard error), whatever logging the host has set up.
_LOG = logging.getLogger("contact_atlas")
if not _LOG.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _LOG.addHandler(_handler)
    _LOG.propagate = False


def page_failed(title: str, exc: BaseException | None = None, opened: atlas_mod.Atlas | None = None) -> None:
    """A page raised: the server's log keeps the traceback, the reader gets a short notice.

    Called from the entrypoint's `except` around the page's run, so the
    traceback (server paths, the data's values) goes to standard error only.
    When a file of the run's store (`opened`) was found damaged (`store.damaged`), the store
    is discarded and closed in this process: the next run builds it again.
    """
    _LOG.exception("the %s page failed", title)
    if exc is not None and opened is not None and store_mod.damaged(exc, opened.store.path):
        store_mod.discard(opened.store.path)
        _open.clear()
        st.error(
            "The data's store was damaged on disk; it is being built again. Reload this page in a moment.",
            icon=":material/error:",
        )
        return
    st.error(
        f"The {escape.markdown_text(title)} page could not be shown: something went wrong on the server. "
        "It has been logged for whoever runs this site; another link, or the same one later, may work.",
        icon=":material/error:",
    )


def select_event(event_id: str | None) -> None:
    """Select an event everywhere: the sidebar box, every view and the URL."""
    st.session_state[filters.EVENT_PARAM] = event_id


def _points(key: str) -> list[dict]:
    state = st.session_state.get(key)
    return [p for p in (state["selection"]["points"] if state else []) if p.get("customdata")]


def on_timeline_select() -> None:
    """Callback: a timeline mark carries its event id; a bin selects its latest and lists its events."""
    ctx = context()
    for p in _points("timeline"):
        data = [str(x) for x in p["customdata"]]
        if data[0] == timeline_view.BIN:
            _, lane, start, end = data[:4]
            coding = data[6] if len(data) > 6 else None
            st.session_state[PICKED] = ("bin", lane, start, end, coding or "")
            select_event(timeline_view.step_bin(ctx.atlas, ctx.filters, lane, start, end, None, coding))
        else:
            select_event(data[0])
        return


def on_map_select() -> None:
    """Callback: a map marker is a group of events: its latest is selected and, if it holds more, all
    are listed beside the map, one click each."""
    ctx = context()
    for p in _points("map"):
        group = tuple(str(x) for x in p["customdata"][:4])
        st.session_state[PICKED] = ("map", *group)
        select_event(map_view.step(ctx.atlas, ctx.filters, group, None))
        return


MAX_PICK = 50  # events listed for one mark; a reader narrows the filters to reach the others


def picked_events(ctx: Context) -> tuple[str, list[tuple[str, str]], bool] | None:
    """The clicked mark's events as a list to pick from: (what the mark is, [(id, label)], more than
    listed); None when no mark was clicked or it holds one event."""
    picked = st.session_state.get(PICKED)
    if not picked:
        return None
    a, f = ctx.atlas, ctx.filters

    def build() -> tuple[str, list[tuple[str, str]], bool]:
        if picked[0] == "map":
            group = tuple(picked[1:])
            rows = map_view.members(a, f, group, MAX_PICK + 1)
            title = map_view.mark_title(a, group)
        else:
            _, lane, start, end, coding = picked
            rows = timeline_view.bin_members(a, f, lane, start, end, coding or None, MAX_PICK + 1)
            name = a.actors[lane].name if f.lanes == "actor" and lane in a.actors else TAXONOMY.get(lane)
            title = f"{getattr(name, 'label', name) or lane}, {start[:10]} to {end[:10]}"
        return title, [(r["id"], labels.list_label(r)) for r in rows[:MAX_PICK]], len(rows) > MAX_PICK

    title, events, more = cached("picked", f"{ctx.key}&lanes={f.lanes}&picked={'|'.join(picked)}", build)
    return (title, events, more) if len(events) > 1 else None


def close_picked() -> None:
    st.session_state[PICKED] = None


def on_table_select(key: str, ids: list[str]) -> None:
    """Callback for the events table: the selected row's event, or none."""
    state = st.session_state.get(key)
    rows = state["selection"]["rows"] if state else []
    select_event(ids[rows[0]] if rows else None)


def copy_records() -> None:
    # The timeline's switch: its value is kept where every page (and the URL's `records`) sees it.
    st.session_state[filters.RECORDS_PARAM] = "raw" if st.session_state["records-widget"] else "stories"


def copy_lanes() -> None:
    # The lanes control lives on one page; its value is kept where every page sees it.
    st.session_state[filters.LANES_PARAM] = st.session_state["lanes-widget"]


def copy_network() -> None:
    # Like the lanes: the switch is on one page, its value (and the URL's `network`) on every page.
    st.session_state[NETWORK_STATE] = st.session_state["network-mode"]


# The bridge from the page script to the server: a drag-zoom on a chart comes back as a trigger value
# (Streamlit's documented component API); it draws nothing and has nothing to focus.
ZOOM_BRIDGE = st.components.v2.component(
    "contact_atlas_zoom",
    js="""export default function ({ data, setTriggerValue }) {
  window.__caZoomNow = data;
  window.__caZoomSend = (value) => setTriggerValue('zoomed', value);
}""",
)


def zoom_bridge(now: dict[str, Any]) -> None:
    """Mount the bridge; `now` tells the page script the ranges the server drew (to report changes only)."""
    ZOOM_BRIDGE(key=ZOOM_SYNC, data=now, on_zoomed_change=on_zoomed, height=0)


# Relative, so it resolves under any page's path and behind any URL prefix.
TOPOJSON_URL = "app/static/topojson/"
# The Explorer's own script (no data in it), read once per process, not on every run of the page.
EXPLORER_JS = Path(__file__).with_name("explorer.js").read_text(encoding="utf-8")
# Every page's script for narrow screens (the sidebar closed after a choice, a typed date taken).
PHONE_JS = Path(__file__).with_name("phone.js").read_text(encoding="utf-8")
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
        a = load_atlas()
        f = _current()
        key = filters_key(a, f)
        ctx = Context(a, f, _summary(a, f, key), (), key)
    return ctx
