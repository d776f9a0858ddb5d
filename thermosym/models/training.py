"""Training a toy model to a minimum of its training loss: SGD, Adam or full-batch gradient descent, then Newton.

The loss is the full-batch L_n(θ) = (1/n) Σ_μ ½|y_μ − f_θ(x_μ)|² of :class:`~thermosym.models.networks.ToyModel`;
a run starts from LeCun-scaled random weights (or a given θ₀), takes ``steps`` optimiser steps on full batches or
on with-replacement minibatches of ``batch_size`` rows (seeded), and can finish with ``newton_steps`` damped
Newton steps θ ← θ − (H + μI)⁻¹∇L_n on the full batch, which take a regular minimum to machine precision (so
that the Hessian and the per-sample gradient covariance of :mod:`thermosym.models.curvature` are those *at* the
minimum, where ∇L_n = 0). Newton is wrong for singular minima (deep linear networks): leave it at 0 there.

Optimisers: ``sgd`` (θ ← θ − η∇), ``adam`` (Kingma & Ba, ICLR 2015, Algorithm 1) and ``gd``
(SGD on full batches). All in the dtype of the data (float64 by default).

>>> from thermosym.models.data import perceptron_teacher
>>> model, data = perceptron_teacher(3, 200, noise_std=0.1, seed=0)
>>> fit = train(model, data, TrainingConfig(optimizer="adam", lr=0.05, steps=300, newton_steps=5))
>>> fit.gradient_norm < 1e-12, round(fit.loss, 3)
(True, 0.005)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from thermosym.models.data import Dataset
from thermosym.models.networks import ToyModel

OPTIMIZERS = ("sgd", "adam", "gd")


@dataclass(frozen=True)
class TrainingConfig:
    """How to train: optimiser, learning rate, steps, minibatch size (None: full batch), Newton polish, seed,
    initial scale (× LeCun), and how often to record the full-batch loss."""

    optimizer: str = "adam"
    lr: float = 1e-2
    steps: int = 1000
    batch_size: int | None = None
    newton_steps: int = 0
    newton_damping: float = 0.0
    seed: int = 0
    init_scale: float = 1.0
    record_every: int = 50

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if not (math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be positive and finite, got {self.lr!r}")
        for name in ("steps", "newton_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.batch_size is not None and (
            isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1
        ):
            raise ValueError(f"batch_size must be a positive integer or None, got {self.batch_size!r}")
        if self.optimizer == "gd" and self.batch_size is not None:
            raise ValueError("optimizer 'gd' is full-batch: leave batch_size None (or use 'sgd')")
        if not (math.isfinite(self.newton_damping) and self.newton_damping >= 0):
            raise ValueError(f"newton_damping must be non-negative, got {self.newton_damping!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        if not (math.isfinite(self.init_scale) and self.init_scale >= 0):
            raise ValueError(f"init_scale must be non-negative, got {self.init_scale!r}")
        if isinstance(self.record_every, bool) or not isinstance(self.record_every, int) or self.record_every < 1:
            raise ValueError(f"record_every must be a positive integer, got {self.record_every!r}")


@dataclass(frozen=True)
class TrainedModel:
    """The result of :func:`train`: θ̂ ([dim], on the data's device), its full-batch loss L_n(θ̂) and gradient
    norm |∇L_n(θ̂)|, and the full-batch loss recorded during training."""

    model: ToyModel
    data: Dataset
    theta: Tensor
    loss: float
    gradient_norm: float
    history: np.ndarray
    config: TrainingConfig
    details: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """JSON-ready description for evidence records."""
        return {
            "model": self.model.name,
            "optimizer": self.config.optimizer,
            "lr": self.config.lr,
            "steps": self.config.steps,
            "batch_size": self.config.batch_size,
            "newton_steps": self.config.newton_steps,
            "train_seed": self.config.seed,
            "final_loss": self.loss,
            "final_gradient_norm": self.gradient_norm,
            **self.data.summary(),
        }


class _Sgd:
    """θ ← θ − η g."""

    def __init__(self, lr: float) -> None:
        self.lr = lr

    def __call__(self, theta: Tensor, grad: Tensor) -> Tensor:
        return theta - self.lr * grad


class _Adam:
    """Adam (Kingma & Ba, ICLR 2015, Algorithm 1; β₁ = 0.9, β₂ = 0.999, ε = 1e-8): m ← β₁m + (1 − β₁)g,
    v ← β₂v + (1 − β₂)g², θ ← θ − η m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).
    (Written out rather than torch.optim.Adam, whose first call imports torch._dynamo: 1.6 s.)"""

    def __init__(self, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m: Tensor | None = None
        self.v: Tensor | None = None
        self.t = 0

    def __call__(self, theta: Tensor, grad: Tensor) -> Tensor:
        if self.m is None or self.v is None:
            self.m, self.v = torch.zeros_like(theta), torch.zeros_like(theta)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad * grad
        m_hat = self.m / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        return theta - self.lr * m_hat / (v_hat.sqrt() + self.eps)


def full_batch_loss(model: ToyModel, data: Dataset, theta: Tensor) -> float:
    """L_n(θ) on all n rows, as a float."""
    with torch.no_grad():
        return float(model.loss(theta.reshape(1, -1), data.inputs, data.targets)[0])


def full_batch_gradient(model: ToyModel, data: Dataset, theta: Tensor) -> Tensor:
    """∇L_n(θ) on all n rows, shape [dim]."""
    with torch.enable_grad():
        leaf = theta.detach().reshape(1, -1).clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(model.loss(leaf, data.inputs, data.targets).sum(), leaf)
    return grad[0]


def _newton(model: ToyModel, data: Dataset, theta: Tensor, steps: int, damping: float) -> Tensor:
    from thermosym.models.curvature import loss_hessian

    for _ in range(steps):
        grad = full_batch_gradient(model, data, theta)
        hess = torch.as_tensor(loss_hessian(model, data, theta), dtype=theta.dtype, device=theta.device)
        hess = hess + damping * torch.eye(model.dim, dtype=theta.dtype, device=theta.device)
        theta = theta - torch.linalg.solve(hess, grad)
    return theta


def train(
    model: ToyModel,
    data: Dataset,
    config: TrainingConfig,
    init: Tensor | None = None,
    objective: Callable[[Tensor], Tensor] | None = None,
) -> TrainedModel:
    """Minimise L_n from ``init`` (default: LeCun × ``init_scale`` with the config's seed); see the module doc.

    ``objective`` (θ [1, dim] → [1]) replaces the full-batch L_n in the optimiser steps when it computes the same
    function faster, e.g. ``LinearNetworkPotential(network, data, scale=1.0).energy`` (sufficient statistics);
    the reported loss and gradient are always those of L_n on the data. It needs full batches.
    """
    if objective is not None and config.batch_size is not None:
        raise ValueError("objective replaces the full-batch loss: use batch_size=None with it")
    device, dtype = data.inputs.device, data.inputs.dtype
    gen = torch.Generator(device="cpu").manual_seed(config.seed)
    if init is None:
        theta0 = model.initial_parameters(gen, config.init_scale).to(device=device, dtype=dtype)
    else:
        theta0 = torch.as_tensor(init, dtype=dtype, device=device).reshape(-1).clone()
        if theta0.numel() != model.dim:
            raise ValueError(f"init must have {model.dim} entries, got {theta0.numel()}")
    theta = theta0.reshape(1, -1).clone()
    step_fn = _Adam(config.lr) if config.optimizer == "adam" else _Sgd(config.lr)
    history = []
    for step in range(config.steps):
        if config.batch_size is None:
            x, y = data.inputs, data.targets
        else:
            index = torch.randint(data.n, (config.batch_size,), generator=gen).to(device)
            x, y = data.inputs[index], data.targets[index]
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            loss = (model.loss(leaf, x, y) if objective is None else objective(leaf)).sum()
            (grad,) = torch.autograd.grad(loss, leaf)
        if not torch.isfinite(loss):
            raise ValueError(f"training diverged at step {step} (loss {float(loss)}): lower lr={config.lr}")
        theta = step_fn(theta, grad)
        if step % config.record_every == 0:
            history.append(full_batch_loss(model, data, theta[0]))
    theta = theta.detach()[0]
    if config.newton_steps:
        theta = _newton(model, data, theta, config.newton_steps, config.newton_damping)
    final = full_batch_loss(model, data, theta)
    history.append(final)
    grad_norm = float(full_batch_gradient(model, data, theta).norm())
    return TrainedModel(model, data, theta, final, grad_norm, np.asarray(history), config)
