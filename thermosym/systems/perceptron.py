"""Teacher-student perceptron: replica-symmetric learning curves in the thermodynamic limit.

Setting (``REFERENCES.md`` §3): N → ∞ inputs x ~ N(0, I_N), P = αN examples labelled by a sign teacher
σ = sgn(w*·x); a student w with overlap R = w·w*/(|w||w*|) has generalisation error ε = arccos(R)/π.
Gibbs learning at T = 0 samples the student uniformly from the version space (zero training error).
Notation of Engel & Van den Broeck, *Statistical Mechanics of Learning* (Cambridge, 2001) [EvdB]:
Dt = e^{−t²/2}dt/√(2π), H(x) = ∫ₓ^∞ Dt. Sources are cited by chapter; equation numbers of the book were
not available to check here.

Spherical student (EvdB ch. 2; Seung, Sompolinsky & Tishby, PRA 45, 6056 (1992) [SST]):
  * Gibbs learning, replica symmetric with q = R (the teacher-student symmetry of Gibbs learning):
        s(R) = ½ ln(1 − R) + R/2 + 2α ∫Dt H(kt) ln H(kt),   k = √(R/(1 − R)),
    stationary where R/√(1 − R) = (α/π) ∫Dt e^{−Rt²/2}/H(−√R t) (both forms are solved and compared).
    Large α: αε → √2/I₁ = 0.62466 with I₁ = ∫Dt e^{−t²/2}/H(−t) (EvdB: 0.625), next term −0.9692/α².
  * Bayes-optimal (centre of mass of the version space, EvdB ch. 3): ε_B = arccos(√R)/π with the Gibbs R,
    αε_B → 1/I₁ = 0.44170 (EvdB: 0.442), next term −0.6145/α².
  * Annealed approximation (EvdB ch. 2): maximise ½ ln(1 − R²) + α ln(1 − arccos(R)/π); αε → 1.
  * High-temperature limit α, T → ∞ with α̃ = α/T fixed, energy = number of training errors (SST;
    EvdB ch. 4): maximise ½ ln(1 − R²) − α̃ arccos(R)/π. With R = cos(πε) this is ln sin(πε) − α̃ε, stationary
    at π cot(πε) = α̃, i.e. ε = arctan(π/α̃)/π (closed form, checked against the maximisation in the tests).

Ising (±1) student at T = 0 (Györgyi, PRA 41, 7097 (1990); SST; EvdB ch. 7), q = R (Nishimori line):
        q = ∫Dz tanh(q̂ + √q̂ z),      q̂ = α/(π√(1 − q)) ∫Dt e^{−qt²/2}/H(−√q t),
        s = ln 2 − q̂(1 + q)/2 + ∫Dz ln cosh(q̂ + √q̂ z) + 2α ∫Dt H(kt) ln H(kt).
  The first equation is ∂s/∂q̂ = 0 (using ∫Dz tanh = ∫Dz tanh² on the Nishimori line), the second ∂s/∂q = 0
  (the same energetic term as the spherical student). Parametrising the solution branch by q,
  α(q) = q̂(q) π√(1 − q)/I(q), with q̂(q) the inverse of the first equation, rises from 0, peaks at the
  spinodal α_sp (where the q < 1 branch ends) and falls back to 0 (the unstable branch). The branch entropy
  crosses 0 at α_c; beyond it the equilibrium state is perfect generalisation R = 1 (entropy 0: only the
  teacher is left), a first-order transition. Computed: α_c = 1.24468 (q = 0.6938), α_sp = 1.49263
  (q = 0.8937); published α_c ≈ 1.245 (Györgyi; SST), spinodal ≈ 1.49 (SST; EvdB ch. 7).
  High-temperature limit: maximise f(R) = s_bin(R) − α̃ arccos(R)/π, s_bin the binary entropy of (1 + R)/2.
  At R = 1, f = s_bin(1) − 0 = 0 exactly, and f′(R) → +∞ as R → 1⁻ (the α̃√(2(1 − R))/π of arccos beats the
  entropy's ((1 − R)/2) ln(2/(1 − R))), so R = 1 is a local maximum of value 0 for every α̃ > 0, approached
  from below (f < 0 just below R = 1: the "−0"). The first-order transition α̃_c is where the interior
  (R < 1) maximum's value falls to that 0; the spinodal α̃_sp is where the interior maximum disappears.
  With R = cos(πε) the stationarity condition is α̃ = A(ε) := π sin(πε) artanh(cos πε) = π sin(πε) ln cot(πε/2),
  so α̃_sp = max A and α̃_c solves s_bin(cos πε) = ε A(ε) on the branch beyond the maximum of A.
  Computed: α̃_c = 1.69593 (ε = 0.3030 just before), α̃_sp = 2.08207 (ε = 0.1863); SST quote α̃_c ≈ 1.7.

Finite N: :func:`sample_version_space` samples the version space exactly (exact HMC for a Gaussian truncated
to the polyhedral cone), the brute-force check of the T = 0 spherical results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from thermosym.systems._gauss import gauss_tail, gaussian_expectation, log_gauss_tail

FloatArray = NDArray[np.float64]

_LN2 = math.log(2.0)


@dataclass(frozen=True)
class LearningPoint:
    """One point of a learning curve: overlap R with the teacher and generalisation error ε.

    ``one_minus_overlap`` is 1 − R carried separately, because R is within 10⁻¹⁰ of 1 at large α and
    1 − R computed from R would lose digits; ε is computed from it.
    """

    alpha: float
    overlap: float
    error: float
    one_minus_overlap: float


def _check_alpha(alpha: float, name: str = "alpha") -> float:
    a = float(alpha)
    if not math.isfinite(a) or a < 0:
        raise ValueError(f"{name} must be finite and non-negative, got {alpha!r}")
    return a


def _check_overlap(overlap: float, name: str = "overlap") -> float:
    r = float(overlap)
    if not 0.0 <= r < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {overlap!r}")
    return r


def error_from_overlap(one_minus_overlap: float) -> float:
    """ε = arccos(R)/π = (2/π) arcsin(√((1 − R)/2)), written in 1 − R for accuracy as R → 1 (EvdB ch. 2)."""
    d = float(one_minus_overlap)
    if not 0.0 <= d <= 2.0:
        raise ValueError(f"one_minus_overlap must lie in [0, 2], got {one_minus_overlap!r}")
    if d >= 0.5:  # R = 1 − d is far from 1: arccos is well conditioned (and gives ε(R = 0) = ½ exactly)
        return math.acos(1.0 - d) / math.pi
    return 2.0 * math.asin(math.sqrt(0.5 * d)) / math.pi


def _point(alpha: float, one_minus_overlap: float) -> LearningPoint:
    return LearningPoint(alpha, 1.0 - one_minus_overlap, error_from_overlap(one_minus_overlap), one_minus_overlap)


# --- the two Gaussian integrals shared by the spherical and Ising saddle points -----------------------------


def saddle_integral(overlap: float) -> float:
    """I(R) = ∫Dt e^{−Rt²/2}/H(−√R t), the integral of the stationarity condition (EvdB ch. 2).

    I(0) = 2 and I(1) = 2.26398: the constant of the large-α asymptotes.

    >>> saddle_integral(0.0)
    2.0
    """
    r = float(overlap)
    if not 0.0 <= r <= 1.0:
        raise ValueError(f"overlap must lie in [0, 1], got {overlap!r}")
    sr = math.sqrt(r)
    return gaussian_expectation(lambda t: np.exp(-0.5 * r * t**2 - log_gauss_tail(-sr * t)))


def _saddle_integral_slope_at_one() -> float:
    """dI/dR at R = 1: ∫Dt e^{−t²/2}/H(−t) · (−t²/2 − (t/2) φ(t)/H(−t)) (differentiating under the integral)."""

    def integrand(t: FloatArray) -> FloatArray:
        base = np.exp(-0.5 * t**2 - log_gauss_tail(-t))
        mills = np.exp(-0.5 * t**2 - 0.5 * math.log(2 * math.pi) - log_gauss_tail(-t))
        return base * (-0.5 * t**2 - 0.5 * t * mills)

    return gaussian_expectation(integrand)


def energetic_term(k: float) -> float:
    """G(k) = ∫Dt H(kt) ln H(kt) ≤ 0, the energetic part of the version-space entropy (EvdB ch. 2).

    G(0) = −ln 2/2; G(k) = −0.360324/k + O(k⁻³) as k → ∞ (substitute u = kt). The step of H(kt) at t = 0 has
    width 1/k and is declared to the quadrature.
    """
    kk = float(k)
    if not math.isfinite(kk) or kk < 0:
        raise ValueError(f"k must be finite and non-negative, got {k!r}")
    width = 1.0 / kk if kk > 0 else None
    return gaussian_expectation(
        lambda t: gauss_tail(kk * t) * log_gauss_tail(kk * t),
        feature_at=0.0 if kk > 0 else None,
        feature_width=width,
    )


def _k_of(one_minus_overlap: float) -> float:
    return math.sqrt((1.0 - one_minus_overlap) / one_minus_overlap)


# --- spherical student --------------------------------------------------------------------------------------


def spherical_gibbs_entropy(overlap: float | None, alpha: float, *, one_minus_overlap: float | None = None) -> float:
    """s(R) = ½ ln(1 − R) + R/2 + 2α G(√(R/(1 − R))): RS version-space entropy at q = R (EvdB ch. 2).

    Give either ``overlap`` R ∈ [0, 1) or (with ``overlap=None``) ``one_minus_overlap`` 1 − R ∈ (0, 1], the
    latter to keep precision when R is close to 1.
    """
    a = _check_alpha(alpha)
    if (overlap is None) == (one_minus_overlap is None):
        raise ValueError("give exactly one of overlap and one_minus_overlap")
    if overlap is not None:
        d = 1.0 - _check_overlap(overlap)
    else:
        assert one_minus_overlap is not None
        d = float(one_minus_overlap)
    if not 0.0 < d <= 1.0:
        raise ValueError(f"one_minus_overlap must lie in (0, 1], got {one_minus_overlap!r}")
    return 0.5 * math.log(d) + 0.5 * (1.0 - d) + 2.0 * a * energetic_term(_k_of(d))


def _spherical_gibbs_condition(log_d: float, alpha: float) -> float:
    """R/√(1 − R) − (α/π) I(R) as a function of ln(1 − R) (increasing)."""
    d = math.exp(log_d)
    return (1.0 - d) / math.sqrt(d) - alpha / math.pi * saddle_integral(1.0 - d)


def spherical_gibbs(alpha: float) -> LearningPoint:
    """Gibbs learning (T = 0, version space), spherical student: root of R/√(1 − R) = (α/π) I(R) (EvdB ch. 2).

    Solved for ln(1 − R) so that R ≈ 1 − O(α⁻²) at large α keeps full precision.

    >>> round(spherical_gibbs(0.0).error, 12)
    0.5
    """
    a = _check_alpha(alpha)
    if a == 0.0:
        return _point(0.0, 1.0)
    log_d = optimize.brentq(_spherical_gibbs_condition, math.log(1e-300), 0.0, args=(a,), xtol=1e-14, rtol=1e-15)
    return _point(a, math.exp(log_d))


def spherical_gibbs_by_maximisation(alpha: float) -> LearningPoint:
    """Gibbs learning by maximising s(R) directly over ln(1 − R) (the check of :func:`spherical_gibbs`).

    Precision: the maximiser of a smooth function is found to about √(float eps) ≈ 1e-8 relative in ln(1 − R).
    """
    a = _check_alpha(alpha)
    if a == 0.0:
        return _point(0.0, 1.0)
    guess = math.log(spherical_gibbs(a).one_minus_overlap)  # bracket only; the maximisation is independent
    result = optimize.minimize_scalar(
        lambda y: -spherical_gibbs_entropy(None, a, one_minus_overlap=math.exp(y)),
        bounds=(max(guess - 3.0, math.log(1e-300)), min(guess + 3.0, 0.0)),
        method="bounded",
        options={"xatol": 1e-11},
    )
    return _point(a, math.exp(float(result.x)))


def spherical_bayes(alpha: float) -> LearningPoint:
    """Bayes-optimal student: overlap √R of the version-space centre of mass, ε_B = arccos(√R)/π (EvdB ch. 3)."""
    gibbs = spherical_gibbs(alpha)
    d = gibbs.one_minus_overlap
    d_bayes = d / (1.0 + math.sqrt(1.0 - d))  # 1 − √(1 − d), without cancellation
    return _point(gibbs.alpha, d_bayes)


@lru_cache(maxsize=1)
def spherical_asymptotes() -> dict[str, float]:
    """Large-α expansions αε = c₁ + c₂/α² + O(α⁻⁴) for the Gibbs and Bayes spherical students.

    Derivation (expanding the stationarity condition in δ = 1 − R ≈ (π/(αI₁))²): with I₁ = I(1), I′ = dI/dR(1),
    a = αI₁/π, 1/√δ = a + (1 − I′/I₁)/a + O(a⁻³), and arccos(1 − δ) = √(2δ)(1 + δ/12 + …),
    arccos(√(1 − δ)) = √δ(1 + δ/6 + …), hence
        αε_G = (√2/I₁)[1 + (π/(αI₁))²(I′/I₁ − 11/12)],   αε_B = (1/I₁)[1 + (π/(αI₁))²(I′/I₁ − 5/6)].
    c₁ = 0.62466, c₂ = −0.96922 (Gibbs); c₁ = 0.44170, c₂ = −0.61447 (Bayes); EvdB quote 0.625 and 0.442.
    """
    i1 = saddle_integral(1.0)
    i1p = _saddle_integral_slope_at_one()
    scale = (math.pi / i1) ** 2
    gibbs = math.sqrt(2.0) / i1
    bayes = 1.0 / i1
    return {
        "gibbs_c1": gibbs,
        "gibbs_c2": gibbs * scale * (i1p / i1 - 11.0 / 12.0),
        "bayes_c1": bayes,
        "bayes_c2": bayes * scale * (i1p / i1 - 5.0 / 6.0),
    }


def annealed_entropy(overlap: float, alpha: float) -> float:
    """s_ann(R) = ½ ln(1 − R²) + α ln(1 − arccos(R)/π) (EvdB ch. 2)."""
    a = _check_alpha(alpha)
    r = float(overlap)
    if not -1.0 < r < 1.0:
        raise ValueError(f"overlap must lie in (−1, 1), got {overlap!r}")
    return 0.5 * math.log1p(-r * r) + a * math.log1p(-math.acos(r) / math.pi)


def spherical_annealed(alpha: float) -> LearningPoint:
    """Annealed approximation: maximise s_ann; in ε = arccos(R)/π the condition is π cot(πε) = α/(1 − ε).

    The left side decreases from +∞ to 0 on (0, ½], the right side increases, so the root is unique.
    Large α: αε = α/(α + 1) − π²/(3α²) + O(α⁻³) (expanding the condition; EvdB ch. 2 give αε → 1).
    """
    a = _check_alpha(alpha)
    if a == 0.0:
        return _point(0.0, 1.0)

    def condition(eps: float) -> float:
        return math.pi / math.tan(math.pi * eps) - a / (1.0 - eps)

    eps = optimize.brentq(condition, 1e-300, 0.5, xtol=1e-300, rtol=1e-15)
    d = 2.0 * math.sin(0.5 * math.pi * eps) ** 2  # 1 − cos(πε)
    return LearningPoint(a, 1.0 - d, eps, d)


def spherical_high_temperature(alpha_tilde: float) -> LearningPoint:
    """High-T limit, α̃ = α/T fixed: ε = arctan(π/α̃)/π, the maximiser of ½ ln(1 − R²) − α̃ arccos(R)/π.

    (SST; EvdB ch. 4.) R = cos(πε).
    """
    a = _check_alpha(alpha_tilde, "alpha_tilde")
    eps = 0.5 if a == 0.0 else math.atan(math.pi / a) / math.pi
    d = 2.0 * math.sin(0.5 * math.pi * eps) ** 2
    return LearningPoint(a, 1.0 - d, eps, d)


def spherical_high_temperature_by_maximisation(alpha_tilde: float) -> LearningPoint:
    """Maximise ½ ln(1 − R²) − α̃ arccos(R)/π numerically, as ln sin(πε) − α̃ε over ε ∈ (0, ½] (closed-form check)."""
    a = _check_alpha(alpha_tilde, "alpha_tilde")

    def minus_f(eps: float) -> float:
        return -(math.log(math.sin(math.pi * eps)) - a * eps)

    res = optimize.minimize_scalar(minus_f, bounds=(1e-12, 0.5), method="bounded", options={"xatol": 1e-13})
    eps = float(res.x)
    d = 2.0 * math.sin(0.5 * math.pi * eps) ** 2
    return LearningPoint(a, 1.0 - d, eps, d)


# --- Ising student, T = 0 -----------------------------------------------------------------------------------


def ising_overlap_from_conjugate(q_hat: float) -> float:
    """q(q̂) = ∫Dz tanh(q̂ + √q̂ z), the ∂s/∂q̂ = 0 condition (Györgyi 1990; EvdB ch. 7); increasing in q̂."""
    qh = float(q_hat)
    if not math.isfinite(qh) or qh < 0:
        raise ValueError(f"q_hat must be finite and non-negative, got {q_hat!r}")
    if qh == 0.0:
        return 0.0
    s = math.sqrt(qh)
    return gaussian_expectation(lambda z: np.tanh(qh + s * z), feature_at=-s, feature_width=min(1.0, 1.0 / s))


def _log_cosh(x: FloatArray) -> FloatArray:
    ax = np.abs(x)
    return np.asarray(ax + np.log1p(np.exp(-2.0 * ax)) - _LN2, dtype=np.float64)


def _ising_entropic(q: float, q_hat: float) -> float:
    """ln 2 − q̂(1 + q)/2 + ∫Dz ln cosh(q̂ + √q̂ z): the entropic part of the Ising-student entropy."""
    if q_hat == 0.0:
        return _LN2
    s = math.sqrt(q_hat)
    integral = gaussian_expectation(lambda z: _log_cosh(q_hat + s * z), feature_at=-s, feature_width=min(1.0, 1.0 / s))
    return _LN2 - 0.5 * q_hat * (1.0 + q) + integral


def ising_conjugate(q: float, alpha: float) -> float:
    """q̂(q, α) = α I(q)/(π√(1 − q)), the ∂s/∂q = 0 condition (Györgyi 1990; SST)."""
    a = _check_alpha(alpha)
    qq = _check_overlap(q, "q")
    return a * saddle_integral(qq) / (math.pi * math.sqrt(1.0 - qq))


def ising_conjugate_from_overlap(q: float) -> float:
    """The inverse of :func:`ising_overlap_from_conjugate`: q̂ ≥ 0 with ∫Dz tanh(q̂ + √q̂ z) = q."""
    qq = _check_overlap(q, "q")
    if qq == 0.0:
        return 0.0
    hi = max(4.0 * qq, 1.0)
    while ising_overlap_from_conjugate(hi) < qq:
        hi *= 2.0
    return float(optimize.brentq(lambda x: ising_overlap_from_conjugate(x) - qq, 0.0, hi, xtol=1e-300, rtol=1e-15))


def ising_entropy(q: float, alpha: float, q_hat: float | None = None) -> float:
    """s(q, q̂) = ln 2 − q̂(1 + q)/2 + ∫Dz ln cosh(q̂ + √q̂ z) + 2α G(√(q/(1 − q))) (Györgyi 1990; SST).

    ``q_hat`` defaults to the saddle value q̂(q, α); the entropy of the solution branch is this at a q
    solving both saddle-point equations.
    """
    a = _check_alpha(alpha)
    qq = _check_overlap(q, "q")
    qh = ising_conjugate(qq, a) if q_hat is None else float(q_hat)
    return _ising_entropic(qq, qh) + 2.0 * a * energetic_term(_k_of(1.0 - qq))


def ising_branch_alpha(q: float) -> float:
    """α(q) = q̂(q) π√(1 − q)/I(q): the α at which q solves both Ising saddle-point equations."""
    qq = _check_overlap(q, "q")
    return ising_conjugate_from_overlap(qq) * math.pi * math.sqrt(1.0 - qq) / saddle_integral(qq)


@dataclass(frozen=True)
class IsingTransition:
    """Critical points of the T = 0 Ising student: the first-order transition and the spinodal."""

    alpha_c: float
    q_at_transition: float
    alpha_spinodal: float
    q_at_spinodal: float


@lru_cache(maxsize=1)
def ising_transition() -> IsingTransition:
    """α_c (branch entropy = 0) and the spinodal α_sp = max_q α(q), both from the branch parametrised by q.

    Published: α_c ≈ 1.245 (Györgyi, PRA 41, 7097 (1990); SST), spinodal ≈ 1.49 (SST; EvdB ch. 7).
    """
    sp = optimize.minimize_scalar(
        lambda q: -ising_branch_alpha(q), bounds=(0.3, 0.99), method="bounded", options={"xatol": 1e-10}
    )
    q_sp = float(sp.x)
    alpha_sp = ising_branch_alpha(q_sp)

    def branch_entropy(q: float) -> float:
        return ising_entropy(q, ising_branch_alpha(q), q_hat=ising_conjugate_from_overlap(q))

    q_c = float(optimize.brentq(branch_entropy, 0.05, q_sp, xtol=1e-13, rtol=1e-14))
    return IsingTransition(ising_branch_alpha(q_c), q_c, alpha_sp, q_sp)


@dataclass(frozen=True)
class IsingPoint:
    """The T = 0 Ising student at one α.

    ``overlap``/``error`` are the equilibrium values (R = 1, ε = 0 beyond α_c); ``branch_overlap`` and
    ``branch_entropy`` describe the q < 1 (poor-generalisation) branch, metastable for α_c < α < α_sp and
    ``None`` beyond the spinodal.
    """

    alpha: float
    overlap: float
    error: float
    entropy: float
    beyond_transition: bool
    branch_overlap: float | None
    branch_entropy: float | None


def ising_gibbs(alpha: float) -> IsingPoint:
    """T = 0 Gibbs learning of an Ising student: the q < 1 branch (smallest root of α(q) = α) and equilibrium."""
    a = _check_alpha(alpha)
    tr = ising_transition()
    q_branch: float | None = None
    s_branch: float | None = None
    if a == 0.0:
        q_branch, s_branch = 0.0, _LN2
    elif a <= tr.alpha_spinodal:
        q_branch = float(
            optimize.brentq(lambda q: ising_branch_alpha(q) - a, 0.0, tr.q_at_spinodal, xtol=1e-14, rtol=1e-14)
        )
        s_branch = ising_entropy(q_branch, a, q_hat=ising_conjugate_from_overlap(q_branch))
    beyond = a > tr.alpha_c
    if beyond or q_branch is None:
        return IsingPoint(a, 1.0, 0.0, 0.0, True, q_branch, s_branch)
    assert s_branch is not None
    return IsingPoint(a, q_branch, math.acos(q_branch) / math.pi, s_branch, False, q_branch, s_branch)


# --- Ising student, high-temperature limit ------------------------------------------------------------------


def binary_entropy_of_overlap(overlap: float) -> float:
    """s_bin(R) = −p ln p − (1 − p) ln(1 − p), p = (1 + R)/2: entropy per weight of ±1 students at overlap R."""
    r = float(overlap)
    if not -1.0 <= r <= 1.0:
        raise ValueError(f"overlap must lie in [−1, 1], got {overlap!r}")
    p, p1 = 0.5 * (1.0 + r), 0.5 * (1.0 - r)
    return -sum(x * math.log(x) for x in (p, p1) if x > 0.0)


def _ising_ht_of_error(eps: float) -> tuple[float, float]:
    """(s_bin(cos πε), A(ε) = π sin(πε) ln cot(πε/2)) in ε, avoiding 1 − cos cancellation."""
    c2 = math.cos(0.5 * math.pi * eps) ** 2  # p = (1 + R)/2
    s2 = math.sin(0.5 * math.pi * eps) ** 2  # 1 − p
    s_bin = -(c2 * math.log(c2) + s2 * math.log(s2))
    slope = math.pi * math.sin(math.pi * eps) * math.log(1.0 / math.tan(0.5 * math.pi * eps))
    return s_bin, slope


def ising_high_temperature_free_entropy(overlap: float, alpha_tilde: float) -> float:
    """f(R) = s_bin(R) − α̃ arccos(R)/π, maximised by the high-T Ising student (SST; EvdB ch. 7)."""
    a = _check_alpha(alpha_tilde, "alpha_tilde")
    r = float(overlap)
    return binary_entropy_of_overlap(r) - a * math.acos(max(-1.0, min(1.0, r))) / math.pi


@dataclass(frozen=True)
class IsingHighTemperatureTransition:
    """α̃_c: interior maximum's value = f(R = 1) = 0; α̃_sp: interior maximum disappears (max of A(ε))."""

    alpha_tilde_c: float
    error_at_transition: float
    alpha_tilde_spinodal: float
    error_at_spinodal: float


