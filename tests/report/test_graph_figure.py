"""The theory graph rebuilt from the JSON and drawn with claims coloured by verdict (graph_figure.py)."""

from __future__ import annotations

import itertools
from typing import Any

from thermosym.graph_drawing import VERDICT_COLOURS
from thermosym.report.graph_figure import (
    label_box,
    layout,
    node_colours,
    separate_labels,
    theory_graph,
    theory_graph_figure,
)
from thermosym.report.plots import figure_svg


def test_graph_has_the_claims_quantities_and_edges_of_the_document(sample_document: dict[str, Any]) -> None:
    g = theory_graph(sample_document)
    claims = sample_document["claims"]
    keys = {q["key"] for c in claims for q in c["quantities"]}
    assert {n for n, t in g.nodes(data="type") if t == "claim"} == {f"claim:{c['id']}" for c in claims}
    assert {n for n, t in g.nodes(data="type") if t == "quantity"} == {f"quantity:{k}" for k in keys}
    expected = set()
    for c in claims:
        for q in c["quantities"]:
            relation = "defines" if q["key"] in c["defines"] else "uses"
            expected.add((f"claim:{c['id']}", f"quantity:{q['key']}", relation))
        for parent in c["derived_from"]:
            if parent in {d["id"] for d in claims}:  # TL-08 is not in the sample: no dangling edge
                expected.add((f"claim:{c['id']}", f"claim:{parent}", "derived-from"))
    assert set(g.edges(data="relation")) == expected
    assert ("claim:DER-dF", "claim:TL-03", "derived-from") in expected


def test_claims_are_coloured_by_their_verdict_as_written(sample_document: dict[str, Any]) -> None:
    colours = node_colours(theory_graph(sample_document))
    for c in sample_document["claims"]:
        assert colours[f"claim:{c['id']}"] == VERDICT_COLOURS[c["readings"][0]["verdict"]]


def test_drawing_uses_the_colours_of_the_verdicts_present_only(sample_document: dict[str, Any]) -> None:
    few = {**sample_document, "claims": [c for c in sample_document["claims"] if c["id"] in ("HC-11", "TL-14")]}
    fig = theory_graph_figure(few)
    assert fig is not None
    svg = figure_svg(fig).lower()
    assert VERDICT_COLOURS["fails"] in svg and VERDICT_COLOURS["holds"] in svg
    absent = [v for v in VERDICT_COLOURS if v not in ("fails", "holds")]
    assert not [v for v in absent if VERDICT_COLOURS[v] in svg]
    assert "hc-11" in svg and "tl-14" in svg  # labels as text
    assert theory_graph_figure({**sample_document, "claims": []}) is None


def test_layout_is_deterministic_and_keeps_components_apart(sample_document: dict[str, Any]) -> None:
    g = theory_graph(sample_document)
    first, second = layout(g), layout(g)
    assert first == second
    # the HC component (HC-13, HC-11, ...) and the component of TL-14 do not overlap
    import networkx as nx

    components = [sorted(c) for c in nx.connected_components(g.to_undirected())]
    boxes = []
    for nodes in components:
        xs, ys = [first[n][0] for n in nodes], [first[n][1] for n in nodes]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
            assert apart, (a, b)


def test_label_boxes_do_not_overlap(sample_document: dict[str, Any]) -> None:
    # two claims that use the same quantities sit on one spot in Kamada–Kawai; separate_labels moves them apart
    g = theory_graph(sample_document)
    pos = layout(g)
    boxes = {n: label_box(g, n) for n in g}
    nodes = sorted(g)
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            dx, dy = abs(pos[a][0] - pos[b][0]), abs(pos[a][1] - pos[b][1])
            overlap_x = (boxes[a][0] + boxes[b][0]) / 2 - dx
            overlap_y = (boxes[a][1] + boxes[b][1]) / 2 - dy
            assert overlap_x <= 1e-9 or overlap_y <= 1e-9, (a, b)


def test_separate_labels_moves_coincident_boxes_apart_deterministically() -> None:
    pos = {"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (0.1, 0.0)}
    boxes = dict.fromkeys(pos, (1.0, 0.4))
    out = separate_labels(pos, boxes)
    assert out == separate_labels(pos, boxes)
    ys = sorted(y for _, y in out.values())
    assert all(later - earlier >= 0.4 - 1e-9 for earlier, later in itertools.pairwise(ys))
