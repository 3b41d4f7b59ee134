"""Events: the filtered events as a table, with the same downloads as `python -m dashboard export`."""

from __future__ import annotations

import datetime as dt
import functools
import os
from urllib.parse import urlencode

import streamlit as st

from dashboard import escape, export, filters
from dashboard.ui import html, shell
from dashboard.views import table as table_view

FORMAT_NAMES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "geojson": "GeoJSON"}
# The app's public address for the share link in a download; else the address this page was opened at.
PUBLIC_URL = "CONTACT_ATLAS_PUBLIC_URL"
TABLE_ROW_HEIGHT = 112  # px: five lines of wrapped text
MAX_CARDS = 200  # events listed as cards on a phone (every card is sent to every browser)
# Below 640 px (a phone) the wide table gives way to a list of cards; Streamlit has no server-side
# viewport width, so both are sent and the browser shows one.
SWITCH_CSS = """<style>
@media (max-width: 639.98px) { .st-key-events-wide { display: none; } }
@media (min-width: 640px) { .st-key-events-cards { display: none; } }
</style>"""

ctx = shell.context()
a, f, n = ctx.atlas, ctx.filters, ctx.n

st.markdown(f"**{escape.markdown_text(table_view.summary_line(a, ctx.summary, f))}**")
shell.show_notices(ctx)

shell.stop_if_empty(ctx, "No events match these filters.")

table = shell.cached("table", f"{ctx.key}&event={f.event}", lambda: table_view.events_table(a, f))
if n > table_view.MAX_ROWS:
    st.caption(
        f"The table shows the first {table_view.MAX_ROWS:,} of {n:,} events; the downloads hold all of them."
    )
selected_rows = [i for i, eid in enumerate(table["id"]) if eid == f.event]
st.html(SWITCH_CSS)
wide = st.container(key="events-wide")
wide.dataframe(
    table,
    key="table",
    on_select=lambda: shell.on_table_select("table", table["id"].tolist()),
    selection_mode="single-row",
    selection_default={"selection": {"rows": selected_rows, "columns": []}} if selected_rows else None,
    hide_index=True,
    # Rows tall enough for the summary and the quote, what a journalist reads, to wrap in columns
    # of fixed width: the table fits a 1440 px screen without scrolling sideways.
    row_height=TABLE_ROW_HEIGHT,
    height=min(40 + TABLE_ROW_HEIGHT * len(table), 680),
    column_order=[
        "date",
        "kind",
        *(["dataset"] if len(a.datasets) > 1 else []),
        "trust",
        "participants",
        "place",
        "says_who",
        "summary",
        "quote",
    ],
    column_config={
        "date": st.column_config.TextColumn("Date", width=80),
        "kind": st.column_config.TextColumn("Kind", width=80),
        "dataset": st.column_config.TextColumn("Dataset", width=70),
        "trust": st.column_config.TextColumn(
            "Trust",
            width=80,
            help="curated here, coded by its source, machine-coded or a draft not yet reviewed; "
            "with a caution when a machine event has one source or its place is suspect",
        ),
        "participants": st.column_config.TextColumn("Participants", width=130),
        "place": st.column_config.TextColumn("Place", width=100),
        "says_who": st.column_config.TextColumn("Says who", width=90),
        "summary": st.column_config.TextColumn("Summary", width=180),
        "quote": st.column_config.TextColumn("Quote", width=200),
    },
)
wide.caption("Select a row to select its event in every view.")


def cards_html() -> str:
    rows = table.head(MAX_CARDS).to_dict("records")
    for r in rows:
        r["href"] = "./?" + urlencode(filters.link_params(f.with_event(r["id"])), doseq=True)
    return html.event_cards(rows, f.event)


with st.container(key="events-cards"):
    if len(table) > MAX_CARDS:
        st.caption(f"The first {MAX_CARDS:,} of {n:,} events; narrow the filters, or download them all.")
    # Keyed by the whole view: each card's link carries the lanes and the network's nodes too.
    st.html(shell.cached_text("event-cards", f"{shell.view_key(ctx)}&network={f.network}", cards_html))

link_base = os.environ.get(PUBLIC_URL) or st.context.url
today = dt.datetime.now(dt.UTC).date()
cols = st.columns(len(export.DOWNLOADS))
for col, fmt in zip(cols, export.DOWNLOADS, strict=True):
    col.download_button(
        f"Download {FORMAT_NAMES[fmt]}",
        # Generated when clicked: a million events are not rendered on every rerun. The same bytes
        # as `python -m dashboard export --format FMT --link-base URL` with these filters.
        data=functools.partial(export.download, a.engine, f, fmt, link_base),
        file_name=export.file_name(f, fmt, today),
        mime=export.MEDIA_TYPES[fmt],
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
