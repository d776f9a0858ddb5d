r"""Degeneracy: substituting the definitions collapses a relation.

Every definition is expanded (the definitions of the quantities on its right side substituted, transitively) and
the derivatives that the substitution makes trivial are evaluated: (∂x/∂x)_z = 1, (∂x/∂y)_x = 0 (the numerator
is held fixed), ∂c/∂y = 0 for a number c. SymPy then cancels like terms, so X − 1·X becomes 0. Then:

* ``collapses-to-constant`` (``error``): a defined quantity reduces to a number (T ≡ 1, F ≡ 0);
* ``quantities-coincide`` (``error``): two or more quantities that the text names differently reduce to the same
  expression (an "energy" and an entropy both −∑ p log p);
* ``relation-collapses-false`` (``error``): both sides of a law reduce to different numbers;
* ``steady-state-derivative`` (``warning``, :func:`check_steady_state`): an extremum principle for dX/dt "at
  steady state", where dX/dt of a state function X is 0 by definition of the steady state.

Nothing here simplifies expressions beyond these rules and SymPy's automatic evaluation, so it stays cheap and
never proves a collapse that is not there.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import sympy

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Extremum, Relation
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import Definition, definitions, expand, quantity_keys, show
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Level

#: Claim ids of definitions that the package supplies (identifications, canonical meanings) start with this.
SUPPLEMENT_PREFIX = "SUPP-"


def _constrained(e: sympy.Basic) -> sympy.Basic:
    x, y, *held = e.args
    if x == y:
        return sympy.Integer(1)
    if x in held or x.is_number:
        return sympy.Integer(0)
    return e


def _ordinary(e: sympy.Derivative) -> sympy.Basic:
    if e.expr.is_number:
        return sympy.Integer(0)
    if len(e.variable_count) == 1 and e.variable_count[0] == (e.expr, 1):
        return sympy.Integer(1)
    return e


def reduce_derivatives(expr: sympy.Basic) -> sympy.Basic:
    """Evaluate the derivatives that are trivial by structure: (∂x/∂x)_z = 1, (∂x/∂y)_x = 0, ∂(number) = 0."""
    expr = expr.replace(lambda e: isinstance(e, op.ConstrainedDerivative), _constrained)
    return expr.replace(lambda e: isinstance(e, sympy.Derivative), _ordinary)


def rests_on_definitions(expr: sympy.Basic, defs: Mapping[str, Definition], catalogue: Catalogue) -> list[str]:
    """Keys of the definitions an expansion of ``expr`` uses, transitively, in first-use order."""
    seen: list[str] = []
    frontier = sorted(quantity_keys(expr, catalogue))
    while frontier:
        k = frontier.pop(0)
        if k in defs and k not in seen and isinstance(defs[k].lhs, sympy.Symbol):
            seen.append(k)
            frontier.extend(sorted(quantity_keys(defs[k].rhs, catalogue)))
    return seen


def reduced_definitions(catalogue: Catalogue) -> dict[str, sympy.Basic]:
    """Quantity key → its definition, expanded and reduced."""
    defs = definitions(catalogue)
    return {k: reduce_derivatives(expand(d.rhs, defs)) for k, d in defs.items()}


def _describe_definition(d: Definition, catalogue: Catalogue) -> str:
    claim = catalogue.claim(d.claim_id)
    where = claim.notes if d.claim_id.startswith(SUPPLEMENT_PREFIX) and claim.notes else d.claim_id
    return f"{show(d.lhs, catalogue)} = {show(d.rhs, catalogue)} ({where})"


def _real(claim_ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in claim_ids if not c.startswith(SUPPLEMENT_PREFIX)))


@register_check("degeneracy")
def check_degeneracy(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Definitions that collapse to constants or to each other once the definitions are substituted."""
    defs = definitions(catalogue)
    reduced = reduced_definitions(catalogue)
    findings: list[Finding] = []
    for key, value in reduced.items():
        d = defs[key]
        if value.is_number and not d.rhs.is_number:
            findings.append(_collapse(d, value, defs, catalogue))
    findings.extend(_coincidences(defs, reduced, catalogue))
    findings.extend(_false_relations(defs, catalogue))
    return findings


def needed_definitions(d: Definition, defs: Mapping[str, Definition], catalogue: Catalogue) -> list[str]:
    """The definitions a collapse of ``d`` needs: those it rests on, less each one whose removal keeps the
    reduced value unchanged."""
    used = rests_on_definitions(d.rhs, defs, catalogue)
    value = reduce_derivatives(expand(d.rhs, defs))
    for k in reversed(list(used)):
        trial = [u for u in used if u != k]
        if reduce_derivatives(expand(d.rhs, defs, trial)) == value:
            used = trial
    return used


