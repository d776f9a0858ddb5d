"""``extract_command``: what it writes, prints and returns."""

from __future__ import annotations

from pathlib import Path

from thermosym.catalogue import load_catalogue
from thermosym.extract.command import extract_command

ARTICLE = "# Gibbs Notes\n\n## Energy\nE = ⟨L⟩\n\nWhere:\n- L: [[Loss]]\n\n## Bad\nx = ‖y‖\n"


def run(article: Path, out: Path, **kwargs: object) -> tuple[int, list[str]]:
    lines: list[str] = []
    code = extract_command(article, out, echo=lines.append, **kwargs)  # type: ignore[arg-type]
    return code, lines


def test_writes_a_draft_that_loads_and_summarises_it(tmp_path: Path) -> None:
    article = tmp_path / "notes.md"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "drafts" / "notes.toml"
    code, lines = run(article, out)
    assert code == 0
    assert lines[0] == f"wrote {out}"
    assert lines[1].startswith("document GN ('Gibbs Notes'): 2 claims (1 definition, 1 heuristic), 2 quantities")
    assert any("formulas kept as prose" in line for line in lines)
    assert any("GN-02: could not parse: norms" in line for line in lines)
    assert lines[-1] == f"next: resolve the TODOs in {out}, then run `thermosym check {out}`"
    catalogue, errors = load_catalogue([out], builtin=False)
    assert errors == [] and len(catalogue) == 2
    assert catalogue.claim("GN-01").source.section == "Energy"


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    article = tmp_path / "notes.md"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "notes.toml"
    out.write_text("# my edits\n", encoding="utf-8")
    code, lines = run(article, out)
    assert code == 1 and "exists" in lines[0]
    assert out.read_text(encoding="utf-8") == "# my edits\n"
    code, _ = run(article, out, force=True, doc_id="MINE")
    assert code == 0 and 'id = "MINE"' in out.read_text(encoding="utf-8")


def test_unreadable_article(tmp_path: Path) -> None:
    code, lines = run(tmp_path / "missing.md", tmp_path / "out.toml")
    assert code == 2 and lines[0].startswith("error: cannot read")
    assert not (tmp_path / "out.toml").exists()


def test_bytes_that_are_not_utf8_and_a_bom(tmp_path: Path) -> None:
    article = tmp_path / "odd.md"
    article.write_bytes(b"\xef\xbb\xbf# Odd\nx = y \xff\xfe\n")
    code, _ = run(article, tmp_path / "odd.toml")
    assert code == 0
    _, errors = load_catalogue([tmp_path / "odd.toml"], builtin=False)
    assert errors == []
