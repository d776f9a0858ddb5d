"""Closing the text on itself: an undefined quantity identified with the only expression of its kind the text
defines.

TL uses a learning entropy S (TL-02, TL-04, TL-08, TL-10, TL-18) and never defines it; the only entropy it writes
down is −∑ p(θ) log p(θ), which TL-03 calls the "Parameter Energy". A reader who asks what S is has that one
answer. :func:`identify_undefined` finds such identifications in any catalogue: an undefined quantity, and
exactly one grounded definition in the same document whose right side has the quantity's kind *by its form*
(a Gibbs entropy for an entropy, a mutual information for an information) and the same level (a functional of
the distribution for an ensemble quantity). The identification is not the text as written; the checks run on it
as a reading of its own, named ``identified``, and report only what it adds (the collapses it causes).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sympy

from thermosym.catalogue import Catalogue
from thermosym.consistency.theory import definitions, fluctuates, form_kind, is_grounded
from thermosym.graph import TheoryGraph
from thermosym.quantity import Level

#: The name of the reading in which undefined quantities are identified.
IDENTIFIED = "identified"


@dataclass(frozen=True)
class Witness:
    """The expression an undefined quantity is identified with, and the claim that writes it down."""

    key: str
    expression: sympy.Basic
    claim_id: str


def identify_undefined(catalogue: Catalogue, graph: TheoryGraph) -> dict[str, Witness]:
    """Undefined quantity key → the unique expression of its kind and level that its document defines."""
    defs = definitions(catalogue)
    candidates: dict[str, list[tuple[sympy.Basic, str]]] = defaultdict(list)
    for d in defs.values():
        if not is_grounded(d, catalogue, graph):
            continue
        kind = form_kind(d.rhs, catalogue)
        if kind is None:
            continue
        level = Level.MICROSTATE if fluctuates(d.rhs, catalogue) else Level.ENSEMBLE
        doc = catalogue.claim(d.claim_id).source.document
        candidates[f"{doc}|{kind.value}|{level.value}"].append((d.rhs, d.claim_id))
    out: dict[str, Witness] = {}
    for claim in catalogue:
        for key in graph.undefined_quantities(claim.id):
            if key in out:
                continue
            q = catalogue.quantity(key)
            found = {e: c for e, c in candidates.get(f"{claim.source.document}|{q.kind.value}|{q.level.value}", [])}
            if len(found) == 1:
                ((expression, claim_id),) = found.items()
                out[key] = Witness(key, expression, claim_id)
    return out