def _collapse(d: Definition, value: sympy.Basic, defs: Mapping[str, Definition], catalogue: Catalogue) -> Finding:
    used = needed_definitions(d, defs, catalogue)
    q = catalogue.quantity(d.key)
    via = "; ".join(_describe_definition(defs[k], catalogue) for k in used)
    return Finding(
        code="collapses-to-constant",
        category=Category.DEGENERACY,
        severity=Severity.ERROR,
        claims=_real([d.claim_id, *(defs[k].claim_id for k in used)]),
        quantities=(d.key, *used),
        message=(
            f"{d.claim_id} defines {q.symbol} ('{q.name}') as {show(d.rhs, catalogue)}. With {via}, this "
            f"reduces to {q.symbol} = {show(value, catalogue)}: the {q.kind.value} is identically "
            f"{show(value, catalogue)}, so it carries no information."
        ),
        expression=sympy.Eq(d.lhs, value, evaluate=False),
    )


def _coincidences(
    defs: Mapping[str, Definition], reduced: Mapping[str, sympy.Basic], catalogue: Catalogue
) -> list[Finding]:
    groups: dict[tuple[str, sympy.Basic], list[str]] = defaultdict(list)
    for key, value in reduced.items():
        if not value.is_number and isinstance(defs[key].lhs, sympy.Symbol):
            doc = catalogue.claim(defs[key].claim_id).source.document
            groups[(doc, value)].append(key)
    findings = []
    for (_, value), keys in groups.items():
        if len(keys) < 2:
            continue
        quantities = [catalogue.quantity(k) for k in keys]
        used = [u for k in keys for u in needed_definitions(defs[k], defs, catalogue) if u not in keys]
        members = ", ".join(f"{q.symbol} ('{q.name}', {q.kind.value})" for q in quantities)
        how = "; ".join(_describe_definition(defs[k], catalogue) for k in dict.fromkeys([*keys, *used]))
        findings.append(
            Finding(
                code="quantities-coincide",
                category=Category.DEGENERACY,
                severity=Severity.ERROR,
                claims=_real([defs[k].claim_id for k in [*keys, *used]]),
                quantities=tuple(keys),
                message=(
                    f"{members} all reduce to the same expression, {show(value, catalogue)}, once the definitions "
                    f"are substituted ({how}): quantities the text names differently are one and the same."
                ),
                expression=sympy.Tuple(*(sympy.Eq(q.sym, value, evaluate=False) for q in quantities)),
            )
        )
    return findings


def _false_relations(defs: Mapping[str, Definition], catalogue: Catalogue) -> list[Finding]:
    findings = []
    defined_by = {d.claim_id for d in defs.values()}
    for claim in catalogue:
        s = claim.statement
        if claim.id in defined_by or not isinstance(s, Relation) or s.op != "==":
            continue
        lhs, rhs = (reduce_derivatives(expand(e, defs)) for e in (s.lhs, s.rhs))
        if lhs.is_number and rhs.is_number and sympy.simplify(lhs - rhs) != 0:
            findings.append(
                Finding(
                    code="relation-collapses-false",
                    category=Category.DEGENERACY,
                    severity=Severity.ERROR,
                    claims=(claim.id,),
                    message=(
                        f"With the definitions substituted, {claim.id} reduces to {show(lhs, catalogue)} = "
                        f"{show(rhs, catalogue)}, which is false."
                    ),
                    expression=sympy.Eq(lhs, rhs, evaluate=False),
                )
            )
    return findings


@register_check("steady-state")
def check_steady_state(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """An extremum of dX/dt 'at steady state' for a state function X: dX/dt vanishes at any steady state, so
    the extremum principle is empty (the minimum entropy production principle concerns the entropy
    *production* rate, not dS/dt). Recognised from the claim's condition text ('steady')."""
    findings = []
    for claim in catalogue:
        s = claim.statement
        if not isinstance(s, Extremum) or "steady" not in claim.condition.lower():
            continue
        if not isinstance(s.objective, sympy.Derivative) or len(s.objective.variables) != 1:
            continue
        x, t = s.objective.expr, s.objective.variables[0]
        qx = catalogue.quantities.get(getattr(x, "name", ""))
        qt = catalogue.quantities.get(getattr(t, "name", ""))
        if qx is None or qt is None or qx.level is not Level.ENSEMBLE or qt.kind is not Kind.TIME:
            continue
        hint = (
            " Prigogine's principle of minimum entropy production is about the entropy production rate d_iS/dt, "
            "which is minimal at the steady state of a linear (near-equilibrium) process."
            if qx.kind is Kind.ENTROPY
            else ""
        )
        findings.append(
            Finding(
                code="steady-state-derivative",
                category=Category.DEGENERACY,
                severity=Severity.WARNING,
                claims=(claim.id,),
                quantities=(qx.key, qt.key),
                message=(
                    f"{claim.id} says {show(s.objective, catalogue)} is {'minimal' if s.sense == 'min' else 'maximal'}"
                    f" {claim.condition}. At a steady state every state function is constant, so "
                    f"{show(s.objective, catalogue)} = 0 there: the statement compares nothing.{hint}"
                ),
                expression=sympy.Eq(s.objective, 0, evaluate=False),
            )
        )
    return findings
