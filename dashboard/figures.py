"""Plotly figures for the map and the timeline: plain functions, no Streamlit.

Every clickable mark carries its event id in `customdata`, which is what a
selection hands back.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure

from dashboard import escape
from dashboard.model import TAXONOMY
from dashboard.views.map import ANY, QUADS, Frame, MapData, great_circle
from dashboard.views.timeline import BIN, TimelineData

# One colour and one marker symbol per kind, so colour is never the only cue. Chosen from the
# Okabe–Ito and Paul Tol palettes so that every pair, the "several kinds" marker included,
# stays apart (CIEDE2000 ≥ 8) in normal vision and in simulated protanopia, deuteranopia and
# tritanopia; the military kinds share the warm reds. tests/test_palette.py checks it.
STYLE: dict[str, tuple[str, str]] = {
    "meeting": ("#0077BB", "circle"),
    "visit": ("#56B4E9", "diamond"),
    "statement": ("#009E73", "square"),
    "report": ("#999933", "triangle-up"),
    "intent": ("#CC79A7", "star"),
    "mediation": ("#332288", "pentagon"),
    "military_support": ("#CC3311", "triangle-down"),
    "intelligence_sharing": ("#EE6677", "hexagon"),
    "military_exercise": ("#AA4499", "cross"),
    "use_of_force": ("#882255", "x"),
    # The kinds event streams add share their CAMEO quad class's colour (verbal cooperation with
    # intent, material conflict with use of force; material cooperation sand, verbal conflict
    # rose), each with a symbol of its own.
    "appeal": ("#CC79A7", "star-triangle-up"),
    "diplomatic_cooperation": ("#CC79A7", "star-square"),
    "material_cooperation": ("#DDCC77", "octagon"),
    "aid": ("#DDCC77", "hexagram"),
    "concession": ("#DDCC77", "diamond-wide"),
    "release": ("#DDCC77", "star-diamond"),
    "investigation": ("#EE99AA", "circle-x"),
    "demand": ("#EE99AA", "triangle-ne"),
    "criticism": ("#EE99AA", "triangle-sw"),
    "rejection": ("#EE99AA", "square-x"),
    "threat": ("#EE99AA", "star-triangle-down"),
    "protest": ("#882255", "hourglass"),
    "force_posture": ("#882255", "diamond-tall"),
    "reduced_relations": ("#882255", "hexagon2"),
    "sanction": ("#882255", "bowtie"),
    "coercion": ("#882255", "square-cross"),
    "assault": ("#882255", "diamond-x"),
    "mass_violence": ("#882255", "circle-cross"),
}
# A machine-coded event's mark is its kind's symbol drawn hollow: a reader tells the wires'
# guesses from sentence-sourced events at a glance.
MACHINE = "-open"
# A draft (proposed by `draft`, not yet reviewed) is its kind's symbol with a pale fill and a heavy
# outline: between a filled, sentence-sourced mark and a machine's hollow one.
DRAFT_ALPHA = 0.3


def pale(colour: str) -> str:
    """A draft's fill: the kind's colour, mostly transparent."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {DRAFT_ALPHA})"


def _fill(colour: str, coding: np.ndarray) -> np.ndarray | str:
    return np.where(coding == "draft", pale(colour), colour) if (coding == "draft").any() else colour


def _edge(coding: np.ndarray, width: float, machine: float) -> np.ndarray:
    return np.where(coding == "machine", machine, np.where(coding == "draft", max(machine, 2.2), width))


