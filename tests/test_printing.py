"""Printing with the documents' symbols: LaTeX, text, and well-formed MathML for every statement."""

from __future__ import annotations

from xml.dom import minidom

import pytest

from thermosym import printing
from thermosym.catalogue import load_catalogue


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue()[0]


@pytest.mark.parametrize(
    ("symbol", "tex"),
    [
        ("T_eff", r"T_{\mathrm{eff}}"),
        ("θ", r"\theta"),
        ("ρ_I", r"\rho_{I}"),
        ("k_B", "k_{B}"),
        ("w*", "w^{*}"),
        ("ΔF", r"\Delta F"),
        ("E", "E"),
    ],
)
def test_symbol_latex(symbol: str, tex: str) -> None:
    assert printing.symbol_latex(symbol) == tex


def test_statements_print_with_document_symbols(catalogue) -> None:  # type: ignore[no-untyped-def]
    qs = list(catalogue.quantities.values())
    tl11 = catalogue.claim("TL-11").statement
    assert tl11.text(lambda e: printing.text(e, qs)) == "H(θ, p) = T(p) + V(θ)"
    assert "TL." not in tl11.latex(lambda e: printing.latex(e, qs))
    assert printing.text(catalogue.claim("HC-19").statement.rhs, qs) == "∫ (C_L/T_L) dT_L"


def test_mathml_is_well_formed_for_every_statement(catalogue) -> None:  # type: ignore[no-untyped-def]
    printer = printing.DocumentMathMLPrinter(list(catalogue.quantities.values()))
    for claim in catalogue:
        xml = printing.statement_mathml(claim.statement, printer)
        root = minidom.parseString(xml).documentElement
        assert root.tagName == "math"
        assert "TL." not in xml and "HC." not in xml, claim.id
        assert "ConstrainedDerivative" not in xml and "SumOver" not in xml
