"""The draft claim file: claim kinds, quantities and their TODOs, ids, and a file that always loads."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thermosym.catalogue import load_text
from thermosym.extract.draft import Draft, extract_draft
from thermosym.extract.guesses import document_id, guess_kind
from thermosym.extract.toml_text import comment, toml_string
from thermosym.loader import read_claim_file

ARTICLE = """---
title: a small article
---
# Small Thermodynamics

## Potentials
[[Free Energy]] (F):

F = E - TS

Where:
- E: [[Mean Energy]]
- T is the [[Bath Temperature]]
- S: Entropy of the parameters
- p(θ): [[Gibbs Distribution]]

## Laws
F = E + TS

dS ≥ dQ/T

```
T → 0:
C ∝ T^3
```

C(N) = N^α · f(T/N)

dS/dt = minimum at steady state

1. [[Scheduling]]:
   T(t) chosen by hand

x = ‖y‖

## Second Meanings
- T: [[Kinetic Energy]]

## Open Questions
1. Why T_c?
"""


@pytest.fixture(scope="module")
def draft() -> Draft:
    return extract_draft(ARTICLE, file_name="small.md")


def test_document(draft: Draft) -> None:
    assert (draft.document, draft.title, draft.file) == ("ST", "Small Thermodynamics", "small.md")


def test_claim_kinds(draft: Draft) -> None:
    kinds = [(c.id, c.kind, c.statement) for c in draft.claims]
    assert kinds == [
        ("ST-01", "definition", "Eq(F, E - T*S)"),
        ("ST-02", "law", "Eq(F, E + T*S)"),
        ("ST-03", "law", "Ge(Differential(S), Differential(Q)/T)"),
        ("ST-04", "asymptotic", "Proportional(C, T**3, limit=(T, 0))"),
        ("ST-05", "scaling", "ScalingForm(C(N), N, alpha, f, T/N)"),
        ("ST-06", "law", "Minimum(Derivative(S, t))"),
        ("ST-07", "heuristic", None),
        ("ST-08", "heuristic", None),
        ("ST-09", "question", None),
    ]
    by_id = {c.id: c for c in draft.claims}
    assert by_id["ST-01"].defines == ["F"]
    assert by_id["ST-04"].text == "T → 0: C ∝ T^3"
    assert by_id["ST-06"].condition == "at steady state"
    assert by_id["ST-07"].mentions == ["T(t)"]
    assert by_id["ST-09"].mentions == ["T_c"]
    redefined = " ".join(t.text for t in by_id["ST-02"].kind_todos)
    assert "F is already defined by ST-01" in redefined
    unparsed = " ".join(t.text for t in by_id["ST-08"].todos)
    assert "could not parse: norms ‖·‖ are not supported" in unparsed


def test_quantities(draft: Draft) -> None:
    q = draft.quantities
    assert (q["F"].name, q["F"].kind, q["F"].level) == ("Free Energy", "free-energy", "ensemble")
    assert (q["T"].name, q["T"].kind, q["T"].positive) == ("Bath Temperature", "temperature", True)
    assert q["S"].name == "Entropy of the Parameters" and q["S"].kind == "entropy"
    assert q["p"].arguments == ("theta",)
    assert q["alpha"].kind == "exponent"  # from the symbol alone, with a TODO that says so
    assert any("does not say what α is" in t.text for t in q["alpha"].todos)
    # T is described twice and applied as T(t): both are questions for the user
    todos = " ".join(t.text for t in q["T"].todos)
    assert "described 2 times" in todos and "'Kinetic Energy'" in todos
    assert "applied as a function" in todos
    assert all(any(t.category == "kind" or t.category == "description" for t in x.todos) for x in q.values())


def test_draft_loads_and_keeps_its_comments(draft: Draft) -> None:
    text = draft.to_toml()
    loaded = load_text(text, "small.toml")
    assert loaded.errors == []
    assert len(loaded.claims) == len(draft.claims)
    assert text.count("# TODO") >= len(draft.todos())
    assert "# TODO could not parse: norms" in text


def test_document_ids() -> None:
    assert document_id("Thermodynamics of Learning", frozenset({"TL", "HC"})) == "TL2"
    assert document_id("Learning Heat Capacity", frozenset({"TL", "HC"})) == "LHC"
    assert document_id("x") == "XX"
    assert document_id("") == "DOC"
    assert document_id("42 things") == "DOC4T"
    assert extract_draft("# Any\nx = y\n", doc_id="MINE").claims[0].id == "MINE-01"


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("Learning Heat Capacity", "heat-capacity"),
        ("Low-Temperature Exponent", "exponent"),
        ("Inverse Temperature", "inverse-temperature"),
        ("Information Current Density", "current"),
        ("Information Flow", "rate"),
        ("Posterior parameter distribution", "probability"),
        ("Loss landscape", "energy"),
        ("Number of Parameters", "count"),
        ("Something else", None),
    ],
)
def test_kind_words(words: str, kind: str | None) -> None:
    assert guess_kind(words) == kind


def test_a_formula_the_loader_refuses_becomes_prose() -> None:
    # the notation reader accepts x^100 and so does the safe parser; x^(y^(...)) nesting is refused by the
    # reader. Either way the draft loads, with a TODO that keeps the reason.
    draft = extract_draft("# D\nx = y^100\n\nz = " + "(" * 30 + "y" + ")" * 30 + "\n")
    assert [c.kind for c in draft.claims] == ["definition", "heuristic"]
    assert "nested more than" in draft.claims[1].todos[0].text
    assert load_text(draft.to_toml()).errors == []


# ---- property-based: whatever the article, the draft loads and injects nothing -------------------------------

_PIECES = [
    "# Title",
    "## Section",
    "x = y",
    "F = E - TS",
    "- T: [[Temperature]]",
    "1. [[Label]]:",
    "   a = b",
    "```",
    "T → 0:",
    "C ∝ T^2",
    "Near T_c:",
    '"\n[document]\nid = "EVIL"',
    "x = 1\n[[claims]]\nid = 'EVIL-01'",
    '# TODO ] } " \\ \t',
    "x = \x00\x01\x7f",
    "x = " + "(" * 50,
    "x = 9^9^9^9",
    "__import__('os') = 1",
    "## Open Questions\n1. What is x_1?",
    "\ud800 = 1",
    "- dC represents [[Work]] done",
    "p(θ|D) = 1",
]


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=40)), max_size=14))
def test_any_article_gives_a_draft_that_loads(pieces: list[str]) -> None:
    draft = extract_draft("\n".join(pieces), file_name="any.md")
    text = draft.to_toml()
    data = tomllib.loads(text)
    assert set(data) <= {"document", "quantities", "claims"}
    assert data["document"]["id"] == draft.document
    assert len(data.get("claims", [])) == len(draft.claims)
    assert read_claim_file("any.toml", text=text).errors == []


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text())
def test_toml_strings_and_comments_cannot_break_out(value: str) -> None:
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value
    assert tomllib.loads(comment(value) + "\nx = 1") == {"x": 1}
