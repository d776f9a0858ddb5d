"""Training to a minimum: Adam as torch.optim.Adam computes it, the minimum beats the teacher by the classical
χ²_d/(2n) optimism, Newton polish to machine precision, deep linear networks from small initialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from thermosym.models import (
    DeepLinearNetwork,
    LinearNetworkPotential,
    TrainingConfig,
    full_batch_gradient,
    full_batch_loss,
    low_rank_teacher,
    perceptron_teacher,
    train,
)
from thermosym.models.training import _Adam


def test_adam_matches_torch_optim_adam() -> None:
    model, data = perceptron_teacher(3, 40, seed=1)
    theta0 = torch.randn(1, model.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    param = theta0.clone().requires_grad_(True)
    reference = torch.optim.Adam([param], lr=0.05)
    ours, theta = _Adam(0.05), theta0.clone()
    for _ in range(25):
        reference.zero_grad()
        model.loss(param, data.inputs, data.targets).sum().backward()
        reference.step()
        theta = ours(theta, full_batch_gradient(model, data, theta[0])[None])
    assert torch.allclose(theta, param.detach(), rtol=1e-12, atol=1e-14)


def test_training_reaches_the_least_squares_minimum_below_the_teacher() -> None:
    """For a well-specified model the minimum's training loss is below the teacher's by ½σ²χ²_d/n on average
    (Gauss-Newton: the fitted noise), here d = 4, n = 2000, σ = 0.3: mean 9e-5 with standard deviation
    √(2d)·σ²/(2n) = 6.4e-5, so the assertion allows 0 < gap < mean + 5 sd."""
    n, sigma, d = 2000, 0.3, 4
    model, data = perceptron_teacher(d, n, noise_std=sigma, seed=4)
    fit = train(model, data, TrainingConfig(optimizer="adam", lr=0.05, steps=300, newton_steps=6, seed=1))
    teacher_loss = full_batch_loss(model, data, data.teacher)
    gap = teacher_loss - fit.loss
    assert fit.gradient_norm < 1e-13
    assert 0 < gap < (d + 5 * math.sqrt(2 * d)) * sigma**2 / (2 * n)
    # the training loss itself is ½σ²(1 − d/n) up to the χ²_n fluctuation of the noise (relative √(2/n) = 3%)
    assert abs(fit.loss / (0.5 * sigma**2 * (1 - d / n)) - 1) < 4 * math.sqrt(2 / n)
    assert float((fit.theta - data.teacher).norm()) < 0.1
    assert fit.history[0] > fit.history[-1] == fit.loss


def test_minibatch_sgd_training_is_seeded_and_descends() -> None:
    model, data = perceptron_teacher(3, 200, noise_std=0.1, seed=2)
    config = TrainingConfig(optimizer="sgd", lr=0.2, steps=300, batch_size=8, seed=5)
    a, b = train(model, data, config), train(model, data, config)
    assert torch.equal(a.theta, b.theta)
    assert a.loss < 0.5 * a.history[0]


def test_deep_linear_network_trained_from_small_init_sits_at_the_most_singular_minimum() -> None:
    """Gradient descent from a 0.01-scaled start on whitened rank-1 data: the loss vanishes and the Hessian has
    exactly r(M + N − r) = 7 large eigenvalues (the rank-1 manifold's tangent directions); the extra
    components stay at the initial scale, so the remaining eigenvalues are O(1e-4)."""
    data = low_rank_teacher(4, 4, rank=1, n=200, singular_values=[1.0], seed=3)
    net = DeepLinearNetwork([4, 3, 4])
    objective = LinearNetworkPotential(net, data, scale=1.0, device="cpu").energy
    fit = train(
        net, data, TrainingConfig(optimizer="gd", lr=0.2, steps=800, init_scale=0.01, seed=1), objective=objective
    )
    from thermosym.models import loss_hessian

    eig = np.linalg.eigvalsh(loss_hessian(net, data, fit.theta))
    assert fit.loss < 1e-7
    assert eig[-7] > 0.5 and eig[-8] < 1e-3


def test_bad_configs_are_refused() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        TrainingConfig(optimizer="lbfgs")
    with pytest.raises(ValueError, match="full-batch"):
        TrainingConfig(optimizer="gd", batch_size=4)
    with pytest.raises(ValueError, match="lr"):
        TrainingConfig(lr=-1.0)
