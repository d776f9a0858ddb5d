"""Degeneracy: definitions that collapse once substituted; dS/dt extremal at a steady state."""

from __future__ import annotations

import sympy
from consistency_helpers import check, claim, codes

from thermosym.consistency.degeneracy import reduce_derivatives
from thermosym.finding import Severity
from thermosym.operators import ConstrainedDerivative

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
p = { symbol = "p", name = "Distribution", kind = "probability", level = "field", arguments = ["theta"], given = true }
L = { symbol = "L", name = "Loss", kind = "energy", level = "microstate", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "ensemble" }
V = { symbol = "V", name = "Volume", kind = "volume", level = "control" }
F = { symbol = "F", name = "Free Energy", kind = "free-energy", level = "ensemble" }
P = { symbol = "P", name = "Pressure", kind = "pressure", level = "ensemble" }
H = { symbol = "H", name = "Enthalpy", kind = "energy", level = "ensemble" }
t = { symbol = "t", name = "Time", kind = "time", level = "control" }
"""
GIBBS = "-Sum(p(theta)*log(p(theta)), theta)"
POTENTIALS = (
    claim("XX-03", "Eq(T, Partial(E, S, V))", "definition")
    + claim("XX-04", "Eq(P, -Partial(E, V, S))", "definition")
    + claim("XX-05", "Eq(F, E - T*S)", "definition")
    + claim("XX-06", "Eq(H, E + P*V)", "definition")
)


def degeneracy(claims: str) -> list:
    return check(Q + claims, only="degeneracy")


def test_trivial_derivatives_reduce() -> None:
    x, y, z = sympy.symbols("x y z")
    assert reduce_derivatives(ConstrainedDerivative(x, x, z)) == 1
    assert reduce_derivatives(ConstrainedDerivative(x, y, x)) == 0
    assert reduce_derivatives(x - ConstrainedDerivative(x, x, z) * x) == 0
    assert reduce_derivatives(ConstrainedDerivative(x, y, z)) == ConstrainedDerivative(x, y, z)


def test_energy_equal_to_entropy_collapses_temperature_pressure_and_free_energy() -> None:
    found = degeneracy(
        claim("XX-01", f"Eq(E, {GIBBS})", "definition") + claim("XX-02", f"Eq(S, {GIBBS})", "definition") + POTENTIALS
    )
    collapsed = {f.claims[0]: f.expression.rhs for f in found if f.code == "collapses-to-constant"}
    assert collapsed == {"XX-03": 1, "XX-04": 0, "XX-05": 0}
    assert all(f.severity is Severity.ERROR for f in found)
    (same,) = [f for f in found if f.code == "quantities-coincide"]
    assert set(same.quantities) == {"XX.E", "XX.S", "XX.H"}  # H = E + 0·V


def test_the_same_potentials_are_silent_with_the_energy_a_mean_loss() -> None:
    assert not degeneracy(
        claim("XX-01", "Eq(E, Avg(L(theta)))", "definition")
        + claim("XX-02", f"Eq(S, {GIBBS})", "definition")
        + POTENTIALS
    )


def test_a_law_that_reduces_to_a_false_number_is_flagged() -> None:
    found = degeneracy(
        claim("XX-01", f"Eq(E, {GIBBS})", "definition")
        + claim("XX-02", f"Eq(S, {GIBBS})", "definition")
        + claim("XX-03", "Eq(T, Partial(E, S, V))", "definition")
        + claim("XX-09", "Eq(T, 2)")
    )
    assert "relation-collapses-false" in codes(found)


def test_steady_state_extremum_of_ds_dt_is_a_warning() -> None:
    (f,) = check(Q + claim("XX-01", "Minimum(Derivative(S, t))", condition="at steady state"), only="steady-state")
    assert f.code == "steady-state-derivative" and f.severity is Severity.WARNING and "entropy production" in f.message
    assert not check(Q + claim("XX-01", "Minimum(Derivative(S, t))"), only="steady-state")
    assert not check(Q + claim("XX-01", "Minimum(F)", condition="at steady state"), only="steady-state")


def test_builtin_as_written_has_no_collapse_but_steady_state(builtin) -> None:
    _, findings = builtin
    assert [(f.code, f.claims) for f in findings if f.category.value == "degeneracy"] == [
        ("steady-state-derivative", ("TL-18",))
    ]
