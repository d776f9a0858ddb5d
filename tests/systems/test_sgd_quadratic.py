"""Tests for thermosym.systems.sgd_quadratic: exact stationary covariances against simulated recursions.

Each simulation runs many independent chains (one numpy array, a chain axis) from θ = 0, discards a burn-in of
≥ 30 relaxation times (relaxation time 1/(ηh_min(2 − ηh_min)) steps), then time-averages θθᵀ per chain. The
per-chain averages are independent, so their spread gives an honest standard error (autocorrelation included).
A simulated entry passes when it is within 4 standard errors of the exact value. Each test also checks that
the *wrong* candidate (the small-η formula, or the additive-noise formula for multiplicative noise) is rejected
by many standard errors, so the comparison has power.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg

from thermosym.systems.sgd_quadratic import (
    additive_noise_stationary_covariance,
    effective_temperature,
    gibbs_departure,
    isotropic_stationary_covariance,
    mode_temperatures,
    online_least_squares_stationary_covariance,
    sgd_quadratic_table,
    sgld_stationary_covariance,
    small_lr_stationary_covariance,
)


def _rotated(eigenvalues: list[float], seed: int) -> np.ndarray:
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigenvalues), len(eigenvalues))))
    return (q * np.array(eigenvalues)) @ q.T


def _chain_average_outer(step, dim: int, chains: int, burn_in: int, steps: int, rng: np.random.Generator):
    """Mean over chains of the per-chain time average of θθᵀ, and its standard error."""
    theta = np.zeros((chains, dim))
    for _ in range(burn_in):
        theta = step(theta, rng)
    acc = np.zeros((chains, dim, dim))
    for _ in range(steps):
        theta = step(theta, rng)
        acc += theta[:, :, None] * theta[:, None, :]
    per_chain = acc / steps
    return per_chain.mean(axis=0), per_chain.std(axis=0, ddof=1) / math.sqrt(chains)


def _assert_within(measured: np.ndarray, stderr: np.ndarray, exact: np.ndarray, k: float = 4.0) -> None:
    assert np.all(np.abs(measured - exact) <= k * stderr), (measured, exact, stderr)


def _assert_rejected(measured: np.ndarray, stderr: np.ndarray, wrong: np.ndarray, k: float = 10.0) -> None:
    assert np.max(np.abs(measured - wrong) / stderr) > k


def test_additive_noise_simulation_matches_discrete_lyapunov() -> None:
    h = _rotated([0.5, 1.0, 3.0], seed=1)
    c = np.array([[1.0, 0.3, 0.0], [0.3, 0.5, 0.2], [0.0, 0.2, 2.0]])
    lr, batch = 0.5, 4  # ηh_max = 1.5: far from the small-η regime
    chol = np.linalg.cholesky(c / batch)
    a = np.eye(3) - lr * h

    def step(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        xi = rng.standard_normal(theta.shape) @ chol.T
        return theta @ a.T - lr * xi

    # relaxation time 1/(0.25·1.75) ≈ 2.3 steps
    measured, stderr = _chain_average_outer(step, 3, 2000, 200, 3000, np.random.default_rng(10))
    exact = additive_noise_stationary_covariance(h, c, lr, batch)
    np.testing.assert_allclose(exact, a @ exact @ a.T + lr**2 * c / batch, atol=1e-14)  # solves the equation
    _assert_within(measured, stderr, exact)
    _assert_rejected(measured, stderr, small_lr_stationary_covariance(h, c, lr, batch))


def test_isotropic_closed_form_and_mode_temperatures() -> None:
    h = _rotated([0.2, 1.0, 1.9], seed=2)
    for lr in (0.01, 0.3, 1.0):
        exact = additive_noise_stationary_covariance(h, 1.7 * np.eye(3), lr, 3)
        np.testing.assert_allclose(isotropic_stationary_covariance(h, 1.7, lr, 3), exact, rtol=1e-11, atol=1e-14)
    eig = np.array([0.2, 1.0, 1.9])
    temps = mode_temperatures(eig, 1.7, 1.0, 3)
    np.testing.assert_allclose(temps, 1.7 / (3 * (2 - eig)), rtol=1e-15)
    diag = isotropic_stationary_covariance(np.diag(eig), 1.7, 1.0, 3)
    np.testing.assert_allclose(eig * np.diag(diag), temps, rtol=1e-13)
    # T_i → T_eff = ησ²/(2B) as η → 0 with relative error ηh_i/(2 − ηh_i)
    for lr in (1e-2, 1e-4):
        t_eff = effective_temperature(1.7, lr, 3)
        np.testing.assert_allclose(mode_temperatures(eig, 1.7, lr, 3), t_eff, rtol=lr * 1.9 / (2 - lr * 1.9) * 1.01)


def test_small_lr_limit() -> None:
    h = _rotated([0.5, 2.0], seed=3)
    c = np.array([[1.0, 0.4], [0.4, 0.3]])
    small = small_lr_stationary_covariance(h, c, 1.0, 1)
    np.testing.assert_allclose(h @ small + small @ h, c, atol=1e-14)
    for lr in (1e-2, 1e-3, 1e-4):
        exact = additive_noise_stationary_covariance(h, c, lr, 1) / lr
        # discrete − continuous is O(η): relative difference ≤ η h_max · (a constant of order 1)
        assert np.max(np.abs(exact - small)) / np.max(np.abs(small)) < 2.0 * lr


def test_hessian_shaped_noise_is_not_gibbs() -> None:
    eig = np.array([0.1, 1.0, 10.0])
    h = np.diag(eig)
    lr, batch, s2 = 1e-3, 2, 1.0
    sigma = additive_noise_stationary_covariance(h, s2 * h, lr, batch)
    # per mode Σ_ii = ησ²/(B(2 − ηh_i)) → (ησ²/2B) I: isotropic in θ, not T H⁻¹
    np.testing.assert_allclose(np.diag(sigma), lr * s2 / (batch * (2 - lr * eig)), rtol=1e-12)
    np.testing.assert_allclose(sigma, lr * s2 / (2 * batch) * np.eye(3), rtol=1e-2)
    departure = gibbs_departure(h, sigma)
    np.testing.assert_allclose(departure.temperatures, eig * np.diag(sigma), rtol=1e-12)
    assert departure.relative_spread > 2.5  # (10 − 0.1)/3.7
    expected_kl = 0.5 * (3 * math.log(np.mean(eig)) - np.sum(np.log(eig)))  # η → 0 value
    assert math.isclose(departure.kl_divergence, expected_kl, rel_tol=1e-2)
    # isotropic noise at the same η is Gibbs to O(η)
    iso = gibbs_departure(h, isotropic_stationary_covariance(h, s2, lr, batch))
    assert iso.relative_spread < 1e-2 and iso.kl_divergence < 1e-5
    assert math.isclose(iso.best_temperature, effective_temperature(s2, lr, batch), rel_tol=1e-2)


def test_gibbs_departure_kl_matches_direct_minimisation() -> None:
    h = _rotated([0.5, 1.0, 4.0], seed=4)
    sigma = np.array([[1.0, 0.2, 0.1], [0.2, 0.8, 0.0], [0.1, 0.0, 0.3]])
    dep = gibbs_departure(h, sigma)

    def kl(t: float) -> float:  # KL(N(0, Σ) ‖ N(0, T H⁻¹))
        target_inv = h / t
        return 0.5 * (
            np.trace(target_inv @ sigma) - 3 - np.linalg.slogdet(target_inv @ sigma)[1]
        )  # log det(Σ_target⁻¹ Σ)

    grid = np.linspace(0.5 * dep.best_temperature, 1.5 * dep.best_temperature, 2001)
    values = np.array([kl(t) for t in grid])
    assert math.isclose(dep.kl_divergence, float(values.min()), rel_tol=1e-6)
    assert math.isclose(dep.best_temperature, float(grid[values.argmin()]), rel_tol=1e-3)
    assert math.isclose(dep.best_temperature, float(np.trace(h @ sigma)) / 3, rel_tol=1e-12)


def _kronecker_fixed_point(h: np.ndarray, s2: float, lr: float, batch: int) -> np.ndarray:
    """Brute-force solve of vec Σ = M vec Σ + q for the online least-squares recursion (no eigenbasis)."""
    d = h.shape[0]
    a = np.eye(d) - lr * h
    m = np.kron(a, a) + (lr**2 / batch) * (np.kron(h, h) + np.outer(h.reshape(-1), h.reshape(-1)))
    q = (lr**2 * s2 / batch) * h.reshape(-1)
    return np.linalg.solve(np.eye(d * d) - m, q).reshape(d, d)


def test_online_least_squares_closed_form() -> None:
    for h_val, lr, batch in [(1.0, 0.3, 2), (2.0, 0.1, 1), (0.5, 1.5, 8)]:
        exact = online_least_squares_stationary_covariance([h_val], 0.7, lr, batch)
        assert math.isclose(float(exact[0, 0]), lr * 0.7 / (2 * batch - lr * h_val * (batch + 2)), rel_tol=1e-13)
    h = _rotated([0.3, 1.0, 2.5], seed=5)
    for lr, batch in [(0.05, 1), (0.3, 4), (0.6, 16)]:
        np.testing.assert_allclose(
            online_least_squares_stationary_covariance(h, 0.7, lr, batch),
            _kronecker_fixed_point(h, 0.7, lr, batch),
            rtol=1e-10,
            atol=1e-15,
        )
    # mean-square instability: 1-D needs ηh < 2B/(B + 2)
    with pytest.raises(ValueError, match="mean-square stable"):
        online_least_squares_stationary_covariance([1.0], 1.0, 1.01, 2)
    online_least_squares_stationary_covariance([1.0], 1.0, 0.99, 2)


@pytest.mark.parametrize(("dim", "lr", "batch"), [(1, 0.3, 2), (2, 0.25, 3)])
def test_online_least_squares_simulation(dim: int, lr: float, batch: int) -> None:
    # The recursion is derived from fourth moments of Gaussian x; simulate the actual algorithm.
    h = np.array([[1.0]]) if dim == 1 else _rotated([0.6, 1.8], seed=6)
    s2 = 0.5
    chol = np.linalg.cholesky(h)
    theta_star = np.linspace(-1.0, 1.0, dim)

    def step(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        # theta holds δ = θ − θ*; x ~ N(0, H), y = x·θ* + ε
        x = rng.standard_normal((theta.shape[0], batch, dim)) @ chol.T
        eps = math.sqrt(s2) * rng.standard_normal((theta.shape[0], batch))
        full = theta + theta_star
        residual = np.einsum("cbi,ci->cb", x, full) - (x @ theta_star + eps)
        grad = np.einsum("cbi,cb->ci", x, residual) / batch
        return full - lr * grad - theta_star

    measured, stderr = _chain_average_outer(step, dim, 2000, 300, 2000, np.random.default_rng(20 + dim))
    exact = online_least_squares_stationary_covariance(h, s2, lr, batch)
    _assert_within(measured, stderr, exact)
    # the additive-noise model with the same mean gradient noise covariance σ²H/B misses the multiplicative term
    _assert_rejected(measured, stderr, additive_noise_stationary_covariance(h, s2 * h, lr, batch))


def test_sgld_simulation_and_step_size_bias() -> None:
    h = _rotated([0.4, 1.5], seed=7)
    temperature, lr = 0.8, 1.0  # ηh_max = 1.5: the variance of the stiff mode is 4× T/h
    a = np.eye(2) - lr * h

    def step(theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return theta @ a.T + math.sqrt(2 * lr * temperature) * rng.standard_normal(theta.shape)

    measured, stderr = _chain_average_outer(step, 2, 2000, 200, 3000, np.random.default_rng(30))
    exact = sgld_stationary_covariance(h, temperature, lr)
    _assert_within(measured, stderr, exact)
    _assert_rejected(measured, stderr, temperature * np.linalg.inv(h))  # the Gibbs covariance T H⁻¹
    np.testing.assert_allclose(exact, scipy.linalg.solve_discrete_lyapunov(a, 2 * lr * temperature * np.eye(2)))
    eig = np.linalg.eigvalsh(h)
    np.testing.assert_allclose(
        np.sort(np.linalg.eigvalsh(exact)), np.sort(temperature / (eig * (1 - lr * eig / 2))), rtol=1e-12
    )


def test_table() -> None:
    rows = sgd_quadratic_table([0.5, 1.0, 2.0], lr=0.5, batch=2)
    assert [r["h"] for r in rows] == [0.5, 1.0, 2.0]
    for r in rows:
        # exact: Σ_ii = η/(B h (2 − ηh)), T_i = η/(B(2 − ηh)); small η: T_eff = η/(2B) = 0.125
        assert math.isclose(r["variance"], 0.5 / (2 * r["h"] * (2 - 0.5 * r["h"])), rel_tol=1e-14)
        assert math.isclose(r["temperature"], r["h"] * r["variance"], rel_tol=1e-14)
        assert r["temperature_small_lr"] == 0.125
        assert math.isclose(r["variance_small_lr"], 0.125 / r["h"], rel_tol=1e-14)
    np.testing.assert_allclose(
        [r["variance"] for r in rows], np.diag(isotropic_stationary_covariance([0.5, 1.0, 2.0], 1.0, 0.5, 2))
    )


def test_validation() -> None:
    with pytest.raises(ValueError, match=r"η = 1.*h = 3"):
        additive_noise_stationary_covariance(np.diag([1.0, 3.0]), np.eye(2), 1.0, 1)
    with pytest.raises(ValueError, match="positive definite"):
        isotropic_stationary_covariance(np.diag([1.0, -1.0]), 1.0, 0.1, 1)
    with pytest.raises(ValueError, match="batch"):
        mode_temperatures([1.0], 1.0, 0.1, 0)
    with pytest.raises(ValueError, match="lr"):
        sgld_stationary_covariance([1.0], 1.0, -0.1)
    with pytest.raises(ValueError, match="symmetric"):
        additive_noise_stationary_covariance([[1.0, 0.2], [0.0, 1.0]], np.eye(2), 0.1, 1)
    with pytest.raises(ValueError, match="semi-definite"):
        additive_noise_stationary_covariance(np.eye(2), -np.eye(2), 0.1, 1)
    with pytest.raises(ValueError, match="noise_cov"):
        additive_noise_stationary_covariance(np.eye(2), np.eye(3), 0.1, 1)
    with pytest.raises(ValueError, match=r"η = 2.*h = 1.5"):
        sgd_quadratic_table([0.5, 1.5], lr=2.0, batch=1)
