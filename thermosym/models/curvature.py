"""Curvature and gradient noise of a training loss: Hessians, per-sample gradients and their covariance.

For the training loss L_n(θ) = (1/n) Σ_μ ℓ_μ(θ) of a :class:`~thermosym.models.networks.ToyModel`:

* H(θ) = ∇²L_n(θ) — :func:`loss_hessian` (one θ), :func:`loss_hessians` (a batch of θ, vmapped);
* g_μ(θ) = ∇ℓ_μ(θ) — :func:`per_sample_gradients` (every row as its own chain of the batched model);
* C(θ) = (1/n) Σ_μ (g_μ − ḡ)(g_μ − ḡ)ᵀ — :func:`gradient_noise_covariance`: a minibatch of B rows drawn
  uniformly *with replacement* has mean gradient ḡ + ξ with Cov ξ = C/B exactly (hence the 1/n, not 1/(n − 1)),
  the noise of SGD in the Lyapunov equation Σ = (I − ηH)Σ(I − ηH) + η²C/B (Mandt, Hoffman & Blei, JMLR 18 (2017),
  eq. 6 and §4; REFERENCES.md §6);
* H_μ(θ) = ∇²ℓ_μ(θ) — :func:`per_sample_hessians`, whose spread makes the noise state-dependent
  (:func:`minibatch_hessian_noise`).

Hessians come from :func:`batched_hessians` (dim double-backward passes over a batch of independent rows), not
``torch.func``, whose first call costs 1–2 s of imports. Results are float64 numpy arrays (exact references are
numpy), computed in the data's dtype and device.

>>> from thermosym.models.data import perceptron_teacher
>>> model, data = perceptron_teacher(2, 50, seed=0)
>>> theta = data.teacher
>>> h = loss_hessian(model, data, theta)
>>> h.shape, bool(np.allclose(h, h.T))
((2, 2), True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor

from thermosym.models.data import Dataset
from thermosym.models.networks import ToyModel

RowFunction = Callable[[Tensor], Tensor]


def _as_theta(data: Dataset, theta: Tensor) -> Tensor:
    return torch.as_tensor(theta, dtype=data.inputs.dtype, device=data.inputs.device)


def batched_hessians(fn: RowFunction, theta: Tensor) -> Tensor:
    """∇²f_c at every row θ_c of ``theta`` [m, dim], for f: [m, dim] → [m] whose rows are independent
    (f_c depends on θ_c only): the Hessian of Σ_c f_c is block diagonal, so ``dim`` double-backward passes give
    every block at once (row j of every H_c from ∇_θ Σ_c ∂_j f_c). Shape [m, dim, dim]."""
    with torch.enable_grad():
        leaf = theta.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(fn(leaf).sum(), leaf, create_graph=True)
        rows = [torch.autograd.grad(grad[:, j].sum(), leaf, retain_graph=True)[0] for j in range(theta.shape[1])]
    return torch.stack(rows, dim=1).detach()


def _symmetric(h: Tensor) -> np.ndarray:
    out = h.to(torch.float64).cpu().numpy()
    return np.asarray(0.5 * (out + np.swapaxes(out, -1, -2)))


def loss_hessian(model: ToyModel, data: Dataset, theta: Tensor) -> np.ndarray:
    """H = ∇²L_n(θ), [dim, dim] float64 (symmetrised)."""
    return loss_hessians(model, data, _as_theta(data, theta).reshape(1, -1))[0]


def loss_hessians(model: ToyModel, data: Dataset, thetas: Tensor) -> np.ndarray:
    """∇²L_n at each row of ``thetas`` [m, dim] → [m, dim, dim] float64."""
    theta = _as_theta(data, thetas)
    return _symmetric(batched_hessians(lambda t: model.loss(t, data.inputs, data.targets), theta))


def _rows(data: Dataset, theta: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Every (θ, row μ) pair as a 'chain' with its own one-row data set: θ repeated [m·n, dim],
    inputs [m·n, 1, in], targets [m·n, 1, out] (θ-major)."""
    m, n = theta.shape[0], data.n
    return (
        theta.repeat_interleave(n, dim=0),
        data.inputs[None].expand(m, -1, -1).reshape(m * n, 1, -1),
        data.targets[None].expand(m, -1, -1).reshape(m * n, 1, -1),
    )


def per_sample_gradients(model: ToyModel, data: Dataset, theta: Tensor) -> np.ndarray:
    """g_μ = ∇ℓ_μ(θ) for every row μ, [n, dim] float64."""
    return _per_sample_gradient_batch(model, data, _as_theta(data, theta).reshape(1, -1))[0]


