"""Kind mismatch: a quantity whose definition gives it one kind, used where another kind is required.

Each claim is checked with the dimension algebra of :mod:`thermosym.consistency.dimensions`. A quantity has the
kind its name declares, except where a *grounded* definition fixes another (TL-03 defines the "Parameter
Energy" E as −∑ p log p: E is an entropy, whatever the text calls it). Then:

* a definition whose right side has another kind than the quantity it defines (``kind-mismatch-definition``:
  TL-03 itself; T = ∂E/∂S with E an entropy is dimensionless, not a temperature);
* a sum of terms of different kinds (``kind-mismatch-sum``: E − TS with E an entropy and TS an energy);
* the two sides of a law or identity of different kinds (``kind-mismatch-equation``);
* exp, log or a symbolic power of something that is not a pure number (``kind-mismatch-argument``);
* a claim that is consistent by itself but uses a quantity whose own definition mixes kinds, checked with that
  definition substituted (``kind-mismatch-inherited``: G = H − TS with H = E + PV).

Severity: ``error`` (the statement, read with the text's definitions, equates or adds unlike things), except
where every quantity involved is one that nothing defines, so that only the names the text gives set the kinds
(``warning``: dI = dC + dW adds works to an information, but none of the three is defined).

``response-to-wrong-variable`` (its own check) catches a response function taken with respect to the wrong
variable, which the dimensions cannot see with k_B = 1: a susceptibility is the response to the conjugate
field, ∂ψ/∂h, not to the temperature; a heat capacity is the response to the temperature.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Asymptotic, Claim, ExponentSet, Extremum, Prose, Relation, ScalingForm
from thermosym.consistency.dimensions import Dimension, Mismatch, describe
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import (
    Definition,
    FixedKind,
    declared_dimension,
    definition_of,
    definitions,
    effective_dimension,
    fixed_kinds,
    quantity_keys,
    show,
)
from thermosym.consistency.theory import (
    inference as make_inference,
)
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind

_CONSTANT = sympy.Symbol("constant")


def check_statement(claim: Claim, catalogue: Catalogue, fixed: Mapping[str, FixedKind]) -> list[Mismatch]:
    """The mismatches in one claim's statement. The quantity a definition defines keeps its declared kind;
    every other quantity has its effective kind."""

    def dimension_of(key: str) -> Dimension | None:
        if key in claim.defines:
            return declared_dimension(catalogue, key)
        return effective_dimension(catalogue, fixed, key)

    inference = make_inference(catalogue, dimension_of)
    s = claim.statement
    if isinstance(s, Relation):
        inference.compare(s.lhs, s.rhs, s.rel)
    elif isinstance(s, Asymptotic):
        if s.relation == "proportional" or s.rhs == _CONSTANT:
            inference.infer(s.lhs)
            inference.infer(s.rhs)
        else:
            inference.compare(s.lhs, s.rhs, sympy.Eq(s.lhs, s.rhs, evaluate=False))
        if s.variable is not None and s.point is not None and not s.point.is_number:
            inference.compare(s.variable, s.point, sympy.Eq(s.variable, s.point, evaluate=False))
    elif isinstance(s, ScalingForm):
        inference.infer(s.lhs)
        inference.infer(s.variable)
        inference.require_number(s.exponent, s.variable**s.exponent, what="exponent")
        inference.require_number(s.argument, s.as_relation().rhs)
    elif isinstance(s, Extremum):
        for e in s.expressions():
            inference.infer(e)
    elif isinstance(s, Prose):
        for e in s.mentions:
            inference.infer(e)
    elif not isinstance(s, ExponentSet):  # pragma: no cover - every statement form is handled above
        raise TypeError(f"unknown statement form {type(s).__name__}")
    return inference.mismatches


@register_check("kind-mismatch")
def check_kinds(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Kind mismatches in every claim, direct and inherited through a definition that mixes kinds."""
    fixed = fixed_kinds(catalogue, graph)
    findings: list[Finding] = []
    mixed: dict[str, str] = {}
    clean: list[Claim] = []
    for claim in catalogue:
        mismatches = check_statement(claim, catalogue, fixed)
        if not mismatches:
            clean.append(claim)
            continue
        d = definition_of(claim)
        if d is not None and any(m.what == "sum" for m in mismatches):
            mixed[d.key] = claim.id
        findings.extend(_finding(claim, m, catalogue, graph, fixed) for m in mismatches)
    if mixed:
        defs = definitions(catalogue)
        for claim in clean:
            findings.extend(_inherited(claim, mixed, defs, catalogue, graph, fixed))
    return findings


