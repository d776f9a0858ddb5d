"""The analyses ``thermosym check`` runs, registered in order: derivations first, then consistency checks."""

from __future__ import annotations

from thermosym.catalogue import Catalogue
from thermosym.check import AnalysisOutput, register_analysis
from thermosym.graph import TheoryGraph


@register_analysis("well-formedness")
def well_formedness(catalogue: Catalogue, graph: TheoryGraph) -> AnalysisOutput:
    """Every claim parsed and every symbol resolved when the catalogue was loaded; nothing more to report."""
    return AnalysisOutput()


@register_analysis("derivations")
def derivations(catalogue: Catalogue, graph: TheoryGraph) -> AnalysisOutput:
    """The DER-* claims that follow from the catalogue (thermosym.symbolic), each verified by SymPy, added to the
    catalogue with derived-from edges. They use the catalogue's own symbols, so the graph links them."""
    from thermosym.symbolic.derivation import derive_all

    derived = derive_all(catalogue.symbols())
    present = [d for d in derived if all(parent in catalogue.claims for parent in d.claim.derived_from)]
    for d in present:
        catalogue.add_claim(d.claim, d.new_quantities)
    return AnalysisOutput(derivations=present, catalogue_changed=bool(present))


@register_analysis("consistency")
def consistency(catalogue: Catalogue, graph: TheoryGraph) -> AnalysisOutput:
    """The consistency checks on the text as written, identified and canonical (thermosym.consistency)."""
    from thermosym.consistency import run_consistency

    return run_consistency(catalogue, graph)
