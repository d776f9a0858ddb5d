"""MathML enters the page unescaped only when it is plain presentation MathML (thermosym/report/mathml.py)."""

from __future__ import annotations

import pytest
import sympy

from thermosym.report.mathml import safe_mathml


def _sympy_mathml(expr: sympy.Basic) -> str:
    """What the lead's results.py is to add: SymPy's presentation MathML in a ``<math>`` element."""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{sympy.mathml(expr, printer="presentation")}</math>'


@pytest.mark.parametrize(
    "expr",
    [
        # SymPy prints named HTML5 entities (&InvisibleTimes;, &dd;, &ExponentialE;) that XML does not know
        sympy.Eq(sympy.Symbol("C_L"), sympy.Derivative(sympy.Function("E")(sympy.Symbol("T")), sympy.Symbol("T"))),
        sympy.Eq(sympy.Symbol("F"), sympy.exp(-sympy.Symbol("x")) * sympy.log(sympy.Symbol("Z"))),
        sympy.Sum(sympy.Symbol("p") * sympy.log(sympy.Symbol("p")), (sympy.Symbol("i"), 1, sympy.Symbol("n"))),
        sympy.Abs(sympy.Symbol("x")) ** sympy.Rational(1, 2),
        sympy.Matrix([[1, 2], [3, 4]]),
    ],
)
def test_sympy_presentation_mathml_is_accepted_unchanged(expr: sympy.Basic) -> None:
    markup = _sympy_mathml(expr)
    assert safe_mathml(markup) == markup


@pytest.mark.parametrize(
    "markup",
    [
        "<math><mi>x</mi></math><script>alert(1)</script>",  # trailing markup: not one element
        "<math><mi onclick='alert(1)'>x</mi></math>",  # event handler
        '<math><mi style="background:url(http://example.com/x)">x</mi></math>',  # style can fetch
        '<math><mi href="http://example.com">x</mi></math>',  # MathML 3 links
        '<math xmlns:xl="http://www.w3.org/1999/xlink"><mi xl:href="javascript:alert(1)">x</mi></math>',
        "<math><semantics><mi>x</mi><annotation-xml><div>html</div></annotation-xml></semantics></math>",
        "<math><mi>x</mi><svg/></math>",  # foreign element
        '<math xmlns="http://www.w3.org/1999/xhtml"><mi>x</mi></math>',  # wrong namespace
        '<?xml version="1.0"?><math><mi>x</mi></math>',
        '<!DOCTYPE math [<!ENTITY a "aaaa">]><math><mi>&a;</mi></math>',
        "<math><mi>&nosuchentity;</mi></math>",
        "<math><mi>x</mi>",  # not well-formed
        "<mrow><mi>x</mi></mrow>",  # not a math element
        "x = 1",
        None,
        42,
    ],
)
def test_anything_else_is_refused(markup: object) -> None:
    assert safe_mathml(markup) is None
