"""Formulas read from Unicode math, as a small tree, and their text in the claim format's allow-list syntax.

The tree is what :mod:`thermosym.extract.notation` builds; :func:`emit` and :meth:`Formula.allowlist` turn it into
the text that :func:`thermosym.parser.parse_statement` reads (``Eq(E, -Sum(p(theta)*log(p(theta)), theta))``), so
that every formula a draft holds passes through the one safe parser. Symbols are kept as the document prints them
(``T_L``, ``θ``, ``ΔF``) until a claim file gives each a local name (:func:`local_name`).

>>> f = Formula("F = E - TS", Relation("==", Sym("F"), Bin("-", Sym("E"), Bin("*", Sym("T"), Sym("S")))))
>>> f.allowlist({"F": "F", "E": "E", "T": "T", "S": "S"})
'Eq(F, E - T*S)'
>>> local_name("θ"), local_name("T_eff"), local_name("ΔF"), local_name("w*"), local_name("λ")
('theta', 'T_eff', 'DeltaF', 'w_star', 'lambda_')
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from thermosym.extract.tokens import GREEK
from thermosym.parser import RESERVED


@dataclass(frozen=True)
class Num:
    """A number as written: ``2``, ``0.5``, ``1/2`` (from ½)."""

    text: str


@dataclass(frozen=True)
class Sym:
    """A symbol, by the text the document prints (``T_L``, ``θ``, ``w*``, ``ΔF``)."""

    symbol: str


@dataclass(frozen=True)
class Const:
    """``oo`` (∞), ``constant`` (an unspecified finite constant) or ``pi`` (π)."""

    name: str


@dataclass(frozen=True)
class Indexed:
    """An entry of a symbol: ``θ_i`` is ``Indexed("θ", (Sym("i"),))``."""

    base: str
    indices: tuple[Node, ...]


@dataclass(frozen=True)
class Apply:
    """A symbol applied as a function: ``p(θ)``, ``H(θ, p)``; ``p(θ|D)`` has the arguments ``θ, D``."""

    head: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    """A function of the claim format: ``log``, ``exp``, ``Avg`` (⟨·⟩), ``Abs``, ``Card``, ``Grad`` (∇), ..."""

    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Bin:
    """``left op right`` for op one of ``+ - * / ^``."""

    op: Literal["+", "-", "*", "/", "^"]
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    """``-operand``."""

    operand: Node


@dataclass(frozen=True)
class Deriv:
    """A derivative ∂ⁿexpr/∂x…; with ``held`` it is (∂expr/∂x) at fixed ``held`` (``Partial`` in claim files)."""

    expr: Node
    variables: tuple[tuple[Node, int], ...]
    held: tuple[Node, ...] = ()


@dataclass(frozen=True)
class SumOf:
    """∑ over ``var``, from ``lower`` to ``upper`` when both are written."""

    body: Node
    var: Node
    lower: Node | None = None
    upper: Node | None = None


@dataclass(frozen=True)
class IntegralOf:
    """∫ body d``var``, from ``lower`` to ``upper`` when both are written."""

    body: Node
    var: Node
    lower: Node | None = None
    upper: Node | None = None


Node: TypeAlias = Num | Sym | Const | Indexed | Apply | Call | Bin | Neg | Deriv | SumOf | IntegralOf


@dataclass(frozen=True)
class Relation:
    """An equation or inequality; ``op`` is one of ``== >= <= > <``."""

    op: Literal["==", ">=", "<=", ">", "<"]
    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class Asymptotic:
    """``lhs ∝ rhs``, ``lhs ≈ rhs`` or ``lhs → rhs``, in the limit ``variable → point`` when one is known."""

    relation: Literal["proportional", "approx", "tends-to"]
    lhs: Node
    rhs: Node
    variable: Node | None = None
    point: Node | None = None


@dataclass(frozen=True)
class Scaling:
    """A scaling form ``lhs = variable^exponent · function(argument)``."""

    lhs: Node
    variable: Node
    exponent: Node
    function: str
    argument: Node


@dataclass(frozen=True)
class Extremum:
    """``objective`` is minimal (``min``) or maximal (``max``)."""

    objective: Node
    sense: Literal["min", "max"]


StatementNode: TypeAlias = Relation | Asymptotic | Scaling | Extremum

_RELATIONS = {"==": "Eq", ">=": "Ge", "<=": "Le", ">": "Gt", "<": "Lt"}
_ASYMPTOTIC = {"proportional": "Proportional", "approx": "Approx", "tends-to": "TendsTo"}


@dataclass(frozen=True)
class Formula:
    """A formula as written, the statement read from it, and what the reader had to guess (``notes``).

    ``condition`` is text the statement cannot hold (``at steady state``); ``limit_variable`` the variable of
    a limit the text left implicit (``Near T_c:`` read as T_L → T_c), so that the next formula can reuse it.
    """

    text: str
    statement: StatementNode
    notes: tuple[str, ...] = ()
    condition: str = ""
    limit_variable: str | None = None
    symbol_roles: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.symbol_roles:
            object.__setattr__(self, "symbol_roles", symbol_roles([self.statement]))

    def allowlist(self, names: Mapping[str, str]) -> str:
        """The statement in the claim format's syntax, each symbol written by its local name in ``names``."""
        return emit_statement(self.statement, names)


