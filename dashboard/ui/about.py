"""About: the sources, how events are coded, and where coordinates came from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import query
from dashboard.model import TAXONOMY
from dashboard.ui import shell
from dashboard.views import labels, table

ctx = shell.context()
c = ctx.atlas
per_article = shell.cached(
    "article-events", f"{c.root}@{c.fingerprint}", lambda: query.article_events(c.engine)
)
shell.show_notices(ctx)

st.header("About Contact Atlas", anchor=False)
st.markdown(
    "Contact Atlas turns news articles into **sourced events** — who met whom, where, when, and which "
    "sentence of which article says so. Every event on the map and the timeline is tied to the exact "
    "text that supports it, highlighted in the article."
)

st.subheader("Articles", anchor=False)
st.dataframe(
    pd.DataFrame(
        [
            {
                "title": a.title,
                "publisher": a.publisher,
                "published": a.published.isoformat(),
                "language": a.language,
                "url": a.url or "—",
                "events": per_article.get(a.id, 0),
            }
            for a in c.articles.values()
        ]
    ),
    hide_index=True,
)

st.subheader("How events are coded", anchor=False)
st.markdown(
    "- **Dates keep the article's precision.** “In 2020” is a *year* and is drawn as a bar across 2020; "
    "“February 2025” is a *month*; a day is a point. “Previously” gives an *unknown* date known only to be "
    "before the article. Outside knowledge never sharpens a date.\n"
    "- **Places keep theirs too.** A meeting at the Palace of Independence is at *site* precision; a visit "
    "“to Belarus” is at *country* precision and sits at the country's centre, drawn hollow on the map.\n"
    "- **Origins** draw an arc for contacts that travel: from the visiting side's capital unless the "
    "article says otherwise; arc lengths are geodesic distances.\n"
    "- **Attribution is not fact.** Who asserts an event is recorded, and sets its certainty:"
)
st.dataframe(
    pd.DataFrame([{"certainty": k, "meaning": v} for k, v in labels.CERTAINTY_HELP.items()]),
    hide_index=True,
)

st.subheader("Event kinds and CAMEO codes", anchor=False)
st.dataframe(
    pd.DataFrame(
        [
            {"kind": k, "label": v.label, "CAMEO root": f"{v.cameo} {v.cameo_name}", "meaning": v.description}
            for k, v in TAXONOMY.items()
        ]
    ),
    hide_index=True,
)

st.subheader("Where coordinates came from", anchor=False)
st.markdown(
    "Places are geocoded ahead of time by `python -m dashboard geocode` through a chain of geopy geocoders "
    "— coordinates pinned in the data, a country's centroid from the map's own borders, the offline "
    "GeoNames gazetteer, OpenStreetMap's Nominatim only when asked, and a site's parent city — and the "
    "dashboard reads the cached results. Map borders: Natural Earth 1:110m, served by this app."
)
st.dataframe(table.places_table(c), hide_index=True)
