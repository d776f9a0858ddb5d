"""Jacobian (Bridgman) calculus (thermosym.symbolic.jacobian)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from thermosym.operators import ConstrainedDerivative as CD
from thermosym.symbolic.jacobian import (
    ALPHA_P,
    C_P,
    C_V,
    CALLEN_BASE,
    CONCRETE_FREE_ENERGIES,
    KAPPA_S,
    KAPPA_T,
    VARIABLES,
    Base,
    jacobian_residuals,
    partial,
    partial_tv,
    prove_identity,
    realize,
    state_functions,
)

E, S, T, V, P, F, H, G = (VARIABLES[n] for n in "ESTVPFHG")
NAMES = sorted(VARIABLES)
A_VDW, B_VDW = sympy.Symbol("a", positive=True), sympy.Symbol("b", positive=True)


def test_textbook_partials_in_the_default_base() -> None:
    """Callen §7.3 and Landau & Lifshitz §16: (∂S/∂T)_V = C_V/T, (∂E/∂V)_T = T(∂P/∂T)_V − P,
    (∂S/∂V)_T = (∂P/∂T)_V (Maxwell), (∂F/∂T)_V = −S, (∂G/∂P)_T = V."""
    pt = CD(P, T, V)
    assert sympy.simplify(partial("S", "T", "V") - C_V / T) == 0
    assert sympy.simplify(partial("E", "V", "T") - (T * pt - P)) == 0
    assert sympy.simplify(partial("S", "V", "T") - pt) == 0
    assert partial("F", "T", "V") == -S
    assert partial("G", "P", "T") == V
    assert partial("T", "T", "V") == 1
    assert partial("V", "T", "V") == 0


def test_callen_base() -> None:
    """Callen ch. 3 (second derivatives): C_V = C_P − TVα²/κ_T; and (∂S/∂T)_P = C_P/T, (∂V/∂P)_T = −Vκ_T in
    that base."""
    assert partial("S", "T", "P", CALLEN_BASE) == C_P / T
    assert sympy.simplify(partial("V", "P", "T", CALLEN_BASE) + V * KAPPA_T) == 0
    c_v = CALLEN_BASE.express(C_V)
    assert sympy.simplify(c_v - (C_P - T * V * ALPHA_P**2 / KAPPA_T)) == 0


def test_the_documents_identities() -> None:
    pt, pv = CD(P, T, V), CD(P, V, T)
    assert prove_identity(C_P - C_V, -T * pt**2 / pv)
    assert prove_identity(KAPPA_T / KAPPA_S, C_P / C_V)
    assert prove_identity(CD(E, T, V), C_V)
    assert prove_identity(CD(H, T, P), C_P)
    # the same identities with a sign or a factor wrong are refused
    assert not prove_identity(C_P - C_V, T * pt**2 / pv)
    assert not prove_identity(KAPPA_T / KAPPA_S, C_V / C_P)
    assert not prove_identity(CD(E, V, T), T * pt + P)
    assert not prove_identity(CD(E, T, P), C_P)  # (∂E/∂T)_P = C_P − P V α, not C_P


def test_all_residuals_of_the_module_vanish() -> None:
    residuals = jacobian_residuals()
    assert residuals and all(r == 0 for r in residuals.values()), {k: r for k, r in residuals.items() if r != 0}


distinct4 = st.lists(st.sampled_from(NAMES), min_size=4, max_size=4, unique=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=distinct4, kind=st.sampled_from(["reciprocal", "triple", "chain", "held"]))
def test_random_valid_identities_are_proved(names: list[str], kind: str) -> None:
    """Identities that hold for every thermodynamic system (Callen appendix A)."""
    x, y, z, w = (VARIABLES[n] for n in names)
    if kind == "reciprocal":
        lhs, rhs = CD(x, y, z) * CD(y, x, z), sympy.S.One
    elif kind == "triple":
        lhs, rhs = CD(x, y, z) * CD(y, z, x) * CD(z, x, y), -sympy.S.One
    elif kind == "chain":
        lhs, rhs = CD(x, y, z), CD(x, w, z) * CD(w, y, z)
    else:  # change of the held variable
        lhs, rhs = CD(x, y, z), CD(x, y, w) + CD(x, w, y) * CD(w, y, z)
    assert prove_identity(lhs, rhs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=distinct4, kind=st.sampled_from(["reciprocal", "triple", "held", "swap", "sign"]))
def test_random_invalid_identities_are_refused(names: list[str], kind: str) -> None:
    """Perturbed versions of the identities above fail for a generic F(T, V)."""
    x, y, z, w = (VARIABLES[n] for n in names)
    if kind == "reciprocal":
        lhs, rhs = CD(x, y, z) * CD(y, x, z), sympy.Integer(2)
    elif kind == "triple":
        lhs, rhs = CD(x, y, z) * CD(y, z, x) * CD(z, x, y), sympy.S.One
    elif kind == "held":  # forgetting the correction term
        lhs, rhs = CD(x, y, z), CD(x, y, w)
    elif kind == "swap":  # inverting a derivative without the reciprocal
        lhs, rhs = CD(x, y, z), CD(y, x, z)
    else:
        lhs, rhs = CD(x, y, z), -CD(x, y, z)
    assert not prove_identity(lhs, rhs)


PARAMS = {A_VDW: 1.0, B_VDW: 0.1}


@functools.lru_cache(maxsize=8)
def _numeric_state(system: int) -> dict[sympy.Symbol, tuple[Callable[..., float], ...]]:
    """Per state variable: f(T, V), ∂f/∂T, ∂f/∂V as float functions, for one concrete free energy."""
    f_expr = CONCRETE_FREE_ENERGIES[system][1]
    found = {}
    for k, v in state_functions(f_expr).items():
        v = v.subs(PARAMS)
        found[k] = tuple(sympy.lambdify((T, V), e, "math") for e in (v, sympy.diff(v, T), sympy.diff(v, V)))
    return found


@functools.lru_cache(maxsize=512)
def _symbolic_partial(system: int, names: tuple[str, str, str]) -> Callable[..., float]:
    x, y, z = (VARIABLES[n] for n in names)
    expr = partial_tv(x, y, z, CONCRETE_FREE_ENERGIES[system][1]).subs(PARAMS)
    func: Callable[..., float] = sympy.lambdify((T, V), expr, "math")
    return func


def _numeric_partial(system: int, names: tuple[str, str, str], t0: float, v0: float) -> float:
    """(∂x/∂y)_z by central differences along the curve z(T, V) = z(T0, V0).

    The curve is parametrised by the coordinate z depends on least (T, or V); the other one is found by Newton's
    method with the analytic derivative, to |Δz| ≤ 1e-13 relative.
    """
    fn = _numeric_state(system)
    x, y, z = (VARIABLES[n] for n in names)
    z_f, z_t, z_v = fn[z]
    z0 = z_f(t0, v0)
    move_t = abs(z_v(t0, v0)) >= abs(z_t(t0, v0))  # step T, solve for V (or the reverse)
    h = 1e-5

    def point(s: float) -> tuple[float, float]:
        t, v = (t0 * (1 + s), v0) if move_t else (t0, v0 * (1 + s))
        for _ in range(60):
            r = z_f(t, v) - z0
            if abs(r) <= 1e-13 * max(1.0, abs(z0)):
                break
            if move_t:
                v -= r / z_v(t, v)
            else:
                t -= r / z_t(t, v)
        return t, v

    plus, minus = point(h), point(-h)
    return (fn[x][0](*plus) - fn[x][0](*minus)) / (fn[y][0](*plus) - fn[y][0](*minus))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.sampled_from(NAMES), min_size=3, max_size=3, unique=True),
    system=st.sampled_from([0, 1]),
    t0=st.floats(min_value=1.5, max_value=4.0),
    v0=st.floats(min_value=1.0, max_value=3.0),
)
def test_random_partials_match_finite_differences(names: list[str], system: int, t0: float, v0: float) -> None:
    """The Jacobian result for (∂x/∂y)_z on the ideal gas and the van der Waals gas (a = 1, b = 0.1, a region with
    (∂P/∂V)_T < 0) against central differences along the constraint curve.

    Tolerance 1e-5 relative (plus 1e-8 absolute): the difference quotient has truncation error O(h²) ≈ 1e-10 with
    h = 1e-5, round-off ~1e-16/h ≈ 1e-11 per evaluation, and the constraint is solved to 1e-13; the margin
    covers derivatives up to ~1e3 in magnitude. Degenerate constraints are excluded: for the ideal gas E and H
    depend on T alone, so for example (∂x/∂E)_T does not exist.
    """
    key = (names[0], names[1], names[2])
    fn = _numeric_state(system)
    y, z = VARIABLES[names[1]], VARIABLES[names[2]]
    jac_yz = fn[y][1](t0, v0) * fn[z][2](t0, v0) - fn[y][2](t0, v0) * fn[z][1](t0, v0)
    assume(abs(jac_yz) > 1e-6)
    symbolic = _symbolic_partial(system, key)(t0, v0)
    numeric = _numeric_partial(system, key, t0, v0)
    assert math.isfinite(symbolic)
    assert numeric == pytest.approx(symbolic, rel=1e-5, abs=1e-8)


def test_identities_hold_numerically_on_van_der_waals() -> None:
    """C_P − C_V = −T(∂P/∂T)_V²/(∂P/∂V)_T with every partial taken by finite differences (no Jacobians), van der
    Waals at (T, V) = (2.5, 1.7), a = 1, b = 0.1. Same tolerance reasoning as above (1e-5 relative)."""
    t0, v0 = 2.5, 1.7
    c_v = t0 * _numeric_partial(1, ("S", "T", "V"), t0, v0)
    c_p = t0 * _numeric_partial(1, ("S", "T", "P"), t0, v0)
    p_t = _numeric_partial(1, ("P", "T", "V"), t0, v0)
    p_v = _numeric_partial(1, ("P", "V", "T"), t0, v0)
    assert c_p - c_v == pytest.approx(-t0 * p_t**2 / p_v, rel=1e-5)
    # κ_T/κ_S = C_P/C_V
    k_t = _numeric_partial(1, ("V", "P", "T"), t0, v0)
    k_s = _numeric_partial(1, ("V", "P", "S"), t0, v0)
    assert k_t / k_s == pytest.approx(c_p / c_v, rel=1e-5)
    # and the ideal-gas values: C_V = 3/2, C_P = 5/2 (monatomic; Callen §3.4)
    assert 2.0 * _numeric_partial(0, ("S", "T", "V"), 2.0, 1.0) == pytest.approx(1.5, rel=1e-6)
    assert 2.0 * _numeric_partial(0, ("S", "T", "P"), 2.0, 1.0) == pytest.approx(2.5, rel=1e-6)


def test_realize_with_catalogue_symbols() -> None:
    tl = {name: sympy.Symbol(f"TL.{name}", real=True) for name in VARIABLES}
    names = {tl[n]: VARIABLES[n] for n in VARIABLES}
    lhs = CD(tl["S"], tl["V"], tl["T"])
    rhs = CD(tl["P"], tl["T"], tl["V"])
    assert prove_identity(lhs, rhs, names=names)
    assert not prove_identity(lhs, -rhs, names=names)
    assert realize(CD(S, V, T)) == realize(CD(P, T, V))


def test_errors() -> None:
    with pytest.raises(ValueError, match="undefined"):
        partial_tv(S, T, T)
    with pytest.raises(ValueError, match="state variables"):
        partial(sympy.Symbol("X"), "T", "V")
    with pytest.raises(ValueError, match="exactly one"):
        realize(CD(S, T, V, P))
    with pytest.raises(ValueError, match="three"):
        Base("two", ((C_V, T * CD(S, T, V)), (C_P, T * CD(S, T, P))))
    redundant = Base("redundant", ((C_V, T * CD(S, T, V)), (C_V, T * CD(S, T, V)), (C_P, T * CD(S, T, P))))
    with pytest.raises(ValueError, match="uniquely"):
        partial("S", "T", "V", redundant)
