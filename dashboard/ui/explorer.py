"""Explorer: the map and the timeline beside the article, one selection across all three."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import figures, markup, view
from dashboard.filters import LANES
from dashboard.ui import shell

ctx = shell.context()
c, f, events = ctx.corpus, ctx.filters, ctx.events

st.markdown(f"**{shell.cached_text('summary', shell.view_key(ctx), lambda: view.summary_line(c, events))}**")
shell.show_notices(ctx)

shell.stop_if_empty(ctx, "No events match these filters. Widen the dates or remove a filter to see more.")

left, right = st.columns([3, 2], gap="medium")

with left:
    st.subheader("Map of contacts", anchor=False)
    mdata = shell.map_data(ctx)
    st.plotly_chart(
        shell.chart("map", ctx, lambda: figures.map_figure(mdata)),
        key="map",
        on_select=shell.on_map_select,
        selection_mode="points",
        config={"topojsonURL": shell.TOPOJSON_URL, "displaylogo": False, "scrollZoom": True},
    )
    if mdata.aggregated:
        st.caption(
            "Many events: one marker per place and per route, coloured by its commonest kind."
            + (
                f" {mdata.routes_dropped:,} events on quieter routes are not drawn."
                if mdata.routes_dropped
                else ""
            )
        )
    if mdata.unplaced:
        st.caption(
            f"{mdata.unplaced:,} of {len(events):,} events are not on the map: the article gives no place "
            "for them, or their place is not geocoded. They are on the timeline and in the text."
        )
    head, toggle = st.columns([3, 2], vertical_alignment="bottom")
    head.subheader("Timeline", anchor=False)
    toggle.segmented_control(
        "Lanes", LANES, key="lanes-widget", default=f.lanes, format_func=lambda s: f"by {s}",
        label_visibility="collapsed", on_change=shell.copy_lanes, required=True,
    )  # fmt: skip
    tdata = shell.timeline_data(ctx)
    st.plotly_chart(
        shell.chart("timeline", ctx, lambda: figures.timeline_figure(tdata)),
        key="timeline",
        on_select=shell.on_timeline_select,
        selection_mode="points",
        # No mode bar: it covers the zoom buttons, which do what a reader needs from it.
        config={"displaylogo": False, "displayModeBar": False},
    )
    if tdata.binned:
        notes = [
            f"{len(events):,} events, counted by {tdata.binned}: click a circle to step through its events."
        ]
    else:
        notes = [
            "Points are days; bars cover a month, a year or a span; "
            "◀ marks an event known only to be before that date."
        ]
    if tdata.hidden_lanes:
        notes.append(f"The {view.MAX_LANES} busiest actors are shown; {tdata.hidden_lanes:,} more are not.")
    if tdata.undated:
        notes.append(f"{tdata.undated:,} undated events are not on the timeline.")
    st.caption(" ".join(notes))

with right:
    d = view.details(c, f.event) if f.event else None
    with st.container(border=True):
        if d is None:
            st.markdown(
                "**No event selected.** Click a marker on the map or the timeline, "
                "or choose one in the sidebar."
            )
        else:
            st.html(markup.details_card(d))
            if st.button("Clear selection", key="clear-selection"):
                shell.select_event(None)
                st.rerun()
    article = view.reading_article(c, events, f)
    if article is not None:
        a = c.articles[article]
        st.html(markup.article_heading(a.title, view.article_meta(c, article)))
        with st.container(height=560, key="article-pane"):
            body = shell.cached_text(
                f"article:{article}",
                shell.view_key(ctx),
                lambda: view.article_html(c, article, events, f.event),
            )
            st.html(view.ARTICLE_CSS + body)
        if f.event:
            # Scroll the article pane to the selected sentence (our code only; the text is escaped).
            st.html(
                "<script>(" + view.SCROLL_JS + f")({json.dumps(f.event)});</script>",
                unsafe_allow_javascript=True,
            )
