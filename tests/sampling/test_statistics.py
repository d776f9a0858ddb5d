"""Autocorrelation-aware means and variances, checked on AR(1) chains with known answers.

AR(1) x_t = φ x_{t−1} + ε_t, ε ~ N(0, 1), started in its stationary law N(0, 1/(1 − φ²)): its integrated
autocorrelation time (pymbar's statistical inefficiency) is g = (1 + φ)/(1 − φ) and Var x = 1/(1 − φ²)
(Box & Jenkins, *Time Series Analysis*; Sokal, "Monte Carlo methods in statistical mechanics", 1997, for
g = 1 + 2Σρ_t).
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy.signal import lfilter

from thermosym.sampling.statistics import (
    autocovariance,
    discard_count,
    effective_sample_size,
    equilibration_start,
    mean_estimate,
    mean_estimates_grouped,
    statistical_inefficiency,
    variance_estimate,
    variance_estimates_grouped,
)


def ar1(phi: float, n: int, chains: int, rng: np.random.Generator, start: float | None = None) -> np.ndarray:
    """[n, chains] AR(1) chains, stationary start unless ``start`` is given."""
    eps = rng.normal(size=(n, chains))
    eps[0] = rng.normal(size=chains) / np.sqrt(1 - phi**2) if start is None else start
    return lfilter([1.0], [1.0, -phi], eps, axis=0)


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_statistical_inefficiency_of_ar1(phi: float) -> None:
    """g within 10 % of (1 + φ)/(1 − φ) for 8 × 20000 samples (the estimator's relative spread is
    ≈ √(4g/N) ≤ 2.2 % here, so 10 % is > 4 of its standard deviations), and within 15 % of pymbar's."""
    x = ar1(phi, 20_000, 8, np.random.default_rng(10))
    exact = (1 + phi) / (1 - phi)
    g = statistical_inefficiency(x)
    assert g == pytest.approx(exact, rel=0.10)
    assert effective_sample_size(x) == pytest.approx(x.size / g)
    logging.getLogger("pymbar").setLevel(logging.ERROR)
    from pymbar import timeseries

    g_pymbar = np.mean([timeseries.statistical_inefficiency(x[:, c]) for c in range(x.shape[1])])
    assert g == pytest.approx(g_pymbar, rel=0.15)


def test_autocovariance_matches_direct_sum() -> None:
    x = np.random.default_rng(1).normal(size=(50, 3))
    acov = autocovariance(x)
    c = x - x.mean(axis=0)
    for t in (0, 1, 7, 49):
        np.testing.assert_allclose(acov[t], (c[: 50 - t] * c[t:]).sum(axis=0) / 50, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("phi", "n", "chains"), [(0.8, 500, 4), (0.5, 1000, 2)])
def test_mean_and_variance_intervals_are_calibrated(phi: float, n: int, chains: int) -> None:
    """Over 400 independent replicates the ±1.96σ interval covers the exact mean (0) and variance
    (1/(1 − φ²)) in 90–99 % of them (binomial spread at 95 %: ±1.1 %)."""
    rng = np.random.default_rng(20)
    z_mean, z_var = [], []
    for _ in range(400):
        x = ar1(phi, n, chains, rng)
        t0 = discard_count(x, "auto")  # the equilibration rule, applied once for both estimates
        m, v = mean_estimate(x, discard=t0), variance_estimate(x, discard=t0)
        z_mean.append(m.z_score(0.0))
        z_var.append(v.z_score(1 / (1 - phi**2)))
    for z in (np.array(z_mean), np.array(z_var)):
        coverage = np.mean(np.abs(z) <= 1.96)
        assert 0.90 <= coverage <= 0.99
        assert 0.85 <= z.std() <= 1.15


def test_equilibration_rule_drops_a_transient() -> None:
    """Chains started 30σ away relax with time 1/(1 − φ) = 10 steps; the rule drops the transient (t₀ ≥ 16
    leaves at most 30·0.9¹⁶ = 5.6σ, a bias of 0.4 standard errors of the mean), after which the mean covers 0;
    keeping the transient inflates both the bias and the error bar (√2 ≈ 1.4x here)."""
    x = ar1(0.9, 4000, 4, np.random.default_rng(2), start=30 / np.sqrt(1 - 0.81))
    t0 = equilibration_start(x)
    assert 16 <= t0 <= 2000
    assert discard_count(x, "auto") == t0
    est = mean_estimate(x)
    assert est.details["discarded"] == t0 and abs(est.z_score(0.0)) < 4
    everything = mean_estimate(x, discard=0)
    assert everything.stderr > 1.25 * est.stderr and abs(everything.value) > abs(est.value)
    assert equilibration_start(ar1(0.5, 4000, 4, np.random.default_rng(3))) <= 400


def test_chains_that_disagree_inflate_the_error() -> None:
    """Four well-mixed chains, one shifted by 1: the cross-chain error sees the shift (Vehtari et al. 2021)."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5000, 4))
    x[:, 3] += 1.0
    est = mean_estimate(x, discard=0)
    naive = x.std() / np.sqrt(x.size)
    assert est.stderr > 5 * naive
    assert est.details["chain_jackknife_stderr"] == pytest.approx(0.25, rel=0.2)  # sd of 0,0,0,1 / 2


def test_grouped_estimates_equal_single_ones() -> None:
    rng = np.random.default_rng(5)
    x = np.stack([ar1(phi, 800, 3, rng) for phi in (0.2, 0.7)], axis=1)  # [n, groups, chains]
    for g, (m, v) in enumerate(
        zip(mean_estimates_grouped(x, discard=5), variance_estimates_grouped(x, discard=5), strict=True)
    ):
        single_m, single_v = mean_estimate(x[:, g], discard=5), variance_estimate(x[:, g], discard=5)
        assert m.value == pytest.approx(single_m.value) and m.stderr == pytest.approx(single_m.stderr)
        assert v.value == pytest.approx(single_v.value) and v.stderr == pytest.approx(single_v.stderr)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        mean_estimate(np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        mean_estimate(np.array([1.0, np.nan, 2.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match="discard"):
        mean_estimate(np.ones((10, 2)), discard=8)
    with pytest.raises(ValueError, match="discard"):
        mean_estimate(np.ones((10, 2)), discard=-1)
    with pytest.raises(ValueError, match="samples"):
        mean_estimates_grouped(np.ones((10, 2)))
    constant = mean_estimate(np.ones((10, 2)), discard=0)
    assert constant.value == 1.0 and constant.stderr == 0.0
