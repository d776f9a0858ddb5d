"""The low- and high-temperature regimes of the heat capacity (HC-04, HC-06) on exact systems.

A power law C ∝ T^α as T → 0 means the local exponent s(T) = d ln C/d ln T tends to a constant; the check
computes s at three temperatures a decade apart, T₁ < T₂ < T₃, and asks that it converge:
|s(T₁) − s(T₂)| ≤ 0.1·|s(T₂) − s(T₃)| + 0.01 (corrections that shrink at least tenfold per decade).
Continuous-parameter Gibbs measures (quadratic loss, with or without a prior) have C → d/2, so α = 0; a gapped
discrete spectrum has C ≈ (Δ/T)² e^{−Δ/T}, whose local exponent Δ/T − 2 diverges: no power law.
C → constant as T → ∞ is tested by the change of C over a decade of high temperatures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from thermosym.evidence import Evidence
from thermosym.systems.base import GibbsSystem
from thermosym.systems.curie_weiss import CurieWeiss
from thermosym.systems.quadratic import DiscreteLevels, QuadraticGibbs, QuadraticWithGaussianPrior
from thermosym.validation.registry import CheckOutcome, Observation, register_check


def _reference_systems(dim: int) -> list[GibbsSystem]:
    eigenvalues = np.geomspace(0.5, 4.0, dim)
    return [
        QuadraticGibbs.diagonal(eigenvalues),
        QuadraticWithGaussianPrior(np.diag(eigenvalues), 1.0),
        DiscreteLevels([0.0, 1.0, 2.0], [1, 3, 3]),
    ]


def _signed_log_sum(log_terms: np.ndarray, signs: np.ndarray) -> tuple[float, float]:
    from scipy.special import logsumexp

    value, sign = logsumexp(log_terms, b=signs, return_sign=True)
    return float(value), float(sign)


def discrete_local_exponent(system: DiscreteLevels, temperature: float) -> float:
    """s = κ₃/(T κ₂) − 2 for discrete levels, from the energy cumulants computed in log space (C = κ₂/T² and
    dκ₂/dT = κ₃/T²), so that it stays finite when C itself underflows."""
    from scipy.special import logsumexp

    shifted = system.energies - system.energies.min()
    log_w = np.log(system.degeneracies) - shifted / temperature
    log_p = log_w - logsumexp(log_w)
    mean = float(np.exp(log_p) @ shifted)
    delta = shifted - mean
    keep = delta != 0
    log_abs = np.log(np.abs(delta[keep]))
    log_k2, _ = _signed_log_sum(log_p[keep] + 2 * log_abs, np.ones(keep.sum()))
    log_k3, sign = _signed_log_sum(log_p[keep] + 3 * log_abs, np.sign(delta[keep]))
    return float(sign * np.exp(log_k3 - log_k2) / temperature - 2)


def local_exponent(system: GibbsSystem, temperature: float, relative_step: float = 1e-3) -> float:
    """s(T) = d ln C / d ln T: a central difference in ln T of the exact C (the log-space cumulant form for
    discrete levels)."""
    if isinstance(system, DiscreteLevels):
        return discrete_local_exponent(system, temperature)
    lo, hi = temperature * (1 - relative_step), temperature * (1 + relative_step)
    c_lo, c_hi = float(system.heat_capacity(lo)), float(system.heat_capacity(hi))
    return float((np.log(c_hi) - np.log(c_lo)) / (np.log(hi) - np.log(lo)))


@register_check(
    "low-temperature-heat-capacity",
    targets=("HC-04/*",),
    systems=("quadratic", "quadratic-gaussian-prior", "discrete-levels"),
    description="Is C a power law of T as T → 0? The local exponent d ln C/d ln T at three temperatures a decade "
    "apart must converge, on exact systems",
    tolerance="|s(T₁) − s(T₂)| ≤ 0.1·|s(T₂) − s(T₃)| + 0.01",
    bias="central difference in ln T with step 1e-3: O(1e-6) on the exponent",
    quick={"dim": 6, "temperatures": [1e-4, 1e-3, 1e-2]},
)
def low_temperature_heat_capacity(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    t1, t2, t3 = (float(t) for t in params["temperatures"])
    grid = np.geomspace(0.02, 10.0, 60)
    series: dict[str, Any] = {}
    for system in _reference_systems(int(params["dim"])):
        s1, s2, s3 = (local_exponent(system, t) for t in (t1, t2, t3))
        out.add(
            "HC-04/*",
            Evidence.compare(
                check="low-temperature-heat-capacity",
                system=system.name,
                quantity="d ln C/d ln T",
                predicted=s2,
                measured=s1,
                tolerance_abs=0.1 * abs(s2 - s3) + 0.01,
                parameters={"temperatures": [t1, t2, t3], **_params(system)},
                note=f"local exponents {s1:.4g}, {s2:.4g}, {s3:.4g} at T = {t1:g}, {t2:g}, {t3:g}"
                + (
                    f" (a power law with α = {s1:.3g})"
                    if abs(s1 - s2) <= 0.1 * abs(s2 - s3) + 0.01
                    else " (no power law: the exponent keeps growing)"
                ),
            ),
        )
        series[system.name] = {
            "x": grid.tolist(),
            "y": np.asarray(system.heat_capacity(grid)).tolist(),
            "style": "line",
        }
    out.observe(
        "HC-04/*",
        Observation(
            name="heat-capacity-low-temperature",
            title="Heat capacity towards T → 0",
            x_label="T",
            y_label="C",
            log_x=True,
            log_y=True,
            series=series,
        ),
    )
    return out


def _params(system: GibbsSystem) -> dict[str, Any]:
    p = system.parameters()
    return {k: v for k, v in p.items() if k != "hessian"} | {"name": system.name}


@register_check(
    "high-temperature-heat-capacity",
    targets=("HC-06/*",),
    systems=("quadratic", "quadratic-gaussian-prior", "discrete-levels", "curie-weiss"),
    description="Does C tend to a constant as T → ∞? The change of the exact C between two high temperatures a "
    "decade apart",
    tolerance="|C(T₂) − C(T₁)| ≤ 1e-3·max(1, C(T₁))",
    bias="none (exact)",
    quick={"dim": 6, "temperatures": [1e3, 1e4], "n_spins": 100},
)
def high_temperature_heat_capacity(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    t1, t2 = (float(t) for t in params["temperatures"])
    systems = [*_reference_systems(int(params["dim"])), CurieWeiss(int(params["n_spins"]))]
    grid = np.geomspace(0.1, t2, 60)
    series: dict[str, Any] = {}
    for system in systems:
        c1, c2 = float(system.heat_capacity(t1)), float(system.heat_capacity(t2))
        out.add(
            "HC-06/*",
            Evidence.compare(
                check="high-temperature-heat-capacity",
                system=system.name,
                quantity="C",
                predicted=c1,
                measured=c2,
                tolerance_abs=1e-3 * max(1.0, abs(c1)),
                parameters={"temperatures": [t1, t2], **_params(system)},
                note=f"C → {c2:.3g}: "
                + (
                    "a constant d/2 (an unbounded quadratic)"
                    if c2 > 1e-3
                    else "zero for any bounded or prior-confined measure"
                ),
            ),
        )
        series[system.name] = {
            "x": grid.tolist(),
            "y": np.asarray(system.heat_capacity(grid)).tolist(),
            "style": "line",
        }
    out.observe(
        "HC-06/*",
        Observation(
            name="heat-capacity-high-temperature",
            title="Heat capacity towards T → ∞",
            x_label="T",
            y_label="C",
            log_x=True,
            series=series,
        ),
    )
    return out
