"""Teacher-student data sets with fixed seeds: inputs x_μ ~ N(0, I), labels y_μ = f_{θ*}(x_μ) + σ ξ_μ.

Everything is drawn on the CPU in float64 from one ``torch.Generator`` seeded with ``seed`` and then moved to the
requested device and dtype, so a data set is the same on every machine (Engel & Van den Broeck, *Statistical
Mechanics of Learning*, CUP 2001, ch. 1: the teacher-student scenario).

* :func:`teacher_student_data` — any :class:`~thermosym.models.networks.ToyModel` as the teacher;
* :func:`perceptron_teacher`, :func:`mlp_teacher` — a random teacher of a given scale and its data;
* :func:`low_rank_teacher` — noise-free data from a linear teacher W₀ of rank r with given singular values,
  optionally *whitened* (XᵀX/n = I exactly), for which the training loss of any linear network is
  L_n(W) = ½|W − W₀|²_F, the population loss of reduced-rank regression (Aoyagi & Watanabe, Neural Networks 18,
  924 (2005)); :func:`balanced_factorization` gives its most singular true parameter.

>>> data = low_rank_teacher(4, 3, rank=1, n=50, seed=0)
>>> data.n, tuple(data.inputs.shape), round(float((data.inputs.T @ data.inputs / 50)[0, 0]), 12)
(50, (50, 4), 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor

from thermosym.models.networks import DeepLinearNetwork, SoftPerceptron, ToyModel, TwoLayerMLP
from thermosym.sampling.device import resolve_device


@dataclass(frozen=True)
class Dataset:
    """Inputs [n, input_dim], targets [n, output_dim], the teacher (flat parameters, or W₀ flattened for a
    linear teacher) and how the set was made."""

    inputs: Tensor
    targets: Tensor
    teacher: Tensor
    noise_std: float
    seed: int
    description: str
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.inputs.ndim != 2 or self.targets.ndim != 2 or len(self.inputs) != len(self.targets):
            raise ValueError(
                f"inputs and targets must be [n, in] and [n, out] with the same n, got "
                f"{tuple(self.inputs.shape)} and {tuple(self.targets.shape)}"
            )
        if len(self.inputs) == 0:
            raise ValueError("a data set needs at least one row")
        if not (math.isfinite(self.noise_std) and self.noise_std >= 0):
            raise ValueError(f"noise_std must be finite and non-negative, got {self.noise_std!r}")

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.inputs.shape[0])

    def to(self, device: str | torch.device | None = None, dtype: str | torch.dtype | None = None) -> Dataset:
        """The same data on another device or dtype."""
        spec = resolve_device(device, dtype)
        return Dataset(
            inputs=spec.tensor(self.inputs),
            targets=spec.tensor(self.targets),
            teacher=spec.tensor(self.teacher),
            noise_std=self.noise_std,
            seed=self.seed,
            description=self.description,
            details=dict(self.details),
        )

    def summary(self) -> dict[str, Any]:
        """JSON-ready description for evidence records."""
        return {"data": self.description, "n": self.n, "noise_std": self.noise_std, "seed": self.seed, **self.details}


def _generator(seed: int) -> torch.Generator:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return torch.Generator(device="cpu").manual_seed(seed)


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    return n


def teacher_student_data(
    teacher: ToyModel,
    teacher_theta: Tensor,
    n: int,
    *,
    noise_std: float = 0.0,
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> Dataset:
    """x_μ ~ N(0, I_N), y_μ = f_{θ*}(x_μ) + σ ξ_μ with ξ_μ ~ N(0, I), μ = 1 … n (drawn in float64 on the CPU)."""
    n = _check_n(n)
    if not (math.isfinite(noise_std) and noise_std >= 0):
        raise ValueError(f"noise_std must be finite and non-negative, got {noise_std!r}")
    gen = _generator(seed)
    star = torch.as_tensor(teacher_theta, dtype=torch.float64).reshape(1, -1).cpu()
    teacher.check_theta(star)
    x = torch.randn(n, teacher.input_dim, generator=gen, dtype=torch.float64)
    noise = torch.randn(n, teacher.output_dim, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        y = teacher.forward(star, x)[0] + noise_std * noise
    data = Dataset(x, y, star[0], float(noise_std), seed, f"teacher {teacher.name}")
    return data.to(device, dtype)


def perceptron_teacher(
    input_dim: int,
    n: int,
    *,
    noise_std: float = 0.1,
    teacher_norm: float = 1.0,
    activation: str = "tanh",
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> tuple[SoftPerceptron, Dataset]:
    """A soft perceptron teacher w* (uniform direction, |w*| = ``teacher_norm``, so the pre-activation w*·x is
    N(0, |w*|²)) and n noisy examples; returns the student architecture (the same) and the data."""
    model = SoftPerceptron(input_dim, activation)
    gen = _generator(seed + 1_000_003)
    w = torch.randn(input_dim, generator=gen, dtype=torch.float64)
    w = teacher_norm * w / w.norm()
    return model, teacher_student_data(model, w, n, noise_std=noise_std, seed=seed, device=device, dtype=dtype)


def mlp_teacher(
    input_dim: int,
    hidden: int,
    n: int,
    *,
    noise_std: float = 0.1,
    activation: str = "tanh",
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> tuple[TwoLayerMLP, Dataset]:
    """A soft committee teacher with first-layer rows w_k of norm 1 and second-layer weights v_k = 1/√K, and n
    noisy examples; returns the architecture and the data."""
    model = TwoLayerMLP(input_dim, hidden, activation)
    gen = _generator(seed + 1_000_003)
    w = torch.randn(hidden, input_dim, generator=gen, dtype=torch.float64)
    w = w / w.norm(dim=1, keepdim=True)
    v = torch.full((hidden,), 1.0 / math.sqrt(hidden), dtype=torch.float64)
    theta = torch.cat([w.reshape(-1), v])
    return model, teacher_student_data(model, theta, n, noise_std=noise_std, seed=seed, device=device, dtype=dtype)


def low_rank_matrix(output_dim: int, input_dim: int, singular_values: ArrayLike, seed: int) -> np.ndarray:
    """W₀ = U diag(s) Vᵀ with Haar-random orthonormal U (N×r), V (M×r) (QR of Gaussian matrices), float64."""
    s = np.asarray(singular_values, dtype=np.float64).reshape(-1)
    r = s.size
    if r > min(output_dim, input_dim) or np.any(s <= 0) or not np.all(np.isfinite(s)):
        raise ValueError(f"need 0 < r <= min({output_dim}, {input_dim}) positive singular values, got {s.tolist()}")
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.normal(size=(output_dim, r)))
    v, _ = np.linalg.qr(rng.normal(size=(input_dim, r)))
    return np.asarray(u @ np.diag(s) @ v.T)


def low_rank_teacher(
    input_dim: int,
    output_dim: int,
    *,
    rank: int,
    n: int,
    singular_values: Sequence[float] | None = None,
    whiten: bool = True,
    seed: int = 0,
    device: str | torch.device | None = None,
    dtype: str | torch.dtype | None = None,
) -> Dataset:
    """Noise-free data y_μ = W₀ x_μ from a rank-r teacher (singular values default 1, 0.7, 0.7², …).

    With ``whiten`` the Gaussian inputs are transformed so that XᵀX/n = I_M exactly (X ← X (XᵀX/n)^{−1/2}), so
    that for every linear network L_n(W) = ½ tr[(W − W₀)(XᵀX/n)(W − W₀)ᵀ] = ½|W − W₀|²_F: the training loss *is*
    the population loss of reduced-rank regression with x ~ N(0, I) and unit noise, for every n ≥ M. ``teacher``
    holds W₀ flattened (row-major, N×M); ``details['singular_values']`` its singular values.
    """
    n = _check_n(n)
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 0:
        raise ValueError(f"rank must be a non-negative integer, got {rank!r}")
    if whiten and n < input_dim:
        raise ValueError(f"whitening needs n >= input_dim ({input_dim}), got n = {n}")
    s = [0.7**k for k in range(rank)] if singular_values is None else list(singular_values)
    if len(s) != rank:
        raise ValueError(f"need {rank} singular values, got {len(s)}")
    w0 = low_rank_matrix(output_dim, input_dim, s, seed) if rank else np.zeros((output_dim, input_dim))
    gen = _generator(seed)
    x = torch.randn(n, input_dim, generator=gen, dtype=torch.float64)
    if whiten:
        cov = x.T @ x / n
        evals, evecs = torch.linalg.eigh(cov)
        x = x @ (evecs @ torch.diag(evals.rsqrt()) @ evecs.T)
    teacher = torch.as_tensor(w0, dtype=torch.float64)
    y = x @ teacher.T
    data = Dataset(
        x,
        y,
        teacher.reshape(-1),
        0.0,
        seed,
        f"rank-{rank} linear teacher {output_dim}x{input_dim}" + (", whitened" if whiten else ""),
        {"rank": rank, "singular_values": [float(v) for v in s], "whitened": whiten},
    )
    return data.to(device, dtype)


def balanced_factorization(network: DeepLinearNetwork, teacher: ArrayLike, rank: int) -> Tensor:
    """The most singular true parameter of ``network`` for the teacher W₀ = U S Vᵀ of rank r: W_1 = [S^{1/L}Vᵀ; 0],
    W_j = [S^{1/L} 0; 0 0] (1 < j < L), W_L = [U S^{1/L}, 0], so W_L ⋯ W_1 = W₀ and every component outside the
    rank-r block is zero (as test_llc builds it for two layers). Flat, float64, shape [dim]."""
    w0 = np.asarray(teacher, dtype=np.float64).reshape(network.output_dim, network.input_dim)
    if rank > min(network.widths):
        raise ValueError(f"rank {rank} exceeds the smallest width {min(network.widths)}")
    u, s, vt = np.linalg.svd(w0)
    root = s[:rank] ** (1.0 / network.depth)
    mats = []
    for j, (rows, cols) in enumerate(network.shapes):
        w = np.zeros((rows, cols))
        if j == 0 and network.depth == 1:
            w = w0.copy()
        elif j == 0:
            w[:rank] = np.diag(root) @ vt[:rank]
        elif j == network.depth - 1:
            w[:, :rank] = u[:, :rank] @ np.diag(root)
        else:
            w[:rank, :rank] = np.diag(root)
        mats.append(w.reshape(-1))
    return torch.as_tensor(np.concatenate(mats), dtype=torch.float64)
