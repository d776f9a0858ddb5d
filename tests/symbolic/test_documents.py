"""Derivation documents (thermosym.symbolic.documents) and the committed pages under derivations/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from thermosym.symbolic.derivation import TOPICS, derive_all
from thermosym.symbolic.documents import latex, render_pages, write_derivation_documents

COMMITTED = Path(__file__).resolve().parents[2] / "derivations"


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages()


def test_committed_pages_match_a_fresh_generation(pages: dict[str, str]) -> None:
    """The regeneration test: run ``thermosym derive`` (or write_derivation_documents) and commit when it fails."""
    committed = {p.name: p.read_bytes() for p in sorted(COMMITTED.glob("*.md"))}
    assert sorted(committed) == sorted(pages), "derivations/ holds other pages than a fresh generation"
    stale = [name for name, text in pages.items() if committed[name] != text.encode("utf-8")]
    assert not stale, f"stale pages in derivations/: {stale}; regenerate them with `thermosym derive`"


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path, pages: dict[str, str]) -> None:
    """Same bytes in fresh interpreters with different PYTHONHASHSEED (set and dict order of SymPy objects)."""
    script = (
        "import sys; from pathlib import Path; "
        "from thermosym.symbolic.documents import write_derivation_documents; "
        "write_derivation_documents(Path(sys.argv[1]))"
    )
    outputs = []
    for seed in ("0", "4242"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(out)], env=env, check=True, capture_output=True)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert outputs[0] == {name: text.encode("utf-8") for name, text in pages.items()}


def test_page_structure(pages: dict[str, str]) -> None:
    assert sorted(pages) == sorted([*(f"{t}.md" for t in TOPICS), "README.md"])
    derivations = derive_all()
    for d in derivations:
        page = pages[f"{d.topic}.md"]
        assert f"\n## {d.id}\n" in page
        for source in d.claim.derived_from:
            assert f'<a id="{source.lower()}"></a>**{source}**' in page
            assert f"[{source}](#{source.lower()})" in page
        assert f"[{d.id}]({d.topic}.md#{d.id.lower()})" in pages["README.md"]
        for step in d.steps:
            assert f"**{step.name}.**" in page
    for name, page in pages.items():
        assert page.count("$$") % 2 == 0, name
        # catalogue keys never leak into the mathematics: every symbol prints as the document prints it
        for block in re.findall(r"\$\$(.*?)\$\$", page, flags=re.S):
            assert not re.search(r"\b(TL|HC|DER)\.", block), (name, block)
        assert page.endswith("\n") and not page.endswith("\n\n")


def test_latex_uses_display_symbols() -> None:
    assert latex(sympy.Symbol("TL.E", real=True)) == "E"
    assert latex(sympy.Symbol("HC.T_L", positive=True)) == "T_{L}"
    assert latex(sympy.Function("TL.p_t")(sympy.Symbol("TL.theta"), sympy.Symbol("TL.t"))) == (
        r"p\left(\theta, t\right)"
    )
    assert latex(sympy.Symbol("TL.beta_exp")) == r"\beta"


def test_write_derivation_documents(tmp_path: Path, pages: dict[str, str]) -> None:
    written = write_derivation_documents(tmp_path / "out")
    assert [p.name for p in written] == sorted(pages)
    assert all(p.read_text(encoding="utf-8") == pages[p.name] for p in written)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="not a directory"):
        write_derivation_documents(blocker)
