"""Who meets whom: actors (or their countries, or groups of them) as nodes, contacts as edges.

The engine counts everything (`query.network`): pairs of nodes that take part
in one filtered event, the busiest first, each with its commonest kind, and
the events of each node drawn. Python names the nodes and lays them out with
networkx, with a fixed seed, so a link draws the same picture every time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard import escape, query
from dashboard.countries import country_name
from dashboard.filters import Filters, side_actors, side_kind
from dashboard.model import TAXONOMY
from dashboard.views.labels import side_name

if TYPE_CHECKING:
    from dashboard.atlas import Atlas
    from dashboard.catalog import Catalog

MODES = {"actor": "Actors", "country": "Countries", "group": "Groups"}
MAX_EDGES = 60  # pairs a reader can tell apart; beyond, the busiest are drawn and the rest counted
AUTO_EVENTS = 20_000  # filtered events up to which the Explorer draws the network on every run
SEED = 7  # the layout's seed: the same data is drawn the same way on every run
NODE_COLUMNS = ["node", "name", "events", "x", "y", "hover"]
EDGE_COLUMNS = ["a", "b", "name_a", "name_b", "events", "kind", "x0", "y0", "x1", "y1", "xm", "ym", "hover"]


@dataclass(frozen=True)
class NetworkData:
    """What the network draws.

    `nodes`: node (an actor id, an ISO alpha-3 code, or "USA:person"), name, events,
    x, y (laid out in [-1, 1]), hover. `edges`: a, b (nodes, a < b), their names,
    events (those both take part in), kind (the commonest), the ends' and the
    midpoint's coordinates, hover — busiest first.
    """

    mode: str
    nodes: pd.DataFrame
    edges: pd.DataFrame
    all_pairs: int
    dropped_pairs: int  # pairs beyond MAX_EDGES, not drawn
    dropped_contacts: int  # their events (counted once per pair)


def node_name(c: Catalog, mode: str, node: str) -> str:
    """What a reader calls a node: an actor's name, a country's, or a group's ("Belarus · state"),
    as the between filter names its sides."""
    if mode == "actor":
        actor = c.actors.get(node)
        return actor.name if actor is not None else node
    return side_name(c, node)


def layout(nodes: list[str], pairs: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Node positions in [-1, 1]², by networkx's spring layout (busier pairs pulled closer), seeded.

    Each connected group of nodes is laid out on its own, in a square as wide as the square root of
    its size, and the squares are set in rows, biggest first: apart, none crowded into a corner.
    """
    import networkx as nx  # noqa: PLC0415 - only the network view needs it

    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    for p in pairs:
        g.add_edge(p["a"], p["b"], weight=1 + math.log(int(p["events"])))
    parts = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    sides = [math.sqrt(len(c)) for c in parts]
    width = max([*sides, 1.6 * math.sqrt(sum(len(c) for c in parts))])
    out: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for part, side in zip(parts, sides, strict=True):
        if x > 0 and x + side > width + 1e-9:
            x, y, row = 0.0, y + row, 0.0
        inner = _spring(_ordered(g, part)) if len(part) > 1 else {part[0]: (0.0, 0.0)}
        pad = 0.2 * side if len(part) > 1 else 0.5
        for n, (u, v) in inner.items():
            out[n] = (x + pad + (side - 2 * pad) * (u + 1) / 2, -(y + pad + (side - 2 * pad) * (v + 1) / 2))
        x, row = x + side, max(row, side)
    xs, ys = [p[0] for p in out.values()], [p[1] for p in out.values()]

    def fit(v: float, lo: float, hi: float) -> float:
        return 0.0 if hi - lo < 1e-9 else 2 * (v - lo) / (hi - lo) - 1

    return {n: (fit(u, min(xs), max(xs)), fit(v, min(ys), max(ys))) for n, (u, v) in out.items()}


def _ordered(g: Any, part: list[str]) -> Any:
    """The subgraph of these (sorted) nodes, its nodes and edges in that order: networkx's subgraph
    view walks a set, whose order changes from one process to the next, and so would the layout."""
    import networkx as nx  # noqa: PLC0415

    sub = nx.Graph()
    sub.add_nodes_from(part)
    sub.add_edges_from(g.edges(part, data=True))
    return sub


