"""Learning coefficients λ and multiplicities m of linear networks (singular learning theory).

For a tempered posterior p_β(w) ∝ φ(w) exp(−nβ K(w)) the normalising integral behaves as

    −ln Z(nβ) = λ ln(nβ) − (m − 1) ln ln(nβ) + O(1)          (Watanabe, *Algebraic Geometry and Statistical
                                                               Learning Theory*, CUP 2009, Ch. 6)

so ⟨nβK⟩ → λ − (m − 1)/ln(nβ): λ is the low-temperature heat capacity d⟨nK⟩/dT of the tempered posterior and
the multiplicity m gives its logarithmic correction (``../shared/REFERENCES.md`` §7). A regular model with d
parameters has λ = d/2, m = 1.

This module gives exact λ and m for

* reduced-rank regression y = B A x (A: H×M, B: N×H, true product of rank r), Aoyagi & Watanabe,
  Neural Networks 18, 924 (2005), Main Theorem;
* deep linear networks y = W_L ⋯ W_1 x with widths H₁ (input), …, H_{L+1} (output), true product of rank r,
  Aoyagi, "Consideration on the learning efficiency of multiple-layered neural networks with linear units",
  Neural Networks (2024) 106132, doi:10.1016/j.neunet.2024.106132, main theorem.

On every two-layer shape the two agree (tested exhaustively for small widths). Values are exact
:class:`fractions.Fraction`.

>>> lc = reduced_rank_learning_coefficient(input_dim=10, hidden=5, output_dim=10, rank=2)
>>> lc.value, lc.multiplicity
(Fraction(29, 1), 2)
>>> deep_linear_learning_coefficient([10, 5, 10], rank=2) == lc
True
>>> chain = deep_linear_learning_coefficient([1, 1, 1, 1], rank=0)  # K ∝ (w₁w₂w₃)²
>>> float(chain), chain.multiplicity
(0.5, 3)
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LearningCoefficient",
    "deep_linear_active_set",
    "deep_linear_learning_coefficient",
    "deep_linear_parameter_count",
    "deep_linear_table",
    "free_energy_leading_terms",
    "reduced_rank_learning_coefficient",
    "regular_learning_coefficient",
]


@dataclass(frozen=True)
class LearningCoefficient:
    """A learning coefficient (real log canonical threshold) λ with its multiplicity m ≥ 1.

    ``value`` is exact (an int or a Fraction; floats are refused because λ is always rational).
    """

    value: Fraction
    multiplicity: int

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, numbers.Rational):
            raise TypeError(f"value must be an int or a Fraction (λ is rational), got {self.value!r}")
        object.__setattr__(self, "value", Fraction(self.value))
        if self.value < 0:
            raise ValueError(f"value (the learning coefficient λ) must be non-negative, got {self.value}")
        if isinstance(self.multiplicity, bool) or not isinstance(self.multiplicity, numbers.Integral):
            raise TypeError(f"multiplicity must be an integer, got {self.multiplicity!r}")
        object.__setattr__(self, "multiplicity", int(self.multiplicity))
        if self.multiplicity < 1:
            raise ValueError(f"multiplicity must be at least 1, got {self.multiplicity}")

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return f"λ = {self.value}, m = {self.multiplicity}"


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_rank(rank: object, widths: Sequence[int]) -> int:
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or int(rank) < 0:
        raise ValueError(f"rank must be a non-negative integer, got {rank!r}")
    if int(rank) > min(widths):
        raise ValueError(
            f"rank {rank} exceeds the smallest width {min(widths)} of {list(widths)}: "
            "the true product cannot have that rank"
        )
    return int(rank)


def regular_learning_coefficient(n_params: int) -> LearningCoefficient:
    """λ = d/2, m = 1 for a regular model (identifiable, positive-definite Fisher information), d parameters.

    Watanabe (2009), Ch. 6, non-degenerate minimum (the BIC penalty (d/2) ln n).

    >>> regular_learning_coefficient(5)
    LearningCoefficient(value=Fraction(5, 2), multiplicity=1)
    """
    d = _check_positive_int("n_params", n_params)
    return LearningCoefficient(Fraction(d, 2), 1)


def reduced_rank_learning_coefficient(input_dim: int, hidden: int, output_dim: int, rank: int) -> LearningCoefficient:
    """λ and m of reduced-rank regression y = BAx (Aoyagi & Watanabe 2005, Main Theorem).

    With M = input_dim, H = hidden, N = output_dim, r = rank of the true B₀A₀ (0 ≤ r ≤ min(M, H, N)):

    * if N + r ≤ M + H, M + r ≤ N + H and H + r ≤ M + N:
      λ = [2(H + r)(M + N) − (M − N)² − (H + r)² + δ]/8 with δ = 1, m = 2 when M + H + N + r is odd,
      δ = 0, m = 1 when it is even;
    * else if M + H < N + r: λ = (HM − Hr + Nr)/2, m = 1;
    * else if N + H < M + r: λ = (HN − Hr + Mr)/2, m = 1;
    * else (M + N < H + r): λ = MN/2, m = 1.

    >>> reduced_rank_learning_coefficient(1, 1, 1, 0)  # K = (ab)²: λ = 1/2, m = 2
    LearningCoefficient(value=Fraction(1, 2), multiplicity=2)
    """
    m_in = _check_positive_int("input_dim", input_dim)
    h = _check_positive_int("hidden", hidden)
    n_out = _check_positive_int("output_dim", output_dim)
    r = _check_rank(rank, (m_in, h, n_out))
    if n_out + r <= m_in + h and m_in + r <= n_out + h and h + r <= m_in + n_out:
        odd = (m_in + h + n_out + r) % 2 == 1
        numerator = 2 * (h + r) * (m_in + n_out) - (m_in - n_out) ** 2 - (h + r) ** 2 + (1 if odd else 0)
        return LearningCoefficient(Fraction(numerator, 8), 2 if odd else 1)
    if m_in + h < n_out + r:
        return LearningCoefficient(Fraction(h * m_in - h * r + n_out * r, 2), 1)
    if n_out + h < m_in + r:
        return LearningCoefficient(Fraction(h * n_out - h * r + m_in * r, 2), 1)
    return LearningCoefficient(Fraction(m_in * n_out, 2), 1)


def _check_widths(widths: Sequence[int]) -> list[int]:
    ws = list(widths)
    if len(ws) < 2:
        raise ValueError(f"widths must list at least an input and an output width, got {ws!r}")
    return [_check_positive_int(f"widths[{i}]", w) for i, w in enumerate(ws)]


def _is_active_set(reduced: Sequence[int], members: Sequence[int]) -> bool:
    """Aoyagi's (2024) conditions on Σ with |Σ| = ℓ + 1 for the reduced widths M_j = H_j − r:

    max_Σ M < min_{Σᶜ} M,  ∑_Σ M_j ≥ ℓ max_Σ M,  ∑_Σ M_j < ℓ min_{Σᶜ} M  (conditions on Σᶜ vacuous if empty).
    """
    ell = len(members) - 1
    if ell < 1:
        return False
    inside = [reduced[j] for j in members]
    outside = [reduced[j] for j in range(len(reduced)) if j not in set(members)]
    total = sum(inside)
    if total < ell * max(inside):
        return False
    return not outside or (max(inside) < min(outside) and total < ell * min(outside))


def deep_linear_active_set(widths: Sequence[int], rank: int) -> tuple[int, ...]:
    """The index set Σ (0-based, sorted) of Aoyagi's theorem for a deep linear network.

    Σ has ℓ + 1 ≥ 2 elements and satisfies the three conditions of :func:`_is_active_set`. The first condition
    forces Σ to be the ℓ + 1 smallest reduced widths M_j = H_j − r (never splitting a tie), so only the L
    prefixes of the sorted widths are candidates. Aoyagi (2024) proves there is exactly one; the tests confirm
    it against enumeration of all subsets for small networks.

    >>> deep_linear_active_set([10, 5, 10], rank=2)
    (0, 1, 2)
    >>> deep_linear_active_set([1, 4, 2], rank=0)  # M + N < H: the hidden layer drops out
    (0, 2)
    """
    ws = _check_widths(widths)
    r = _check_rank(rank, ws)
    reduced = [w - r for w in ws]
    order = sorted(range(len(reduced)), key=lambda j: (reduced[j], j))
    found = [tuple(sorted(order[:size])) for size in range(2, len(ws) + 1) if _is_active_set(reduced, order[:size])]
    if len(found) != 1:  # pragma: no cover - excluded by Aoyagi's theorem; kept as a guard
        raise RuntimeError(f"expected exactly one active set for widths {ws}, rank {r}, found {found}")
    return found[0]


def deep_linear_learning_coefficient(widths: Sequence[int], rank: int) -> LearningCoefficient:
    """λ and m of a deep linear network (Aoyagi, Neural Networks (2024) 106132, main theorem).

    Widths H₁ (input), …, H_{L+1} (output), L ≥ 1 weight matrices, true product of rank r ≤ min_j H_j.
    With M_j = H_j − r, Σ the active set of :func:`deep_linear_active_set`, ℓ = |Σ| − 1, S = ∑_Σ M_j and
    a = S − (⌈S/ℓ⌉ − 1) ℓ ∈ {1, …, ℓ}:

        λ = [−r² + r(H₁ + H_{L+1})]/2 + a(ℓ − a)/(4ℓ) − (ℓ(ℓ − 1)/4)(S/ℓ)² + ½ ∑_{i<j∈Σ} M_i M_j,
        m = a(ℓ − a) + 1.

    For L = 1 this is the regular value H₁H₂/2; for L = 2 it reproduces
    :func:`reduced_rank_learning_coefficient`; for widths all 1 (K ∝ ∏ w_i²) it gives λ = 1/2, m = L.

    >>> deep_linear_learning_coefficient([2, 2, 2, 2, 2], rank=0)
    LearningCoefficient(value=Fraction(3, 2), multiplicity=5)
    """
    ws = _check_widths(widths)
    r = _check_rank(rank, ws)
    members = deep_linear_active_set(ws, r)
    reduced = [ws[j] - r for j in members]
    ell = len(reduced) - 1
    total = sum(reduced)
    a = total - (-(-total // ell) - 1) * ell
    pair_sum = Fraction(total**2 - sum(x * x for x in reduced), 2)
    value = (
        Fraction(-(r**2) + r * (ws[0] + ws[-1]), 2)
        + Fraction(a * (ell - a), 4 * ell)
        - Fraction(ell * (ell - 1), 4) * Fraction(total, ell) ** 2
        + pair_sum / 2
    )
    return LearningCoefficient(value, a * (ell - a) + 1)


def deep_linear_parameter_count(widths: Sequence[int]) -> int:
    """d = ∑_j H_j H_{j+1}, the number of weights of a bias-free deep linear network."""
    ws = _check_widths(widths)
    return sum(a * b for a, b in itertools.pairwise(ws))


def deep_linear_table(widths: Sequence[int], rank: int) -> list[dict[str, object]]:
    """One row (a JSON-ready dict) for ``thermosym systems deep-linear --widths … --rank …``.

    Keys: ``widths`` (str, e.g. "10-5-10"), ``rank``, ``lambda`` (float), ``lambda_exact`` (str, e.g. "3/2"),
    ``multiplicity``, ``n_params`` (d), ``regular_lambda`` (d/2, what a regular model with as many parameters
    would have), ``active_set`` (Σ as 1-based layer indices, str) and, for two layers, ``reduced_rank_lambda``
    (Aoyagi & Watanabe's formula, which must equal ``lambda``).

    >>> row = deep_linear_table([10, 5, 10], 2)[0]
    >>> row["lambda"], row["multiplicity"], row["n_params"], row["regular_lambda"]
    (29.0, 2, 100, 50.0)
    """
    ws = _check_widths(widths)
    lc = deep_linear_learning_coefficient(ws, rank)
    d = deep_linear_parameter_count(ws)
    row: dict[str, object] = {
        "widths": "-".join(str(w) for w in ws),
        "rank": int(rank),
        "lambda": float(lc),
        "lambda_exact": str(lc.value),
        "multiplicity": lc.multiplicity,
        "n_params": d,
        "regular_lambda": d / 2,
        "active_set": ",".join(str(j + 1) for j in deep_linear_active_set(ws, rank)),
    }
    if len(ws) == 3:
        row["reduced_rank_lambda"] = float(reduced_rank_learning_coefficient(ws[0], ws[1], ws[2], rank))
    return [row]


def free_energy_leading_terms(n: ArrayLike, coefficient: LearningCoefficient) -> NDArray[np.float64]:
    """λ ln n − (m − 1) ln ln n: leading terms of −ln Z(n) = −ln ∫ φ(w) e^{−nK(w)} dw (Watanabe 2009, Ch. 6).

    Only meaningful for n > 1 (ln ln n must exist); n ≤ 1 raises ValueError.
    """
    values = np.asarray(n, dtype=np.float64)
    if np.any(~np.isfinite(values)) or np.any(values <= 1.0):
        raise ValueError(f"n must be finite and greater than 1, got {n!r}")
    log_n = np.log(values)
    return float(coefficient.value) * log_n - (coefficient.multiplicity - 1) * np.log(log_n)
