"""The verdict rule: each branch, in order."""

from __future__ import annotations

import sympy

from thermosym.evidence import Evidence
from thermosym.finding import Category, Finding, Severity
from thermosym.verdict import VerdictValue, decide


def ev(system: str, measured: float, stderr: float = 0.1, condition: str = "") -> Evidence:
    return Evidence.compare(
        check="c", system=system, predicted=1.0, measured=measured, stderr=stderr, condition=condition
    )


def finding(category: Category, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        code="x",
        category=category,
        severity=severity,
        claims=("A-1",),
        message="m",
        expression=sympy.Integer(1),
    )


def test_ill_posed_wins_over_inconsistent_and_evidence() -> None:
    v = decide(
        kind="law",
        findings=[finding(Category.KIND_MISMATCH), finding(Category.ILL_POSED)],
        evidence=[ev("a", 1.0)],
    )
    assert v.value is VerdictValue.ILL_POSED


def test_blocking_finding_makes_inconsistent() -> None:
    assert decide(kind="law", findings=[finding(Category.DEGENERACY)], evidence=[]).value is VerdictValue.INCONSISTENT


def test_warnings_do_not_decide() -> None:
    v = decide(kind="law", findings=[finding(Category.OVERLOADING, Severity.WARNING)], evidence=[ev("a", 1.05)])
    assert v.value is VerdictValue.HOLDS


def test_evidence_branches() -> None:
    assert decide(kind="law", findings=[], evidence=[ev("a", 1.0), ev("b", 1.1)]).value is VerdictValue.HOLDS
    assert decide(kind="law", findings=[], evidence=[ev("a", 3.0), ev("b", 5.0)]).value is VerdictValue.FAILS
    v = decide(kind="law", findings=[], evidence=[ev("a", 1.0, condition="T < 1"), ev("b", 5.0)])
    assert v.value is VerdictValue.HOLDS_CONDITIONALLY
    assert v.conditions == ("a (T < 1)",) and "fails on b" in v.reason


def test_definition_and_untestable() -> None:
    assert decide(kind="definition", findings=[], evidence=[]).value is VerdictValue.DEFINITION
    v = decide(kind="question", findings=[], evidence=[], untestable_reason="a question")
    assert v.value is VerdictValue.UNTESTABLE and v.reason == "a question"


def test_evidence_tolerance_rule() -> None:
    e = Evidence.compare(check="c", system="s", predicted=0.0, measured=0.35, stderr=0.1, k=3.0, bias=0.05)
    assert e.passed and abs(e.tolerance - 0.35) < 1e-12
    nan = Evidence.compare(check="c", system="s", predicted=0.0, measured=float("nan"), stderr=0.1)
    assert not nan.passed and nan.to_dict()["measured"] is None


def test_one_sided_evidence() -> None:
    above = Evidence.bound(check="c", system="s", bound=0.0, measured=0.3, stderr=0.1)
    below = Evidence.bound(check="c", system="s", bound=0.0, measured=-0.5, stderr=0.1)
    within = Evidence.bound(check="c", system="s", bound=0.0, measured=-0.15, stderr=0.1)
    assert above.passed and not below.passed and within.passed
    assert Evidence.from_dict(below.to_dict()).relation == ">="
    upper = Evidence.bound(check="c", system="s", bound=1.0, measured=2.0, relation="<=")
    assert not upper.passed
