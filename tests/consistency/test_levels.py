"""Level mismatch: averages of quantities that do not fluctuate."""

from __future__ import annotations

import sympy
from consistency_helpers import build, check, claim
from hypothesis import given
from hypothesis import strategies as st

from thermosym.consistency.levels import reduce_averages
from thermosym.finding import Severity
from thermosym.operators import Avg

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
L = { symbol = "L", name = "Loss", kind = "energy", level = "microstate", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
C = { symbol = "C", name = "Heat Capacity", kind = "heat-capacity", level = "ensemble" }
beta = { symbol = "β", name = "Inverse Temperature", kind = "inverse-temperature", level = "control" }
N = { symbol = "N", name = "Size", kind = "count", level = "control", discrete = true }
i = { symbol = "i", name = "Index", kind = "index", level = "control", discrete = true }
m = { symbol = "m", name = "Order", kind = "order-parameter", level = "ensemble" }
"""


def levels(claims: str) -> list:
    return check(Q + claims, only="level-mismatch")


def test_variance_of_an_ensemble_functional_collapses_to_zero() -> None:
    (f,) = levels(claim("XX-01", "Eq(C, beta**2*(Avg(E**2) - Avg(E)**2))", "identity"))
    assert f.code == "fluctuation-of-ensemble-functional" and f.severity is Severity.ERROR
    # the evidence shows the reduction C = β²(E² − E²), which evaluates to C = 0
    assert isinstance(f.expression, sympy.Eq)
    assert f.expression.lhs.name == "XX.C" and sympy.simplify(f.expression.rhs) == 0
    assert f.expression.rhs != 0  # kept unevaluated, so that the reduction can be read


def test_var_operator_of_an_ensemble_functional_collapses() -> None:
    (f,) = levels(claim("XX-01", "Eq(C, beta**2*Var(E))", "identity"))
    assert f.code == "fluctuation-of-ensemble-functional"


def test_a_plain_average_of_a_functional_is_only_redundant() -> None:
    (f,) = levels(claim("XX-01", "Eq(C, Avg(E)/E)", "identity"))
    assert f.code == "average-of-ensemble-functional" and f.severity is Severity.WARNING


def test_fluctuations_of_microstate_observables_are_silent() -> None:
    assert not levels(
        claim("XX-01", "Eq(C, beta**2*(Avg(L(theta)**2) - Avg(L(theta))**2))", "identity")
        + claim("XX-02", "Eq(C, beta**2*Var(L(theta)))", "identity")
        + claim("XX-03", "Eq(m, Avg(Abs(Sum(theta[i], (i, 1, N))))/N)", "definition")
    )


def test_builtin_level_mismatch_is_hc11(builtin) -> None:
    _, findings = builtin
    found = [f for f in findings if f.category.value == "level-mismatch"]
    assert [(f.code, f.claims) for f in found] == [("fluctuation-of-ensemble-functional", ("HC-11",))]
    assert sympy.simplify(found[0].expression.rhs) == 0


@given(st.integers(min_value=1, max_value=6))
def test_every_moment_of_a_functional_has_zero_variance(k: int) -> None:
    cat = build(Q)
    E = cat.quantity("XX.E").sym
    L = cat.quantity("XX.L").func(cat.quantity("XX.theta").sym)
    assert reduce_averages(Avg(E ** (2 * k)) - Avg(E**k) ** 2, cat, evaluate=True) == 0
    moment = Avg(L ** (2 * k)) - Avg(L**k) ** 2
    assert reduce_averages(moment, cat, evaluate=True) == moment  # a microstate observable keeps its fluctuation
