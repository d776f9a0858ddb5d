"""The safe expression parser: an allow-list over Python's ``ast``, straight into SymPy.

Claim files hold expressions as text (``"Eq(F, E - T*S)"``). That text is never given to ``eval``, ``sympify`` or
``parse_expr``: it is parsed by :func:`ast.parse` and walked node by node, and only the constructs below are
turned into SymPy objects. Everything else is refused with an :class:`~thermosym.errors.ExpressionError` that names
the construct and its column.

Allowed: integer and float literals (bounded), names of declared quantities and the constants ``pi``, ``oo`` and
``constant`` (an unspecified finite constant), ``+ - * / **`` (constant exponents bounded by
:data:`MAX_EXPONENT`), unary minus and plus, single comparisons ``== <= >= < >`` at the top of a statement, indexing
a quantity by indices (``theta[i]``), tuples only as limits, and calls to the functions of :data:`FUNCTIONS`, to
the statement constructors of :data:`STATEMENTS`, and to declared quantities (``p(theta)`` applies the quantity as a
function).

>>> from thermosym.quantity import Quantity
>>> names = {n: Quantity(key=f"X.{n}", symbol=n, name=n, kind="energy", level="ensemble") for n in "EST"}
>>> parse_statement("Eq(E, T*S)", names).rel
Eq(X.E, X.S*X.T)
>>> parse_expression("__import__('os')", names)
Traceback (most recent call last):
...
thermosym.errors.ExpressionError: cannot parse "__import__('os')" at column 0: unknown function '__import__'
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from typing import Any

import sympy
from sympy.core.relational import Relational

from thermosym import operators as op
from thermosym.claim import Asymptotic, ExponentSet, Extremum, Relation, ScalingForm, Statement
from thermosym.errors import ExpressionError
from thermosym.quantity import Quantity

#: Longest expression text accepted.
MAX_LENGTH = 2000
#: Most AST nodes accepted in one expression.
MAX_NODES = 600
#: Largest absolute value of a numeric exponent.
MAX_EXPONENT = 100
#: Largest absolute value of an integer literal.
MAX_INTEGER = 10**15
#: Most decimal digits a numeric power may produce.
MAX_DIGITS = 400
#: Highest derivative order.
MAX_ORDER = 10

#: The constants a claim file may name.
CONSTANTS: dict[str, sympy.Basic] = {
    "pi": sympy.pi,
    "oo": sympy.oo,
    "constant": sympy.Symbol("constant"),
}


def _fixed_arity(func: Callable[..., sympy.Basic], *arities: int) -> Callable[..., sympy.Basic]:
    def build(*args: sympy.Basic) -> sympy.Basic:
        if len(args) not in arities:
            allowed = " or ".join(str(a) for a in arities)
            raise ValueError(f"takes {allowed} argument(s), got {len(args)}")
        return func(*args)

    return build


def _operator(cls: type[op._Operator]) -> Callable[..., sympy.Basic]:
    return _fixed_arity(cls, *cls.arity)


def _is_variable(x: sympy.Basic) -> bool:
    return isinstance(x, sympy.Symbol | sympy.Indexed | sympy.core.function.AppliedUndef)


def _derivative(expr: sympy.Basic, *spec: sympy.Basic) -> sympy.Basic:
    if not spec:
        raise ValueError("needs at least one variable")
    variables: list[Any] = []
    for item in spec:
        if isinstance(item, sympy.Integer) and variables:
            if not 1 <= int(item) <= MAX_ORDER:
                raise ValueError(f"derivative order must be between 1 and {MAX_ORDER}")
            variables[-1] = (variables[-1], int(item))
        elif _is_variable(item):
            variables.append(item)
        else:
            raise ValueError(f"cannot differentiate with respect to {item}")
    return sympy.Derivative(expr, *variables, evaluate=False)


def _limits(spec: tuple[sympy.Basic, ...], what: str) -> tuple[sympy.Basic, ...]:
    if len(spec) != 3 or not _is_variable(spec[0]):
        raise ValueError(f"{what} limits must be (variable, lower, upper)")
    return spec


def _integral(expr: sympy.Basic, *spec: Any) -> sympy.Basic:
    if len(spec) != 1:
        raise ValueError("takes an integrand and one variable or one (variable, lower, upper)")
    (var,) = spec
    if isinstance(var, tuple):
        return sympy.Integral(expr, _limits(var, "integral"))
    if not _is_variable(var):
        raise ValueError(f"cannot integrate over {var}")
    return sympy.Integral(expr, var)


def _sum(expr: sympy.Basic, *spec: Any) -> sympy.Basic:
    if len(spec) != 1:
        raise ValueError("takes a summand and one variable or one (index, lower, upper)")
    (var,) = spec
    if isinstance(var, tuple):
        return sympy.Sum(expr, _limits(var, "sum"))
    if not _is_variable(var):
        raise ValueError(f"cannot sum over {var}")
    return op.SumOver(expr, var)


def _partial(expr: sympy.Basic, wrt: sympy.Basic, *held: sympy.Basic) -> sympy.Basic:
    if not held:
        raise ValueError("needs the variables held fixed: Partial(E, S, V) is (∂E/∂S) at fixed V")
    for v in (wrt, *held):
        if not _is_variable(v):
            raise ValueError(f"{v} is not a variable")
    return op.ConstrainedDerivative(expr, wrt, *held)


#: The functions a claim file may call, by name.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "log": _fixed_arity(lambda x, b=None: sympy.log(x) if b is None else sympy.log(x, b), 1, 2),
    "exp": _fixed_arity(sympy.exp, 1),
    "sqrt": _fixed_arity(sympy.sqrt, 1),
    "sin": _fixed_arity(sympy.sin, 1),
    "cos": _fixed_arity(sympy.cos, 1),
    "tan": _fixed_arity(sympy.tan, 1),
    "sinh": _fixed_arity(sympy.sinh, 1),
    "cosh": _fixed_arity(sympy.cosh, 1),
    "tanh": _fixed_arity(sympy.tanh, 1),
    "acos": _fixed_arity(sympy.acos, 1),
    "atan": _fixed_arity(sympy.atan, 1),
    "Abs": _fixed_arity(sympy.Abs, 1),
    "sign": _fixed_arity(sympy.sign, 1),
    "Max": _fixed_arity(sympy.Max, 2, 3, 4),
    "Min": _fixed_arity(sympy.Min, 2, 3, 4),
    "Derivative": _derivative,
    "Partial": _partial,
    "Integral": _integral,
    "Sum": _sum,
    "Avg": _operator(op.Avg),
    "Var": _operator(op.Var),
    "Grad": _operator(op.Grad),
    "Laplacian": _operator(op.Laplacian),
    "Divergence": _operator(op.Divergence),
    "Differential": _operator(op.Differential),
    "Delta": _operator(op.Delta),
    "Argmax": _operator(op.Argmax),
    "Argmin": _operator(op.Argmin),
    "Dim": _operator(op.Dim),
    "Card": _operator(op.Card),
    "MutualInformation": _operator(op.MutualInformation),
}


def _relation(cls: type[Relational]) -> Callable[..., Statement]:
    def build(lhs: sympy.Basic, rhs: sympy.Basic) -> Statement:
        return Relation(cls(lhs, rhs, evaluate=False))

    return build


def _asymptotic(relation: str) -> Callable[..., Statement]:
    def build(lhs: sympy.Basic, rhs: sympy.Basic, *, limit: Any = None) -> Statement:
        if limit is None:
            return Asymptotic(lhs, relation, rhs)  # type: ignore[arg-type]
        if not (isinstance(limit, tuple) and len(limit) == 2 and _is_variable(limit[0])):
            raise ValueError("limit must be (variable, point)")
        return Asymptotic(lhs, relation, rhs, limit[0], limit[1])  # type: ignore[arg-type]

    return build


def _scaling(
    lhs: sympy.Basic,
    variable: sympy.Basic,
    exponent: sympy.Basic,
    function: sympy.Basic,
    argument: sympy.Basic,
) -> Statement:
    if not isinstance(function, sympy.Symbol):
        raise ValueError("the scaling function must be a declared quantity, given by name")
    return ScalingForm(lhs, variable, exponent, function, argument)


def _extremum(sense: str) -> Callable[..., Statement]:
    def build(objective: sympy.Basic, variable: sympy.Basic | None = None) -> Statement:
        return Extremum(objective, sense, variable)  # type: ignore[arg-type]

    return build


def _exponents(*exponents: sympy.Basic) -> Statement:
    if not exponents or not all(isinstance(e, sympy.Symbol) for e in exponents):
        raise ValueError("lists exponents by name")
    return ExponentSet(tuple(exponents))


#: The statement constructors, allowed only at the top of a statement.
STATEMENTS: dict[str, Callable[..., Statement]] = {
    "Eq": _relation(sympy.Eq),
    "Ge": _relation(sympy.Ge),
    "Le": _relation(sympy.Le),
    "Gt": _relation(sympy.Gt),
    "Lt": _relation(sympy.Lt),
    "Proportional": _asymptotic("proportional"),
    "Approx": _asymptotic("approx"),
    "TendsTo": _asymptotic("tends-to"),
    "ScalingForm": _scaling,
    "Minimum": _extremum("min"),
    "Maximum": _extremum("max"),
    "Exponents": _exponents,
}
_KEYWORDS: dict[str, frozenset[str]] = {"Proportional": frozenset({"limit"}), "Approx": frozenset({"limit"})}
_KEYWORDS["TendsTo"] = frozenset({"limit"})

#: Names a quantity may not take, because the parser gives them another meaning.
RESERVED = frozenset(CONSTANTS) | frozenset(FUNCTIONS) | frozenset(STATEMENTS)

_COMPARISONS: dict[type[ast.cmpop], type[Relational]] = {
    ast.Eq: sympy.Eq,
    ast.LtE: sympy.Le,
    ast.GtE: sympy.Ge,
    ast.Lt: sympy.Lt,
    ast.Gt: sympy.Gt,
}


class _Translator:
    """Walks an allowed AST and builds SymPy objects; refuses everything else."""

    def __init__(self, text: str, names: Mapping[str, Quantity]) -> None:
        self.text = text
        self.names = names

    def fail(self, node: ast.AST, problem: str) -> ExpressionError:
        return ExpressionError(self.text, problem, getattr(node, "col_offset", None))

    def statement(self, node: ast.AST) -> Statement:
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARISONS:
                raise self.fail(node, "only one comparison (==, <=, >=, <, >) is allowed")
            rel = _COMPARISONS[type(node.ops[0])]
            return Relation(rel(self.expr(node.left), self.expr(node.comparators[0]), evaluate=False))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in STATEMENTS:
            name = node.func.id
            args = [self.argument(a) for a in node.args]
            kwargs = self.keywords(node, _KEYWORDS.get(name, frozenset()))
            try:
                return STATEMENTS[name](*args, **kwargs)
            except (TypeError, ValueError) as exc:
                raise self.fail(node, f"{name}: {exc}") from None
        raise self.fail(
            node,
            f"a statement must be a relation (Eq, Ge, Le, ...) or a statement form ({', '.join(sorted(STATEMENTS))})",
        )

    def keywords(self, node: ast.Call, allowed: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in allowed:
                raise self.fail(node, f"keyword argument {kw.arg!r} is not allowed here")
            out[kw.arg] = self.argument(kw.value)
        return out

    def argument(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Tuple):
            return tuple(self.expr(e) for e in node.elts)
        return self.expr(node)

    def expr(self, node: ast.AST) -> sympy.Basic:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{type(node).__name__} is not allowed")
        result: sympy.Basic = method(node)
        return result

    def _Constant(self, node: ast.Constant) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, f"literal {value!r} is not allowed (numbers only)")
        if isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                raise self.fail(node, f"integer literal larger than {MAX_INTEGER}")
            return sympy.Integer(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise self.fail(node, "non-finite float literal")
        return sympy.Float(value)

    def _Name(self, node: ast.Name) -> sympy.Basic:
        if node.id in self.names:
            return self.names[node.id].sym
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS or node.id in STATEMENTS:
            raise self.fail(node, f"{node.id!r} is a function and must be called")
        raise self.fail(node, f"unknown name {node.id!r}")

    def _UnaryOp(self, node: ast.UnaryOp) -> sympy.Basic:
        operand = self.expr(node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")

    def _BinOp(self, node: ast.BinOp) -> sympy.Basic:
        left, right = self.expr(node.left), self.expr(node.right)
        match node.op:
            case ast.Add():
                return left + right
            case ast.Sub():
                return left - right
            case ast.Mult():
                return left * right
            case ast.Div():
                if right == 0:
                    raise self.fail(node, "division by zero")
                return left / right
            case ast.Pow():
                if right.is_Number and abs(right) > MAX_EXPONENT:
                    raise self.fail(node, f"exponent {right} exceeds the bound {MAX_EXPONENT}")
                if left.is_Number and right.is_Number and left != 0:
                    digits = float(abs(right)) * math.log10(abs(float(left)))
                    if digits > MAX_DIGITS:
                        raise self.fail(node, f"a number with about {digits:.0f} digits exceeds {MAX_DIGITS}")
                if left == 0 and right.is_Number and right < 0:
                    raise self.fail(node, "zero to a negative power")
                return left**right
        raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")

    def _Subscript(self, node: ast.Subscript) -> sympy.Basic:
        if not isinstance(node.value, ast.Name) or node.value.id not in self.names:
            raise self.fail(node, "only a declared quantity can be indexed")
        key = self.names[node.value.id].key
        index = node.slice
        indices = index.elts if isinstance(index, ast.Tuple) else [index]
        if isinstance(index, ast.Slice) or not indices:
            raise self.fail(node, "slices are not allowed")
        return sympy.IndexedBase(key, real=True)[tuple(self.expr(i) for i in indices)]

    def _Call(self, node: ast.Call) -> sympy.Basic:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only named functions may be called")
        name = node.func.id
        if name in STATEMENTS:
            raise self.fail(node, f"{name} states a claim and cannot appear inside an expression")
        if name in self.names:
            if node.keywords:
                raise self.fail(node, "keyword arguments are not allowed here")
            args = [self.expr(a) for a in node.args]
            if not args:
                raise self.fail(node, f"{name}() needs arguments")
            return self.names[name].func(*args)
        if name not in FUNCTIONS:
            raise self.fail(node, f"unknown function {name!r}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed here")
        args = [self.argument(a) for a in node.args]
        try:
            result: sympy.Basic = FUNCTIONS[name](*args)
        except (TypeError, ValueError, AttributeError) as exc:
            raise self.fail(node, f"{name}: {exc}") from None
        return result


def _parse_tree(text: str) -> ast.expr:
    if not isinstance(text, str):
        raise ExpressionError(repr(text), "an expression must be a string")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(text[:60] + "...", f"longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError(text, "empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        column = None if exc.offset is None else exc.offset - 1
        raise ExpressionError(text, f"syntax error: {exc.msg}", column) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(text, f"cannot be read: {type(exc).__name__}") from None
    count = sum(1 for _ in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(text, f"more than {MAX_NODES} syntax nodes")
    return tree.body


def _guarded(text: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError(text, "nested too deeply") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise ExpressionError(text, f"SymPy refused it: {exc}") from None


def parse_expression(text: str, names: Mapping[str, Quantity]) -> sympy.Basic:
    """Parse ``text`` into a SymPy expression whose symbols are the quantities of ``names``."""
    tree = _parse_tree(text)
    return _guarded(text, lambda: _Translator(text, names).expr(tree))


def parse_statement(text: str, names: Mapping[str, Quantity]) -> Statement:
    """Parse ``text`` into a statement: a relation or one of the statement forms of :data:`STATEMENTS`."""
    tree = _parse_tree(text)
    return _guarded(text, lambda: _Translator(text, names).statement(tree))
