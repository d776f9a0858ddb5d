"""Tests for thermosym.systems.quadratic: closed forms against quadrature, exact samplers and textbook values.

Monte Carlo checks use exact (independent) samples, so the standard error is sample std/√n; they pass at
|measured − predicted| ≤ 4 standard errors (a false failure once in ~16 000 checks at a fixed seed: the seeds
are fixed, so a pass is reproducible). Quadrature checks use scipy.integrate.quad (absolute error estimates
≲ 1e−10 here), hence relative tolerances 1e−7.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from thermosym.systems.quadratic import (
    DiscreteLevels,
    PowerLawGibbs,
    QuadraticGibbs,
    QuadraticWithGaussianPrior,
)

H2 = np.array([[2.0, 0.6], [0.6, 1.0]])
RTOL_QUAD = 1e-7


def _mc_close(samples: np.ndarray, predicted: float, k: float = 4.0) -> None:
    """Assert the sample mean is within k standard errors (plus float round-off) of the prediction."""
    mean = float(np.mean(samples))
    stderr = float(np.std(samples) / math.sqrt(samples.size))
    assert abs(mean - predicted) <= k * stderr + 1e-12 * abs(predicted), (mean, predicted, stderr)


def _quad_moments_1d(weight, lo: float = -np.inf, hi: float = np.inf):
    """∫w, ∫w·f for a 1-D unnormalised density, returned as a function of f."""
    z = integrate.quad(weight, lo, hi, epsabs=0, epsrel=1e-12, limit=200)[0]

    def expect(f):
        return integrate.quad(lambda x: weight(x) * f(x), lo, hi, epsabs=1e-14, epsrel=1e-11, limit=200)[0] / z

    return z, expect


def _grid_2d(weight, half_width: float, n: int = 801):
    """Trapezoid rule on a square grid (spectrally accurate for Gaussians decaying well inside the box)."""
    x = np.linspace(-half_width, half_width, n)
    xx, yy = np.meshgrid(x, x, indexing="ij")
    w = weight(xx, yy)
    h = x[1] - x[0]
    z = float(np.sum(w) * h * h)
    return z, (lambda f: float(np.sum(w * f(xx, yy)) * h * h / z)), xx, yy, w / z * h * h


# ---------------------------------------------------------------------------------------------------------
# QuadraticGibbs
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.05, 1.0, 7.0])
def test_quadratic_1d_against_quadrature(temperature: float) -> None:
    h = 3.0
    q = QuadraticGibbs(np.array([[h]]))
    z, expect = _quad_moments_1d(lambda x: np.exp(-0.5 * h * x * x / temperature))
    mean_e = expect(lambda x: 0.5 * h * x * x)
    var_e = expect(lambda x: (0.5 * h * x * x) ** 2) - mean_e**2
    entropy = -expect(lambda x: -0.5 * h * x * x / temperature - math.log(z))  # −∫ p ln p
    np.testing.assert_allclose(q.log_partition(temperature), math.log(z), rtol=RTOL_QUAD)
    np.testing.assert_allclose(q.mean_energy(temperature), mean_e, rtol=RTOL_QUAD)
    np.testing.assert_allclose(q.energy_variance(temperature), var_e, rtol=RTOL_QUAD)
    np.testing.assert_allclose(q.entropy(temperature), entropy, rtol=RTOL_QUAD, atol=1e-12)
    np.testing.assert_allclose(q.covariance(temperature)[0, 0], expect(lambda x: x * x), rtol=RTOL_QUAD)


def test_quadratic_2d_against_quadrature() -> None:
    temperature = 0.8
    q = QuadraticGibbs(H2)
    z, expect, *_ = _grid_2d(lambda x, y: np.exp(-q.energy(np.stack([x, y], -1)) / temperature), 8.0)
    assert math.isclose(float(q.log_partition(temperature)), math.log(z), rel_tol=RTOL_QUAD)
    mean_e = expect(lambda x, y: q.energy(np.stack([x, y], -1)))
    assert math.isclose(float(q.mean_energy(temperature)), mean_e, rel_tol=RTOL_QUAD)
    var_e = expect(lambda x, y: q.energy(np.stack([x, y], -1)) ** 2) - mean_e**2
    assert math.isclose(float(q.energy_variance(temperature)), var_e, rel_tol=RTOL_QUAD)
    entropy = expect(lambda x, y: q.energy(np.stack([x, y], -1)) / temperature) + math.log(z)
    assert math.isclose(float(q.entropy(temperature)), entropy, rel_tol=RTOL_QUAD)
    cov = np.array([[expect(lambda x, y, i=i, j=j: [x, y][i] * [x, y][j]) for j in range(2)] for i in range(2)])
    np.testing.assert_allclose(q.covariance(temperature), cov, rtol=RTOL_QUAD, atol=1e-12)


def test_quadratic_against_exact_samples() -> None:
    rng = np.random.default_rng(2024)
    a = rng.standard_normal((4, 4))
    hessian = a @ a.T + 0.5 * np.eye(4)
    q = QuadraticGibbs(hessian)
    temperature = 0.7
    theta = q.sample(temperature, 200_000, rng)
    assert theta.shape == (200_000, 4)
    grad = q.gradient(theta)
    _mc_close(q.energy(theta), float(q.mean_energy(temperature)))
    _mc_close(np.sum(theta * grad, axis=-1), float(q.virial(temperature)))
    _mc_close(np.sum(grad**2, axis=-1), float(q.mean_squared_gradient(temperature)))
    # configurational temperature ⟨|∇L|²⟩ = T⟨ΔL⟩ with ΔL = tr H
    assert math.isclose(float(q.mean_squared_gradient(temperature)), temperature * q.mean_laplacian())
    _mc_close(np.sum(theta**2, axis=-1), float(q.parameter_variance_sum(temperature)))
    cov, gcov = q.covariance(temperature), q.gradient_covariance(temperature)
    for i in range(4):
        for j in range(4):
            _mc_close(theta[:, i] * theta[:, j], float(cov[i, j]))
            _mc_close(grad[:, i] * grad[:, j], float(gcov[i, j]))
    energy = q.energy(theta)
    # Var E by its sample estimate: std error of the variance ≈ √((μ₄ − σ⁴)/n)
    centred = (energy - energy.mean()) ** 2
    _mc_close(centred, float(q.energy_variance(temperature)))


def test_quadratic_heat_capacity_identities() -> None:
    q = QuadraticGibbs(H2)
    t = np.array([0.1, 1.0, 10.0])
    np.testing.assert_allclose(q.heat_capacity(t), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(q.energy_variance(t) / t**2, q.heat_capacity(t), rtol=1e-15)
    step = 1e-4 * t
    fd = (q.mean_energy(t + step) - q.mean_energy(t - step)) / (2 * step)
    np.testing.assert_allclose(fd, q.heat_capacity(t), rtol=1e-9)  # ⟨E⟩ is linear: only round-off
    # S = −∂F/∂T
    fd_s = -(q.free_energy(t + step) - q.free_energy(t - step)) / (2 * step)
    np.testing.assert_allclose(fd_s, q.entropy(t), rtol=1e-7)


def test_quadratic_vectorised_shapes() -> None:
    q = QuadraticGibbs.diagonal([1.0, 2.0, 4.0])
    t = np.array([[0.5, 1.0], [2.0, 3.0]])
    assert q.log_partition(t).shape == (2, 2)
    assert q.covariance(t).shape == (2, 2, 3, 3)
    np.testing.assert_allclose(q.covariance(t)[1, 0], 2.0 * np.diag([1.0, 0.5, 0.25]))
    assert q.sample(t, 5, np.random.default_rng(0)).shape == (2, 2, 5, 3)
    assert q.parameters() == {"hessian": np.diag([1.0, 2.0, 4.0]).tolist()}


def test_quadratic_validation() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        QuadraticGibbs(np.array([[1.0, 0.5], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="positive definite"):
        QuadraticGibbs(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        QuadraticGibbs(np.ones((2, 3)))
    with pytest.raises(ValueError, match="finite"):
        QuadraticGibbs(np.array([[np.nan]]))
    with pytest.raises(ValueError, match="temperatures"):
        QuadraticGibbs(np.eye(2)).mean_energy(-1.0)
    with pytest.raises(ValueError, match="number of samples"):
        QuadraticGibbs(np.eye(2)).sample(1.0, 0, np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------------------
# PowerLawGibbs
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "k", "dim"), [(0.7, 0.5, 1), (1.0, 1.0, 1), (2.0, 3.0, 1), (1.3, 1.5, 2), (0.5, 4.0, 3)])
@pytest.mark.parametrize("temperature", [0.3, 2.0])
def test_power_law_against_radial_quadrature(a: float, k: float, dim: int, temperature: float) -> None:
    # Z = |S^{d−1}| ∫₀^∞ r^{d−1} e^{−a r^k/T} dr with |S⁰| = 2, |S¹| = 2π, |S²| = 4π (independent of Γ).
    surface = {1: 2.0, 2: 2 * math.pi, 3: 4 * math.pi}[dim]
    system = PowerLawGibbs(a, k, dim)

    def moment(f):
        return integrate.quad(
            lambda r: surface * r ** (dim - 1) * np.exp(-a * r**k / temperature) * f(r),
            0,
            np.inf,
            epsabs=0,
            epsrel=1e-12,
            limit=200,
        )[0]

    z = moment(lambda r: 1.0)
    mean_e = moment(lambda r: a * r**k) / z
    var_e = moment(lambda r: (a * r**k) ** 2) / z - mean_e**2
    entropy = moment(lambda r: a * r**k / temperature + math.log(z)) / z
    assert math.isclose(float(system.log_partition(temperature)), math.log(z), rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.mean_energy(temperature)), mean_e, rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.energy_variance(temperature)), var_e, rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.entropy(temperature)), entropy, rel_tol=RTOL_QUAD, abs_tol=1e-12)
    assert math.isclose(float(system.heat_capacity(temperature)), dim / k)
    r15 = moment(lambda r: r**1.5) / z
    assert math.isclose(float(system.mean_radius_power(1.5, temperature)), r15, rel_tol=RTOL_QUAD)


@pytest.mark.parametrize(("a", "k", "dim"), [(2.0, 3.0, 1), (1.3, 1.5, 2), (0.8, 1.0, 3), (1.0, 2.0, 5)])
def test_power_law_sampler_and_identities(a: float, k: float, dim: int) -> None:
    # cases chosen with k > 2 − d/2 so that |∇L|² and ΔL have finite variance (valid error bars)
    system = PowerLawGibbs(a, k, dim)
    temperature = 0.6
    rng = np.random.default_rng(11)
    theta = system.sample(temperature, 200_000, rng)
    assert theta.shape == (200_000, dim)
    energy = system.energy(theta)
    grad = system.gradient(theta)
    _mc_close(energy, float(system.mean_energy(temperature)))
    _mc_close((energy - energy.mean()) ** 2, float(system.energy_variance(temperature)))
    _mc_close(np.sum(theta * grad, axis=-1), float(system.virial(temperature)))
    _mc_close(np.sum(grad**2, axis=-1), float(system.mean_squared_gradient(temperature)))
    _mc_close(temperature * system.laplacian(theta), float(system.mean_squared_gradient(temperature)))
    assert system.configurational_identity_holds
    np.testing.assert_allclose(
        system.mean_squared_gradient(temperature),
        temperature * system.mean_laplacian(temperature),
        rtol=1e-12,
    )


def test_power_law_configurational_identity_fails_for_the_kink() -> None:
    # L = a|θ| in d = 1: k = 1 = 2 − d. |∇L|² = a² everywhere, but the pointwise ΔL is 0, so
    # ⟨|∇L|²⟩ = a² ≠ T⟨ΔL⟩ = 0; the difference is the δ-function at θ = 0 (2a δ(θ), ⟨2aδ⟩ = 2a p(0) = a²/T).
    system = PowerLawGibbs(1.5, 1.0, 1)
    assert not system.configurational_identity_holds
    with pytest.raises(ValueError, match="pointwise Laplacian"):
        system.mean_laplacian(1.0)
    theta = system.sample(0.4, 1000, np.random.default_rng(3))
    np.testing.assert_allclose(np.sum(system.gradient(theta) ** 2, axis=-1), 1.5**2)
    np.testing.assert_allclose(system.laplacian(theta), 0.0)
    p0 = math.exp(-float(system.log_partition(0.4)))  # density at θ = 0
    assert math.isclose(2 * 1.5 * p0, 1.5**2 / 0.4)


def test_power_law_validation() -> None:
    with pytest.raises(ValueError, match="a must"):
        PowerLawGibbs(0.0, 2.0, 1)
    with pytest.raises(ValueError, match="k must"):
        PowerLawGibbs(1.0, -1.0, 1)
    with pytest.raises(ValueError, match="dim"):
        PowerLawGibbs(1.0, 2.0, 0)
    with pytest.raises(ValueError, match="power"):
        PowerLawGibbs(1.0, 2.0, 2).mean_radius_power(-2.0, 1.0)


def test_power_law_k2_is_the_isotropic_quadratic() -> None:
    t = np.array([0.2, 1.0, 5.0])
    p, q = PowerLawGibbs(1.5, 2.0, 3), QuadraticGibbs(3.0 * np.eye(3))
    for name in ("log_partition", "mean_energy", "energy_variance", "entropy", "heat_capacity"):
        np.testing.assert_allclose(getattr(p, name)(t), getattr(q, name)(t), rtol=1e-13)


# ---------------------------------------------------------------------------------------------------------
# QuadraticWithGaussianPrior
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.01, 0.5, 3.0, 100.0])
def test_prior_1d_against_quadrature(temperature: float) -> None:
    h, s2 = 2.0, 0.7
    system = QuadraticWithGaussianPrior(np.array([[h]]), s2)

    def prior(x):
        return np.exp(-x * x / (2 * s2)) / math.sqrt(2 * math.pi * s2)

    def loss(x):
        return 0.5 * h * x * x

    z, expect = _quad_moments_1d(lambda x: prior(x) * np.exp(-loss(x) / temperature))
    mean_l = expect(loss)
    var_l = expect(lambda x: loss(x) ** 2) - mean_l**2
    kl = expect(lambda x: -loss(x) / temperature - math.log(z))  # ∫ p ln(p/φ)
    log_prior = lambda x: -x * x / (2 * s2) - 0.5 * math.log(2 * math.pi * s2)  # noqa: E731
    diff_entropy = -expect(lambda x: log_prior(x) - loss(x) / temperature - math.log(z))
    assert math.isclose(float(system.log_partition(temperature)), math.log(z), rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.mean_energy(temperature)), mean_l, rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.energy_variance(temperature)), var_l, rel_tol=1e-6)
    assert math.isclose(float(system.entropy(temperature)), -kl, rel_tol=RTOL_QUAD, abs_tol=1e-12)
    assert math.isclose(float(system.differential_entropy(temperature)), diff_entropy, rel_tol=RTOL_QUAD)
    assert math.isclose(float(system.covariance(temperature)[0, 0]), expect(lambda x: x * x), rel_tol=RTOL_QUAD)


def test_prior_2d_against_quadrature() -> None:
    temperature, s2 = 0.9, 1.6
    system = QuadraticWithGaussianPrior(H2, s2)

    def weight(x, y):
        theta = np.stack([x, y], -1)
        loss = 0.5 * np.einsum("...i,ij,...j->...", theta, H2, theta)
        return np.exp(-(x * x + y * y) / (2 * s2) - loss / temperature) / (2 * math.pi * s2)

    z, expect, *_ = _grid_2d(weight, 12.0)
    assert math.isclose(float(system.log_partition(temperature)), math.log(z), rel_tol=RTOL_QUAD)

    def loss_xy(x, y):
        return system.energy(np.stack([x, y], -1))

    mean_l = expect(loss_xy)
    assert math.isclose(float(system.mean_energy(temperature)), mean_l, rel_tol=RTOL_QUAD)
    var_l = expect(lambda x, y: loss_xy(x, y) ** 2) - mean_l**2
    assert math.isclose(float(system.energy_variance(temperature)), var_l, rel_tol=RTOL_QUAD)
    cov = np.array([[expect(lambda x, y: x * x), expect(lambda x, y: x * y)], [0, expect(lambda x, y: y * y)]])
    cov[1, 0] = cov[0, 1]
    np.testing.assert_allclose(system.covariance(temperature), cov, rtol=RTOL_QUAD, atol=1e-12)


def test_prior_heat_capacity_fluctuation_response_and_limits() -> None:
    system = QuadraticWithGaussianPrior(np.diag([0.5, 2.0, 8.0]), 1.0)
    t = np.geomspace(1e-3, 1e3, 13)
    c = system.heat_capacity(t)
    np.testing.assert_allclose(c, system.energy_variance(t) / t**2, rtol=1e-13)  # C = β² Var L
    step = 1e-4 * t
    fd = (system.mean_energy(t + step) - system.mean_energy(t - step)) / (2 * step)
    np.testing.assert_allclose(fd, c, rtol=1e-7)  # central difference error O(step²) ~ 1e−8 relative
    assert np.all(np.diff(c) < 0)  # not constant: decreases monotonically
    # limits: d/2 as T → 0 (deviation ≈ 2T/(h s²) summed), Σ h²s⁴/(2T²) as T → ∞
    assert abs(float(system.heat_capacity(1e-9)) - 1.5) < 1e-8
    big = 1e6
    assert math.isclose(float(system.heat_capacity(big)), (0.25 + 4 + 64) / (2 * big**2), rel_tol=1e-4)
    # S = −∂F/∂T with the prior as base measure
    fd_s = -(system.free_energy(t + step) - system.free_energy(t - step)) / (2 * step)
    np.testing.assert_allclose(fd_s, system.entropy(t), rtol=1e-6, atol=1e-10)


def test_prior_samples() -> None:
    system = QuadraticWithGaussianPrior(H2, 0.5)
    theta = system.sample(1.3, 200_000, np.random.default_rng(5))
    _mc_close(system.energy(theta), float(system.mean_energy(1.3)))
    cov = system.covariance(1.3)
    _mc_close(theta[:, 0] * theta[:, 1], float(cov[0, 1]))
    with pytest.raises(ValueError, match="prior_variance"):
        QuadraticWithGaussianPrior(H2, 0.0)


# ---------------------------------------------------------------------------------------------------------
# DiscreteLevels
# ---------------------------------------------------------------------------------------------------------


def test_levels_against_direct_sums() -> None:
    rng = np.random.default_rng(8)
    energies = rng.uniform(-2, 3, size=7)
    g = rng.integers(1, 5, size=7).astype(float)
    system = DiscreteLevels(energies, g)
    for temperature in (0.1, 1.0, 10.0):
        w = g * np.exp(-energies / temperature)
        z = w.sum()
        p = w / z
        mean = float(np.sum(p * energies))
        assert math.isclose(float(system.log_partition(temperature)), math.log(z), rel_tol=1e-13)
        assert math.isclose(float(system.mean_energy(temperature)), mean, rel_tol=1e-12)
        var = float(np.sum(p * (energies - mean) ** 2))
        assert math.isclose(float(system.energy_variance(temperature)), var, rel_tol=1e-11)
        # Gibbs entropy over states: each of the g_j states has probability p_j/g_j
        entropy = -float(np.sum(p * np.log(p / g)))
        assert math.isclose(float(system.entropy(temperature)), entropy, rel_tol=1e-12)
        np.testing.assert_allclose(system.probabilities(temperature), p, rtol=1e-12)


def test_levels_schottky_anomaly() -> None:
    # Two levels 0, Δ with degeneracies g₀, g₁: C = x² r e^{−x}/(1 + r e^{−x})², x = Δ/T, r = g₁/g₀.
    # Its maximum for r = 1 is C ≈ 0.4392 at T ≈ 0.4168 Δ (the textbook Schottky-anomaly values).
    delta = 2.5
    for g0, g1 in [(1.0, 1.0), (1.0, 3.0), (2.0, 1.0)]:
        system = DiscreteLevels([0.0, delta], [g0, g1])
        t = np.linspace(0.05, 10.0, 50)
        x, r = delta / t, g1 / g0
        expected = x**2 * r * np.exp(-x) / (1 + r * np.exp(-x)) ** 2
        np.testing.assert_allclose(system.heat_capacity(t), expected, rtol=1e-10)
    system = DiscreteLevels([0.0, 1.0])
    t = np.linspace(0.3, 0.6, 30001)
    c = system.heat_capacity(t)
    assert abs(float(c.max()) - 0.4392) < 5e-5
    assert abs(float(t[np.argmax(c)]) - 0.4168) < 5e-4


def test_levels_extreme_energies_are_stable() -> None:
    system = DiscreteLevels([0.0, 1e4, 2e4])
    t = np.array([1.0, 1e4, 1e7])
    assert np.all(np.isfinite(system.log_partition(t)))
    assert math.isclose(float(system.log_partition(1.0)), 0.0, abs_tol=1e-300)
    assert float(system.energy_variance(1.0)) == 0.0
    # shifting all energies by a constant shifts ⟨E⟩ and leaves Var E and C unchanged
    shifted = DiscreteLevels([1e6, 1e6 + 1.0, 1e6 + 2.5])
    base = DiscreteLevels([0.0, 1.0, 2.5])
    tt = np.array([0.2, 1.0, 5.0])
    np.testing.assert_allclose(shifted.mean_energy(tt) - 1e6, base.mean_energy(tt), atol=1e-9)
    np.testing.assert_allclose(shifted.heat_capacity(tt), base.heat_capacity(tt), rtol=1e-12)
    np.testing.assert_allclose(shifted.log_partition(tt), base.log_partition(tt) - 1e6 / tt, rtol=1e-14)
    step = 1e-5 * tt
    fd = (base.mean_energy(tt + step) - base.mean_energy(tt - step)) / (2 * step)
    np.testing.assert_allclose(fd, base.heat_capacity(tt), rtol=1e-7)


def test_levels_validation() -> None:
    with pytest.raises(ValueError, match="energies"):
        DiscreteLevels([])
    with pytest.raises(ValueError, match="one entry per level"):
        DiscreteLevels([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="degeneracies"):
        DiscreteLevels([0.0, 1.0], [1.0, 0.0])
