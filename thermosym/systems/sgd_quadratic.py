"""Stationary states of SGD and SGLD on a quadratic loss L = ½θᵀHθ (``../shared/REFERENCES.md`` §6).

Source: Mandt, Hoffman & Blei, "Stochastic gradient descent as approximate Bayesian inference", JMLR 18(134),
1–35 (2017) (the Ornstein-Uhlenbeck/continuous-time approximation and its stationary covariance from the
Lyapunov equation HΣ + ΣH = (η/B)C). This module gives the *exact* discrete-time stationary covariances as well:

* additive gradient noise θ ← θ − η(Hθ + ξ), ξ ~ N(0, C/B):   Σ = (I − ηH)Σ(I − ηH) + η²C/B;
* online least squares, a fresh batch of B inputs x ~ N(0, H) with label noise σ² each step:
  Σ = (I − ηH)Σ(I − ηH) + (η²/B)[HΣH + (tr HΣ + σ²)H]  (derived below; REFERENCES §6 agrees);
* SGLD θ ← θ − ηHθ + √(2ηT) z:   Σ = T[H(I − ηH/2)]⁻¹.

A Gibbs state of L at temperature T has Σ = T H⁻¹, i.e. equal per-mode temperatures Tᵢ = hᵢΣᵢᵢ;
:func:`gibbs_departure` measures how far a Gaussian stationary state is from every such state.

>>> rows = sgd_quadratic_table([0.5, 1.0, 2.0], lr=0.5, batch=2)
>>> [round(r["temperature"], 4) for r in rows], rows[0]["temperature_small_lr"]
([0.1429, 0.1667, 0.25], 0.125)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike

from thermosym.systems.base import FloatArray

__all__ = [
    "GibbsDeparture",
    "additive_noise_stationary_covariance",
    "effective_temperature",
    "gibbs_departure",
    "isotropic_stationary_covariance",
    "mode_temperatures",
    "online_least_squares_stationary_covariance",
    "sgd_quadratic_table",
    "sgld_stationary_covariance",
    "small_lr_stationary_covariance",
]


def _as_hessian(hessian: ArrayLike) -> FloatArray:
    """A symmetric finite matrix; a 1-D array is taken as the diagonal (the eigenvalues)."""
    h = np.array(hessian, dtype=np.float64)
    if h.ndim == 0:
        h = h.reshape(1, 1)
    elif h.ndim == 1:
        h = np.diag(h)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] == 0:
        raise ValueError(f"hessian must be a square matrix or a vector of eigenvalues, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError("hessian must be finite")
    if not np.allclose(h, h.T, rtol=0.0, atol=1e-12 * max(float(np.max(np.abs(h))), 1e-300)):
        raise ValueError("hessian must be symmetric")
    return np.asarray(0.5 * (h + h.T), dtype=np.float64)


def _check_positive(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and positive, got {value!r}")
    return v


def _check_batch(batch: int) -> int:
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    return int(batch)


def _check_stable(h: FloatArray, lr: float) -> FloatArray:
    """Eigenvalues of H after checking that I − ηH is a contraction (spectral radius < 1 ⇔ 0 < ηhᵢ < 2)."""
    eig = np.linalg.eigvalsh(h)
    if eig[0] <= 0:
        raise ValueError(
            f"hessian must be positive definite for a stationary state (smallest eigenvalue {eig[0]:g}): "
            f"|1 − ηh| ≥ 1 along that mode for every learning rate"
        )
    if lr * eig[-1] >= 2:
        raise ValueError(
            f"learning rate η = {lr:g} is unstable: the largest Hessian eigenvalue h = {eig[-1]:g} gives "
            f"|1 − ηh| = {abs(1 - lr * eig[-1]):g} ≥ 1 (stable needs η < 2/h = {2 / eig[-1]:g})"
        )
    return np.asarray(eig, dtype=np.float64)


def _as_noise_covariance(noise_cov: ArrayLike, dim: int) -> FloatArray:
    c = np.array(noise_cov, dtype=np.float64)
    if c.shape != (dim, dim):
        raise ValueError(f"noise_cov must be a {dim}×{dim} matrix, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or not np.allclose(c, c.T, rtol=0.0, atol=1e-12 * max(np.max(np.abs(c)), 1e-300)):
        raise ValueError("noise_cov must be finite and symmetric")
    c = 0.5 * (c + c.T)
    if np.min(np.linalg.eigvalsh(c)) < -1e-12 * max(float(np.max(np.abs(c))), 1e-300):
        raise ValueError("noise_cov must be positive semi-definite")
    return np.asarray(c, dtype=np.float64)


def additive_noise_stationary_covariance(hessian: ArrayLike, noise_cov: ArrayLike, lr: float, batch: int) -> FloatArray:
    """Exact stationary Cov θ of θ ← θ − η(Hθ + ξ), ξ ~ N(0, C/B): Σ = (I − ηH)Σ(I − ηH) + η²C/B.

    Solved by scipy.linalg.solve_discrete_lyapunov. Raises ValueError unless 0 < ηhᵢ < 2 for every eigenvalue.
    """
    h = _as_hessian(hessian)
    eta = _check_positive("lr", lr)
    b = _check_batch(batch)
    _check_stable(h, eta)
    c = _as_noise_covariance(noise_cov, h.shape[0])
    a = np.eye(h.shape[0]) - eta * h
    sigma = scipy.linalg.solve_discrete_lyapunov(a, eta**2 * c / b)
    return np.asarray(0.5 * (sigma + sigma.T), dtype=np.float64)


def small_lr_stationary_covariance(hessian: ArrayLike, noise_cov: ArrayLike, lr: float, batch: int) -> FloatArray:
    """The small-η (continuous-time) limit: HΣ + ΣH = (η/B)C (Mandt, Hoffman & Blei 2017).

    It is the exact equation to first order in η: expanding the discrete one gives HΣ + ΣH − ηHΣH = (η/B)C.
    """
    h = _as_hessian(hessian)
    eta = _check_positive("lr", lr)
    b = _check_batch(batch)
    if np.linalg.eigvalsh(h)[0] <= 0:
        raise ValueError("hessian must be positive definite for a stationary state")
    c = _as_noise_covariance(noise_cov, h.shape[0])
    sigma = scipy.linalg.solve_continuous_lyapunov(h, eta * c / b)
    return np.asarray(0.5 * (sigma + sigma.T), dtype=np.float64)


def isotropic_stationary_covariance(hessian: ArrayLike, noise_var: float, lr: float, batch: int) -> FloatArray:
    """Closed form for C = σ²I: Σ = (ησ²/B)[H(2I − ηH)]⁻¹ (H and Σ commute; 1 − (1 − ηh)² = ηh(2 − ηh))."""
    h = _as_hessian(hessian)
    eta = _check_positive("lr", lr)
    b = _check_batch(batch)
    s2 = _check_positive("noise_var", noise_var)
    _check_stable(h, eta)
    d = h.shape[0]
    sigma = (eta * s2 / b) * np.linalg.inv(h @ (2 * np.eye(d) - eta * h))
    return np.asarray(0.5 * (sigma + sigma.T), dtype=np.float64)


def mode_temperatures(hessian_eigenvalues: ArrayLike, noise_var: float, lr: float, batch: int) -> FloatArray:
    """Per-mode temperatures Tᵢ = hᵢΣᵢᵢ = ησ²/(B(2 − ηhᵢ)) for isotropic noise C = σ²I."""
    eig = np.atleast_1d(np.asarray(hessian_eigenvalues, dtype=np.float64))
    eta = _check_positive("lr", lr)
    b = _check_batch(batch)
    s2 = _check_positive("noise_var", noise_var)
    _check_stable(np.diag(eig), eta)
    return np.asarray(eta * s2 / (b * (2 - eta * eig)), dtype=np.float64)


def effective_temperature(noise_var: float, lr: float, batch: int) -> float:
    """T_eff = ησ²/(2B), the η → 0 limit of every Tᵢ for isotropic noise (Mandt, Hoffman & Blei 2017)."""
    return _check_positive("lr", lr) * _check_positive("noise_var", noise_var) / (2 * _check_batch(batch))


def online_least_squares_stationary_covariance(
    hessian: ArrayLike, noise_var: float, lr: float, batch: int
) -> FloatArray:
    """Stationary Cov(θ − θ*) of online least-squares SGD with a fresh batch each step.

    Model: x ~ N(0, H), y = x·θ* + ε, ε ~ N(0, σ²), per-sample loss ½(y − x·θ)², step
    θ ← θ − (η/B) Σ_b x_b(x_b·θ − y_b). With δ = θ − θ* and Ĥ = (1/B)Σ_b x_b x_bᵀ the update is
    δ ← (I − ηĤ)δ + (η/B)Σ_b x_b ε_b. Isserlis' theorem for Gaussian x gives E[x xᵀ Σ x xᵀ] = 2HΣH + tr(HΣ)H,
    so E[ĤΣĤ] = HΣH + (HΣH + tr(HΣ)H)/B, and the noise term contributes (η²σ²/B)H:

        Σ = (I − ηH)Σ(I − ηH) + (η²/B)[HΣH + (tr HΣ + σ²)H]   (as in REFERENCES §6).

    In the eigenbasis of H the off-diagonal entries vanish and the diagonal solves exactly: with
    aᵢ = ηhᵢ(2 − ηhᵢ(1 + 1/B)) and c = (η²/B)Σᵢ hᵢ²/aᵢ, sᵢ = (η²/B)hᵢσ²/((1 − c)aᵢ). The iteration is
    mean-square stable iff every aᵢ > 0 and c < 1 (else ValueError). In 1-D: Σ = ησ²/(2B − ηh(B + 2)).
    """
    h = _as_hessian(hessian)
    eta = _check_positive("lr", lr)
    b = _check_batch(batch)
    s2 = _check_positive("noise_var", noise_var)
    eig, vectors = np.linalg.eigh(h)
    if eig[0] <= 0:
        raise ValueError(f"hessian must be positive definite (smallest eigenvalue {eig[0]:g})")
    a = eta * eig * (2 - eta * eig * (1 + 1 / b))
    c = (eta**2 / b) * float(np.sum(eig**2 / a)) if np.all(a > 0) else math.inf
    if not np.all(a > 0) or c >= 1:
        raise ValueError(
            f"learning rate η = {eta:g} with batch B = {b} is not mean-square stable for online least squares "
            f"(largest Hessian eigenvalue h = {eig[-1]:g}; in 1-D stability needs ηh < 2B/(B + 2))"
        )
    s = (eta**2 / b) * eig * s2 / ((1 - c) * a)
    sigma = (vectors * s) @ vectors.T
    return np.asarray(0.5 * (sigma + sigma.T), dtype=np.float64)


def sgld_stationary_covariance(hessian: ArrayLike, temperature: float, lr: float) -> FloatArray:
    """Exact stationary Cov θ of SGLD θ ← θ − ηHθ + √(2ηT) z: Σ = T[H(I − ηH/2)]⁻¹.

    Per mode Σ = 2ηT/(1 − (1 − ηh)²) = T/(h(1 − ηh/2)): the step-size bias is the factor 1/(1 − ηh/2).
    """
    h = _as_hessian(hessian)
    eta = _check_positive("lr", lr)
    t = _check_positive("temperature", temperature)
    _check_stable(h, eta)
    sigma = t * np.linalg.inv(h @ (np.eye(h.shape[0]) - 0.5 * eta * h))
    return np.asarray(0.5 * (sigma + sigma.T), dtype=np.float64)


@dataclass(frozen=True)
class GibbsDeparture:
    """How far a stationary Gaussian N(0, Σ) is from the Gibbs states N(0, T H⁻¹) of L = ½θᵀHθ.

    ``temperatures`` are the eigenvalues tⱼ of H^{1/2} Σ H^{1/2} (ascending; for commuting H and Σ they are
    the per-mode temperatures hᵢΣᵢᵢ); all equal ⇔ Gibbs. ``best_temperature`` = tr(HΣ)/d (the T that
    minimises the KL divergence, and the equipartition temperature 2⟨L⟩/d); ``relative_spread`` =
    (max t − min t)/best_temperature; ``kl_divergence`` = min_T KL(N(0, Σ) ‖ N(0, T H⁻¹))
    = ½[d ln(mean t) − Σⱼ ln tⱼ] ≥ 0, zero iff Gibbs.
    """

    temperatures: tuple[float, ...]
    best_temperature: float
    relative_spread: float
    kl_divergence: float


def gibbs_departure(hessian: ArrayLike, covariance: ArrayLike) -> GibbsDeparture:
    """Measure the departure of N(0, Σ) from every Gibbs state of L = ½θᵀHθ (see :class:`GibbsDeparture`).

    >>> d = gibbs_departure([1.0, 4.0], np.diag([0.5, 0.125]))  # Σ = 0.5 H⁻¹: Gibbs at T = 0.5
    >>> d.best_temperature, d.relative_spread, abs(d.kl_divergence) < 1e-15
    (0.5, 0.0, True)
    """
    h = _as_hessian(hessian)
    sigma = np.array(covariance, dtype=np.float64)
    if sigma.shape != h.shape:
        raise ValueError(f"covariance must have the shape of the hessian {h.shape}, got {sigma.shape}")
    eig, vectors = np.linalg.eigh(h)
    if eig[0] <= 0:
        raise ValueError("hessian must be positive definite")
    root = (vectors * np.sqrt(eig)) @ vectors.T
    t = np.linalg.eigvalsh(root @ (0.5 * (sigma + sigma.T)) @ root)
    if t[0] <= 0:
        raise ValueError("covariance must be positive definite")
    mean_t = float(np.mean(t))
    kl = 0.5 * (t.size * math.log(mean_t) - float(np.sum(np.log(t))))
    return GibbsDeparture(
        temperatures=tuple(float(x) for x in t),
        best_temperature=mean_t,
        relative_spread=float((t[-1] - t[0]) / mean_t),
        kl_divergence=max(kl, 0.0),
    )


def sgd_quadratic_table(
    hessian_eigenvalues: ArrayLike, lr: float, batch: int, noise_var: float = 1.0
) -> list[dict[str, float]]:
    """Rows per Hessian mode for ``thermosym systems sgd-quadratic --hessian … --lr … --batch …``.

    Isotropic gradient noise C = σ²I (unit by default). Keys: ``h``; ``variance`` (exact Σᵢᵢ =
    ησ²/(Bhᵢ(2 − ηhᵢ))); ``temperature`` (exact Tᵢ = hᵢΣᵢᵢ); ``variance_small_lr`` (ησ²/(2Bhᵢ), from
    HΣ + ΣH = (η/B)σ²I); ``temperature_small_lr`` (T_eff = ησ²/(2B)).
    """
    eig = np.atleast_1d(np.asarray(hessian_eigenvalues, dtype=np.float64))
    if eig.ndim != 1 or eig.size == 0:
        raise ValueError(f"hessian_eigenvalues must be a non-empty list, got {hessian_eigenvalues!r}")
    temps = mode_temperatures(eig, noise_var, lr, batch)
    t_eff = effective_temperature(noise_var, lr, batch)
    return [
        {
            "h": float(h),
            "variance": float(t / h),
            "temperature": float(t),
            "variance_small_lr": float(t_eff / h),
            "temperature_small_lr": float(t_eff),
        }
        for h, t in zip(eig, temps, strict=True)
    ]