def _inherited(
    claim: Claim,
    mixed: Mapping[str, str],
    defs: Mapping[str, Definition],
    catalogue: Catalogue,
    graph: TheoryGraph,
    fixed: Mapping[str, FixedKind],
) -> list[Finding]:
    used = [k for k in claim.quantities if k in mixed and k not in claim.defines]
    if not used:
        return []
    expanded = claim.statement.substitute({d.lhs: d.rhs for k, d in defs.items() if k in used})
    expanded_claim = Claim(
        id=claim.id,
        source=claim.source,
        text=claim.text,
        kind=claim.kind,
        statement=expanded,
        quantities=claim.quantities,
        defines=claim.defines,
    )
    through = ", ".join(f"{catalogue.quantity(k).symbol} ({mixed[k]})" for k in used)
    out = []
    for m in check_statement(expanded_claim, catalogue, fixed):
        base = _finding(claim, m, catalogue, graph, fixed)
        out.append(
            Finding(
                code="kind-mismatch-inherited",
                category=Category.KIND_MISMATCH,
                severity=base.severity,
                claims=tuple(dict.fromkeys((claim.id, *(mixed[k] for k in used), *base.claims[1:]))),
                quantities=base.quantities,
                message=(
                    f"{claim.id} is consistent taken by itself, but it uses {through}, whose definition mixes "
                    f"kinds; with that definition substituted: {base.message}"
                ),
                expression=base.expression,
            )
        )
    return out


def _involved(m: Mismatch, catalogue: Catalogue) -> set[str]:
    keys: set[str] = set()
    for part, _ in m.parts:
        keys |= quantity_keys(part, catalogue)
    return keys


def _severity(keys: set[str], catalogue: Catalogue, graph: TheoryGraph) -> Severity:
    """Error unless every quantity involved is undefined (its kind then comes from its name only)."""
    names_only = all(graph.needs_definition(k) and not graph.definers(k) for k in keys)
    return Severity.WARNING if keys and names_only else Severity.ERROR


def _because(keys: set[str], fixed: Mapping[str, FixedKind], catalogue: Catalogue) -> str:
    parts = []
    for k in sorted(keys & set(fixed)):
        fk = fixed[k]
        q = catalogue.quantity(k)
        d = definitions(catalogue)[k]
        parts.append(
            f"{q.symbol} = {show(d.rhs, catalogue)} is {describe(fk.dimension)} ({fk.claim_id}), not the "
            f"{q.kind.value} its name '{q.name}' says"
        )
    return f" Here {'; '.join(parts)}." if parts else ""


