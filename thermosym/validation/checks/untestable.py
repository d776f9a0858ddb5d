"""Claim readings that no numerical check can test, each with the reason (they become ``untestable``).

Definitions need no entry (their verdict is ``definition``); readings with evidence need none either. A reason
states what is missing: a quantity nothing defines, a system with the needed structure, a criterion to test.
"""

from __future__ import annotations

from thermosym.validation.registry import declare_untestable

_NO_LENGTH = (
    "no reference system here has a correlation length: the exactly solvable learning systems are fully connected "
    "(mean field: Curie-Weiss, the perceptron in the replica theory), where ξ is not defined; a lattice model "
    "(2-D Ising, ν = 1) would be the test"
)

REASONS = {
    "TL-01/*": "I (model information), C (computational work) and W (entropic work) are never defined, "
    "and the text gives no process along which their differentials could be measured",
    "TL-18/as-written": "S is not defined, and for the system entropy dS/dt = 0 at any steady state, so 'minimum' "
    "says nothing until the quantity is the entropy production rate (see the canonical reading)",
    "TL-21/as-written": "a design heuristic with no criterion for a good schedule (see the reading "
    "thermodynamic-speed, which supplies one and is tested)",
    "TL-22/as-written": "a question; the reading sgd-lyapunov answers it for SGD and is tested",
    "HC-09/*": _NO_LENGTH,
    "HC-10/*": _NO_LENGTH + "; τ ∝ ξ^z needs both a length and a dynamics",
    "HC-16/as-written": "d* (the optimal depth) is not defined: the text states no objective the depth optimises; "
    "the heat capacity against depth of deep linear networks is shown where measured",
    "HC-17/as-written": "'based on C_L(t)' states no rule (see the reading thermodynamic-speed, which is tested)",
    "HC-18/*": "an allocation rule for resources R(t), which are not defined; nothing in it predicts a "
    "measurable quantity",
}

for _target, _reason in REASONS.items():
    declare_untestable(_target, _reason)
