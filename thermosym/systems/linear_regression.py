"""Teacher-student Bayesian linear regression at temperature T (``../shared/REFERENCES.md`` §2).

Inputs x_μ ~ N(0, I_N/N) (rows of X, P × N), α = P/N, teacher w* ~ N(0, I_N), labels y = Xw* + ξ,
ξ ~ N(0, σ²I_P). Energy E(w) = ½|y − Xw|² + (λ/2)|w|²; the Gibbs posterior p_T(w) ∝ exp(−E(w)/T) is
N(m, T A⁻¹) with A = XᵀX + λI and m = A⁻¹Xᵀy. Errors: ε_g = ⟨|w − w*|²⟩/N (the excess test error on a fresh
input), ε_t = ⟨|y − Xw|²⟩/P (the training error). Sources: Krogh & Hertz, J. Phys. A 25, 1135 (1992);
Hastie, Montanari, Rosset & Tibshirani, "Surprises in high-dimensional ridgeless least squares interpolation",
arXiv:1903.08560 (the isotropic-feature case).

Large-N limits (checked here independently of REFERENCES): g(λ) = lim (1/N) tr(XᵀX + λI)⁻¹ is the Stieltjes
transform of the Marchenko-Pastur law of XᵀX (support (1 ± √α)², atom 1 − α at 0 when α < 1) at −λ. The
leave-one-out (Sherman-Morrison) argument gives g = 1/(λ + α/(1 + g)), i.e. λg² + (λ + α − 1)g − 1 = 0, whose
positive root is g = [1 − α − λ + √((1 − α − λ)² + 4λ)]/(2λ), and g′ = −(g² + g)/(2λg + λ + α − 1). With
m − w* = −λA⁻¹w* + A⁻¹Xᵀξ and (1/N) tr A⁻² = −g′:

    ε_g = −λ²g′ + σ²(g + λg′) + Tg.

With I_P − XA⁻¹Xᵀ = λ(XXᵀ + λI_P)⁻¹ and h = lim (1/P) tr(XXᵀ + λI_P)⁻¹ = g/α + (1 − 1/α)/λ:

    ε_t = λ²h − λ²(σ² − λ)h′ + T(1 − λg)/α.

All of this agrees with REFERENCES §2.

>>> round(resolvent_trace(2.0, 1.0), 12)  # g(λ = 1) at α = 2
0.414213562373
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate

from thermosym.systems.base import FloatArray, GibbsSystem, as_temperature

__all__ = [
    "BayesianLinearRegression",
    "RegressionErrors",
    "TeacherStudentData",
    "asymptotic_errors",
    "asymptotic_errors_ridgeless",
    "asymptotic_mutual_information_per_parameter",
    "average_errors_ridgeless",
    "fisher_information",
    "mutual_information",
    "resolvent_trace",
    "resolvent_trace_derivative",
]


def _check_positive(name: str, value: float, allow_zero: bool = False) -> float:
    v = float(value)
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        bound = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return v


def _check_count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class RegressionErrors:
    """Generalisation error ε_g = ⟨|w − w*|²⟩/N and training error ε_t = ⟨|y − Xw|²⟩/P."""

    generalisation: float
    training: float


@dataclass(frozen=True, eq=False)
class TeacherStudentData:
    """One data set: inputs X (P × N), teacher w* (N), labels y = Xw* + ξ (P), and the noise variance σ²."""

    inputs: FloatArray
    teacher: FloatArray
    labels: FloatArray
    noise_var: float

    def __post_init__(self) -> None:
        x = np.asarray(self.inputs, dtype=np.float64)
        w = np.asarray(self.teacher, dtype=np.float64).reshape(-1)
        y = np.asarray(self.labels, dtype=np.float64).reshape(-1)
        if x.ndim != 2 or x.shape[1] != w.size or x.shape[0] != y.size:
            raise ValueError(
                f"inputs must be P × N with teacher of length N and labels of length P; got inputs {x.shape}, "
                f"teacher {w.shape}, labels {y.shape}"
            )
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(w)) and np.all(np.isfinite(y))):
            raise ValueError("inputs, teacher and labels must be finite")
        object.__setattr__(self, "inputs", x)
        object.__setattr__(self, "teacher", w)
        object.__setattr__(self, "labels", y)
        object.__setattr__(self, "noise_var", _check_positive("noise_var", self.noise_var, allow_zero=True))

    @classmethod
    def generate(
        cls, n_features: int, n_samples: int, noise_var: float, rng: np.random.Generator
    ) -> TeacherStudentData:
        """Draw x_μ ~ N(0, I_N/N), w* ~ N(0, I_N), ξ ~ N(0, σ²I_P) and y = Xw* + ξ."""
        n = _check_count("n_features", n_features)
        p = _check_count("n_samples", n_samples)
        s2 = _check_positive("noise_var", noise_var, allow_zero=True)
        x = rng.standard_normal((p, n)) / math.sqrt(n)
        w = rng.standard_normal(n)
        y = x @ w + math.sqrt(s2) * rng.standard_normal(p)
        return cls(x, w, y, s2)

    @property
    def n_features(self) -> int:
        """N."""
        return int(self.inputs.shape[1])

    @property
    def n_samples(self) -> int:
        """P."""
        return int(self.inputs.shape[0])

    @property
    def alpha(self) -> float:
        """α = P/N."""
        return self.n_samples / self.n_features


@dataclass(frozen=True, eq=False, init=False)
class BayesianLinearRegression(GibbsSystem):
    """The Gibbs posterior p_T(w) ∝ exp(−E(w)/T), E(w) = ½|y − Xw|² + (λ/2)|w|², for one data set.

    E(w) = E_min + ½(w − m)ᵀA(w − m) with E_min = ½(|y|² − yᵀXA⁻¹Xᵀy), so
    ln Z = −E_min/T + (N/2) ln(2πT) − ½ ln det A, ⟨E⟩ = E_min + NT/2, Var E = NT²/2 and C = N/2 for every
    data set and every T. Needs A ≻ 0: λ > 0, or λ = 0 with XᵀX of full rank (P ≥ N).
    """

    data: TeacherStudentData
    ridge: float
    _eig_a: FloatArray = field(repr=False)  # eigenvalues of A = XᵀX + λI, ascending
    _vectors: FloatArray = field(repr=False)  # their eigenvectors (columns)
    _mean: FloatArray = field(repr=False)  # posterior mean m
    _e_min: float = field(repr=False)  # E(m)
    name = "bayesian-linear-regression"

    def __init__(self, data: TeacherStudentData, ridge: float) -> None:
        lam = _check_positive("ridge", ridge, allow_zero=True)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "ridge", lam)
        gram = data.inputs.T @ data.inputs
        eig, vectors = np.linalg.eigh(gram)
        eig_a = eig + lam
        if eig_a[0] <= 1e-12 * max(float(eig_a[-1]), 1.0):
            raise ValueError(
                f"ridge = {lam:g} leaves XᵀX + λI singular (P = {data.n_samples}, N = {data.n_features}): "
                "the posterior is improper; use ridge > 0"
            )
        object.__setattr__(self, "_eig_a", eig_a)
        object.__setattr__(self, "_vectors", vectors)
        b = data.inputs.T @ data.labels
        mean = vectors @ ((vectors.T @ b) / eig_a)
        object.__setattr__(self, "_mean", mean)
        object.__setattr__(self, "_e_min", 0.5 * float(data.labels @ data.labels - b @ mean))

    @property
    def dim(self) -> int:
        """N, the number of parameters."""
        return self.data.n_features

    def _a_inverse(self, power: int = 1) -> FloatArray:
        v = self._vectors
        return np.asarray((v / self._eig_a**power) @ v.T, dtype=np.float64)

    @property
    def minimum_energy(self) -> float:
        """E_min = E(m) = ½(|y|² − yᵀXA⁻¹Xᵀy)."""
        return float(self._e_min)

    def posterior_mean(self) -> FloatArray:
        """m = A⁻¹Xᵀy (independent of T)."""
        return np.array(self._mean, dtype=np.float64)

    def posterior_covariance(self, temperature: ArrayLike) -> FloatArray:
        """T A⁻¹, shape T.shape + (N, N)."""
        t = as_temperature(temperature)
        return np.asarray(t[..., None, None] * self._a_inverse(), dtype=np.float64)

    def posterior_precision(self, temperature: ArrayLike) -> FloatArray:
        """−∂² ln p_T/∂w∂wᵀ = A/T = (XᵀX + λI)/T (constant in w), shape T.shape + (N, N)."""
        t = as_temperature(temperature)
        v = self._vectors
        a = (v * self._eig_a) @ v.T
        return np.asarray(a / t[..., None, None], dtype=np.float64)

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = −E_min/T + (N/2) ln(2πT) − ½ ln det A."""
        t = as_temperature(temperature)
        log_det = float(np.sum(np.log(self._eig_a)))
        return -self.minimum_energy / t + 0.5 * self.dim * np.log(2 * np.pi * t) - 0.5 * log_det

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨E⟩ = E_min + NT/2."""
        return self.minimum_energy + 0.5 * self.dim * as_temperature(temperature)

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var E = NT²/2."""
        return 0.5 * self.dim * as_temperature(temperature) ** 2

    def heat_capacity(self, temperature: ArrayLike) -> FloatArray:
        """C = N/2 for every data set."""
        return np.full_like(as_temperature(temperature), 0.5 * self.dim)

    def energy(self, weights: ArrayLike) -> FloatArray:
        """E(w) = ½|y − Xw|² + (λ/2)|w|² over the last axis of w."""
        w = np.asarray(weights, dtype=np.float64)
        residual = self.data.labels - w @ self.data.inputs.T
        return 0.5 * np.sum(residual**2, axis=-1) + 0.5 * self.ridge * np.sum(w**2, axis=-1)

    def generalisation_error(self, temperature: ArrayLike) -> FloatArray:
        """ε_g(T) = ⟨|w − w*|²⟩/N = (|m − w*|² + T tr A⁻¹)/N for this data set."""
        t = as_temperature(temperature)
        bias = float(np.sum((self.posterior_mean() - self.data.teacher) ** 2))
        trace = float(np.sum(1.0 / self._eig_a))
        return (bias + t * trace) / self.dim

    def training_error(self, temperature: ArrayLike) -> FloatArray:
        """ε_t(T) = ⟨|y − Xw|²⟩/P = (|y − Xm|² + T tr(XA⁻¹Xᵀ))/P for this data set."""
        t = as_temperature(temperature)
        x = self.data.inputs
        residual = float(np.sum((self.data.labels - x @ self.posterior_mean()) ** 2))
        eig_gram = self._eig_a - self.ridge
        trace = float(np.sum(eig_gram / self._eig_a))
        return (residual + t * trace) / self.data.n_samples

    def sample(self, temperature: ArrayLike, n: int, rng: np.random.Generator) -> FloatArray:
        """Exact posterior samples, shape T.shape + (n, N)."""
        t = as_temperature(temperature)
        count = _check_count("n", n)
        z = rng.standard_normal((*t.shape, count, self.dim))
        v = self._vectors
        scaled = (z / np.sqrt(self._eig_a)) @ v.T
        return np.asarray(self.posterior_mean() + np.sqrt(t)[..., None, None] * scaled, dtype=np.float64)

    def parameters(self) -> dict[str, object]:
        return {
            "n_features": self.data.n_features,
            "n_samples": self.data.n_samples,
            "noise_var": self.data.noise_var,
            "ridge": self.ridge,
        }


