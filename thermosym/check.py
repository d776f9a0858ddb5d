"""The symbolic pipeline behind ``thermosym check``: load, derive, build the graph, run the consistency checks.

Nothing here imports torch: the check runs in seconds. Each stage is a registered *analysis*, a function
``(catalogue, graph) -> AnalysisOutput`` that may add derived claims, readings and findings; the stages run in
registration order, and the graph is rebuilt after a stage adds claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thermosym.catalogue import Catalogue, load_catalogue
from thermosym.errors import ClaimFileError
from thermosym.finding import Finding
from thermosym.graph import TheoryGraph


@dataclass
class AnalysisOutput:
    """What one analysis contributes: findings, and derivation records (for the ``derived`` section)."""

    findings: list[Finding] = field(default_factory=list)
    derivations: list[Any] = field(default_factory=list)
    catalogue_changed: bool = False


Analysis = Callable[[Catalogue, TheoryGraph], AnalysisOutput]

#: The analyses ``thermosym check`` runs, by name, in order.
ANALYSES: dict[str, Analysis] = {}


def register_analysis(name: str) -> Callable[[Analysis], Analysis]:
    """Decorator: add an analysis to :data:`ANALYSES` under ``name``."""

    def wrap(func: Analysis) -> Analysis:
        if name in ANALYSES:
            raise ValueError(f"an analysis named {name!r} is already registered")
        ANALYSES[name] = func
        return func

    return wrap


@dataclass
class CheckResult:
    """Everything ``thermosym check`` computes."""

    catalogue: Catalogue
    graph: TheoryGraph
    findings: list[Finding]
    derivations: list[Any]
    errors: list[ClaimFileError]
    files: list[str]


def _load_analyses() -> None:
    # importing the modules registers their analyses
    import thermosym.analyses  # noqa: F401


def run_check(files: Sequence[str | Path] = (), *, builtin: bool = True) -> CheckResult:
    """Load the catalogue (built-in documents plus ``files``) and run every registered analysis on it."""
    _load_analyses()
    catalogue, errors = load_catalogue(files, builtin=builtin)
    graph = TheoryGraph.from_catalogue(catalogue)
    findings: list[Finding] = []
    derivations: list[Any] = []
    for analysis in ANALYSES.values():
        out = analysis(catalogue, graph)
        findings.extend(out.findings)
        derivations.extend(out.derivations)
        if out.catalogue_changed:
            graph = TheoryGraph.from_catalogue(catalogue)
    return CheckResult(catalogue, graph, findings, derivations, errors, [str(f) for f in files])
