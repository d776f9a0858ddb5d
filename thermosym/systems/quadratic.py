"""Gibbs measures with closed forms: quadratic loss, power-law loss, quadratic loss with a Gaussian prior,
finite sets of levels (``../shared/REFERENCES.md`` §1).

Conventions: k_B = 1, p(θ) ∝ exp(−L(θ)/T); the "energy" E is the loss L. All thermodynamic functions are
vectorised over T (array in, array of the same shape out); matrix-valued ones append their matrix axes.

>>> q = QuadraticGibbs([[2.0, 0.0], [0.0, 0.5]])
>>> float(q.heat_capacity(3.0)), float(q.mean_energy(3.0))
(1.0, 3.0)
>>> q.covariance(2.0).tolist()
[[1.0, 0.0], [0.0, 4.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import gammaln, logsumexp

from thermosym.systems.base import FloatArray, GibbsSystem, as_temperature

__all__ = ["DiscreteLevels", "PowerLawGibbs", "QuadraticGibbs", "QuadraticWithGaussianPrior"]


def _symmetric_positive_definite(matrix: ArrayLike, name: str) -> FloatArray:
    """The matrix as float64 after checking it is square, finite, symmetric and positive definite."""
    h = np.array(matrix, dtype=np.float64)
    if h.ndim != 2 or h.shape[0] != h.shape[1] or h.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty square matrix, got shape {h.shape}")
    if not np.all(np.isfinite(h)):
        raise ValueError(f"{name} must be finite")
    scale = max(float(np.max(np.abs(h))), np.finfo(np.float64).tiny)
    if not np.allclose(h, h.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError(f"{name} must be symmetric")
    h = 0.5 * (h + h.T)
    if np.min(np.linalg.eigvalsh(h)) <= 0:
        raise ValueError(f"{name} must be positive definite (smallest eigenvalue {np.min(np.linalg.eigvalsh(h))})")
    return h


def _matrix_times_temperature(t: FloatArray, matrix: FloatArray) -> FloatArray:
    """T·M with T's shape followed by the matrix axes."""
    return np.asarray(t[..., None, None] * matrix, dtype=np.float64)