def fisher_information(data: TeacherStudentData, noise_var: float | None = None) -> FloatArray:
    """Fisher information of the data set under y_μ ~ N(x_μ·w, σ²): I_F = XᵀX/σ² (independent of w).

    HC-21: at T = σ² and λ → 0 the posterior covariance T A⁻¹ = σ²(XᵀX)⁻¹ is exactly I_F⁻¹; for λ > 0 the
    posterior precision A/T = I_F + (λ/σ²)I adds the prior's precision (the Bayesian Cramér-Rao form).
    """
    s2 = _check_positive("noise_var", data.noise_var if noise_var is None else noise_var)
    return np.asarray(data.inputs.T @ data.inputs / s2, dtype=np.float64)


def mutual_information(data: TeacherStudentData, noise_var: float | None = None, prior_variance: float = 1.0) -> float:
    """I(w; y | X) = ½ ln det(I_N + (s²/σ²) XᵀX) nats, for prior w ~ N(0, s²I) and y | w ~ N(Xw, σ²I).

    Derivation: w and y are jointly Gaussian, so I = h(w) − h(w | y) = ½ ln det Σ_prior − ½ ln det Σ_post, and
    Σ_post = (I/s² + XᵀX/σ²)⁻¹, the posterior covariance, does not depend on y. Equivalently
    ½ ln det(I_P + (s²/σ²) XXᵀ) (Sylvester).
    """
    s2 = _check_positive("noise_var", data.noise_var if noise_var is None else noise_var)
    sw2 = _check_positive("prior_variance", prior_variance)
    eig = np.linalg.eigvalsh(data.inputs.T @ data.inputs)
    return 0.5 * float(np.sum(np.log1p(sw2 / s2 * np.clip(eig, 0.0, None))))


