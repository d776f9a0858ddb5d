"""The theory graph: claims and quantities as nodes, ``uses`` / ``defines`` / ``derived-from`` as edges.

Built on networkx (a :class:`networkx.MultiDiGraph`, so a claim may both use and define a quantity). Edges point
from a claim to what it needs: ``claim -uses-> quantity``, ``claim -defines-> quantity``,
``derived claim -derived-from-> claim``. The queries are plain functions over the graph, as in networkx.

>>> from thermosym.catalogue import load_catalogue
>>> g = TheoryGraph.from_catalogue(load_catalogue()[0])
>>> sorted(g.rests_on("TL-10"))
['TL-03', 'TL-04', 'TL-05', 'TL-06', 'TL-09']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from thermosym.catalogue import Catalogue
from thermosym.errors import UnknownClaimError, UnknownQuantityError
from thermosym.quantity import Kind, Level

USES, DEFINES, DERIVED_FROM = "uses", "defines", "derived-from"

#: Quantities that need no defining claim: externally set, constant, or the configuration itself.
_PRIMITIVE_LEVELS = frozenset({Level.CONTROL, Level.CONSTANT})
_PRIMITIVE_KINDS = frozenset({Kind.PARAMETER, Kind.MOMENTUM, Kind.TIME, Kind.INDEX, Kind.CONSTANT})


def claim_node(claim_id: str) -> str:
    return f"claim:{claim_id}"


def quantity_node(key: str) -> str:
    return f"quantity:{key}"


class TheoryGraph:
    """Claims and quantities of a catalogue and how they depend on each other."""

    def __init__(self, graph: nx.MultiDiGraph, catalogue: Catalogue) -> None:
        self.graph = graph
        self.catalogue = catalogue

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> TheoryGraph:
        g = nx.MultiDiGraph()
        for q in catalogue.quantities.values():
            g.add_node(
                quantity_node(q.key),
                type="quantity",
                key=q.key,
                symbol=q.symbol,
                label=q.name,
                kind=q.kind.value,
                level=q.level.value,
                document=q.document,
            )
        for c in catalogue:
            g.add_node(
                claim_node(c.id),
                type="claim",
                id=c.id,
                label=c.id,
                kind=c.kind.value,
                document=c.source.document,
                section=c.source.section,
            )
        for c in catalogue:
            for key in c.quantities:
                relation = DEFINES if key in c.defines else USES
                g.add_edge(claim_node(c.id), quantity_node(key), key=relation, relation=relation)
            for parent in c.derived_from:
                if parent in catalogue.claims:
                    g.add_edge(claim_node(c.id), claim_node(parent), key=DERIVED_FROM, relation=DERIVED_FROM)
        return cls(g, catalogue)

    # ---- queries -------------------------------------------------------------------------------------------
    def _claim(self, claim_id: str) -> str:
        node = claim_node(claim_id)
        if node not in self.graph:
            raise UnknownClaimError(claim_id)
        return node

    def _quantity(self, key: str) -> str:
        node = quantity_node(key)
        if node not in self.graph:
            raise UnknownQuantityError(key)
        return node

    def definers(self, key: str) -> list[str]:
        """Ids of the claims that define quantity ``key``."""
        node = self._quantity(key)
        return sorted(
            self.graph.nodes[u]["id"] for u, _, rel in self.graph.in_edges(node, data="relation") if rel == DEFINES
        )

    def users(self, key: str) -> list[str]:
        """Ids of the claims that use quantity ``key`` (defining it counts as using it)."""
        node = self._quantity(key)
        return sorted({self.graph.nodes[u]["id"] for u, _ in self.graph.in_edges(node)})

    def rests_on(self, claim_id: str) -> set[str]:
        """Ids of every claim that ``claim_id`` depends on, transitively: the definitions of the quantities it
        uses (other than those it defines itself) and the claims it is derived from."""
        start = self._claim(claim_id)
        seen: set[str] = set()
        frontier = [start]
        while frontier:
            node = frontier.pop()
            for parent in self._direct_parents(node):
                if parent not in seen and parent != start:
                    seen.add(parent)
                    frontier.append(parent)
        return {self.graph.nodes[n]["id"] for n in seen}

    def _direct_parents(self, node: str) -> Iterable[str]:
        own = {v for _, v, rel in self.graph.out_edges(node, data="relation") if rel == DEFINES}
        for _, v, rel in self.graph.out_edges(node, data="relation"):
            if rel == DERIVED_FROM:
                yield v
            elif rel == USES and v not in own:
                for u, _, rel2 in self.graph.in_edges(v, data="relation"):
                    if rel2 == DEFINES and u != node:
                        yield u

    def dependents(self, key: str) -> set[str]:
        """Ids of every claim that depends on quantity ``key``, directly or through other claims."""
        direct = set(self.users(key))
        out = set(direct)
        for claim_id in self.catalogue.claims:
            if claim_id not in out and self.rests_on(claim_id) & direct:
                out.add(claim_id)
        return out

    def needs_definition(self, key: str) -> bool:
        """Whether a quantity is one a theory must define (not a control parameter, constant or coordinate)."""
        q = self.catalogue.quantity(key)
        return not q.given and q.level not in _PRIMITIVE_LEVELS and q.kind not in _PRIMITIVE_KINDS

    def undefined_quantities(self, claim_id: str) -> list[str]:
        """Keys of the quantities ``claim_id`` uses that need a definition and have none."""
        claim = self.catalogue.claim(claim_id)
        return [
            key
            for key in claim.quantities
            if key not in claim.defines and self.needs_definition(key) and not self.definers(key)
        ]

    def claims_with_undefined_quantities(self) -> dict[str, list[str]]:
        """Claim id → the quantities it uses that nothing defines (only claims that have some)."""
        out = {}
        for claim_id in self.catalogue.claims:
            missing = self.undefined_quantities(claim_id)
            if missing:
                out[claim_id] = missing
        return out

    # ---- export --------------------------------------------------------------------------------------------
    def annotate(self, attribute: str, values: Mapping[str, Any]) -> None:
        """Set a node attribute on claims by id (for example the verdict, before drawing)."""
        for claim_id, value in values.items():
            node = claim_node(claim_id)
            if node in self.graph:
                self.graph.nodes[node][attribute] = value

    def to_json(self) -> dict[str, Any]:
        """Node-link JSON (networkx's format, edges under ``links``)."""
        data: dict[str, Any] = nx.node_link_data(self.graph, edges="links")
        return data

    def write(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the graph as json, graphml, png or svg (from the suffix unless ``fmt`` is given)."""
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        if fmt == "json":
            path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True, default=str), encoding="utf-8")
        elif fmt == "graphml":
            plain = nx.MultiDiGraph()
            for n, attrs in self.graph.nodes(data=True):
                plain.add_node(n, **{k: str(v) for k, v in attrs.items()})
            for u, v, k, attrs in self.graph.edges(keys=True, data=True):
                plain.add_edge(u, v, key=k, **{a: str(b) for a, b in attrs.items()})
            nx.write_graphml(plain, path)
        elif fmt in ("png", "svg"):
            from thermosym.graph_drawing import draw_graph

            draw_graph(self, path)
        else:
            raise ValueError(f"unknown graph format {fmt!r}: use json, graphml, png or svg")
        return path
