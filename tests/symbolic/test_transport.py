"""Continuity, Fokker–Planck current, stationary state and Einstein relation (thermosym.symbolic.transport)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy

from thermosym.operators import Divergence, Grad
from thermosym.symbolic.transport import (
    CHECKED_DIMENSIONS,
    box_balance_residual,
    coordinates,
    current_residual,
    divergence,
    fokker_planck_consistent,
    fokker_planck_current,
    fokker_planck_rhs,
    generic_fields,
    gradient,
    laplacian,
    transport_residuals,
)

c, D, v = sympy.Symbol("c"), sympy.Symbol("D", positive=True), sympy.Symbol("v")


def test_all_module_residuals_vanish() -> None:
    residuals = transport_residuals()
    assert len(residuals) == 4 * len(CHECKED_DIMENSIONS)
    assert all(r == 0 for r in residuals.values()), residuals


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tl13_current_has_the_opposite_drift(n: int) -> None:
    """j = −D∇c − cv (TL-13) in continuity gives ∂c/∂t = D∇²c + ∇·(cv): minus TL-12's right side that is
    2∇·(cv), not 0."""
    x, _, rho, drift = generic_fields(n)
    residual = current_residual(-D * Grad(c) - c * v, c, v, D, n)
    assert residual != 0
    assert sympy.expand(residual - 2 * divergence([vi * rho for vi in drift], x)) == 0


@pytest.mark.parametrize("n", [1, 2, 3])
def test_fokker_planck_current_is_consistent(n: int) -> None:
    assert current_residual(-D * Grad(c) + c * v, c, v, D, n) == 0
    # the density may be a function application c(θ, t), as in the catalogue
    theta, t = sympy.symbols("theta t", real=True)
    cf = sympy.Function("c")(theta, t)
    assert current_residual(-D * Grad(cf) + cf * v, cf, v, D, n) == 0


def test_fokker_planck_consistent_helper() -> None:
    assert fokker_planck_consistent(-D * Grad(c) + c * v, c, v, D)
    assert not fokker_planck_consistent(-D * Grad(c) - c * v, c, v, D)
    assert not fokker_planck_consistent(D * Grad(c) + c * v, c, v, D)


def test_unsupported_operators_are_reported() -> None:
    with pytest.raises(ValueError, match="realised"):
        current_residual(Divergence(c * v) * v, c, v, D, 1)


def test_continuity_balance_and_a_wrong_balance() -> None:
    for n in CHECKED_DIMENSIONS:
        assert box_balance_residual(n) == 0
        assert box_balance_residual(n, flux_sign=-1) != 0


def test_vector_calculus_helpers() -> None:
    x = coordinates(3)
    f = x[0] ** 2 * x[1] + sympy.sin(x[2])
    assert gradient(f, x) == (2 * x[0] * x[1], x[0] ** 2, sympy.cos(x[2]))
    assert laplacian(f, x) == 2 * x[1] - sympy.sin(x[2])
    with pytest.raises(ValueError, match="components"):
        divergence([f], x)
    with pytest.raises(ValueError, match="positive"):
        coordinates(0)


@pytest.mark.parametrize("n", [1, 2])
def test_gibbs_measure_is_stationary_only_at_t_equal_d(n: int) -> None:
    """For a concrete quartic loss, exp(−L/T) is stationary under v = −∇L when T = D and not when T = 2D."""
    x = coordinates(n)
    loss = sum(xi**4 / 4 - xi**2 / 2 for xi in x) + (x[0] * x[1] if n > 1 else 0)
    drift = tuple(-g for g in gradient(loss, x))
    temp = sympy.Symbol("T", positive=True)
    rhs = fokker_planck_rhs(sympy.exp(-loss / temp), drift, D, x)
    assert sympy.simplify(rhs.subs(temp, D)) == 0
    assert sympy.simplify(rhs.subs(temp, 2 * D)) != 0
    current = fokker_planck_current(sympy.exp(-loss / D), drift, D, x)
    assert all(sympy.simplify(ci) == 0 for ci in current)


def test_langevin_simulation_reaches_the_derived_stationary_state() -> None:
    """Brute force for DER-FP-STATIONARY and DER-EINSTEIN: Euler–Maruyama for dx = −kx dt + √(2D) dW, whose
    continuous-time Fokker–Planck equation is TL-12 with v = −∂_x L, L = kx²/2. The discrete chain's stationary
    variance is D/(k(1 − k dt/2)) exactly (REFERENCES §6, SGLD with η = dt, h = k, T = D), → D/k = the variance of
    exp(−L/D) as dt → 0. 20 000 independent chains after 3 000 steps (≈ 45 relaxation times): the sample variance
    has relative standard error √(2/N) ≈ 1 %, tolerance 4 of those.

    The drift of the opposite sign (what TL-13's current would give for p) has no stationary state: the variance
    grows like e^{2kt}.
    """
    rng = np.random.default_rng(11)
    k, diff, dt, steps, chains = 1.5, 0.7, 0.01, 3000, 20_000
    x = np.zeros(chains)
    for _ in range(steps):
        x = x - k * x * dt + math.sqrt(2 * diff * dt) * rng.standard_normal(chains)
    exact = diff / (k * (1 - k * dt / 2))
    assert x.var() == pytest.approx(exact, rel=4 * math.sqrt(2 / chains))
    assert abs(exact - diff / k) / (diff / k) < 0.01  # the dt bias is under 1 %: D/k is the continuum value

    y = np.zeros(chains)
    for _ in range(300):
        y = y + k * y * dt + math.sqrt(2 * diff * dt) * rng.standard_normal(chains)
    assert y.var() > 50 * exact
