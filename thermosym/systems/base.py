"""The interface every exactly solvable Gibbs system shares.

Conventions (``../shared/REFERENCES.md``): k_B = 1, β = 1/T, Gibbs measure p(θ) ∝ exp(−L(θ)/T), float64.
A system with a closed-form partition function implements :meth:`log_partition`, :meth:`mean_energy` and
:meth:`energy_variance`; the other functions follow from the canonical-ensemble identities

    F = −T ln Z,   S = (⟨E⟩ − F)/T,   C = d⟨E⟩/dT = β² Var E,

and subclasses override them where a closed form is shorter or more accurate. All methods are vectorised over T.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_temperature(temperature: ArrayLike) -> FloatArray:
    """Temperatures as a float64 array, refusing non-positive or non-finite values."""
    t = np.asarray(temperature, dtype=np.float64)
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError(f"temperatures must be finite and positive, got {temperature!r}")
    return t


class GibbsSystem(ABC):
    """A Gibbs measure p(θ) ∝ exp(−L(θ)/T) with exact thermodynamic functions."""

    #: short name used in evidence records and on the command line
    name: str = "gibbs"

    @abstractmethod
    def log_partition(self, temperature: ArrayLike) -> FloatArray:
        """ln Z(T) = ln ∫ exp(−L(θ)/T) dθ (or the sum over states)."""

    @abstractmethod
    def mean_energy(self, temperature: ArrayLike) -> FloatArray:
        """⟨L⟩(T) = T² d ln Z/dT."""

    @abstractmethod
    def energy_variance(self, temperature: ArrayLike) -> FloatArray:
        """Var L (T) = T² d⟨L⟩/dT."""

    def free_energy(self, temperature: ArrayLike) -> FloatArray:
        """F = −T ln Z."""
        t = as_temperature(temperature)
        return -t * self.log_partition(t)

    def entropy(self, temperature: ArrayLike) -> FloatArray:
        """S = (⟨E⟩ − F)/T (the Gibbs entropy −∫ p ln p of the normalised measure)."""
        t = as_temperature(temperature)
        return (self.mean_energy(t) - self.free_energy(t)) / t

    def heat_capacity(self, temperature: ArrayLike) -> FloatArray:
        """C = β² Var E = d⟨E⟩/dT."""
        t = as_temperature(temperature)
        return self.energy_variance(t) / t**2

    def parameters(self) -> dict[str, object]:
        """The parameters that define the system, for evidence records (JSON-serialisable)."""
        return {}