def _finding(
    claim: Claim, m: Mismatch, catalogue: Catalogue, graph: TheoryGraph, fixed: Mapping[str, FixedKind]
) -> Finding:
    keys = _involved(m, catalogue)
    correcting = {k for k in keys if k in fixed and fixed[k].corrects}
    roots = tuple(sorted({fixed[k].claim_id for k in correcting} - {claim.id}))
    because = _because({k for k in correcting if fixed[k].claim_id != claim.id}, fixed, catalogue)
    severity = _severity(keys, catalogue, graph)
    parts = [f"{show(e, catalogue)} ({describe(d)})" for e, d in m.parts]
    d = definition_of(claim)
    if m.what == "relation" and d is not None and m.parts[0][0] == d.lhs:
        q = catalogue.quantity(d.key)
        code = "kind-mismatch-definition"
        message = (
            f"{claim.id} defines {q.symbol}, named '{q.name}' ({q.kind.value}), as {parts[1]}: the definition "
            f"gives it another kind than its name.{because}"
        )
    elif m.what == "relation":
        code = "kind-mismatch-equation"
        message = f"{claim.id} equates things of different kinds: {parts[0]} and {parts[1]}.{because}"
    elif m.what == "sum":
        code = "kind-mismatch-sum"
        message = f"{claim.id} adds terms of different kinds: {' + '.join(parts)}.{because}"
    else:
        code = "kind-mismatch-argument"
        place = "an exponent" if m.what == "exponent" else "the argument of a transcendental function or power"
        message = f"{claim.id} uses {parts[0]} as {place}, which must be a pure number.{because}"
    if severity is Severity.WARNING:
        message += (
            f" None of {', '.join(sorted(catalogue.quantity(k).symbol for k in keys))} is defined by the text, "
            "so the kinds come from their names only."
        )
    return Finding(
        code=code,
        category=Category.KIND_MISMATCH,
        severity=severity,
        claims=(claim.id, *roots),
        quantities=tuple(sorted(keys)),
        message=message,
        expression=m.expression,
    )


#: Response functions and the variable they respond to: kind → (allowed kinds of the variable, what it is).
RESPONSES: dict[Kind, tuple[frozenset[Kind], str]] = {
    Kind.SUSCEPTIBILITY: (
        frozenset({Kind.ENERGY, Kind.PRESSURE, Kind.PARAMETER, Kind.DIMENSIONLESS}),
        "the response of an order parameter to its conjugate field, χ = ∂ψ/∂h at h → 0",
    ),
    Kind.HEAT_CAPACITY: (
        frozenset({Kind.TEMPERATURE, Kind.INVERSE_TEMPERATURE}),
        "the response of the energy (or T times the entropy) to the temperature",
    ),
}


def _derivative_variables(expr: sympy.Basic) -> list[sympy.Basic]:
    out: list[sympy.Basic] = []
    for d in expr.atoms(sympy.Derivative):
        out.extend(v for v, _ in d.variable_count)
    for cd in expr.atoms(op.ConstrainedDerivative):
        out.append(cd.args[1])
    return out


@register_check("response-functions")
def check_responses(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """A susceptibility or heat capacity defined as a derivative with respect to the wrong kind of variable."""
    findings = []
    for key, d in definitions(catalogue).items():
        q = catalogue.quantity(key)
        if q.kind not in RESPONSES:
            continue
        allowed, what = RESPONSES[q.kind]
        for var in _derivative_variables(d.rhs):
            vk = catalogue.quantities.get(str(getattr(var, "name", "")))
            if vk is None or vk.kind in allowed:
                continue
            extra = ""
            if q.kind is Kind.SUSCEPTIBILITY and vk.kind in (Kind.TEMPERATURE, Kind.INVERSE_TEMPERATURE):
                extra = (
                    f" The derivative with respect to {vk.symbol} is the thermal derivative of the order parameter, "
                    "which near a critical point scales as |T − T_c|^(β − 1), not as |T − T_c|^(−γ)."
                )
            findings.append(
                Finding(
                    code="response-to-wrong-variable",
                    category=Category.KIND_MISMATCH,
                    severity=Severity.ERROR,
                    claims=(d.claim_id,),
                    quantities=(key, vk.key),
                    message=(
                        f"{d.claim_id} defines {q.symbol} ('{q.name}', a {q.kind.value}) as a derivative with "
                        f"respect to {vk.symbol} ({vk.kind.value}). A {q.kind.value} is {what}.{extra}"
                    ),
                    expression=sympy.Eq(d.lhs, d.rhs, evaluate=False),
                )
            )
    return findings
