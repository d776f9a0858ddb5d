"""Online SGD on teacher-student linear regression: many chains, each with its own learning rate and batch size,
as one batched tensor program (a fresh batch every step, so the stationary law is exactly known).

Model (REFERENCES.md §6, "online least squares"): inputs x ~ N(0, H), labels y = x·θ* + ε, ε ~ N(0, σ²), loss
½(y − x·θ)², and the step θ ← θ − (η/B) Σ_b x_b(x_b·θ − y_b) with B fresh examples. Its stationary covariance
Cov(θ − θ*) solves Σ = (I − ηH)Σ(I − ηH) + (η²/B)[HΣH + (tr HΣ + σ²)H]
(:func:`thermosym.systems.sgd_quadratic.online_least_squares_stationary_covariance`).

Chains with different batch sizes share one program: each step draws ``max(B)`` examples per chain and weights
example b of chain c by 1{b < B_c}/B_c, so chain c sees exactly B_c fresh examples.

>>> problem = OnlineLinearRegression(hessian_eigenvalues=(1.0, 2.0), noise_var=0.25, seed=0)
>>> run = online_sgd(problem, lrs=[0.1, 0.1], batches=[1, 4], n_steps=20, record_every=10)
>>> run.theta.shape
(2, 2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from thermosym.errors import SamplingDivergedError
from thermosym.sampling.device import make_generator, resolve_device


@dataclass(frozen=True)
class OnlineLinearRegression:
    """Inputs x ~ N(0, diag(h)), teacher θ* ~ N(0, I) drawn with ``seed``, label noise variance σ²."""

    hessian_eigenvalues: tuple[float, ...]
    noise_var: float
    seed: int = 0

    def __post_init__(self) -> None:
        h = tuple(float(v) for v in self.hessian_eigenvalues)
        object.__setattr__(self, "hessian_eigenvalues", h)
        if not h or not all(math.isfinite(v) and v > 0 for v in h):
            raise ValueError(f"hessian_eigenvalues must be positive and finite, got {self.hessian_eigenvalues!r}")
        if not (math.isfinite(self.noise_var) and self.noise_var > 0):
            raise ValueError(f"noise_var must be positive and finite, got {self.noise_var!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")

    @property
    def dim(self) -> int:
        return len(self.hessian_eigenvalues)

    @property
    def hessian(self) -> np.ndarray:
        """H = E[x xᵀ] = diag(h), the Hessian of the population loss."""
        return np.diag(self.hessian_eigenvalues)

    @property
    def teacher(self) -> np.ndarray:
        """θ* (float64)."""
        return np.random.default_rng(self.seed).normal(size=self.dim)

    @property
    def gradient_noise_covariance(self) -> np.ndarray:
        """C = Cov of the per-sample gradient x(x·θ − y) at θ*: σ²H."""
        return self.noise_var * self.hessian


@dataclass(frozen=True)
class OnlineRun:
    """Recorded parameters θ [records, chains, dim] (float64) at ``steps``, with the per-chain settings."""

    theta: np.ndarray
    steps: np.ndarray
    lrs: np.ndarray
    batches: np.ndarray
    wall_time_s: float


def online_sgd(
    problem: OnlineLinearRegression,
    lrs: Sequence[float],
    batches: Sequence[int],
    n_steps: int,
    *,
    record_every: int = 1,
    burn_in: int = 0,
    init: np.ndarray | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> OnlineRun:
    """Run one chain per entry of ``lrs``/``batches`` from ``init`` (default θ = 0, i.e. training from scratch),
    ``burn_in`` unrecorded steps then ``n_steps`` steps recorded every ``record_every``.

    Raises :class:`~thermosym.errors.SamplingDivergedError` if a chain's parameters become non-finite or exceed
    10⁶ × (1 + |θ*|).
    """
    import time

    spec = resolve_device(device, dtype)
    eta = np.asarray(lrs, dtype=np.float64)
    bs = np.asarray(batches, dtype=np.int64)
    if eta.ndim != 1 or eta.shape != bs.shape or eta.size == 0:
        raise ValueError(f"lrs and batches must be equally long non-empty lists, got {len(lrs)} and {len(batches)}")
    if np.any(~np.isfinite(eta)) or np.any(eta <= 0) or np.any(bs < 1):
        raise ValueError("lrs must be positive and batches positive integers")
    if n_steps < record_every or record_every < 1 or burn_in < 0:
        raise ValueError(
            f"need n_steps >= record_every >= 1 and burn_in >= 0, got {n_steps}, {record_every}, {burn_in}"
        )
    chains, dim, b_max = eta.size, problem.dim, int(bs.max())
    gen = make_generator(seed, spec)
    root_h = spec.tensor(np.sqrt(problem.hessian_eigenvalues))
    star = spec.tensor(problem.teacher)
    noise_std = math.sqrt(problem.noise_var)
    weights = spec.tensor((np.arange(b_max)[None, :] < bs[:, None]) / bs[:, None])  # [chains, b_max]
    lr = spec.tensor(eta)[:, None]
    theta = spec.tensor(np.zeros((chains, dim)) if init is None else np.broadcast_to(init, (chains, dim)))
    limit = 1e6 * (1.0 + float(star.norm()))
    n_records = n_steps // record_every
    records = torch.empty(n_records, chains, dim, dtype=spec.dtype, device=spec.device)
    start = time.perf_counter()
    for step in range(1, burn_in + n_steps + 1):
        x = torch.randn(chains, b_max, dim, generator=gen, dtype=spec.dtype, device=spec.device) * root_h
        eps = torch.randn(chains, b_max, generator=gen, dtype=spec.dtype, device=spec.device)
        residual = ((theta - star)[:, None, :] * x).sum(-1) - noise_std * eps  # x·θ − y
        theta = theta - lr * ((weights * residual)[:, :, None] * x).sum(1)
        k = step - burn_in
        if k > 0 and k % record_every == 0:
            if not bool(torch.isfinite(theta).all()) or float(theta.abs().max()) > limit:
                raise SamplingDivergedError(
                    step=step,
                    step_size=float(eta.max()),
                    temperature="0 (SGD)",
                    detail="online SGD parameters non-finite or exploding: lower the learning rate",
                )
            records[k // record_every - 1] = theta
    wall = time.perf_counter() - start
    return OnlineRun(
        theta=records.to(torch.float64).cpu().numpy(),
        steps=burn_in + record_every * np.arange(1, n_records + 1),
        lrs=eta,
        batches=bs,
        wall_time_s=wall,
    )