# Light fills (sky, olive, pink) are too pale against the land for a mark's edge (WCAG 1.4.11
# asks 3:1): every kind's mark is outlined in this instead.
OUTLINE = "#1f1f1f"
SELECTED = "#111111"
# A place whose events are of several kinds; a country known only as a whole is shaded.
MIXED = ("#000000", "circle")
COUNTRY_FILL = "rgba(0, 114, 178, 0.16)"
LABELS = "Labels"  # the traces the page's label placer moves
MAX_LABELS = 15  # the busiest places are named; the rest in their hover
# A cluster's colour is its commonest CAMEO quad class: cooperation blue and green, conflict orange and
# red (Okabe–Ito and Paul Tol), with a text colour that reads on each.
QUAD_STYLE = {
    1: ("#0077BB", "white"),
    2: ("#009E73", "white"),
    3: ("#EE7733", "#111111"),
    4: ("#CC3311", "white"),
}
LAYER_PX = 44  # the page shows the finest cluster layer whose marks are at least this far apart (px)
MAP_WIDTH_PX = 800  # the map's width on a wide screen: the first layer is chosen for it
DAY_MS = 86_400_000
# Plotly picks the tick spacing for the zoom; these say how each spacing is labelled.
TIME_TICKS = [
    {"dtickrange": [None, 7 * DAY_MS], "value": "%-d %b %Y"},
    {"dtickrange": [7 * DAY_MS, "M1"], "value": "%-d %b"},
    {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
    {"dtickrange": ["M12", None], "value": "%Y"},
]
MAX_TIMELINE_HEIGHT = 640  # px: lanes beyond what fits share the height
FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12}


Cols = dict[str, np.ndarray]


def _cols(frame: pd.DataFrame) -> Cols:
    # Plain arrays: a figure does many small selections, where pandas' per-call cost dominates.
    return {c: frame[c].to_numpy() for c in frame.columns}


def _split(cols: Cols, key: str) -> dict[str, Cols]:
    """The columns split by one column's values."""
    values = cols[key]
    return {str(v): {c: a[values == v] for c, a in cols.items()} for v in dict.fromkeys(values.tolist())}