# ---- symbols and their roles ------------------------------------------------------------------------------


def _children(node: Node | StatementNode) -> Iterator[Node]:
    match node:
        case Indexed(indices=indices):
            yield from indices
        case Apply(args=args) | Call(args=args):
            yield from args
        case Bin(left=left, right=right):
            yield left
            yield right
        case Neg(operand=operand):
            yield operand
        case Deriv(expr=expr, variables=variables, held=held):
            yield expr
            yield from (v for v, _ in variables)
            yield from held
        case SumOf() | IntegralOf():
            yield node.body
            yield node.var
            yield from (b for b in (node.lower, node.upper) if b is not None)
        case Relation(lhs=lhs, rhs=rhs):
            yield lhs
            yield rhs
        case Asymptotic():
            yield from (n for n in (node.lhs, node.rhs, node.variable, node.point) if n is not None)
        case Scaling():
            yield from (node.lhs, node.variable, node.exponent, node.argument)
        case Extremum(objective=objective):
            yield objective


def walk(node: Node | StatementNode) -> Iterator[Node | StatementNode]:
    """``node`` and everything below it, parents first."""
    stack: list[Node | StatementNode] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(_children(current))))


def symbol_roles(nodes: Iterable[Node | StatementNode]) -> dict[str, frozenset[str]]:
    """Every printed symbol of ``nodes`` with the roles it plays.

    Roles: ``symbol`` (used as a plain value), ``function`` (applied: p(θ)), ``indexed`` (θ_i), ``index`` (the i
    of θ_i), ``differential`` (dI), ``variable`` (summed, integrated or differentiated over).
    """
    roles: dict[str, set[str]] = {}

    def add(symbol: str, role: str) -> None:
        roles.setdefault(symbol, set()).add(role)

    for top in nodes:
        for node in walk(top):
            match node:
                case Sym(symbol=s):
                    add(s, "symbol")
                case Apply(head=h):
                    add(h, "function")
                case Indexed(base=b, indices=indices):
                    add(b, "indexed")
                    for i in indices:
                        if isinstance(i, Sym):
                            add(i.symbol, "index")
                case Call(func="Differential", args=(Sym(symbol=s),)):
                    add(s, "differential")
                case Deriv(variables=variables):
                    for v, _ in variables:
                        if isinstance(v, Sym):
                            add(v.symbol, "variable")
                case SumOf(var=Sym(symbol=s)) | IntegralOf(var=Sym(symbol=s)):
                    add(s, "variable")
                case Scaling(function=f):
                    add(f, "symbol")
    return {s: frozenset(r) for s, r in roles.items()}


# ---- local names ------------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _ascii(text: str) -> str:
    return "".join(GREEK.get(ch, ch) for ch in text)


