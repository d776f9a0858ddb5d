"""Catalogues for readings other than *as written*: the same claims with statements rewritten, quantities
renamed and definitions supplied, so that every check can run on a reading exactly as on the text.

A derived catalogue is built by :func:`derive_catalogue`; it is never merged into the real one. Definitions the
package supplies (an identification S := −∑ p log p, a canonical meaning) are claims with ids starting
``SUPP-`` that exist only in the derived catalogue; findings keep only the real claim ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import sympy
from sympy.core.function import AppliedUndef

from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, ClaimKind, Relation, ScalingForm, Source, Statement
from thermosym.consistency.degeneracy import SUPPLEMENT_PREFIX
from thermosym.loader import quantities_of
from thermosym.quantity import Quantity


def rewrite(expr: sympy.Basic, replacements: Mapping[str, Quantity]) -> sympy.Basic:
    """``expr`` with every quantity in ``replacements`` (by old key) replaced by its new quantity: symbols,
    applied functions (heads) and indexed bases."""
    if not replacements:
        return expr
    if isinstance(expr, sympy.Symbol):
        q = replacements.get(expr.name)
        return q.sym if q is not None else expr
    if isinstance(expr, sympy.IndexedBase):
        q = replacements.get(str(expr.label))
        return sympy.IndexedBase(q.key, real=True) if q is not None else expr
    if not expr.args:
        return expr
    args = [rewrite(a, replacements) for a in expr.args]
    if isinstance(expr, AppliedUndef):
        q = replacements.get(str(expr.func.__name__))
        if q is not None:
            return q.func(*args)
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


def rewrite_statement(statement: Statement, replacements: Mapping[str, Quantity]) -> Statement:
    """A statement with quantities replaced (see :func:`rewrite`)."""
    if not replacements:
        return statement
    exprs = list(statement.expressions())
    if isinstance(statement, ScalingForm):
        exprs.append(statement.function)
    mapping = {e: rewrite(e, replacements) for e in exprs}
    return statement.substitute({k: v for k, v in mapping.items() if k != v})


def supplement(
    index: int, quantity: Quantity, expression: sympy.Basic, document: str, note: str, catalogue: Catalogue
) -> Claim:
    """A definition ``quantity := expression`` that the package supplies to a reading (not a claim of the text)."""
    statement = Relation(sympy.Eq(quantity.sym, expression, evaluate=False))
    used = quantities_of(statement, catalogue.quantities)
    return Claim(
        id=f"{SUPPLEMENT_PREFIX}{document}-{index}",
        source=Source(document, "supplied by the consistency checker"),
        text=f"{quantity.symbol} := {expression}",
        kind=ClaimKind.DEFINITION,
        statement=statement,
        quantities=used,
        defines=(quantity.key,),
        notes=note,
    )


def derive_catalogue(
    catalogue: Catalogue,
    *,
    statements: Mapping[str, Statement] | None = None,
    replacements: Mapping[str, Quantity] | None = None,
    extra_quantities: Sequence[Quantity] = (),
    supplements: Sequence[Claim] = (),
) -> Catalogue:
    """A copy of ``catalogue`` with claim statements replaced (by id, written in the original keys), then every
    quantity in ``replacements`` renamed in every claim, new quantities added, and supplied definitions added."""
    statements = statements or {}
    replacements = replacements or {}
    quantities = dict(catalogue.quantities)
    for q in [*replacements.values(), *extra_quantities]:
        quantities.setdefault(q.key, q)
    derived = Catalogue(documents=dict(catalogue.documents), quantities=quantities, claims={})
    for claim in catalogue:
        statement = rewrite_statement(statements.get(claim.id, claim.statement), replacements)
        used = quantities_of(statement, quantities)
        defines = tuple(
            k for k in (replacements[d].key if d in replacements else d for d in claim.defines) if k in used
        )
        derived.claims[claim.id] = replace(claim, statement=statement, quantities=used, defines=defines, readings=())
    for s in supplements:
        for k in s.quantities:
            if k not in quantities:
                raise ValueError(f"supplied definition {s.id} uses unknown quantity {k!r}")
        derived.claims[s.id] = s
    return derived
