"""Teacher-student data: fixed seeds, the stated noise, exact whitening and the low-rank teacher."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from thermosym.models import (
    DeepLinearNetwork,
    LinearNetworkPotential,
    balanced_factorization,
    low_rank_teacher,
    perceptron_teacher,
)


def test_same_seed_same_data_other_seed_other_data() -> None:
    _, a = perceptron_teacher(4, 50, seed=3)
    _, b = perceptron_teacher(4, 50, seed=3)
    _, c = perceptron_teacher(4, 50, seed=4)
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets) and torch.equal(a.teacher, b.teacher)
    assert not torch.equal(a.inputs, c.inputs)


def test_labels_are_teacher_outputs_plus_the_stated_noise() -> None:
    n, sigma = 20000, 0.2
    model, data = perceptron_teacher(5, n, noise_std=sigma, teacher_norm=1.5, seed=0)
    assert math.isclose(float(data.teacher.norm()), 1.5, rel_tol=1e-12)
    residual = data.targets - model.forward(data.teacher[None], data.inputs)[0]
    # the sample variance of n Gaussian draws has relative standard error √(2/n) = 1%; 4 of them allowed
    assert abs(float(residual.var()) / sigma**2 - 1) < 4 * math.sqrt(2 / n)
    assert abs(float(data.inputs.var()) - 1) < 4 * math.sqrt(2 / (5 * n))


def test_whitened_low_rank_teacher_makes_the_training_loss_the_population_loss() -> None:
    data = low_rank_teacher(4, 3, rank=2, n=37, singular_values=[1.0, 0.5], seed=1)
    x, w0 = data.inputs, data.teacher.reshape(3, 4)
    assert torch.allclose(x.T @ x / 37, torch.eye(4, dtype=torch.float64), atol=1e-12)
    assert np.allclose(np.linalg.svd(w0.numpy(), compute_uv=False)[:2], [1.0, 0.5], atol=1e-12)
    assert np.linalg.matrix_rank(w0.numpy(), tol=1e-10) == 2
    net = DeepLinearNetwork([4, 2, 3])
    theta = torch.randn(5, net.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    k = 0.5 * ((net.product(theta) - w0) ** 2).sum(dim=(1, 2))
    assert torch.allclose(net.loss(theta, data.inputs, data.targets), k, rtol=1e-12)
    assert torch.allclose(LinearNetworkPotential(net, data, scale=1.0, device="cpu").energy(theta), k, rtol=1e-11)


def test_balanced_factorization_is_a_most_singular_true_parameter() -> None:
    data = low_rank_teacher(4, 4, rank=1, n=10, singular_values=[2.0], seed=5)
    for widths in ([4, 3, 4], [4, 2, 2, 4]):
        net = DeepLinearNetwork(widths)
        theta = balanced_factorization(net, data.teacher.numpy(), rank=1)
        assert torch.allclose(net.product(theta[None])[0], data.teacher.reshape(4, 4), atol=1e-12)
        assert int((theta.abs() > 1e-15).sum()) == 4 + 4 + (len(widths) - 3)  # only the rank-1 block is non-zero


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="whitening"):
        low_rank_teacher(5, 2, rank=1, n=3)
    with pytest.raises(ValueError, match="singular values"):
        low_rank_teacher(3, 3, rank=2, n=10, singular_values=[1.0])
    with pytest.raises(ValueError, match="seed"):
        perceptron_teacher(3, 10, seed=-1)
