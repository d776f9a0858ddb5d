"""The round trip: does a draft recover, claim by claim, the statements of a hand-written catalogue?

Each claim of the catalogue's document is paired with the draft claim whose text is closest (a one-to-one
greedy match on :class:`difflib.SequenceMatcher` ratios of the texts), and the two statements are compared after
both are shown in the document's printed symbols (so that the catalogue's ``TL.H_ham`` and the draft's ``TL2.H``
both read ``H``). A pair is, from strictest to loosest:

``same``
    equal: for an equation or inequality, SymPy ``simplify`` of the difference of the two ``lhs − rhs`` is 0
    (operators such as ∂, ∫, ∑ and ⟨·⟩ compared structurally, so that ``simplify`` cannot evaluate ∂p/∂t of an
    undefined p to 0); for asymptotic laws, scaling forms, extrema and exponent sets, each part equal;
``same-up-to-arguments``
    equal once every applied symbol is replaced by its bare symbol: the text writes ``p`` where the catalogue
    reads ``p(θ, t)``;
``same-given-definitions``
    equal once the draft's own definitions of plain symbols in the same section are substituted (``β = 1/T_L``);
``different``, ``unparsed`` (the draft kept the formula as prose), ``missing`` (no draft claim close enough);
``not-an-equation``
    the catalogue claim is prose or a list of exponents: nothing to compare.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from thermosym import operators as op
from thermosym.catalogue import Catalogue, load_catalogue
from thermosym.claim import Asymptotic, Claim, ClaimKind, ExponentSet, Extremum, Prose, Relation, ScalingForm
from thermosym.errors import CatalogueError
from thermosym.quantity import Quantity

Status = Literal[
    "same", "same-up-to-arguments", "same-given-definitions", "different", "unparsed", "missing", "not-an-equation"
]

#: Statuses that count as recovered.
RECOVERED: tuple[Status, ...] = ("same", "same-up-to-arguments", "same-given-definitions")
#: Lowest text similarity at which a draft claim is paired with a catalogue claim.
MIN_SIMILARITY = 0.5
_OPAQUE = (sympy.Derivative, sympy.Integral, sympy.Sum, op._Operator)


@dataclass(frozen=True)
class RoundTrip:
    """How one catalogue claim fared: the draft claim paired with it, the status, and why."""

    claim: str
    draft: str | None
    status: Status
    detail: str = ""

    @property
    def recovered(self) -> bool:
        return self.status in RECOVERED


# ---- showing expressions in printed symbols ---------------------------------------------------------------


def _show(expr: sympy.Basic, by_key: Mapping[str, Quantity], collapse: bool) -> sympy.Basic:
    """``expr`` with each quantity replaced by its printed symbol; with ``collapse``, ``p(θ, t)`` becomes ``p``."""
    if isinstance(expr, sympy.Symbol):
        q = by_key.get(expr.name)
        return sympy.Symbol(q.symbol) if q else sympy.Symbol(expr.name)
    if isinstance(expr, AppliedUndef):
        name = type(expr).__name__
        head = by_key[name].symbol if name in by_key else name
        if collapse:
            return sympy.Symbol(head)
        return sympy.Function(head)(*(_show(a, by_key, collapse) for a in expr.args))
    if isinstance(expr, sympy.Indexed):
        label = str(expr.base.label)
        base = by_key[label].symbol if label in by_key else label
        return sympy.IndexedBase(base)[tuple(_show(i, by_key, collapse) for i in expr.indices)]
    if isinstance(expr, sympy.IndexedBase):
        label = str(expr.label)
        return sympy.IndexedBase(by_key[label].symbol if label in by_key else label)
    if not expr.args:
        return expr
    return expr.func(*(_show(a, by_key, collapse) for a in expr.args))


def _freeze(expr: sympy.Basic, table: dict[sympy.Basic, sympy.Symbol]) -> sympy.Basic:
    """``expr`` with each derivative, integral, sum and operator replaced by a symbol of its own (equal nodes
    share one), so that ``simplify`` does only algebra."""
    if isinstance(expr, _OPAQUE):
        if expr not in table:
            table[expr] = sympy.Symbol(f"_op{len(table)}")
        return table[expr]
    if not expr.args or isinstance(expr, AppliedUndef | sympy.Indexed):
        return expr
    return expr.func(*(_freeze(a, table) for a in expr.args))


def _equal(a: sympy.Basic, b: sympy.Basic, table: dict[sympy.Basic, sympy.Symbol]) -> bool:
    if a == b:
        return True
    try:
        return bool(sympy.simplify(_freeze(a, table) - _freeze(b, table)) == 0)
    except (TypeError, ValueError, AttributeError, NotImplementedError):
        return False


def _optional_equal(a: sympy.Basic | None, b: sympy.Basic | None, table: dict[sympy.Basic, sympy.Symbol]) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return _equal(a, b, table)


def _oriented(rel: Relational) -> tuple[str, sympy.Basic]:
    """A relation as (operator, lhs − rhs), with ≤ and < turned around into ≥ and >."""
    lhs, rhs, name = rel.lhs, rel.rhs, str(rel.rel_op)
    if name in ("<=", "<"):
        lhs, rhs, name = rhs, lhs, {"<=": ">=", "<": ">"}[name]
    return name, lhs - rhs


def statements_equal(a: object, b: object, substitute: Mapping[sympy.Basic, sympy.Basic] | None = None) -> bool:
    """Whether two statements, already shown in printed symbols, say the same thing (see the module docstring)."""
    table: dict[sympy.Basic, sympy.Symbol] = {}

    def sub(e: sympy.Basic) -> sympy.Basic:
        return e.xreplace(dict(substitute)) if substitute else e

    if isinstance(a, Relation) and isinstance(b, Relation):
        (op_a, da), (op_b, db) = _oriented(a.rel), _oriented(b.rel)
        if op_a != op_b:
            return False
        da, db = sub(da), sub(db)
        return _equal(da, db, table) or (op_a == "==" and _equal(da, -db, table))
    if isinstance(a, Asymptotic) and isinstance(b, Asymptotic):
        return (
            a.relation == b.relation
            and _equal(sub(a.lhs), sub(b.lhs), table)
            and _equal(sub(a.rhs), sub(b.rhs), table)
            and _optional_equal(a.variable, b.variable, table)
            and _optional_equal(a.point and sub(a.point), b.point and sub(b.point), table)
        )
    if isinstance(a, ScalingForm) and isinstance(b, ScalingForm):
        parts = ("lhs", "variable", "exponent", "argument")
        same = all(_equal(sub(getattr(a, p)), sub(getattr(b, p)), table) for p in parts)
        return same and str(a.function) == str(b.function)
    if isinstance(a, Extremum) and isinstance(b, Extremum):
        return a.sense == b.sense and _equal(a.objective, b.objective, table) and a.variable == b.variable
    if isinstance(a, ExponentSet) and isinstance(b, ExponentSet):
        return {str(e) for e in a.exponents} == {str(e) for e in b.exponents}
    return False


def _show_statement(claim: Claim, by_key: Mapping[str, Quantity], collapse: bool) -> object:
    s = claim.statement

    def show(e: sympy.Basic | None) -> sympy.Basic | None:
        return None if e is None else _show(e, by_key, collapse)

    match s:
        case Relation():
            return Relation(type(s.rel)(show(s.lhs), show(s.rhs), evaluate=False))
        case Asymptotic():
            return Asymptotic(show(s.lhs), s.relation, show(s.rhs), show(s.variable), show(s.point))
        case ScalingForm():
            return ScalingForm(show(s.lhs), show(s.variable), show(s.exponent), show(s.function), show(s.argument))
        case Extremum():
            return Extremum(show(s.objective), s.sense, show(s.variable))
        case ExponentSet():
            return ExponentSet(tuple(show(e) for e in s.exponents))
    return s


# ---- pairing and comparing --------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return "".join(text.replace("−", "-").replace("⋅", "·").split()).lower()


def _similarity(a: Claim, b: Claim) -> float:
    ratio = difflib.SequenceMatcher(None, _normal(a.text), _normal(b.text)).ratio()
    same_heading = a.source.section.split(": ")[-1].lower() == b.source.section.split(": ")[-1].lower()
    return ratio + (0.1 if same_heading else 0.0)


def _pairs(reference: Sequence[Claim], drafts: Sequence[Claim]) -> dict[str, Claim]:
    scores = sorted(
        ((_similarity(r, d), n, m) for n, r in enumerate(reference) for m, d in enumerate(drafts)), reverse=True
    )
    paired: dict[str, Claim] = {}
    used: set[int] = set()
    for score, n, m in scores:
        if score < MIN_SIMILARITY:
            break
        if reference[n].id in paired or m in used:
            continue
        paired[reference[n].id] = drafts[m]
        used.add(m)
    return paired


def _definitions(drafts: Sequence[Claim], by_key: Mapping[str, Quantity]) -> dict[str, dict[sympy.Basic, sympy.Basic]]:
    """By section, the draft's definitions of plain symbols (``β = 1/T_L``), shown in printed symbols."""
    out: dict[str, dict[sympy.Basic, sympy.Basic]] = {}
    for d in drafts:
        if d.kind is ClaimKind.DEFINITION and isinstance(d.statement, Relation) and d.statement.op == "==":
            lhs = d.statement.lhs
            if isinstance(lhs, sympy.Symbol):
                shown = _show(lhs, by_key, True)
                out.setdefault(d.source.section, {})[shown] = _show(d.statement.rhs, by_key, True)
    return out


