"""Curie–Weiss model (J = 1): exact finite N by magnetisation sectors, and the mean-field limit N → ∞.

H(σ) = −M²/(2N) − hM over N Ising spins σ_i = ±1, M = ∑σ_i, m = M/N (``REFERENCES.md`` §4). The energy
depends on σ only through M, so with k down spins (M = N − 2k, multiplicity C(N, k))

    Z = ∑_{k=0}^{N} C(N, k) exp(−β E_k),   E_k = −M_k²/(2N) − h M_k,

summed in log space (logsumexp): N = 10⁶ costs a few milliseconds per temperature (Baxter, *Exactly Solved
Models in Statistical Mechanics* (1982), §3.2; Ellis, *Entropy, Large Deviations and Statistical Mechanics*
(1985), ch. IV). Observables per spin: c = β² Var H/N, moments of m, the Binder cumulant
U = 1 − ⟨m⁴⟩/(3⟨m²⟩²) (Binder, Z. Phys. B 43, 119 (1981)), and two susceptibilities:

  * ``field_response``  χ_h = βN(⟨m²⟩ − ⟨m⟩²) = ∂⟨m⟩/∂h exactly, at any N and h;
  * ``susceptibility``  χ = βN(⟨m²⟩ − ⟨|m|⟩²) at h = 0 (the finite-size estimator of the ordered-phase
    susceptibility, which converges to the mean-field χ below T_c, while βN⟨m²⟩ grows like N there; above
    T_c it converges to (1 − 2/π)/(T − 1), not to 1/(T − 1)), and χ_h for h ≠ 0.

Mean field (N → ∞): m = tanh((m + h)/T), the stable branch (the sign of h; m > 0 for h = 0, T < 1); T_c = 1;
e = −m²/2 − hm per spin;
    c = β²(m + h)²(1 − m²)/(1 − β(1 − m²))     (→ β²m²(1 − m²)/(1 − β(1 − m²)) at h = 0, 0 above T_c),
    χ = β(1 − m²)/(1 − β(1 − m²))             (1/(T − 1) above T_c, ≈ 1/(2(1 − T)) just below),
with exponents β = ½ (m ≈ √3(1 − T)^{1/2}), γ = 1, δ = 3 (m ≈ (3h)^{1/3} at T = 1) and α = 0 (a jump of 3/2
in c at T_c). Stanley, *Introduction to Phase Transitions and Critical Phenomena* (1971), ch. 6.

Finite-size scaling (N plays the role of L^d): near T_c the sector weights are
exp(N[−(1 − β)m²/2 − m⁴/12]) up to O(N^{−1/2}), so with u = N^{1/4} m and x = √N(T − 1) the distribution of u
tends to ∝ exp(−xu²/2 − u⁴/12). Hence at T_c: √N⟨m²⟩ → √12 Γ(3/4)/Γ(1/4), N⟨m⁴⟩ → 3,
U* = 1 − Γ(1/4)⁴/(24π²) (Brézin & Zinn-Justin, Nucl. Phys. B 257, 867 (1985); Botet, Jullien & Pfeuty,
PRL 49, 478 (1982)); and c_N(T) → Var_x(u²)/4, whose maximum 1.6573 at x* = −2.2568 is what the finite-N
peak of c tends to (not the mean-field 3/2), at T*(N) = 1 + x*/√N, so 1 − T*(N) ∝ N^{−1/2}.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, optimize, special

from thermosym.systems.base import GibbsSystem, as_temperature

FloatArray = NDArray[np.float64]

#: sectors whose log-weight is this far below the largest contribute < e^{−60}·(N + 1) relative: dropped
_LOG_WEIGHT_WINDOW = 60.0
_HALF_LN_2PI = 0.5 * math.log(2.0 * math.pi)
#: largest N accepted: three float64 sector tables of N + 1 entries (240 MB at 10⁷)
_MAX_SPINS = 10**7


# --- exact finite N ------------------------------------------------------------------------------------------


def _stirling_remainder(n: NDArray[np.int64]) -> FloatArray:
    """δ(n) = ln n! − [(n + ½) ln n − n + ½ ln 2π] (n ≥ 1): the Stirling series for n ≥ 50, gammaln below."""
    n_f = n.astype(np.float64)
    out = np.empty_like(n_f)
    big = n >= 50
    nb = n_f[big]
    out[big] = 1.0 / (12.0 * nb) - 1.0 / (360.0 * nb**3) + 1.0 / (1260.0 * nb**5) - 1.0 / (1680.0 * nb**7)
    ns = n_f[~big]
    out[~big] = special.gammaln(ns + 1.0) - ((ns + 0.5) * np.log(ns) - ns + _HALF_LN_2PI)
    return out


def log_multiplicity_relative(n_spins: int) -> FloatArray:
    """ln C(N, k) − N ln 2 for k = 0 … N, accurate to ~1e-16 relative for every N (not just N ln 2 · 1e-16).

    Stirling's formula with exact remainders, written so that no large numbers cancel:
        ln C(N, k) − N ln 2 = −N Ψ(m) − ½ ln(πN(1 − m²)/2) + δ(N) − δ(k) − δ(N − k),
    Ψ(m) = ½[(1 + m) ln(1 + m) + (1 − m) ln(1 − m)] via log1p, m = 1 − 2k/N, 1 − m² = 4k(N − k)/N².
    The end sectors k = 0, N are −N ln 2 exactly.
    """
    n = int(n_spins)
    k = np.arange(n + 1, dtype=np.int64)
    out = np.full(n + 1, -n * math.log(2.0))
    inner = k[1:n]
    if inner.size:
        m = (n - 2 * inner) / n
        psi = 0.5 * ((1.0 + m) * np.log1p(m) + (1.0 - m) * np.log1p(-m))
        one_minus_m2 = 4.0 * inner * (n - inner) / float(n) ** 2
        delta = _stirling_remainder(np.array([n]))[0] - _stirling_remainder(inner) - _stirling_remainder(n - inner)
        out[1:n] = -n * psi - 0.5 * np.log(0.5 * math.pi * n * one_minus_m2) + delta
    return out


@dataclass(frozen=True)
class CurieWeissObservables:
    """Exact finite-N thermodynamics, one entry per temperature (see the module docstring for definitions)."""

    temperature: FloatArray
    log_partition: FloatArray
    mean_energy: FloatArray
    energy_variance: FloatArray
    specific_heat: FloatArray
    magnetisation: FloatArray
    abs_magnetisation: FloatArray
    m2: FloatArray
    m4: FloatArray
    binder_cumulant: FloatArray
    susceptibility: FloatArray
    field_response: FloatArray


@dataclass(frozen=True)
class CurieWeiss(GibbsSystem):
    """The Curie–Weiss model H = −M²/(2N) − hM at finite N, exact by summing over magnetisation sectors.

    All methods are vectorised over T; each temperature costs O(N) (a few ms at N = 10⁶).

    >>> cw = CurieWeiss(2)
    >>> round(float(cw.log_partition(1.0)), 12)  # Z = 2e + 2 (M = ±2: E = −1; M = 0: E = 0)
    2.006408868078
    """

    n_spins: int
    field: float = 0.0
    name = "curie-weiss"

    def __post_init__(self) -> None:
        if isinstance(self.n_spins, bool) or not isinstance(self.n_spins, int | np.integer) or self.n_spins < 1:
            raise ValueError(f"n_spins must be a positive integer, got {self.n_spins!r}")
        if self.n_spins > _MAX_SPINS:
            raise ValueError(f"n_spins must be at most {_MAX_SPINS:.0e} (sector tables take 24 bytes per spin)")
        if not math.isfinite(float(self.field)):
            raise ValueError(f"field must be finite, got {self.field!r}")

    def parameters(self) -> dict[str, object]:
        return {"n_spins": int(self.n_spins), "field": float(self.field)}

    @cached_property
    def _sectors(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(m_k, ln C(N, k) − N ln 2, E_k) for k = 0 … N down spins."""
        n = int(self.n_spins)
        magnet = (n - 2 * np.arange(n + 1, dtype=np.int64)).astype(np.float64)
        energy = -(magnet**2) / (2.0 * n) - float(self.field) * magnet
        return magnet / n, log_multiplicity_relative(n), energy

    def observables(self, temperature: ArrayLike) -> CurieWeissObservables:
        """Every exact observable at each temperature (one O(N) pass over the sectors per temperature)."""
        t = as_temperature(temperature)
        rows = [self._moments_at(float(x)) for x in np.atleast_1d(t).ravel()]
        cols = np.asarray(rows, dtype=np.float64).T.reshape((9, *t.shape))
        ln_z, e_mean, e_var, m1, m_abs, m2, m4, var_abs, var_m = cols
        n, beta = float(self.n_spins), 1.0 / t
        return CurieWeissObservables(
            temperature=t,
            log_partition=ln_z,
            mean_energy=e_mean,
            energy_variance=e_var,
            specific_heat=beta**2 * e_var / n,
            magnetisation=m1,
            abs_magnetisation=m_abs,
            m2=m2,
            m4=m4,
            binder_cumulant=1.0 - m4 / (3.0 * m2**2),
            susceptibility=beta * n * (var_abs if self.field == 0.0 else var_m),
            field_response=beta * n * var_m,
        )

    def _moments_at(self, temperature: float) -> tuple[float, ...]:
        """(ln Z, ⟨E⟩, Var E, ⟨m⟩, ⟨|m|⟩, ⟨m²⟩, ⟨m⁴⟩, Var|m|, Var m) at one temperature.

        Sectors more than 60 below the largest log-weight are dropped (relative weight < e⁻⁶⁰ each);
        variances are computed as centred second moments, never as ⟨x²⟩ − ⟨x⟩².
        """
        m, log_mult, energy = self._sectors
        log_w = log_mult - energy / temperature
        top = float(np.max(log_w))
        keep = np.flatnonzero(log_w > top - _LOG_WEIGHT_WINDOW)
        w = np.exp(log_w[keep] - top)
        z = float(np.sum(w))
        p = w / z
        mk, ek = m[keep], energy[keep]
        abs_m, mk2 = np.abs(mk), mk * mk  # (not mk**4: numpy's float power is ~20× slower)
        e_mean, m1, m_abs = float(p @ ek), float(p @ mk), float(p @ abs_m)
        m2 = float(p @ mk2)
        return (
            top + math.log(z) + self.n_spins * math.log(2.0),
            e_mean,
            float(p @ np.square(ek - e_mean)),
            m1,
            m_abs,
            m2,
            float(p @ (mk2 * mk2)),
            float(p @ np.square(abs_m - m_abs)),
            float(p @ np.square(mk - m1)),
        )

    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z = ln ∑_k C(N, k) e^{−βE_k}."""
        return self.observables(temperature).log_partition

    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨H⟩ (total, not per spin)."""
        return self.observables(temperature).mean_energy

    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var H (total); the heat capacity of the whole system is Var H/T² (:meth:`heat_capacity`)."""
        return self.observables(temperature).energy_variance

    def specific_heat(self, temperature: ArrayLike) -> FloatArray:
        """c = β² Var H/N, the heat capacity per spin."""
        return self.observables(temperature).specific_heat


# --- mean field, N → ∞ ---------------------------------------------------------------------------------------


def _atanh_minus_identity(m: float) -> float:
    """artanh(m) − m = ∑_{j≥1} m^{2j+1}/(2j + 1), by the series for |m| < 0.3 (no cancellation near m = 0)."""
    if abs(m) < 0.3:
        m2 = m * m
        term, total = m * m2, 0.0
        for j in range(1, 22):
            total += term / (2 * j + 1)
            term *= m2
        return total
    return math.atanh(m) - m


def _sech2(x: float) -> float:
    """sech²(x) = 4e^{−2|x|}/(1 + e^{−2|x|})², without overflow (this is 1 − tanh²x to full relative precision)."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def _mean_field_state(temperature: float, field: float) -> tuple[float, float]:
    """(m, 1 − m²) on the stable branch of m = tanh((m + h)/T).

    For h ≥ 0 the stable solution is the unique root in [0, 1) of T·(artanh m − m) − (1 − T)m − h (convex in m,
    negative just above 0 when h > 0 or T < 1); h < 0 follows from m(T, −h) = −m(T, h). 1 − m² is taken as
    sech²((m + h)/T), which keeps full relative precision as m → 1 at low T.
    """
    if field < 0:
        m, one_minus_m2 = _mean_field_state(temperature, -field)
        return -m, one_minus_m2
    t, h = temperature, field
    if h == 0.0 and t >= 1.0:
        return 0.0, 1.0

    def equation(m: float) -> float:
        return t * _atanh_minus_identity(m) - (1.0 - t) * m - h

    hi = 1.0 - 2.0**-53
    if equation(hi) <= 0.0:  # m rounds to 1 in float64: only 1 − m² = sech²(β(1 + h)) carries information
        return 1.0, _sech2((1.0 + h) / t)
    m = float(optimize.brentq(equation, 1e-300, hi, xtol=1e-300, rtol=8.9e-16, maxiter=500))
    return m, _sech2((m + h) / t)


