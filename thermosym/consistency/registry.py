"""The registry of consistency checks: plain functions ``(catalogue, graph) -> list[Finding]``.

A check family registers itself with :func:`register_check` when its module is imported; :func:`run_checks` runs
every registered check (or a chosen few) over one catalogue and labels the findings with the reading they belong
to. No check knows a claim id: each works on whatever catalogue it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from thermosym.catalogue import Catalogue
from thermosym.finding import Finding
from thermosym.graph import TheoryGraph

Check = Callable[[Catalogue, TheoryGraph], list[Finding]]

#: The consistency checks, by name, in registration order.
CHECKS: dict[str, Check] = {}


def register_check(name: str) -> Callable[[Check], Check]:
    """Decorator: add a check to :data:`CHECKS` under ``name``."""

    def wrap(func: Check) -> Check:
        if name in CHECKS:
            raise ValueError(f"a consistency check named {name!r} is already registered")
        CHECKS[name] = func
        return func

    return wrap


def run_checks(
    catalogue: Catalogue,
    graph: TheoryGraph | None = None,
    *,
    reading: str = "as-written",
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Run the registered checks (all, or those named in ``only``) and label their findings with ``reading``."""
    graph = graph or TheoryGraph.from_catalogue(catalogue)
    names = list(CHECKS) if only is None else list(only)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown consistency check(s) {unknown}; known: {', '.join(CHECKS)}")
    findings: list[Finding] = []
    for name in names:
        for f in CHECKS[name](catalogue, graph):
            findings.append(f if f.reading == reading else replace(f, reading=reading))
    return findings
