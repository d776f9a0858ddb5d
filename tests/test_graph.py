"""Theory graph: structure, queries and exports."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

from thermosym.catalogue import load_catalogue, load_text
from thermosym.errors import UnknownClaimError, UnknownQuantityError
from thermosym.graph import DEFINES, USES, TheoryGraph, claim_node, quantity_node


@pytest.fixture(scope="module")
def graph() -> TheoryGraph:
    return TheoryGraph.from_catalogue(load_catalogue()[0])


def test_nodes_and_edges(graph: TheoryGraph) -> None:
    g = graph.graph
    assert sum(1 for _, t in g.nodes(data="type") if t == "claim") == 46
    assert g.has_edge(claim_node("TL-08"), quantity_node("TL.F"), key=DEFINES)
    assert g.has_edge(claim_node("TL-08"), quantity_node("TL.S"), key=USES)
    assert not g.has_edge(claim_node("TL-08"), quantity_node("TL.F"), key=USES)


def test_definers_and_users(graph: TheoryGraph) -> None:
    assert graph.definers("TL.T") == ["TL-04"]
    assert graph.definers("TL.S") == []
    assert "TL-08" in graph.users("TL.T") and "TL-10" in graph.users("TL.T")


def test_rests_on_is_transitive(graph: TheoryGraph) -> None:
    # G = H - TS: H from TL-09 (E, P, V), T from TL-04; E from TL-03, P from TL-06, V from TL-05
    assert graph.rests_on("TL-10") == {"TL-03", "TL-04", "TL-05", "TL-06", "TL-09"}
    assert graph.rests_on("TL-03") == set()  # p is given, θ a coordinate


def test_dependents(graph: TheoryGraph) -> None:
    deps = graph.dependents("TL.E")
    assert {"TL-03", "TL-04", "TL-06", "TL-08", "TL-09", "TL-10"} <= deps
    assert "HC-01" not in deps


def test_claims_with_undefined_quantities(graph: TheoryGraph) -> None:
    missing = graph.claims_with_undefined_quantities()
    assert missing["TL-08"] == ["TL.S"]  # the learning entropy S is used but never defined
    assert "TL-03" not in missing and "HC-11" not in missing


def test_derived_from_edges() -> None:
    cat, _ = load_catalogue()
    from dataclasses import replace

    claim = cat.claim("TL-08")
    cat.add_claim(replace(claim, id="DER-TEST", derived_from=("TL-08", "TL-04"), defines=()))
    g = TheoryGraph.from_catalogue(cat)
    assert g.rests_on("DER-TEST") >= {"TL-08", "TL-04", "TL-03"}


def test_unknown_ids(graph: TheoryGraph) -> None:
    with pytest.raises(UnknownClaimError):
        graph.rests_on("XX-01")
    with pytest.raises(UnknownQuantityError):
        graph.users("TL.zzz")


@pytest.mark.parametrize("fmt", ["json", "graphml", "png", "svg"])
def test_exports(graph: TheoryGraph, tmp_path: Path, fmt: str) -> None:
    path = graph.write(tmp_path / f"g.{fmt}")
    assert path.stat().st_size > 100
    if fmt == "json":
        data = json.loads(path.read_text())
        assert len(data["nodes"]) == graph.graph.number_of_nodes()
    if fmt == "graphml":
        back = nx.read_graphml(path)
        assert back.number_of_nodes() == graph.graph.number_of_nodes()


def test_unknown_format(graph: TheoryGraph, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown graph format"):
        graph.write(tmp_path / "g.gif")


def test_user_claim_links_to_builtin_quantities() -> None:
    cat, _ = load_catalogue()
    f = load_text(
        '[document]\nid = "US"\ntitle = "u"\nimports = ["HC"]\n[[claims]]\nid = "US-01"\nsection = "s"\n'
        'text = "t"\nkind = "law"\nstatement = "Eq(C_L, 1)"\n',
        catalogue=cat,
    )
    cat.add_claim(f.claims[0])
    g = TheoryGraph.from_catalogue(cat)
    assert g.rests_on("US-01") == {"HC-01", "HC-02"}
