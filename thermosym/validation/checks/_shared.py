"""Pieces several checks share: the running-Jarzynski plot and the warning that an exponential average is
under-sampled."""

from __future__ import annotations

import numpy as np

from thermosym.estimate import Estimate
from thermosym.finding import Category, Finding, Severity
from thermosym.sampling.free_energy import jarzynski_free_energy
from thermosym.validation.registry import Observation


def running_jarzynski(
    work: np.ndarray,
    temperature: float,
    reference: float,
    reference_label: str,
    *,
    name: str,
    title: str,
    points: int = 25,
) -> Observation:
    """The Jarzynski estimate over the first N trajectories against N, with its error bar, beside the reference
    ΔF and the plain mean work ⟨W⟩ (what the estimate would be without the exponential average)."""
    n = np.unique(np.geomspace(10, work.size, points).astype(int))
    running = [jarzynski_free_energy(work[:m], temperature) for m in n]
    return Observation(
        name=name,
        title=title,
        x_label="trajectories",
        y_label="ΔF",
        log_x=True,
        series={
            "Jarzynski": {
                "x": n.tolist(),
                "y": [e.value for e in running],
                "yerr": [e.stderr for e in running],
                "style": "points",
            },
            reference_label: {"x": [int(n[0]), int(n[-1])], "y": [reference, reference], "style": "line"},
            "⟨W⟩ (no exponential average)": {
                "x": n.tolist(),
                "y": [float(work[:m].mean()) for m in n],
                "style": "line",
            },
        },
    )


def unreliable_exponential_average(
    jarzynski: Estimate, n_trajectories: int, claims: tuple[str, ...], context: str
) -> Finding | None:
    """A warning when the Jarzynski estimate's error bar cannot be trusted (its ``stderr_reliable`` detail:
    Pareto k̂ ≥ 0.5 or N < e^(β²σ_W²)), else None. ``context`` starts the message (the check and the run)."""
    if jarzynski.details.get("stderr_reliable", True):
        return None
    return Finding(
        code="exponential-average-unreliable",
        category=Category.NUMERICAL,
        severity=Severity.WARNING,
        claims=claims,
        message=f"{context}: Pareto k̂ = {jarzynski.details['pareto_k']:.2f}, N = {n_trajectories} against "
        f"e^(β²σ_W²) = {jarzynski.details['trajectories_needed']:.0f}: the Jarzynski error bar may be too small",
    )