def resolvent_trace(alpha: float, ridge: float) -> float:
    """g(λ) = lim_{N→∞} (1/N) tr(XᵀX + λI)⁻¹ = [1 − α − λ + √((1 − α − λ)² + 4λ)]/(2λ), λ > 0.

    Written in a cancellation-free form: g = 2/(√((1 − α − λ)² + 4λ) − (1 − α − λ)) when 1 − α − λ < 0.
    """
    a = _check_positive("alpha", alpha)
    lam = _check_positive("ridge", ridge)
    b = 1.0 - a - lam
    root = math.sqrt(b * b + 4.0 * lam)
    return (b + root) / (2.0 * lam) if b >= 0 else 2.0 / (root - b)


def resolvent_trace_derivative(alpha: float, ridge: float) -> float:
    """g′(λ) = −(g² + g)/(2λg + λ + α − 1) = −lim (1/N) tr(XᵀX + λI)⁻²."""
    g = resolvent_trace(alpha, ridge)
    return -(g * g + g) / (2.0 * ridge * g + ridge + alpha - 1.0)


def asymptotic_errors(alpha: float, ridge: float, noise_var: float, temperature: float) -> RegressionErrors:
    """N → ∞ errors at fixed α = P/N, λ > 0 (module docstring; Hastie et al. 2019 at T = 0):

    ε_g = −λ²g′ + σ²(g + λg′) + Tg,  ε_t = λ²h − λ²(σ² − λ)h′ + T(1 − λg)/α,
    h = g/α + (1 − 1/α)/λ, h′ = g′/α − (1 − 1/α)/λ².
    """
    a = _check_positive("alpha", alpha)
    lam = _check_positive("ridge", ridge)
    s2 = _check_positive("noise_var", noise_var, allow_zero=True)
    t = _check_positive("temperature", temperature, allow_zero=True)
    g = resolvent_trace(a, lam)
    gp = resolvent_trace_derivative(a, lam)
    h = g / a + (1.0 - 1.0 / a) / lam
    hp = gp / a - (1.0 - 1.0 / a) / lam**2
    eps_g = -(lam**2) * gp + s2 * (g + lam * gp) + t * g
    eps_t = lam**2 * h - lam**2 * (s2 - lam) * hp + t * (1.0 - lam * g) / a
    return RegressionErrors(eps_g, eps_t)