def local_name(symbol: str) -> str:
    """The name a claim file gives a printed symbol: Greek letters spelled out, ``Δ`` as ``Delta``, ``*`` as
    ``_star``; a name the parser reserves (``Delta``, ``pi``) or a Python keyword (``lambda``) gets a ``_``."""
    star = symbol.endswith("*")
    base, _, sub = symbol.rstrip("*").partition("_")
    name = "Delta" + _ascii(base[1:]) if base.startswith("Δ") and len(base) > 1 else _ascii(base)
    if sub:
        name += "_" + _ascii(sub)
    if star:
        name += "_star"
    name = re.sub(r"[^A-Za-z0-9_]", "_", name) or "q"
    if not _IDENTIFIER.match(name):
        name = "q_" + name
    if name in RESERVED or keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def default_names(symbols: Iterable[str]) -> dict[str, str]:
    """Local names for printed symbols, distinct even where two symbols spell the same (``θ`` and ``θ*``...)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for symbol in symbols:
        name = local_name(symbol)
        candidate, n = name, 2
        while candidate in taken:
            candidate, n = f"{name}_{n}", n + 1
        out[symbol] = candidate
        taken.add(candidate)
    return out


# ---- emission ---------------------------------------------------------------------------------------------

_ATOM, _POWER, _UNARY, _PRODUCT, _SUM = 5, 4, 3, 2, 1


def _precedence(node: Node) -> int:
    match node:
        case Bin(op="+") | Bin(op="-"):
            return _SUM
        case Bin(op="*") | Bin(op="/"):
            return _PRODUCT
        case Bin(op="^"):
            return _POWER
        case Neg():
            return _UNARY
        case Num(text=text) if "/" in text:
            return _PRODUCT
    return _ATOM


def _wrap(node: Node, names: Mapping[str, str], minimum: int) -> str:
    text = emit(node, names)
    return f"({text})" if _precedence(node) < minimum else text


def emit(node: Node, names: Mapping[str, str]) -> str:
    """``node`` in the claim format's syntax; ``names`` maps each printed symbol to its local name."""
    match node:
        case Num(text=text):
            return text
        case Sym(symbol=s):
            return names[s]
        case Const(name=name):
            return name
        case Indexed(base=base, indices=indices):
            return f"{names[base]}[{', '.join(emit(i, names) for i in indices)}]"
        case Apply(head=head, args=args):
            return f"{names[head]}({', '.join(emit(a, names) for a in args)})"
        case Call(func=func, args=args):
            return f"{func}({', '.join(emit(a, names) for a in args)})"
        case Neg(operand=operand):
            return "-" + _wrap(operand, names, _PRODUCT)
        case Bin(op="^", left=left, right=right):
            return f"{_wrap(left, names, _ATOM)}**{_wrap(right, names, _ATOM)}"
        case Bin(op=op, left=left, right=right) if op in ("*", "/"):
            right_min = _UNARY if op == "/" else _PRODUCT
            return f"{_wrap(left, names, _PRODUCT)}{op}{_wrap(right, names, right_min)}"
        case Bin(op=op, left=left, right=right):
            right_min = _PRODUCT if op == "-" else _SUM
            return f"{_wrap(left, names, _SUM)} {op} {_wrap(right, names, right_min)}"
        case Deriv(expr=expr, variables=variables, held=held):
            if held:
                (var, _order), *_ = variables
                fixed = ", ".join(emit(h, names) for h in held)
                return f"Partial({emit(expr, names)}, {emit(var, names)}, {fixed})"
            spec = ", ".join(emit(v, names) + ("" if n == 1 else f", {n}") for v, n in variables)
            return f"Derivative({emit(expr, names)}, {spec})"
        case SumOf() | IntegralOf():
            head = "Sum" if isinstance(node, SumOf) else "Integral"
            spec = emit(node.var, names)
            if node.lower is not None and node.upper is not None:
                spec = f"({spec}, {emit(node.lower, names)}, {emit(node.upper, names)})"
            return f"{head}({emit(node.body, names)}, {spec})"
    raise TypeError(f"not a formula node: {node!r}")


def emit_statement(statement: StatementNode, names: Mapping[str, str]) -> str:
    """A statement in the claim format's syntax (``Eq(...)``, ``Proportional(..., limit=(x, 0))``, ...)."""
    match statement:
        case Relation(op=op, lhs=lhs, rhs=rhs):
            return f"{_RELATIONS[op]}({emit(lhs, names)}, {emit(rhs, names)})"
        case Asymptotic(relation=relation, lhs=lhs, rhs=rhs, variable=variable, point=point):
            limit = ""
            if variable is not None and point is not None:
                limit = f", limit=({emit(variable, names)}, {emit(point, names)})"
            return f"{_ASYMPTOTIC[relation]}({emit(lhs, names)}, {emit(rhs, names)}{limit})"
        case Scaling(lhs=lhs, variable=variable, exponent=exponent, function=function, argument=argument):
            parts = (emit(lhs, names), emit(variable, names), emit(exponent, names), names[function])
            return f"ScalingForm({', '.join(parts)}, {emit(argument, names)})"
        case Extremum(objective=objective, sense=sense):
            return f"{'Minimum' if sense == 'min' else 'Maximum'}({emit(objective, names)})"
    raise TypeError(f"not a statement: {statement!r}")
