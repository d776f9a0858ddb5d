"""Equilibrium estimators on sampled energies and parameters, each an Estimate with an autocorrelation-aware error.

Conventions: k_B = 1, β = 1/T, Gibbs p(θ) ∝ exp(−L(θ)/T); energies are [samples, chains] arrays (a ladder:
[samples, temperatures, chains], e.g. ``ladder.split(trace.energies)``). Errors and the equilibration rule are
those of :mod:`thermosym.sampling.statistics` (multi-chain ESS, Vehtari et al. 2021; t₀ by the MSER rule).

* ⟨L⟩(T) — :func:`mean_energy`, :func:`ladder_mean_energies`.
* heat capacity by fluctuation C = β² Var L (the canonical identity C = d⟨L⟩/dT = Var L/T²; REFERENCES.md §1) —
  :func:`heat_capacity_fluctuation`, :func:`ladder_heat_capacities`; by response C = d⟨L⟩/dT across a ladder —
  :func:`heat_capacity_response` (3-point finite differences) and :func:`heat_capacity_mbar` (⟨L⟩(T ± δ)
  reweighted by MBAR, Shirts & Chodera, J. Chem. Phys. 129, 124105 (2008)).
* entropy differences by thermodynamic integration, S(T₂) − S(T₁) = ∫ C/T dT — :func:`entropy_difference`, or
  from mean energies — :func:`entropy_difference_from_energies`.
* SGD's stationary covariance and its temperature: per mode T_i = h_i Σ_ii, from Cov θ against H⁻¹, and from
  the virial ⟨θ·∇L⟩/d (REFERENCES.md §6; Mandt, Hoffman & Blei, JMLR 18 (2017)) —
  :func:`stationary_covariance`, :func:`mode_temperatures`, :func:`effective_temperature_covariance`,
  :func:`effective_temperature_virial`.
* the low-temperature heat capacity at a trained minimum: the local learning coefficient
  λ̂ = nβ(E_β[L_n] − L_n(θ*)) (Lau et al., arXiv:2308.12108) — :func:`local_learning_coefficient` —
  and its fluctuation form β² Var(nL_n) — :func:`learning_coefficient_fluctuation`; step-size bias removed by
  :func:`extrapolate_to_zero_step` or by sampling with MALA, and otherwise reported with a warning.

>>> rng = np.random.default_rng(0)
>>> energies = 0.5 * (rng.normal(size=(2000, 4, 10)) ** 2).sum(axis=2)  # L of N(0, I₁₀) samples, T = 1
>>> c = heat_capacity_fluctuation(energies, 1.0)
>>> bool(abs(c.value - 5.0) < 4 * c.stderr), round(c.stderr, 2)
(True, 0.1)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate

from thermosym.estimate import Estimate
from thermosym.sampling._pymbar import pymbar_module, quiet_pymbar
from thermosym.sampling.samplers import StepSizeBiasWarning, Trace
from thermosym.sampling.statistics import (
    Discard,
    _as_grouped,
    discard_count,
    equilibration_start,
    mean_estimate,
    statistical_inefficiency,
    variance_estimate,
    variance_estimates_grouped,
)


def _temperature(value: float, name: str = "temperature") -> float:
    t = float(value)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return t


def _temperatures(values: ArrayLike, count: int | None = None) -> np.ndarray:
    t = np.asarray(values, dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError(f"temperatures must be a non-empty vector of positive numbers, got {values!r}")
    if count is not None and t.size != count:
        raise ValueError(f"need {count} temperatures, got {t.size}")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError("temperatures must be strictly increasing")
    return t


def _with(estimate: Estimate, **changes: Any) -> Estimate:
    """A copy of ``estimate`` with some fields changed and ``details`` merged (not replaced)."""
    details = {**estimate.details, **changes.pop("details", {})}
    return replace(estimate, details=details, **changes)


# --------------------------------------------------------------------------------------------- energies, C


def mean_energy(energies: ArrayLike, *, discard: Discard = "auto") -> Estimate:
    """⟨L⟩ over equilibrated chains at one temperature; stderr √(var⁺/ESS)."""
    return mean_estimate(energies, discard=discard, method="mean energy")


def heat_capacity_fluctuation(energies: ArrayLike, temperature: float, *, discard: Discard = "auto") -> Estimate:
    """C = β² Var L at one temperature (the fluctuation-response identity C = d⟨L⟩/dT = Var L/T²).

    stderr from the autocorrelation of (L − ⟨L⟩)² (see :func:`~thermosym.sampling.statistics.variance_estimate`).
    """
    t = _temperature(temperature)
    var = variance_estimate(energies, discard=discard, method="heat capacity: fluctuation beta^2 Var L")
    return _with(
        var,
        value=var.value / t**2,
        stderr=var.stderr / t**2,
        details={"temperature": t, "variance": var.value},
    )


def _ladder(energies: ArrayLike, temperatures: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = _as_grouped(energies, "energies")
    return x, _temperatures(temperatures, x.shape[1])


def ladder_mean_energies(energies: ArrayLike, temperatures: ArrayLike, *, discard: Discard = "auto") -> list[Estimate]:
    """:func:`mean_energy` at each temperature of a [samples, temperatures, chains] array."""
    x, temps = _ladder(energies, temperatures)
    return [
        _with(mean_energy(x[:, k], discard=discard), details={"temperature": float(temps[k])})
        for k in range(temps.size)
    ]


def ladder_heat_capacities(
    energies: ArrayLike, temperatures: ArrayLike, *, discard: Discard = "auto"
) -> list[Estimate]:
    """:func:`heat_capacity_fluctuation` at each temperature (independent chains, so independent errors)."""
    x, temps = _ladder(energies, temperatures)
    return [heat_capacity_fluctuation(x[:, k], float(temps[k]), discard=discard) for k in range(temps.size)]


def _derivative_weights(t: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and weights of the 3-point derivative at t[k] on a non-uniform grid (exact for quadratics)."""
    if t.size == 2:
        return np.array([0, 1]), np.array([-1.0, 1.0]) / (t[1] - t[0])
    idx = (
        np.array([k - 1, k, k + 1])
        if 0 < k < t.size - 1
        else (np.array([0, 1, 2]) if k == 0 else np.arange(-3, 0) + t.size)
    )
    x0, x1, x2 = t[idx]
    x = t[k]
    w = np.array(
        [
            (2 * x - x1 - x2) / ((x0 - x1) * (x0 - x2)),
            (2 * x - x0 - x2) / ((x1 - x0) * (x1 - x2)),
            (2 * x - x0 - x1) / ((x2 - x0) * (x2 - x1)),
        ]
    )
    return idx, w


