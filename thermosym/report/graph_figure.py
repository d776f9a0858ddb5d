"""The theory graph of a results document, rebuilt from the JSON and drawn with claims coloured by verdict.

The nodes and edges are those of :class:`thermosym.graph.TheoryGraph` (``claim -uses-> quantity``,
``claim -defines-> quantity``, ``derived claim -derived-from-> claim``), but read from the document's claims
(``quantities``, ``defines``, ``derived_from``) so that the report needs nothing but the JSON. A claim is
coloured by its verdict as written, with :data:`thermosym.graph_drawing.VERDICT_COLOURS` (the page's badges use
the same palette); quantities are small grey dots labelled by their symbol.

>>> doc = {"claims": [
...     {"id": "A-1", "quantities": [{"key": "A.E", "symbol": "E"}], "defines": ["A.E"], "derived_from": [],
...      "readings": [{"verdict": "definition"}]},
...     {"id": "A-2", "quantities": [{"key": "A.E", "symbol": "E"}], "defines": [], "derived_from": ["A-1"],
...      "readings": [{"verdict": "fails"}]}]}
>>> g = theory_graph(doc)
>>> sorted(g.edges(data="relation"))
[('claim:A-1', 'quantity:A.E', 'defines'), ('claim:A-2', 'claim:A-1', 'derived-from'), \
('claim:A-2', 'quantity:A.E', 'uses')]
>>> node_colours(g)["claim:A-2"] == VERDICT_COLOURS["fails"]
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx

from thermosym.graph_drawing import QUANTITY_COLOUR, VERDICT_COLOURS
from thermosym.report.model import text_colour_on, verdict_label, verdict_rank
from thermosym.report.plots import plain_text, report_style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Half the side of a component's square is SPREAD·√(number of its nodes), in layout units ...
SPREAD = 0.7
#: ... and a layout unit is this many inches of drawing (so that labels of neighbours rarely overlap); the
#: drawing is between MIN_SIZE and MAX_SIZE inches on a side (the page scrolls it).
INCHES_PER_UNIT = 0.62
MIN_SIZE, MAX_SIZE = (12.0, 5.0), (28.0, 22.0)
#: Outline of the quantity dots; like the edge colours, none of the verdict colours (a colour means a verdict).
QUANTITY_EDGE = "#a0aeb5"
USES, DEFINES, DERIVED_FROM = "uses", "defines", "derived-from"
EDGE_STYLES: dict[str, dict[str, Any]] = {
    USES: {"edge_color": "#b0bec5", "width": 0.6, "style": "solid"},
    DEFINES: {"edge_color": "#455a64", "width": 1.2, "style": "solid"},
    DERIVED_FROM: {"edge_color": "#00695c", "width": 1.2, "style": "dashed"},
}


def theory_graph(document: Mapping[str, Any]) -> nx.DiGraph:
    """Claims and quantities of ``document`` with their ``uses``/``defines``/``derived-from`` edges, nodes
    added in sorted order (so that the layout is reproducible). A claim's ``verdict`` is its first reading's."""
    claims = sorted(document.get("claims") or (), key=lambda c: str(c["id"]))
    ids = {str(c["id"]) for c in claims}
    g = nx.DiGraph()
    quantities: dict[str, str] = {}
    for c in claims:
        for q in c.get("quantities") or ():
            quantities.setdefault(str(q["key"]), str(q.get("symbol") or q["key"]))
    for c in claims:
        readings = c.get("readings") or [{}]
        g.add_node(f"claim:{c['id']}", type="claim", id=str(c["id"]), verdict=readings[0].get("verdict"))
    for key in sorted(quantities):
        g.add_node(f"quantity:{key}", type="quantity", key=key, symbol=quantities[key])
    for c in claims:
        defines = set(c.get("defines") or ())
        for key in sorted({str(q["key"]) for q in c.get("quantities") or ()}):
            g.add_edge(f"claim:{c['id']}", f"quantity:{key}", relation=DEFINES if key in defines else USES)
        for parent in sorted(set(c.get("derived_from") or ()) & ids):
            g.add_edge(f"claim:{c['id']}", f"claim:{parent}", relation=DERIVED_FROM)
    return g


def node_colours(graph: nx.DiGraph) -> dict[str, str]:
    """Fill colour of every node: claims by verdict, quantities light grey."""
    return {
        n: VERDICT_COLOURS.get(data.get("verdict"), VERDICT_COLOURS[None])
        if data["type"] == "claim"
        else QUANTITY_COLOUR
        for n, data in graph.nodes(data=True)
    }


def _component_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Kamada–Kawai positions of one connected graph in [-1, 1]² (deterministic: it starts from a circular
    layout and draws no random numbers)."""
    if len(graph) == 1:
        return {n: (0.0, 0.0) for n in graph}
    return {n: (float(x), float(y)) for n, (x, y) in nx.kamada_kawai_layout(graph).items()}


