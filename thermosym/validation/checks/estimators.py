"""Heat-capacity formulas evaluated literally on exact samples of Gaussian Gibbs measures.

Any claim reading of the shape ``C = expr``, ``C ≈ expr`` or ``C ∝ expr`` (no limit), with C a heat capacity,
is tested here: HC-01, HC-11, HC-12, HC-13, HC-14 in each of their readings, and a user's own estimator. The
right-hand side is computed from exact samples (:mod:`thermosym.validation.evaluate`), at several temperatures,
on two systems whose exact C is known in closed form:

- ``quadratic``: L = ½θᵀHθ with an anisotropic H, C = d/2 at every T;
- ``quadratic-gaussian-prior``: the same loss with a N(0, s²I) prior in the base measure, C(T) =
  ½ Σᵢ [hᵢs²/(T + hᵢs²)]², which falls from d/2 to 0 (so a formula that is right only for constant C shows it).

Errors come from independent replicas (fresh samples each): mean ± standard deviation/√R.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np
import sympy

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Asymptotic, Claim, Reading, Relation
from thermosym.evidence import Evidence
from thermosym.quantity import Kind, Level
from thermosym.systems.quadratic import QuadraticGibbs, QuadraticWithGaussianPrior
from thermosym.validation.evaluate import Evaluator, NotEvaluable, draw, roles_of
from thermosym.validation.registry import CheckOutcome, Observation, register_check

#: relative tolerance that "≈" is granted (the text gives none)
APPROX_RELATIVE = 0.10
K_SIGMA = 3.0
#: relative bias bound of the central differences in T (h = 0.05·T): h²/(12T²)·|T²C''/C| ≤ 1e-3 here
DIFFERENCE_BIAS = 1e-3


def _heat_capacity_lhs(catalogue: Catalogue, reading: Reading) -> bool:
    st = reading.statement
    if isinstance(st, Relation):
        if st.op != "==":
            return False
    elif not (isinstance(st, Asymptotic) and st.variable is None and st.relation in ("approx", "proportional")):
        return False
    if not isinstance(st.lhs, sympy.Symbol):
        return False
    q = catalogue.quantities.get(st.lhs.name)
    return q is not None and q.kind is Kind.HEAT_CAPACITY


def matches(catalogue: Catalogue, claim: Claim, reading: Reading) -> bool:
    """C = …, C ≈ …, C ∝ … with C a heat-capacity quantity and no limit."""
    return _heat_capacity_lhs(catalogue, reading)


def _definitions(catalogue: Catalogue, reading_name: str) -> dict[str, Any]:
    """Quantity key → its defining expression, in the named reading where the defining claim has one."""
    out: dict[str, Any] = {}
    for claim in catalogue:
        if not claim.defines:
            continue
        names = [r.name for r in claim.readings]
        st = claim.reading(reading_name if reading_name in names else "as-written").statement
        if isinstance(st, Relation) and st.op == "==":
            head = getattr(st.lhs, "name", None) or type(st.lhs).__name__
            if head in claim.defines:
                out[head] = st.rhs
    return out


def prepare(catalogue: Catalogue, claim: Claim, reading: Reading) -> dict[str, Any]:
    """The statement, the roles of its quantities, and the definitions in force for this reading."""
    st = reading.statement
    relation = "equal" if isinstance(st, Relation) else st.relation  # type: ignore[union-attr]
    definitions = _definitions(catalogue, reading.name)
    roles = roles_of(catalogue.quantities)
    if reading.name != "as-written":
        for key, q in catalogue.quantities.items():
            if q.kind is Kind.ENTROPY and q.level is Level.ENSEMBLE and key not in definitions:
                roles.setdefault(key, "entropy")
    rhs = st.rhs  # type: ignore[union-attr]
    differences = bool(rhs.atoms(op.Delta, op.ConstrainedDerivative, sympy.Derivative)) or any(
        d.atoms(op.Delta, op.ConstrainedDerivative, sympy.Derivative) for d in definitions.values()
    )
    return {"rhs": rhs, "relation": relation, "roles": roles, "definitions": definitions, "differences": differences}


def _systems(dim: int, prior_variance: float) -> list[Any]:
    eigenvalues = np.geomspace(0.5, 4.0, dim)
    return [QuadraticGibbs.diagonal(eigenvalues), QuadraticWithGaussianPrior(np.diag(eigenvalues), prior_variance)]


def _estimates(
    system: Any, payload: Mapping[str, Any], temps: list[float], n: int, replicas: int, rng: np.random.Generator
) -> np.ndarray:
    """Array (replicas, temperatures) of the formula's value."""
    out = np.empty((replicas, len(temps)))
    for r in range(replicas):
        normals = rng.standard_normal((n, system.dim))
        ev = Evaluator(partial(draw, system, normals=normals), payload["roles"], payload["definitions"])
        for j, t in enumerate(temps):
            out[r, j] = ev.value(payload["rhs"], t)
    return out