def is_equation(claim: Claim) -> bool:
    """Whether a claim states a formula (a relation, an asymptotic law, a scaling form or an extremum)."""
    return not isinstance(claim.statement, Prose | ExponentSet)


def compare_catalogues(draft: Catalogue, reference: Catalogue, document: str) -> list[RoundTrip]:
    """Compare the draft's claims with the claims of ``document`` in ``reference``, in the reference's order."""
    ref_claims = [c for c in reference if c.source.document == document]
    draft_claims = list(draft)
    ref_keys, draft_keys = reference.quantities, draft.quantities
    paired = _pairs(ref_claims, draft_claims)
    definitions = _definitions(draft_claims, draft_keys)
    out: list[RoundTrip] = []
    for claim in ref_claims:
        match = paired.get(claim.id)
        if not is_equation(claim):
            what = "prose" if isinstance(claim.statement, Prose) else "a list of exponents"
            out.append(RoundTrip(claim.id, match.id if match else None, "not-an-equation", f"the catalogue has {what}"))
            continue
        if match is None:
            out.append(RoundTrip(claim.id, None, "missing", "no draft claim has a text close to this one"))
            continue
        if not is_equation(match):
            out.append(RoundTrip(claim.id, match.id, "unparsed", f"the draft keeps {match.text!r} as prose"))
            continue
        out.append(_compare(claim, match, ref_keys, draft_keys, definitions.get(match.source.section, {})))
    return out


