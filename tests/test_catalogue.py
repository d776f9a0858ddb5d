"""The built-in catalogue: every id of CLAIMS.md, every statement parsed, every symbol a declared quantity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy

from thermosym.catalogue import BUILTIN_DOCUMENTS, load_catalogue, load_text
from thermosym.claim import statement_symbols
from thermosym.errors import UnknownClaimError, UnknownQuantityError
from thermosym.parser import CONSTANTS

CLAIMS_MD = Path(__file__).parent / "data" / "CLAIMS.md"  # a copy of shared/CLAIMS.md


def claims_md_rows() -> dict[str, tuple[str, str]]:
    """id → (section, statement) from the CLAIMS.md table."""
    rows = {}
    for line in CLAIMS_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| ((?:TL|HC)-\d\d) \| (.*?) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3))
    return rows


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    cat, errors = load_catalogue()
    assert errors == []
    return cat


def test_every_id_of_claims_md_is_present(catalogue) -> None:  # type: ignore[no-untyped-def]
    rows = claims_md_rows()
    assert len(rows) == 46
    assert set(rows) == {c.id for c in catalogue}


def test_documents_and_sections_match_claims_md(catalogue) -> None:  # type: ignore[no-untyped-def]
    for claim_id, (section, _) in claims_md_rows().items():
        claim = catalogue.claim(claim_id)
        assert claim.source.document == claim_id[:2]
        # CLAIMS.md names the section ("State Variables: Parameter Energy"); the catalogue keeps the full path
        last = section.split(":")[-1].strip()
        assert last.lower() in claim.source.section.lower(), (claim_id, section, claim.source.section)


def test_every_symbol_resolves_to_a_quantity(catalogue) -> None:  # type: ignore[no-untyped-def]
    keys = set(catalogue.quantities)
    allowed = {str(s) for s in CONSTANTS.values() if isinstance(s, sympy.Symbol)}
    for claim in catalogue:
        for atom in statement_symbols(claim.statement):
            name = getattr(atom, "name", None) or atom.__name__
            assert name in keys or name in allowed, (claim.id, name)
        assert set(claim.quantities) <= keys
        assert set(claim.defines) <= set(claim.quantities)


def test_every_claim_has_as_written_reading_first(catalogue) -> None:  # type: ignore[no-untyped-def]
    for claim in catalogue:
        assert claim.readings[0].name == "as-written"
        assert claim.readings[0].statement == claim.statement


def test_overloaded_symbols_are_distinct_quantities(catalogue) -> None:  # type: ignore[no-untyped-def]
    for symbol, expected in {
        "H": 2,
        "T": 2,
        "V": 2,
        "p": 3,
        "P": 2,
        "β": 2,
        "C": 2,
        "W": 2,
        "D": 2,
        "v": 2,
    }.items():
        found = [q for q in catalogue.by_symbol(symbol) if q.document == "TL"]
        assert len(found) == expected, (symbol, [q.key for q in found])
        assert len({q.sym for q in found}) == expected


def test_text_is_encoded_as_written_not_repaired(catalogue) -> None:  # type: ignore[no-untyped-def]
    e = catalogue.quantity("TL.E")
    assert e.kind.value == "energy"  # the name the text gives, although the formula is an entropy
    tl03 = catalogue.claim("TL-03").statement
    assert "log" in str(tl03.rhs) and tl03.lhs == e.sym
    # HC-05 keeps the susceptibility letter gamma on the heat capacity
    assert catalogue.claim("HC-05").statement.rhs.has(catalogue.quantity("HC.gamma").sym)
    assert catalogue.quantity("TL.V").discrete


def test_builtin_documents_ship_with_their_sources() -> None:
    from importlib import resources

    sources = resources.files("thermosym") / "catalog" / "sources"
    cat, _ = load_catalogue()
    for doc in BUILTIN_DOCUMENTS:
        assert (sources / cat.documents[doc].file).is_file()


def test_lookups_raise_specific_errors(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownClaimError):
        catalogue.claim("TL-99")
    with pytest.raises(UnknownQuantityError):
        catalogue.quantity("TL.nothing")


def test_user_file_imports_builtin_quantities(catalogue) -> None:  # type: ignore[no-untyped-def]
    text = """
[document]
id = "US"
title = "user"
imports = ["HC"]
[[claims]]
id = "US-01"
section = "s"
text = "C_L = 1/T_L"
kind = "law"
statement = "Eq(C_L, 1/T_L)"
"""
    f = load_text(text, catalogue=catalogue)
    assert f.errors == []
    assert f.claims[0].quantities == ("HC.C_L", "HC.T_L")


def test_example_user_file_loads_beside_builtin() -> None:
    example = Path(__file__).parents[1] / "examples" / "equipartition.toml"
    cat, errors = load_catalogue([example])
    assert errors == []
    assert len(cat) == 47 and "EX-01" in cat.claims
