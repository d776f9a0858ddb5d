"""The dimension algebra: the kinds of expressions the brief lists, and the algebra's laws (hypothesis)."""

from __future__ import annotations

import sympy
from consistency_helpers import build
from hypothesis import given
from hypothesis import strategies as st

from thermosym.consistency.dimensions import (
    DIMENSIONLESS,
    ENERGY,
    ENTROPY,
    TEMPERATURE,
    Dimension,
    agree,
    describe,
)
from thermosym.consistency.theory import inference

CAT = build(
    """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
p = { symbol = "p", name = "Distribution", kind = "probability", level = "field", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control", positive = true }
W = { symbol = "W", name = "Work", kind = "work", level = "microstate" }
beta = { symbol = "β", name = "Inverse Temperature", kind = "inverse-temperature", level = "control" }
"""
)
q = {k.split(".")[1]: v.sym for k, v in CAT.quantities.items()}
p = CAT.quantity("XX.p").func(q["theta"])


def infer(expr: sympy.Basic) -> tuple[Dimension | None, list[str]]:
    inf = inference(CAT)
    dim = inf.infer(expr)
    return dim, [m.what for m in inf.mismatches]


def test_gibbs_entropy_sum_and_integral_are_entropies() -> None:
    from thermosym.operators import SumOver

    assert infer(-SumOver(p * sympy.log(p), q["theta"])) == (ENTROPY, [])
    assert infer(-sympy.Integral(p * sympy.log(p), q["theta"])) == (ENTROPY, [])


def test_products_and_derivatives_have_the_expected_kinds() -> None:
    from thermosym.operators import ConstrainedDerivative

    assert infer(q["T"] * q["S"])[0] == ENERGY
    assert infer(ConstrainedDerivative(q["E"], q["S"], q["T"]))[0] == TEMPERATURE
    assert infer(ConstrainedDerivative(q["S"], q["S"], q["T"]))[0] == DIMENSIONLESS
    assert describe(infer(ConstrainedDerivative(q["S"], q["T"], q["E"]))[0]) == "an entropy per temperature"


def test_energy_minus_entropy_is_a_sum_mismatch() -> None:
    assert infer(q["E"] - q["S"]) == (None, ["sum"])
    assert infer(q["E"] - q["T"] * q["S"]) == (ENERGY, [])


def test_exponent_arguments_follow_kb_equals_one() -> None:
    # exp(−βW) is fine (βW is k_B-dimensionless), exp(W) is not
    assert infer(sympy.exp(-q["beta"] * q["W"])) == (DIMENSIONLESS, [])
    assert infer(sympy.exp(q["W"]))[1] == ["argument"]


def test_entropy_is_kept_apart_from_pure_numbers_but_agrees_with_them() -> None:
    assert ENTROPY != DIMENSIONLESS and describe(ENTROPY) == "an entropy"
    assert agree(ENTROPY, DIMENSIONLESS) and not agree(ENERGY, DIMENSIONLESS)


powers = st.integers(min_value=-3, max_value=3)


@given(powers, powers, powers, powers)
def test_dimension_group_laws(a: int, b: int, c: int, d: int) -> None:
    x = Dimension.of(energy=a, k_B=b)
    y = Dimension.of(energy=c, k_B=d)
    assert (x * y) / y == x
    assert x**2 == x * x
    assert agree(x, x * ENTROPY**c)  # k_B = 1: powers of k_B never separate two kinds
    assert agree(x, y) == (a == c)
