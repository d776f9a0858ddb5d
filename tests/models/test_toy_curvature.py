"""Hessians against finite differences, per-sample gradients against a loop, the gradient noise covariance
against a Monte Carlo of minibatches, and the state-dependent Lyapunov equation against a simulation of SGD."""

from __future__ import annotations

import math

import numpy as np
import torch

from thermosym.models import (
    DataPotential,
    SoftPerceptron,
    TrainingConfig,
    full_batch_gradient,
    gradient_noise_covariance,
    gradient_noise_covariances,
    loss_hessian,
    loss_hessians,
    minibatch_hessian_noise,
    mlp_teacher,
    per_sample_gradients,
    per_sample_hessians,
    perceptron_teacher,
    state_dependent_lyapunov,
    teacher_student_data,
    train,
)
from thermosym.sampling.estimators import effective_temperature_covariance
from thermosym.sampling.samplers import sgld
from thermosym.systems.sgd_quadratic import (
    additive_noise_stationary_covariance,
    online_least_squares_stationary_covariance,
)


def _finite_difference_hessian(model: object, data: object, theta: torch.Tensor, h: float = 1e-5) -> np.ndarray:
    cols = []
    for j in range(theta.numel()):
        e = torch.zeros_like(theta)
        e[j] = h
        plus = full_batch_gradient(model, data, theta + e)  # type: ignore[arg-type]
        minus = full_batch_gradient(model, data, theta - e)  # type: ignore[arg-type]
        cols.append(((plus - minus) / (2 * h)).numpy())
    return np.stack(cols, axis=1)


