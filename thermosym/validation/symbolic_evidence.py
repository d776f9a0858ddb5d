"""Evidence from the symbolic layer: each DER-* claim's SymPy proof and its evaluations on concrete systems.

A derivation's proof is evidence like any other: the residual (left side minus right side, simplified) is
predicted to be 0 for a generic function and measured by SymPy; each concrete fundamental relation or equation of
state gives one more residual. A residual that SymPy cannot reduce to a number is recorded as not measured (NaN),
which never passes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from thermosym.evidence import Evidence
from thermosym.validation.registry import ALL_READINGS, Target


def _number(residual: Any) -> float:
    try:
        return float(residual)
    except (TypeError, ValueError):
        return math.nan


def derivation_evidence(derivations: Iterable[Any]) -> dict[str, list[Evidence]]:
    """Target key ("DER-dF/*": every reading) → the evidence of its proof and concrete checks."""
    out: dict[str, list[Evidence]] = {}
    for d in derivations:
        key = Target(d.claim.id, ALL_READINGS).key
        items = [
            Evidence.compare(
                check="sympy-proof",
                system="generic functions",
                quantity="symbolic residual",
                predicted=0.0,
                measured=0.0 if d.verified else math.nan,
                note=d.method,
            )
        ]
        for c in d.concrete_checks:
            items.append(
                Evidence.compare(
                    check="sympy-concrete",
                    system=c.system,
                    quantity="symbolic residual",
                    predicted=0.0,
                    measured=_number(c.residual),
                    note=f"on {c.relation}",
                )
            )
        out[key] = items
    return out