def map_figure(data: MapData, height: int = 380) -> PlainFigure:
    """The map on an offline-servable world: shaded countries, routes with arrows, one marker per place.

    Framed on where the events happen; far origins are named where their route
    enters the frame, and "Fit all" shows them. Every clickable mark carries
    (kind, place, origin) in `customdata`: the group a click steps through.
    """
    traces: list[dict] = []
    frame = data.frame
    c = data.countries
    if len(c):
        traces.append(
            {
                "type": "choropleth",
                "locations": c["iso3"].to_numpy(),
                "locationmode": "ISO-3",
                "z": np.ones(len(c)),
                "colorscale": [[0, COUNTRY_FILL], [1, COUNTRY_FILL]],
                "showscale": False,
                "marker": {"line": {"color": "#6b8fa8", "width": 0.8}},
                "customdata": np.column_stack(
                    [np.full(len(c), ANY, dtype=object), c["place"], np.full(len(c), ANY, dtype=object)]
                ),
                "hovertext": (c["hover"] + "<br><i>known only to the country: shaded</i>").to_numpy(),
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": "Country only",
                "showlegend": False,
            }
        )
    routes = data.routes
    back = 0.07 * (frame.lat[1] - frame.lat[0]) * 111.0  # arrows stop this far (km) before their place
    arrows: list[tuple[float, float, float]] = []
    for r in routes.itertuples(index=False):
        f = max(0.55, 1 - back / max(r.km, 1))
        (alat, alon), (blat, blon) = great_circle(
            r.lat0, r.lon0, r.lat1, r.lon1, np.array([f, min(f + 0.02, 1)])
        )
        arrows.append((alat, alon, _bearing(alat, alon, blat, blon)))
    arrow = np.asarray(arrows, dtype=float).reshape(-1, 3)
    by_style = _split(
        {**_cols(routes), "alat": arrow[:, 0], "alon": arrow[:, 1], "angle": arrow[:, 2]}, "style"
    )
    for kind in TAXONOMY:
        r_all = by_style.get(kind)
        if r_all is None:
            continue
        # Routes whose every contact is machine-coded are dotted, their arrows hollow.
        for coding, r in _split(r_all, "coding").items():
            machine, draft = coding == "machine", coding == "draft"
            gap = np.full(len(r["lat0"]), np.nan)
            traces.append(
                {
                    "type": "scattergeo",
                    "lat": np.column_stack([r["lat0"], r["lat1"], gap]).ravel(),
                    "lon": np.column_stack([r["lon0"], r["lon1"], gap]).ravel(),
                    "mode": "lines",
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "line": {
                        "width": 1.2 + 0.8 * min(float(np.sqrt(r["count"].max())), 3),
                        "color": STYLE[kind][0],
                        "dash": "dot" if machine else "dash" if draft else "solid",
                    },
                    "opacity": 0.75,
                    "name": f"{kind} routes",
                }
            )
            traces.append(
                {
                    "type": "scattergeo",
                    "lat": r["alat"],
                    "lon": r["alon"],
                    "mode": "markers",
                    "marker": {
                        "symbol": "arrow-open" if machine else "arrow",
                        "angleref": "up",
                        "angle": r["angle"],
                        "size": 15,
                        "color": pale(STYLE[kind][0]) if draft else STYLE[kind][0],
                        "line": {"width": 2 if machine or draft else 0.8, "color": OUTLINE},
                    },
                    "customdata": np.column_stack([r["kind"], r["place"], r["origin"]]),
                    "hovertext": r["hover"],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "name": f"{TAXONOMY[kind].label} (route)",
                    "legendgroup": kind,
                    "showlegend": False,
                }
            )
    p = data.points
    radius: dict[str, float] = {}
    shown_kinds: set[str] = set()
    for kind, part in _split(_cols(p), "kind").items():
        colour, symbol = STYLE.get(kind, MIXED)
        # Sized by what a mark weighs: its records, or in stories mode its stories' outlets.
        size = 12 + 4 * np.sqrt(np.minimum(part["weight"].astype(float), 64))
        radius.update(zip(part["place"], size / 2, strict=True))
        mixed = kind == ANY
        machine = part["coding"] == "machine"
        trace = {
            "type": "scattergeo",
            "lat": part["lat"],
            "lon": part["lon"],
            "mode": "markers+text" if mixed else "markers",
            "marker": {
                "size": size,
                # Machine-coded marks are hollow (the kind's symbol, outlined in its colour); drafts pale.
                "color": _fill(colour, part["coding"]),
                "symbol": np.where(machine, symbol + MACHINE, symbol),
                "line": {
                    "width": _edge(part["coding"], 1.2, 2.2),
                    "color": np.where(part["coding"] == "draft", OUTLINE, "white") if mixed else OUTLINE,
                },
                # A mark whose every event has a suspect place is faded (and marked "?").
                "opacity": np.where(part["suspect"] != "", 0.5, 1.0),
            },
            "customdata": np.column_stack(
                [
                    np.full(len(size), ANY, dtype=object),
                    part["place"],
                    np.full(len(size), ANY, dtype=object),
                    part["coding"],
                ]
            ),
            "hovertext": part["hover"],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "name": "Several kinds" if mixed else TAXONOMY[kind].label,
            "legendgroup": kind,
        }
        if mixed:
            trace["text"] = [_short_count(n) for n in part["stories"]]
            trace["textposition"] = "middle center"
            trace["textfont"] = {"size": 10, "color": np.where(part["coding"] == "human", "white", "#000000")}
        traces.append(trace)
        shown_kinds.add(kind)
    doubt = p[p["suspect"] != ""]
    if len(doubt):
        traces.append(
            {
                "type": "scattergeo", "lat": doubt["lat"], "lon": doubt["lon"], "mode": "text",
                "text": ["?"] * len(doubt), "textposition": "top right",
                "textfont": {"size": 13, "color": "#111111"}, "hoverinfo": "skip",
                "name": "Suspect place", "showlegend": False,
            }
        )  # fmt: skip
    if len(p) and (p["coding"] == "machine").any():
        traces.append(_legend_only("Machine-coded (hollow)", "circle-open", "#333333"))
    if len(p) and (p["coding"] == "draft").any():
        traces.append(_legend_only("Draft, not yet reviewed (pale)", "circle", pale("#333333"), OUTLINE))
    if len(doubt):
        traces.append(_legend_only("Suspect place (faded, ?)", "circle", "rgba(51,51,51,0.5)"))
    for t in traces if not data.dense else []:  # a kind drawn only as routes still gets its legend entry
        if t.get("legendgroup") in set(TAXONOMY) - shown_kinds and t["name"].endswith("(route)"):
            t["showlegend"], t["name"] = True, TAXONOMY[t["legendgroup"]].label
            shown_kinds.add(t["legendgroup"])
    layered: list[int] = []
    if data.dense:
        layered = _cluster_traces(data, traces)
    if data.selected is not None:
        traces.extend(_selected_marks(data, radius))
    # Labels last, above everything; the page's label placer moves each clear of marks and other labels.
    top = p.iloc[: MAX_LABELS if not data.dense else 5]
    traces.append(
        {
            "type": "scattergeo",
            "lat": top["lat"],
            "lon": top["lon"],
            "mode": "text",
            "text": [escape.plotly_text(n) for n in top["name"]],
            "textposition": "bottom center",
            "textfont": {"size": 12, "color": "#222"},
            "customdata": [[radius[x]] for x in top["place"]],
            "hoverinfo": "skip",
            "name": LABELS,
            "showlegend": False,
        }
    )
    marked = {*p["place"], *c["place"]}
    if data.dense and data.clusters is not None:  # a clustered place is named by its cluster's label
        marked |= {k.split(":", 1)[1] for k in data.clusters["key"]}
    outside = _entries(routes, frame, marked)
    if len(outside):
        traces.append(
            {
                "type": "scattergeo",
                "lat": outside["lat"],
                "lon": outside["lon"],
                "mode": "text",
                "text": outside["text"].tolist(),
                "textposition": "middle center",
                "textfont": {"size": 11, "color": "#555"},
                "customdata": [[4.0]] * len(outside),
                "hoverinfo": "skip",
                "name": LABELS,
                "showlegend": False,
            }
        )
    if data.dense:
        layered += _cluster_labels(data, traces)
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
        "lataxis": {"range": list(frame.lat)},
        "lonaxis": {"range": list(frame.lon)},
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
        "updatemenus": [],
    }
    if data.dense and data.layers:
        # One button per cluster layer (what each shows: every trace of its layer); the page presses
        # the one that suits the zoom after each zoom, and a reader may press another.
        first = _first_layer(data)
        buttons = []
        for i, layer in enumerate(data.layers):
            shown = [t["meta"]["layer"] == i for t in (traces[k] for k in layered)]
            buttons.append({"label": layer.label, "method": "restyle", "args": [{"visible": shown}, layered]})
        layout["updatemenus"].append(
            {"type": "buttons", "direction": "right", "showactive": True, "active": first, "x": 0.99,
             "xanchor": "right", "y": 0.01, "yanchor": "bottom", "bgcolor": "rgba(255,255,255,0.9)",
             "font": {"size": 11}, "buttons": buttons, "name": "layers"}
        )  # fmt: skip
        layout["meta"] = {"layers": [{"label": x.label, "km": x.km} for x in data.layers], "px": LAYER_PX}
        layout["legend"]["itemclick"] = False  # a key to the colours: hiding a class would hide a layer's
        layout["legend"]["itemdoubleclick"] = False
    return _figure(traces, layout)