@lru_cache(maxsize=1)
def ising_high_temperature_transition() -> IsingHighTemperatureTransition:
    """The first-order transition and spinodal of the high-T Ising student (see the module docstring)."""
    sp = optimize.minimize_scalar(
        lambda e: -_ising_ht_of_error(e)[1], bounds=(1e-6, 0.5), method="bounded", options={"xatol": 1e-12}
    )
    eps_sp = float(sp.x)
    alpha_sp = _ising_ht_of_error(eps_sp)[1]

    def value(eps: float) -> float:
        s_bin, slope = _ising_ht_of_error(eps)
        return s_bin - slope * eps

    eps_c = float(optimize.brentq(value, eps_sp, 0.5 - 1e-12, xtol=1e-15, rtol=1e-15))
    return IsingHighTemperatureTransition(_ising_ht_of_error(eps_c)[1], eps_c, alpha_sp, eps_sp)


def ising_high_temperature(alpha_tilde: float) -> IsingPoint:
    """High-T Ising student: the interior maximum ε₊(α̃) (root of A(ε) = α̃ beyond the peak of A) and equilibrium.

    ``entropy`` holds the maximised free entropy f (not an entropy proper) of the equilibrium state.
    """
    a = _check_alpha(alpha_tilde, "alpha_tilde")
    tr = ising_high_temperature_transition()
    eps_branch: float | None = None
    f_branch: float | None = None
    if a == 0.0:
        eps_branch = 0.5
    elif a <= tr.alpha_tilde_spinodal:
        eps_branch = float(
            optimize.brentq(lambda e: _ising_ht_of_error(e)[1] - a, tr.error_at_spinodal, 0.5, xtol=1e-15, rtol=1e-15)
        )
    q_branch = None
    if eps_branch is not None:
        q_branch = math.cos(math.pi * eps_branch)
        f_branch = ising_high_temperature_free_entropy(q_branch, a)
    beyond = a > tr.alpha_tilde_c
    if beyond or eps_branch is None:
        return IsingPoint(a, 1.0, 0.0, 0.0, True, q_branch, f_branch)
    assert q_branch is not None and f_branch is not None
    return IsingPoint(a, q_branch, eps_branch, f_branch, False, q_branch, f_branch)


