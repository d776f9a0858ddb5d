"""A picture of the theory graph (matplotlib), claims coloured by verdict when the graph carries verdicts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thermosym.graph import TheoryGraph

#: Colours of the verdicts (and of claims without one), shared with the report.
VERDICT_COLOURS = {
    "holds": "#2e7d32",
    "holds-conditionally": "#9e9d24",
    "fails": "#c62828",
    "inconsistent": "#6a1b9a",
    "ill-posed": "#ef6c00",
    "untestable": "#757575",
    "definition": "#1565c0",
    None: "#90a4ae",
}
QUANTITY_COLOUR = "#eceff1"


def draw_graph(graph: TheoryGraph, path: str | Path, *, title: str = "") -> Path:
    """Draw claims (coloured by ``verdict``) and quantities (light) with their edges; write PNG or SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.patches import Patch

    g = graph.graph
    simple = nx.DiGraph(g)
    layout = nx.kamada_kawai_layout(simple.to_undirected()) if len(simple) > 1 else {n: (0, 0) for n in simple}
    claims = [n for n, t in g.nodes(data="type") if t == "claim"]
    quantities = [n for n, t in g.nodes(data="type") if t == "quantity"]
    fig, ax = plt.subplots(figsize=(16, 12))
    nx.draw_networkx_edges(simple, layout, ax=ax, alpha=0.25, arrows=False, width=0.6)
    nx.draw_networkx_nodes(
        simple,
        layout,
        nodelist=quantities,
        node_color=QUANTITY_COLOUR,
        node_size=140,
        edgecolors="#b0bec5",
        ax=ax,
    )
    colours = [VERDICT_COLOURS.get(g.nodes[n].get("verdict"), VERDICT_COLOURS[None]) for n in claims]
    nx.draw_networkx_nodes(simple, layout, nodelist=claims, node_color=colours, node_size=420, ax=ax)
    labels = {n: g.nodes[n]["id"] for n in claims}
    labels.update({n: g.nodes[n]["symbol"] for n in quantities})
    nx.draw_networkx_labels(simple, layout, labels=labels, font_size=6, ax=ax)
    present = {g.nodes[n].get("verdict") for n in claims}
    handles = [Patch(color=c, label=v or "no verdict") for v, c in VERDICT_COLOURS.items() if v in present]
    handles.append(Patch(color=QUANTITY_COLOUR, label="quantity"))
    ax.legend(handles=handles, loc="lower left", fontsize=8)
    ax.set_title(title or "thermosym theory graph")
    ax.axis("off")
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight", metadata=_stable_metadata(path))
    plt.close(fig)
    return path


def _stable_metadata(path: Path) -> dict[str, str | None]:
    """Metadata that does not change between runs (no creation date), so figures are reproducible."""
    if path.suffix.lower() == ".svg":
        return {"Date": None}
    return {"Software": "thermosym"}
