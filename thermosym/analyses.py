"""The analyses ``thermosym check`` runs, registered in order: derivations first, then consistency checks."""

from __future__ import annotations

from thermosym.catalogue import Catalogue
from thermosym.check import AnalysisOutput, register_analysis
from thermosym.graph import TheoryGraph


@register_analysis("well-formedness")
def well_formedness(catalogue: Catalogue, graph: TheoryGraph) -> AnalysisOutput:
    """Every claim parsed and every symbol resolved when the catalogue was loaded; nothing more to report."""
    return AnalysisOutput()
