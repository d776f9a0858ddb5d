"""Tests for thermosym.systems.linear_regression.

* per data set: the Gibbs posterior's closed forms against quadrature (N = 2) and exact posterior samples;
* finite N, λ = 0: the data-averaged errors against an average over 20 000 random data sets (4 standard errors);
* N → ∞: g(λ) against the Marchenko-Pastur density integrated numerically (an independent route to the
  Stieltjes transform), the fixed point and g′; the error formulas against large-N spectra and full
  simulations (stated finite-N tolerance);
* the mutual information against a Monte Carlo estimate of E[ln p(y|w) − ln p(y)], and its N → ∞ limit;
* the Fisher information against the posterior covariance (HC-21).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from thermosym.systems.linear_regression import (
    BayesianLinearRegression,
    TeacherStudentData,
    asymptotic_errors,
    asymptotic_errors_ridgeless,
    asymptotic_mutual_information_per_parameter,
    average_errors_ridgeless,
    fisher_information,
    mutual_information,
    resolvent_trace,
    resolvent_trace_derivative,
)

NOISE, TEMP = 0.5, 0.2


# ---------------------------------------------------------------------------------------------------------
# one data set
# ---------------------------------------------------------------------------------------------------------


def test_two_parameter_posterior_against_quadrature() -> None:
    data = TeacherStudentData.generate(2, 5, NOISE, np.random.default_rng(1))
    model = BayesianLinearRegression(data, ridge=0.3)
    m = model.posterior_mean()
    x = np.linspace(-12, 12, 1201) + m[0]
    y = np.linspace(-12, 12, 1201) + m[1]
    xx, yy = np.meshgrid(x, y, indexing="ij")
    w = np.stack([xx, yy], -1)
    temperature = 0.7
    energy = model.energy(w)
    weight = np.exp(-(energy - model.minimum_energy) / temperature)
    cell = (x[1] - x[0]) * (y[1] - y[0])
    z = float(np.sum(weight)) * cell  # trapezoid on a box ≫ the posterior width: spectrally accurate
    log_z = math.log(z) - model.minimum_energy / temperature
    assert math.isclose(float(model.log_partition(temperature)), log_z, rel_tol=1e-9)
    p = weight * cell / z
    mean_e = float(np.sum(p * energy))
    assert math.isclose(float(model.mean_energy(temperature)), mean_e, rel_tol=1e-9)
    assert math.isclose(
        float(model.energy_variance(temperature)), float(np.sum(p * (energy - mean_e) ** 2)), rel_tol=1e-8
    )
    eg = float(np.sum(p * np.sum((w - data.teacher) ** 2, -1))) / 2
    assert math.isclose(float(model.generalisation_error(temperature)), eg, rel_tol=1e-9)
    residual = data.labels - w @ data.inputs.T
    et = float(np.sum(p * np.sum(residual**2, -1))) / 5
    assert math.isclose(float(model.training_error(temperature)), et, rel_tol=1e-9)
    assert float(model.heat_capacity(temperature)) == 1.0


def test_posterior_mean_and_samples() -> None:
    rng = np.random.default_rng(2)
    data = TeacherStudentData.generate(6, 15, NOISE, rng)
    ridge = 0.4
    model = BayesianLinearRegression(data, ridge)
    x, y = data.inputs, data.labels
    np.testing.assert_allclose(
        model.posterior_mean(), np.linalg.solve(x.T @ x + ridge * np.eye(6), x.T @ y), rtol=1e-12
    )
    samples = model.sample(TEMP, 200_000, rng)
    assert samples.shape == (200_000, 6)
    np.testing.assert_allclose(
        np.cov(samples.T),
        model.posterior_covariance(TEMP),
        atol=4 * float(np.max(model.posterior_covariance(TEMP))) / 447,
    )
    for values, exact in [
        (np.sum((samples - data.teacher) ** 2, -1) / 6, model.generalisation_error(TEMP)),
        (np.sum((y - samples @ x.T) ** 2, -1) / 15, model.training_error(TEMP)),
        (model.energy(samples), model.mean_energy(TEMP)),
    ]:
        assert abs(values.mean() - float(exact)) <= 4 * values.std() / math.sqrt(values.size)
    # C = N/2 = β² Var E for every data set; ⟨E⟩ = E_min + NT/2
    t = np.array([0.1, 1.0, 10.0])
    np.testing.assert_allclose(model.energy_variance(t) / t**2, 3.0)
    np.testing.assert_allclose(model.heat_capacity(t), 3.0)


def test_validation() -> None:
    data = TeacherStudentData.generate(5, 3, NOISE, np.random.default_rng(3))
    with pytest.raises(ValueError, match="improper"):
        BayesianLinearRegression(data, 0.0)  # P < N with no ridge
    with pytest.raises(ValueError, match="ridge"):
        BayesianLinearRegression(data, -1.0)
    with pytest.raises(ValueError, match="n_samples must exceed"):
        average_errors_ridgeless(10, 11, NOISE, TEMP)
    with pytest.raises(ValueError, match="alpha = 1"):
        asymptotic_errors_ridgeless(1.0, NOISE)
    with pytest.raises(ValueError, match="temperature must be 0"):
        asymptotic_errors_ridgeless(0.5, NOISE, 0.1)
    with pytest.raises(ValueError, match="inputs must be"):
        TeacherStudentData(np.ones((3, 2)), np.ones(3), np.ones(3), 1.0)
    with pytest.raises(ValueError, match="n_features"):
        TeacherStudentData.generate(0, 3, NOISE, np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------------------
# finite N, data-averaged
# ---------------------------------------------------------------------------------------------------------


def test_finite_n_ridgeless_average_over_data_sets() -> None:
    # N = 10, P = 25 (P − N − 3 > 0: ε_g has finite variance). Per data set, exact posterior averages by
    # explicit linear algebra (vectorised over 20 000 data sets), then averaged.
    n, p, count = 10, 25, 20_000
    rng = np.random.default_rng(4)
    x = rng.standard_normal((count, p, n)) / math.sqrt(n)
    w_star = rng.standard_normal((count, n))
    y = np.einsum("spn,sn->sp", x, w_star) + math.sqrt(NOISE) * rng.standard_normal((count, p))
    gram_inv = np.linalg.inv(np.einsum("spn,spm->snm", x, x))
    m = np.einsum("snm,spm,sp->sn", gram_inv, x, y)
    eps_g = (np.sum((m - w_star) ** 2, -1) + TEMP * np.trace(gram_inv, axis1=1, axis2=2)) / n
    residual = y - np.einsum("spn,sn->sp", x, m)
    eps_t = (np.sum(residual**2, -1) + TEMP * n) / p  # tr(X A⁻¹ Xᵀ) = N at λ = 0
    exact = average_errors_ridgeless(n, p, NOISE, TEMP)
    assert math.isclose(exact.generalisation, (NOISE + TEMP) * 10 / 14)
    for values, target in [(eps_g, exact.generalisation), (eps_t, exact.training)]:
        assert abs(values.mean() - target) <= 4 * values.std() / math.sqrt(count), (values.mean(), target)
    # the class gives the same per-data-set numbers
    for s in range(3):
        model = BayesianLinearRegression(TeacherStudentData(x[s], w_star[s], y[s], NOISE), 0.0)
        assert math.isclose(float(model.generalisation_error(TEMP)), eps_g[s], rel_tol=1e-10)
        assert math.isclose(float(model.training_error(TEMP)), eps_t[s], rel_tol=1e-10)


# ---------------------------------------------------------------------------------------------------------
# N → ∞
# ---------------------------------------------------------------------------------------------------------


def _mp_stieltjes(alpha: float, ridge: float) -> float:
    """∫ dμ(x)/(x + λ) for the eigenvalues of XᵀX: x = αs, s Marchenko-Pastur with ratio y = 1/α.

    MP density √((b − s)(s − a))/(2π y s) on [a, b] = [(1 − √y)², (1 + √y)²], plus an atom 1 − α at 0 if α < 1.
    """
    ratio = 1.0 / alpha
    a, b = (1 - math.sqrt(ratio)) ** 2, (1 + math.sqrt(ratio)) ** 2
    if a > 0:  # weight √((s − a)(b − s)), remaining factor 1/(2π y s (αs + λ))
        bulk, _ = integrate.quad(
            lambda s: 1.0 / (2 * math.pi * ratio * s * (alpha * s + ridge)),
            a,
            b,
            weight="alg",
            wvar=(0.5, 0.5),
            epsabs=0,
            epsrel=1e-13,
        )
    else:  # α = 1: the density is √(b − s)/(2π √s); weight s^{−1/2}(b − s)^{1/2}
        bulk, _ = integrate.quad(
            lambda s: 1.0 / (2 * math.pi * (alpha * s + ridge)), a, b, weight="alg", wvar=(-0.5, 0.5), epsrel=1e-13
        )
    return bulk + max(0.0, 1.0 - alpha) / ridge


@pytest.mark.parametrize("alpha", [0.2, 0.5, 1.0, 1.5, 4.0])
@pytest.mark.parametrize("ridge", [1e-3, 0.1, 1.0, 10.0])
def test_resolvent_against_marchenko_pastur(alpha: float, ridge: float) -> None:
    g = resolvent_trace(alpha, ridge)
    assert math.isclose(g, _mp_stieltjes(alpha, ridge), rel_tol=1e-9)
    assert math.isclose(g, 1.0 / (ridge + alpha / (1.0 + g)), rel_tol=1e-13)  # the fixed point
    step = 1e-5 * ridge
    fd = (resolvent_trace(alpha, ridge + step) - resolvent_trace(alpha, ridge - step)) / (2 * step)
    assert math.isclose(resolvent_trace_derivative(alpha, ridge), fd, rel_tol=1e-7)


@pytest.mark.parametrize(("alpha", "ridge"), [(0.5, 0.1), (2.0, 0.1), (2.0, 1.0), (1.0, 0.5), (0.3, 1e-3)])
def test_asymptotic_errors_against_large_n_spectra(alpha: float, ridge: float) -> None:
    # For one X, averaging over w* and ξ exactly gives ε_g = [λ² tr A⁻² + σ² tr(A⁻¹ − λA⁻²) + T tr A⁻¹]/N and
    # ε_t = λ²[tr B⁻¹ − λ tr B⁻² + σ² tr B⁻²]/P + T tr(A⁻¹XᵀX)/P with B = XXᵀ + λI_P. Spectral traces at
    # N = 500 fluctuate and are biased by O(1/N): measured deviations ≤ 1.1e−3 relative; tolerance 1e−2 (5/N).
    n = 500
    p = int(alpha * n)
    x = np.random.default_rng(5).standard_normal((p, n)) / math.sqrt(n)
    e = np.linalg.eigvalsh(x.T @ x)
    inv1, inv2 = 1 / (e + ridge), 1 / (e + ridge) ** 2
    eps_g = (ridge**2 * inv2.sum() + NOISE * (inv1.sum() - ridge * inv2.sum()) + TEMP * inv1.sum()) / n
    e_p = np.concatenate([e, np.zeros(p - n)]) if p > n else np.sort(e)[n - p :]  # nonzero spectrum + zeros
    b1, b2 = np.sum(1 / (e_p + ridge)), np.sum(1 / (e_p + ridge) ** 2)
    eps_t = (ridge**2 * (b1 - ridge * b2 + NOISE * b2) + TEMP * np.sum(e * inv1)) / p
    exact = asymptotic_errors(alpha, ridge, NOISE, TEMP)
    assert math.isclose(eps_g, exact.generalisation, rel_tol=1e-2)
    assert math.isclose(eps_t, exact.training, rel_tol=1e-2)


def test_asymptotic_errors_against_full_simulation() -> None:
    # Full teacher-student draws, exact posterior averages per data set; the teacher draw makes ε_g fluctuate by
    # O(1/√N) between data sets, so: 4 standard errors over 6 data sets + the 1 % finite-N allowance above.
    alpha, ridge, n = 2.0, 0.5, 300
    rng = np.random.default_rng(6)
    eg, et = [], []
    for _ in range(6):
        model = BayesianLinearRegression(TeacherStudentData.generate(n, int(alpha * n), NOISE, rng), ridge)
        eg.append(float(model.generalisation_error(TEMP)))
        et.append(float(model.training_error(TEMP)))
    exact = asymptotic_errors(alpha, ridge, NOISE, TEMP)
    for values, target in [(np.array(eg), exact.generalisation), (np.array(et), exact.training)]:
        assert abs(values.mean() - target) <= 4 * values.std(ddof=1) / math.sqrt(6) + 1e-2 * target


@pytest.mark.parametrize("alpha", [0.3, 0.8, 1.25, 3.0])
def test_ridgeless_limit(alpha: float) -> None:
    temperature = 0.0 if alpha < 1 else TEMP
    limit = asymptotic_errors_ridgeless(alpha, NOISE, temperature)
    # λ → 0 of the ridge formulas: corrections O(λ) (O(λ/(1 − α)²) near the threshold)
    near = asymptotic_errors(alpha, 1e-7, NOISE, temperature)
    assert math.isclose(near.generalisation, limit.generalisation, rel_tol=1e-4)
    assert math.isclose(near.training, limit.training, rel_tol=1e-4, abs_tol=1e-6)
    if alpha > 1:
        # the finite-N exact average tends to it: N/(P − N − 1) → 1/(α − 1)
        n = 4000
        finite = average_errors_ridgeless(n, int(alpha * n), NOISE, TEMP)
        assert math.isclose(finite.generalisation, limit.generalisation, rel_tol=2 / ((alpha - 1) * n))
        assert math.isclose(finite.training, limit.training, rel_tol=1e-12)
    else:
        # Hastie et al. (2019): ε_g = (1 − α) + σ²α/(1 − α) below the threshold (bias + variance)
        assert math.isclose(limit.generalisation, (1 - alpha) + NOISE * alpha / (1 - alpha))


# ---------------------------------------------------------------------------------------------------------
# mutual information and Fisher information
# ---------------------------------------------------------------------------------------------------------


def test_mutual_information_against_monte_carlo() -> None:
    # I(w; y | X) = E[ln p(y | w) − ln p(y)], y | w ~ N(Xw, σ²I), y ~ N(0, XXᵀ + σ²I); 100 000 draws, 4σ.
    rng = np.random.default_rng(7)
    data = TeacherStudentData.generate(4, 6, NOISE, rng)
    x = data.inputs
    count = 100_000
    w = rng.standard_normal((count, 4))
    y = w @ x.T + math.sqrt(NOISE) * rng.standard_normal((count, 6))
    marginal = x @ x.T + NOISE * np.eye(6)
    log_lik = -0.5 * np.sum((y - w @ x.T) ** 2, -1) / NOISE - 3 * math.log(2 * math.pi * NOISE)
    chol = np.linalg.cholesky(marginal)
    solved = np.linalg.solve(chol, y.T).T
    log_marg = -0.5 * np.sum(solved**2, -1) - np.sum(np.log(np.diag(chol))) - 3 * math.log(2 * math.pi)
    ratio = log_lik - log_marg
    exact = mutual_information(data)
    assert abs(ratio.mean() - exact) <= 4 * ratio.std() / math.sqrt(count)
    # Sylvester: ½ ln det(I_P + XXᵀ/σ²) gives the same number
    assert math.isclose(exact, 0.5 * np.linalg.slogdet(np.eye(6) + x @ x.T / NOISE)[1], rel_tol=1e-12)


@pytest.mark.parametrize("alpha", [0.5, 2.0])
def test_mutual_information_large_n(alpha: float) -> None:
    per_param = asymptotic_mutual_information_per_parameter(alpha, NOISE)
    # independent route: ½ ∫ ln(1 + x/σ²) dμ_MP(x) with the MP density (the atom at 0 contributes nothing)
    ratio = 1 / alpha
    a, b = (1 - math.sqrt(ratio)) ** 2, (1 + math.sqrt(ratio)) ** 2
    direct, _ = integrate.quad(
        lambda s: math.log1p(alpha * s / NOISE) / (2 * math.pi * ratio * s), a, b, weight="alg", wvar=(0.5, 0.5)
    )
    assert math.isclose(per_param, 0.5 * direct, rel_tol=1e-8)
    n = 500
    data = TeacherStudentData.generate(n, int(alpha * n), NOISE, np.random.default_rng(8))
    assert math.isclose(mutual_information(data) / n, per_param, rel_tol=1e-2)  # finite N: as above


def test_fisher_information_and_posterior_covariance() -> None:
    data = TeacherStudentData.generate(5, 12, NOISE, np.random.default_rng(9))
    fisher = fisher_information(data)
    np.testing.assert_allclose(fisher, data.inputs.T @ data.inputs / NOISE)
    # HC-21: at T = σ², λ = 0 the posterior covariance is the inverse Fisher information exactly
    model = BayesianLinearRegression(data, 0.0)
    np.testing.assert_allclose(model.posterior_covariance(NOISE), np.linalg.inv(fisher), rtol=1e-10)
    # with a ridge, −∇² ln p = A/T = I_F + (λ/σ²) I at T = σ²
    ridged = BayesianLinearRegression(data, 0.3)
    np.testing.assert_allclose(ridged.posterior_precision(NOISE), fisher + 0.3 / NOISE * np.eye(5), rtol=1e-10)
    np.testing.assert_allclose(
        ridged.posterior_precision(NOISE) @ ridged.posterior_covariance(NOISE), np.eye(5), atol=1e-10
    )
    # away from T = σ² the covariance is (T/σ²) I_F⁻¹: off by the factor T/σ²
    np.testing.assert_allclose(model.posterior_covariance(2 * NOISE), 2 * np.linalg.inv(fisher), rtol=1e-10)