# --- table for the command line -----------------------------------------------------------------------------


def perceptron_table(alphas: Iterable[float]) -> list[dict[str, float | bool | None]]:
    """One row per α: overlap R and error ε of the Gibbs, Bayes and annealed spherical students and the
    T = 0 Ising student (equilibrium R, ε, whether α > α_c, and the q < 1 branch overlap where it exists).

    >>> row = perceptron_table([0.0])[0]
    >>> row["gibbs_error"], row["ising_beyond_transition"]
    (0.5, False)
    """
    rows: list[dict[str, float | bool | None]] = []
    for alpha in alphas:
        a = _check_alpha(alpha)
        gibbs, bayes, annealed, ising = spherical_gibbs(a), spherical_bayes(a), spherical_annealed(a), ising_gibbs(a)
        rows.append(
            {
                "alpha": a,
                "gibbs_overlap": gibbs.overlap,
                "gibbs_error": gibbs.error,
                "bayes_overlap": bayes.overlap,
                "bayes_error": bayes.error,
                "annealed_overlap": annealed.overlap,
                "annealed_error": annealed.error,
                "ising_overlap": ising.overlap,
                "ising_error": ising.error,
                "ising_beyond_transition": ising.beyond_transition,
                "ising_branch_overlap": ising.branch_overlap,
            }
        )
    return rows