def _spring(g: Any) -> dict[str, tuple[float, float]]:
    """One connected group's spring layout, in [-1, 1]² on each axis."""
    import networkx as nx  # noqa: PLC0415

    pos = nx.spring_layout(g, weight="weight", seed=SEED, iterations=200)
    xs = [float(p[0]) for p in pos.values()]
    ys = [float(p[1]) for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {n: (2 * (float(p[0]) - cx) / span, 2 * (float(p[1]) - cy) / span) for n, p in pos.items()}


def network_data(atlas: Atlas, f: Filters, mode: str = "actor", events: int | None = None) -> NetworkData:
    """The network of the filtered events: the MAX_EDGES busiest pairs, their nodes laid out.

    `events`: how many events the filters keep, when the caller knows (it picks the cheaper count).
    """
    few = events is not None and events <= AUTO_EVENTS
    net = query.network(atlas.engine, f, mode, MAX_EDGES, few=few)
    names = {n: node_name(atlas, mode, n) for n in net.nodes}
    pos = layout(list(net.nodes), net.pairs)
    degree: dict[str, int] = {}
    for p in net.pairs:
        degree[p["a"]] = degree.get(p["a"], 0) + 1
        degree[p["b"]] = degree.get(p["b"], 0) + 1
    node_rows = [
        {
            "node": n,
            "name": names[n],
            "events": events,
            "x": pos[n][0],
            "y": pos[n][1],
            "hover": _node_hover(atlas, mode, n, names[n], events, degree.get(n, 0)),
        }
        for n, events in sorted(net.nodes.items(), key=lambda kv: (-kv[1], names[kv[0]], kv[0]))
    ]
    edge_rows = []
    for p in net.pairs:
        (x0, y0), (x1, y1) = pos[p["a"]], pos[p["b"]]
        row = {
            "a": p["a"], "b": p["b"], "name_a": names[p["a"]], "name_b": names[p["b"]],
            "events": p["events"], "kind": p["kind"], "x0": x0, "y0": y0, "x1": x1, "y1": y1,
            "xm": (x0 + x1) / 2, "ym": (y0 + y1) / 2,
        }  # fmt: skip
        row["hover"] = _edge_hover(row)
        edge_rows.append(row)
    return NetworkData(
        mode,
        pd.DataFrame(node_rows, columns=NODE_COLUMNS),
        pd.DataFrame(edge_rows, columns=EDGE_COLUMNS),
        net.all_pairs,
        net.dropped_pairs,
        net.dropped_contacts,
    )


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


def _node_hover(c: Catalog, mode: str, node: str, name: str, events: int, degree: int) -> str:
    lines = [f"<b>{escape.plotly_text(name)}</b> · {_events(events)}"]
    actor = c.actors.get(node) if mode == "actor" else None
    if actor is not None:
        where = country_name(actor.country) if actor.country else "no country"
        lines.append(escape.plotly_text(f"{actor.kind.value} · {where}"))
    lines.append(f"meets {degree:,} other{'' if degree == 1 else 's'} drawn here")
    lines.append("click to show its events")
    return "<br>".join(lines)


def _edge_hover(r: dict[str, Any]) -> str:
    who = escape.plotly_text(f"{r['name_a']} — {r['name_b']}")
    kind = escape.plotly_text(TAXONOMY[r["kind"]].label.lower())
    what = f"{_events(r['events'])}, mostly {kind}" if r["events"] > 1 else f"1 event: {kind}"
    return f"<b>{who}</b><br>{what}<br>click to show their events"


def network_text(data: NetworkData) -> list[str]:
    """The network as sentences: the pairs with their counts, busiest first, then the nodes."""
    lines = []
    for r in data.edges.itertuples(index=False):
        lines.append(
            f"{r.name_a} — {r.name_b}: {_events(int(r.events))}, mostly {TAXONOMY[r.kind].label.lower()}"
        )
    if data.dropped_pairs:
        lines.append(
            f"… and {data.dropped_pairs:,} quieter pairs with {data.dropped_contacts:,} contacts, not drawn"
        )
    if len(data.nodes):
        lines.append("")
    for r in data.nodes.itertuples(index=False):
        lines.append(f"{r.name}: {_events(int(r.events))}")
    return lines


def group_actors(c: Catalog, node: str) -> list[str]:
    """The actors of a group ("USA:person"): every actor of that country and kind."""
    return sorted(side_actors(c, node))


def filters_for(c: Catalog, mode: str, nodes: list[str]) -> dict[str, list[str]]:
    """The filter a click on a node sets, as {URL parameter: values} (an edge sets `between`).

    An actor goes in the actors filter and a country in the countries filter; a group is its actors.
    """
    if mode == "country":
        return {"country": sorted(set(nodes))}
    if mode == "group":
        return {"actor": sorted({a for n in nodes for a in group_actors(c, n)})}
    return {"actor": sorted(set(nodes))}


def chosen(f: Filters, mode: str) -> frozenset[str]:
    """The nodes the filters name: the chosen actors (or countries), and the sides of `between`."""
    named = f.actors if mode == "actor" else f.countries if mode == "country" else frozenset()
    return named | {s for s in f.between or () if side_kind(s) == mode}