def test_hessian_matches_central_differences_of_the_gradient() -> None:
    """Central differences of an analytic gradient err by O(h²|∇³L|) ≈ 1e-10 at h = 1e-5 (float64), so 1e-7."""
    for model, data in (perceptron_teacher(3, 30, seed=1), mlp_teacher(3, 2, 30, seed=1)):
        theta = 0.3 * torch.randn(model.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
        h = loss_hessian(model, data, theta)
        assert np.allclose(h, _finite_difference_hessian(model, data, theta), atol=1e-7, rtol=0)
        batch = torch.stack([theta, 2 * theta])
        assert np.allclose(loss_hessians(model, data, batch)[1], loss_hessian(model, data, 2 * theta), atol=1e-13)


def test_per_sample_gradients_and_hessians_match_a_loop_over_rows() -> None:
    model, data = mlp_teacher(3, 2, 12, seed=2)
    theta = 0.5 * torch.randn(model.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    grads = per_sample_gradients(model, data, theta)
    hess = per_sample_hessians(model, data, theta)
    for mu in range(data.n):
        leaf = theta.clone().requires_grad_(True)
        loss = model.per_sample_loss(leaf[None], data.inputs[mu : mu + 1], data.targets[mu : mu + 1])[0, 0]
        (g,) = torch.autograd.grad(loss, leaf)
        assert np.allclose(grads[mu], g.numpy(), atol=1e-14)
        h_mu = torch.autograd.functional.hessian(
            lambda t, mu=mu: model.per_sample_loss(t[None], data.inputs[mu : mu + 1], data.targets[mu : mu + 1])[0, 0],
            theta,
        )
        assert np.allclose(hess[mu], h_mu.numpy(), atol=1e-13)
    assert np.allclose(hess.mean(axis=0), loss_hessian(model, data, theta), atol=1e-13)  # L_n is their mean
    centred = grads - grads.mean(axis=0)
    assert np.allclose(gradient_noise_covariance(model, data, theta), centred.T @ centred / data.n, atol=1e-15)
    assert np.allclose(gradient_noise_covariances(model, data, theta[None])[0], centred.T @ centred / data.n)


def test_minibatch_gradient_noise_has_covariance_c_over_b() -> None:
    """DataPotential minibatches (with replacement) have Cov = C/B: 40000 draws of B = 5, so each entry of the
    sample covariance has relative standard error ≈ √(2/40000) = 0.7% on the diagonal; 5% allowed for
    the largest entries."""
    model, data = perceptron_teacher(3, 25, noise_std=0.3, seed=6)
    theta = data.teacher.clone()
    c = gradient_noise_covariance(model, data, theta)
    pot = DataPotential(model, data, batch_size=5, device="cpu")
    _, grads = pot.minibatch_energy_and_grad(theta.expand(40000, -1).clone(), torch.Generator().manual_seed(0))
    sample = np.cov((grads / data.n).numpy(), rowvar=False)
    assert np.allclose(sample, c / 5, rtol=0, atol=0.05 * np.abs(c / 5).max())
    mean = (grads / data.n).mean(0).numpy()
    assert np.allclose(mean, full_batch_gradient(model, data, theta).numpy(), atol=5 * math.sqrt(c.max() / 5 / 40000))


def test_state_dependent_lyapunov_reduces_to_the_known_equations() -> None:
    """M = 0 gives the additive-noise Lyapunov equation; for linear regression on many Gaussian rows,
    M(Σ) → HΣH + tr(HΣ)H (Isserlis) and C → σ²H, i.e. the online least-squares equation of REFERENCES §6
    (n = 40000 rows: relative sampling error of the empirical moments ~1%, 4% allowed)."""
    h, c = np.diag([0.5, 1.0, 2.0]), np.diag([0.2, 0.1, 0.3])
    zero = np.zeros((9, 9))
    assert np.allclose(state_dependent_lyapunov(h, c, zero, 0.2, 3), additive_noise_stationary_covariance(h, c, 0.2, 3))
    model = SoftPerceptron(3)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40000, 3, dtype=torch.float64, generator=gen) * torch.tensor([0.5, 1.0, 2.0]).sqrt()
    hess = np.einsum("ni,nj->nij", x.numpy(), x.numpy())  # per-sample Hessians of ½(y − x·θ)²
    sigma = state_dependent_lyapunov(hess.mean(0), 0.25 * hess.mean(0), minibatch_hessian_noise(hess), 0.2, 2)
    exact = online_least_squares_stationary_covariance([0.5, 1.0, 2.0], 0.25, 0.2, 2)
    assert np.allclose(np.diag(sigma), np.diag(exact), rtol=0.04)
    assert model.dim == 3


def test_state_dependent_lyapunov_matches_simulated_sgd_on_a_finite_linear_data_set() -> None:
    """SGD with replacement on a finite least-squares problem (per-sample loss exactly quadratic, so the
    equation is exact): 384 chains at lr 0.3, B = 2, against the state-dependent solution (within 4σ), and far
    from the additive-noise equation (36% low here: it misses the state-dependent noise)."""
    from thermosym.models import DeepLinearNetwork

    net = DeepLinearNetwork([3, 1])  # a linear model y = w·x
    teacher = torch.tensor([0.5, -1.0, 0.3], dtype=torch.float64)
    data = teacher_student_data(net, teacher, 40, noise_std=0.5, seed=3)
    fit = train(net, data, TrainingConfig(optimizer="gd", lr=0.2, steps=400, newton_steps=1))
    h = loss_hessian(net, data, fit.theta)
    c = gradient_noise_covariance(net, data, fit.theta)
    m = minibatch_hessian_noise(per_sample_hessians(net, data, fit.theta))
    pot = DataPotential(net, data, batch_size=2, device="cpu")
    run = sgld(
        pot,
        fit.theta.expand(384, -1),
        0.0,
        0.3 / data.n,
        3000,
        burn_in=300,
        record_every=3,
        minibatch=True,
        record_theta=True,
        seed=4,
    )
    assert run.theta is not None
    measured = effective_temperature_covariance(run.theta, h)
    predicted = float(np.trace(h @ state_dependent_lyapunov(h, c, m, 0.3, 2)) / 3)
    additive = float(np.trace(h @ additive_noise_stationary_covariance(h, c, 0.3, 2)) / 3)
    assert abs(measured.value - predicted) < 4 * measured.stderr, (measured, predicted)
    assert abs(measured.value - additive) > 10 * measured.stderr


def test_minibatch_hessian_noise_is_the_mean_of_d_sigma_d() -> None:
    """M vec Σ = vec[(1/n) Σ_μ (H_μ − H̄) Σ (H_μ − H̄)] for symmetric H_μ and Σ (exact, float64)."""
    rng = np.random.default_rng(0)
    a = rng.normal(size=(30, 4, 4))
    per_sample = a + a.transpose(0, 2, 1)
    s = rng.normal(size=(4, 4))
    s = s + s.T
    centred = per_sample - per_sample.mean(axis=0)
    expected = np.mean([d @ s @ d for d in centred], axis=0)
    assert np.allclose((minibatch_hessian_noise(per_sample) @ s.reshape(-1)).reshape(4, 4), expected, atol=1e-13)