def _sorted_subgraph(graph: nx.Graph, nodes: list[str]) -> nx.Graph:
    """The subgraph on ``nodes`` with nodes and edges inserted in sorted order. (``graph.subgraph`` iterates a
    small subgraph through a set, in an order that changes with Python's hash seed, and Kamada–Kawai starts
    from a circle in iteration order.)"""
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    keep = set(nodes)
    sub.add_edges_from(sorted(tuple(sorted((u, v))) for u, v in graph.edges(nodes) if u in keep and v in keep))
    return sub


def label_box(graph: nx.DiGraph, node: str) -> tuple[float, float]:
    """Width and height, in layout units, of the label drawn at ``node``: a claim's id in a box (7.5 pt, about
    0.6 em a character), a quantity's dot and symbol (7 pt)."""
    data = graph.nodes[node]
    if data["type"] == "claim":
        return (0.072 * len(data["id"]) / INCHES_PER_UNIT + 0.2, 0.38)
    return (0.065 * len(data["symbol"]) / INCHES_PER_UNIT + 0.25, 0.28)


def separate_labels(
    pos: Mapping[str, tuple[float, float]], boxes: Mapping[str, tuple[float, float]], iterations: int = 300
) -> dict[str, tuple[float, float]]:
    """Positions moved apart until no two label boxes overlap (or ``iterations`` passes): every overlapping
    pair is pushed apart, each by half the overlap, along the axis where the overlap is smaller (a
    deterministic relaxation: Kamada–Kawai puts claims that use the same quantities on top of each other)."""
    import numpy as np

    nodes = sorted(pos)
    if len(nodes) < 2:
        return dict(pos)
    xy = np.array([pos[n] for n in nodes], dtype=float)
    size = np.array([boxes[n] for n in nodes], dtype=float)
    reach = (size[:, None, :] + size[None, :, :]) / 2  # [i, j] = half-sum of the boxes' sides
    order = np.sign(np.arange(len(nodes))[None, :] - np.arange(len(nodes))[:, None])  # ties: higher index moves +
    for _ in range(iterations):
        delta = xy[None, :, :] - xy[:, None, :]  # [i, j] = xy[j] - xy[i]
        overlap = reach - np.abs(delta)
        hit = (overlap[..., 0] > 0) & (overlap[..., 1] > 0)
        np.fill_diagonal(hit, False)
        if not hit.any():
            break
        along_y = overlap[..., 1] < overlap[..., 0]
        direction = np.where(delta != 0, np.sign(delta), order[..., None])
        push = np.zeros_like(delta)
        push[..., 0] = np.where(hit & ~along_y, overlap[..., 0] / 2 + 1e-3, 0.0) * direction[..., 0]
        push[..., 1] = np.where(hit & along_y, overlap[..., 1] / 2 + 1e-3, 0.0) * direction[..., 1]
        xy += 0.5 * push.sum(axis=0)  # node j moves by its pushes away from every i
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


def layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions of every node, in layout units (:data:`INCHES_PER_UNIT`): each connected component laid out
    alone (:func:`_component_layout`, a square of half-side :data:`SPREAD`·√n), its labels moved apart
    (:func:`separate_labels`), and the components placed left to right, largest first, in rows as wide as the
    two largest side by side (a single layout of several components crowds them together)."""
    undirected = graph.to_undirected()
    components = sorted((sorted(c) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c[0]))
    boxes = {n: label_box(graph, n) for n in graph}
    placed = []
    for nodes in components:
        half = SPREAD * len(nodes) ** 0.5 if len(nodes) > 1 else 0.0
        local = _component_layout(_sorted_subgraph(undirected, nodes))
        spread = separate_labels({n: (half * x, half * y) for n, (x, y) in local.items()}, boxes)
        left = min(spread[n][0] - boxes[n][0] / 2 for n in nodes)
        right = max(spread[n][0] + boxes[n][0] / 2 for n in nodes)
        bottom = min(spread[n][1] - boxes[n][1] / 2 for n in nodes)
        top = max(spread[n][1] + boxes[n][1] / 2 for n in nodes)
        placed.append((spread, left, top, right - left, top - bottom))
    gap = 0.6
    row_width = max(6.0, sum(p[3] for p in placed[:2]) + gap)
    pos: dict[str, tuple[float, float]] = {}
    x0 = y0 = row_height = 0.0
    for spread, left, top, width, height in placed:
        if x0 > 0 and x0 + width > row_width:
            x0, y0, row_height = 0.0, y0 - row_height - gap, 0.0
        for n, (x, y) in spread.items():
            pos[n] = (x0 + x - left, y0 + y - top)
        x0 += width + gap
        row_height = max(row_height, height)
    return pos


def _figure_size(pos: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """Width and height in inches: :data:`INCHES_PER_UNIT` of the layout's extent (plus room for the title and
    legend), within :data:`MIN_SIZE` … :data:`MAX_SIZE`."""
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    width = (max(xs) - min(xs) + 1.0) * INCHES_PER_UNIT
    height = (max(ys) - min(ys) + 1.0) * INCHES_PER_UNIT + 1.2
    return (min(max(width, MIN_SIZE[0]), MAX_SIZE[0]), min(max(height, MIN_SIZE[1]), MAX_SIZE[1]))


def theory_graph_figure(document: Mapping[str, Any]) -> Figure | None:
    """The drawing of :func:`theory_graph` (``None`` without claims): claims as labelled boxes coloured by
    verdict, quantities as dots labelled by symbol, a legend of the verdicts present and of the edge kinds."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    graph = theory_graph(document)
    claims = [n for n, t in graph.nodes(data="type") if t == "claim"]
    if not claims:
        return None
    quantities = [n for n, t in graph.nodes(data="type") if t == "quantity"]
    pos = layout(graph)
    colours = node_colours(graph)
    with report_style({"axes.grid": False}):
        fig = Figure(figsize=_figure_size(pos), layout="constrained")
        ax = fig.add_subplot()
        ax.set_aspect("equal", adjustable="datalim")
        for relation, style in EDGE_STYLES.items():
            edges = [(u, v) for u, v, r in graph.edges(data="relation") if r == relation]
            nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, arrows=False, alpha=0.8, **style)
        nx.draw_networkx_nodes(
            graph, pos, nodelist=quantities, node_color=QUANTITY_COLOUR, node_size=60, edgecolors=QUANTITY_EDGE, ax=ax
        )
        for n in quantities:
            x, y = pos[n]
            ax.text(x, y, plain_text(graph.nodes[n]["symbol"]), fontsize=7, color="#37474f", ha="left", va="bottom")
        for n in claims:
            x, y = pos[n]
            fill = colours[n]
            ax.text(
                x,
                y,
                plain_text(graph.nodes[n]["id"]),
                fontsize=7.5,
                ha="center",
                va="center",
                color=text_colour_on(fill),
                bbox={"boxstyle": "round,pad=0.25", "facecolor": fill, "edgecolor": "none"},
                zorder=4,
            )
        present = sorted({graph.nodes[n].get("verdict") for n in claims}, key=lambda v: (verdict_rank(v), str(v)))
        handles: list[Any] = [
            Patch(color=VERDICT_COLOURS.get(v, VERDICT_COLOURS[None]), label=verdict_label(v)) for v in present
        ]
        handles.append(Patch(facecolor=QUANTITY_COLOUR, edgecolor=QUANTITY_EDGE, label="quantity"))
        handles += [
            Line2D([], [], color=s["edge_color"], linestyle=s["style"], linewidth=s["width"], label=r)
            for r, s in EDGE_STYLES.items()
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 6), frameon=False)
        ax.set_title("Theory graph: claims coloured by verdict (as written), quantities by symbol")
        ax.axis("off")
    return fig
