"""Explorer: the map and the timeline beside the article, one selection across all three."""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from dashboard import escape, figures, network_figure
from dashboard.filters import LANES
from dashboard.ui import html, shell
from dashboard.views import article as article_view
from dashboard.views import details as details_view
from dashboard.views import labels
from dashboard.views import map as map_view
from dashboard.views import network as network_view
from dashboard.views import table as table_view
from dashboard.views import timeline as timeline_view

# The reading column stays in view beside the map and timeline: on a wide screen it sticks
# below the toolbar and its article pane takes the height that is left, so the details card
# and the selected sentence are on screen whatever the page's scroll position.
LAYOUT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.25rem; padding-bottom: 2rem; }
@media (min-width: 640px) {
  div[data-testid="stColumn"]:has(.st-key-reading) { position: sticky; top: 3.5rem; align-self: flex-start; }
  .st-key-reading { max-height: calc(100vh - 7.5rem); flex-wrap: nowrap; }
  .st-key-reading > div { flex: 0 0 auto; }
  .st-key-reading > div:has(.st-key-article-pane) { flex: 1 1 auto; min-height: 9rem; display: flex; }
  .st-key-article-pane { height: auto !important; flex: 1 1 auto; }
}
@media (max-width: 639.98px) {
  .st-key-article-pane { height: 55vh !important; }
  /* Room below the last paragraph: any sentence, the last one too, can be brought up to the pane's top. */
  .st-key-article-pane .article-text { padding-bottom: 45vh; }
}
.st-key-event-list button, .st-key-mark-list button {
  justify-content: flex-start; text-align: left;
  width: 100%; min-height: 0; padding: 0.15rem 0.4rem; }
.st-key-event-list button p, .st-key-mark-list button p { font-size: 0.9rem; }
.st-key-map-zoom button, .st-key-timeline-zoom button { min-height: 0; padding: 0.1rem 0.6rem; }
.st-key-map-zoom button p, .st-key-timeline-zoom button p { font-size: 0.85rem; }
.marks-selected-only mark.ev:not(.selected) { background: none; border-bottom: 0; }
</style>"""


def event_buttons(
    box: str, prefix: str, events: list[tuple[str, str]], selected: str | None, height: int
) -> None:
    """A scrolling list of events, one button each, that selects its event in every view."""
    with st.container(key=box, height=height):
        for event_id, label in events:
            st.button(
                escape.markdown_text(label), key=f"{prefix}-{event_id}", type="tertiary",
                icon=":material/arrow_right:" if event_id == selected else None,
                on_click=shell.select_event, args=(event_id,),
            )  # fmt: skip


def zoom_buttons(
    key: str,
    choices: dict[str | None, str],
    current: str | None,
    choose: Callable[[str | None], None],
    tip: str,
) -> None:
    """A chart's zoom choices as a row of buttons (Tab reaches each, Enter or Space presses it); the
    chosen one is marked, none when the reader zoomed by hand."""
    with st.container(key=key, horizontal=True, gap="small"):
        for value, label in choices.items():
            st.button(
                label, key=f"{key}-{value or 'default'}", type="primary" if value == current else "secondary",
                on_click=choose, args=(value,), help=tip,
            )  # fmt: skip


def show_picked(picked: tuple[str, list[tuple[str, str]], bool]) -> None:
    """The clicked mark's events, one button each: one click reaches any of them."""
    title, events, more = picked
    head, close = st.columns([5, 1], vertical_alignment="center")
    head.markdown(
        f"**{'The latest ' if more else ''}{len(events):,} events at {escape.markdown_text(title)}**"
        ": pick one"
    )
    close.button("Close", key="close-picked", type="tertiary", on_click=shell.close_picked)
    event_buttons("mark-list", "mark", events, ctx.filters.event, height=min(44 + 34 * len(events), 280))


ctx = shell.context()
a, f, n = ctx.atlas, ctx.filters, ctx.n

st.html(LAYOUT_CSS)
st.markdown(f"**{escape.markdown_text(table_view.summary_line(a, ctx.summary, f))}**")
shell.show_notices(ctx)

shell.stop_if_empty(ctx, "No events match these filters. Widen the dates or remove a filter to see more.")

left, right = st.columns([3, 2], gap="medium")

