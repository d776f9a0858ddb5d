"""Potentials for the samplers: sufficient statistics for linear networks, unbiased minibatches, and a Gaussian
prior that stays the same at every temperature of a ladder (checked by sampling a Gaussian posterior)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from thermosym.models import (
    DataPotential,
    DeepLinearNetwork,
    GaussianPriorPotential,
    LinearNetworkPotential,
    perceptron_teacher,
    teacher_student_data,
)
from thermosym.sampling.potentials import QuadraticPotential
from thermosym.sampling.samplers import TemperatureLadder, mala
from thermosym.sampling.statistics import variance_estimates_grouped


def test_linear_network_potential_equals_the_data_sum_on_any_data() -> None:
    net = DeepLinearNetwork([3, 2, 2])
    teacher = torch.randn(net.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    data = teacher_student_data(net, teacher, 57, noise_std=0.7, seed=1)  # noisy, not whitened
    theta = torch.randn(6, net.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    fast = LinearNetworkPotential(net, data, device="cpu")
    slow = DataPotential(net, data, device="cpu")
    assert torch.allclose(fast.energy(theta), slow.energy(theta), rtol=1e-12)
    assert torch.allclose(fast.energy_and_grad(theta)[1], slow.energy_and_grad(theta)[1], rtol=1e-10, atol=1e-12)


def test_minibatch_energy_is_unbiased_and_seeded() -> None:
    """Mean of 20000 minibatch energies (B = 4) against n·L_n: the standard error is sd/√20000, 5 of them allowed."""
    model, data = perceptron_teacher(3, 30, noise_std=0.5, seed=3)
    pot = DataPotential(model, data, batch_size=4, device="cpu")
    theta = torch.zeros(20000, 3, dtype=torch.float64) + 0.2
    e1, _ = pot.minibatch_energy_and_grad(theta, torch.Generator().manual_seed(5))
    e2, _ = pot.minibatch_energy_and_grad(theta, torch.Generator().manual_seed(5))
    assert torch.equal(e1, e2)
    full = float(pot.energy(theta[:1])[0])
    assert abs(float(e1.mean()) - full) < 5 * float(e1.std()) / math.sqrt(20000)


def test_gaussian_prior_is_the_same_at_every_temperature() -> None:
    """E = ½hθ², prior N(0, 1/τ): at temperature T the posterior is N(0, 1/(h/T + τ)) (the samplers' own
    localisation would give 1/(h/T + τ/T) instead). MALA variances per temperature within 4σ."""
    h, tau = np.array([1.0, 4.0]), 2.0
    ladder = TemperatureLadder((0.5, 2.0, 8.0), 64)
    temps = ladder.chain_temperatures()
    pot = GaussianPriorPotential(QuadraticPotential(h, device="cpu", dtype="float64"), temps, tau)
    run = mala(
        pot,
        torch.zeros(ladder.n_chains, 2, dtype=torch.float64),
        temps,
        ladder.per_chain([0.3, 0.1, 0.03]),
        2000,
        burn_in=200,
        record_every=2,
        record_theta=True,
        custom_observables=pot.distance_observable(),
        seed=1,
    )
    assert run.theta is not None
    for mode in range(2):
        variances = variance_estimates_grouped(ladder.split(run.theta[:, :, mode]), discard=0)
        for t, v in zip(ladder.temperatures, variances, strict=True):
            exact = 1.0 / (h[mode] / t + tau)
            assert abs(v.value - exact) < 4 * v.stderr, (mode, t, v, exact)
    data_energy = pot.data_energy(run.energies, run.observables["prior_distance_sq"])
    assert run.theta is not None
    assert np.allclose(data_energy, 0.5 * (h * run.theta**2).sum(-1), rtol=1e-10, atol=1e-12)


def test_bad_arguments_are_refused() -> None:
    model, data = perceptron_teacher(3, 10, seed=0)
    with pytest.raises(ValueError, match="does not fit"):
        DataPotential(DeepLinearNetwork([4, 1]), data)
    with pytest.raises(ValueError, match="precision"):
        GaussianPriorPotential(DataPotential(model, data), [1.0], 0.0)
    with pytest.raises(ValueError, match="temperatures"):
        GaussianPriorPotential(DataPotential(model, data), [1.0, -1.0], 1.0)