# --- finite-N brute force: exact sampling of the version space ----------------------------------------------


@dataclass(frozen=True)
class TeacherStudentData:
    """D independent data sets: unit teachers (D, N), inputs (D, P, N) ~ N(0, 1), labels sgn(teacher·x)."""

    teachers: FloatArray
    inputs: FloatArray
    labels: FloatArray

    @property
    def constraints(self) -> FloatArray:
        """Unit normals a_μ = σ_μ x_μ/|x_μ| (D, P, N): the version space is {w: a_μ·w > 0 for all μ}."""
        a = self.inputs * self.labels[:, :, None]
        return np.asarray(a / np.linalg.norm(a, axis=2, keepdims=True), dtype=np.float64)


def teacher_student_data(n_inputs: int, alpha: float, n_datasets: int, rng: np.random.Generator) -> TeacherStudentData:
    """Draw D data sets of P = round(αN) Gaussian inputs labelled by a uniformly random unit teacher."""
    if n_inputs < 1 or n_datasets < 1:
        raise ValueError(f"n_inputs and n_datasets must be positive, got {n_inputs!r}, {n_datasets!r}")
    p = round(_check_alpha(alpha) * n_inputs)
    teachers = rng.standard_normal((n_datasets, n_inputs))
    teachers /= np.linalg.norm(teachers, axis=1, keepdims=True)
    inputs = rng.standard_normal((n_datasets, p, n_inputs))
    labels = np.sign(np.matmul(inputs, teachers[:, :, None])[..., 0])
    labels[labels == 0] = 1.0
    return TeacherStudentData(teachers, inputs, labels)


