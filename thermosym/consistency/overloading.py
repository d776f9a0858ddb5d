"""Symbol overloading: one printed symbol for two quantities of the same document.

Two meanings of one symbol are a real problem (``warning``) when a reader cannot tell them apart by what they
are: different kinds (a temperature and a kinetic energy), the same kind at different levels (an enthalpy, one
number per ensemble, and a Hamiltonian, a function of the microstate), two different exponents (one letter says
they are equal), or two different things of one kind and level (a posterior and a likelihood). They are benign
(``info``) when they are plainly the same thing in two guises: same kind, same level, and the same head noun in
their names (the drift velocity and the flow velocity; p(θ) and p(θ, t)).

A document's quantities are those its claims use, so quantities imported from another document count where
they are used, and a quantity no claim uses overloads nothing.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import sympy

from thermosym.catalogue import Catalogue
from thermosym.consistency.degeneracy import SUPPLEMENT_PREFIX
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import definitions
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Quantity

_LEVEL_WORDS = {
    "microstate": "a microstate observable",
    "ensemble": "an ensemble functional",
    "control": "a control parameter",
    "field": "a field",
    "constant": "a constant",
}


def document_quantities(catalogue: Catalogue) -> dict[str, list[str]]:
    """Document id → keys of the quantities its claims use (in first-use order). A derived claim (one with
    ``derived_from``) is written by the package, not by a document: each quantity it uses counts for the
    document that declares it."""
    out: dict[str, list[str]] = defaultdict(list)
    for claim in catalogue:
        for k in claim.quantities:
            keys = out[catalogue.quantity(k).document if claim.derived_from else claim.source.document]
            if k not in keys:
                keys.append(k)
    return dict(out)


def _head_noun(q: Quantity) -> str:
    words = q.name.lower().replace("-", " ").split()
    return words[-1] if words else q.name.lower()


def pair_problem(a: Quantity, b: Quantity) -> str:
    """Why two quantities sharing a symbol can be confused (empty string when the reuse is benign)."""
    if a.kind is not b.kind:
        return f"{a.kind.value} vs {b.kind.value}"
    if a.kind is Kind.EXPONENT:
        return "two different exponents"
    if a.level is not b.level:
        return f"{_LEVEL_WORDS[a.level.value]} vs {_LEVEL_WORDS[b.level.value]}"
    if a.name.lower() != b.name.lower() and _head_noun(a) != _head_noun(b):
        return f"two different {a.kind.value} quantities"
    return ""


def _in_document(catalogue: Catalogue, claim_id: str, q: Quantity, doc: str) -> bool:
    claim = catalogue.claim(claim_id)
    if claim_id.startswith(SUPPLEMENT_PREFIX):
        return False
    return (q.document if claim.derived_from else claim.source.document) == doc


def _meaning(q: Quantity, users: list[str]) -> str:
    used = f"; {', '.join(users)}" if users else ""
    return f"{q.name} ({q.kind.value}, {_LEVEL_WORDS[q.level.value]}{used})"


def _evidence(q: Quantity, catalogue: Catalogue) -> sympy.Basic:
    d = definitions(catalogue).get(q.key)
    if d is not None:
        return sympy.Eq(d.lhs, d.rhs, evaluate=False)
    if q.arguments:
        doc_names = {x.local_name: x for x in catalogue.quantities.values() if x.document == q.document}
        args = [doc_names[a].sym for a in q.arguments if a in doc_names]
        if args:
            return q.func(*args)
    return q.sym


@register_check("symbol-overloading")
def check_overloading(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """One finding per printed symbol that names more than one quantity in a document."""
    findings: list[Finding] = []
    for doc, keys in document_quantities(catalogue).items():
        by_symbol: dict[str, list[Quantity]] = defaultdict(list)
        for k in keys:
            q = catalogue.quantity(k)
            by_symbol[q.symbol].append(q)
        for symbol, group in by_symbol.items():
            if len(group) > 1:
                findings.append(_finding(doc, symbol, group, catalogue, graph))
    return findings


def _finding(doc: str, symbol: str, group: list[Quantity], catalogue: Catalogue, graph: TheoryGraph) -> Finding:
    problems = []
    for a, b in itertools.combinations(group, 2):
        why = pair_problem(a, b)
        if why:
            problems.append(f"{a.name} / {b.name}: {why}")
    users = {q.key: [c for c in graph.users(q.key) if _in_document(catalogue, c, q, doc)] for q in group}
    claims = tuple(sorted({c for cs in users.values() for c in cs}, key=lambda c: (c.startswith("DER-"), c)))
    meanings = "; ".join(_meaning(q, users[q.key]) for q in group)
    expression = sympy.Tuple(*(_evidence(q, catalogue) for q in group))
    keys = tuple(q.key for q in group)
    if problems:
        return Finding(
            code="symbol-overloaded",
            category=Category.OVERLOADING,
            severity=Severity.WARNING,
            claims=claims,
            quantities=keys,
            message=(
                f"In {doc} the symbol {symbol} stands for {len(group)} different quantities: {meanings}. "
                f"A reader cannot tell them apart by the symbol ({'; '.join(problems)})."
            ),
            expression=expression,
        )
    return Finding(
        code="symbol-reused",
        category=Category.OVERLOADING,
        severity=Severity.INFO,
        claims=claims,
        quantities=keys,
        message=(
            f"In {doc} the symbol {symbol} is used for {meanings}: the same kind of quantity in two guises, "
            "which is benign."
        ),
        expression=expression,
    )
