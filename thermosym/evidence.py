"""Evidence: one numerical check of one reading of a claim on one system.

A check passes when ``|measured − predicted| ≤ k·stderr + bias + tolerance_abs``: ``k`` standard errors of the
estimate (which account for autocorrelation), plus the method's known systematic bias (step size, finite N), plus
an absolute tolerance for exact-vs-exact comparisons (floating point). For an inequality (``relation`` ``>=`` or
``<=``, made by :meth:`Evidence.bound`) the measurement must lie on the right side of the bound within the same
slack. All three are stored, so a reader can see how much slack a pass had. ``passed`` is computed here, never
given.

>>> e = Evidence.compare(check="c", system="gauss", predicted=5.0, measured=5.08, stderr=0.05, k=2.0)
>>> e.passed, round(e.tolerance, 3)
(True, 0.1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def _finite_or_none(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Evidence:
    """A prediction, a measurement with its error, the tolerance rule, and whether it passed."""

    check: str
    system: str
    predicted: float | None
    measured: float | None
    stderr: float
    tolerance: float
    passed: bool
    k: float = 2.0
    bias: float = 0.0
    tolerance_abs: float = 0.0
    quantity: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    condition: str = ""
    note: str = ""
    rerun: str = ""
    relation: str = "=="

    @classmethod
    def compare(
        cls,
        *,
        check: str,
        system: str,
        predicted: float,
        measured: float,
        stderr: float = 0.0,
        k: float = 2.0,
        bias: float = 0.0,
        tolerance_abs: float = 0.0,
        **extra: Any,
    ) -> Evidence:
        """Evidence for ``measured`` against ``predicted`` under the rule ``k·stderr + bias + tolerance_abs``.

        A non-finite measurement never passes.
        """
        if stderr < 0 or bias < 0 or tolerance_abs < 0 or k <= 0:
            raise ValueError("stderr, bias and tolerance_abs must be non-negative and k positive")
        tolerance = k * stderr + bias + tolerance_abs
        finite = math.isfinite(measured) and math.isfinite(predicted)
        passed = finite and abs(measured - predicted) <= tolerance
        return cls(
            check=check,
            system=system,
            predicted=predicted,
            measured=measured,
            stderr=float(stderr),
            tolerance=float(tolerance),
            passed=bool(passed),
            k=float(k),
            bias=float(bias),
            tolerance_abs=float(tolerance_abs),
            **extra,
        )

    @classmethod
    def bound(
        cls,
        *,
        check: str,
        system: str,
        bound: float,
        measured: float,
        relation: str = ">=",
        stderr: float = 0.0,
        k: float = 2.0,
        bias: float = 0.0,
        tolerance_abs: float = 0.0,
        **extra: Any,
    ) -> Evidence:
        """Evidence that ``measured`` satisfies ``measured >= bound`` (or ``<=``) within ``k·stderr + bias +
        tolerance_abs``; the bound is stored as ``predicted``."""
        if relation not in (">=", "<="):
            raise ValueError(f"relation must be '>=' or '<=', not {relation!r}")
        if stderr < 0 or bias < 0 or tolerance_abs < 0 or k <= 0:
            raise ValueError("stderr, bias and tolerance_abs must be non-negative and k positive")
        tolerance = k * stderr + bias + tolerance_abs
        finite = math.isfinite(measured) and math.isfinite(bound)
        margin = measured - bound if relation == ">=" else bound - measured
        return cls(
            check=check,
            system=system,
            predicted=bound,
            measured=measured,
            stderr=float(stderr),
            tolerance=float(tolerance),
            passed=bool(finite and margin >= -tolerance),
            k=float(k),
            bias=float(bias),
            tolerance_abs=float(tolerance_abs),
            relation=relation,
            **extra,
        )

    @property
    def z_score(self) -> float | None:
        """(measured − predicted)/stderr, or None when either is missing or stderr is zero."""
        if self.predicted is None or self.measured is None or self.stderr == 0:
            return None
        return (self.measured - self.predicted) / self.stderr

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """The inverse of :meth:`to_dict` (a measurement stored as None reads back as NaN and stays failed)."""
        rule = data.get("tolerance_rule", {})
        nan = float("nan")
        return cls(
            check=data["check"],
            system=data["system"],
            predicted=nan if data["predicted"] is None else data["predicted"],
            measured=nan if data["measured"] is None else data["measured"],
            stderr=0.0 if data["stderr"] is None else data["stderr"],
            tolerance=nan if data["tolerance"] is None else data["tolerance"],
            passed=bool(data["passed"]),
            k=rule.get("k", 2.0),
            bias=rule.get("bias", 0.0),
            tolerance_abs=rule.get("absolute", 0.0),
            quantity=data.get("quantity", ""),
            parameters=dict(data.get("parameters", {})),
            condition=data.get("condition", ""),
            note=data.get("note", ""),
            rerun=data.get("rerun", ""),
            relation=data.get("relation", "=="),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary with the keys DESIGN.md fixes (non-finite numbers become None)."""
        return {
            "check": self.check,
            "system": self.system,
            "quantity": self.quantity,
            "predicted": _finite_or_none(self.predicted),
            "measured": _finite_or_none(self.measured),
            "stderr": _finite_or_none(self.stderr),
            "tolerance": _finite_or_none(self.tolerance),
            "tolerance_rule": {"k": self.k, "bias": self.bias, "absolute": self.tolerance_abs},
            "passed": self.passed,
            "relation": self.relation,
            "condition": self.condition,
            "parameters": self.parameters,
            "note": self.note,
            "rerun": self.rerun,
        }
