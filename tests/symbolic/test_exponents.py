"""Critical-exponent relations (thermosym.symbolic.exponents)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from thermosym.symbolic.exponents import (
    DIMENSION,
    ISING_2D,
    MEAN_FIELD,
    SCALING_FORMS,
    Y_H,
    Y_T,
    check_exponents,
    exponent_residuals,
    hyperscaling_dimension,
    report,
    scaling_exponents,
    scaling_residuals,
)

# 3-D Ising, Pelissetto & Vicari, Phys. Rep. 368, 549 (2002), §3 (their summary of
# the best estimates, with errors).
ISING_3D = {"alpha": 0.110, "beta": 0.3265, "gamma": 1.2372, "delta": 4.789, "nu": 0.6301, "eta": 0.0364}
ISING_3D_ERR = {"alpha": 0.001, "beta": 0.0003, "gamma": 0.0005, "delta": 0.002, "nu": 0.0004, "eta": 0.0005}


def test_the_relations_follow_from_the_scaling_hypothesis() -> None:
    residuals = scaling_residuals()
    assert all(r == 0 for r in residuals.values()), residuals
    exps = scaling_exponents()
    for name, form in SCALING_FORMS.items():
        assert sympy.simplify(exps[name] - form) == 0


def test_mean_field() -> None:
    """Landau theory (Goldenfeld ch. 5): all but Josephson hold for any d; Josephson only at d = 4."""
    res = exponent_residuals(MEAN_FIELD)
    assert res["rushbrooke"] == 0 and res["widom"] == 0 and res["fisher"] == 0
    assert res["josephson"] == DIMENSION / 2 - 2
    assert hyperscaling_dimension(MEAN_FIELD) == 4
    assert exponent_residuals({**MEAN_FIELD, "d": 4})["josephson"] == 0
    assert exponent_residuals({**MEAN_FIELD, "d": 3})["josephson"] == sympy.Rational(-1, 2)


def test_two_dimensional_ising_exact() -> None:
    """Onsager/Yang exact exponents satisfy all four relations at d = 2 (and hyperscaling fails at d = 3)."""
    assert set(exponent_residuals({**ISING_2D, "d": 2}).values()) == {0}
    assert hyperscaling_dimension(ISING_2D) == 2
    assert exponent_residuals({**ISING_2D, "d": 3})["josephson"] == 1


def test_scaling_dimensions_reproduce_the_known_sets() -> None:
    """Mean field: y_t = 2, y_h = 3 at d = 4; 2-D Ising: y_t = 1, y_h = 15/8 at d = 2 (Cardy, Scaling and
    Renormalization in Statistical Physics (1996), ch. 3)."""
    for values, yt, yh, dim in ((MEAN_FIELD, 2, 3, 4), (ISING_2D, 1, sympy.Rational(15, 8), 2)):
        subs = {Y_T: yt, Y_H: yh, DIMENSION: dim}
        for name, form in SCALING_FORMS.items():
            assert form.subs(subs) == values[name], name


def test_three_dimensional_ising_estimates_within_their_errors() -> None:
    """The relations hold for the 3-D Ising estimates within 3 standard errors, propagated linearly from the
    quoted errors (treated as independent)."""
    res = {k: float(v) for k, v in exponent_residuals({**ISING_3D, "d": 3}).items()}
    e = ISING_3D_ERR
    v = ISING_3D
    sigma = {
        "rushbrooke": math.hypot(e["alpha"], 2 * e["beta"], e["gamma"]),
        "widom": math.hypot(e["gamma"], (v["delta"] - 1) * e["beta"], v["beta"] * e["delta"]),
        "fisher": math.hypot(e["gamma"], (2 - v["eta"]) * e["nu"], v["nu"] * e["eta"]),
        "josephson": math.hypot(3 * e["nu"], e["alpha"]),
    }
    for name, r in res.items():
        assert abs(r) <= 3 * sigma[name], (name, r, sigma[name])
    assert check_exponents({**ISING_3D, "d": 3}, tolerance=0.005) == dict.fromkeys(res, True)


def test_a_wrong_set_fails() -> None:
    wrong = {**ISING_2D, "gamma": sympy.Rational(3, 2)}  # γ off by 1/4
    res = exponent_residuals({**wrong, "d": 2})
    assert res["rushbrooke"] == sympy.Rational(-1, 4)
    assert res["widom"] == sympy.Rational(-1, 4)
    assert res["fisher"] == sympy.Rational(-1, 4)
    assert res["josephson"] == 0  # γ does not enter it
    assert check_exponents({**wrong, "d": 2}) == {
        "rushbrooke": False,
        "widom": False,
        "fisher": False,
        "josephson": True,
    }


@settings(max_examples=30, deadline=None)
@given(
    yt=st.fractions(min_value=Fraction(1, 10), max_value=5, max_denominator=50),
    yh=st.fractions(min_value=Fraction(1, 10), max_value=5, max_denominator=50),
    dim=st.integers(min_value=1, max_value=6),
)
def test_any_scaling_dimensions_satisfy_the_relations(yt: Fraction, yh: Fraction, dim: int) -> None:
    subs = {
        Y_T: sympy.Rational(yt.numerator, yt.denominator),
        Y_H: sympy.Rational(yh.numerator, yh.denominator),
        DIMENSION: dim,
    }
    if subs[Y_H] == dim:  # δ undefined (m does not vanish)
        return
    values = {name: form.subs(subs) for name, form in SCALING_FORMS.items()}
    assert set(exponent_residuals({**values, "d": dim}).values()) == {0}


def test_partial_sets_and_errors() -> None:
    only = exponent_residuals({"alpha": 0, "beta": 0.5, "gamma": 1})
    assert set(only) == {"rushbrooke"} and only["rushbrooke"] == 0
    assert report("mean field", MEAN_FIELD).residuals["widom"] == 0
    with pytest.raises(ValueError, match="unknown exponent"):
        exponent_residuals({"zeta": 1})
    with pytest.raises(ValueError, match="alpha"):
        hyperscaling_dimension({"nu": 1})
    with pytest.raises(ValueError, match="tolerance"):
        check_exponents(MEAN_FIELD, tolerance=-1)