def heat_capacity_response(temperatures: ArrayLike, mean_energies: Sequence[Estimate]) -> list[Estimate]:
    """C(T_k) = d⟨L⟩/dT by the 3-point Lagrange derivative of ⟨L⟩ over neighbouring ladder temperatures.

    Exact when ⟨L⟩ is quadratic in T over the stencil (so for the Gaussian, ⟨L⟩ = dT/2, at any spacing); the
    truncation error is otherwise −(h₁h₂/6)·d³⟨L⟩/dT³ at interior points (one-sided stencils at the ends, with
    two temperatures the secant). The ⟨L⟩_k come from independent chains, so
    stderr = √(Σ w_k² σ_k²). Estimates at neighbouring temperatures share data and are correlated.
    """
    temps = _temperatures(temperatures)
    if len(mean_energies) != temps.size or temps.size < 2:
        raise ValueError(f"need one mean energy per temperature (>= 2), got {len(mean_energies)} for {temps.size}")
    values = np.array([e.value for e in mean_energies])
    errors = np.array([e.stderr for e in mean_energies])
    out = []
    for k in range(temps.size):
        idx, w = _derivative_weights(temps, k)
        stencil = "secant" if temps.size == 2 else ("central" if 0 < k < temps.size - 1 else "one-sided")
        out.append(
            Estimate(
                value=float(w @ values[idx]),
                stderr=float(math.sqrt(np.sum((w * errors[idx]) ** 2))),
                n_effective=float(min(mean_energies[i].n_effective for i in idx)),
                method="heat capacity: response d<L>/dT (3-point finite difference)",
                details={
                    "temperature": float(temps[k]),
                    "stencil": stencil,
                    "stencil_temperatures": temps[idx].tolist(),
                },
            )
        )
    return out


def _decorrelated_ladder(x: np.ndarray, discard: Discard) -> tuple[list[np.ndarray], list[dict[str, float]]]:
    """Per temperature: equilibrated samples thinned by ⌈τ⌉ (MBAR's uncertainties assume independent samples)."""
    kept, info = [], []
    for k in range(x.shape[1]):
        t0 = discard_count(x[:, k], discard)
        series = x[t0:, k]
        tau = statistical_inefficiency(series)
        stride = max(1, math.ceil(tau))
        kept.append(series[::stride].ravel())
        info.append({"discarded": t0, "statistical_inefficiency": tau, "stride": stride})
    return kept, info


