"""Online SGD on linear regression, many chains with different learning rates and batch sizes in one program,
against the exact stationary variance (REFERENCES.md §6: in 1-D Σ = ησ²/(2B − ηh(B + 2)))."""

from __future__ import annotations

import numpy as np
import pytest

from thermosym.errors import SamplingDivergedError
from thermosym.models import OnlineLinearRegression, online_sgd
from thermosym.sampling.statistics import variance_estimate


def test_one_dimensional_stationary_variance_for_two_batch_sizes_in_one_program() -> None:
    """h = 1, σ² = 0.5, η = 0.3, B ∈ {1, 5} (200 chains each); exact variances 0.15/(2 − 0.9) = 0.1364 and
    0.15/(10 − 2.1) = 0.0190; the measured variance of θ − θ* within 4σ (autocorrelation-aware stderr)."""
    problem = OnlineLinearRegression((1.0,), 0.5, seed=2)
    lrs, batches = [0.3] * 400, [1] * 200 + [5] * 200
    run = online_sgd(problem, lrs, batches, 3000, record_every=3, burn_in=200, seed=7)
    star = problem.teacher
    for b, chains in ((1, slice(0, 200)), (5, slice(200, 400))):
        exact = 0.3 * 0.5 / (2 * b - 0.3 * 1.0 * (b + 2))
        est = variance_estimate(run.theta[:, chains, 0] - star[0], discard=0)
        assert abs(est.value - exact) < 4 * est.stderr, (b, est, exact)
        assert abs(float(np.mean(run.theta[:, chains, 0])) - star[0]) < 0.01  # centred on the teacher


def test_unstable_learning_rate_raises_sampling_diverged() -> None:
    problem = OnlineLinearRegression((2.0,), 0.1)
    with pytest.raises(SamplingDivergedError, match="online SGD"):
        online_sgd(problem, [1.5], [1], 200, record_every=10)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="hessian_eigenvalues"):
        OnlineLinearRegression((0.0, 1.0), 0.1)
    with pytest.raises(ValueError, match="equally long"):
        online_sgd(OnlineLinearRegression((1.0,), 0.1), [0.1, 0.1], [1], 10)