with left:
    st.subheader("Map of contacts", anchor=False)
    mdata = shell.map_data(ctx)
    z = shell.current_zoom()
    if z.map and not map_view.shows_any(mdata, z.map):
        shell.set_map_view(None)  # the filters left nothing in the reader's view: frame the events again
        st.caption(
            escape.markdown_text(f"The map's view ({z.map}) holds none of these events: framed on them.")
        )
        z = shell.current_zoom()
        shell.write_url(f)
    fits = mdata.extent != mdata.frame
    if fits or z.map:  # "Fit events" also brings a reader's own view back
        zoom_buttons(
            "map-zoom", {None: "Fit events", "all": "Fit all"} if fits else {None: "Fit events"}, z.map,
            shell.set_map_view, "Frame the map on where the events happen, or on everything too",
        )  # fmt: skip
    frame = map_view.view_frame(mdata, z.map)
    st.plotly_chart(
        figures.zoomed_map(
            shell.chart("map", ctx, lambda: figures.map_figure(mdata)),
            frame,
            f"{z.map or 'events'}:{frame or mdata.frame}",
        ),
        key="map",
        on_select=shell.on_map_select,
        selection_mode="points",
        config={
            "topojsonURL": shell.TOPOJSON_URL, "displaylogo": False, "scrollZoom": True, "showTips": False,
        },
    )  # fmt: skip
    picked = shell.picked_events(ctx)
    if picked is not None and st.session_state.get(shell.PICKED, ("",))[0] == "map":
        show_picked(picked)
    notes = [
        "One marker per place (a site at its city): a click selects its latest event and lists the others; "
        "arrows point from a contact's origin to its place; a shaded country holds events known only "
        "to the country."
    ]
    if mdata.aggregated:
        notes.append("Many contacts: routes are merged across kinds and coloured by their commonest kind.")
    if mdata.routes_dropped:
        notes.append(f"{mdata.routes_dropped:,} contacts on quieter routes are not drawn.")
    if mdata.dense:
        notes.append(
            f"{'Machine-coded' if mdata.clustered == ('machine',) else 'The'} events' places are counted in "
            "hexagons (H3) that shrink as you zoom in, down to each place; a circle's colour is its "
            "commonest CAMEO class, its number its events (the buttons pick the size by hand)."
        )
    headless = int(ctx.summary.get("stories") or 0) - int(ctx.summary.get("heads") or 0)
    if mdata.by_story and headless > 0:
        notes.append(
            f"{headless:,} of the {int(ctx.summary['stories']):,} stories {'is' if headless == 1 else 'are'} "
            "not counted on the map: "
            "a story is counted at its first record's place, and that record is outside these filters "
            "(Raw records counts every record)."
        )
    if mdata.unplaced:
        notes.append(
            f"{mdata.unplaced:,} of {n:,} events are not on the map: the article gives no place "
            "for them, or their place is not geocoded. They are on the timeline and in the text."
        )
    st.caption(" ".join(notes))
    if mdata.dense:
        with st.expander("Kinds in each CAMEO class"):
            st.markdown(map_view.kinds_by_class())
    with st.expander("The map as text"):
        st.text(
            "\n".join(shell.cached_text("map-text", shell.view_key(ctx), lambda: map_view.map_text(mdata, a)))
        )
    head, toggle = st.columns([3, 2], vertical_alignment="bottom")
    head.subheader("Timeline", anchor=False)
    toggle.segmented_control(
        "Lanes", LANES, key="lanes-widget", default=f.lanes, format_func=lambda s: f"by {s}",
        label_visibility="collapsed", on_change=shell.copy_lanes, required=True,
    )  # fmt: skip
    stories_in_view = bool(ctx.summary.get("records"))
    if stories_in_view:
        st.toggle(
            "Raw records", key="records-widget", value=f.records == "raw", on_change=shell.copy_records,
            help="Off: the timeline draws one mark a story of machine-coded records (its earliest record "
            "in view, larger for more outlets), and the map counts stories, sized by their outlets. "
            "On: each record, as the stream gives it.",
        )  # fmt: skip
    tdata = shell.timeline_data(ctx)
    if z.span and not timeline_view.shows_any(tdata, z.span):
        shell.set_span(None)  # the filters left nothing in the reader's span: where the events are, again
        st.caption(
            escape.markdown_text(
                f"The timeline's span ({z.span}) holds none of these events: shown where they are."
            )
        )
        z = shell.current_zoom()
        shell.write_url(f)
    choices = {None: "Busiest span"} if tdata.dense else {}
    choices.update({"month": "Latest month", "year": "Latest year", "all": "All"})
    zoom_buttons(
        "timeline-zoom", choices, z.span if z.span or tdata.dense else "all", shell.set_span,
        "Zoom the timeline: where most events are, the latest month or year, or every event",
    )  # fmt: skip
    x_range = timeline_view.time_range(tdata, z.span)
    st.plotly_chart(
        figures.zoomed_timeline(
            shell.chart("timeline", ctx, lambda: figures.timeline_figure(tdata)),
            x_range,
            f"{z.span or 'dense'}:{x_range}",
        ),
        key="timeline",
        on_select=shell.on_timeline_select,
        selection_mode="points",
        # No mode bar: the buttons above do what a reader needs from it.
        config={"displaylogo": False, "displayModeBar": False, "showTips": False},
    )
    if picked is not None and st.session_state.get(shell.PICKED, ("",))[0] == "bin":
        show_picked(picked)
    if tdata.binned:
        notes = [f"{n:,} events, counted by {tdata.binned}: click a circle to list its events."]
    else:
        notes = [
            "Points are days (a day's events side by side); bars cover a month, a year or a span; "
            "◀ marks an event known only to be before that date."
        ]
    if tdata.outside and z.span is None:
        notes.append(
            f"Framed where most events are: {tdata.outside:,} earlier or later "
            f"{'event is' if tdata.outside == 1 else 'events are'} outside it (All shows them)."
        )
    if tdata.hidden_lanes:
        notes.append(
            f"The {timeline_view.MAX_LANES} busiest actors are shown; {tdata.hidden_lanes:,} more are not."
        )
    if tdata.undated:
        notes.append(f"{tdata.undated:,} undated events are not on the timeline.")
    if stories_in_view and not tdata.binned and f.records == "stories":
        notes.append(
            "Machine-coded records are drawn one mark a story (its earliest record here, larger for more "
            "outlets); the card lists the story's links."
        )
    elif stories_in_view and tdata.binned:
        notes.append("The circles count records, not stories (the counts are read from the aggregates).")
    st.caption(" ".join(notes))

    # The events as a list: what the map and timeline show, in words, each a button (Enter selects).
    st.subheader("Events in view", anchor="event-list")
    listed = shell.event_list(ctx)
    event_buttons("event-list", "list", listed, f.event, height=min(44 + 34 * len(listed), 320))
    if n > len(listed):
        st.caption(f"The {len(listed):,} latest of {n:,} events; narrow the filters to list others.")

    # Who meets whom: a click on a node or an edge narrows every view to its events.
    head, toggle = st.columns([1, 1], vertical_alignment="bottom")  # room for three choices
    head.subheader("Who met whom", anchor="network")
    mode = toggle.segmented_control(
        "Nodes", list(network_view.MODES), key="network-mode", default=f.network,
        format_func=network_view.MODES.get, label_visibility="collapsed", required=True,
        on_change=shell.copy_network,
    ) or f.network  # fmt: skip
    # Pairs are counted from the store's agg_pairs_* tables (the event rows under an actor, country,
    # place or article filter), still a few hundred milliseconds at a million events: past
    # AUTO_EVENTS the network is drawn when a reader asks.
    drawn = n <= network_view.AUTO_EVENTS or st.toggle(
        f"Draw the network of these {n:,} events (counting their pairs takes a moment)", key="network-draw"
    )
    ndata = (
        shell.cached(f"network:{mode}", ctx.key, lambda: network_view.network_data(a, f, mode, n))
        if drawn
        else None
    )
    if ndata is None:
        st.caption("Narrow the filters, or switch the network on above, to see who met whom.")
    elif len(ndata.edges):
        st.plotly_chart(
            shell.chart(
                f"network:{mode}",
                ctx,
                lambda: network_figure.network_figure(ndata, network_view.chosen(f, mode)),
            ),
            key="network",
            on_select=lambda: on_network_select(mode),
            selection_mode="points",
            config={"displaylogo": False, "displayModeBar": False},
        )
        notes = [
            f"Each line joins two {network_view.MODES[mode].lower()} that take part in the same events, "
            "thicker for more, coloured by their commonest kind; click its midpoint for their events, "
            "or a circle for one's events."
        ]
        if ndata.dropped_pairs:
            notes.append(
                f"The {len(ndata.edges):,} busiest pairs are drawn; {ndata.dropped_pairs:,} quieter pairs "
                f"with {ndata.dropped_contacts:,} contacts are not (narrow the filters to see them)."
            )
        st.caption(" ".join(notes))
    else:
        st.caption(f"No two {network_view.MODES[mode].lower()} take part in the same event here.")
    if f.between:
        names = [labels.side_name(a, x, prose=True) for x in f.between]
        st.caption(
            f"Showing the contacts between {escape.markdown_text(names[0])} and "
            f"{escape.markdown_text(names[1])}: their events are listed under the timeline."
        )
        st.button("Show every pair", key="every-pair", type="tertiary", icon=":material/hub:",
                  on_click=shell.clear_between)  # fmt: skip
    if ndata is not None:
        with st.expander("The network as text"):
            st.text("\n".join(network_view.network_text(ndata)) or "No pairs.")