def heat_capacity_mbar(
    energies: ArrayLike,
    temperatures: ArrayLike,
    *,
    at: ArrayLike | None = None,
    discard: Discard = "auto",
    relative_step: float = 1e-3,
) -> list[Estimate]:
    """C(T) = [⟨L⟩(T(1+δ)) − ⟨L⟩(T(1−δ))]/(2δT) with ⟨L⟩ reweighted by MBAR from all ladder temperatures.

    Samples of each temperature are equilibrated and thinned by ⌈τ⌉ (pymbar's asymptotic covariance assumes
    uncorrelated samples); the reduced potentials are u_k(x) = L(x)/T_k (Shirts & Chodera 2008) and the
    expectations and the error of their difference come from ``MBAR.compute_expectations(...,
    output='differences')`` (ibid., §IV). ``at`` are the temperatures of interest (default: the
    ladder's). δ = ``relative_step`` makes the truncation error O(δ²) negligible; the difference is taken
    from MBAR's covariance, not from two separate error bars. Reweighting needs overlapping energy
    distributions (relative width √(2/d) for a d-dimensional Gaussian): ``details['overlap']`` is the smallest
    overlap-matrix element between neighbouring temperatures (pymbar ``compute_overlap``), and a
    RuntimeWarning is raised when it is below 0.03.
    """
    x, temps = _ladder(energies, temperatures)
    if not 0 < relative_step < 0.1:
        raise ValueError(f"relative_step must be in (0, 0.1), got {relative_step!r}")
    targets = temps if at is None else _temperatures(np.sort(np.asarray(at, dtype=np.float64)))
    samples, info = _decorrelated_ladder(x, discard)
    counts = np.array([s.size for s in samples])
    energy_n = np.concatenate(samples)
    u_kn = energy_n[None, :] / temps[:, None]
    pymbar = pymbar_module()
    with quiet_pymbar():
        mbar = pymbar.MBAR(u_kn, counts, solver_protocol="robust")
        evaluation = np.concatenate([targets * (1 - relative_step), targets * (1 + relative_step)])
        u_ln = energy_n[None, :] / evaluation[:, None]
        result = mbar.compute_expectations(energy_n, u_kn=u_ln, output="differences")
    m = targets.size
    ess = np.asarray(mbar.compute_effective_sample_number())
    overlap_matrix = np.asarray(mbar.compute_overlap()["matrix"])
    overlap = float(min(overlap_matrix[k, k + 1] for k in range(temps.size - 1))) if temps.size > 1 else 1.0
    if overlap < 0.03:
        warnings.warn(
            f"MBAR: neighbouring ladder temperatures barely overlap (min overlap {overlap:.3g}); the "
            "reweighted heat capacity and its error bar are unreliable - use a denser ladder",
            RuntimeWarning,
            stacklevel=2,
        )
    out = []
    for j, t in enumerate(targets):
        scale = 2 * relative_step * t
        diff = result["mu"][j, m + j]  # A_{m+j} − A_j
        sigma = result["sigma"][j, m + j]
        out.append(
            Estimate(
                value=float(diff / scale),
                stderr=float(sigma / scale),
                n_effective=float(ess[int(np.argmin(np.abs(temps - t)))]),
                method="heat capacity: response d<L>/dT by MBAR reweighting",
                details={
                    "temperature": float(t),
                    "relative_step": relative_step,
                    "overlap": overlap,
                    "ladder": info,
                },
            )
        )
    return out


# --------------------------------------------------------------------------------------------- entropy


def _integrate_log_t(temps: np.ndarray, values: np.ndarray, errors: np.ndarray) -> tuple[float, float, float]:
    """(∫ f d ln T by trapezoids, its stderr for independent values, |trapezoid − Simpson| or 0)."""
    u = np.log(temps)
    du = np.diff(u)
    w = np.zeros(temps.size)
    w[:-1] += du / 2
    w[1:] += du / 2
    trapezoid = float(w @ values)
    stderr = float(math.sqrt(np.sum((w * errors) ** 2)))
    bias = abs(trapezoid - float(integrate.simpson(values, x=u))) if temps.size >= 3 else 0.0
    return trapezoid, stderr, bias


