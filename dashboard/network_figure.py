"""The contact network as a Plotly figure: plain functions, no Streamlit.

Edges are lines coloured by their commonest kind, each with a marker at its
midpoint (a line alone cannot be clicked) carrying ("edge", a, b) in
`customdata`; nodes are markers sized by their events carrying ("node", id).
Names are a text trace of their own ("Labels") that the page's label placer
moves clear of every marker and of each other.
"""

from __future__ import annotations

import numpy as np

from dashboard import escape
from dashboard.figures import FONT, LABELS, OUTLINE, SELECTED, STYLE, PlainFigure, _cols, _figure, _split
from dashboard.model import TAXONOMY
from dashboard.views.network import NetworkData

NODE_FILL = "#4d4d4d"
EDGE = "edge"
NODE = "node"
MAX_LABELS = 40  # the busiest nodes are named; the rest in their hover and in the text
X_RANGE = (-1.3, 1.3)  # the layout's [-1, 1] with room for the outermost names
Y_RANGE = (-1.18, 1.18)


def node_sizes(events: np.ndarray) -> np.ndarray:
    biggest = max(float(events.max()), 1.0) if len(events) else 1.0
    return 10 + 18 * np.sqrt(events.astype(float) / biggest)


# A click narrows the filters (the page redraws): Plotly's own fading of what was not clicked would
# only hide the new view.
KEEP = {"selected": {"marker": {"opacity": 1}}, "unselected": {"marker": {"opacity": 1}}}


def network_figure(data: NetworkData, chosen: frozenset[str] = frozenset(), height: int = 440) -> PlainFigure:
    """Who meets whom: edges weighted and coloured by kind, clickable at their midpoints; nodes sized.

    `chosen`: the nodes the filters name (ringed), and their edge when they are two.
    """
    traces: list[dict] = []
    edges, nodes = data.edges, data.nodes
    biggest = max(int(edges["events"].max()), 1) if len(edges) else 1
    # One line per edge (its width says how many events): lines draw first, under every marker;
    # the chosen pair's edge is outlined.
    for r in edges.itertuples(index=False):
        if len(chosen) == 2 and {r.a, r.b} == chosen:
            traces.append(
                {
                    "type": "scatter", "x": [r.x0, r.x1], "y": [r.y0, r.y1], "mode": "lines",
                    "line": {"width": 5 + 5 * float(np.sqrt(r.events / biggest)), "color": SELECTED},
                    "hoverinfo": "skip", "showlegend": False, "name": "Selected",
                }
            )  # fmt: skip
        traces.append(
            {
                "type": "scatter", "x": [r.x0, r.x1], "y": [r.y0, r.y1], "mode": "lines",
                "line": {"width": 1 + 5 * float(np.sqrt(r.events / biggest)), "color": STYLE[r.kind][0]},
                "opacity": 0.6, "hoverinfo": "skip", "showlegend": False, "name": "edge line",
            }
        )  # fmt: skip
    for kind, e in _split(_cols(edges), "kind").items():
        colour, symbol = STYLE[kind]
        traces.append(
            {
                "type": "scatter",
                "x": e["xm"],
                "y": e["ym"],
                "mode": "markers",
                "marker": {
                    "size": 9 + 7 * np.sqrt(e["events"].astype(float) / biggest),
                    "color": colour,
                    "symbol": symbol,
                    "line": {"width": 1, "color": OUTLINE},
                },
                "customdata": np.column_stack([np.full(len(e["a"]), EDGE, dtype=object), e["a"], e["b"]]),
                "hovertext": e["hover"],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": TAXONOMY[kind].label,
                "legendgroup": kind,
                **KEEP,
            }
        )
    size = node_sizes(nodes["events"].to_numpy())
    traces.append(
        {
            "type": "scatter",
            "x": nodes["x"].to_numpy(),
            "y": nodes["y"].to_numpy(),
            "mode": "markers",
            "marker": {
                "size": size,
                "color": NODE_FILL,
                "line": {
                    "width": [3.5 if n in chosen else 1.5 for n in nodes["node"]],
                    "color": [SELECTED if n in chosen else "white" for n in nodes["node"]],
                },
            },
            **KEEP,
            "customdata": np.column_stack([np.full(len(nodes), NODE, dtype=object), nodes["node"].to_numpy()])
            if len(nodes)
            else [],
            "hovertext": nodes["hover"].to_numpy(),
            "hovertemplate": "%{hovertext}<extra></extra>",
            "name": "Actors" if data.mode == "actor" else "Countries" if data.mode == "country" else "Groups",
            "showlegend": False,
        }
    )
    top = nodes.iloc[:MAX_LABELS]
    traces.append(
        {
            "type": "scatter",
            "x": top["x"].to_numpy(),
            "y": top["y"].to_numpy(),
            "mode": "text",
            "text": [escape.plotly_text(n) for n in top["name"]],
            "textposition": "middle center",
            "textfont": {"size": 12, "color": "#222"},
            "customdata": [[float(s) / 2] for s in size[: len(top)]],
            "hoverinfo": "skip",
            "selected": {"textfont": {"color": "#222"}},
            "unselected": {"textfont": {"color": "#222"}},
            "name": LABELS,
            "showlegend": False,
        }
    )
    axis = {"visible": False, "fixedrange": True, "zeroline": False, "showgrid": False}
    layout = {
        "height": height,
        "margin": {"l": 4, "r": 4, "t": 4, "b": 4},
        "font": FONT,
        "plot_bgcolor": "white",
        "dragmode": False,
        "clickmode": "event+select",
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0, "itemclick": False,
                   "itemdoubleclick": False},
        "uirevision": "network",
        "xaxis": {**axis, "range": list(X_RANGE)},
        "yaxis": {**axis, "range": list(Y_RANGE)},
        # Marks the page's label placer looks for (it places the map's labels too).
        "meta": {"network": True},
    }  # fmt: skip
    return _figure(traces, layout)
