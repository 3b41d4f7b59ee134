"""Plotly figures for the map and the timeline: plain functions, no Streamlit.

Every clickable mark carries its event id in `customdata`, which is what a
selection hands back.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from dashboard import markup
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
DAY_MS = 86_400_000
# Plotly picks the tick spacing for the zoom; these say how each spacing is labelled.
TIME_TICKS = [
    {"dtickrange": [None, 7 * DAY_MS], "value": "%-d %b %Y"},
    {"dtickrange": [7 * DAY_MS, "M1"], "value": "%-d %b"},
    {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]
FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12}


Cols = dict[str, np.ndarray]


def _cols(frame: pd.DataFrame) -> Cols:
    # Plain arrays: a figure does many small selections, where pandas' per-call cost dominates.
    return {c: frame[c].to_numpy() for c in frame.columns}


def _split(cols: Cols, key: str) -> dict[str, Cols]:
    """The columns split by one column's values."""
    values = cols[key]
    return {str(v): {c: a[values == v] for c, a in cols.items()} for v in dict.fromkeys(values.tolist())}


def map_figure(data: MapData, height: int = 380) -> go.Figure:
    """Places, contact arcs and a marker per kind at each place on an offline-servable world map.

    Markers carry (kind, place, origin) in `customdata`: the group a click selects from.
    """
    traces: list[dict] = []
    arcs_by = _split(_cols(data.arcs), "style")
    for kind in TAXONOMY:
        arcs = arcs_by.get(kind)
        if arcs is None:
            continue
        gap = np.full(len(arcs["lat0"]), np.nan)
        traces.append(
            {
                "type": "scattergeo",
                "lat": np.column_stack([arcs["lat0"], arcs["lat1"], gap]).ravel(),
                "lon": np.column_stack([arcs["lon0"], arcs["lon1"], gap]).ravel(),
                "mode": "lines",
                "hoverinfo": "skip",
                "showlegend": False,
                "line": {"width": 1.6, "color": STYLE[kind][0]},
                "opacity": 0.7,
                "name": f"{kind} arcs",
            }
        )
    if not data.places.empty:
        pl = _cols(data.places)
        n = len(pl["place"])
        traces.append(
            {
                "type": "scattergeo",
                "lat": pl["lat"],
                "lon": pl["lon"],
                "mode": "markers+text",
                # Sites sit on their city and countries are drawn: only cities need a label.
                "text": [
                    markup.plotly_text(n) if k == "city" else ""
                    for n, k in zip(pl["name"], pl["precision"], strict=True)
                ],
                "textposition": "bottom center",
                "textfont": {"size": 11, "color": "#333"},
                "marker": {
                    "size": 10 + 6 * np.minimum(np.sqrt(pl["events"].astype(float)), 8),
                    "color": "rgba(15, 92, 140, 0.10)",
                    "line": {"width": 1, "color": "rgba(15, 92, 140, 0.55)"},
                },
                "customdata": np.column_stack(
                    [np.full(n, ANY, dtype=object), pl["place"], np.full(n, ANY, dtype=object)]
                ),
                "hovertext": [
                    f"{markup.plotly_text(name)} · {count:,} event(s)"
                    for name, count in zip(pl["name"], pl["events"], strict=True)
                ],
                "hovertemplate": "%{hovertext}<br>click to step through them<extra></extra>",
                "name": "Places",
                "showlegend": False,
            }
        )
    markers = _cols(data.markers)
    markers_by = _split(markers, "style")
    for kind, (colour, symbol) in STYLE.items():
        m = markers_by.get(kind)
        if m is None:
            continue
        traces.append(
            {
                "type": "scattergeo",
                "lat": m["lat"],
                "lon": m["lon"],
                "mode": "markers",
                "marker": {
                    "size": 10 + 3 * np.minimum(np.sqrt(m["count"].astype(float)), 8),
                    "color": colour,
                    "symbol": [f"{symbol}-open" if h else symbol for h in m["hollow"]],
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": np.column_stack([m["kind"], m["place"], m["origin"]]),
                "hovertext": m["hover"],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": TAXONOMY[kind].label,
                "legendgroup": kind,
            }
        )
    if data.selected is not None:
        kind, place, origin = data.selected
        hit = (markers["kind"] == kind) & (markers["place"] == place) & (markers["origin"] == origin)
        traces.append(
            {
                "type": "scattergeo",
                "lat": markers["lat"][hit],
                "lon": markers["lon"][hit],
                "mode": "markers",
                "name": "Selected",
                "showlegend": False,
                "marker": {"size": 24, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": SELECTED}},
                "customdata": np.column_stack(
                    [markers["kind"][hit], markers["place"][hit], markers["origin"][hit]]
                ),
                "hovertext": markers["hover"][hit],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    geo = {
        "projection": {"type": "natural earth"},
        "resolution": 110,
        "showcountries": True,
        "countrycolor": "#b9b9b9",
        "showcoastlines": True,
        "coastlinecolor": "#9a9a9a",
        "showland": True,
        "landcolor": "#f4f1ea",
        "showocean": True,
        "oceancolor": "#e8f1f7",
        "showlakes": False,
        "showframe": False,
        "lataxis": {"range": list(data.frame.lat)},
        "lonaxis": {"range": list(data.frame.lon)},
    }
    layout = {
        "geo": geo,
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": FONT,
        "dragmode": "pan",
        "clickmode": "event+select",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0.0},
        "uirevision": "map",
    }
    return _figure(traces, layout)


class FrozenFigure(BaseFigure):
    """A figure turned into its dict once, for a renderer that asks for `to_dict()` on every run.

    Plotly's `to_dict` deep-copies and re-encodes every array on each call; a page shown
    to many readers with the same filters would pay that per reader. Read-only.
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # no BaseFigure.__init__: nothing to validate again
        object.__setattr__(self, "_frozen_spec", spec)

    def to_dict(self) -> dict[str, Any]:
        return self._frozen_spec


def freeze(fig: go.Figure) -> FrozenFigure:
    """The figure as Plotly would serialise it, computed now and reused by every later render."""
    return FrozenFigure(fig.to_dict())


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    # The specs are built here, by hand, from a fixed set of properties: skipping
    # Plotly's per-property validation makes a figure about ten times cheaper to build.
    return go.Figure({"data": [_plain(t) for t in traces], "layout": layout}, _validate=False)


def _plain(value: Any) -> Any:
    """Pandas columns as plain arrays (unvalidated traces would keep the Series and its index)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (pd.Series, pd.Index)):
        return value.to_numpy()
    return value


def _zoom_buttons(marks: pd.DataFrame) -> list[dict[str, Any]]:
    """Buttons that zoom the timeline to the latest month or year of what is shown, and back to all."""
    if marks.empty or marks["x1"].isna().all():
        return []
    latest = pd.Timestamp(marks["x1"].max())

    def span(days: int, pad: int) -> list[str]:
        return [f"{latest - pd.Timedelta(days=days):%Y-%m-%d}", f"{latest + pd.Timedelta(days=pad):%Y-%m-%d}"]

    return [
        {
            "type": "buttons",
            "direction": "right",
            "showactive": False,
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "pad": {"t": 0, "b": 4},
            "font": {"size": 11},
            "buttons": [
                {"label": "Latest month", "method": "relayout", "args": [{"xaxis.range": span(31, 4)}]},
                {"label": "Latest year", "method": "relayout", "args": [{"xaxis.range": span(366, 15)}]},
                {"label": "All", "method": "relayout", "args": [{"xaxis.autorange": True}]},
            ],
        }
    ]


def timeline_figure(data: TimelineData, height: int | None = None) -> go.Figure:
    """Points for days, bars across months, years and spans, in lanes; binned counts at scale.

    A mark's `customdata` is (event id, kind), or (BIN, lane, start, end) for a bin.
    """
    marks = data.marks
    cols = _cols(marks)
    traces: list[dict] = []
    x0, x1 = cols["x0"], cols["x1"]
    by_shape = _split(cols, "shape")
    bins = by_shape.get("bin")
    if bins is not None:
        biggest = float(bins["count"].max())
        for kind, b in _split(bins, "kind").items():
            colour, symbol = STYLE[kind]
            traces.append(
                {
                    "type": "scatter",
                    "x": b["x0"] + (b["x1"] - b["x0"]) / 2,
                    "y": b["y"],
                    "mode": "markers",
                    "marker": {
                        "size": 5 + 19 * np.sqrt(b["count"] / biggest),
                        "color": colour,
                        "symbol": symbol,
                        "opacity": 0.8,
                        "line": {"width": 0.5, "color": "white"},
                    },
                    # No per-point hover text at scale: the template reads the bin's own data.
                    "customdata": np.column_stack(
                        [
                            np.full(len(b["lane"]), BIN, dtype=object),
                            b["lane"],
                            np.datetime_as_string(b["x0"], unit="D"),
                            np.datetime_as_string(b["x1"], unit="D"),
                            b["count"],
                            [markup.plotly_text(x) for x in b["label"]],
                        ]
                    ),
                    "hovertemplate": "<b>%{customdata[4]:,} events</b> · %{customdata[5]}<br>"
                    "from %{customdata[2]} to %{customdata[3]}<br>click to step through them<extra></extra>",
                    "name": TAXONOMY[kind].label,
                    "showlegend": False,
                }
            )
    for shape, part in by_shape.items():
        if shape == "bin":
            continue
        for kind, k in _split(part, "kind").items():
            colour, symbol = STYLE[kind]
            common = {
                "customdata": np.column_stack([k["event"], k["kind"]]),
                "hovertext": k["hover"],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": TAXONOMY[kind].label,
                "showlegend": False,
            }
            if shape == "bar":
                traces.append(
                    dict(
                        type="bar",
                        base=k["x0"],
                        x=(k["x1"] - k["x0"]) / np.timedelta64(1, "ms"),
                        y=k["y"],
                        orientation="h",
                        width=0.55,
                        marker={
                            "color": colour,
                            "opacity": 0.45,
                            "line": {"color": colour, "width": 1.5},
                            "pattern": {"shape": "/", "fgcolor": colour, "size": 6},
                        },
                        **common,
                    )
                )
            else:
                traces.append(
                    dict(
                        type="scatter",
                        x=k["x0"],
                        y=k["y"],
                        mode="markers",
                        marker={
                            "size": 12,
                            "color": colour,
                            "symbol": "triangle-left" if shape == "before" else symbol,
                            "line": {"width": 1, "color": "white"},
                        },
                        **common,
                    )
                )
    if data.selected:
        i = data.selected[0]
        shape = cols["shape"][i]
        x = x0[i] if shape in ("point", "before") else x0[i] + (x1[i] - x0[i]) / 2
        traces.append(
            {
                "type": "scatter",
                "x": [x],
                "y": [cols["y"][i]],
                "mode": "markers",
                "name": "Selected",
                "showlegend": False,
                "hoverinfo": "skip",
                "marker": {"size": 24, "color": "rgba(0,0,0,0)", "line": {"width": 2.5, "color": SELECTED}},
            }
        )
    lanes = data.lanes
    rows = int(lanes["rows"].sum()) if len(lanes) else 1
    layout = {
        "height": height or max(250, 90 + 26 * rows + 14 * len(lanes)),
        "margin": {"l": 8, "r": 8, "t": 38, "b": 30},
        "font": FONT,
        "barmode": "overlay",
        "dragmode": "pan",
        "clickmode": "event+select",
        "plot_bgcolor": "white",
        "uirevision": "timeline",
        "xaxis": {
            "type": "date",
            "showgrid": True,
            "gridcolor": "#eee",
            # Ticks say as much as the zoom allows: years, then months, then days.
            "tickformatstops": TIME_TICKS,
        },
        "updatemenus": _zoom_buttons(marks),
        "yaxis": {
            "tickmode": "array",
            "tickvals": lanes["y"].tolist(),
            "ticktext": [markup.plotly_text(x) for x in lanes["label"]],
            "autorange": "reversed",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    }
    return _figure(traces, layout)