def _check_field(field: float) -> float:
    h = float(field)
    if not math.isfinite(h):
        raise ValueError(f"field must be finite, got {field!r}")
    return h


def _mean_field_map(temperature: ArrayLike, field: float, quantity: str) -> FloatArray:
    t = as_temperature(temperature)
    h = _check_field(field)
    out = np.array([_mean_field_quantity(float(x), h, quantity) for x in np.atleast_1d(t).ravel()])
    return out.reshape(t.shape)


def _mean_field_quantity(t: float, h: float, quantity: str) -> float:
    m, one_minus_m2 = _mean_field_state(t, h)
    # 1 − β(1 − m²) = (T − 1 + m²)/T: no cancellation near T_c, where m² ≈ 3(1 − T)
    stability = t - 1.0 + m * m
    if quantity == "m":
        return m
    if quantity == "energy":
        return -0.5 * m * m - h * m
    if quantity == "entropy":
        return math.log(2.0) - _psi(m)
    if quantity == "free_energy":
        return -t * (math.log(2.0) - _psi(m)) - 0.5 * m * m - h * m
    if quantity == "specific_heat":
        if m == 0.0 and h == 0.0:
            return 0.0
        return (m + h) ** 2 * one_minus_m2 / (t * stability)
    if quantity == "susceptibility":
        return math.inf if stability == 0.0 else one_minus_m2 / stability
    raise ValueError(f"unknown mean-field quantity {quantity!r}")


