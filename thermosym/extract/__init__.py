"""Bring your own document: draft a claim file from a Markdown article whose formulas are Unicode math.

Three steps (see ``docs/extract.md``): ``thermosym extract article.md --out claims.toml`` writes a draft,
with a ``# TODO`` wherever it had to guess; you edit it; ``thermosym check claims.toml`` validates it.

* :mod:`~thermosym.extract.tokens` and :mod:`~thermosym.extract.notation` read the notation
  (``E = −∑ p(θ) log p(θ)``) into :mod:`~thermosym.extract.formula` trees, written out as allow-list text for the
  safe parser :mod:`thermosym.parser`;
* :mod:`~thermosym.extract.markdown` finds the formulas, their sections and what the text says the symbols mean;
* :mod:`~thermosym.extract.draft` writes the draft claim file, :mod:`~thermosym.extract.command` runs it all;
* :mod:`~thermosym.extract.roundtrip` compares a draft with a hand-written catalogue.
"""

from thermosym.extract.command import extract_command
from thermosym.extract.draft import Draft, extract_draft
from thermosym.extract.notation import parse_formula, parse_limit, parse_math
from thermosym.extract.roundtrip import RoundTrip, compare_with_catalogue

__all__ = [
    "Draft",
    "RoundTrip",
    "compare_with_catalogue",
    "extract_command",
    "extract_draft",
    "parse_formula",
    "parse_limit",
    "parse_math",
]
