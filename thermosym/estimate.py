"""An estimate with its uncertainty: what every sampled measurement returns (the pymbar convention).

``stderr`` is one standard error that accounts for autocorrelation (or for the spread of independent
trajectories); ``bias`` is the method's known systematic error bound (step size, finite N) that a check adds to
its tolerance; ``n_effective`` is the effective number of independent samples behind the estimate.

>>> e = Estimate(value=5.1, stderr=0.05, n_effective=400.0, method="fluctuation")
>>> round(e.z_score(5.0), 6)
2.0
>>> e.covers(5.0, k=3.0)
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Estimate:
    """A value, its standard error, and what produced it."""

    value: float
    stderr: float
    n_effective: float = math.nan
    method: str = ""
    bias: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "stderr", float(self.stderr))
        object.__setattr__(self, "bias", float(self.bias))
        if self.stderr < 0 or math.isnan(self.stderr):
            raise ValueError(f"stderr must be a non-negative number, got {self.stderr!r}")
        if self.bias < 0:
            raise ValueError(f"bias is a bound and must be non-negative, got {self.bias!r}")

    def z_score(self, reference: float) -> float:
        """(value − reference)/stderr; ±inf when the stderr is zero and the values differ."""
        diff = self.value - reference
        if self.stderr == 0:
            return 0.0 if diff == 0 else math.copysign(math.inf, diff)
        return diff / self.stderr

    def covers(self, reference: float, k: float = 2.0) -> bool:
        """Whether |value − reference| ≤ k·stderr + bias."""
        return abs(self.value - reference) <= k * self.stderr + self.bias

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (non-finite numbers become None)."""
        out = asdict(self)
        for key in ("value", "stderr", "n_effective", "bias"):
            if not math.isfinite(out[key]):
                out[key] = None
        return out
