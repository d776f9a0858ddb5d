"""Level mismatch: an ensemble functional (one number per distribution) used as a fluctuating observable.

⟨x⟩ and Var x average over the configurations of the ensemble. If x does not fluctuate (it contains no
microstate observable and no field evaluated at a configuration, only ensemble functionals, control parameters
and constants), then ⟨x⟩ = x and Var x = 0, and so ⟨x²⟩ − ⟨x⟩² = x² − x² = 0. The check rewrites every such
average by these rules and shows what the statement reduces to:

* ``fluctuation-of-ensemble-functional`` (``error``): the reduction makes a side of the statement vanish, so the
  statement claims that something is identically 0 (HC-11: C_L = β²(⟨E_L²⟩ − ⟨E_L⟩²) with E_L = −∑ p log p a
  functional of p gives C_L = β²(E_L² − E_L²) = 0);
* ``average-of-ensemble-functional`` (``warning``): an average of a non-fluctuating quantity that does not
  collapse anything (⟨x⟩ = x: redundant, and a sign that x was meant to be a microstate observable).
"""

from __future__ import annotations

import sympy

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Relation
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import fluctuates, quantity_keys, show
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph


def non_fluctuating_averages(expr: sympy.Basic, catalogue: Catalogue) -> list[sympy.Basic]:
    """The ⟨x⟩ and Var x inside ``expr`` whose argument does not fluctuate."""
    return [a for a in expr.atoms(op.Avg, op.Var) if not fluctuates(a.args[0], catalogue)]


def reduce_averages(expr: sympy.Basic, catalogue: Catalogue, *, evaluate: bool) -> sympy.Basic:
    """``expr`` with ⟨x⟩ → x and Var x → 0 for every non-fluctuating x. With ``evaluate=False`` the result keeps
    its structure (β²(E_L² − E_L²)), to show the reduction; with ``evaluate=True`` it is simplified (0)."""
    mapping: dict[sympy.Basic, sympy.Basic] = {}
    for a in non_fluctuating_averages(expr, catalogue):
        mapping[a] = a.args[0] if isinstance(a, op.Avg) else sympy.Integer(0)
    if not mapping:
        return expr
    with sympy.evaluate(evaluate):
        return expr.xreplace(mapping)


@register_check("level-mismatch")
def check_levels(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Averages and variances of quantities that do not fluctuate."""
    findings = []
    for claim in catalogue:
        found = [a for e in claim.statement.expressions() for a in non_fluctuating_averages(e, catalogue)]
        if found:
            findings.append(_finding(claim, found, catalogue))
    return findings


def _finding(claim: Claim, found: list[sympy.Basic], catalogue: Catalogue) -> Finding:
    keys: set[str] = set()
    for a in found:
        keys |= quantity_keys(a.args[0], catalogue)
    what = ", ".join(f"{catalogue.quantity(k).symbol} ({catalogue.quantity(k).level.value})" for k in sorted(keys))
    averages = ", ".join(sorted(show(a, catalogue) for a in found))
    statement = claim.statement
    collapsed = None
    if isinstance(statement, Relation):
        for side, other in ((statement.rhs, statement.lhs), (statement.lhs, statement.rhs)):
            if non_fluctuating_averages(side, catalogue) and reduce_averages(side, catalogue, evaluate=True) == 0:
                shown = reduce_averages(side, catalogue, evaluate=False)
                collapsed = (other, shown)
                break
    if collapsed is not None:
        other, shown = collapsed
        return Finding(
            code="fluctuation-of-ensemble-functional",
            category=Category.LEVEL_MISMATCH,
            severity=Severity.ERROR,
            claims=(claim.id,),
            quantities=tuple(sorted(keys)),
            message=(
                f"{claim.id} takes the fluctuation of {what}, a single number for a given distribution, not an "
                f"observable that varies from configuration to configuration: ⟨x⟩ = x and ⟨x²⟩ − ⟨x⟩² = 0 for it. "
                f"The statement reduces to {show(other, catalogue)} = {show(shown, catalogue)} = 0, so it "
                f"states that {show(other, catalogue)} ≡ 0."
            ),
            expression=sympy.Eq(other, shown, evaluate=False),
        )
    return Finding(
        code="average-of-ensemble-functional",
        category=Category.LEVEL_MISMATCH,
        severity=Severity.WARNING,
        claims=(claim.id,),
        quantities=tuple(sorted(keys)),
        message=(
            f"{claim.id} averages {what}, which does not fluctuate ({averages}): the average is the quantity "
            "itself. If a fluctuating observable was meant, the statement should name it."
        ),
        expression=sympy.Tuple(*found),
    )