def _compare(
    claim: Claim,
    match: Claim,
    ref_keys: Mapping[str, Quantity],
    draft_keys: Mapping[str, Quantity],
    definitions: Mapping[sympy.Basic, sympy.Basic],
) -> RoundTrip:
    exact = _show_statement(claim, ref_keys, False), _show_statement(match, draft_keys, False)
    if statements_equal(*exact):
        return RoundTrip(claim.id, match.id, "same")
    loose = _show_statement(claim, ref_keys, True), _show_statement(match, draft_keys, True)
    if statements_equal(*loose):
        return RoundTrip(
            claim.id, match.id, "same-up-to-arguments", f"catalogue {_text(exact[0])}; draft {_text(exact[1])}"
        )
    if definitions and statements_equal(*loose, substitute=definitions):
        used = ", ".join(f"{k} = {v}" for k, v in definitions.items())
        return RoundTrip(claim.id, match.id, "same-given-definitions", f"after substituting {used}")
    return RoundTrip(claim.id, match.id, "different", f"catalogue {_text(exact[0])}; draft {_text(exact[1])}")


def _text(statement: object) -> str:
    text = getattr(statement, "text", None)
    return text() if callable(text) else str(statement)


def compare_with_catalogue(
    draft_path: str | Path, catalogue: Catalogue, *, document: str | None = None
) -> list[RoundTrip]:
    """The round-trip report of a draft claim file against the hand-written claims of its document.

    The document is ``document`` when given, else the catalogue document whose source file or title the draft's
    ``[document]`` names. Raises :class:`~thermosym.errors.CatalogueError` when the draft does not load, and
    ``ValueError`` when its document is not in the catalogue.
    """
    draft, errors = load_catalogue([draft_path], builtin=False)
    if errors:
        raise CatalogueError(errors)
    (doc,) = draft.documents.values()
    if document is None:
        found = [
            d.id
            for d in catalogue.documents.values()
            if (doc.file and d.file == doc.file) or d.title.lower() == doc.title.lower()
        ]
        if len(found) != 1:
            known = ", ".join(sorted(catalogue.documents))
            raise ValueError(f"document: cannot tell which of {known} the draft {draft_path} encodes; pass document=")
        document = found[0]
    if document not in catalogue.documents:
        raise ValueError(f"document: {document!r} is not in the catalogue")
    return compare_catalogues(draft, catalogue, document)


def summary(results: Sequence[RoundTrip]) -> dict[str, int]:
    """How many claims have each status."""
    return dict(Counter(r.status for r in results))
