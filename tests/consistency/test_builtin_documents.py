"""The full consistency analysis on the built-in documents: every class of issue 4 where it occurs, with its
expression as evidence, the 'identified' reading's collapses, and the canonical readings re-checked."""

from __future__ import annotations

import pytest
import sympy

from thermosym.catalogue import Catalogue, load_catalogue
from thermosym.consistency import CANONICAL, IDENTIFIED, run_consistency
from thermosym.finding import Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.operators import Divergence


@pytest.fixture(scope="module")
def analysed() -> tuple[Catalogue, list[Finding]]:
    catalogue = load_catalogue()[0]
    out = run_consistency(catalogue, TheoryGraph.from_catalogue(catalogue))
    return catalogue, out.findings


def of(findings: list[Finding], reading: str) -> list[Finding]:
    return [f for f in findings if f.reading == reading]


def test_every_class_of_issue_4_is_reported(analysed) -> None:
    _, findings = analysed
    categories = {f.category.value for f in of(findings, "as-written") + of(findings, IDENTIFIED)}
    assert categories >= {
        "symbol-overloading",
        "kind-mismatch",
        "level-mismatch",
        "degeneracy",
        "contradiction",
        "ill-posed",
        "exponent-naming",
        "undefined-quantity",
    }
    assert all(f.expression is not None for f in findings if f.is_blocking and f.category.value != "ill-posed")


def test_identified_reading_collapses(analysed) -> None:
    catalogue, findings = analysed
    collapsed = {f.claims[0]: f.expression for f in of(findings, IDENTIFIED) if f.code == "collapses-to-constant"}
    assert all(isinstance(e, sympy.Eq) for e in collapsed.values())
    rhs = {c: e.rhs for c, e in collapsed.items() if isinstance(e, sympy.Eq)}
    assert rhs == {"TL-04": 1, "TL-06": 0, "TL-08": 0, "TL-10": 0}
    (same,) = [f for f in of(findings, IDENTIFIED) if f.code == "quantities-coincide"]
    assert set(same.quantities) == {"TL.E", "TL.S", "TL.H"}
    assert "identified with" in same.message and "the only entropy it defines (TL-03)" in same.message
    # the reading is attached to the claims it touches, with the identification as rationale
    reading = catalogue.claim("TL-04").reading(IDENTIFIED)
    assert reading.reinterprets == ("TL.S",) and "TL-03" in reading.rationale


def test_transport_residual_is_the_evidence(analysed) -> None:
    catalogue, findings = analysed
    (f,) = [f for f in of(findings, "as-written") if f.code == "continuity-contradicts-evolution"]
    theta, t = catalogue.quantity("TL.theta").sym, catalogue.quantity("TL.t").sym
    c = catalogue.quantity("TL.c").func(theta, t)
    assert f.expression is not None
    assert sympy.expand(f.expression - 2 * Divergence(c * catalogue.quantity("TL.v_flow").sym)) == 0


def test_every_touched_claim_has_a_canonical_reading(analysed) -> None:
    catalogue, findings = analysed
    touched = {c for f in of(findings, "as-written") for c in f.claims}
    assert touched <= {c.id for c in catalogue if any(r.name == CANONICAL for r in c.readings)}


def test_canonical_readings_are_standard(analysed) -> None:
    catalogue, _ = analysed
    text = {c.id: c.reading(CANONICAL).statement for c in catalogue if any(r.name == CANONICAL for r in c.readings)}
    show = catalogue.display
    assert str(show(text["TL-03"].rhs)) == "⟨L(θ)⟩"
    assert str(show(text["HC-02"].rhs)) == "⟨L(θ)⟩"
    assert str(show(text["TL-13"].rhs)).replace(" ", "") in {"-D*∇(c(θ,t))+v*c(θ,t)", "v*c(θ,t)-D*∇(c(θ,t))"}
    assert str(show(text["HC-08"].rhs)) == "Derivative(ψ, h)"
    assert "⟨L(θ)**2⟩" in str(show(text["HC-11"].rhs))
    assert str(show(text["HC-05"].rhs)) == "Abs(T_L - T_c)**(-α)"
    assert catalogue.quantity("CANON.TL_V").discrete is False


def test_canonical_recheck_leaves_only_the_unrepairable(analysed) -> None:
    _, findings = analysed
    canonical = of(findings, CANONICAL)
    blocking = {(f.code, f.claims[0]) for f in canonical if f.is_blocking}
    assert blocking == {("relation-of-undefined-quantities", "TL-01"), ("argmax-of-monotone", "HC-15")}
    warnings = {(f.code, f.claims) for f in canonical if f.severity is Severity.WARNING}
    assert {c for _, cs in warnings for c in cs} <= {"TL-01", "TL-07"}  # I, C, W keep no meaning
    infos = {f.code for f in canonical if f.severity is Severity.INFO}
    assert infos <= {"symbol-reused"}