def _per_sample_gradient_batch(model: ToyModel, data: Dataset, thetas: Tensor) -> np.ndarray:
    """[m, n, dim] per-sample gradients at each of m parameter vectors (each row a 'chain')."""
    theta, x, y = _rows(data, thetas)
    _, grad = model.loss_and_grad(theta, x, y)
    return np.asarray(grad.to(torch.float64).cpu().numpy().reshape(thetas.shape[0], data.n, -1))


def per_sample_hessians(model: ToyModel, data: Dataset, theta: Tensor) -> np.ndarray:
    """H_μ = ∇²ℓ_μ(θ) for every row μ, [n, dim, dim] float64."""
    rows, x, y = _rows(data, _as_theta(data, theta).reshape(1, -1))
    return _symmetric(batched_hessians(lambda t: model.loss(t, x, y), rows))


def _covariance(g: np.ndarray) -> np.ndarray:
    centred = g - g.mean(axis=-2, keepdims=True)
    return np.asarray(np.einsum("...ni,...nj->...ij", centred, centred) / g.shape[-2])


def gradient_noise_covariance(model: ToyModel, data: Dataset, theta: Tensor) -> np.ndarray:
    """C(θ) = (1/n) Σ_μ (g_μ − ḡ)(g_μ − ḡ)ᵀ, [dim, dim] float64 (see the module docstring for the 1/n)."""
    return _covariance(per_sample_gradients(model, data, theta))


def gradient_noise_covariances(model: ToyModel, data: Dataset, thetas: Tensor, chunk: int = 64) -> np.ndarray:
    """C(θ) at each row of ``thetas`` [m, dim] → [m, dim, dim] float64 (``chunk`` rows of θ at a time)."""
    theta = _as_theta(data, thetas)
    return np.concatenate(
        [
            _covariance(_per_sample_gradient_batch(model, data, theta[i : i + chunk]))
            for i in range(0, len(theta), chunk)
        ]
    )


def minibatch_hessian_noise(per_sample: np.ndarray) -> np.ndarray:
    """The superoperator M with vec M(Σ) = (1/n) Σ_μ (H_μ − H) Σ (H_μ − H), as a [dim², dim²] matrix.

    For SGD on a quadratic per-sample loss, θ ← θ − η(Ĥ_B δ + ĝ_B) with Ĥ_B, ĝ_B the means over B rows drawn with
    replacement, E[(Ĥ_B − H)Σ(Ĥ_B − H)] = M(Σ)/B, so the exact stationary covariance solves
    Σ = (I − ηH)Σ(I − ηH) + (η²/B)[C + M(Σ)] (the finite-data form of the online least-squares equation of
    REFERENCES.md §6; :func:`state_dependent_lyapunov`).
    """
    h = np.asarray(per_sample, dtype=np.float64)
    n, dim = h.shape[0], h.shape[1]
    flat = (h - h.mean(axis=0, keepdims=True)).reshape(n, dim * dim)
    # Σ_μ D_μ[i,j] D_μ[k,l] as one matrix product, then (i,j),(k,l) → (i,k),(j,l): vec(DΣD) = (D ⊗ D) vec Σ
    # (row-major vec, D symmetric)
    gram = (flat.T @ flat / n).reshape(dim, dim, dim, dim)
    return np.asarray(gram.transpose(0, 2, 1, 3).reshape(dim * dim, dim * dim))


def state_dependent_lyapunov(
    hessian_matrix: np.ndarray, noise_cov: np.ndarray, hessian_noise: np.ndarray, lr: float, batch: int
) -> np.ndarray:
    """Σ solving Σ = (I − ηH)Σ(I − ηH) + (η²/B)[C + M(Σ)] (M from :func:`minibatch_hessian_noise`), by one
    linear solve in vec Σ; ValueError if the iteration is not mean-square stable (the solution is not positive
    definite)."""
    h = np.asarray(hessian_matrix, dtype=np.float64)
    c = np.asarray(noise_cov, dtype=np.float64)
    dim = h.shape[0]
    a = np.eye(dim) - lr * h
    operator = np.eye(dim * dim) - np.kron(a, a) - (lr**2 / batch) * np.asarray(hessian_noise)
    sigma = np.linalg.solve(operator, (lr**2 / batch) * c.reshape(-1)).reshape(dim, dim)
    sigma = 0.5 * (sigma + sigma.T)
    if np.linalg.eigvalsh(sigma)[0] <= 0:
        raise ValueError(f"SGD with lr = {lr:g}, batch = {batch} is not mean-square stable here")
    return np.asarray(sigma)
