"""The Markdown scanner: which lines are formulas, the sections and labels they get, what symbols are described."""

from __future__ import annotations

from pathlib import Path

import pytest

from thermosym.extract.markdown import MAX_LINE, as_symbol, looks_like_formula, math_fragments, scan_markdown

SOURCES = Path(__file__).resolve().parents[2] / "thermosym" / "catalog" / "sources"
TL = (SOURCES / "000_417d0363a805c6ac.txt").read_text(encoding="utf-8")
HC = (SOURCES / "002_31d5a423f6125940.txt").read_text(encoding="utf-8")


def test_title_and_sections_of_the_first_source() -> None:
    article = scan_markdown(TL)
    assert article.title == "Thermodynamics of Learning"
    assert article.front_title == "thermodynamics of learning"
    by_text = {c.text: c for c in article.candidates}
    # the heading path below the title, and the list item's link as the last part
    assert by_text["dI = dC + dW"].section == "Fundamental Principles: First Law of Learning Thermodynamics"
    assert by_text["E = -∑ p(θ) log p(θ)"].section == "System Variables: State Variables: Parameter Energy"
    assert by_text["C = dQ/dT"].section == "Applications: Architecture Analysis: Heat Capacity"
    assert by_text["dS/dt = minimum at steady state"].kind == "formula"
    # heuristics under a labelled item, questions in the open-questions section
    assert by_text["T(t) optimization for training"].kind == "heuristic"
    assert by_text["What determines T_eff?"].kind == "question"


def test_every_formula_of_the_first_source_is_found() -> None:
    formulas = [c.text for c in scan_markdown(TL).candidates if c.kind == "formula"]
    assert len(formulas) == 18  # TL-01..15, TL-18, TL-19, TL-20 in CLAIMS.md
    assert formulas[0] == "dI = dC + dW" and formulas[-1] == "C = dQ/dT"


def test_fenced_limits_near_lines_and_notes_of_the_second_source() -> None:
    article = scan_markdown(HC)
    by_text = {c.text: c for c in article.candidates}
    low = by_text["C_L ∝ T_L^α"]
    assert low.limit == "T_L → 0" and low.written == "T_L → 0: C_L ∝ T_L^α" and low.limit_group == 0
    assert low.notes == ["System exhibits discrete learning"]
    xi, tau = by_text["ξ ∝ |T_L - T_c|^-ν"], by_text["τ ∝ ξ^z"]
    assert xi.limit == tau.limit == "Near T_c" and xi.limit_group == tau.limit_group > 0
    assert xi.label == "Correlation length"
    # a formula in a Where list is a formula, not a description
    assert by_text["β = 1/T_L"].section == "Mathematical Framework: Temperature Dependence"
    assert len([c for c in article.candidates if c.kind == "formula"]) == 24  # HC's 23 equations and β = 1/T_L


def test_descriptions() -> None:
    article = scan_markdown(TL + "\n" + HC)
    found = {(d.symbol, d.name, d.differential, d.signature) for d in article.descriptions}
    assert ("C", "Computational Work", True, ()) in found  # - dC represents [[Computational Work]] ...
    assert ("T_eff", "Effective Learning Temperature", False, ()) in found  # - T_eff is the [[...]]
    assert ("E", "Parameter Energy", False, ()) in found  # 1. [[Parameter Energy]] (E):
    assert ("P", "Probability of Entropy Production", False, ("σ",)) in found  # - P(σ): ...
    assert ("p", "Posterior Parameter Distribution", False, ("θ", "D")) in found  # - p(θ|D): ...
    assert ("σ", "Entropy Production", False, ()) in found  # For entropy production σ:
    assert ("p", "Parameter Distribution", False, ("θ", "t")) in found  # Evolution of parameter distribution p(θ,t):
    assert ("ΔF", "Free Energy Change", False, ()) in found
    v = next(d for d in article.descriptions if d.symbol == "V" and d.name == "Parameter Space Volume")
    assert v.description == "Parameter Space Volume (held constant)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dI = dC + dW", True),
        ("dS/dt = minimum at steady state", True),
        ("T_L → 0", True),
        ("The change in Model Information (dI) satisfies:", False),
        ("Efficiency = output/input", False),
        ("Where:", False),
        ("= x", False),
        ("x" * (MAX_LINE + 1) + " = 1", False),
    ],
)
def test_looks_like_formula(text: str, expected: bool) -> None:
    assert looks_like_formula(text) is expected


def test_as_symbol() -> None:
    assert as_symbol("T_eff") == ("T_eff", False, ())
    assert as_symbol("dC") == ("C", True, ())
    assert as_symbol("ΔF") == ("ΔF", False, ())
    assert as_symbol("P(σ)") == ("P", False, ("σ",))
    assert as_symbol("Correlation") is None
    assert as_symbol("p(θ+1)") is None


def test_math_fragments() -> None:
    assert math_fragments("T_L(t) based on C_L(t)") == ["T_L(t)", "C_L(t)"]
    assert math_fragments("What determines T_eff?") == ["T_eff"]
    assert math_fragments("I think A is fine") == []


def test_small_article() -> None:
    text = "\n".join(
        [
            "# Notes",
            "## Energies",
            "Inline `F = E - TS` in prose, and a table:",
            "| a | b = 1 | c |",
            "> E = ⟨L⟩",
            "1. Free energy: F = -T log Z",
            "```python",
            "x = 1",
            "```",
            "As T → 0:",
            "",
            "C ∝ T^3",
            "## Open questions",
            "- Is C ∝ T^3 right?",
            "x" * (MAX_LINE + 5),
        ]
    )
    article = scan_markdown(text)
    got = [(c.kind, c.text, c.section, c.limit) for c in article.candidates]
    assert got == [
        ("formula", "F = E - TS", "Energies", ""),
        ("formula", "E = ⟨L⟩", "Energies", ""),
        ("formula", "F = -T log Z", "Energies: Free energy", ""),
        ("formula", "x = 1", "Energies", ""),
        ("formula", "C ∝ T^3", "Energies", "T → 0"),
        ("question", "Is C ∝ T^3 right?", "Open questions", ""),
    ]
    assert article.skipped == [(15, f"longer than {MAX_LINE} characters")]


def test_hostile_markdown_does_not_break_the_scanner() -> None:
    text = "\n".join(["[[" * 500 + "x" + "]]" * 500, "- " * 2000 + "x = 1", " " * 3000 + "- y = 2", "#" * 7 + " h"])
    scan_markdown(text)  # must return; what it finds is checked by the draft tests
