"""Fluctuation relations and the second law (TL-02, TL-14, TL-15, TL-18) on driven harmonic traps.

Trajectories are overdamped Langevin dynamics driven by a schedule, simulated in torch by
:func:`thermosym.sampling.protocols.run_protocol` with its Metropolis-adjusted kernel, for which the
discrete-time Jarzynski and Crooks relations are exact (so no step-size bias enters the identities; the module
docstring of ``protocols`` explains the switch-then-move work). Exact references come from
:mod:`thermosym.systems.langevin_trap` and closed forms (REFERENCES §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from thermosym.evidence import Evidence
from thermosym.sampling.free_energy import (
    bar_free_energy,
    fluctuation_theorem_slope,
    jarzynski_free_energy,
    second_law_check,
)
from thermosym.sampling.protocols import (
    ProtocolConfig,
    Schedule,
    dragged_harmonic_trap,
    gaussian_sampler,
    harmonic_stiffness_trap,
    run_protocol,
)
from thermosym.validation.checks._shared import running_jarzynski, unreliable_exponential_average
from thermosym.validation.registry import CheckOutcome, Observation, register_check

K_SIGMA = 3.0


def _stiffness_runs(p: Mapping[str, Any]) -> tuple[Any, Any, float]:
    dim, k0, k1, temp = int(p["dim"]), float(p["k0"]), float(p["k1"]), float(p["temperature"])
    potential = harmonic_stiffness_trap(dim)
    base: dict[str, Any] = dict(
        n_trajectories=int(p["trajectories"]),
        n_steps=int(p["steps"]),
        temperature=temp,
        record_every=max(1, int(p["steps"]) // 20),
    )
    forward = run_protocol(
        potential,
        Schedule.linear(k0, k1, float(p["duration"])),
        ProtocolConfig(**base, seed=int(p["seed"])),
        initial_sampler=gaussian_sampler(0.0, temp / k0, dim),
    )
    reverse = run_protocol(
        potential,
        Schedule.linear(k1, k0, float(p["duration"])),
        ProtocolConfig(**base, seed=int(p["seed"]) + 1),
        initial_sampler=gaussian_sampler(0.0, temp / k1, dim),
    )
    delta_f = 0.5 * dim * temp * np.log(k1 / k0)
    return forward, reverse, float(delta_f)


@register_check(
    "jarzynski-stiffening-trap",
    targets=("TL-15/*", "TL-02/*"),
    systems=("langevin-stiffening-trap",),
    description="Free-energy change of a stiffening harmonic trap (k₀ → k₁ in d dimensions, finite time) from "
    "the work of driven trajectories: Jarzynski and BAR against ΔF = (dT/2) ln(k₁/k₀); the second law "
    "⟨W⟩ − ΔF ≥ 0 on the same trajectories",
    tolerance=f"|estimate − ΔF| ≤ {K_SIGMA:g}σ + the exponential average's O(1/N) bias; ⟨W⟩ − ΔF ≥ −{K_SIGMA:g}σ",
    bias="Jarzynski: T·Var(e^{−βW})/(2N⟨e^{−βW}⟩²) (leading order in 1/N); none from the step size (MALA)",
    quick={
        "dim": 4,
        "k0": 1.0,
        "k1": 2.0,
        "temperature": 1.0,
        "duration": 1.0,
        "steps": 100,
        "trajectories": 4000,
        "seed": 17,
    },
    full={
        "dim": 16,
        "k0": 1.0,
        "k1": 2.0,
        "temperature": 1.0,
        "duration": 4.0,
        "steps": 800,
        "trajectories": 40000,
        "seed": 17,
    },
    uses_torch=True,
)
def jarzynski_stiffening_trap(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    forward, reverse, delta_f = _stiffness_runs(params)
    temp = float(params["temperature"])
    jar = jarzynski_free_energy(forward.work, temp)
    bar = bar_free_energy(forward.work, reverse.work, temp)
    common: dict[str, Any] = {
        "system": "langevin-stiffening-trap",
        "quantity": "ΔF",
        "parameters": {
            k: params[k] for k in ("dim", "k0", "k1", "temperature", "duration", "steps", "trajectories", "seed")
        },
    }
    out.add(
        "TL-15/*",
        Evidence.compare(
            check="jarzynski-stiffening-trap",
            **common,
            predicted=delta_f,
            measured=jar.value,
            stderr=jar.stderr,
            k=K_SIGMA,
            bias=jar.bias,
            condition="Jarzynski exponential average",
            note=f"Kish ESS {jar.n_effective:.0f} of {forward.n_trajectories}; σ_W = {forward.work.std():.2f} T",
        ),
    )
    out.add(
        "TL-15/*",
        Evidence.compare(
            check="jarzynski-stiffening-trap",
            **common,
            predicted=delta_f,
            measured=bar.value,
            stderr=bar.stderr,
            k=K_SIGMA,
            condition="Bennett acceptance ratio (forward and reverse protocols)",
        ),
    )
    warning = unreliable_exponential_average(jar, forward.n_trajectories, ("TL-15",), "jarzynski-stiffening-trap")
    if warning is not None:
        out.findings.append(warning)
    second = second_law_check(forward.work, delta_f, temp).dissipated_work
    for key in ("TL-02/*",):
        out.add(
            key,
            Evidence.bound(
                check="jarzynski-stiffening-trap",
                system="langevin-stiffening-trap",
                quantity="⟨W⟩ − ΔF = T⟨ΔS_tot⟩",
                bound=0.0,
                measured=second.value,
                stderr=second.stderr,
                k=K_SIGMA,
                parameters=common["parameters"],
                note="dS ≥ dQ/T read for a protocol between equilibrium states at the bath temperature: "
                "ΔS_sys − Q/T = (⟨W⟩ − ΔF)/T ≥ 0",
            ),
        )
    out.observe(
        "TL-15/*",
        running_jarzynski(
            forward.work,
            temp,
            delta_f,
            "exact ΔF",
            name="jarzynski-running",
            title="Running Jarzynski estimate against the exact ΔF",
        ),
    )
    return out


def _log_ratio_points(sigma: np.ndarray, slope_details: Mapping[str, Any]) -> tuple[list[float], list[float]]:
    return list(slope_details["bin_sigma"]), list(slope_details["log_ratio"])


@register_check(
    "fluctuation-theorem-dragged-trap",
    targets=("TL-14/*",),
    systems=("langevin-dragged-trap",),
    description="Entropy production σ = βW of a harmonic trap dragged at constant speed: slope of "
    "ln P(σ)/P(−σ) against σ, started in equilibrium and started in the non-equilibrium steady state",
    tolerance=f"|slope − 1| ≤ {K_SIGMA:g}σ (histogram fit with binomial weights)",
    bias="none for the equilibrium start (exact for the Metropolis-adjusted chain); the steady-state start "
    "has the transient slope t/(t − τ_r(1 − e^{−t/τ_r})) ≠ 1 (van Zon & Cohen 2003), which is what it measures",
    quick={
        "stiffness": 1.0,
        "friction": 1.0,
        "temperature": 1.0,
        "speed": 1.0,
        "duration": 1.0,
        "steps": 50,
        "burn_in_duration": 8.0,
        "trajectories": 20000,
        "seed": 23,
    },
    full={
        "stiffness": 1.0,
        "friction": 1.0,
        "temperature": 1.0,
        "speed": 1.0,
        "duration": 1.0,
        "steps": 200,
        "burn_in_duration": 10.0,
        "trajectories": 200000,
        "seed": 23,
    },
    uses_torch=True,
)
def fluctuation_theorem_dragged_trap(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    k, gamma, temp, v = (float(params[x]) for x in ("stiffness", "friction", "temperature", "speed"))
    t_f, steps, n = float(params["duration"]), int(params["steps"]), int(params["trajectories"])
    tau = gamma / k
    potential = dragged_harmonic_trap(k, 1)
    config = ProtocolConfig(n_trajectories=n, n_steps=steps, temperature=temp, friction=gamma, seed=int(params["seed"]))
    from_eq = run_protocol(
        potential, Schedule.linear(0.0, v * t_f, t_f), config, initial_sampler=gaussian_sampler(0.0, temp / k, 1)
    )
    t_b = float(params["burn_in_duration"])
    dt = t_f / steps
    burn = run_protocol(
        potential,
        Schedule.linear(0.0, v * t_b, t_b),
        ProtocolConfig(
            n_trajectories=n,
            n_steps=max(1, round(t_b / dt)),
            temperature=temp,
            friction=gamma,
            seed=int(params["seed"]) + 1,
        ),
        initial_sampler=gaussian_sampler(0.0, temp / k, 1),
    )
    from_ss = run_protocol(
        potential,
        Schedule.linear(v * t_b, v * (t_b + t_f), t_f),
        ProtocolConfig(n_trajectories=n, n_steps=steps, temperature=temp, friction=gamma, seed=int(params["seed"]) + 2),
        initial_theta=burn.final_theta,
    )
    transient = t_f / (t_f - tau * (1 - np.exp(-t_f / tau)))
    series: dict[str, Any] = {}
    for label, run, condition in (
        ("from equilibrium", from_eq, "started in equilibrium"),
        (
            "from the steady state",
            from_ss,
            f"started in the steady state, t = {t_f / tau:g} τ_r (transient slope {transient:.3f})",
        ),
    ):
        sigma = run.entropy_production(0.0)
        slope = fluctuation_theorem_slope(sigma)
        out.add(
            "TL-14/*",
            Evidence.compare(
                check="fluctuation-theorem-dragged-trap",
                system="langevin-dragged-trap",
                quantity="FT slope",
                predicted=1.0,
                measured=slope.value,
                stderr=slope.stderr,
                k=K_SIGMA,
                condition=condition,
                parameters={
                    "stiffness": k,
                    "friction": gamma,
                    "temperature": temp,
                    "speed": v,
                    "duration": t_f,
                    "steps": steps,
                    "trajectories": n,
                },
                note=f"{slope.details['n_bins_used']} bin pairs; acceptance {run.acceptance_rate:.3f}",
            ),
        )
        xs, ys = _log_ratio_points(sigma, slope.details)
        series[label] = {"x": xs, "y": ys, "style": "points"}
    grid = [0.0, max(max(s["x"]) for s in series.values())]
    series["slope 1 (the theorem)"] = {"x": grid, "y": grid, "style": "line"}
    series[f"transient slope {transient:.2f}"] = {"x": grid, "y": [transient * g for g in grid], "style": "line"}
    out.observe(
        "TL-14/*",
        Observation(
            name="fluctuation-theorem",
            title="ln P(σ)/P(−σ) against σ, dragged trap",
            x_label="σ",
            y_label="ln P(σ)/P(−σ)",
            series=series,
        ),
    )
    return out


def dragged_trap_entropy_production_rate(
    t: np.ndarray, speed: float, stiffness: float, friction: float, temperature: float, initial_lag: float
) -> np.ndarray:
    """σ̇(t) of a trap dragged at speed v, for a Gaussian state with the equilibrium width T/k and mean lag
    y(0) = ⟨x⟩ − c(0) (Sekimoto's stochastic energetics: with the width at equilibrium only the mean current
    dissipates, σ̇ = γ(d⟨x⟩/dt)²/T). The lag relaxes as y(t) = y_ss + (y(0) − y_ss)e^{−t/τ}, y_ss = −γv/k,
    τ = γ/k, so d⟨x⟩/dt = v + ẏ = v − (y(0) − y_ss)e^{−t/τ}/τ."""
    tau = friction / stiffness
    y_ss = -friction * speed / stiffness
    velocity = speed - (initial_lag - y_ss) * np.exp(-t / tau) / tau
    return np.asarray(friction * velocity**2 / temperature)


@register_check(
    "entropy-production-relaxation",
    targets=("TL-18/canonical",),
    systems=("langevin-dragged-trap",),
    description="Entropy production rate of a dragged trap relaxing to its steady state (exact Gaussian "
    "solution): is the steady-state rate the minimum over the relaxation?",
    tolerance="min over the relaxation of σ̇(t) − σ̇_ss ≥ −1e-12 (exact)",
    bias="none (closed form)",
    quick={
        "speed": 1.0,
        "stiffness": 1.0,
        "friction": 1.0,
        "temperature": 1.0,
        "initial_lag": [0.0, -2.0],
        "duration": 10.0,
    },
)
def entropy_production_relaxation(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    v, k, gamma, temp = (float(params[x]) for x in ("speed", "stiffness", "friction", "temperature"))
    t = np.linspace(0.0, float(params["duration"]), 401)
    steady = gamma * v**2 / temp
    series: dict[str, Any] = {}
    for lag in params["initial_lag"]:
        rate = dragged_trap_entropy_production_rate(t, v, k, gamma, temp, float(lag))
        label = (
            "started in equilibrium (no lag)"
            if lag == 0
            else f"started with lag {lag:g} (steady lag {-gamma * v / k:g})"
        )
        out.add(
            "TL-18/canonical",
            Evidence.bound(
                check="entropy-production-relaxation",
                system="langevin-dragged-trap",
                quantity="min σ̇(t) − σ̇_ss",
                bound=0.0,
                measured=float(rate.min() - steady),
                tolerance_abs=1e-12,
                condition=label,
                parameters={"speed": v, "stiffness": k, "friction": gamma, "temperature": temp, "initial_lag": lag},
                note="σ̇ rises to its steady value from equilibrium: the steady state is then the maximum"
                if rate.min() < steady - 1e-12
                else "σ̇ falls to its steady value",
            ),
        )
        series[label] = {"x": t.tolist(), "y": rate.tolist(), "style": "line"}
    out.observe(
        "TL-18/canonical",
        Observation(
            name="entropy-production-rate",
            title="Entropy production rate during relaxation to the steady state",
            x_label="t",
            y_label="σ̇",
            series=series,
        ),
    )
    return out