def _psi(m: float) -> float:
    """Ψ(m) = ½[(1 + m) ln(1 + m) + (1 − m) ln(1 − m)] = ln 2 − (entropy per spin at magnetisation m)."""
    if abs(m) >= 1.0:
        return math.log(2.0)
    return 0.5 * ((1.0 + m) * math.log1p(m) + (1.0 - m) * math.log1p(-m))


def mean_field_magnetisation(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """m(T, h): the stable solution of m = tanh((m + h)/T) (m > 0 at h = 0 below T_c = 1; 0 above).

    >>> float(mean_field_magnetisation(2.0))
    0.0
    >>> abs(float(mean_field_magnetisation(0.5)) - 0.9575040240772688) < 1e-15
    True
    """
    return _mean_field_map(temperature, field, "m")


def mean_field_energy(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """e = −m²/2 − hm per spin."""
    return _mean_field_map(temperature, field, "energy")


def mean_field_entropy(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """s = ln 2 − Ψ(m) per spin, Ψ(m) = ½[(1 + m) ln(1 + m) + (1 − m) ln(1 − m)]."""
    return _mean_field_map(temperature, field, "entropy")


def mean_field_free_energy(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """f = e − Ts = −T(ln 2 − Ψ(m)) − m²/2 − hm per spin: the minimum over m of the Landau free energy."""
    return _mean_field_map(temperature, field, "free_energy")


def mean_field_specific_heat(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """c = de/dT = β²(m + h)²(1 − m²)/(1 − β(1 − m²)) per spin; 0 for T ≥ T_c at h = 0 (value at T_c: the T → 1⁺
    limit), → 3/2 as T → 1⁻ (the jump; REFERENCES §4)."""
    return _mean_field_map(temperature, field, "specific_heat")


def mean_field_susceptibility(temperature: ArrayLike, field: float = 0.0) -> FloatArray:
    """χ = ∂m/∂h = β(1 − m²)/(1 − β(1 − m²)): 1/(T − 1) above T_c, ≈ 1/(2(1 − T)) below, ∞ at T_c (h = 0)."""
    return _mean_field_map(temperature, field, "susceptibility")


# --- critical exponents measured from the mean-field solution -----------------------------------------------


@dataclass(frozen=True)
class ExponentFit:
    """A log-log least-squares fit y = A x^p over ``x_range``, with the exponent it measures and the exact one.

    ``exponent`` is the critical exponent implied by the slope p (for example δ = 1/p, γ = −p).
    """

    name: str
    exponent: float
    amplitude: float
    exact_exponent: float
    exact_amplitude: float
    x_range: tuple[float, float]


def fit_power_law(x: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """(p, A) of the least-squares line ln y = ln A + p ln x (x, y > 0)."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xa.shape != ya.shape or xa.size < 2:
        raise ValueError("x and y must have the same shape and at least two points")
    if np.any(xa <= 0) or np.any(ya <= 0):
        raise ValueError("fit_power_law needs positive x and y")
    slope, intercept = np.polyfit(np.log(xa), np.log(ya), 1)
    return float(slope), float(math.exp(intercept))


def _reduced(reduced: ArrayLike | None, default: tuple[float, float]) -> FloatArray:
    x = np.geomspace(*default, 9) if reduced is None else np.asarray(reduced, dtype=np.float64)
    if np.any(x <= 0) or np.any(x >= 1):
        raise ValueError(f"reduced temperatures/fields must lie in (0, 1), got {reduced!r}")
    return x


def measure_order_parameter_exponent(reduced_temperatures: ArrayLike | None = None) -> ExponentFit:
    """β from m(1 − τ) ≈ √3 τ^β, τ ∈ [10⁻⁷, 10⁻⁵] by default (correction m² = 3τ(1 + O(τ)): slope error O(τ))."""
    tau = _reduced(reduced_temperatures, (1e-7, 1e-5))
    p, a = fit_power_law(tau, mean_field_magnetisation(1.0 - tau))
    return ExponentFit("beta", p, a, 0.5, math.sqrt(3.0), (float(tau.min()), float(tau.max())))


def measure_susceptibility_exponent(reduced_temperatures: ArrayLike | None = None, side: str = "below") -> ExponentFit:
    """γ from χ ≈ A|τ|^{−γ}: A = 1 above T_c (exact), A = ½ below."""
    tau = _reduced(reduced_temperatures, (1e-7, 1e-5))
    if side == "above":
        chi, exact_a = mean_field_susceptibility(1.0 + tau), 1.0
    elif side == "below":
        chi, exact_a = mean_field_susceptibility(1.0 - tau), 0.5
    else:
        raise ValueError(f"side must be 'above' or 'below', got {side!r}")
    p, a = fit_power_law(tau, chi)
    return ExponentFit(f"gamma_{side}", -p, a, 1.0, exact_a, (float(tau.min()), float(tau.max())))


def measure_critical_isotherm_exponent(fields: ArrayLike | None = None) -> ExponentFit:
    """δ from m(T_c, h) ≈ (3h)^{1/δ} on h ∈ [10⁻¹², 10⁻⁹] by default (correction O(h^{2/3}))."""
    h = _reduced(fields, (1e-12, 1e-9))
    m = np.array([_mean_field_state(1.0, float(x))[0] for x in h])
    p, a = fit_power_law(h, m)
    return ExponentFit("delta", 1.0 / p, a, 3.0, 3.0 ** (1.0 / 3.0), (float(h.min()), float(h.max())))


def measure_specific_heat_exponent(reduced_temperatures: ArrayLike | None = None) -> ExponentFit:
    """α from c(1 − τ) ≈ A τ^{−α} below T_c: α = 0 and A = 3/2, the jump (c = 0 above T_c)."""
    tau = _reduced(reduced_temperatures, (1e-7, 1e-5))
    p, a = fit_power_law(tau, mean_field_specific_heat(1.0 - tau))
    return ExponentFit("alpha", -p, a, 0.0, 1.5, (float(tau.min()), float(tau.max())))


def measure_mean_field_exponents() -> dict[str, ExponentFit]:
    """All four fits with their default ranges, keyed by exponent name."""
    fits = [
        measure_specific_heat_exponent(),
        measure_order_parameter_exponent(),
        measure_susceptibility_exponent(side="above"),
        measure_susceptibility_exponent(side="below"),
        measure_critical_isotherm_exponent(),
    ]
    return {f.name: f for f in fits}


# --- finite-size scaling ------------------------------------------------------------------------------------


def critical_scaled_m2() -> float:
    """lim √N⟨m²⟩ at T_c = √12 Γ(3/4)/Γ(1/4) = 1.170829 (moments of exp(−u⁴/12); REFERENCES §4)."""
    return math.sqrt(12.0) * math.gamma(0.75) / math.gamma(0.25)


def critical_binder_cumulant() -> float:
    """U* = 1 − Γ(1/4)⁴/(24π²) = 0.270520 (Brézin & Zinn-Justin 1985; REFERENCES §4)."""
    return 1.0 - math.gamma(0.25) ** 4 / (24.0 * math.pi**2)


def _quartic_moment(j: int) -> float:
    """⟨u^{2j}⟩ under exp(−u⁴/12): 12^{j/2} Γ((2j + 1)/4)/Γ(1/4)."""
    return 12.0 ** (j / 2.0) * math.gamma((2 * j + 1) / 4.0) / math.gamma(0.25)


def critical_finite_size_expansion() -> dict[str, tuple[float, float]]:
    """(limit, a₁) with X_N = limit + a₁/√N + O(1/N) at T = T_c, h = 0, for √N⟨m²⟩, N⟨m⁴⟩, U and c.

    Derivation: ln C(N, k) − N ln 2 = −NΨ(m) − ½ ln(πN(1 − m²)/2) + O(1/N) and Ψ(m) = m²/2 + m⁴/12 + m⁶/30 + …,
    so at β = 1 and u = N^{1/4}m the sector weight is e^{−u⁴/12}[1 + g(u)/√N + O(1/N)] with g = u²/2 − u⁶/30
    (the sum over k is the integral (N/2)∫dm up to exponentially small Euler–Maclaurin terms). To first
    order ⟨X⟩ = ⟨X⟩₀ + Cov₀(X, g)/√N, with moments ⟨u^{2j}⟩₀ = 12^{j/2}Γ((2j + 1)/4)/Γ(1/4). c = Var(u²)/4
    exactly at β = 1 (E = −√N u²/2), so its correction is [Cov₀(u⁴, g) − 2⟨u²⟩₀ Cov₀(u², g)]/4.
    """
    mu = [_quartic_moment(j) for j in range(8)]

    def cov(a: int, b: list[tuple[float, int]]) -> float:
        """Cov₀(u^{2a}, ∑ coeff·u^{2j})."""
        return sum(coef * (mu[a + j] - mu[a] * mu[j]) for coef, j in b)

    g = [(0.5, 1), (-1.0 / 30.0, 3)]
    m2, m4 = mu[1], mu[2]
    d_m2, d_m4 = cov(1, g), cov(2, g)
    binder = 1.0 - m4 / (3.0 * m2**2)
    d_binder = -(d_m4 / (3.0 * m2**2) - 2.0 * m4 * d_m2 / (3.0 * m2**3))
    var = m4 - m2**2
    # Var(u²) to first order: d⟨u⁴⟩ − 2⟨u²⟩ d⟨u²⟩
    d_var = d_m4 - 2.0 * m2 * d_m2
    return {
        "m2_scaled": (m2, d_m2),
        "m4_scaled": (m4, d_m4),
        "binder_cumulant": (binder, d_binder),
        "specific_heat": (var / 4.0, d_var / 4.0),
    }


def scaling_moments(x: float) -> tuple[float, float]:
    """(⟨u²⟩, ⟨u⁴⟩) under p(u) ∝ exp(−xu²/2 − u⁴/12), the N → ∞ law of u = N^{1/4}m at x = √N(T − 1).

    Limits: √N⟨m²⟩ → ⟨u²⟩, U → 1 − ⟨u⁴⟩/(3⟨u²⟩²), c → (⟨u⁴⟩ − ⟨u²⟩²)/4 at fixed x.
    """
    xx = float(x)
    if not math.isfinite(xx):
        raise ValueError(f"x must be finite, got {x!r}")
    peak = math.sqrt(3.0 * max(-xx, 0.0))  # maximum of the weight, at u² = −3x for x < 0
    log_top = 0.75 * xx * xx if xx < 0 else 0.0
    upper = peak + 12.0 + 6.0 / math.sqrt(1.0 + max(-xx, 0.0))

    def weight(u: float, k: int) -> float:
        return u**k * math.exp(-0.5 * xx * u * u - u**4 / 12.0 - log_top)

    pts = [peak] if 0.0 < peak < upper else None
    z, u2, u4 = (
        integrate.quad(weight, 0.0, upper, args=(k,), points=pts, epsabs=0.0, epsrel=1e-13, limit=200)[0]
        for k in (0, 2, 4)
    )
    return u2 / z, u4 / z


def specific_heat_scaling_function(x: float) -> float:
    """lim c_N at fixed x = √N(T − 1): (⟨u⁴⟩ − ⟨u²⟩²)/4 under exp(−xu²/2 − u⁴/12); → 3/2 as x → −∞."""
    u2, u4 = scaling_moments(x)
    return 0.25 * (u4 - u2 * u2)


@lru_cache(maxsize=1)
def specific_heat_scaling_peak() -> tuple[float, float]:
    """(x*, c*) = argmax and max of :func:`specific_heat_scaling_function`: (−2.2568, 1.6573).

    The finite-N peak of c tends to c* (not to the mean-field 3/2), at T*(N) = 1 + x*/√N + O(1/N).
    """
    res = optimize.minimize_scalar(
        lambda x: -specific_heat_scaling_function(x), bounds=(-6.0, 0.0), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x), float(-res.fun)


def specific_heat_peak(n_spins: int) -> tuple[float, float]:
    """(T*, c(T*)) of the exact finite-N specific heat per spin at h = 0, by bounded maximisation.

    Searched in T ∈ 1 + [x* − 3, x* + 3]/√N (clipped to T ≥ 10⁻³), around the scaling prediction; meant
    for N ≳ 100, where the peak lies inside that window.
    """
    system = CurieWeiss(n_spins)
    x_star, _ = specific_heat_scaling_peak()
    root_n = math.sqrt(n_spins)
    lo = max(1e-3, 1.0 + (x_star - 3.0) / root_n)
    hi = 1.0 + (x_star + 3.0) / root_n
    res = optimize.minimize_scalar(
        lambda t: -float(system.specific_heat(t)), bounds=(lo, hi), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x), float(-res.fun)


# --- table for the command line -----------------------------------------------------------------------------


def curie_weiss_table(
    n_spins: int | None, temperatures: Iterable[float], field: float = 0.0
) -> list[dict[str, float | int | None]]:
    """One row per T: c per spin, ⟨m⟩, ⟨|m|⟩, ⟨m²⟩, ⟨m⁴⟩, χ, χ_h and U; ``n_spins=None`` means N → ∞.

    Mean-field rows use m of the stable branch: ⟨|m|⟩ = |m|, ⟨m^k⟩ = m^k, susceptibility = field_response = χ
    (∂m/∂h of the stable branch; the finite-N βN Var m at h = 0 below T_c instead grows ∝ N), and U = 2/3
    where m ≠ 0, U* at T = T_c (h = 0), 0 above T_c (the Gaussian limit).

    >>> rows = curie_weiss_table(None, [2.0])
    >>> rows[0]["susceptibility"], rows[0]["binder_cumulant"]
    (1.0, 0.0)
    """
    temps = as_temperature(list(temperatures)).ravel()
    h = _check_field(field)
    rows: list[dict[str, float | int | None]] = []
    if n_spins is None:
        for t in temps:
            m = float(mean_field_magnetisation(t, h))
            chi = float(mean_field_susceptibility(t, h))
            if m != 0.0:
                binder = 2.0 / 3.0
            elif t == 1.0:
                binder = critical_binder_cumulant()
            else:
                binder = 0.0
            rows.append(
                {
                    "n_spins": None,
                    "temperature": float(t),
                    "field": h,
                    "specific_heat": float(mean_field_specific_heat(t, h)),
                    "magnetisation": m,
                    "abs_magnetisation": abs(m),
                    "m2": m * m,
                    "m4": m**4,
                    "susceptibility": chi,
                    "field_response": chi,
                    "binder_cumulant": binder,
                }
            )
        return rows
    obs = CurieWeiss(int(n_spins), h).observables(temps)
    for i, t in enumerate(temps):
        rows.append(
            {
                "n_spins": int(n_spins),
                "temperature": float(t),
                "field": h,
                "specific_heat": float(obs.specific_heat[i]),
                "magnetisation": float(obs.magnetisation[i]),
                "abs_magnetisation": float(obs.abs_magnetisation[i]),
                "m2": float(obs.m2[i]),
                "m4": float(obs.m4[i]),
                "susceptibility": float(obs.susceptibility[i]),
                "field_response": float(obs.field_response[i]),
                "binder_cumulant": float(obs.binder_cumulant[i]),
            }
        )
    return rows
