"""The verdict rule: one function from findings and evidence to one word of DESIGN.md's vocabulary.

The rule, applied to one reading of one claim, in this order:

1. a blocking (``error``) finding of category ``ill-posed`` → ``ill-posed``;
2. any other blocking finding → ``inconsistent``;
3. evidence exists: every item passed → ``holds``; none passed → ``fails``; some passed → ``holds-conditionally``,
   with the conditions (the systems and conditions of the passing items) stated;
4. no evidence and the claim is a definition → ``definition`` (checked for well-formedness only);
5. otherwise → ``untestable``, with the reason the check registry gives (or that no check applies).

Warnings and informational findings never decide a verdict; they are reported beside it. Evidence that could not
be produced (a sampler that diverged) is a finding, not failed evidence, so it cannot make a claim ``fail``.

>>> from thermosym.evidence import Evidence
>>> ok = Evidence.compare(check="c", system="a", predicted=1.0, measured=1.0)
>>> bad = Evidence.compare(check="c", system="b", predicted=1.0, measured=2.0)
>>> decide(kind="law", findings=[], evidence=[ok]).value.value
'holds'
>>> decide(kind="law", findings=[], evidence=[ok, bad]).value.value
'holds-conditionally'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from thermosym.evidence import Evidence
from thermosym.finding import Category, Finding


class VerdictValue(StrEnum):
    HOLDS = "holds"
    HOLDS_CONDITIONALLY = "holds-conditionally"
    FAILS = "fails"
    INCONSISTENT = "inconsistent"
    ILL_POSED = "ill-posed"
    UNTESTABLE = "untestable"
    DEFINITION = "definition"


@dataclass(frozen=True)
class Verdict:
    """A verdict and the one-line reason the rule gives for it."""

    value: VerdictValue
    reason: str
    conditions: tuple[str, ...] = ()


def _describe(e: Evidence) -> str:
    return f"{e.system}" + (f" ({e.condition})" if e.condition else "")


def decide(
    *,
    kind: str,
    findings: Sequence[Finding],
    evidence: Sequence[Evidence],
    untestable_reason: str = "",
) -> Verdict:
    """Apply the verdict rule (module docstring) to one reading."""
    blocking = [f for f in findings if f.is_blocking]
    ill = [f for f in blocking if f.category is Category.ILL_POSED]
    if ill:
        return Verdict(VerdictValue.ILL_POSED, "; ".join(sorted({f.code for f in ill})))
    if blocking:
        return Verdict(VerdictValue.INCONSISTENT, "; ".join(sorted({f.code for f in blocking})))
    if evidence:
        passed = [e for e in evidence if e.passed]
        if len(passed) == len(evidence):
            return Verdict(VerdictValue.HOLDS, f"all {len(evidence)} checks passed")
        if not passed:
            return Verdict(VerdictValue.FAILS, f"all {len(evidence)} checks failed")
        conditions = tuple(sorted({_describe(e) for e in passed}))
        failing = sorted({_describe(e) for e in evidence if not e.passed})
        return Verdict(
            VerdictValue.HOLDS_CONDITIONALLY,
            f"{len(passed)} of {len(evidence)} checks passed; holds on {', '.join(conditions)}; "
            f"fails on {', '.join(failing)}",
            conditions,
        )
    if kind == "definition":
        return Verdict(VerdictValue.DEFINITION, "a well-formed definition")
    return Verdict(VerdictValue.UNTESTABLE, untestable_reason or "no numerical check applies to this reading")
