"""Identification of an undefined quantity with the only expression of its kind that the text defines."""

from __future__ import annotations

from consistency_helpers import build, claim

from thermosym.consistency.identification import identify_undefined
from thermosym.graph import TheoryGraph

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
p = { symbol = "p", name = "Distribution", kind = "probability", level = "field", arguments = ["theta"], given = true }
q = { symbol = "q", name = "Other", kind = "probability", level = "field", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
U = { symbol = "U", name = "Other Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
sigma = { symbol = "σ", name = "Trajectory Entropy", kind = "entropy", level = "microstate" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control" }
"""
USE_S = claim("XX-09", "Ge(S, sigma)")


def witnesses(claims: str) -> dict:
    cat = build(Q + claims)
    return identify_undefined(cat, TheoryGraph.from_catalogue(cat))


def test_undefined_entropy_is_identified_with_the_only_gibbs_entropy() -> None:
    found = witnesses(claim("XX-01", "Eq(E, -Sum(p(theta)*log(p(theta)), theta))", "definition") + USE_S)
    assert set(found) == {"XX.S"}  # σ is a microstate entropy: the ensemble functional is not a candidate
    assert found["XX.S"].claim_id == "XX-01"


def test_two_candidate_entropies_identify_nothing() -> None:
    found = witnesses(
        claim("XX-01", "Eq(E, -Sum(p(theta)*log(p(theta)), theta))", "definition")
        + claim("XX-02", "Eq(U, -Sum(q(theta)*log(q(theta)), theta))", "definition")
        + USE_S
    )
    assert found == {}


def test_no_candidate_identifies_nothing() -> None:
    assert witnesses(claim("XX-01", "Eq(E, T)", "definition") + USE_S) == {}