def entropy_difference(temperatures: ArrayLike, heat_capacities: Sequence[Estimate]) -> Estimate:
    """S(T_K) − S(T_1) = ∫ C/T dT = ∫ C d ln T by the trapezoid rule in ln T (HC-19; REFERENCES.md §1).

    The C_k must be independent (e.g. :func:`ladder_heat_capacities`: one set of chains per temperature);
    stderr = √(Σ w_k² σ_k²). The discretisation error is estimated as |trapezoid − Simpson| and returned as
    ``bias`` (0 for two temperatures, where it cannot be estimated: ``details['discretisation']`` says so).
    Exact for constant C (the Gaussian: ΔS = (d/2) ln(T_K/T_1)).
    """
    temps = _temperatures(temperatures)
    if len(heat_capacities) != temps.size or temps.size < 2:
        raise ValueError("need one heat capacity per temperature, at least two")
    values = np.array([c.value for c in heat_capacities])
    errors = np.array([c.stderr for c in heat_capacities])
    value, stderr, bias = _integrate_log_t(temps, values, errors)
    return Estimate(
        value=value,
        stderr=stderr,
        n_effective=float(sum(c.n_effective for c in heat_capacities)),
        method="entropy difference: thermodynamic integration of C/T (trapezoid in ln T)",
        bias=bias,
        details={
            "t_low": float(temps[0]),
            "t_high": float(temps[-1]),
            "discretisation": "|trapezoid - Simpson|" if temps.size >= 3 else "not estimated (2 temperatures)",
        },
    )


def entropy_difference_from_energies(temperatures: ArrayLike, mean_energies: Sequence[Estimate]) -> Estimate:
    """S(T_K) − S(T_1) from ⟨L⟩ alone: with S = β⟨L⟩ + ln Z and d ln Z/d ln T = β⟨L⟩,

        ΔS = β_K⟨L⟩_K − β_1⟨L⟩_1 + ∫ β⟨L⟩ d ln T,

    the trapezoid rule in ln T (exact for the Gaussian, where β⟨L⟩ = d/2). Mean energies have smaller relative
    errors than fluctuations, so this is usually the tighter estimate. Errors: independent ⟨L⟩_k, linear
    propagation; discretisation bias |trapezoid − Simpson| as in :func:`entropy_difference`.
    """
    temps = _temperatures(temperatures)
    if len(mean_energies) != temps.size or temps.size < 2:
        raise ValueError("need one mean energy per temperature, at least two")
    e = np.array([m.value for m in mean_energies])
    s = np.array([m.stderr for m in mean_energies])
    u = np.log(temps)
    du = np.diff(u)
    w = np.zeros(temps.size)
    w[:-1] += du / 2
    w[1:] += du / 2
    w[0] -= 1.0
    w[-1] += 1.0
    coeff = w / temps
    bias = 0.0
    if temps.size >= 3:
        simpson = float(integrate.simpson(e / temps, x=u))
        trap = float(((du / 2) * ((e / temps)[:-1] + (e / temps)[1:])).sum())
        bias = abs(trap - simpson)
    return Estimate(
        value=float(coeff @ e),
        stderr=float(math.sqrt(np.sum((coeff * s) ** 2))),
        n_effective=float(sum(m.n_effective for m in mean_energies)),
        method="entropy difference: thermodynamic integration of beta<L> over ln T",
        bias=bias,
        details={"t_low": float(temps[0]), "t_high": float(temps[-1])},
    )


# --------------------------------------------------------------------------------------------- SGD


@dataclass(frozen=True)
class StationaryCovariance:
    """Mean and covariance of stationary parameter samples, with the ESS of the scalar summary used for them."""

    mean: np.ndarray
    covariance: np.ndarray
    n_effective: float
    discarded: int


