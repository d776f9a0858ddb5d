"""The consistency checker: what in a catalogue does not hang together, and which reading repairs it.

Every check is a plain function ``(catalogue, graph) -> list[Finding]`` in :data:`CHECKS` (one module per
family), run on any catalogue; none knows a claim id. :func:`run_consistency` runs them on three readings:

``as-written``
    the text taken literally;
``identified``
    the text closed on itself: an undefined quantity identified with the only expression of its kind the
    text gives (TL's undefined S with TL-03's −∑ p log p), reporting only what the identification adds;
``canonical``
    the repairs of :mod:`~thermosym.consistency.canonical` (E := ⟨L⟩ under p ∝ exp(−L/T), S := −∑ p log p,
    j = −D∇c + cv, χ := ∂ψ/∂h, γ → α, ...), re-checked like the text.

Severity policy (the verdict rule, :mod:`thermosym.verdict`, lets only errors decide a verdict):

``error``
    the statement read as written (with the text's own definitions) is false, self-contradictory, collapses
    (T ≡ 1, C_L ≡ 0) or is mathematically ill-posed (a derivative with respect to an integer, an argmax of a
    monotone function, a law between quantities that nothing defines);
``warning``
    a real but non-fatal problem: an overloaded symbol, an exponent letter against convention, an undefined
    quantity that may have a standard meaning, a derivative of a heat without its path, a kind mismatch that
    rests only on the names of undefined quantities;
``info``
    a benign note: one symbol for the same kind of quantity in two guises.

Kinds and k_B = 1: see :mod:`~thermosym.consistency.dimensions` (entropy keeps its own unit k_B, so an entropy is
told from a pure number, and dimensions are compared with k_B set to 1).

>>> from thermosym.catalogue import load_catalogue
>>> from thermosym.graph import TheoryGraph
>>> cat = load_catalogue()[0]
>>> findings = run_checks(cat, TheoryGraph.from_catalogue(cat))
>>> sorted(f.code for f in findings if f.claims[0] == "HC-11" and f.is_blocking)
['fluctuation-of-ensemble-functional', 'kind-mismatch-equation']
"""

from __future__ import annotations

from thermosym.consistency import (  # noqa: F401  (importing the modules registers the checks)
    contradictions,
    degeneracy,
    exponents,
    ill_posed,
    kinds,
    levels,
    overloading,
)
from thermosym.consistency.analysis import run_consistency
from thermosym.consistency.canonical import CANON, CANONICAL, REPAIRS, register_repair
from thermosym.consistency.identification import IDENTIFIED
from thermosym.consistency.registry import CHECKS, register_check, run_checks

__all__ = [
    "CANON",
    "CANONICAL",
    "CHECKS",
    "IDENTIFIED",
    "REPAIRS",
    "register_check",
    "register_repair",
    "run_checks",
    "run_consistency",
]