@register_check(
    "heat-capacity-formula",
    systems=("quadratic", "quadratic-gaussian-prior"),
    description="The claim's formula for C, evaluated literally on exact samples at several temperatures, against "
    "the exact heat capacity",
    tolerance=f"'=': |formula − C| ≤ {K_SIGMA:g}σ + 1e-9·C per temperature; '≈': ≤ {K_SIGMA:g}σ + "
    f"{APPROX_RELATIVE:g}·C; '∝': the ratio C/formula at the highest temperature over the lowest within "
    f"{K_SIGMA:g}σ + {APPROX_RELATIVE:g} of 1",
    bias=f"central differences in T (Δ, ∂/∂T) with h = 0.05·T: relative O(h²/T²·C''/C), allowed as "
    f"{DIFFERENCE_BIAS:g}·C when the formula has a difference or derivative in T",
    quick={
        "dim": 6,
        "prior_variance": 1.0,
        "temperatures": [0.25, 1.0, 4.0],
        "samples": 2000,
        "replicas": 24,
        "seed": 101,
    },
    full={
        "dim": 20,
        "prior_variance": 1.0,
        "temperatures": [0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0],
        "samples": 10000,
        "replicas": 40,
        "seed": 101,
    },
    matches=matches,
    prepare=prepare,
)
def heat_capacity_formula(params: Mapping[str, Any]) -> CheckOutcome:
    outcome = CheckOutcome()
    temps = list(params["temperatures"])
    for key, payload in params["attached"].items():
        for system in _systems(int(params["dim"]), float(params["prior_variance"])):
            rng = np.random.default_rng(int(params["seed"]))
            try:
                values = _estimates(system, payload, temps, int(params["samples"]), int(params["replicas"]), rng)
            except NotEvaluable as exc:
                outcome.observe(
                    key, Observation(name=f"not-evaluable-{system.name}", title="Not evaluable", note=str(exc))
                )
                break
            mean = values.mean(axis=0)
            err = values.std(axis=0, ddof=1) / np.sqrt(values.shape[0])
            exact = np.asarray(system.heat_capacity(np.asarray(temps)))
            common = {"check": "heat-capacity-formula", "system": system.name, "quantity": "C"}
            base = {"dim": int(params["dim"]), "samples": int(params["samples"]), "replicas": int(params["replicas"])}
            if payload["relation"] == "proportional":
                ratio = exact / mean
                rel_err = np.hypot(err[0] / mean[0], err[-1] / mean[-1])
                measured = ratio[-1] / ratio[0]
                outcome.add(
                    key,
                    Evidence.compare(
                        **common,
                        predicted=1.0,
                        measured=float(measured),
                        stderr=float(abs(measured) * rel_err),
                        k=K_SIGMA,
                        tolerance_abs=APPROX_RELATIVE,
                        parameters={**base, "temperatures": [temps[0], temps[-1]]},
                        note="ratio of C/formula at the highest temperature to that at the lowest",
                    ),
                )
            else:
                for t, m, e, c in zip(temps, mean, err, exact, strict=True):
                    slack = APPROX_RELATIVE * c if payload["relation"] == "approx" else 1e-9 * c
                    outcome.add(
                        key,
                        Evidence.compare(
                            **common,
                            predicted=float(c),
                            measured=float(m),
                            stderr=float(e),
                            k=K_SIGMA,
                            bias=DIFFERENCE_BIAS * abs(float(c)) if payload["differences"] else 0.0,
                            tolerance_abs=float(slack),
                            condition=f"T = {t:g}",
                            parameters={**base, "temperature": t},
                        ),
                    )
            outcome.observe(
                key,
                Observation(
                    name=f"formula-vs-exact-{system.name}",
                    title=f"Formula against exact C on {system.name}",
                    x_label="T",
                    y_label="C",
                    log_x=True,
                    series={
                        "exact C": {"x": temps, "y": exact.tolist(), "style": "line"},
                        "formula": {"x": temps, "y": mean.tolist(), "yerr": err.tolist(), "style": "points"},
                    },
                ),
            )
    return outcome