def _theta_series(theta: ArrayLike) -> np.ndarray:
    arr = np.asarray(theta, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[0] < 4:
        raise ValueError(f"theta must be [samples (>= 4), chains, dim], got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("theta contains NaN or inf")
    return arr


def _hessian(hessian: ArrayLike, dim: int) -> np.ndarray:
    h = np.asarray(hessian, dtype=np.float64)
    h = np.diag(h) if h.ndim == 1 else h
    if h.shape != (dim, dim) or not np.allclose(h, h.T):
        raise ValueError(f"hessian must be a symmetric {dim}x{dim} matrix or its diagonal, got shape {h.shape}")
    return h


def _theta_discard(theta: np.ndarray, discard: Discard) -> int:
    """t₀ for a θ trace: the rule applied to |θ − θ̄|² (a scalar summary of all coordinates)."""
    if discard != "auto":
        return discard_count(theta[:, :, 0], discard)
    summary = ((theta - theta.mean(axis=(0, 1))) ** 2).sum(axis=2)
    return equilibration_start(summary)


def stationary_covariance(theta: ArrayLike, *, discard: Discard = "auto") -> StationaryCovariance:
    """Cov θ over all chains and kept samples of a [samples, chains, dim] trace (e.g. ``trace.theta``)."""
    x = _theta_series(theta)
    t0 = _theta_discard(x, discard)
    kept = x[t0:].reshape(-1, x.shape[2])
    summary = ((x[t0:] - kept.mean(axis=0)) ** 2).sum(axis=2)
    return StationaryCovariance(
        mean=kept.mean(axis=0),
        covariance=np.cov(kept, rowvar=False).reshape(x.shape[2], x.shape[2]),
        n_effective=float(summary.size / statistical_inefficiency(summary)),
        discarded=t0,
    )


def mode_temperatures(theta: ArrayLike, hessian: ArrayLike, *, discard: Discard = "auto") -> list[Estimate]:
    """T_i = h_i Var(u_i), u = Qᵀθ in the eigenbasis H = Q diag(h) Qᵀ (REFERENCES.md §6).

    For Gibbs sampling at T every T_i = T; for SGD with isotropic additive noise σ²I and batch B,
    T_i = ησ²/(B(2 − ηh_i)) (Mandt, Hoffman & Blei 2017, discrete Lyapunov equation). One estimate per mode,
    in the order of ascending h_i; each with the error of an autocorrelated variance.
    """
    x = _theta_series(theta)
    h = _hessian(hessian, x.shape[2])
    eig, q = np.linalg.eigh(h)
    t0 = _theta_discard(x, discard)
    modes = (x @ q).transpose(0, 2, 1)  # [samples, modes, chains]
    variances = variance_estimates_grouped(modes, discard=t0, method="mode temperature h_i Var u_i")
    return [
        _with(v, value=eig[i] * v.value, stderr=eig[i] * v.stderr, details={"curvature": float(eig[i])})
        for i, v in enumerate(variances)
    ]


def effective_temperature_covariance(theta: ArrayLike, hessian: ArrayLike, *, discard: Discard = "auto") -> Estimate:
    """T_eff = tr(H Cov θ)/d, the temperature for which Cov θ best matches T H⁻¹ in the H-weighted sense.

    The mean of the series (θ − θ̄)ᵀH(θ − θ̄)/d, so its stderr carries the autocorrelation; equals T exactly
    for the Gibbs measure of ½θᵀHθ and the mean of the mode temperatures in general.
    """
    x = _theta_series(theta)
    d = x.shape[2]
    h = _hessian(hessian, d)
    t0 = _theta_discard(x, discard)
    kept = x[t0:]
    delta = kept - kept.mean(axis=(0, 1))
    series = np.einsum("sci,ij,scj->sc", delta, h, delta) / d
    est = mean_estimate(series, discard=0, method="effective temperature tr(H Cov theta)/d")
    return _with(est, details={"discarded": t0})


def effective_temperature_virial(virial: ArrayLike, dim: int, *, discard: Discard = "auto") -> Estimate:
    """T_eff = ⟨θ·∇L⟩/d, the virial (fluctuation-dissipation) temperature: ⟨θ·∇L⟩ = dT holds for any
    confining L under the Gibbs measure (integration by parts; REFERENCES.md §1). ``virial`` is the recorded
    ``virial`` observable [samples, chains]."""
    if not isinstance(dim, int) or dim < 1:
        raise ValueError(f"dim must be a positive integer, got {dim!r}")
    est = mean_estimate(virial, discard=discard, method="effective temperature <theta . grad L>/d")
    return _with(est, value=est.value / dim, stderr=est.stderr / dim, details={"dim": dim})


# --------------------------------------------------------------------------------------------- LLC


def llc_temperature(n: int) -> float:
    """T = ln n, i.e. β = 1/ln n, the inverse temperature of the WBIC and LLC estimators (Watanabe, JMLR 14,
    867 (2013); Lau et al. arXiv:2308.12108)."""
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    return math.log(n)


def _single_temperature(trace: Trace) -> float:
    temps = np.unique(trace.temperatures)
    if temps.size != 1:
        raise ValueError(f"trace must be at one temperature, has {temps.size}; use trace.select(...)")
    return _temperature(float(temps[0]))


def _step_size_bias(trace: Trace, step_size_bias: float | None) -> tuple[float, str]:
    """The step-size bias bound to report, and how it was obtained; warns when it is unknown."""
    if trace.method == "mala":
        return (0.0 if step_size_bias is None else float(step_size_bias)), "none: MALA is exact at any step size"
    if step_size_bias is not None:
        if not step_size_bias >= 0:
            raise ValueError(f"step_size_bias must be non-negative, got {step_size_bias!r}")
        return float(step_size_bias), "supplied by the caller"
    warnings.warn(
        f"{trace.method} at step size {float(np.max(trace.step_sizes)):g} is biased and the bias was not "
        "assessed: sample with MALA, or estimate at several step sizes and use extrapolate_to_zero_step",
        StepSizeBiasWarning,
        stacklevel=3,
    )
    return 0.0, f"NOT ASSESSED ({trace.method} is biased at finite step size)"


def local_learning_coefficient(
    trace: Trace,
    reference_energy: float,
    *,
    discard: Discard = "auto",
    step_size_bias: float | None = None,
    finite_beta_bias: float | None = None,
    n: int | None = None,
    multiplicity: int | None = None,
) -> Estimate:
    """λ̂ = nβ(E_β[L_n] − L_n(θ*)) = (⟨E⟩ − E*)/T for a trace of E = n·L_n at temperature T = 1/β
    (Lau et al., arXiv:2308.12108), i.e. the low-temperature heat capacity of the tempered posterior.

    ``reference_energy`` E* = n·L_n(θ*) must be the *full-data* loss at the trained minimum (a single
    minibatch's loss shifts λ̂ by β·(its sampling error), which can dwarf the spread across chains).
    stderr = SE(⟨E⟩)/T with the chains' autocorrelation. Step-size bias: zero for MALA; otherwise
    ``step_size_bias`` if given (e.g. from :func:`extrapolate_to_zero_step`), else a
    :class:`StepSizeBiasWarning` and ``details['step_size_bias']`` says it was not assessed.

    What it converges to: for the population loss K, ⟨nK⟩_β = λ/β − (m − 1)/(β ln(nβ)) + o(1/(β ln nβ))
    (REFERENCES.md §7; Watanabe, *Algebraic Geometry and Statistical Learning Theory*, 2009), so at finite nβ
    the estimand is below λ by a shift that decays only logarithmically; a localisation γ|θ − θ*|²/2 sets
    the scale inside that logarithm (for reduced-rank regression the singular part depends on nβ/γ_dev²,
    γ_dev = γ/T; :func:`reduced_rank_llc_at_finite_beta` computes the shift). That shift is a property of the
    estimand, not noise: pass a bound on it as ``finite_beta_bias`` to have it added to ``bias`` (so that
    ``covers(λ)`` is honest); given ``n`` and ``multiplicity`` the generic leading term −(m − 1)/ln(nβ) is
    reported in ``details['finite_beta_shift']`` (at practical nβ it understates the true shift ~2×).
    With an empirical loss L_n of noisy data there is in addition a data-set dependent term of relative
    order √β (Watanabe 2013, the U_n term of WBIC), which is why exact checks use the population loss.
    """
    t = _temperature(_single_temperature(trace))
    if not math.isfinite(reference_energy):
        raise ValueError(f"reference_energy must be finite, got {reference_energy!r}")
    bias, how = _step_size_bias(trace, step_size_bias)
    if finite_beta_bias is not None:
        if not finite_beta_bias >= 0:
            raise ValueError(f"finite_beta_bias must be non-negative, got {finite_beta_bias!r}")
        bias += float(finite_beta_bias)
    mean = mean_energy(trace.energies, discard=discard)
    details: dict[str, Any] = {
        **mean.details,
        "temperature": t,
        "beta": 1.0 / t,
        "reference_energy": float(reference_energy),
        "mean_energy": mean.value,
        "step_size_bias": how,
        "finite_beta_bias": finite_beta_bias,
        "sampler": trace.summary(),
    }
    if n is not None:
        details["n_beta"] = n / t
        if multiplicity is not None:
            details["finite_beta_shift"] = -(multiplicity - 1) / math.log(n / t)
    return Estimate(
        value=(mean.value - reference_energy) / t,
        stderr=mean.stderr / t,
        n_effective=mean.n_effective,
        method=f"local learning coefficient n*beta*(E[L_n] - L_n(theta*)) ({trace.method})",
        bias=bias,
        details=details,
    )


def learning_coefficient_fluctuation(
    trace: Trace, *, discard: Discard = "auto", step_size_bias: float | None = None
) -> Estimate:
    """β² Var(nL_n), the fluctuation form of the low-temperature heat capacity (→ λ as β n → ∞;
    Watanabe 2009; REFERENCES.md §7). Same step-size policy as :func:`local_learning_coefficient`."""
    t = _temperature(_single_temperature(trace))
    bias, how = _step_size_bias(trace, step_size_bias)
    c = heat_capacity_fluctuation(trace.energies, t, discard=discard)
    return _with(
        c,
        method=f"learning coefficient beta^2 Var(n L_n) ({trace.method})",
        bias=bias,
        details={"step_size_bias": how, "sampler": trace.summary()},
    )


def reduced_rank_llc_at_finite_beta(
    input_dim: int,
    hidden: int,
    output_dim: int,
    rank: int,
    n_beta: float,
    prior_precision: float,
    *,
    grid: int = 160,
) -> float:
    """What λ̂ converges to for reduced-rank regression at finite nβ and localisation (leading order).

    Setting: K(w) = ½|BA − W₀|²_F (x ~ N(0, I), unit noise; B ∈ R^{N×H}, A ∈ R^{H×M}, rank W₀ = r), the
    tempered posterior ∝ exp(−nβK(w) − (γ/2)|w − w*|²) localised at the most singular true parameter w*
    (a balanced factorisation of W₀ with the H − r extra components zero); ``prior_precision`` = γ in these
    units (devinterp's ``localization``; the sampler's ``localisation`` is γ·T). Near w* the loss splits
    into a regular part — the r(M + N − r) tangent directions of the rank-r manifold, each contributing 1/2 —
    and the rank-zero block b·a, b ∈ R^{N'×H'}, a ∈ R^{H'×M'} (N' = N − r, H' = H − r, M' = M − r), whose
    energy (nβ/2)|ba|² under the prior exp(−γ(|a|² + |b|²)/2) depends only on ν = nβ/γ². Integrating b
    (Gaussian rows, precision γ(I + ν aaᵀ)) leaves an average over the eigenvalues σ of the Wishart matrix
    aaᵀ ~ W_{H'}(M', I):

        E[nβK] = r(M + N − r)/2 + ⟨(N'/2) Σ_k νσ_k/(1 + νσ_k)⟩_w,   w(σ) = Π_k (1 + νσ_k)^{−N'/2},

    computed here on a log-spaced grid (H' ≤ 3). As ν → ∞ this tends to Aoyagi & Watanabe's λ with the
    −(m − 1)/ln ν correction (e.g. 10-5-10, r = 2: 18 + 10.67 = 28.67 at ν = 10³, 28.80 at 10⁴, → 29).
    Neglected: corrections that decay with nβ, from the curvature of the rank-r manifold (they grow as the
    singular values s of W₀ shrink) and from the localisation of the regular directions; for 10-5-10, r = 2,
    s = (1, 0.7), MALA measured −0.25 ± 0.03 at nβ = 10³ and −0.11 ± 0.03 at nβ = 10⁴ relative to this
    leading order (benchmarks/bench_samplers.py llc). Only the case
    N + r ≤ M + H, M + r ≤ N + H, H + r ≤ M + N with H − r ≤ min(M − r, N − r) is covered.
    """
    for name, value in (("input_dim", input_dim), ("hidden", hidden), ("output_dim", output_dim)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not isinstance(rank, int) or not 0 <= rank < hidden:
        raise ValueError(f"rank must be an integer in [0, hidden), got {rank!r}")
    m_in, n_out, h = input_dim - rank, output_dim - rank, hidden - rank
    if not (output_dim + rank <= input_dim + hidden and input_dim + rank <= output_dim + hidden):
        raise ValueError("only the main case of Aoyagi & Watanabe (2005) is covered")
    if not 1 <= h <= 3 or h > min(m_in, n_out):
        raise ValueError(f"hidden - rank must be in 1..3 and at most min(M, N) - rank, got {h}")
    if not (n_beta > 0 and prior_precision > 0):
        raise ValueError(f"n_beta and prior_precision must be positive, got {n_beta!r}, {prior_precision!r}")
    nu = n_beta / prior_precision**2
    s = np.linspace(-40.0, 5.0, grid)  # log σ
    axes = np.meshgrid(*([s] * h), indexing="ij", sparse=True)
    sigma = [np.exp(a) for a in axes]
    log_w = sum(
        (0.5 * (m_in - h - 1) + 1.0) * a - 0.5 * x - 0.5 * n_out * np.log1p(nu * x)
        for a, x in zip(axes, sigma, strict=True)
    )
    vandermonde = np.ones_like(log_w)
    for i in range(h):
        for j in range(i + 1, h):
            vandermonde = vandermonde * np.abs(sigma[i] - sigma[j])
    weight = np.exp(log_w - np.max(log_w)) * vandermonde
    g = 0.5 * n_out * sum(nu * x / (1.0 + nu * x) for x in sigma)
    singular = float(np.sum(weight * g) / np.sum(weight))
    return rank * (input_dim + output_dim - rank) / 2 + singular


def extrapolate_to_zero_step(step_sizes: ArrayLike, estimates: Sequence[Estimate], *, degree: int = 1) -> Estimate:
    """The η → 0 intercept of a weighted least-squares polynomial fit of estimates against step size.

    SGLD's stationary law differs from the target at O(η) (on a quadratic exactly: variance T/(h(1 − ηh/2)),
    REFERENCES.md §6), so a line in η removes the leading bias. stderr from the fit covariance (weights 1/σ²,
    not rescaled by χ²; the reduced χ² is in ``details``). ``bias`` is the model error |intercept(degree) −
    intercept(degree + 1)| when there are at least degree + 2 step sizes, else 0 with
    ``details['model_error']`` saying it was not assessed.
    """
    eta = np.asarray(step_sizes, dtype=np.float64)
    if eta.ndim != 1 or eta.size != len(estimates) or np.any(eta <= 0):
        raise ValueError("step_sizes must be positive, one per estimate")
    if not isinstance(degree, int) or degree < 1 or eta.size < degree + 1:
        raise ValueError(f"degree must be >= 1 with at least degree + 1 step sizes, got {degree}, {eta.size}")
    y = np.array([e.value for e in estimates])
    s = np.array([e.stderr for e in estimates])
    if np.any(s <= 0):
        raise ValueError("every estimate needs a positive stderr")

    def fit(deg: int) -> tuple[np.ndarray, np.ndarray]:
        design = np.vander(eta, deg + 1, increasing=True)
        weights = 1.0 / s**2
        cov = np.linalg.inv(design.T @ (design * weights[:, None]))
        coef = cov @ (design.T @ (weights * y))
        return coef, cov

    coef, cov = fit(degree)
    dof = eta.size - degree - 1
    residual = y - np.vander(eta, degree + 1, increasing=True) @ coef
    chi2 = float(np.sum((residual / s) ** 2))
    details: dict[str, Any] = {
        "step_sizes": eta.tolist(),
        "values": y.tolist(),
        "slope": float(coef[1]),
        "reduced_chi2": chi2 / dof if dof > 0 else math.nan,
        "degree": degree,
    }
    bias = 0.0
    if eta.size >= degree + 2:
        higher, _ = fit(degree + 1)
        bias = abs(float(higher[0] - coef[0]))
        details["model_error"] = "|intercept(degree) - intercept(degree + 1)|"
    else:
        details["model_error"] = "not assessed (need degree + 2 step sizes)"
    return Estimate(
        value=float(coef[0]),
        stderr=float(math.sqrt(cov[0, 0])),
        n_effective=float(sum(e.n_effective for e in estimates)),
        method=f"extrapolation to zero step size (degree {degree})",
        bias=bias,
        details=details,
    )


__all__ = [
    "StationaryCovariance",
    "effective_temperature_covariance",
    "effective_temperature_virial",
    "entropy_difference",
    "entropy_difference_from_energies",
    "extrapolate_to_zero_step",
    "heat_capacity_fluctuation",
    "heat_capacity_mbar",
    "heat_capacity_response",
    "ladder_heat_capacities",
    "ladder_mean_energies",
    "learning_coefficient_fluctuation",
    "llc_temperature",
    "local_learning_coefficient",
    "mean_energy",
    "mode_temperatures",
    "reduced_rank_llc_at_finite_beta",
    "stationary_covariance",
]
