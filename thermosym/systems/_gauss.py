"""Gaussian-measure quadrature and the Gaussian tail function, shared by the replica saddle points.

Notation of Engel & Van den Broeck, *Statistical Mechanics of Learning* (2001), appendix A1:

    Dt = exp(−t²/2) dt / √(2π),        H(x) = ∫ₓ^∞ Dt = ½ erfc(x/√2).

The saddle-point integrands ∫Dt f(t) that occur in the perceptron problems are smooth but can have a
sharp feature (a step of width w ≪ 1 at a known point c, for example H(kt) with k ≫ 1 at c = 0, or
tanh(q̂ + √q̂ z) at c = −√q̂). Gauss–Hermite quadrature cannot resolve such steps, so
:func:`gaussian_expectation` uses composite Gauss–Legendre panels on [−40, 40] (φ(40) ≈ 10⁻³⁴⁸ underflows,
so the truncation is exact in float64), with panels graded geometrically towards the feature. Each panel
is at most 0.5 wide, or w times a power of two near c, so every panel resolves the scale of the function
on it, and 20-point Gauss–Legendre on such a panel is exact to rounding for the analytic integrands here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

FloatArray = NDArray[np.float64]

#: half-width of the integration range; exp(−40²/2) underflows float64
_CUTOFF = 40.0
#: widest panel far from the feature
_PANEL = 0.5
#: Gauss–Legendre points per panel
_ORDER = 20


def gauss_tail(x: ArrayLike) -> FloatArray:
    """H(x) = ∫ₓ^∞ Dt = ½ erfc(x/√2), with full relative precision for x → +∞ (Engel & Van den Broeck A1)."""
    return np.asarray(special.ndtr(-np.asarray(x, dtype=np.float64)), dtype=np.float64)


def log_gauss_tail(x: ArrayLike) -> FloatArray:
    """ln H(x), finite and accurate for all finite x (scipy's ``log_ndtr``: ln H(x) ≈ −x²/2 − ln(x√(2π)))."""
    return np.asarray(special.log_ndtr(-np.asarray(x, dtype=np.float64)), dtype=np.float64)


def inverse_mills(x: ArrayLike) -> FloatArray:
    """φ(x)/H(x) (the hazard of the standard normal), without overflow: √(2/π)/erfcx(x/√2)."""
    x = np.asarray(x, dtype=np.float64)
    return np.asarray(np.sqrt(2.0 / np.pi) / special.erfcx(x / np.sqrt(2.0)), dtype=np.float64)


@lru_cache(maxsize=1)
def _legendre_rule() -> tuple[FloatArray, FloatArray]:
    nodes, weights = np.polynomial.legendre.leggauss(_ORDER)
    return nodes.astype(np.float64), weights.astype(np.float64)


def _breakpoints(feature_at: float | None, feature_width: float | None) -> FloatArray:
    """Panel edges: a uniform grid of spacing ≤ 0.5 on [−40, 40], graded geometrically towards a feature."""
    edges: list[NDArray[np.floating]] = [np.linspace(-_CUTOFF, _CUTOFF, int(2 * _CUTOFF / _PANEL) + 1)]
    if feature_at is not None and abs(feature_at) < _CUTOFF:
        width = _PANEL if feature_width is None else min(float(feature_width), _PANEL)
        if width <= 0 or not np.isfinite(width):
            raise ValueError(f"feature_width must be positive and finite, got {feature_width!r}")
        n_levels = int(np.ceil(np.log2(_PANEL / width))) + 1
        offsets = width * 2.0 ** np.arange(-2, n_levels)
        offsets = np.concatenate([[0.0], offsets, np.arange(1, 4) * width / 4.0])
        edges.append(feature_at + offsets)
        edges.append(feature_at - offsets)
    return np.asarray(np.unique(np.clip(np.concatenate(edges), -_CUTOFF, _CUTOFF)), dtype=np.float64)


@lru_cache(maxsize=256)
def _rule(feature_at: float | None, feature_width: float | None) -> tuple[FloatArray, FloatArray]:
    """Nodes t_j and weights w_j with ∑ w_j f(t_j) ≈ ∫Dt f(t) (the Gaussian density folded into w_j)."""
    grid = _breakpoints(feature_at, feature_width)
    x, w = _legendre_rule()
    lo, hi = grid[:-1, None], grid[1:, None]
    half = 0.5 * (hi - lo)
    nodes = (lo + half * (1.0 + x[None, :])).ravel()
    weights = (half * w[None, :]).ravel() * np.exp(-0.5 * nodes**2) / np.sqrt(2.0 * np.pi)
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


def gaussian_expectation(
    f: Callable[[FloatArray], ArrayLike],
    *,
    feature_at: float | None = None,
    feature_width: float | None = None,
) -> float:
    """∫Dt f(t) for a smooth f, exact to rounding when the sharpest feature of f is declared.

    ``feature_at`` and ``feature_width`` name the point c and width w of a step or kink of f narrower
    than 0.5 (the panels near c shrink to w/4); omit them for a function that varies on scales ≳ 1.
    ``f`` receives a 1-D float64 array of nodes and must return an array of the same shape.

    >>> round(gaussian_expectation(lambda t: t**2), 14)
    1.0
    >>> round(gaussian_expectation(lambda t: gauss_tail(1e3 * t), feature_at=0.0, feature_width=1e-3), 14)
    0.5
    """
    key_at = None if feature_at is None else float(feature_at)
    key_width = None if feature_width is None else float(feature_width)
    nodes, weights = _rule(key_at, key_width)
    values = np.asarray(f(nodes), dtype=np.float64)
    if values.shape != nodes.shape:
        raise ValueError(f"f must return one value per node, got shape {values.shape} for {nodes.shape}")
    # weights underflow to 0 in the far tails; 0 × (finite) keeps the sum exact, so guard only non-finite
    return float(np.sum(np.where(weights > 0.0, weights * values, 0.0)))