def _first_layer(data: MapData) -> int:
    """The finest layer whose marks stand LAYER_PX apart in the first frame, on a wide screen."""
    f = data.frame
    km_per_px = (
        (f.lon[1] - f.lon[0]) * 111.32 * max(math.cos(math.radians(sum(f.lat) / 2)), 0.2) / MAP_WIDTH_PX
    )
    fits = [i for i, x in enumerate(data.layers) if x.km / km_per_px >= LAYER_PX]
    return fits[-1] if fits else 0


def _cluster_traces(data: MapData, traces: list[dict]) -> list[int]:
    """A trace per (layer, quad class) of clusters, only the first layer visible; their indices."""
    c = data.clusters
    assert c is not None
    first, out = _first_layer(data), []
    codings = "+".join(data.clustered)
    for i, _layer in enumerate(data.layers):
        part = c[c["layer"] == i]
        for q, name in QUADS.items():
            g = part[part["quad"] == q]
            if not len(g):
                continue
            colour, ink = QUAD_STYLE[q]
            n, weight = g["stories"].to_numpy(dtype=float), g["weight"].to_numpy(dtype=float)
            out.append(len(traces))
            traces.append(
                {
                    "type": "scattergeo", "lat": g["lat"], "lon": g["lon"], "mode": "markers+text",
                    "marker": {"size": _cluster_size(weight), "color": colour, "opacity": 0.88,
                               "line": {"width": 1, "color": "white"}, "symbol": "circle"},
                    "text": [_short_count(int(x)) for x in n], "textposition": "middle center",
                    "textfont": {"size": 10, "color": ink},
                    "customdata": np.column_stack(
                        [np.full(len(g), ANY, dtype=object), g["key"], np.full(len(g), ANY, dtype=object),
                         np.full(len(g), codings, dtype=object), g["events"].to_numpy(dtype=object)]
                    ),
                    "hovertext": g["hover"], "hovertemplate": "%{hovertext}<extra></extra>",
                    "name": name, "legendgroup": f"quad{q}", "showlegend": False,
                    "visible": i == first, "meta": {"layer": i},
                }
            )  # fmt: skip
    for q, name in QUADS.items():
        traces.append(_legend_only(name, "circle", QUAD_STYLE[q][0]))
    return out