def sample_version_space(
    constraints: FloatArray,
    start: FloatArray,
    n_iterations: int,
    rng: np.random.Generator,
    *,
    trajectory_time: float = 0.5 * math.pi,
) -> FloatArray:
    """Exact HMC for w ~ N(0, I_N) restricted to the cone {a_μ·w > 0} (Pakman & Paninski, J. Comput. Graph.
    Stat. 23, 518 (2014)); w/|w| is then uniform on the version space, i.e. a T = 0 Gibbs student.

    Each iteration draws a velocity v ~ N(0, I) and follows w(t) = w cos t + v sin t exactly for
    ``trajectory_time``, reflecting v off each constraint plane it hits (hitting time of a·w(t) = 0 is
    atan2(a·v, a·w) + π/2). Every step is volume-preserving and reversible, so the truncated Gaussian is
    invariant: no step size, no rejection, no discretisation bias. Vectorised over the D data sets (chains);
    a·w and a·v are propagated with the Gram matrix between bounces (O(P) per bounce) and recomputed at
    each iteration. ``constraints`` are unit normals (D, P, N), ``start`` strictly feasible (D, N).
    Returns the states after each iteration, shape (n_iterations, D, N).
    """
    a = np.asarray(constraints, dtype=np.float64)
    w = np.array(start, dtype=np.float64)
    if a.ndim != 3 or w.shape != (a.shape[0], a.shape[2]):
        raise ValueError(f"constraints must be (D, P, N) and start (D, N), got {a.shape} and {w.shape}")
    if np.any(np.matmul(a, w[:, :, None]) <= 0):
        raise ValueError("start must satisfy every constraint strictly")
    n_chains = a.shape[0]
    chains = np.arange(n_chains)
    gram = np.matmul(a, a.transpose(0, 2, 1))
    out = np.empty((n_iterations, *w.shape))
    for it in range(n_iterations):
        v = rng.standard_normal(w.shape)
        along_w, along_v = np.matmul(a, w[:, :, None])[..., 0], np.matmul(a, v[:, :, None])[..., 0]
        remaining = np.full(n_chains, float(trajectory_time))
        last = np.full(n_chains, -1)
        while True:
            hit_time = np.arctan2(along_v, along_w) + 0.5 * math.pi
            bounced = last >= 0
            hit_time[chains[bounced], last[bounced]] = np.inf  # the plane just left cannot be hit at t = 0⁺
            j = np.argmin(hit_time, axis=1)
            first = hit_time[chains, j]
            hit = first < remaining
            step = np.where(hit, first, remaining)
            c, s = np.cos(step)[:, None], np.sin(step)[:, None]
            w, v = w * c + v * s, v * c - w * s
            along_w, along_v = along_w * c + along_v * s, along_v * c - along_w * s
            if not hit.any():
                break
            normal_speed = np.where(hit, along_v[chains, j], 0.0)
            v = v - 2.0 * normal_speed[:, None] * a[chains, j]
            along_v = along_v - 2.0 * normal_speed[:, None] * gram[chains, :, j]
            last = np.where(hit, j, -1)
            remaining = remaining - step
        out[it] = w
    if np.any(np.matmul(a, w[:, :, None]) < -1e-9 * np.linalg.norm(w, axis=1)[:, None, None]):
        raise RuntimeError("version-space sampler left the version space (round-off); this is a bug")
    return out


