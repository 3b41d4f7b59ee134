"""Plotly figures for the map and the timeline: plain functions, no Streamlit.

Every clickable mark carries its event id in `customdata`, which is what a
selection hands back.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.model import TAXONOMY
from dashboard.view import ANY, BIN, MapData, TimelineData

# Okabe–Ito colours (safe for the common colour-vision deficiencies), each kind
# with its own marker symbol as well, so colour is never the only cue.
STYLE: dict[str, tuple[str, str]] = {
    "meeting": ("#0072B2", "circle"),
    "visit": ("#56B4E9", "diamond"),
    "statement": ("#009E73", "square"),
    "report": ("#7F7F7F", "triangle-up"),
    "intent": ("#CC79A7", "star"),
    "mediation": ("#000000", "pentagon"),
    "military_support": ("#D55E00", "triangle-down"),
    "intelligence_sharing": ("#E69F00", "hexagon"),
    "military_exercise": ("#B8A600", "cross"),
    "use_of_force": ("#882255", "x"),
}
SELECTED = "#111111"
FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12}


def map_figure(data: MapData, height: int = 380) -> go.Figure:
    """Places, contact arcs and a marker per kind at each place on an offline-servable world map.

    Markers carry (kind, place, origin) in `customdata`: the group a click selects from.
    """
    fig = go.Figure()
    for kind in TAXONOMY:
        arcs = data.arcs[data.arcs["style"] == kind]
        if arcs.empty:
            continue
        lats: list[float | None] = []
        lons: list[float | None] = []
        for a in arcs.itertuples(index=False):
            lats += [a.lat0, a.lat1, None]
            lons += [a.lon0, a.lon1, None]
        fig.add_trace(
            go.Scattergeo(
                lat=lats,
                lon=lons,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={"width": 1.6, "color": STYLE[kind][0]},
                opacity=0.7,
                name=f"{kind} arcs",
            )
        )
    if not data.places.empty:
        pl = data.places
        fig.add_trace(
            go.Scattergeo(
                lat=pl["lat"],
                lon=pl["lon"],
                mode="markers+text",
                # Sites sit on their city and countries are drawn: only cities need a label.
                text=pl["name"].where(pl["precision"] == "city", ""),
                textposition="bottom center",
                textfont={"size": 11, "color": "#333"},
                marker={
                    "size": 10 + 6 * pl["events"].pow(0.5).clip(upper=8),
                    "color": "rgba(15, 92, 140, 0.10)",
                    "line": {"width": 1, "color": "rgba(15, 92, 140, 0.55)"},
                },
                customdata=pl[["place"]].assign(kind=ANY, origin=ANY)[["kind", "place", "origin"]].to_numpy(),
                hovertext=pl["name"] + " · " + pl["events"].map("{:,}".format) + " event(s)",
                hovertemplate="%{hovertext}<br>click to step through them<extra></extra>",
                name="Places",
                showlegend=False,
            )
        )
    for kind, (colour, symbol) in STYLE.items():
        m = data.markers[data.markers["style"] == kind]
        if m.empty:
            continue
        fig.add_trace(
            go.Scattergeo(
                lat=m["lat"],
                lon=m["lon"],
                mode="markers",
                marker={
                    "size": 10 + 3 * m["count"].pow(0.5).clip(upper=8),
                    "color": colour,
                    "symbol": [f"{symbol}-open" if h else symbol for h in m["hollow"]],
                    "line": {"width": 1, "color": "white"},
                },
                customdata=m[["kind", "place", "origin"]].to_numpy(),
                hovertext=m["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
                name=TAXONOMY[kind].label,
                legendgroup=kind,
            )
        )
    if data.selected is not None:
        kind, place, origin = data.selected
        sel = data.markers[
            (data.markers["kind"] == kind)
            & (data.markers["place"] == place)
            & (data.markers["origin"] == origin)
        ]
        fig.add_trace(
            go.Scattergeo(
                lat=sel["lat"],
                lon=sel["lon"],
                mode="markers",
                name="Selected",
                showlegend=False,
                marker={"size": 24, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": SELECTED}},
                customdata=sel[["kind", "place", "origin"]].to_numpy(),
                hovertext=sel["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.update_geos(
        projection_type="natural earth",
        resolution=110,
        showcountries=True,
        countrycolor="#b9b9b9",
        showcoastlines=True,
        coastlinecolor="#9a9a9a",
        showland=True,
        landcolor="#f4f1ea",
        showocean=True,
        oceancolor="#e8f1f7",
        showlakes=False,
        showframe=False,
        lataxis_range=list(data.frame.lat),
        lonaxis_range=list(data.frame.lon),
    )
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        font=FONT,
        dragmode="pan",
        clickmode="event+select",
        legend={"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0.0},
        uirevision="map",
    )
    return fig


def timeline_figure(data: TimelineData, height: int | None = None) -> go.Figure:
    """Points for days, bars across months, years and spans, in lanes; binned counts at scale.

    A mark's `customdata` is (event id, kind), or (BIN, lane, start, end) for a bin.
    """
    marks = data.marks
    fig = go.Figure()
    bins = marks[marks["shape"] == "bin"]
    if not bins.empty:
        biggest = float(bins["count"].max())
        for kind, (colour, symbol) in STYLE.items():
            b = bins[bins["kind"] == kind]
            if b.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=b["x0"] + (b["x1"] - b["x0"]) / 2,
                    y=b["y"],
                    mode="markers",
                    marker={
                        "size": 5 + 19 * (b["count"] / biggest).pow(0.5),
                        "color": colour,
                        "symbol": symbol,
                        "opacity": 0.8,
                        "line": {"width": 0.5, "color": "white"},
                    },
                    customdata=list(
                        zip(
                            [BIN] * len(b),
                            b["lane"],
                            b["x0"].dt.strftime("%Y-%m-%d"),
                            b["x1"].dt.strftime("%Y-%m-%d"),
                            strict=True,
                        )
                    ),
                    hovertext=b["hover"],
                    hovertemplate="%{hovertext}<extra></extra>",
                    name=TAXONOMY[kind].label,
                    showlegend=False,
                )
            )
    for kind, (colour, symbol) in STYLE.items():
        k = marks[(marks["kind"] == kind) & (marks["shape"] != "bin")]
        if k.empty:
            continue
        bars = k[k["shape"] == "bar"]
        if not bars.empty:
            fig.add_trace(
                go.Bar(
                    base=bars["x0"],
                    x=(bars["x1"] - bars["x0"]).dt.total_seconds() * 1000,
                    y=bars["y"],
                    orientation="h",
                    width=0.55,
                    marker={
                        "color": colour,
                        "opacity": 0.45,
                        "line": {"color": colour, "width": 1.5},
                        "pattern": {"shape": "/", "fgcolor": colour, "size": 6},
                    },
                    customdata=bars[["event", "kind"]].to_numpy(),
                    hovertext=bars["hover"],
                    hovertemplate="%{hovertext}<extra></extra>",
                    name=TAXONOMY[kind].label,
                    showlegend=False,
                )
            )
        pts = k[k["shape"] != "bar"]
        if not pts.empty:
            fig.add_trace(
                go.Scatter(
                    x=pts["x0"],
                    y=pts["y"],
                    mode="markers",
                    marker={
                        "size": 12,
                        "color": colour,
                        "symbol": ["triangle-left" if s == "before" else symbol for s in pts["shape"]],
                        "line": {"width": 1, "color": "white"},
                    },
                    customdata=pts[["event", "kind"]].to_numpy(),
                    hovertext=pts["hover"],
                    hovertemplate="%{hovertext}<extra></extra>",
                    name=TAXONOMY[kind].label,
                    showlegend=False,
                )
            )
    if data.selected:
        sel = marks.iloc[data.selected[:1]]
        r = sel.iloc[0]
        x = r["x0"] if r["shape"] in ("point", "before") else r["x0"] + (r["x1"] - r["x0"]) / 2
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[r["y"]],
                mode="markers",
                name="Selected",
                showlegend=False,
                hoverinfo="skip",
                marker={"size": 24, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": SELECTED}},
            )
        )
    lanes = data.lanes
    rows = int(lanes["rows"].sum()) if len(lanes) else 1
    fig.update_layout(
        height=height or max(220, 60 + 26 * rows + 14 * len(lanes)),
        margin={"l": 8, "r": 8, "t": 8, "b": 30},
        font=FONT,
        barmode="overlay",
        dragmode="pan",
        clickmode="event+select",
        plot_bgcolor="white",
        uirevision="timeline",
        xaxis={"type": "date", "showgrid": True, "gridcolor": "#eee"},
        yaxis={
            "tickmode": "array",
            "tickvals": lanes["y"].tolist(),
            "ticktext": lanes["label"].tolist(),
            "autorange": "reversed",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    )
    return fig
