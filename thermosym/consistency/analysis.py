"""The consistency analysis that ``thermosym check`` runs: the checks on the text as written, on the reading that
identifies undefined quantities with the only expression of their kind the text gives, and on the canonical
readings the repairs propose. Readings are attached to the catalogue's claims; findings carry the reading name.
"""

from __future__ import annotations

from dataclasses import replace

from thermosym.catalogue import Catalogue
from thermosym.check import AnalysisOutput
from thermosym.claim import Reading
from thermosym.consistency.canonical import CANONICAL, canonical_readings, plan_repairs
from thermosym.consistency.identification import IDENTIFIED, identify_undefined
from thermosym.consistency.registry import run_checks
from thermosym.consistency.theory import show
from thermosym.consistency.worlds import derive_catalogue, supplement
from thermosym.finding import Finding
from thermosym.graph import TheoryGraph


def _real_claims(findings: list[Finding], catalogue: Catalogue) -> list[Finding]:
    """Findings with the claim ids of supplied definitions dropped (they are not claims of the text)."""
    out = []
    for f in findings:
        claims = tuple(c for c in f.claims if c in catalogue.claims)
        out.append(f if claims == f.claims else replace(f, claims=claims))
    return out


def identified_reading(catalogue: Catalogue, graph: TheoryGraph, as_written: list[Finding]) -> list[Finding]:
    """Run the checks with each identifiable undefined quantity identified; attach the ``identified`` reading to
    the claims its *new* findings touch, and return those findings."""
    witnesses = identify_undefined(catalogue, graph)
    if not witnesses:
        return []
    supplements = []
    notes = []
    for n, (key, w) in enumerate(sorted(witnesses.items()), start=1):
        q = catalogue.quantity(key)
        note = (
            f"{q.symbol} is not defined by the text; identified with {show(w.expression, catalogue)}, the only "
            f"{q.kind.value} it defines ({w.claim_id})"
        )
        doc = catalogue.claim(w.claim_id).source.document
        supplements.append(supplement(n, q, w.expression, doc, note, catalogue))
        notes.append(note)
    world = derive_catalogue(catalogue, supplements=supplements)
    seen = {(f.code, frozenset(f.claims)) for f in as_written}
    found = run_checks(world, TheoryGraph.from_catalogue(world), reading=IDENTIFIED)
    new = [f for f in _real_claims(found, catalogue) if (f.code, frozenset(f.claims)) not in seen and f.claims]
    rationale = (
        "; ".join(notes)
        + ". This reading closes the text on itself; its findings are those the identification adds to the text "
        "as written."
    )
    for claim_id in dict.fromkeys(c for f in new for c in f.claims):
        claim = catalogue.claim(claim_id)
        catalogue.add_reading(claim_id, Reading(IDENTIFIED, claim.statement, rationale, tuple(sorted(witnesses))))
    return new


def canonical_reading(catalogue: Catalogue, graph: TheoryGraph, as_written: list[Finding]) -> list[Finding]:
    """Plan the repairs, attach the ``canonical`` readings, re-run every check on them, return those findings."""
    plan = plan_repairs(as_written, catalogue, graph)
    readings = canonical_readings(plan, as_written)
    for q in [*plan.replacements.values(), *plan.new_quantities.values()]:
        catalogue.quantities.setdefault(q.key, q)
    supplements = [
        supplement(n, plan.replacements.get(q.key, q), expr, doc, note, catalogue)
        for n, (q, expr, doc, note) in enumerate(plan.supplements, start=1)
    ]
    world = derive_catalogue(
        catalogue,
        statements={cid: r.statement for cid, r in readings.items()},
        replacements=plan.replacements,
        extra_quantities=list(plan.new_quantities.values()),
        supplements=supplements,
    )
    found = _real_claims(run_checks(world, TheoryGraph.from_catalogue(world), reading=CANONICAL), catalogue)
    for f in found:
        for claim_id in f.claims:
            if claim_id not in readings:
                readings[claim_id] = Reading(
                    CANONICAL,
                    world.claim(claim_id).statement,
                    "Unchanged; re-checked because the canonical readings change quantities it uses.",
                )
    for claim_id, reading in readings.items():
        catalogue.add_reading(claim_id, reading)
    return found


def run_consistency(catalogue: Catalogue, graph: TheoryGraph) -> AnalysisOutput:
    """All consistency findings for the catalogue: as written, identified, canonical (readings attached)."""
    as_written = _real_claims(run_checks(catalogue, graph), catalogue)
    identified = identified_reading(catalogue, graph, as_written)
    canonical = canonical_reading(catalogue, graph, as_written)
    return AnalysisOutput(findings=[*as_written, *identified, *canonical], catalogue_changed=True)