def _cluster_size(n: np.ndarray) -> np.ndarray:
    """A cluster's diameter (px): 14 for one event, growing with the log of its count, at most 40."""
    return np.minimum(14 + 5 * np.log10(np.maximum(n, 1)) ** 1.5, 40)


def _cluster_labels(data: MapData, traces: list[dict]) -> list[int]:
    """Each layer's busiest clusters named by their busiest place (the placer keeps them clear)."""
    c = data.clusters
    assert c is not None
    first, out = _first_layer(data), []
    for i, _layer in enumerate(data.layers):
        top = c[c["layer"] == i].nlargest(MAX_LABELS, "events", keep="first")
        size = _cluster_size(top["weight"].to_numpy(dtype=float))
        out.append(len(traces))
        traces.append(
            {
                "type": "scattergeo", "lat": top["lat"], "lon": top["lon"], "mode": "text",
                "text": [escape.plotly_text(n) for n in top["name"]], "textposition": "bottom center",
                "textfont": {"size": 12, "color": "#222"}, "customdata": [[r / 2] for r in size],
                "hoverinfo": "skip", "name": LABELS, "showlegend": False, "visible": i == first,
                "meta": {"layer": i},
            }
        )  # fmt: skip
    return out


def _legend_only(name: str, symbol: str, colour: str, edge: str | None = None) -> dict[str, Any]:
    """A legend entry that draws nothing: what a mark's style means."""
    return {
        "type": "scattergeo", "lat": [None], "lon": [None], "mode": "markers", "name": name,
        "marker": {"size": 10, "symbol": symbol, "color": colour,
                   "line": {"width": 2, "color": edge or colour}},
        "hoverinfo": "skip", "showlegend": True, "legendgroup": name,
    }  # fmt: skip