def _check_sample_size(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n (number of samples) must be a positive integer, got {n!r}")
    return int(n)


@dataclass(frozen=True, eq=False, init=False)
class QuadraticGibbs(GibbsSystem):
    """L(θ) = ½ θᵀHθ with H ≻ 0 in d dimensions: p = N(0, T H⁻¹).

    Z = (2πT)^{d/2} (det H)^{−1/2}, F = −T ln Z, ⟨E⟩ = dT/2, Var E = dT²/2, C = d/2,
    S = d/2 + (d/2) ln(2πT) − ½ ln det H; Cov θ = T H⁻¹, Cov ∇L = T H, ⟨|∇L|²⟩ = T tr H = T⟨ΔL⟩,
    ⟨θ·∇L⟩ = dT, Σᵢ Var θᵢ = T tr H⁻¹ (any textbook Gaussian integral; REFERENCES §1).
    """

    hessian: FloatArray
    name = "quadratic"

    def __init__(self, hessian: ArrayLike) -> None:
        object.__setattr__(self, "hessian", _symmetric_positive_definite(hessian, "hessian"))

    @classmethod
    def diagonal(cls, eigenvalues: ArrayLike) -> QuadraticGibbs:
        """H = diag(eigenvalues)."""
        return cls(np.diag(np.atleast_1d(np.asarray(eigenvalues, dtype=np.float64))))

    @property
    def dim(self) -> int:
        """d, the number of parameters."""
        return int(self.hessian.shape[0])

    @property
    def log_det_hessian(self) -> float:
        """ln det H."""
        return float(np.linalg.slogdet(self.hessian)[1])

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = (d/2) ln(2πT) − ½ ln det H."""
        t = as_temperature(temperature)
        return 0.5 * self.dim * np.log(2 * np.pi * t) - 0.5 * self.log_det_hessian

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨E⟩ = dT/2 (equipartition)."""
        return 0.5 * self.dim * as_temperature(temperature)

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var E = dT²/2 (E/T is half a χ²_d variable)."""
        return 0.5 * self.dim * as_temperature(temperature) ** 2

    def heat_capacity(self, temperature: ArrayLike) -> FloatArray:
        """C = d/2 at every T."""
        return np.full_like(as_temperature(temperature), 0.5 * self.dim)

    def entropy(self, temperature: ArrayLike) -> FloatArray:
        """S = d/2 + (d/2) ln(2πT) − ½ ln det H, the differential entropy of N(0, T H⁻¹)."""
        return 0.5 * self.dim + self.log_partition(temperature)

    def covariance(self, temperature: ArrayLike) -> FloatArray:
        """Cov θ = T H⁻¹, shape T.shape + (d, d)."""
        inverse = np.asarray(np.linalg.inv(self.hessian), dtype=np.float64)
        return _matrix_times_temperature(as_temperature(temperature), inverse)

    def gradient_covariance(self, temperature: ArrayLike) -> FloatArray:
        """Cov ∇L = H (T H⁻¹) H = T H, shape T.shape + (d, d)."""
        return _matrix_times_temperature(as_temperature(temperature), self.hessian)

    def mean_squared_gradient(self, temperature: ArrayLike) -> FloatArray:
        """⟨|∇L|²⟩ = T tr H."""
        return as_temperature(temperature) * float(np.trace(self.hessian))

    def mean_laplacian(self) -> float:
        """⟨ΔL⟩ = tr H (ΔL is constant)."""
        return float(np.trace(self.hessian))

    def virial(self, temperature: ArrayLike) -> FloatArray:
        """⟨θ·∇L⟩ = ⟨θᵀHθ⟩ = dT."""
        return self.dim * as_temperature(temperature)

    def parameter_variance_sum(self, temperature: ArrayLike) -> FloatArray:
        """Σᵢ Var θᵢ = T tr H⁻¹."""
        return as_temperature(temperature) * float(np.trace(np.linalg.inv(self.hessian)))

    def energy(self, theta: ArrayLike) -> FloatArray:
        """L(θ) = ½ θᵀHθ over the last axis of θ."""
        x = np.asarray(theta, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.hessian, x)

    def gradient(self, theta: ArrayLike) -> FloatArray:
        """∇L = Hθ over the last axis of θ."""
        return np.asarray(np.asarray(theta, dtype=np.float64) @ self.hessian, dtype=np.float64)

    def sample(self, temperature: ArrayLike, n: int, rng: np.random.Generator) -> FloatArray:
        """Exact samples θ = √T L⁻ᵀz (H = LLᵀ, z ~ N(0, I)): shape T.shape + (n, d), (n, d) for scalar T."""
        t = as_temperature(temperature)
        count = _check_sample_size(n)
        chol = np.linalg.cholesky(self.hessian)
        z = rng.standard_normal((*t.shape, count, self.dim))
        # θ = L⁻ᵀ z has covariance (LLᵀ)⁻¹ = H⁻¹; rows are samples: θᵀ = zᵀ L⁻¹
        white = np.linalg.solve(chol.T, z.reshape(-1, self.dim).T).T.reshape(z.shape)
        return np.asarray(np.sqrt(t)[..., None, None] * white, dtype=np.float64)

    def parameters(self) -> dict[str, object]:
        return {"hessian": self.hessian.tolist()}


@dataclass(frozen=True, eq=False)
class PowerLawGibbs(GibbsSystem):
    """L(θ) = a|θ|^k in d dimensions (a > 0, k > 0).

    With c = a/T and the radial integral ∫₀^∞ r^{d−1} e^{−c r^k} dr = Γ(d/k)/(k c^{d/k}):

        Z = [2π^{d/2}/Γ(d/2)] Γ(d/k)/k (T/a)^{d/k},  ⟨E⟩ = dT/k,  Var E = dT²/k,  C = d/k,
        ⟨|θ|^s⟩ = (T/a)^{s/k} Γ((d + s)/k)/Γ(d/k)  (s > −d).

    u = a|θ|^k/T is Gamma(d/k, 1)-distributed, which gives the exact sampler. Identities: θ·∇L = kL, so
    ⟨θ·∇L⟩ = dT for every k > 0 (virial); |∇L|² = a²k²r^{2k−2} and ΔL = ak(k + d − 2)r^{k−2} for r > 0, and
    ⟨|∇L|²⟩ = T⟨ΔL⟩ (configurational temperature) holds if and only if k > 2 − d: then ⟨r^{k−2}⟩ is finite
    and the boundary term of the integration by parts, ∝ r^{d+k−2} at r → 0, vanishes. For d = 1, k = 1 the
    pointwise Laplacian is 0 away from the kink and the identity fails (the missing mass is the δ at 0).
    """

    a: float
    k: float
    dim: int = 1
    name = "power-law"

    def __post_init__(self) -> None:
        for label in ("a", "k"):
            value = float(getattr(self, label))
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{label} must be finite and positive, got {getattr(self, label)!r}")
            object.__setattr__(self, label, value)
        if isinstance(self.dim, bool) or not isinstance(self.dim, (int, np.integer)) or self.dim < 1:
            raise ValueError(f"dim must be a positive integer, got {self.dim!r}")
        object.__setattr__(self, "dim", int(self.dim))

    @property
    def configurational_identity_holds(self) -> bool:
        """Whether ⟨|∇L|²⟩ = T⟨ΔL⟩ holds with the pointwise Laplacian: k > 2 − d."""
        return self.k > 2 - self.dim

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = ln 2 + (d/2) ln π − ln Γ(d/2) + ln Γ(d/k) − ln k + (d/k) ln(T/a)."""
        t = as_temperature(temperature)
        d, k = self.dim, self.k
        const = math.log(2.0) + 0.5 * d * math.log(math.pi) - gammaln(0.5 * d) + gammaln(d / k) - math.log(k)
        return const + (d / k) * np.log(t / self.a)

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨E⟩ = dT/k."""
        return self.dim * as_temperature(temperature) / self.k

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var E = dT²/k (E/T is Gamma(d/k, 1))."""
        return self.dim * as_temperature(temperature) ** 2 / self.k

    def heat_capacity(self, temperature: ArrayLike) -> FloatArray:
        """C = d/k at every T."""
        return np.full_like(as_temperature(temperature), self.dim / self.k)

    def mean_radius_power(self, power: float, temperature: ArrayLike) -> FloatArray:
        """⟨|θ|^s⟩ = (T/a)^{s/k} Γ((d + s)/k)/Γ(d/k); infinite moments (s ≤ −d) raise ValueError."""
        if power <= -self.dim:
            raise ValueError(f"power must exceed −dim = {-self.dim} for a finite moment, got {power}")
        t = as_temperature(temperature)
        d, k = self.dim, self.k
        return np.exp((power / k) * np.log(t / self.a) + gammaln((d + power) / k) - gammaln(d / k))

    def virial(self, temperature: ArrayLike) -> FloatArray:
        """⟨θ·∇L⟩ = k⟨L⟩ = dT."""
        return self.dim * as_temperature(temperature)

    def mean_squared_gradient(self, temperature: ArrayLike) -> FloatArray:
        """⟨|∇L|²⟩ = a²k²⟨r^{2k−2}⟩ (finite iff 2k − 2 > −d)."""
        return self.a**2 * self.k**2 * self.mean_radius_power(2 * self.k - 2, temperature)

    def mean_laplacian(self, temperature: ArrayLike) -> FloatArray:
        """⟨ΔL⟩ = ak(k + d − 2)⟨r^{k−2}⟩ with the pointwise Laplacian; defined only for k > 2 − d."""
        if not self.configurational_identity_holds:
            raise ValueError(
                f"⟨ΔL⟩ of a|θ|^k is not given by the pointwise Laplacian for k = {self.k} ≤ 2 − dim = "
                f"{2 - self.dim} (divergent at θ = 0 or concentrated there)"
            )
        return self.a * self.k * (self.k + self.dim - 2) * self.mean_radius_power(self.k - 2, temperature)

    def energy(self, theta: ArrayLike) -> FloatArray:
        """L(θ) = a|θ|^k over the last axis."""
        return self.a * np.linalg.norm(np.asarray(theta, dtype=np.float64), axis=-1) ** self.k

    def gradient(self, theta: ArrayLike) -> FloatArray:
        """∇L = ak|θ|^{k−2} θ (for θ ≠ 0)."""
        x = np.asarray(theta, dtype=np.float64)
        r = np.linalg.norm(x, axis=-1, keepdims=True)
        return np.asarray(self.a * self.k * r ** (self.k - 2) * x, dtype=np.float64)

    def laplacian(self, theta: ArrayLike) -> FloatArray:
        """ΔL = ak(k + d − 2)|θ|^{k−2} (for θ ≠ 0)."""
        r = np.linalg.norm(np.asarray(theta, dtype=np.float64), axis=-1)
        return self.a * self.k * (self.k + self.dim - 2) * r ** (self.k - 2)

    def sample(self, temperature: ArrayLike, n: int, rng: np.random.Generator) -> FloatArray:
        """Exact samples: r = (T u/a)^{1/k} with u ~ Gamma(d/k, 1), times a uniform direction."""
        t = as_temperature(temperature)
        count = _check_sample_size(n)
        u = rng.gamma(self.dim / self.k, 1.0, size=(*t.shape, count))
        radius = (t[..., None] * u / self.a) ** (1.0 / self.k)
        direction = rng.standard_normal((*t.shape, count, self.dim))
        direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
        return np.asarray(radius[..., None] * direction, dtype=np.float64)

    def parameters(self) -> dict[str, object]:
        return {"a": self.a, "k": self.k, "dim": self.dim}


@dataclass(frozen=True, eq=False, init=False)
class QuadraticWithGaussianPrior(GibbsSystem):
    """p_T(θ) ∝ φ(θ) exp(−L(θ)/T), L = ½θᵀHθ, φ = N(0, s²I) normalised; the energy is the loss L alone.

    The prior is part of the base measure, not of the energy: Z(T) = ∫ φ(θ) e^{−L/T} dθ. In the eigenbasis of
    H (eigenvalues hᵢ) p_T is Gaussian with variances σᵢ² = T s²/(T + hᵢ s²), so

        ln Z = ½ Σᵢ ln[T/(T + hᵢ s²)],  ⟨L⟩ = ½ Σᵢ hᵢ s² T/(T + hᵢ s²),
        Var L = ½ Σᵢ hᵢ² s⁴ T²/(T + hᵢ s²)²,  C = d⟨L⟩/dT = ½ Σᵢ [hᵢ s²/(T + hᵢ s²)]².

    C is not constant: C → d/2 as T → 0 (the prior is flat on the posterior's scale) and C ≈ Σᵢ hᵢ² s⁴/(2T²) → 0
    as T → ∞ (p_T → φ, which does not depend on T).

    Proof that C = β² Var L here: Z(T)⟨L⟩ = ∫ L φ e^{−L/T} dθ and only e^{−L/T} depends on T, with
    d e^{−L/T}/dT = (L/T²) e^{−L/T}. Hence d⟨L⟩/dT = ⟨L²⟩/T² − ⟨L⟩ (d ln Z/dT) = (⟨L²⟩ − ⟨L⟩²)/T², because
    d ln Z/dT = ⟨L⟩/T². (The identity would fail if the prior were tempered as well.)

    :meth:`entropy` is the base-class S = (⟨L⟩ − F)/T, which for this base measure is −KL(p_T ‖ φ) ≤ 0;
    :meth:`differential_entropy` is −∫ p ln p dθ = S − ⟨ln φ⟩.
    """

    hessian: FloatArray
    prior_variance: float
    name = "quadratic-gaussian-prior"

    def __init__(self, hessian: ArrayLike, prior_variance: float) -> None:
        object.__setattr__(self, "hessian", _symmetric_positive_definite(hessian, "hessian"))
        s2 = float(prior_variance)
        if not math.isfinite(s2) or s2 <= 0:
            raise ValueError(f"prior_variance must be finite and positive, got {prior_variance!r}")
        object.__setattr__(self, "prior_variance", s2)

    @property
    def dim(self) -> int:
        """d, the number of parameters."""
        return int(self.hessian.shape[0])

    @property
    def _eigenvalues(self) -> FloatArray:
        return np.asarray(np.linalg.eigvalsh(self.hessian), dtype=np.float64)

    def _ratio(self, temperature: ArrayLike) -> FloatArray:
        """hᵢ s²/(T + hᵢ s²), shape T.shape + (d,)."""
        t = as_temperature(temperature)[..., None]
        hs = self._eigenvalues * self.prior_variance
        return np.asarray(hs / (t + hs), dtype=np.float64)

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = ½ Σᵢ ln[T/(T + hᵢ s²)] = ½ Σᵢ ln(1 − hᵢs²/(T + hᵢs²))."""
        return 0.5 * np.sum(np.log1p(-self._ratio(temperature)), axis=-1)

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨L⟩ = ½ Σᵢ hᵢ s² T/(T + hᵢ s²)."""
        t = as_temperature(temperature)
        return 0.5 * t * np.sum(self._ratio(t), axis=-1)

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var L = ½ Σᵢ [hᵢ s² T/(T + hᵢ s²)]²."""
        t = as_temperature(temperature)
        return 0.5 * t**2 * np.sum(self._ratio(t) ** 2, axis=-1)

    def heat_capacity(self, temperature: ArrayLike) -> FloatArray:
        """C = ½ Σᵢ [hᵢ s²/(T + hᵢ s²)]² (= β² Var L = d⟨L⟩/dT)."""
        return 0.5 * np.sum(self._ratio(temperature) ** 2, axis=-1)

    def differential_entropy(self, temperature: ArrayLike) -> FloatArray:
        """−∫ p ln p dθ = ½ Σᵢ ln(2πe σᵢ²), σᵢ² = T s²/(T + hᵢ s²)."""
        variances = self.prior_variance * (1.0 - self._ratio(temperature))
        return 0.5 * np.sum(np.log(2 * np.pi * np.e * variances), axis=-1)

    def covariance(self, temperature: ArrayLike) -> FloatArray:
        """Cov θ = (H/T + I/s²)⁻¹, shape T.shape + (d, d)."""
        t = as_temperature(temperature)
        precision = self.hessian / t[..., None, None] + np.eye(self.dim) / self.prior_variance
        return np.asarray(np.linalg.inv(precision), dtype=np.float64)

    def energy(self, theta: ArrayLike) -> FloatArray:
        """L(θ) = ½ θᵀHθ (the loss; the prior is not part of the energy)."""
        x = np.asarray(theta, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.hessian, x)

    def sample(self, temperature: ArrayLike, n: int, rng: np.random.Generator) -> FloatArray:
        """Exact samples, shape T.shape + (n, d)."""
        t = as_temperature(temperature)
        count = _check_sample_size(n)
        chol = np.linalg.cholesky(self.covariance(t))
        z = rng.standard_normal((*t.shape, count, self.dim))
        return np.asarray(np.einsum("...ij,...nj->...ni", chol, z), dtype=np.float64)

    def parameters(self) -> dict[str, object]:
        return {"hessian": self.hessian.tolist(), "prior_variance": self.prior_variance}


@dataclass(frozen=True, eq=False, init=False)
class DiscreteLevels(GibbsSystem):
    """A finite set of energy levels Eⱼ with degeneracies gⱼ > 0: Z = Σⱼ gⱼ e^{−Eⱼ/T}.

    Sums are taken in log space (scipy.special.logsumexp) and moments with energies shifted by min E, so
    levels far apart (E/T ~ 10⁴) neither overflow nor lose the variance to cancellation.
    ``entropy`` is the Gibbs entropy −Σ_states p ln p, counting each of the gⱼ states of a level.

    >>> two = DiscreteLevels([0.0, 1.0])  # Schottky anomaly: C = x² eˣ/(1 + eˣ)², x = Δ/T
    >>> round(float(two.heat_capacity(1.0)), 6)
    0.196612
    """

    energies: FloatArray
    degeneracies: FloatArray
    name = "discrete-levels"

    def __init__(self, energies: ArrayLike, degeneracies: ArrayLike | None = None) -> None:
        e = np.array(energies, dtype=np.float64).reshape(-1)
        if e.size == 0 or not np.all(np.isfinite(e)):
            raise ValueError(f"energies must be a non-empty list of finite numbers, got {energies!r}")
        if degeneracies is None:
            g = np.ones_like(e)
        else:
            g = np.array(degeneracies, dtype=np.float64).reshape(-1)
            if g.shape != e.shape:
                raise ValueError(f"degeneracies must have one entry per level ({e.size}), got {g.size}")
            if not np.all(np.isfinite(g)) or np.any(g <= 0):
                raise ValueError(f"degeneracies must be finite and positive, got {degeneracies!r}")
        object.__setattr__(self, "energies", e)
        object.__setattr__(self, "degeneracies", g)

    @property
    def _log_g(self) -> FloatArray:
        return np.asarray(np.log(self.degeneracies), dtype=np.float64)

    def _shifted(self) -> FloatArray:
        return np.asarray(self.energies - np.min(self.energies), dtype=np.float64)

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = −E_min/T + ln Σⱼ gⱼ e^{−(Eⱼ − E_min)/T}."""
        t = as_temperature(temperature)
        shifted = logsumexp(self._log_g - self._shifted() / t[..., None], axis=-1)
        return np.asarray(shifted - np.min(self.energies) / t, dtype=np.float64)

    def probabilities(self, temperature: ArrayLike) -> FloatArray:
        """pⱼ = gⱼ e^{−Eⱼ/T}/Z (probability of the level, not of one of its states), shape T.shape + (levels,)."""
        t = as_temperature(temperature)[..., None]
        log_w = self._log_g - self._shifted() / t
        return np.asarray(np.exp(log_w - logsumexp(log_w, axis=-1, keepdims=True)), dtype=np.float64)

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨E⟩ = Σⱼ pⱼ Eⱼ."""
        return np.min(self.energies) + np.sum(self.probabilities(temperature) * self._shifted(), axis=-1)

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var E = Σⱼ pⱼ (Eⱼ − ⟨E⟩)² (two-pass, no cancellation)."""
        p = self.probabilities(temperature)
        mean = np.sum(p * self._shifted(), axis=-1, keepdims=True)
        return np.sum(p * (self._shifted() - mean) ** 2, axis=-1)

    def parameters(self) -> dict[str, object]:
        return {"energies": self.energies.tolist(), "degeneracies": self.degeneracies.tolist()}
