"""A current whose continuity equation contradicts the evolution law; cross-checked on explicit coordinates
against thermosym.symbolic.transport."""

from __future__ import annotations

import itertools

import pytest
import sympy
from consistency_helpers import build, check, claim

from thermosym.consistency.contradictions import conserved_current, continuity_residual, currents, evolutions
from thermosym.finding import Severity
from thermosym.operators import Divergence, Grad

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
t = { symbol = "t", name = "Time", kind = "time", level = "control" }
p = { symbol = "p", name = "Density", kind = "probability", level = "field", arguments = ["theta", "t"], given = true }
c = { symbol = "c", name = "Conc.", kind = "density", level = "field", arguments = ["theta", "t"], given = true }
D = { symbol = "D", name = "Diffusion", kind = "diffusion", level = "control", positive = true }
K = { symbol = "K", name = "Other Diffusion", kind = "diffusion", level = "control", positive = true }
v = { symbol = "v", name = "Drift Velocity", kind = "velocity", level = "field", given = true }
u = { symbol = "u", name = "Flow Velocity", kind = "velocity", level = "field", given = true }
j = { symbol = "j", name = "Current", kind = "current", level = "field" }
"""
FP = claim("XX-01", "Eq(Derivative(p(theta, t), t), D*Laplacian(p(theta, t)) - Divergence(v*p(theta, t)))")


def current(a: int, b: int, coefficient: str = "D") -> str:
    sign = {1: "+", -1: "-"}
    return claim("XX-02", f"Eq(j, {sign[a]}{coefficient}*Grad(c(theta, t)) {sign[b]} c(theta, t)*u)", "definition")


def test_tl13_sign_gives_residual_twice_the_drift() -> None:
    (f,) = check(Q + FP + current(-1, -1), only="transport")
    assert f.code == "continuity-contradicts-evolution" and f.severity is Severity.ERROR
    cat = build(Q)
    c = cat.quantity("XX.c").func(*(cat.quantity(k).sym for k in ("XX.theta", "XX.t")))
    assert f.expression is not None
    assert sympy.expand(f.expression - 2 * Divergence(c * cat.quantity("XX.u").sym)) == 0
    assert "opposite signs" in f.message and f.claims == ("XX-02",) and f.related == ("XX-01",)


@pytest.mark.parametrize(("a", "b"), list(itertools.product((1, -1), repeat=2)))
def test_only_the_fokker_planck_current_is_silent(a: int, b: int) -> None:
    found = check(Q + FP + current(a, b), only="transport")
    assert (not found) == ((a, b) == (-1, 1))


def test_currents_with_another_diffusion_coefficient_are_not_paired() -> None:
    assert not check(Q + FP + current(-1, -1, coefficient="K"), only="transport")


def test_conserved_current_of_the_fokker_planck_law() -> None:
    cat = build(Q + FP)
    (law,) = evolutions(cat)
    j = conserved_current(law.rate, cat)
    p = law.density
    D, v = cat.quantity("XX.D").sym, cat.quantity("XX.v").sym
    assert sympy.expand(j - (-D * Grad(p) + v * p)) == 0
    assert conserved_current(law.rate + p, cat) is None  # a source term is not a divergence


def test_residual_agrees_with_explicit_coordinates() -> None:
    """The operator-level residual of TL-13's current matches thermosym.symbolic.transport's realisation in 1-D
    and 2-D (both give +2∇·(cv); exact, so compared with ==)."""
    transport = pytest.importorskip("thermosym.symbolic.transport")
    cat = build(Q + FP + current(-1, -1))
    (cur,) = currents(cat)
    (law,) = evolutions(cat)
    _, _, residual = continuity_residual(cur, law, cat)
    u, c, D = cat.quantity("XX.u").sym, cat.quantity("XX.c").func, cat.quantity("XX.D").sym
    for n in (1, 2):
        explicit = transport.current_residual(cur.definition.rhs, c, u, D, n)
        x, _, rho, drift = transport.generic_fields(n)
        expected = sympy.expand(2 * sum(sympy.diff(rho * drift[i], x[i]) for i in range(n)))
        assert sympy.expand(explicit - expected) == 0
        assert residual.could_extract_minus_sign() is False  # +2∇·(cv), the same sign