def _selected_marks(data: MapData, radius: dict[str, float]) -> list[dict[str, Any]]:
    """A ring round the selected event's place (or its country's outline), and its route drawn bold."""
    place, origin = data.selected or ("", "")
    out: list[dict[str, Any]] = []
    p = data.points[data.points["place"] == place]
    if len(p):
        out.append(
            {
                "type": "scattergeo", "lat": p["lat"], "lon": p["lon"], "mode": "markers",
                "name": "Selected", "showlegend": False, "hoverinfo": "skip",
                "marker": {"size": 2 * radius[place] + 10, "color": "rgba(0,0,0,0)",
                           "line": {"width": 2.5, "color": SELECTED}},
            }
        )  # fmt: skip
    c = data.countries[data.countries["place"] == place]
    if len(c):
        out.append(
            {
                "type": "choropleth", "locations": c["iso3"].to_numpy(), "locationmode": "ISO-3",
                "z": [1], "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], "showscale": False,
                "marker": {"line": {"color": SELECTED, "width": 2.5}}, "hoverinfo": "skip",
                "name": "Selected", "showlegend": False,
            }
        )  # fmt: skip
    r = data.routes[(data.routes["place"] == place) & (data.routes["origin"] == origin)] if origin else []
    if len(r):
        out.append(
            {
                "type": "scattergeo", "lat": [r["lat0"].iloc[0], r["lat1"].iloc[0]],
                "lon": [r["lon0"].iloc[0], r["lon1"].iloc[0]], "mode": "lines", "hoverinfo": "skip",
                "line": {"width": 3, "color": SELECTED}, "name": "Selected", "showlegend": False,
            }
        )  # fmt: skip
    return out


def _entries(routes: pd.DataFrame, frame: Frame, marked: set[str]) -> pd.DataFrame:
    """A name for each route's origin that has no marker of its own: at the origin when it is well
    inside the frame, else "from …" where its route enters the frame (one per origin)."""
    rows = []
    steps = np.linspace(0, 1, 181)
    for origin, group in routes.groupby("origin", sort=False):
        r = group.iloc[0]
        if origin in marked or not frame.contains(r["lat1"], r["lon1"], 0.05):
            continue
        name = escape.plotly_text(r["origin_name"])
        if frame.contains(r["lat0"], r["lon0"], 0.08):
            rows.append({"origin": origin, "text": name, "lat": r["lat0"], "lon": r["lon0"]})
            continue
        path = great_circle(r["lat0"], r["lon0"], r["lat1"], r["lon1"], steps)
        inside = [i for i, (la, lo) in enumerate(path) if frame.contains(la, lo, 0.08)]
        if inside:
            la, lo = path[inside[0]]
            rows.append({"origin": origin, "text": f"from {name}", "lat": la, "lon": lo})
    return pd.DataFrame(rows, columns=["origin", "text", "lat", "lon"])


