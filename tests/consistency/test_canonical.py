"""Canonical readings on synthetic documents: the repairs propose standard meanings, and the re-check of the
repaired reading is clean where an honest repair exists."""

from __future__ import annotations

from consistency_helpers import build, claim

from thermosym.consistency import CANONICAL, IDENTIFIED, run_consistency
from thermosym.graph import TheoryGraph

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
p = { symbol = "p", name = "Distribution", kind = "probability", level = "field", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "ensemble" }
V = { symbol = "V", name = "Volume", kind = "volume", level = "control", discrete = true }
F = { symbol = "F", name = "Free Energy", kind = "free-energy", level = "ensemble" }
K = { symbol = "T", name = "Kinetic Energy", kind = "energy", level = "microstate", given = true }
"""
TEXT = (
    Q
    + claim("XX-01", "Eq(E, -Sum(p(theta)*log(p(theta)), theta))", "definition")
    + claim("XX-02", "Eq(T, Partial(E, S, V))", "definition")
    + claim("XX-03", "Eq(F, E - T*S)", "definition")
    + claim("XX-04", "Ge(Avg(K), 0)")
)


def analyse(text: str):
    catalogue = build(text)
    out = run_consistency(catalogue, TheoryGraph.from_catalogue(catalogue))
    return catalogue, out.findings


def test_energy_entropy_document_is_repaired_and_rechecked_clean() -> None:
    catalogue, findings = analyse(TEXT)
    as_written = {f.code for f in findings if f.reading == "as-written"}
    assert {"kind-mismatch-definition", "kind-mismatch-sum", "symbol-overloaded", "undefined-quantity"} <= as_written
    identified = {(f.code, f.claims[0]) for f in findings if f.reading == IDENTIFIED}
    assert ("collapses-to-constant", "XX-02") in identified and ("collapses-to-constant", "XX-03") in identified
    assert [f for f in findings if f.reading == CANONICAL] == []
    # E := ⟨L⟩ with a loss declared in the CANON namespace; the kinetic energy renamed apart from T
    e = catalogue.claim("XX-01").reading(CANONICAL)
    assert str(catalogue.display(e.statement.rhs)) == "⟨L(θ)⟩"
    assert catalogue.quantity("CANON.XX_L").given and "Gibbs entropy" in e.rationale
    assert catalogue.quantity("CANON.XX_K").symbol == "T_K"
    assert "S := " in catalogue.claim("XX-02").reading(CANONICAL).rationale


def test_a_correct_document_gets_no_readings() -> None:
    text = (
        Q.replace("discrete = true", "positive = true")
        .replace('K = { symbol = "T"', 'K = { symbol = "K"')
        .replace('kind = "temperature", level = "ensemble"', 'kind = "temperature", level = "control"')
        + claim("XX-01", "Eq(E, Avg(K))", "definition")
        + claim("XX-02", "Eq(S, -Sum(p(theta)*log(p(theta)), theta))", "definition")
        + claim("XX-03", "Eq(F, E - T*S)", "definition")
        + claim("XX-04", "Eq(T, Partial(E, S, V))", "identity")
    )
    catalogue, findings = analyse(text)
    assert findings == []
    assert all(len(c.readings) == 1 for c in catalogue)


def test_no_honest_repair_is_said_and_rechecked() -> None:
    text = (
        Q
        + 'I = { symbol = "I", name = "Information", kind = "information", level = "ensemble" }\n'
        + claim("XX-01", "Eq(Differential(I), Differential(F))")
    )
    catalogue, findings = analyse(text)
    reading = catalogue.claim("XX-01").reading(CANONICAL)
    assert "No honest repair" in reading.rationale
    assert ("relation-of-undefined-quantities", CANONICAL) in {(f.code, f.reading) for f in findings}