with right, st.container(key="reading"):
    d = (
        shell.cached("details", f"{a.fingerprint}:{f.event}", lambda: details_view.details(a, f.event))
        if f.event
        else None
    )
    with st.container(border=True):
        if d is None:
            st.markdown(
                "**No event selected.** Click a marker on the map or the timeline, "
                "or choose one in the list of events or the sidebar."
            )
        else:
            st.html(html.details_card(d))
            for eid, title in d.story.corroborates if d.story else ():
                # The curated event this story corroborates, one click away (`?event=…`).
                st.button(
                    escape.markdown_text(f"Select the curated event: {title}"), key=f"corroborates-{eid}",
                    type="secondary", icon=":material/verified:", on_click=shell.select_event, args=(eid,),
                )  # fmt: skip
            # A callback: it runs before the sidebar's box of the selected event is drawn again, the
            # only time that box's value may be changed.
            st.button(
                "Clear selection", key="clear-selection", type="tertiary", icon=":material/close:",
                on_click=shell.select_event, args=(None,),
            )  # fmt: skip
    article = shell.cached("reading", shell.view_key(ctx), lambda: article_view.reading_article(a, f))
    if d is not None and d.links and not d.quotes:
        # No stored text cites this event (an imported stream's): its sources, as links.
        st.html(html.article_heading("Sources of the selected event", d.origin_line))
        with st.container(key="article-pane"):
            st.html(html.source_links(d.links))
    elif article is not None:
        st.html(html.article_heading(a.articles[article].title, article_view.article_meta(a, article)))
        mark_all = st.toggle(
            "Mark every cited sentence", value=True, key="mark-all",
            help="On: every sentence an event in view cites is marked lightly, the selected one strongly. "
            "Off: only the selected event's sentence.",
        )  # fmt: skip
        with st.container(height=560, key="article-pane"):
            body = shell.cached_text(
                f"article:{article}",
                shell.view_key(ctx),
                lambda: html.article_html(article_view.article_text(a, f, article)),
            )
            wrapper = "marks-all" if mark_all else "marks-selected-only"
            st.html(f'{html.ARTICLE_CSS}<div class="{wrapper}">{body}</div>')


def on_network_select(mode: str) -> None:
    """Callback: a node narrows the filters to its events, an edge to the contacts between its two
    nodes (`between`); the URL follows."""
    state = st.session_state.get("network")
    for p in state["selection"]["points"] if state else []:
        data = [str(x) for x in p.get("customdata") or ()]
        if not data:
            continue
        if data[0] == network_figure.EDGE:
            shell.set_between(data[1], data[2])
        elif data[0] == network_figure.NODE:  # one node's events: no longer a pair's
            shell.clear_between()
            for key, values in network_view.filters_for(shell.context().atlas, mode, data[1:]).items():
                st.session_state[key] = values
        return


# What the charts show now, so the page script reports a reader's zoom only when it differs.
drawn = frame or mdata.frame
shell.zoom_bridge({"timeline": x_range, "map": [drawn.lon[0], drawn.lat[0], drawn.lon[1], drawn.lat[1]]})

# Our code only (the event id is JSON-encoded); scrolls the pane to the selected sentence.
st.html(
    f"<script>{shell.EXPLORER_JS}\ncontactAtlasShow({json.dumps(f.event or '')});</script>",
    unsafe_allow_javascript=True,
)
