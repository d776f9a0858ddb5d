"""Work statistics of an overdamped Brownian particle in a driven harmonic trap (``../shared/REFERENCES.md`` §5).

Dynamics γẋ = −∂ₓU(x, t) + √(2γT) ξ(t) with U = ½k(t)(x − λ(t))², independently in each of ``dim``
dimensions; the work is W = ∫ ∂ₜU dt (Jarzynski, PRL 78, 2690 (1997)). Three protocols have exact results:

* **stiffness change** k₀ → k₁ at a fixed centre, any schedule k(t) (:class:`StiffnessProtocol`);
* **dragged trap** λ(t) = vt at fixed k, τ_r = γ/k (:class:`DraggedTrap`; Mazonka & Jarzynski,
  cond-mat/9912121; van Zon & Cohen, PRL 91, 110601 (2003));
* **optimal transport of the centre** over a distance L in time t_f (Schmiedl & Seifert, PRL 98, 108301
  (2007)): :func:`optimal_centre_protocol`, :func:`optimal_centre_work`.

:func:`simulate_work` integrates the SDE for any grid protocol (k_i, λ_i) by splitting each step into an exact
Ornstein-Uhlenbeck relaxation and a sudden change of U at fixed x; it is vectorised over trajectories.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline

from thermosym.systems.base import FloatArray

__all__ = [
    "DraggedTrap",
    "StiffnessProtocol",
    "optimal_centre_protocol",
    "optimal_centre_work",
    "quench_work_mean",
    "quench_work_variance",
    "simulate_work",
]

_ODE = {"method": "DOP853", "rtol": 1e-11, "atol": 1e-13}


def _check_positive(name: str, value: float) -> float:
    v = float(value)
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be finite and positive, got {value!r}")
    return v


def _check_dim(dim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    return int(dim)


def quench_work_mean(k0: float, k1: float, temperature: float, dim: int = 1) -> float:
    """Sudden k₀ → k₁ from equilibrium: W = ½(k₁ − k₀)x₀², ⟨W⟩ = dT(k₁ − k₀)/(2k₀)."""
    a, b, t = _check_positive("k0", k0), _check_positive("k1", k1), _check_positive("temperature", temperature)
    return _check_dim(dim) * t * (b - a) / (2 * a)


def quench_work_variance(k0: float, k1: float, temperature: float, dim: int = 1) -> float:
    """Sudden k₀ → k₁: Var W = d(k₁ − k₀)²T²/(2k₀²) (x₀²k₀/T is χ²₁, variance 2)."""
    a, b, t = _check_positive("k0", k0), _check_positive("k1", k1), _check_positive("temperature", temperature)
    return _check_dim(dim) * (b - a) ** 2 * t**2 / (2 * a**2)


@dataclass(frozen=True, eq=False, init=False)
class StiffnessProtocol:
    """U = ½k(t)x² on 0 ≤ t ≤ t_f, started in equilibrium at k₀ = k(0); k(t) > 0 any smooth schedule.

    Exact results (per dimension; ``dim`` independent dimensions add):

    * ΔF = (T/2) ln(k₁/k₀), and ⟨e^{−βW}⟩ = √(k₀/k₁) (Jarzynski's equality);
    * v = ⟨x²⟩ obeys γv̇ = −2kv + 2T, v(0) = T/k₀, and ⟨W⟩ = ∫ ½k̇ v dt;
    * Var W: x(t) is a zero-mean Gaussian process with C(t, s) = v(s) exp(−∫ₛᵗ k/γ) for t ≥ s, so by Isserlis
      Cov(x_t², x_s²) = 2C(t, s)² and Var W = ∫₀^{t_f} k̇(t) Q(t) dt with Q(t) = ∫₀ᵗ k̇(s) C(t, s)² ds, i.e.
      Q̇ = k̇v² − (2k/γ)Q, Q(0) = 0 (derived here; integrated with :meth:`work_moments`);
    * ⟨e^{−sW}⟩ from the Riccati equation of the tilted density ρ_s(x, t) = exp(c(t) − a(t)x²/2), which solves
      ∂ₜρ = ∂ₓ(kxρ/γ) + (T/γ)∂ₓ²ρ − (s/2)k̇x²ρ:  ȧ = (2k/γ)a − (2T/γ)a² + sk̇, ċ = (k − Ta)/γ, a(0) = k₀/T,
      c(0) = −½ ln(2πT/k₀), and ln⟨e^{−sW}⟩ = c + ½ ln(2π/a). At s = β, a = k/T and c is constant, which gives
      √(k₀/k₁) exactly.
    """

    stiffness: Callable[[float], float]
    stiffness_rate: Callable[[float], float]
    duration: float
    friction: float
    temperature: float
    dim: int
    _k0: float = field(repr=False)
    _k1: float = field(repr=False)

    def __init__(
        self,
        stiffness: Callable[[float], float],
        duration: float,
        friction: float = 1.0,
        temperature: float = 1.0,
        dim: int = 1,
        stiffness_rate: Callable[[float], float] | None = None,
    ) -> None:
        tf = _check_positive("duration", duration)
        if stiffness_rate is None:
            step = 1e-6 * tf

            def rate(t: float) -> float:  # central difference, O(step²) ≈ 1e−12 relative for smooth k
                return (float(stiffness(t + step)) - float(stiffness(t - step))) / (2 * step)

            stiffness_rate = rate
        object.__setattr__(self, "stiffness", stiffness)
        object.__setattr__(self, "stiffness_rate", stiffness_rate)
        object.__setattr__(self, "duration", tf)
        object.__setattr__(self, "friction", _check_positive("friction", friction))
        object.__setattr__(self, "temperature", _check_positive("temperature", temperature))
        object.__setattr__(self, "dim", _check_dim(dim))
        grid = np.linspace(0.0, tf, 1001)
        values = np.array([float(stiffness(t)) for t in grid])
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"stiffness must stay finite and positive on [0, {tf:g}], min {np.min(values):g}")
        object.__setattr__(self, "_k0", float(values[0]))
        object.__setattr__(self, "_k1", float(values[-1]))

    @classmethod
    def linear(cls, k0: float, k1: float, duration: float, **kwargs: Any) -> StiffnessProtocol:
        """k(t) = k₀ + (k₁ − k₀)t/t_f (keyword arguments as for the constructor)."""
        a, b, tf = _check_positive("k0", k0), _check_positive("k1", k1), _check_positive("duration", duration)
        return cls(lambda t: a + (b - a) * t / tf, tf, stiffness_rate=lambda t: (b - a) / tf, **kwargs)

    @classmethod
    def from_samples(cls, times: ArrayLike, values: ArrayLike, **kwargs: Any) -> StiffnessProtocol:
        """k(t) from samples on a time grid starting at 0, by a cubic spline (exact for linear schedules)."""
        t = np.asarray(times, dtype=np.float64)
        k = np.asarray(values, dtype=np.float64)
        if t.ndim != 1 or t.shape != k.shape or t.size < 2 or t[0] != 0 or np.any(np.diff(t) <= 0):
            raise ValueError("times must be increasing, start at 0 and match values in length (≥ 2 samples)")
        spline = CubicSpline(t, k)
        slope = spline.derivative()
        return cls(lambda s: float(spline(s)), float(t[-1]), stiffness_rate=lambda s: float(slope(s)), **kwargs)

    @property
    def initial_stiffness(self) -> float:
        """k₀ = k(0)."""
        return self._k0

    @property
    def final_stiffness(self) -> float:
        """k₁ = k(t_f)."""
        return self._k1

    def free_energy_change(self) -> float:
        """ΔF = d(T/2) ln(k₁/k₀)."""
        return self.dim * 0.5 * self.temperature * math.log(self._k1 / self._k0)

    def work_moments(self, times: ArrayLike | None = None) -> dict[str, FloatArray]:
        """Integrate (v, Q, ⟨W⟩, Var W) from 0; returns arrays at ``times`` (default: t_f) keyed
        ``time``, ``position_variance`` (v = ⟨x²⟩ per dimension), ``work_mean``, ``work_variance``."""
        t_eval = np.array([self.duration]) if times is None else np.atleast_1d(np.asarray(times, dtype=np.float64))
        if np.any(t_eval < 0) or np.any(t_eval > self.duration) or np.any(np.diff(t_eval) < 0):
            raise ValueError(f"times must be sorted within [0, {self.duration:g}]")
        g, temp = self.friction, self.temperature

        def rhs(t: float, y: FloatArray) -> list[float]:
            v, q = y[0], y[1]
            k, kdot = float(self.stiffness(t)), float(self.stiffness_rate(t))
            return [(-2 * k * v + 2 * temp) / g, kdot * v * v - 2 * k * q / g, 0.5 * kdot * v, kdot * q]

        sol = solve_ivp(rhs, (0.0, self.duration), [temp / self._k0, 0.0, 0.0, 0.0], t_eval=t_eval, **_ODE)
        if not sol.success:  # pragma: no cover - smooth, bounded right-hand side
            raise RuntimeError(f"moment ODE failed: {sol.message}")
        return {
            "time": t_eval,
            "position_variance": sol.y[0],
            "work_mean": self.dim * sol.y[2],
            "work_variance": self.dim * sol.y[3],
        }

    def work_mean(self) -> float:
        """⟨W⟩ at t_f."""
        return float(self.work_moments()["work_mean"][0])

    def work_variance(self) -> float:
        """Var W at t_f."""
        return float(self.work_moments()["work_variance"][0])

    def work_cumulant_generating_function(self, s: float) -> float:
        """ln⟨e^{−sW}⟩ at t_f from the Riccati equation (class docstring); ValueError where it diverges."""
        g, temp = self.friction, self.temperature

        def rhs(t: float, y: FloatArray) -> list[float]:
            a = y[0]
            k, kdot = float(self.stiffness(t)), float(self.stiffness_rate(t))
            return [2 * k * a / g - 2 * temp * a * a / g + s * kdot, (k - temp * a) / g]

        def hits_zero(t: float, y: FloatArray) -> float:
            return float(y[0])

        hits_zero.terminal = True  # type: ignore[attr-defined]
        y0 = [self._k0 / temp, -0.5 * math.log(2 * math.pi * temp / self._k0)]
        sol = solve_ivp(rhs, (0.0, self.duration), y0, events=hits_zero, **_ODE)
        a, c = sol.y[0, -1], sol.y[1, -1]
        if sol.status == 1 or a <= 0:
            raise ValueError(f"⟨exp(−sW)⟩ diverges for s = {s:g} (the tilted density becomes unnormalisable)")
        return self.dim * (c + 0.5 * math.log(2 * math.pi / a))

    def jarzynski_average(self) -> float:
        """⟨e^{−βW}⟩ from the generating function; equals exp(−βΔF) = (k₀/k₁)^{d/2}."""
        return math.exp(self.work_cumulant_generating_function(1.0 / self.temperature))

    def grid(self, n_steps: int) -> tuple[FloatArray, FloatArray]:
        """(times, stiffness values) on a uniform grid of n_steps steps, for :func:`simulate_work`."""
        t = np.linspace(0.0, self.duration, int(n_steps) + 1)
        return t, np.array([float(self.stiffness(s)) for s in t])


@dataclass(frozen=True)
class DraggedTrap:
    """U = (k/2)(x − vt)² at fixed stiffness; τ_r = γ/k; the lag y = x − vt is an Ornstein-Uhlenbeck process.

    With W = −kv∫ y dt (Mazonka & Jarzynski, cond-mat/9912121; van Zon & Cohen, PRL 91, 110601 (2003)):

    * from equilibrium (y₀ ~ N(0, T/k)): ⟨W⟩ = γv²[t − τ_r(1 − e^{−t/τ_r})], Var W = 2T⟨W⟩, W Gaussian, so
      ln P(W)/P(−W) = βW exactly (ΔF = 0);
    * from the steady state (y₀ ~ N(−vτ_r, T/k)): ⟨W⟩ = γv²t and the same Var W, so ln P(W)/P(−W) = c βW with
      slope c = t/(t − τ_r(1 − e^{−t/τ_r})) > 1, reaching 1 only as t → ∞.
    """

    stiffness: float
    velocity: float
    friction: float = 1.0
    temperature: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "stiffness", _check_positive("stiffness", self.stiffness))
        v = float(self.velocity)
        if not math.isfinite(v):
            raise ValueError(f"velocity must be finite, got {self.velocity!r}")
        object.__setattr__(self, "velocity", v)
        object.__setattr__(self, "friction", _check_positive("friction", self.friction))
        object.__setattr__(self, "temperature", _check_positive("temperature", self.temperature))

    @property
    def relaxation_time(self) -> float:
        """τ_r = γ/k."""
        return self.friction / self.stiffness

    def _transient(self, time: ArrayLike) -> FloatArray:
        t = np.asarray(time, dtype=np.float64)
        if np.any(t < 0):
            raise ValueError("time must be non-negative")
        tau = self.relaxation_time
        return np.asarray(t - tau * (-np.expm1(-t / tau)), dtype=np.float64)

    def work_mean(self, time: ArrayLike, start: str = "equilibrium") -> FloatArray:
        """⟨W⟩(t): γv²[t − τ_r(1 − e^{−t/τ_r})] from equilibrium, γv²t from the steady state."""
        gv2 = self.friction * self.velocity**2
        if start == "equilibrium":
            return gv2 * self._transient(time)
        if start == "steady":
            return gv2 * np.asarray(time, dtype=np.float64)
        raise ValueError(f"start must be 'equilibrium' or 'steady', got {start!r}")

    def work_variance(self, time: ArrayLike) -> FloatArray:
        """Var W(t) = 2Tγv²[t − τ_r(1 − e^{−t/τ_r})] for either start (the fluctuations are stationary)."""
        return 2 * self.temperature * self.friction * self.velocity**2 * self._transient(time)

    def fluctuation_slope(self, time: ArrayLike, start: str = "equilibrium") -> FloatArray:
        """c in ln P(W)/P(−W) = c·βW: 2T⟨W⟩/Var W, i.e. 1 or t/(t − τ_r(1 − e^{−t/τ_r}))."""
        return 2 * self.temperature * self.work_mean(time, start) / self.work_variance(time)

    def grid(self, duration: float, n_steps: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(times, stiffness values, centre values) on a uniform grid, for :func:`simulate_work`."""
        t = np.linspace(0.0, _check_positive("duration", duration), int(n_steps) + 1)
        return t, np.full_like(t, self.stiffness), self.velocity * t

    def initial_positions(self, n: int, rng: np.random.Generator, start: str = "equilibrium") -> FloatArray:
        """x₀ drawn from equilibrium (mean 0) or the steady state (mean −vτ_r), variance T/k."""
        if start not in ("equilibrium", "steady"):
            raise ValueError(f"start must be 'equilibrium' or 'steady', got {start!r}")
        shift = 0.0 if start == "equilibrium" else -self.velocity * self.relaxation_time
        return shift + math.sqrt(self.temperature / self.stiffness) * rng.standard_normal(n)


def optimal_centre_protocol(
    time: ArrayLike, distance: float, duration: float, stiffness: float, friction: float = 1.0
) -> FloatArray:
    """The work-minimising centre λ*(t) moving a trap by L in time t_f (Schmiedl & Seifert 2007):

    λ*(0) = 0, λ*(t) = L(t + τ_r)/(t_f + 2τ_r) for 0 < t < t_f, λ*(t_f) = L: a linear interior with equal
    jumps Lτ_r/(t_f + 2τ_r) at both ends; the mean position moves at constant speed L/(t_f + 2τ_r).
    """
    t = np.asarray(time, dtype=np.float64)
    length = float(distance)
    tf = _check_positive("duration", duration)
    tau = _check_positive("friction", friction) / _check_positive("stiffness", stiffness)
    interior = length * (t + tau) / (tf + 2 * tau)
    return np.asarray(np.where(t <= 0, 0.0, np.where(t >= tf, length, interior)), dtype=np.float64)


def optimal_centre_work(distance: float, duration: float, stiffness: float, friction: float = 1.0) -> float:
    """W* = γL²/(t_f + 2τ_r), the minimal mean work (Schmiedl & Seifert 2007): kL²/2 as t_f → 0, γL²/t_f as
    t_f → ∞."""
    tau = _check_positive("friction", friction) / _check_positive("stiffness", stiffness)
    return friction * float(distance) ** 2 / (_check_positive("duration", duration) + 2 * tau)


def simulate_work(
    times: ArrayLike,
    stiffness: ArrayLike,
    centre: ArrayLike | None,
    n_trajectories: int,
    rng: np.random.Generator,
    friction: float = 1.0,
    temperature: float = 1.0,
    initial: ArrayLike | None = None,
) -> FloatArray:
    """Work samples W = ∫∂ₜU dt of 1-D trajectories under the grid protocol (k_i, λ_i) at times t_i.

    Each step [t_i, t_{i+1}]: exact Ornstein-Uhlenbeck relaxation for Δt/2 in U_i, the sudden change U_i → U_{i+1}
    at fixed x (work U_{i+1}(x) − U_i(x)), exact relaxation for Δt/2 in U_{i+1}. This is the exact dynamics of a
    staircase protocol, so Jarzynski's equality holds without discretisation error; for a smooth protocol the
    moments carry an O(Δt²) bias. Jumps of the protocol are represented by consecutive grid values. ``initial``
    gives x₀ per trajectory (default: equilibrium in U₀). ``centre=None`` means λ ≡ 0.
    """
    t = np.asarray(times, dtype=np.float64)
    k = np.asarray(stiffness, dtype=np.float64)
    lam = np.zeros_like(t) if centre is None else np.asarray(centre, dtype=np.float64)
    if t.ndim != 1 or t.size < 2 or k.shape != t.shape or lam.shape != t.shape or np.any(np.diff(t) < 0):
        raise ValueError("times, stiffness and centre must be 1-D arrays of one length ≥ 2, times non-decreasing")
    if np.any(k <= 0) or not np.all(np.isfinite(k)) or not np.all(np.isfinite(lam)):
        raise ValueError("stiffness must be positive and the protocol finite")
    if isinstance(n_trajectories, bool) or not isinstance(n_trajectories, (int, np.integer)) or n_trajectories < 1:
        raise ValueError(f"n_trajectories must be a positive integer, got {n_trajectories!r}")
    g, temp = _check_positive("friction", friction), _check_positive("temperature", temperature)
    if initial is None:
        x = lam[0] + math.sqrt(temp / k[0]) * rng.standard_normal(int(n_trajectories))
    else:
        x = np.array(initial, dtype=np.float64).reshape(-1)
        if x.size != n_trajectories:
            raise ValueError(f"initial must hold one position per trajectory ({n_trajectories}), got {x.size}")
    work = np.zeros_like(x)

    def relax(x: FloatArray, kk: float, centre_value: float, tau: float) -> FloatArray:
        decay = math.exp(-kk * tau / g)
        spread = math.sqrt(temp / kk * -math.expm1(-2 * kk * tau / g))
        return centre_value + (x - centre_value) * decay + spread * rng.standard_normal(x.size)

    for i in range(t.size - 1):
        half = 0.5 * (t[i + 1] - t[i])
        if half > 0:
            x = relax(x, k[i], lam[i], half)
        work += 0.5 * k[i + 1] * (x - lam[i + 1]) ** 2 - 0.5 * k[i] * (x - lam[i]) ** 2
        if half > 0:
            x = relax(x, k[i + 1], lam[i + 1], half)
    return work