@dataclass(frozen=True)
class MonteCarloError:
    """Finite-N Monte Carlo estimate of the T = 0 Gibbs generalisation error, averaged over data sets.

    ``stderr`` is the standard deviation over data sets of the per-data-set posterior means, over √D: it
    includes both disorder and sampling noise, since data sets are independent.
    """

    n_inputs: int
    alpha: float
    mean: float
    stderr: float
    per_dataset: FloatArray


def monte_carlo_gibbs_error(
    n_inputs: int,
    alpha: float,
    n_datasets: int,
    n_iterations: int,
    burn_in: int,
    seed: int,
    *,
    max_batch_bytes: int = 2**26,
) -> MonteCarloError:
    """Average of ε = arccos(R)/π over the version space and over D data sets, by :func:`sample_version_space`.

    Chains start at the teacher (always feasible); the integrated autocorrelation time of ε with the
    default trajectory time π/2 is below one iteration, and two iterations of burn-in suffice from the
    teacher (measured at N = 100, α = 2). Data sets are processed in batches whose Gram matrices and inputs
    fit in ``max_batch_bytes`` (64 MiB by default); the result depends on the seed and the batch size.
    """
    if not 0 <= burn_in < n_iterations:
        raise ValueError(f"burn_in must lie in [0, n_iterations), got {burn_in!r}")
    if n_datasets < 1:
        raise ValueError(f"n_datasets must be positive, got {n_datasets!r}")
    rng = np.random.default_rng(seed)
    p = max(1, round(_check_alpha(alpha) * n_inputs))
    batch = max(1, min(n_datasets, max_batch_bytes // (8 * p * (p + 2 * n_inputs))))
    per_dataset = []
    for first in range(0, n_datasets, batch):
        data = teacher_student_data(n_inputs, alpha, min(batch, n_datasets - first), rng)
        start = data.teachers * math.sqrt(n_inputs)
        samples = sample_version_space(data.constraints, start, n_iterations, rng)[burn_in:]
        overlap = np.einsum("idn,dn->id", samples, data.teachers) / np.linalg.norm(samples, axis=2)
        per_dataset.append(np.mean(np.arccos(np.clip(overlap, -1.0, 1.0)) / math.pi, axis=0))
    errors = np.concatenate(per_dataset)
    stderr = float(np.std(errors, ddof=1) / math.sqrt(n_datasets)) if n_datasets > 1 else math.nan
    return MonteCarloError(int(n_inputs), float(alpha), float(np.mean(errors)), stderr, errors)
