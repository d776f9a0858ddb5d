"""``thermosym extract ARTICLE.md --out claims.toml``: write a draft claim file and say what is left to decide.

The command-line wiring lives in :mod:`thermosym.cli`; this module holds what it calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from thermosym.extract.draft import Draft, check_draft, extract_draft

_CATEGORIES = {
    "kind": "quantity kinds and levels guessed",
    "description": "symbols the text never describes",
    "meaning": "symbols that may carry two meanings",
    "claim-kind": "claim kinds to confirm",
    "reading": "readings of the notation to confirm",
    "parse": "formulas kept as prose (could not be read)",
}


def read_article(path: Path) -> str:
    """The text of a Markdown article: UTF-8 (undecodable bytes replaced), without a byte-order mark."""
    return path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")


def summarise(draft: Draft) -> list[str]:
    """Lines that say what the draft holds and what is left to decide."""
    kinds = Counter(c.kind for c in draft.claims)
    listed = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    todos = draft.todos()
    counts = Counter(t.category for _, t in todos)
    lines = [
        f"document {draft.document} ({draft.title!r}): {len(draft.claims)} claims ({listed or 'none'}), "
        f"{len(draft.quantities)} quantities",
        f"{len(todos)} TODOs:",
    ]
    lines += [f"  {counts[c]:3d} {what}" for c, what in _CATEGORIES.items() if counts[c]]
    for owner, todo in todos:
        if todo.category in ("meaning", "parse"):
            lines.append(f"  - {owner}: {todo.text}")
    lines += [f"  - line {n} not read: {why}" for n, why in draft.skipped]
    return lines


def extract_command(
    article: Path,
    out: Path,
    *,
    doc_id: str | None = None,
    force: bool = False,
    echo: Callable[[str], None] = print,
) -> int:
    """Read ``article`` (Markdown), write its draft claim file to ``out``, print a summary; return the exit code.

    0: the draft was written and loads; 1: the draft was written but the loader still reports problems (printed),
    or ``out`` exists and ``force`` is not set; 2: the article cannot be read. ``doc_id`` overrides the document id
    guessed from the title.
    """
    article, out = Path(article), Path(out)
    try:
        text = read_article(article)
    except OSError as exc:
        echo(f"error: cannot read {article}: {exc.strerror or exc}")
        return 2
    if out.exists() and not force:
        echo(f"error: {out} exists; it may hold your edits. Choose another --out, or pass --force to overwrite it")
        return 1
    draft = extract_draft(text, file_name=article.name, doc_id=doc_id)
    errors = check_draft(draft, str(out))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(draft.to_toml(), encoding="utf-8")
    except OSError as exc:
        echo(f"error: cannot write {out}: {exc.strerror or exc}")
        return 2
    echo(f"wrote {out}")
    for line in summarise(draft):
        echo(line)
    for error in errors:
        echo(f"error: {error}")
    echo(f"next: resolve the TODOs in {out}, then run `thermosym check {out}`")
    return 1 if errors else 0
