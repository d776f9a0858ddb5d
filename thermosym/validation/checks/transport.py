"""Transport laws (TL-12, TL-13) against direct simulation of overdamped Langevin dynamics in a harmonic trap.

The particle obeys γẋ = −kx + √(2γT)ξ, simulated by Euler–Maruyama from x(0) = 0 over many independent
trajectories (numpy; no Fokker-Planck solution is used to generate the data). A law for the density predicts the
second moment v(t) = ⟨x²⟩:

- TL-12 (∂p/∂t = D∇²p − ∇·(vp), with D = T/γ and drift v = −kx/γ) gives γv̇ = −2kv + 2T, so
  v(t) = (T/k)(1 − e^{−2kt/γ});
- TL-13's current j = −D∇c − cv, put into the continuity equation ∂c/∂t = −∇·j, gives ∂c/∂t = D∇²c + ∇·(cv)
  and γv̇ = +2kv + 2T, so v(t) = (T/k)(e^{2kt/γ} − 1); its canonical reading j = −D∇c + cv gives TL-12's law.

Euler–Maruyama has an exact second-moment recursion v_{n+1} = (1 − ηk)²v_n + 2ηT (η = dt/γ), so its bias
against the continuous law is computed exactly and allowed for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from thermosym.evidence import Evidence
from thermosym.validation.registry import CheckOutcome, Observation, register_check


def fokker_planck_variance(t: np.ndarray, k: float, gamma: float, temperature: float) -> np.ndarray:
    """⟨x²⟩(t) from x(0) = 0 under TL-12 with D = T/γ, v = −kx/γ: (T/k)(1 − e^{−2kt/γ})."""
    return np.asarray((temperature / k) * (1 - np.exp(-2 * k * t / gamma)))


def reversed_drift_variance(t: np.ndarray, k: float, gamma: float, temperature: float) -> np.ndarray:
    """⟨x²⟩(t) from x(0) = 0 under ∂c/∂t = D∇²c + ∇·(cv) (TL-13 as written): (T/k)(e^{2kt/γ} − 1)."""
    return np.asarray((temperature / k) * np.expm1(2 * k * t / gamma))


def euler_maruyama_variance(n_steps: int, dt: float, k: float, gamma: float, temperature: float) -> np.ndarray:
    """The exact ⟨x²⟩ of the Euler–Maruyama chain after 1..n_steps steps (its discretisation of TL-12)."""
    eta = dt / gamma
    out = np.empty(n_steps)
    v = 0.0
    for i in range(n_steps):
        v = (1 - eta * k) ** 2 * v + 2 * eta * temperature
        out[i] = v
    return out


def simulate_second_moment(
    n_trajectories: int, n_steps: int, dt: float, k: float, gamma: float, temperature: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard error of x² over independent Euler–Maruyama trajectories, at every step."""
    rng = np.random.default_rng(seed)
    x = np.zeros(n_trajectories)
    mean, err = np.empty(n_steps), np.empty(n_steps)
    noise = np.sqrt(2 * temperature * dt / gamma)
    for i in range(n_steps):
        x = x - (dt / gamma) * k * x + noise * rng.standard_normal(n_trajectories)
        x2 = x * x
        mean[i], err[i] = x2.mean(), x2.std(ddof=1) / np.sqrt(n_trajectories)
    return mean, err


@register_check(
    "langevin-second-moment",
    targets=("TL-12/*", "TL-13/as-written", "TL-13/canonical"),
    systems=("langevin-harmonic-trap",),
    description="⟨x²⟩(t) of simulated overdamped Langevin trajectories in a harmonic trap, against the "
    "predictions of TL-12's Fokker-Planck equation and of TL-13's current (as written and canonical)",
    tolerance="|measured − predicted| ≤ 3σ + |Euler–Maruyama − continuous| (exact discretisation bias) at each "
    "of the recorded times",
    bias="Euler–Maruyama discretisation, computed exactly from its second-moment recursion",
    quick={
        "trajectories": 20000,
        "steps": 400,
        "dt": 0.005,
        "stiffness": 1.0,
        "friction": 1.0,
        "temperature": 1.0,
        "times": [0.25, 0.5, 1.0, 2.0],
        "seed": 7,
    },
    full={
        "trajectories": 200000,
        "steps": 800,
        "dt": 0.0025,
        "stiffness": 1.0,
        "friction": 1.0,
        "temperature": 1.0,
        "times": [0.25, 0.5, 1.0, 2.0],
        "seed": 7,
    },
)
def langevin_second_moment(params: Mapping[str, Any]) -> CheckOutcome:
    out = CheckOutcome()
    n, steps, dt = int(params["trajectories"]), int(params["steps"]), float(params["dt"])
    k, gamma, temp = float(params["stiffness"]), float(params["friction"]), float(params["temperature"])
    mean, err = simulate_second_moment(n, steps, dt, k, gamma, temp, int(params["seed"]))
    discrete = euler_maruyama_variance(steps, dt, k, gamma, temp)
    times = dt * np.arange(1, steps + 1)
    fp = fokker_planck_variance(times, k, gamma, temp)
    wrong = reversed_drift_variance(times, k, gamma, temp)
    laws = {"TL-12/*": fp, "TL-13/as-written": wrong, "TL-13/canonical": fp}
    for t in params["times"]:
        i = round(float(t) / dt) - 1
        bias = float(abs(discrete[i] - fp[i]))
        for key, law in laws.items():
            out.add(
                key,
                Evidence.compare(
                    check="langevin-second-moment",
                    system="langevin-harmonic-trap",
                    quantity="⟨x²⟩",
                    predicted=float(law[i]),
                    measured=float(mean[i]),
                    stderr=float(err[i]),
                    k=3.0,
                    bias=bias,
                    condition=f"t = {t:g}",
                    parameters={
                        "trajectories": n,
                        "dt": dt,
                        "stiffness": k,
                        "friction": gamma,
                        "temperature": temp,
                        "time": float(t),
                    },
                ),
            )
    stride = max(1, steps // 40)
    for key, law, label in (
        ("TL-12/*", fp, "TL-12 Fokker-Planck"),
        ("TL-13/as-written", wrong, "TL-13 current as written"),
        ("TL-13/canonical", fp, "TL-13 current, canonical sign"),
    ):
        out.observe(
            key,
            Observation(
                name="langevin-second-moment",
                title="Second moment of Langevin trajectories against the law",
                x_label="t",
                y_label="⟨x²⟩",
                series={
                    "simulation": {
                        "x": times[::stride].tolist(),
                        "y": mean[::stride].tolist(),
                        "yerr": err[::stride].tolist(),
                        "style": "points",
                    },
                    label: {"x": times[::stride].tolist(), "y": law[::stride].tolist(), "style": "line"},
                },
            ),
        )
    return out
