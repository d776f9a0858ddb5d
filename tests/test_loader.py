"""Claim files: errors name file, line and claim; one bad claim or file does not stop the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from thermosym.catalogue import load_catalogue
from thermosym.loader import read_claim_file

GOOD = """\
[document]
id = "GD"
title = "Good"

[quantities]
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control", positive = true }

[[claims]]
id = "GD-01"
section = "Energy"
text = "E = T/2"
kind = "law"
statement = "Eq(E, T/2)"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def claim_block(claim_id: str, statement: str, extra: str = "") -> str:
    return (
        f'\n[[claims]]\nid = "{claim_id}"\nsection = "s"\ntext = "t"\nkind = "law"\nstatement = "{statement}"\n{extra}'
    )


def test_good_file(tmp_path: Path) -> None:
    f = read_claim_file(write(tmp_path, "good.toml", GOOD))
    assert f.errors == [] and [c.id for c in f.claims] == ["GD-01"]
    assert f.claims[0].source.line == 9


@pytest.mark.parametrize(
    ("block", "problem", "line"),
    [
        (claim_block("GD-02", "Eq(E, X)"), "unknown name 'X'", 21),
        (claim_block("GD-02", "Eq(E, open('f'))"), "unknown function 'open'", 21),
        (claim_block("GD-01", "Eq(E, T)"), "duplicate claim id (first at line 9)", 16),
        (
            '\n[[claims]]\nid = "GD-02"\nsection = "s"\nkind = "law"\nstatement = "Eq(E, T)"\n',
            "missing field 'text'",
            16,
        ),
        (claim_block("GD-02", "Eq(E, T)", 'colour = "red"\n'), "unknown field(s) ['colour']", 22),
        (claim_block("GD-02", "E + T"), "a statement must be a relation", 21),
        (
            claim_block("GD-02", "Eq(E, T)").replace('kind = "law"', 'kind = "guess"'),
            "unknown kind 'guess'",
            20,
        ),
        (claim_block("GD-02", "Eq(E, T)", 'defines = ["Q"]\n'), "defines unknown quantity", 22),
    ],
)
def test_bad_claim_is_reported_and_others_kept(tmp_path: Path, block: str, problem: str, line: int) -> None:
    f = read_claim_file(write(tmp_path, "bad.toml", GOOD + block))
    assert [c.id for c in f.claims] == ["GD-01"]
    assert len(f.errors) == 1
    err = f.errors[0]
    assert problem in err.problem
    assert err.file.endswith("bad.toml") and err.line == line
    assert str(err).startswith(f"{err.file}:{line}")


def test_bad_quantity_is_reported_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace("[quantities]\n", '[quantities]\nQ = { symbol = "Q", kind = "stuff", level = "ensemble" }\n')
    f = read_claim_file(write(tmp_path, "q.toml", text))
    assert len(f.errors) == 1 and f.errors[0].line == 6 and "unknown kind 'stuff'" in f.errors[0].problem


def test_reserved_quantity_name(tmp_path: Path) -> None:
    text = GOOD.replace("[quantities]\n", '[quantities]\nlog = { symbol = "l", kind = "energy", level = "ensemble" }\n')
    f = read_claim_file(write(tmp_path, "r.toml", text))
    assert "reserved" in f.errors[0].problem


def test_toml_syntax_error_names_line(tmp_path: Path) -> None:
    f = read_claim_file(write(tmp_path, "broken.toml", GOOD + "\n[[claims]\nid = 1\n"))
    assert len(f.errors) == 1 and "not valid TOML" in f.errors[0].problem and f.errors[0].line == 16


def test_missing_document(tmp_path: Path) -> None:
    f = read_claim_file(write(tmp_path, "nodoc.toml", "x = 1\n"))
    assert "missing [document]" in f.errors[0].problem


def test_unreadable_file(tmp_path: Path) -> None:
    f = read_claim_file(tmp_path / "absent.toml")
    assert "cannot read" in f.errors[0].problem


def test_other_files_still_read(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.toml", "[[claims]\n")
    good = write(tmp_path, "good.toml", GOOD)
    cat, errors = load_catalogue([bad, good])
    assert "GD-01" in cat.claims and len(cat) == 47
    assert len(errors) == 1 and errors[0].file.endswith("bad.toml")


def test_duplicate_across_files(tmp_path: Path) -> None:
    other = GOOD.replace('id = "GD"', 'id = "OT"')
    _, errors = load_catalogue([write(tmp_path, "a.toml", GOOD), write(tmp_path, "b.toml", other)], builtin=False)
    assert [e.problem for e in errors] == ["duplicate claim id: already defined in " + str(tmp_path / "a.toml") + ":9"]


def test_duplicate_document_id(tmp_path: Path) -> None:
    _, errors = load_catalogue([write(tmp_path, "a.toml", GOOD), write(tmp_path, "b.toml", GOOD)], builtin=False)
    assert "document id 'GD' is already loaded" in errors[0].problem


def test_prose_claims_need_no_statement(tmp_path: Path) -> None:
    text = (
        GOOD + '\n[[claims]]\nid = "GD-02"\nsection = "s"\ntext = "What sets T?"\nkind = "question"\nmentions = ["T"]\n'
    )
    f = read_claim_file(write(tmp_path, "p.toml", text))
    assert f.errors == [] and f.claims[1].statement.form == "prose"


def test_law_needs_a_statement(tmp_path: Path) -> None:
    text = GOOD + '\n[[claims]]\nid = "GD-02"\nsection = "s"\ntext = "x"\nkind = "law"\n'
    f = read_claim_file(write(tmp_path, "p.toml", text))
    assert "a law needs a statement" in f.errors[0].problem
