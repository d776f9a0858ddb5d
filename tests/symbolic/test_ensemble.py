"""Canonical ensemble from a partition function (thermosym.symbolic.ensemble)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from scipy import integrate, optimize

from thermosym.symbolic.ensemble import (
    BETA,
    TEMPERATURE,
    CanonicalEnsemble,
    closed_form_residuals,
    concrete_residuals,
    direct_levels,
    discrete_levels,
    generic_ensemble,
    generic_residuals,
    power_loss,
    quadratic_loss,
    quadratic_loss_gaussian_prior,
)

T, B = TEMPERATURE, BETA
d, deth, a, k, gap, h, s2 = (sympy.Symbol(n, positive=True) for n in ("d", "detH", "a", "k", "gap", "h", "s2"))


def _num(expr: sympy.Expr, **values: float) -> float:
    return float(expr.subs({sympy.Symbol(n, positive=True): v for n, v in values.items()}))


def test_generic_identities() -> None:
    residuals = generic_residuals()
    assert set(residuals) == {"E-avg", "E-T", "S-gibbs", "F", "S", "C-fluct", "S-TI"}
    assert all(r == 0 for r in residuals.values()), residuals


def test_closed_forms_and_concrete_systems() -> None:
    residuals = {**closed_form_residuals(), **concrete_residuals(levels=2)}
    assert any("three levels" in key for key in residuals)
    assert all(r == 0 for r in residuals.values()), {k_: r for k_, r in residuals.items() if r != 0}


def test_a_wrong_fluctuation_formula_is_refused() -> None:
    """C = β Var L (one power of β short) does not hold for a generic Z."""
    from thermosym.symbolic.derivation import reduce_residual

    ens = generic_ensemble()
    heat = -(B**2) * sympy.diff(ens.energy, B)  # C = ∂E/∂T
    assert reduce_residual(heat - B**2 * ens.energy_variance) == 0
    assert reduce_residual(heat - B * ens.energy_variance) != 0


def test_generic_moments() -> None:
    ens = generic_ensemble()
    z = sympy.Function("Z")(B)
    assert sympy.simplify(ens.moment(1) - ens.energy) == 0
    assert sympy.simplify(ens.moment(2) - ens.moment(1) ** 2 - ens.energy_variance) == 0
    assert sympy.simplify(ens.moment(3) + sympy.diff(z, B, 3) / z) == 0


def test_quadratic_loss_matches_references_section_1() -> None:
    """REFERENCES §1: F = −T ln Z, ⟨E⟩ = dT/2, S = d/2 + (d/2) ln(2πT) − ½ ln det H, C = d/2, Var E = dT²/2."""
    thermo = quadratic_loss(d, deth).thermodynamics()
    assert sympy.simplify(thermo.energy - d * T / 2) == 0
    assert sympy.simplify(thermo.heat_capacity - d / 2) == 0
    assert sympy.simplify(thermo.energy_variance - d * T**2 / 2) == 0
    expected_s = d / 2 + d / 2 * sympy.log(2 * sympy.pi * T) - sympy.log(deth) / 2
    assert sympy.simplify(sympy.expand_log(thermo.entropy - expected_s, force=True)) == 0


def test_gaussian_integral_gives_the_quadratic_partition_function() -> None:
    """Z = ∫ exp(−θᵀHθ/(2T)) dθ: SymPy's integral in 1-D, and scipy's 2-D quadrature for a non-diagonal H
    (relative tolerance 1e-7, well above dblquad's default accuracy ~1.5e-8 on this smooth integrand)."""
    x = sympy.Symbol("x", real=True)
    one_d = sympy.integrate(sympy.exp(-h * x**2 / (2 * T)), (x, -sympy.oo, sympy.oo))
    z_formula = sympy.exp(quadratic_loss(sympy.S.One, h).thermodynamics().log_partition)
    assert sympy.simplify(one_d - z_formula) == 0

    hess = np.array([[2.0, 0.6], [0.6, 1.0]])
    temp = 0.8
    value, _ = integrate.dblquad(
        lambda y_, x_: math.exp(-(np.array([x_, y_]) @ hess @ np.array([x_, y_])) / (2 * temp)),
        -12,
        12,
        -12,
        12,
    )
    closed = math.exp(_num(quadratic_loss(2, sympy.Symbol("detH", positive=True)).thermodynamics().log_partition,
                            detH=float(np.linalg.det(hess)), T=temp))  # fmt: skip
    assert value == pytest.approx(closed, rel=1e-7)


@pytest.mark.parametrize(("dim", "power"), [(1, 4.0), (1, 1.5), (2, 3.0), (3, 2.0)])
def test_power_loss_partition_function_by_quadrature(dim: int, power: float) -> None:
    """Z for L = a|θ|^k against numerical quadrature of the radial integral times the sphere area, and C = d/k
    against a central difference of E(T) = T² ∂ ln Z/∂T computed from numerical Z (tolerances: quad is accurate
    to ~1e-10 relative here; the second difference of ln Z with step 1e-3 has error ~1e-6)."""
    a_val, temp = 0.7, 1.3
    area = 2 * math.pi ** (dim / 2) / math.gamma(dim / 2)

    def z_numeric(t: float) -> float:
        radial, _ = integrate.quad(lambda r: r ** (dim - 1) * math.exp(-a_val * r**power / t), 0, math.inf)
        return area * radial

    ens = power_loss(a, k, d)
    closed = math.exp(_num(ens.thermodynamics().log_partition, a=a_val, k=power, d=dim, T=temp))
    assert z_numeric(temp) == pytest.approx(closed, rel=1e-8)

    def energy(t: float, step: float = 1e-3) -> float:
        return t**2 * (math.log(z_numeric(t + step)) - math.log(z_numeric(t - step))) / (2 * step)

    c_numeric = (energy(temp + 1e-2) - energy(temp - 1e-2)) / 2e-2
    assert c_numeric == pytest.approx(dim / power, rel=1e-4)
    assert _num(ens.heat_capacity, d=dim, k=power) == pytest.approx(dim / power)


def test_discrete_levels_against_brute_force() -> None:
    """Random levels with degeneracies: E, Var E and C = β² Var E from the closed form against direct sums in
    numpy and a central difference of E(T) (relative tolerance 1e-6 for the difference, 1e-12 for the sums)."""
    rng = np.random.default_rng(7)
    energies = rng.uniform(0, 3, size=6)
    degeneracies = rng.integers(1, 4, size=6)
    syms = sympy.symbols("e0:6", real=True)
    ens = discrete_levels(list(syms), [int(g) for g in degeneracies])
    subs = dict(zip(syms, energies.tolist(), strict=True))
    for temp in (0.3, 1.0, 4.0):
        w = degeneracies * np.exp(-energies / temp)
        p = w / w.sum()
        mean, var = float(p @ energies), float(p @ energies**2 - (p @ energies) ** 2)
        thermo = ens.thermodynamics()
        names = ("energy", "energy_variance", "heat_capacity", "entropy")
        f = {name: sympy.lambdify(T, getattr(thermo, name).subs(subs)) for name in names}
        assert f["energy"](temp) == pytest.approx(mean, rel=1e-12)
        assert f["energy_variance"](temp) == pytest.approx(var, rel=1e-10)
        assert f["heat_capacity"](temp) == pytest.approx(var / temp**2, rel=1e-10)
        gibbs = -float(np.sum(degeneracies * (p / degeneracies) * np.log(p / degeneracies)))
        assert f["entropy"](temp) == pytest.approx(gibbs, rel=1e-12)
        step = 1e-5 * temp
        slope = (f["energy"](temp + step) - f["energy"](temp - step)) / (2 * step)
        assert slope == pytest.approx(var / temp**2, rel=1e-6)


def test_schottky_peak() -> None:
    """Two-level system (Schottky anomaly): with x = Δ/T, C = x² eˣ/(1 + eˣ)² peaks where x·tanh(x/2) = 2, i.e.
    x = 2.3994, T = 0.41678 Δ, C_max = 0.43922 (the values usually quoted to 3–4 digits). The closed form is
    maximised numerically and compared with the root of x·tanh(x/2) = 2 found by brentq (tolerance 1e-6 on T:
    the bounded optimiser is run to xatol = 1e-10)."""
    c = sympy.lambdify(T, discrete_levels([0, gap]).thermodynamics().heat_capacity.subs(gap, 1.0))
    result = optimize.minimize_scalar(lambda t: -c(t), bounds=(0.1, 2.0), method="bounded", options={"xatol": 1e-10})
    x_peak = optimize.brentq(lambda x: x * math.tanh(x / 2) - 2, 1.0, 4.0, xtol=1e-14)
    assert result.x == pytest.approx(1 / x_peak, abs=1e-6)
    assert result.x == pytest.approx(0.41678, abs=1e-5)
    assert -result.fun == pytest.approx(0.43922, abs=1e-5)


def test_thermodynamic_integration_numerically() -> None:
    """S(T2) − S(T1) = ∫ C/T dT for the two-level system by scipy.quad (tolerance 1e-9: quad reaches ~1e-13)."""
    thermo = discrete_levels([0, gap]).thermodynamics()
    s = sympy.lambdify(T, thermo.entropy.subs(gap, 1.0))
    c = sympy.lambdify(T, thermo.heat_capacity.subs(gap, 1.0))
    integral, _ = integrate.quad(lambda t: c(t) / t, 0.2, 3.0, epsabs=1e-13, epsrel=1e-13)
    assert s(3.0) - s(0.2) == pytest.approx(integral, rel=1e-9)


def test_gaussian_prior_against_quadrature_and_limits() -> None:
    """Z(β) = ∫ N(θ; 0, s²) e^{−βhθ²/2} dθ by quadrature (rel 1e-9); C → d/2 as T → 0 (the learning coefficient of
    a regular model, REFERENCES §7) and C → 0 as T → ∞."""
    h_val, s2_val, temp = 1.7, 0.5, 0.6
    value, _ = integrate.quad(
        lambda x: math.exp(-(x**2) / (2 * s2_val) - h_val * x**2 / (2 * temp)) / math.sqrt(2 * math.pi * s2_val),
        -math.inf,
        math.inf,
    )
    ens = quadratic_loss_gaussian_prior(h, s2, d)
    thermo = ens.thermodynamics()
    assert math.exp(_num(thermo.log_partition, h=h_val, s2=s2_val, d=1, T=temp)) == pytest.approx(value, rel=1e-9)
    assert sympy.limit(thermo.heat_capacity, T, 0) == d / 2
    assert sympy.limit(thermo.heat_capacity, T, sympy.oo) == 0
    several = quadratic_loss_gaussian_prior([h, 2 * h], s2).thermodynamics()
    one = quadratic_loss_gaussian_prior(h, s2).thermodynamics()
    two = quadratic_loss_gaussian_prior(2 * h, s2).thermodynamics()
    assert sympy.simplify(several.heat_capacity - one.heat_capacity - two.heat_capacity) == 0


def test_heat_capacity_by_monte_carlo_on_the_quadratic_loss() -> None:
    """Brute force for HC-11's estimator in the canonical reading: sample θ ~ exp(−θᵀHθ/(2T)) exactly (d = 5),
    estimate β² Var L from 200 000 samples; it must agree with C = d/2 within 4 standard errors (the standard
    error of the sample variance of L, a sum of d scaled χ²₁ variables, is estimated from the samples)."""
    rng = np.random.default_rng(2024)
    dim, temp = 5, 0.7
    eig = np.array([0.5, 1.0, 2.0, 3.0, 7.0])
    theta = rng.standard_normal((200_000, dim)) * np.sqrt(temp / eig)
    loss = 0.5 * np.sum(eig * theta**2, axis=1)
    c_hat = loss.var() / temp**2
    centred = (loss - loss.mean()) ** 2
    stderr = centred.std() / math.sqrt(len(loss)) / temp**2
    c_exact = _num(quadratic_loss(d, deth).heat_capacity, d=dim)
    assert abs(c_hat - c_exact) < 4 * stderr


def test_validation() -> None:
    with pytest.raises(ValueError, match="beta"):
        CanonicalEnsemble(sympy.log(T))
    with pytest.raises(ValueError, match="energies"):
        discrete_levels([])
    with pytest.raises(ValueError, match="degeneracies"):
        discrete_levels([0, 1], [1])
    with pytest.raises(ValueError, match="non-negative"):
        generic_ensemble().moment(-1)
    assert direct_levels([0, 1], [1, 1])["Z"] == 1 + sympy.exp(-1 / T)
