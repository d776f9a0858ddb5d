"""The third example document: examples/article.md, its hand-edited claim file examples/article.toml, and the
how-to docs/extract.md that walks through the three steps on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from thermosym.catalogue import load_catalogue
from thermosym.check import run_check
from thermosym.extract.command import extract_command
from thermosym.extract.roundtrip import compare_with_catalogue

ROOT = Path(__file__).resolve().parents[2]
ARTICLE, CLAIMS, HOWTO = (
    ROOT / "examples" / "article.md",
    ROOT / "examples" / "article.toml",
    ROOT / "docs" / "extract.md",
)


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("example") / "article.toml"
    assert extract_command(ARTICLE, path, echo=lambda _: None) == 0
    return path


def test_edited_claims_load_and_check() -> None:
    catalogue, errors = load_catalogue([CLAIMS])
    assert errors == []
    assert len([c for c in catalogue if c.source.document == "TSGD"]) == 22
    assert run_check([CLAIMS]).errors == []
    assert run_check([CLAIMS], builtin=False).errors == []


def test_every_todo_was_resolved(draft: Path) -> None:
    assert "# TODO" not in CLAIMS.read_text(encoding="utf-8")
    assert draft.read_text(encoding="utf-8").count("# TODO") >= 30


def test_a_fresh_draft_recovers_every_edited_statement(draft: Path) -> None:
    """The edits changed kinds, quantities and conditions, never a statement: a fresh draft still matches."""
    reference, errors = load_catalogue([CLAIMS], builtin=False)
    assert errors == []
    results = compare_with_catalogue(draft, reference)
    not_equations = {r.claim for r in results if r.status == "not-an-equation"}
    assert not_equations == {"TSGD-14", "TSGD-21", "TSGD-22"}  # tr(H⁻¹) kept as prose, and two questions
    assert all(r.status == "same" for r in results if r.claim not in not_equations), results


def test_the_howto_shows_the_three_steps_on_the_example() -> None:
    text = HOWTO.read_text(encoding="utf-8")
    for step in (
        "thermosym extract examples/article.md --out article.toml",
        "thermosym check article.toml",
        "thermosym check examples/article.toml",
    ):
        assert step in text
