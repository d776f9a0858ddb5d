"""The safe parser: what it accepts, what it refuses, and that random and hostile input never escapes it."""

from __future__ import annotations

import string

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from thermosym import operators as op
from thermosym.claim import Asymptotic, ExponentSet, Extremum, Relation, ScalingForm
from thermosym.errors import ExpressionError
from thermosym.parser import MAX_EXPONENT, parse_expression, parse_statement
from thermosym.quantity import Quantity

NAMES = {
    n: Quantity(key=f"X.{n}", symbol=n, name=n, kind="energy", level="ensemble")
    for n in ("E", "S", "T", "V", "p", "theta", "C", "N", "i", "alpha", "f")
}
sym = {n: q.sym for n, q in NAMES.items()}


def test_relation_and_arithmetic() -> None:
    st_ = parse_statement("Eq(E, T*S - 2**3/4 + -V)", NAMES)
    assert isinstance(st_, Relation)
    assert sympy.simplify(st_.rhs - (sym["T"] * sym["S"] - 2 - sym["V"])) == 0


@pytest.mark.parametrize(("text", "op_"), [("E >= T*S", ">="), ("Le(E, S)", "<="), ("E == S", "=="), ("Gt(E, 0)", ">")])
def test_comparisons(text: str, op_: str) -> None:
    assert parse_statement(text, NAMES).op == op_  # type: ignore[union-attr]


def test_operators_build_unevaluated_objects() -> None:
    e = parse_expression("Partial(E, S, V) + Avg(E**2) - Var(E) + Sum(p(theta)*log(p(theta)), theta)", NAMES)
    assert e.atoms(op.ConstrainedDerivative) and e.atoms(op.Avg) and e.atoms(op.Var) and e.atoms(op.SumOver)
    d = parse_expression("Derivative(E, T, 2)", NAMES)
    assert isinstance(d, sympy.Derivative) and d.variable_count == ((sym["T"], 2),)
    s = parse_expression("Sum(theta[i], (i, 1, N))", NAMES)
    assert isinstance(s, sympy.Sum)
    assert isinstance(parse_expression("Integral(C/T, T)", NAMES), sympy.Integral)


def test_statement_forms() -> None:
    a = parse_statement("Proportional(C, T**alpha, limit=(T, 0))", NAMES)
    assert isinstance(a, Asymptotic) and a.point == 0 and a.variable == sym["T"]
    assert isinstance(parse_statement("TendsTo(C, constant, limit=(T, oo))", NAMES), Asymptotic)
    assert isinstance(parse_statement("ScalingForm(C(N), N, alpha, f, T/N)", NAMES), ScalingForm)
    assert isinstance(parse_statement("Minimum(Derivative(S, T))", NAMES), Extremum)
    assert isinstance(parse_statement("Exponents(alpha, E)", NAMES), ExponentSet)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("__import__('os')", "unknown function"),
        ("E.__class__", "Attribute is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("(lambda x: x)(1)", "only named functions"),
        ("[c for c in ()]", "ListComp is not allowed"),
        ("9**9**9", "exceeds the bound"),
        ("(((99**99)**99)**99)**99", "digits exceeds"),
        (f"E**{MAX_EXPONENT + 1}", "exceeds the bound"),
        ("10**1000000", "exceeds the bound"),
        ("'a'", "numbers only"),
        ("True", "numbers only"),
        ("E if S else T", "IfExp"),
        ("x", "unknown name"),
        ("log", "must be called"),
        ("E(S)(T)", "only named functions"),
        ("Eq(E, Eq(S, T))", "cannot appear inside"),
        ("log(E, S, T)", "takes 1 or 2"),
        ("1/0", "division by zero"),
        ("0**-1", "negative power"),
        ("E; S", "syntax error"),
        ("(" * 300 + ")" * 300, "syntax error"),
        ("E" * 3000, "longer than"),
        ("", "empty"),
        ("Derivative(E, 1)", "cannot differentiate"),
        ("Derivative(E, T, 99)", "order"),
        ("E[0:1]", "slices"),
        ("Abs(x=1)", "keyword"),
        ("Sum(E, (i, 1))", "limits"),
        ("getattr(E, 'x')", "unknown function"),
        ("E @ S", "MatMult"),
        ("1e400", "non-finite"),
    ],
)
def test_refuses(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression(text, NAMES)
    assert problem in str(info.value)


def test_bare_expression_is_not_a_statement() -> None:
    with pytest.raises(ExpressionError, match="a statement must be a relation"):
        parse_statement("E + S", NAMES)


def test_keyword_only_where_allowed() -> None:
    with pytest.raises(ExpressionError, match="keyword argument"):
        parse_statement("Eq(E, S, limit=(T, 0))", NAMES)


# ---- property-based: random formulas round-trip; random text never escapes --------------------------------
_leaves = st.sampled_from(["E", "S", "T", "V", "2", "3", "1/2"])


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    power = st.tuples(children, st.integers(-3, 3)).map(lambda t: f"({t[0]})**({t[1]})")
    func = st.tuples(st.sampled_from(["exp", "log", "sqrt", "Abs", "cosh"]), children).map(lambda t: f"{t[0]}({t[1]})")
    neg = children.map(lambda c: f"-({c})")
    return binary | power | func | neg


formulas = st.recursive(_leaves, _combine, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(formulas)
def test_random_formulas_agree_with_sympy_on_the_same_tree(text: str) -> None:
    """The parser builds the same expression SymPy builds from the same operations (a trusted reference on
    text the test itself generated, never on user input)."""
    try:
        ours = parse_expression(text, NAMES)
    except ExpressionError as exc:
        assert "division by zero" in exc.problem or "negative power" in exc.problem
        return
    local = {n: sym[n] for n in ("E", "S", "T", "V")}
    reference = sympy.sympify(text, locals=local)  # reference built from test-generated text only
    assert ours == reference or sympy.simplify(ours - reference) == 0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "θβ∑∂⟨⟩", max_size=80))
def test_random_text_is_parsed_or_refused_cleanly(text: str) -> None:
    try:
        result = parse_expression(text, NAMES)
    except ExpressionError:
        return
    assert isinstance(result, sympy.Basic)


_hostile_parts = st.sampled_from(
    [
        "__import__('os')",
        "().__class__",
        "open('x')",
        "lambda: 0",
        "exec('1')",
        "eval('1')",
        "E.__dict__",
        "globals()",
        "9**9**9**9",
        "[1]*10**9",
        "{'a': 1}",
        "E[::]",
        "yield 1",
        "await E",
        "*E",
        "**E",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(_hostile_parts, formulas), min_size=1, max_size=4),
    st.sampled_from(["+", ",", "*", " "]),
)
def test_hostile_input_is_refused(parts: list[str], sep: str) -> None:
    text = sep.join(parts)
    hostile = any(
        p in text for p in ("__", "open(", "lambda", "exec(", "eval(", "globals", "[", "{", "yield", "await", "9**9**9")
    )
    try:
        parse_expression(text, NAMES)
    except ExpressionError:
        return
    assert not hostile, f"accepted hostile input {text!r}"
