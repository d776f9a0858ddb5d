"""The tokenizer: symbols, subscripts, differentials, words, and characters it refuses (as tokens, never raising)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thermosym.extract.tokens import MAX_TOKENS, TokenType, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.type.value, t.text) for t in tokenize(text) if t.type is not TokenType.END]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a run of capitals is one symbol per letter; the subscript goes to the last
        ("TS", [("ident", "T"), ("ident", "S")]),
        ("TS_L", [("ident", "T"), ("ident", "S_L")]),
        ("cv", [("ident", "c"), ("ident", "v")]),
        # d glued to a symbol is a differential, also before a Greek letter or a subscript
        ("dI", [("diff", "I")]),
        ("dθ", [("diff", "θ")]),
        ("dT_L", [("diff", "T_L")]),
        ("d*", [("ident", "d*")]),
        ("d x", [("ident", "d"), ("ident", "x")]),
        ("dim", [("func", "Dim")]),
        # words: functions, constants, prose, unsupported functions
        ("log", [("func", "log")]),
        ("ln", [("func", "log")]),
        ("argmax", [("func", "Argmax")]),
        ("constant", [("const", "constant")]),
        ("steady", [("word", "steady")]),
        ("at", [("word", "at")]),
        ("tr", [("word", "tr")]),
        # Greek letters, subscripts in three spellings, stars
        ("βW", [("ident", "β"), ("ident", "W")]),
        ("T_eff", [("ident", "T_eff")]),
        ("I_{ij}", [("ident", "I_ij")]),
        ("x₁", [("ident", "x_1")]),
        ("w* =", [("ident", "w*"), ("op", "=")]),
        ("a*b", [("ident", "a"), ("op", "*"), ("ident", "b")]),
        # superscripts and operators in their Unicode spellings
        ("T²", [("ident", "T"), ("sup", "2")]),
        ("T⁻¹", [("ident", "T"), ("sup", "-1")]),
        ("a − b", [("ident", "a"), ("op", "-"), ("ident", "b")]),
        ("a·b", [("ident", "a"), ("op", "*"), ("ident", "b")]),
        ("a ⩾ b", [("ident", "a"), ("op", ">="), ("ident", "b")]),
        ("a -> b", [("ident", "a"), ("op", "→"), ("ident", "b")]),
        ("a := b", [("ident", "a"), ("op", "≡"), ("ident", "b")]),
        ("½", [("num", "1/2")]),
        ("∞", [("const", "oo")]),
        ("π", [("const", "pi")]),
        ("Σ_i", [("sum", "∑"), ("underscore", "_"), ("ident", "i")]),
        ("Σ", [("ident", "Σ")]),
        ("ΔF", [("delta", "Δ"), ("ident", "F")]),
    ],
)
def test_tokens(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


def test_declared_compound_symbol() -> None:
    tokens = tokenize("ΔF", frozenset({"ΔF"}))
    assert (tokens[0].type, tokens[0].symbol) == (TokenType.IDENT, "ΔF")


@pytest.mark.parametrize(
    ("text", "reason"),
    [("x'", "primes"), ("$x$", "LaTeX"), ("\\alpha", "LaTeX"), ("‖x‖", "norms"), ("\x07", "control"), ("é", "U+00E9")],
)
def test_refused_characters_become_error_tokens(text: str, reason: str) -> None:
    errors = [t for t in tokenize(text) if t.type is TokenType.ERROR]
    assert errors and reason in errors[0].text


def test_index_subscripts() -> None:
    theta_i, t_l = tokenize("θ_i T_L")[:2]
    assert theta_i.index_subscript and not t_l.index_subscript


def test_token_bound() -> None:
    tokens = tokenize("x " * (MAX_TOKENS + 50))
    assert tokens[-2].type is TokenType.ERROR and f"more than {MAX_TOKENS}" in tokens[-2].text
    assert tokens[-1].type is TokenType.END


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=80))
def test_any_text_tokenizes(text: str) -> None:
    tokens = tokenize(text)
    assert tokens[-1].type is TokenType.END
    assert all(0 <= t.column <= len(text) for t in tokens)
