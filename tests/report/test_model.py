"""The report's content read from the JSON (thermosym/report/model.py): order, counts, formatting, links."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from thermosym.graph_drawing import VERDICT_COLOURS
from thermosym.report.model import (
    ATTENTION,
    VERDICT_ORDER,
    build_view,
    derivation_href,
    format_number,
    format_parameters,
    text_colour_on,
    verdict_rank,
)


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio, computed here independently of the module."""

    def lum(colour: str) -> float:
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_badge_text_is_readable_on_every_verdict_colour() -> None:
    # WCAG AA asks 4.5:1 for normal text; the badge picks black or white, whichever contrasts more
    for verdict, colour in VERDICT_COLOURS.items():
        assert _contrast(colour, text_colour_on(colour)) >= 4.5, verdict


def test_counts_match_a_direct_count_of_the_document(sample_document: dict[str, Any]) -> None:
    view = build_view(sample_document)
    as_written = Counter(c["readings"][0]["verdict"] for c in sample_document["claims"])
    every = Counter(r["verdict"] for c in sample_document["claims"] for r in c["readings"])
    assert {n.verdict: n.as_written for n in view.counts if n.as_written} == dict(as_written)
    assert {n.verdict: n.all_readings for n in view.counts} == dict(every)
    # the document's own summary (keys are str(verdict)) agrees too
    assert {str(n.verdict): n.as_written for n in view.counts if n.as_written} == sample_document["summary"][
        "as_written"
    ]
    assert [n.verdict for n in view.counts] == sorted((n.verdict for n in view.counts), key=verdict_rank)


def test_claims_needing_attention_come_first(sample_document: dict[str, Any]) -> None:
    view = build_view(sample_document)
    assert [c.id for c in view.attention] == ["HC-11", "TL-03", "HC-15"]  # fails, inconsistent, ill-posed
    ranks = [verdict_rank(c.verdict) for c in view.ranked]
    assert ranks == sorted(ranks)
    assert {c.id for c in view.ranked[: len(view.attention)]} == {c.id for c in view.attention}
    assert all(c.verdict in ATTENTION for c in view.attention)
    # sections keep the document order, grouped by document
    assert [c.id for c in view.claims] == [c["id"] for c in sample_document["claims"]]
    assert [d for d, _ in view.documents] == ["TL", "HC", "DER"]
    assert VERDICT_ORDER[-1] is None


def test_mathml_is_used_when_present_and_safe(sample_document: dict[str, Any]) -> None:
    view = build_view(sample_document)
    claims = {c.id: c for c in view.claims}
    assert claims["HC-11"].statement is not None and claims["HC-11"].statement.mathml is not None
    assert claims["HC-13"].statement is not None and claims["HC-13"].statement.mathml is None  # none given
    hostile = claims["TL-22"].readings[0].statement
    assert hostile is not None and hostile.mathml is None and hostile.text == "what determines T_eff"
    finding = claims["TL-03"].readings[0].findings[0]
    assert finding.expression is not None and finding.expression.mathml is not None
    assert finding.expression.latex.startswith("E = ")


def test_identical_observations_share_one_plot_file(sample_document: dict[str, Any]) -> None:
    view = build_view(sample_document)
    hc11 = next(c for c in view.claims if c.id == "HC-11")
    first = hc11.readings[0].figures[0]
    repeat = hc11.readings[1].figures[1]
    assert first.observation == repeat.observation
    assert repeat.file == first.file and repeat.anchor != first.anchor
    anchors = [f.anchor for c in view.claims for r in c.readings for f in r.figures]
    assert len(anchors) == len(set(anchors))


def test_evidence_rows_show_the_deviation_and_rule(sample_document: dict[str, Any]) -> None:
    row = build_view(sample_document).claims[6].readings[0].evidence[0]  # HC-11 as written, T = 0.25
    item = sample_document["claims"][6]["readings"][0]["evidence"][0]
    assert row.deviation == format_number(abs(item["measured"] - item["predicted"]))
    assert row.rule == "3σ" and not row.passed
    assert row.parameters == "samples=4000, chains=8"


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "—"), (True, "true"), (7, "7"), (0.1 + 0.2, "0.3"), (1234567.0, "1.23457e+06"), (float("nan"), "nan")],
)
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_format_parameters_shortens_long_lists_and_nests() -> None:
    text = format_parameters({"sizes": list(range(20)), "sub": {"a": 1}})
    assert text == "sizes=[0, 1, 2, 3, 4, 5, 6, 7, … (20 items)], sub={a=1}"


def test_derivation_links() -> None:
    assert derivation_href("ensemble", "../derivations", None, "DER-ENS-C-FLUCT") == (
        "../derivations/ensemble.md#der-ens-c-fluct"
    )
    assert derivation_href("ensemble", "derivations", frozenset({"potentials"})) is None
    assert derivation_href("Ensemble/..", "derivations", None) is None


def test_derived_claims_link_their_pages(sample_document: dict[str, Any]) -> None:
    view = build_view(sample_document)
    der = next(c for c in view.claims if c.id == "DER-dF")
    assert der.derivation is not None and der.derivation.href == "../derivations/potentials.md#der-df"
    assert der.verified is True
    assert [t.href for t in view.topics] == ["../derivations/potentials.md", "../derivations/jacobian.md"]
    assert view.derivations_index == "../derivations/README.md"
    copied = build_view(sample_document, derivations_base="derivations", available_derivations=frozenset({"jacobian"}))
    assert [t.href for t in copied.topics] == [None, "derivations/jacobian.md"]
    assert copied.derivations_index is None