def _bearing(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Compass bearing in degrees from the first point towards the second."""
    p0, p1, dl = math.radians(lat0), math.radians(lat1), math.radians(lon1 - lon0)
    y = math.sin(dl) * math.cos(p1)
    x = math.cos(p0) * math.sin(p1) - math.sin(p0) * math.cos(p1) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def _short_count(n: int) -> str:
    return f"{n:,}" if n < 1000 else f"{n / 1000:.0f}k" if n < 1_000_000 else f"{n / 1e6:.1f}M"


class FrozenFigure(BaseFigure):
    """A figure turned into its dict once, for a renderer that asks for `to_dict()` on every run.

    Plotly's `to_dict` deep-copies and re-encodes every array on each call; a page shown
    to many readers with the same filters would pay that per reader. Read-only.
    """

    def __init__(self, spec: dict[str, Any]) -> None:  # no BaseFigure.__init__: nothing to validate again
        object.__setattr__(self, "_frozen_spec", spec)

    def to_dict(self) -> dict[str, Any]:
        return self._frozen_spec


def freeze(fig: PlainFigure | go.Figure) -> FrozenFigure:
    """The figure as Plotly would serialise it, computed now and reused by every later render.

    What `fig.to_dict()` gives, without its deep copy of every array and string (a third of a map's
    server time at scale): the dicts and lists are copied, so the arrays' base64 encoding replaces
    them in the copy only, and the values themselves are shared, never changed. A `PlainFigure` is
    serialised from its own dicts, without making Plotly's figure at all.
    """
    from _plotly_utils.utils import convert_to_base64  # noqa: PLC0415 - what to_dict itself calls

    if isinstance(fig, PlainFigure):
        spec = _tree({"data": fig.traces, "layout": fig.layout_spec})
        convert_to_base64(spec)
        # Plotly adds the default template to every figure's layout; it holds no arrays to encode,
        # and is shared by every spec, never changed.
        spec["layout"]["template"] = _template()
        return FrozenFigure(spec)
    spec = _tree({"data": fig._data, "layout": fig._layout})
    if fig._frame_objs:
        spec["frames"] = _tree([frame._props for frame in fig._frame_objs])
    convert_to_base64(spec)
    return FrozenFigure(spec)


_TEMPLATES: dict[str, Any] = {}


def _template() -> Any:
    """The layout template Plotly gives a new figure (its default, as Plotly's figure would hold it)."""
    import plotly.io as pio  # noqa: PLC0415

    name = pio.templates.default
    if name not in _TEMPLATES:
        _TEMPLATES[name] = go.Figure(_validate=False)._layout.get("template")
    return _TEMPLATES[name]


def _tree(value: Any) -> Any:
    """A copy of the dicts and lists in `value`, sharing everything else."""
    if isinstance(value, dict):
        return {k: _tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tree(v) for v in value]
    return value


def zoomed_timeline(fig: FrozenFigure, x_range: list[str] | None, revision: str) -> FrozenFigure:
    """The timeline with its date axis on `x_range` (None: every event), cheaply, from the frozen one.

    `revision` names the zoom the page asks for: while it stays the same, Plotly keeps the zoom a
    reader dragged to (its `uirevision`); when it changes (a zoom button, a link), the range applies.
    """
    spec = fig.to_dict()
    layout = dict(spec["layout"])
    xaxis = dict(layout.get("xaxis") or {})
    if x_range is None:
        xaxis.pop("range", None)
        xaxis["autorange"] = True
    else:
        xaxis["range"], xaxis["autorange"] = list(x_range), False
    layout["xaxis"], layout["uirevision"] = xaxis, f"timeline:{revision}"
    return FrozenFigure({**spec, "layout": layout})


def zoomed_map(fig: FrozenFigure, frame: Frame | None, revision: str) -> FrozenFigure:
    """The map framed on `frame` (None: as built), with `revision` as for `zoomed_timeline`."""
    spec = fig.to_dict()
    layout = dict(spec["layout"])
    if frame is not None:
        lat, lon = frame.centre
        geo = dict(layout.get("geo") or {})
        geo["lataxis"] = {**(geo.get("lataxis") or {}), "range": list(frame.lat)}
        geo["lonaxis"] = {**(geo.get("lonaxis") or {}), "range": list(frame.lon)}
        geo["center"] = {"lat": lat, "lon": lon}
        geo["projection"] = {**(geo.get("projection") or {}), "scale": 1, "rotation": {"lon": lon}}
        layout["geo"] = geo
    layout["uirevision"] = f"map:{revision}"
    return FrozenFigure({**spec, "layout": layout})


class PlainFigure:
    """A figure as the plain dicts of its traces and layout, as Plotly would hold them.

    The page only serialises a figure (`freeze`), from these dicts; Plotly's own figure, whose
    making copies every array and string, is made only when something asks for it (`plotly`, and
    every attribute of Plotly's figure: `data`, `layout`, `to_dict`, ...), once.
    """

    def __init__(self, traces: list[dict], layout: dict) -> None:
        self.traces = traces
        self.layout_spec = layout
        self._plotly: go.Figure | None = None

    @property
    def plotly(self) -> go.Figure:
        if self._plotly is None:
            self._plotly = go.Figure({"data": self.traces, "layout": self.layout_spec}, _validate=False)
        return self._plotly

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("traces", "layout_spec", "_plotly"):
            raise AttributeError(name)
        return getattr(self.plotly, name)


def _figure(traces: list[dict], layout: dict) -> PlainFigure:
    # The specs are built here, by hand, from a fixed set of properties: skipping
    # Plotly's per-property validation makes a figure about ten times cheaper to build, and
    # skipping Plotly's figure itself (until asked for) cheaper again.
    return PlainFigure([_plain(t) for t in traces], layout)


def _plain(value: Any) -> Any:
    """Pandas columns as plain arrays (unvalidated traces would keep the Series and its index)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (pd.Series, pd.Index)):
        return value.to_numpy()
    return value


def timeline_figure(data: TimelineData, height: int | None = None) -> PlainFigure:
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
                        "color": _fill(colour, b["coding"]),
                        "symbol": np.where(b["coding"] == "machine", symbol + MACHINE, symbol),
                        "opacity": 0.8,
                        "line": {"width": _edge(b["coding"], 0.5, 2.0), "color": OUTLINE},
                    },
                    # No per-point hover text at scale: the template reads the bin's own data.
                    "customdata": np.column_stack(
                        [
                            np.full(len(b["lane"]), BIN, dtype=object),
                            b["lane"],
                            np.datetime_as_string(b["x0"], unit="D"),
                            np.datetime_as_string(b["x1"], unit="D"),
                            b["count"],
                            [escape.plotly_text(x) for x in b["label"]],
                            b["coding"],
                        ]
                    ),
                    "hovertemplate": "<b>%{customdata[4]:,} events</b> · %{customdata[5]}<br>"
                    "%{customdata[6]}-coded, from %{customdata[2]} to %{customdata[3]}<br>"
                    "click to list them<extra></extra>",
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
                        x=k["x"],  # a day's point, beside the others of its day in its lane
                        y=k["y"],
                        mode="markers",
                        marker={
                            # a story's point grows with its outlets (one outlet: the usual size)
                            "size": 12 + 4 * np.sqrt(np.minimum(k["count"].astype(float) - 1, 36)),
                            "color": _fill(colour, k["coding"]),
                            "symbol": np.where(
                                k["coding"] == "machine",
                                ("triangle-left" if shape == "before" else symbol) + MACHINE,
                                "triangle-left" if shape == "before" else symbol,
                            ),
                            "line": {"width": _edge(k["coding"], 1.0, 2.0), "color": OUTLINE},
                        },
                        **common,
                    )
                )
    if data.selected:
        i = data.selected[0]
        shape = cols["shape"][i]
        x = cols["x"][i] if shape in ("point", "before") else x0[i] + (x1[i] - x0[i]) / 2
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
    # Lanes by actor hold marks of every kind: the kinds get a legend of their own, below the axis.
    by_actor = bool(len(marks)) and not (marks["lane"].astype(str) == marks["kind"].astype(str)).all()
    if by_actor:
        # A legend entry per kind shown, in its own symbol (not the "before" marker's).
        for kind in dict.fromkeys(marks["kind"].astype(str)):
            colour, symbol = STYLE[kind]
            traces.append(
                {
                    "type": "scatter", "x": [None], "y": [None], "mode": "markers",
                    "marker": {"size": 10, "color": colour, "symbol": symbol,
                               "line": {"width": 1, "color": OUTLINE}},
                    "name": TAXONOMY[kind].label, "showlegend": True, "hoverinfo": "skip",
                }
            )  # fmt: skip
    layout = {
        # Bounded: many lanes share the height instead of growing the page.
        "height": height or min(MAX_TIMELINE_HEIGHT, max(250, 90 + 26 * rows + 14 * len(lanes))),
        "showlegend": by_actor,
        "legend": {
            "orientation": "h",
            "yanchor": "top",
            "y": -0.05,
            "x": 0,
            "font": {"size": 11},
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        "margin": {"l": 8, "r": 8, "t": 10, "b": 90 if by_actor else 30},
        "font": FONT,
        "barmode": "overlay",
        "dragmode": "zoom",  # drag across a range of dates to zoom into it; "All" or a double click zooms out
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
        "yaxis": {
            "tickmode": "array",
            "tickvals": lanes["y"].tolist(),
            "ticktext": [escape.plotly_text(x) for x in lanes["label"]],
            "autorange": "reversed",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    }
    return _figure(traces, layout)
