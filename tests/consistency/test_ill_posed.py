"""Ill-posed operations: discrete derivatives and what rests on them, monotone argmaxes, undefined quantities,
path-dependent derivatives."""

from __future__ import annotations

import itertools

import pytest
import sympy
from consistency_helpers import check, claim, codes

from thermosym.finding import Severity

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
L = { symbol = "L", name = "Loss", kind = "energy", level = "microstate", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control", positive = true }
n = { symbol = "n", name = "Site Count", kind = "volume", level = "control", discrete = true }
V = { symbol = "V", name = "Volume", kind = "volume", level = "control" }
P = { symbol = "P", name = "Pressure", kind = "pressure", level = "ensemble" }
H = { symbol = "H", name = "Enthalpy", kind = "energy", level = "ensemble" }
C = { symbol = "C", name = "Heat Capacity", kind = "heat-capacity", level = "ensemble" }
w = { symbol = "w", name = "Network Width", kind = "count", level = "control", discrete = true, positive = true }
m = { symbol = "m", name = "Dataset Size", kind = "count", level = "control", discrete = true, positive = true }
ws = { symbol = "w*", name = "Optimal Width", kind = "count", level = "control", discrete = true }
I = { symbol = "I", name = "Information", kind = "information", level = "ensemble" }
A = { symbol = "A", name = "Work A", kind = "work", level = "ensemble" }
B = { symbol = "B", name = "Work B", kind = "work", level = "ensemble" }
Qh = { symbol = "Q", name = "Heat", kind = "heat", level = "ensemble" }
"""
MEAN_LOSS = claim("XX-00", "Eq(E, Avg(L(theta)))", "definition")


def ill(claims: str, undefined: bool = False) -> list:
    """The ill-posed findings; undefined-quantity warnings only if asked (the synthetic documents leave most
    quantities undefined)."""
    found = check(Q + MEAN_LOSS + claims, only="ill-posed")
    return found if undefined else [f for f in found if f.code != "undefined-quantity"]


def test_derivative_with_respect_to_an_integer_and_its_descendants() -> None:
    found = ill(
        claim("XX-01", "Eq(P, -Partial(E, n, S))", "definition")
        + claim("XX-02", "Eq(H, E + P*n)", "definition")
        + claim("XX-03", "Ge(H, E)")
    )
    by = {f.claims[0]: (f.code, f.severity) for f in found}
    assert by["XX-01"] == ("derivative-wrt-discrete", Severity.ERROR)
    assert by["XX-02"] == ("ill-posed-inherited", Severity.ERROR)
    assert by["XX-03"] == ("ill-posed-inherited", Severity.ERROR)  # through H, transitively


def test_derivative_with_respect_to_a_continuous_volume_is_silent() -> None:
    assert not ill(
        claim("XX-01", "Eq(P, -Partial(E, V, S))", "definition") + claim("XX-02", "Eq(H, E + P*V)", "definition")
    )


def test_holding_an_integer_fixed_is_fine() -> None:
    assert not ill(claim("XX-01", "Eq(T, Partial(E, S, n))", "identity"))


@pytest.mark.parametrize(
    ("objective", "monotone"),
    [("w**2", True), ("log(w)", True), ("-w", True), ("w*exp(-w)", False), ("(w - 3)**2", False)],
)
def test_argmax_of_an_explicit_function(objective: str, monotone: bool) -> None:
    found = ill(claim("XX-01", f"Eq(ws, Argmax({objective}, w))", "definition"))
    assert ("argmax-of-monotone" in codes(found)) == monotone


def test_argmax_of_a_heat_capacity_over_width_runs_away() -> None:
    (f,) = ill(claim("XX-01", "Eq(ws, Argmax(C(w), w))", "definition"))
    assert f.code == "argmax-of-monotone" and f.severity is Severity.ERROR
    # evidence: d/dw of the regular-model heat capacity d(w)/2 is positive for positive input/output sizes
    assert isinstance(f.expression, sympy.Eq) and f.expression.rhs.is_positive


def test_argmax_of_a_heat_capacity_over_data_size_is_not_claimed() -> None:
    assert not ill(claim("XX-01", "Eq(ws, Argmax(C(m), m))", "definition"))


def test_relation_between_undefined_quantities_is_an_error() -> None:
    found = ill(claim("XX-01", "Eq(Differential(I), Differential(A) + Differential(B))"), undefined=True)
    assert ("relation-of-undefined-quantities", Severity.ERROR) in {(f.code, f.severity) for f in found}
    undefined = {f.quantities[0] for f in found if f.code == "undefined-quantity"}
    assert undefined == {"XX.I", "XX.A", "XX.B"}


def test_a_law_with_a_control_parameter_is_only_a_warning() -> None:
    found = ill(claim("XX-01", "Ge(Differential(S), Differential(Qh)/T)"), undefined=True)
    assert codes(found) == {"undefined-quantity"} and all(f.severity is Severity.WARNING for f in found)


def test_defined_quantities_are_silent() -> None:
    assert not ill(claim("XX-01", "Eq(S, Avg(L(theta))/T)", "definition"), undefined=True)


def test_path_dependent_derivative_is_a_warning_and_a_fixed_path_is_silent() -> None:
    found = ill(claim("XX-01", "Eq(C, Derivative(Qh, T))", "definition"))
    assert ("path-dependent-derivative", Severity.WARNING) in {(f.code, f.severity) for f in found}
    assert "path-dependent-derivative" not in codes(ill(claim("XX-01", "Eq(C, Partial(Qh, T, V))", "definition")))


def test_builtin_ill_posed(builtin) -> None:
    _, findings = builtin
    errors = {(f.code, f.claims[0]) for f in findings if f.category.value == "ill-posed" and f.is_blocking}
    assert errors == {
        ("derivative-wrt-discrete", "TL-06"),
        ("ill-posed-inherited", "TL-09"),
        ("ill-posed-inherited", "TL-10"),
        ("argmax-of-monotone", "HC-15"),
        ("relation-of-undefined-quantities", "TL-01"),
    }
    warnings = {(f.code, f.claims[0]) for f in findings if f.category.value == "ill-posed" and not f.is_blocking}
    assert warnings == {("ill-posed-inherited", "TL-21"), ("path-dependent-derivative", "TL-20")}
    undefined = {f.quantities[0] for f in findings if f.code == "undefined-quantity"}
    assert undefined == {
        "TL.I", "TL.C_comp", "TL.W_ent", "TL.S", "TL.Q", "TL.sigma", "TL.W", "TL.DeltaF", "HC.xi",
    }  # fmt: skip


def test_exact_linear_network_learning_coefficient_never_decreases_with_width() -> None:
    """The fact the argmax finding cites: λ of reduced-rank and deep linear networks (Aoyagi & Watanabe 2005,
    Aoyagi 2024; thermosym.systems) is non-decreasing in the hidden width and saturates at MN/2 — so an argmax
    over width has no interior optimum. Exact rationals, compared exactly."""
    lc = pytest.importorskip("thermosym.systems.learning_coefficient").deep_linear_learning_coefficient
    for shape, rank in (([5, 0, 5], 1), ([4, 0, 7], 2), ([6, 0, 0, 3], 1)):
        values = [lc([h if x == 0 else x for x in shape], rank).value for h in range(rank or 1, 16)]
        assert all(b >= a for a, b in itertools.pairwise(values))
        assert values[-1] == shape[0] * shape[-1] / 2 and values[0] < values[-1]
