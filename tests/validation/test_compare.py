"""Comparing results documents: tolerant on the last bits of numbers, strict on verdicts and structure."""

from __future__ import annotations

import copy

from thermosym.validation.compare import differences

DOC = {
    "claims": [
        {"id": "A-1", "readings": [{"verdict": "holds", "evidence": [{"measured": 1.2345678, "note": "σ = 0.12"}]}]}
    ],
    "environment": {"command": "thermosym validate --json a.json"},
}


def test_same_and_last_bits() -> None:
    other = copy.deepcopy(DOC)
    other["environment"]["command"] = "thermosym validate --json b.json"
    other["claims"][0]["readings"][0]["evidence"][0]["measured"] = 1.2345678 * (1 + 1e-12)
    assert differences(DOC, other) == []


def test_verdict_and_numbers_differ() -> None:
    other = copy.deepcopy(DOC)
    other["claims"][0]["readings"][0]["verdict"] = "fails"
    other["claims"][0]["readings"][0]["evidence"][0]["measured"] = 1.3
    found = differences(DOC, other)
    assert len(found) == 2 and any("verdict" in f for f in found) and any("measured" in f for f in found)


def test_missing_items() -> None:
    other = copy.deepcopy(DOC)
    other["claims"].append({"id": "A-2", "readings": []})
    assert differences(DOC, other) == ["claims: 1 items against 2"]


def test_verdict_outline_ignores_numbers_but_not_pass_fail() -> None:
    from thermosym.validation.compare import verdict_outline

    def doc(measured: float, passed: bool) -> dict:  # type: ignore[type-arg]
        evidence = [{"measured": measured, "passed": passed}]
        return {
            "claims": [{"id": "A-1", "readings": [{"name": "as-written", "verdict": "holds", "evidence": evidence}]}]
        }

    assert differences(verdict_outline(doc(1.0, True)), verdict_outline(doc(1.1, True))) == []
    assert differences(verdict_outline(doc(1.0, True)), verdict_outline(doc(1.0, False))) != []