def asymptotic_errors_ridgeless(alpha: float, noise_var: float, temperature: float = 0.0) -> RegressionErrors:
    """The λ → 0 limit of :func:`asymptotic_errors` (Hastie et al. 2019, isotropic features).

    α > 1: ε_g = (σ² + T)/(α − 1), ε_t = σ²(1 − 1/α) + T/α.
    α < 1 (interpolation, T = 0 only: for T > 0 the flat directions make the posterior improper):
    ε_g = (1 − α) + σ²α/(1 − α), ε_t = 0. α = 1 diverges (ValueError).
    """
    a = _check_positive("alpha", alpha)
    s2 = _check_positive("noise_var", noise_var, allow_zero=True)
    t = _check_positive("temperature", temperature, allow_zero=True)
    if a == 1.0:
        raise ValueError("alpha = 1 is the interpolation threshold: the ridgeless errors diverge")
    if a > 1.0:
        return RegressionErrors((s2 + t) / (a - 1.0), s2 * (1.0 - 1.0 / a) + t / a)
    if t > 0:
        raise ValueError(f"temperature must be 0 for ridgeless regression with alpha = {a} < 1 (improper posterior)")
    return RegressionErrors((1.0 - a) + s2 * a / (1.0 - a), 0.0)


def average_errors_ridgeless(n_features: int, n_samples: int, noise_var: float, temperature: float) -> RegressionErrors:
    """Exact data-averaged errors at finite N for λ = 0, P > N + 1.

    E[(XᵀX)⁻¹] = N I/(P − N − 1) (inverse Wishart mean, XᵀX = W/N with W ~ Wishart_N(P, I)), and the residual
    is the projection of ξ off the column space of X (rank N):
    ε_g = (σ² + T)N/(P − N − 1), ε_t = σ²(1 − N/P) + TN/P.
    """
    n = _check_count("n_features", n_features)
    p = _check_count("n_samples", n_samples)
    if p <= n + 1:
        raise ValueError(f"n_samples must exceed n_features + 1 (got P = {p}, N = {n}): E tr(XᵀX)⁻¹ is infinite")
    s2 = _check_positive("noise_var", noise_var, allow_zero=True)
    t = _check_positive("temperature", temperature, allow_zero=True)
    return RegressionErrors((s2 + t) * n / (p - n - 1), s2 * (1.0 - n / p) + t * n / p)


def asymptotic_mutual_information_per_parameter(alpha: float, noise_var: float, prior_variance: float = 1.0) -> float:
    """lim_{N→∞} I(w; D)/N = ½ ∫ ln(1 + (s²/σ²)x) dμ_MP(x) = ½ ∫_{σ²/s²}^∞ [1/t − g(t)] dt.

    The second form follows from d/dt ∫ ln(x + t) dμ = g(t) and ln(x + t) − ln t → 0 as t → ∞; it is evaluated
    by scipy.integrate.quad (relative accuracy ~1e−10).
    """
    a = _check_positive("alpha", alpha)
    ratio = _check_positive("noise_var", noise_var) / _check_positive("prior_variance", prior_variance)
    value, _ = integrate.quad(
        lambda t: 1.0 / t - resolvent_trace(a, t), ratio, np.inf, epsabs=1e-13, epsrel=1e-11, limit=200
    )
    return 0.5 * value
