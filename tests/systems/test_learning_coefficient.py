"""Tests for thermosym.systems.learning_coefficient.

Three kinds of evidence:

1. the two published formulas (Aoyagi & Watanabe 2005 for two layers, Aoyagi 2024 for deep linear networks)
   agree exactly on every two-layer shape with widths ≤ 6 and every admissible rank;
2. values known independently: the regular value (dim of the rank-r matrix manifold)/2, the normal-crossing
   monomial K ∝ w₁² ⋯ w_k² (λ = 1/2, m = k; Watanabe, *Algebraic Geometry and Statistical Learning Theory*,
   2009: λ = min_j (h_j + 1)/(2k_j), m = the number of j attaining it), the 10-5-10 rank-2 case
   (λ = 29, m = 2, worked out by hand from the Main Theorem: 2·7·20 − 0 − 49 + 1 = 232 = 8·29);
3. brute force: ln Z(n) = ln ∫ φ(w) e^{−nK(w)} dw computed by quadrature for tiny models (standard Gaussian
   prior φ, K(w) = ½‖BA − C₀‖²_F, the KL divergence of y = BAx + noise with x ~ N(0, I), unit noise) and
   fitted by −ln Z = λ ln n − (m − 1) ln ln n + Σ_k c_k (ln n)^{−k}. The reductions to 1-D/2-D integrals are
   themselves checked against direct Monte Carlo over the prior at small n.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.special import gammaln, i0e

from thermosym.systems.learning_coefficient import (
    LearningCoefficient,
    _is_active_set,
    deep_linear_active_set,
    deep_linear_learning_coefficient,
    deep_linear_parameter_count,
    deep_linear_table,
    free_energy_leading_terms,
    reduced_rank_learning_coefficient,
    regular_learning_coefficient,
)

# ---------------------------------------------------------------------------------------------------------
# exact values
# ---------------------------------------------------------------------------------------------------------


def test_two_formulas_agree_on_every_two_layer_shape() -> None:
    count = 0
    for m_in, h, n_out in itertools.product(range(1, 7), repeat=3):
        for r in range(min(m_in, h, n_out) + 1):
            rrr = reduced_rank_learning_coefficient(m_in, h, n_out, r)
            deep = deep_linear_learning_coefficient([m_in, h, n_out], r)
            assert rrr == deep, (m_in, h, n_out, r, rrr, deep)
            count += 1
    assert count == 657  # all (M, H, N) ∈ {1..6}³ with 0 ≤ r ≤ min(M, H, N)


def test_ten_five_ten_rank_two() -> None:
    # M + H + N + r = 27 is odd: λ = [2(5 + 2)(20) − 0 − 49 + 1]/8 = 29, m = 2.
    expected = LearningCoefficient(Fraction(29), 2)
    assert reduced_rank_learning_coefficient(10, 5, 10, 2) == expected
    assert deep_linear_learning_coefficient([10, 5, 10], 2) == expected
    row = deep_linear_table([10, 5, 10], 2)[0]
    assert row == {
        "widths": "10-5-10",
        "rank": 2,
        "lambda": 29.0,
        "lambda_exact": "29",
        "multiplicity": 2,
        "n_params": 100,
        "regular_lambda": 50.0,
        "active_set": "1,2,3",
        "reduced_rank_lambda": 29.0,
    }


@pytest.mark.parametrize("k", range(1, 8))
def test_product_chain_is_normal_crossing(k: int) -> None:
    # widths 1-1-…-1 (k weights): K = ½(w₁⋯w_k)², a normal crossing with all exponents 2: λ = 1/2, m = k.
    lc = deep_linear_learning_coefficient([1] * (k + 1), rank=0)
    assert lc == LearningCoefficient(Fraction(1, 2), k)


@pytest.mark.parametrize(("m_in", "h", "n_out"), [(2, 1, 3), (3, 2, 4), (4, 4, 4), (5, 2, 3), (6, 3, 3)])
def test_full_rank_is_regular_on_the_rank_manifold(m_in: int, h: int, n_out: int) -> None:
    # r = H ≤ min(M, N): the map (A, B) ↦ BA is a submersion onto the rank-H matrices near the truth, whose
    # dimension is H(M + N) − H²; so λ = that/2 and m = 1 (a regular model on the quotient).
    expected = LearningCoefficient(Fraction(h * (m_in + n_out) - h * h, 2), 1)
    assert reduced_rank_learning_coefficient(m_in, h, n_out, h) == expected
    assert deep_linear_learning_coefficient([m_in, h, n_out], h) == expected


def test_one_layer_is_regular() -> None:
    for m_in, n_out in itertools.product(range(1, 5), repeat=2):
        for r in range(min(m_in, n_out) + 1):
            lc = deep_linear_learning_coefficient([m_in, n_out], r)
            assert lc == regular_learning_coefficient(m_in * n_out)


@pytest.mark.parametrize(("width", "rank"), [(2, 0), (3, 0), (3, 1), (4, 2), (5, 1)])
def test_equal_widths_saturate_with_depth(width: int, rank: int) -> None:
    # Hand derivation from Aoyagi's theorem for all widths H and depth L ≥ k = H − r: Σ = all layers, ℓ = L,
    # S = (L + 1)k, a = k, and the terms collapse to λ = rH − r²/2 + k(k + 1)/4, m = k(L − k) + 1. λ stays
    # bounded as L → ∞ while d = L H² grows (the abstract's claim of Aoyagi 2024).
    k = width - rank
    for depth in range(max(k, 1), 12):
        lc = deep_linear_learning_coefficient([width] * (depth + 1), rank)
        assert lc.value == rank * width - Fraction(rank**2, 2) + Fraction(k * (k + 1), 4)
        assert lc.multiplicity == k * (depth - k) + 1
        assert lc.value < deep_linear_parameter_count([width] * (depth + 1)) / 2 or depth == 1


def test_active_set_is_the_unique_subset() -> None:
    # Aoyagi proves exactly one Σ satisfies the conditions; our search looks only at sorted prefixes. Compare
    # with enumeration of every subset for every width vector in {1..4}^{L+1}, L ≤ 4, and every rank.
    checked = 0
    for n_widths in range(2, 6):
        for ws in itertools.product(range(1, 5), repeat=n_widths):
            for r in range(min(ws) + 1):
                reduced = [w - r for w in ws]
                subsets = [
                    s
                    for size in range(2, n_widths + 1)
                    for s in itertools.combinations(range(n_widths), size)
                    if _is_active_set(reduced, s)
                ]
                assert subsets == [deep_linear_active_set(ws, r)], (ws, r, subsets)
                checked += 1
    assert checked > 1000


def test_learning_coefficient_never_exceeds_regular_value() -> None:
    for ws in itertools.product(range(1, 5), repeat=4):
        for r in range(min(ws) + 1):
            lc = deep_linear_learning_coefficient(ws, r)
            assert 0 < lc.value <= Fraction(deep_linear_parameter_count(ws), 2)


def test_validation() -> None:
    with pytest.raises(ValueError, match="rank"):
        reduced_rank_learning_coefficient(3, 2, 3, 3)
    with pytest.raises(ValueError, match="rank"):
        deep_linear_learning_coefficient([4, 2, 4], 3)
    with pytest.raises(ValueError, match="rank"):
        deep_linear_learning_coefficient([4, 2, 4], -1)
    with pytest.raises(ValueError, match="hidden"):
        reduced_rank_learning_coefficient(3, 0, 3, 0)
    with pytest.raises(ValueError, match=r"widths\[1\]"):
        deep_linear_learning_coefficient([3, 0, 3], 0)
    with pytest.raises(ValueError, match="widths"):
        deep_linear_learning_coefficient([3], 0)
    with pytest.raises(ValueError, match="n_params"):
        regular_learning_coefficient(0)
    with pytest.raises(TypeError, match="Fraction"):
        LearningCoefficient(0.5, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="multiplicity"):
        LearningCoefficient(Fraction(1, 2), 0)
    with pytest.raises(ValueError, match="non-negative"):
        LearningCoefficient(Fraction(-1, 2), 1)
    with pytest.raises(ValueError, match="greater than 1"):
        free_energy_leading_terms([0.5, 10.0], LearningCoefficient(Fraction(1, 2), 2))
    assert LearningCoefficient(3, 1).value == Fraction(3)  # type: ignore[arg-type]
    assert float(LearningCoefficient(Fraction(3, 8), 1)) == 0.375


def test_free_energy_leading_terms() -> None:
    lc = LearningCoefficient(Fraction(3, 2), 3)
    n = np.array([10.0, 1e6])
    expected = 1.5 * np.log(n) - 2 * np.log(np.log(n))
    np.testing.assert_allclose(free_energy_leading_terms(n, lc), expected, rtol=1e-15)


# ---------------------------------------------------------------------------------------------------------
# brute force: ln Z(n) by quadrature, then a fit of λ and m
# ---------------------------------------------------------------------------------------------------------

# ln n from 40 to 100: the corrections from the next pole of the zeta function are O(n^{−1/2}) relative
# (≤ e^{−20} ≈ 2e−9 here), so the fit model below is exact up to the truncated 1/ln n series.
LOG_N = np.linspace(40.0, 100.0, 16)
_T_MIN = -(LOG_N.max() + 70.0)  # the prior mass below e^{T_MIN} is < e^{−35} n^{−λ}: negligible


def _fit_lambda_m(log_n: np.ndarray, minus_log_z: np.ndarray) -> tuple[float, float]:
    """Least squares for −ln Z = λ L − (m − 1) ln L + c₀ + c₁/L + c₂/L² + c₃/L³ (L = ln n).

    For Z(n) = n^{−λ} Σ_{j<m} c_j (ln n)^j + O(n^{−λ'}), ln Z is exactly −λL + (m−1) ln L + a series in 1/L.
    """
    columns = [log_n, -np.log(log_n)] + [log_n ** (-k) for k in range(4)]
    coef, *_ = np.linalg.lstsq(np.stack(columns, axis=1), minus_log_z, rcond=None)
    return float(coef[0]), float(coef[1] + 1.0)


def _log_chi2_density(t: np.ndarray, dof: int) -> np.ndarray:
    """Density of t = ln X for X ~ χ²_dof."""
    return np.exp((dof / 2) * t - np.exp(t) / 2 - (dof / 2) * math.log(2.0) - gammaln(dof / 2))


def _log_z_one_hidden(m_in: int, n_out: int, log_n: np.ndarray) -> np.ndarray:
    """ln Z(n) for y = b aᵀx (H = 1), r = 0.

    K = ½|a|²|b|², so Z = E_{X~χ²_M}[(1 + nX)^{−N/2}] after integrating b.
    """
    t = np.arange(_T_MIN, 6.0, 0.02)
    f = _log_chi2_density(t, m_in)
    return np.array([math.log(np.sum(f * np.exp(-(n_out / 2) * np.logaddexp(0.0, ln + t))) * 0.02) for ln in log_n])


def _log_z_chain(k: int, log_n: np.ndarray) -> np.ndarray:
    """ln Z(n) for K = ½(w₁⋯w_k)²: the density of ln(w₁²⋯w_{k−1}²) by convolution, then w_k integrated.

    E_{w_k} e^{−n X w_k²/2} = (1 + nX)^{−1/2} with X = w₁²⋯w_{k−1}², whose log-density is a (k−1)-fold
    convolution of the log-χ²₁ density (trapezoid rule on a uniform grid).
    """
    h = 0.02
    t = np.arange(_T_MIN, 6.0, h)
    f = _log_chi2_density(t, 1)
    dens, start = f, t[0]
    for _ in range(k - 2):
        # direct sum: an FFT's absolute round-off would swamp the e^{−45} tail
        dens = np.convolve(dens, f) * h
        start += t[0]
    tau = start + h * np.arange(dens.size)
    return np.array([math.log(np.sum(dens * np.exp(-0.5 * np.logaddexp(0.0, ln + tau))) * h) for ln in log_n])


def _log_z_two_hidden(m_in: int, n_out: int, rank: int, log_n: np.ndarray) -> np.ndarray:
    """ln Z(n) for H = 2 hidden units, A: 2×M, B: N×2 (M ≥ 2), true product C₀ = 0 (rank 0) or e₁e₁ᵀ (rank 1).

    Integrating B row by row (Woodbury):
    E_B e^{−n‖BA − C₀‖²/2} = det(I + nAAᵀ)^{−N/2} exp(−(n/2) tr C₀(I + nAᵀA)^{−1}C₀ᵀ).
    The eigenvalues l₁ > l₂ of AAᵀ (Wishart, dof M) have density ∝ (l₁l₂)^{(M−3)/2} e^{−(l₁+l₂)/2}(l₁ − l₂);
    for rank 1 (M = 2 only) the right singular vectors are Haar on O(2), whose angle average of
    exp(−(n/2)[α cos²φ + β sin²φ]) is e^{−n(α+β)/4} I₀(n(β − α)/4), α = 1/(1 + nl₁) ≤ β = 1/(1 + nl₂).
    Coordinates t₂ = ln l₂ (trapezoid), u = ln l₁ − ln l₂ ≥ 0 (Gauss-Legendre); normalised by the same rule.
    """
    if rank == 1 and m_in != 2:
        raise ValueError("the rank-1 reduction assumes M = 2")
    h = 0.1
    t2 = np.arange(_T_MIN, 6.0, h)
    x, w = np.polynomial.legendre.leggauss(200)
    pieces = [(0.0, 4.0), (4.0, 20.0), (20.0, 6.0 - _T_MIN)]
    u = np.concatenate([(x + 1) / 2 * (b - a) + a for a, b in pieces])
    wu = np.concatenate([w * (b - a) / 2 for a, b in pieces])
    t2g, ug = np.meshgrid(t2, u, indexing="ij")
    t1g = t2g + ug
    log_rho = ((m_in - 1) / 2) * (t1g + t2g) - (np.exp(t1g) + np.exp(t2g)) / 2 + t2g + np.log(np.expm1(ug) + 1e-300)
    log_weights = log_rho + np.log(h * wu)[None, :]

    def log_integral(extra: np.ndarray | float) -> float:
        a = log_weights + extra
        top = float(a.max())
        return top + math.log(float(np.sum(np.exp(a - top))))

    norm = log_integral(0.0)
    out = []
    for ln in log_n:
        s1, s2 = np.logaddexp(0.0, ln + t1g), np.logaddexp(0.0, ln + t2g)  # ln(1 + n l)
        extra = -(n_out / 2) * (s1 + s2)
        if rank == 1:
            n = math.exp(ln)
            alpha, beta = np.exp(-s1), np.exp(-s2)
            bessel_arg = n * (beta - alpha) / 4
            # −n(α + β)/4 + ln I₀(x) = −nα/2 + ln i0e(x), i0e(x) = I₀(x)e^{−x} (scipy's ive: NaN at x ≳ 1e10)
            extra = extra - n * alpha / 2 + np.log(i0e(bessel_arg))
        out.append(log_integral(extra) - norm)
    return np.array(out)


def _log_z_rank_one_scalar(log_n: np.ndarray, m_in: int) -> np.ndarray:
    """ln Z(n) for y = b aᵀx with a ∈ R^M, b ∈ R (M = 1, 2), true C₀ = e₁ᵀ (rank 1).

    Given b, baᵀ − C₀ ~ N(−C₀, b²I): E_a e^{−n|ba − C₀|²/2} = (1 + nb²)^{−M/2} exp(−n/(2(1 + nb²))).
    """
    t = np.arange(_T_MIN, 6.0, 0.02)
    f = _log_chi2_density(t, 1)
    out = []
    for ln in log_n:
        s = np.logaddexp(0.0, ln + t)
        out.append(math.log(np.sum(f * np.exp(-(m_in / 2) * s - 0.5 * np.exp(ln - s))) * 0.02))
    return np.array(out)


def _monte_carlo_log_z(m_in: int, h: int, n_out: int, rank: int, n: float, rng: np.random.Generator) -> tuple:
    """Direct Monte Carlo of Z(n) = E_prior e^{−n‖BA − C₀‖²/2} (no reduction): (ln Z, its standard error)."""
    size = 200_000
    a = rng.standard_normal((size, h, m_in))
    b = rng.standard_normal((size, n_out, h))
    c0 = np.zeros((n_out, m_in))
    if rank:
        c0[0, 0] = 1.0
    v = np.exp(-n * 0.5 * np.sum((b @ a - c0) ** 2, axis=(1, 2)))
    return math.log(v.mean()), v.std() / math.sqrt(size) / v.mean()


@pytest.mark.parametrize(
    ("m_in", "h", "n_out", "rank", "integral"),
    [
        (1, 1, 1, 0, lambda ln: _log_z_one_hidden(1, 1, ln)),
        (2, 1, 2, 0, lambda ln: _log_z_one_hidden(2, 2, ln)),
        (3, 1, 1, 0, lambda ln: _log_z_one_hidden(3, 1, ln)),
        (3, 1, 3, 0, lambda ln: _log_z_one_hidden(3, 3, ln)),
        (1, 1, 1, 1, lambda ln: _log_z_rank_one_scalar(ln, 1)),
        (2, 1, 1, 1, lambda ln: _log_z_rank_one_scalar(ln, 2)),
        (2, 2, 2, 0, lambda ln: _log_z_two_hidden(2, 2, 0, ln)),
        (2, 2, 3, 0, lambda ln: _log_z_two_hidden(2, 3, 0, ln)),
        (3, 2, 2, 0, lambda ln: _log_z_two_hidden(3, 2, 0, ln)),
        (2, 2, 2, 1, lambda ln: _log_z_two_hidden(2, 2, 1, ln)),
    ],
)
def test_brute_force_reduced_rank(m_in: int, h: int, n_out: int, rank: int, integral) -> None:
    exact = reduced_rank_learning_coefficient(m_in, h, n_out, rank)
    # 1. the reduced integral is the model's Z(n): direct Monte Carlo at n = 1, 3, 10 (200 000 prior draws,
    #    relative standard error ≤ 1.5 %), agreement within 4 standard errors.
    rng = np.random.default_rng(12345)
    quad = integral(np.log([1.0, 3.0, 10.0]))
    for n, q in zip([1.0, 3.0, 10.0], quad, strict=True):
        mc, se = _monte_carlo_log_z(m_in, h, n_out, rank, n, rng)
        assert abs(mc - q) <= 4 * se, (n, mc, q, se)
    # 2. the asymptotics: measured fit errors over these cases are ≤ 1.1e−7 in λ and ≤ 3e−5 in m (worst:
    #    2-2-2, r = 0); tolerances 1e−5 and 1e−3 keep a 30× margin and are far below the spacing of the
    #    candidate values (λ ∈ Z/8, m ∈ Z), so a wrong formula cannot pass.
    lam, m = _fit_lambda_m(LOG_N, -integral(LOG_N))
    assert abs(lam - float(exact)) < 1e-5, (lam, exact)
    assert abs(m - exact.multiplicity) < 1e-3, (m, exact)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_brute_force_product_chain(k: int) -> None:
    # Deep linear network with all widths 1 (k weights): Z(n) ~ n^{−1/2} (ln n)^{k−1}, the multiplicity
    # m = a(ℓ − a) + 1 = k of Aoyagi's deep theorem (two-layer formulas only ever give m ≤ 2).
    exact = deep_linear_learning_coefficient([1] * (k + 1), 0)
    # the reduction against direct Monte Carlo at n = 10 (200 000 draws; 4 standard errors)
    rng = np.random.default_rng(7)
    v = np.exp(-10.0 * 0.5 * np.prod(rng.standard_normal((200_000, k)), axis=1) ** 2)
    relative_se = v.std() / v.mean() / math.sqrt(v.size)
    assert abs(math.log(v.mean()) - _log_z_chain(k, np.array([math.log(10.0)]))[0]) <= 4 * relative_se
    lam, m = _fit_lambda_m(LOG_N, -_log_z_chain(k, LOG_N))
    # the grid convolution adds discretisation error: measured ≤ 2e−7 in λ, ≤ 6e−5 in m (k = 3); tolerances
    # as above.
    assert abs(lam - float(exact)) < 1e-5, (lam, exact)
    assert abs(m - exact.multiplicity) < 1e-3, (m, exact)
