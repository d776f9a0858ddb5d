"""Helpers for the consistency tests: small catalogues written inline as claim-file text."""

from __future__ import annotations

from thermosym.catalogue import Catalogue, load_text
from thermosym.consistency import run_checks
from thermosym.finding import Finding
from thermosym.graph import TheoryGraph

HEADER = '[document]\nid = "XX"\ntitle = "synthetic"\n'


def build(text: str) -> Catalogue:
    """A catalogue holding the one document of ``text`` (a ``[document]`` table is added if missing); fails the
    test on any claim-file error."""
    if "[document]" not in text:
        text = HEADER + text
    claim_file = load_text(text)
    assert not claim_file.errors, [str(e) for e in claim_file.errors]
    assert claim_file.document is not None
    return Catalogue(
        documents={claim_file.document.id: claim_file.document},
        quantities={q.key: q for q in claim_file.quantities.values()},
        claims={c.id: c for c in claim_file.claims},
    )


def check(text: str, only: str | None = None) -> list[Finding]:
    """Run the consistency checks (all, or one family) on an inline catalogue."""
    catalogue = build(text)
    return run_checks(catalogue, TheoryGraph.from_catalogue(catalogue), only=None if only is None else [only])


def codes(findings: list[Finding]) -> set[str]:
    """The codes of some findings."""
    return {f.code for f in findings}


def claim(cid: str, statement: str, kind: str = "law", **extra: str) -> str:
    """One [[claims]] table."""
    lines = [
        "[[claims]]",
        f'id = "{cid}"',
        'section = "s"',
        f'text = "{cid}"',
        f'kind = "{kind}"',
        f'statement = "{statement}"',
    ]
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "\n".join(lines) + "\n"
