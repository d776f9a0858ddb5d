"""A reader for the Unicode math of Markdown notes: ``C_L ∝ |T_L − T_c|^−γ`` → ``Proportional(C_L, ...)``.

It reads the notation the source documents use and writes allow-list text (:mod:`thermosym.extract.formula`),
which the safe parser :mod:`thermosym.parser` then turns into SymPy: safety stays in one place. Whatever it cannot
read it refuses with an :class:`~thermosym.errors.ExpressionError` that names the problem and its column; it never
raises anything else, whatever the input (see ``tests/extract/test_notation.py``).

Grammar, loosest binding first (juxtaposition binds tighter than an explicit ``·`` or ``/``, as in the APS and
AIP style guides: ``a/bc`` is a/(bc))::

    statement := expr [relation expr] [limit]     relation: = ≡ ≥ ≤ > < ∝ ≈ ~ →
    expr      := term (("+" | "−") term)*
    term      := unary (("·" | "*" | "/") unary)*
    unary     := "−" unary | implicit
    implicit  := power power*                     (TS, βL(θ), D∇²p, p(θ) log p(θ))
    power     := primary [("^" exponent) | superscript]
    primary   := number | symbol | symbol(args) | (expr) | ⟨expr⟩ | |expr| | function | ∂… | d… | ∇… | Δ… | ∑… | ∫…

``∑`` and ``∫`` take the term that follows (``−∑ p(θ) log p(θ)``); ``∫`` ends its integrand at the differential
(``∫ exp(−βL(θ)) dθ``). ``∑`` without a subscript sums over the one variable its summand is a function of.

>>> parse_formula("T = ∂E/∂S|_V").allowlist({"T": "T", "E": "E", "S": "S", "V": "V"})
'Eq(T, Partial(E, S, V))'
>>> names = {"C_L": "C_L", "T_L": "T_L", "T_c": "T_c", "γ": "gamma"}
>>> parse_formula("C_L ∝ |T_L − T_c|^−γ", limit="T_L ≈ T_c").allowlist(names)
'Proportional(C_L, Abs(T_L - T_c)**(-gamma), limit=(T_L, T_c))'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from thermosym.errors import ExpressionError
from thermosym.extract.formula import (
    Apply,
    Asymptotic,
    Bin,
    Call,
    Const,
    Deriv,
    Extremum,
    Formula,
    Indexed,
    IntegralOf,
    Neg,
    Node,
    Num,
    Relation,
    Scaling,
    StatementNode,
    SumOf,
    Sym,
    walk,
)
from thermosym.extract.tokens import UNSUPPORTED_FUNCTIONS, Token, TokenType, tokenize
from thermosym.parser import MAX_EXPONENT, MAX_ORDER

#: Longest formula read, in characters.
MAX_FORMULA_LENGTH = 500
#: Deepest nesting (brackets, operators) read.
MAX_DEPTH = 40
#: Largest magnitude of a number the formula may compute from its literals (``10^10^10`` is refused).
MAX_MAGNITUDE = 1e100
#: The default symbols whose bars mean a count: ``|θ|`` is the number of parameters, not an absolute value.
VECTORS = frozenset({"θ"})

_RELATIONS = frozenset({"=", "≡", ">=", "<=", ">", "<", "∝", "≈", "~", "→", "!=", "⇒"})
_EXTREMA = {"minimum": "min", "minimal": "min", "maximum": "max", "maximal": "max"}
_LIMIT_WORDS = frozenset({"as", "for", "when", "near"})
_ARITY = {"log": (1, 2), "Max": (2, 3, 4), "Min": (2, 3, 4)}
_CLOSING = {"(": ")", "[": "]", "{": "}"}
_DESCRIBE = {TokenType.END: "the end of the formula", TokenType.UNDERSCORE: "'_'"}


def _describe(token: Token) -> str:
    return _DESCRIBE.get(token.type, repr(token.raw or token.text))


def _numeric(node: Node) -> Fraction | float | None:
    """The value of a node made only of number literals, or None; raises OverflowError when it is too large."""
    match node:
        case Num(text=text):
            return Fraction(text)
        case Neg(operand=operand):
            value = _numeric(operand)
            return None if value is None else -value
        case Bin(op=op, left=left, right=right):
            a, b = _numeric(left), _numeric(right)
            if a is None or b is None:
                return None
            result: Fraction | float
            if op == "^":
                if a == 0 and b < 0:
                    raise ZeroDivisionError
                if a < 0 and b != int(b):
                    return None
                result = math.pow(float(a), float(b))
            elif op == "+":
                result = a + b
            elif op == "-":
                result = a - b
            elif op == "*":
                result = a * b
            else:
                result = a / b if b else math.inf
            if abs(float(result)) > MAX_MAGNITUDE:
                raise OverflowError
            return result
    return None


def _product(head: str, argument: Node) -> bool:
    """Whether ``head(argument)`` reads as a product: the head appears in its own argument (``h(1 − ηh/2)``), or
    the argument is a sum with a number in it (``x(1 + y)``)."""
    if any(
        isinstance(n, Sym | Apply) and getattr(n, "symbol", getattr(n, "head", None)) == head for n in walk(argument)
    ):
        return True
    if isinstance(argument, Bin) and argument.op in ("+", "-"):
        terms = [argument.left, argument.right]
        return any(isinstance(t, Num) or (isinstance(t, Neg) and isinstance(t.operand, Num)) for t in terms)
    return False


class _Parser:
    """Recursive descent over the tokens of one formula; every refusal goes through :meth:`fail`."""

    def __init__(
        self, text: str, tokens: list[Token], vectors: frozenset[str], functions: frozenset[str] = frozenset()
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.vectors = vectors
        self.functions = functions
        self.i = 0
        self.depth = 0
        self.bars = 0  # > 0 inside |...| or an argument list: a bar there closes or separates
        self.integrals = 0  # > 0 inside an integrand: a differential there ends it
        self.notes: list[str] = []

    # ---- plumbing ------------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return token

    def at(self, *ops: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.type is TokenType.OP and token.text in ops

    def fail(self, problem: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(self.text, problem, (token or self.peek()).column)

    def expect(self, op: str, what: str) -> Token:
        if not self.at(op):
            raise self.fail(f"expected {op!r} {what}, found {_describe(self.peek())}")
        return self.advance()

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @contextmanager
    def nested(self) -> Iterator[None]:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep")
        try:
            yield
        finally:
            self.depth -= 1

    @contextmanager
    def context(self, *, bars: int | None = None, integrals: int | None = None) -> Iterator[None]:
        saved = self.bars, self.integrals
        self.bars = saved[0] if bars is None else bars
        self.integrals = saved[1] if integrals is None else integrals
        try:
            yield
        finally:
            self.bars, self.integrals = saved

    def binary(self, op: str, left: Node, right: Node) -> Node:
        """``left op right``, refusing numbers that the safe parser would take too long to build."""
        node = Bin(op, left, right)  # type: ignore[arg-type]
        try:
            value = _numeric(right)
            if op == "^" and value is not None and abs(float(value)) > MAX_EXPONENT:
                raise self.fail(f"exponent {float(value):g} exceeds the bound {MAX_EXPONENT}")
            if op == "/" and value == 0:
                raise self.fail("division by zero")
            _numeric(node)
        except OverflowError:
            raise self.fail(f"a number larger than {MAX_MAGNITUDE:g}") from None
        except ZeroDivisionError:
            raise self.fail("zero to a negative power") from None
        return node

    # ---- statements ----------------------------------------------------------------------------------------
    def statement(self) -> tuple[StatementNode, str, tuple[Node | None, Node] | None]:
        """The statement, any trailing condition text, and a limit written after it (``as T → 0``)."""
        lhs = self.expression()
        token = self.peek()
        if token.type is TokenType.END:
            raise self.fail("no relation (=, ≥, ≤, ∝, ≈, →): not a formula")
        if token.type is not TokenType.OP or token.text not in _RELATIONS:
            raise self.fail(f"unexpected {_describe(token)} after {self.text[: token.column].strip()!r}")
        op = self.advance().text
        if op == "!=":
            raise self.fail("'≠' has no statement form in the claim format", token)
        if op == "⇒":
            raise self.fail("an implication is not a formula", token)
        word = self.peek()
        if op in ("=", "≡") and word.type is TokenType.WORD and word.text.lower() in _EXTREMA:
            self.advance()
            condition = self.text[word.column + len(word.raw) :].strip(" ,.;:")
            return Extremum(lhs, _EXTREMA[word.text.lower()]), condition, None  # type: ignore[arg-type]
        rhs = self.expression()
        limit = self.trailing_limit()
        end = self.peek()
        if end.type is TokenType.OP and end.text in _RELATIONS:
            raise self.fail("more than one relation (a = b = c): write one formula per relation")
        if end.type is not TokenType.END:
            raise self.fail(f"unexpected {_describe(end)} after the formula")
        if op == "≡":
            self.note("'≡' read as a definition (=)")
        if op == "~":
            self.note("'~' read as ∝")
        relation: StatementNode
        if op in ("=", "≡", ">=", "<=", ">", "<"):
            relation = Relation("==" if op in ("=", "≡") else op, lhs, rhs)  # type: ignore[arg-type]
        else:
            kind = {"∝": "proportional", "~": "proportional", "≈": "approx", "→": "tends-to"}[op]
            relation = Asymptotic(kind, lhs, rhs)  # type: ignore[arg-type]
        return relation, "", limit

    def trailing_limit(self) -> tuple[Node | None, Node] | None:
        """``, as T → 0``, ``for T → 0``, ``(T → 0)``, ``near T_c`` after a formula."""
        start = self.i
        if self.at(","):
            self.advance()
        token = self.peek()
        if token.type is TokenType.WORD and token.text.lower() in _LIMIT_WORDS:
            self.advance()
            return self.limit_body(near=token.text.lower() == "near")
        if self.at("(") and self.limit_group():
            self.advance()
            limit = self.limit_body(near=False)
            self.expect(")", "to close the limit")
            return limit
        self.i = start
        return None

    def limit_body(self, *, near: bool) -> tuple[Node | None, Node]:
        if near:
            return None, self.limit_point()
        variable = self.primary()
        if not self.at("→", "≈"):
            raise self.fail(f"expected '→' in the limit, found {_describe(self.peek())}")
        self.advance()
        return variable, self.limit_point()

    def limit_point(self) -> Node:
        point = self.expression()
        if self.peek().type is TokenType.SUP and self.peek().text in ("+", "-"):
            self.advance()
            self.note("a one-sided limit (0⁺) is read as the limit itself")
        return point

    # ---- expressions ---------------------------------------------------------------------------------------
    def expression(self) -> Node:
        with self.nested():
            left = self.term()
            while self.at("+", "-"):
                op = self.advance().text
                left = self.binary(op, left, self.term())
            return left

    def term(self) -> Node:
        left = self.unary()
        while self.at("*", "/"):
            op = self.advance().text
            left = self.binary(op, left, self.unary())
        return left

    def unary(self) -> Node:
        if self.at("-"):
            self.advance()
            with self.nested():
                operand = self.unary()
            return Neg(operand)
        if self.at("+"):
            self.advance()
            return self.unary()
        return self.implicit()

    def limit_group(self) -> bool:
        """Whether the bracket at the current token holds a limit (``(T → 0)``) rather than a factor."""
        depth = 0
        for token in self.tokens[self.i :]:
            if token.type is not TokenType.OP:
                continue
            if token.text in _CLOSING:
                depth += 1
            elif token.text in _CLOSING.values():
                depth -= 1
                if depth == 0:
                    return False
            elif token.text == "→" and depth == 1:
                return True
        return False

    def continues(self, token: Token) -> bool:
        """Whether ``token`` starts another factor of a juxtaposed product."""
        if token.type is TokenType.OP:
            if token.text == "(" and self.limit_group():
                return False
            return token.text in ("(", "[", "{", "⟨") or (token.text == "|" and self.bars == 0)
        if token.type is TokenType.DIFF:
            return self.integrals == 0
        return token.type not in (TokenType.WORD, TokenType.SUP, TokenType.UNDERSCORE, TokenType.END)

    def implicit(self) -> Node:
        left = self.power()
        while self.continues(self.peek()):
            left = self.binary("*", left, self.power())
        return left

    def power(self) -> Node:
        base = self.primary()
        token = self.peek()
        if token.type is TokenType.SUP and token.text not in ("+", "-"):
            self.advance()
            node = self.binary("^", base, self.superscript(token))
        elif self.at("^"):
            self.advance()
            node = self.binary("^", base, self.exponent())
        else:
            return base
        if self.peek().type is TokenType.SUP or self.at("^"):
            raise self.fail("two exponents in a row: use parentheses")
        return node

    def superscript(self, token: Token) -> Node:
        match = re.fullmatch(r"([+-]?)(\d+|[a-z])", token.text)
        if match is None:
            raise self.fail(f"cannot read the superscript {token.raw!r}", token)
        sign, body = match.groups()
        node: Node = Num(body) if body.isdigit() else Sym(body)
        return Neg(node) if sign == "-" else node

    def exponent(self) -> Node:
        with self.nested():
            if self.at("-"):
                self.advance()
                return Neg(self.exponent())
            if self.at("+"):
                self.advance()
            base = self.primary()
            if self.at("^"):
                self.advance()
                return self.binary("^", base, self.exponent())
            return base

    # ---- primaries -----------------------------------------------------------------------------------------
    def primary(self) -> Node:
        token = self.peek()
        with self.nested():
            match token.type:
                case TokenType.NUM:
                    self.advance()
                    if len(token.text.split(".")[0].split("/")[0]) > 15:
                        raise self.fail("a number with more than 15 digits", token)
                    return Num(token.text)
                case TokenType.CONST:
                    self.advance()
                    return Const(token.text)
                case TokenType.IDENT:
                    return self.identifier()
                case TokenType.DIFF:
                    return self.differential()
                case TokenType.FUNC:
                    return self.function()
                case TokenType.PARTIAL:
                    return self.partial()
                case TokenType.NABLA:
                    return self.nabla()
                case TokenType.SUM:
                    return self.sum()
                case TokenType.INTEGRAL:
                    return self.integral()
                case TokenType.DELTA:
                    self.advance()
                    self.note("Δx read as a finite change Delta(x); declare ΔX in a Where list if it is a symbol")
                    return Call("Delta", (self.primary(),))
                case TokenType.SQRT:
                    self.advance()
                    return Call("sqrt", (self.power(),))
                case TokenType.OP if token.text in _CLOSING:
                    return self.group()
                case TokenType.OP if token.text == "⟨":
                    return self.average()
                case TokenType.OP if token.text == "|":
                    return self.bars_()
                case TokenType.ERROR:
                    raise self.fail(token.text, token)
                case TokenType.WORD if token.text in UNSUPPORTED_FUNCTIONS:
                    raise self.fail(f"the function {token.text!r} is not in the claim format", token)
                case TokenType.WORD:
                    raise self.fail(f"prose in the formula: {token.text!r}", token)
                case TokenType.END:
                    raise self.fail("the formula ends where a term was expected", token)
                case TokenType.UNDERSCORE:
                    raise self.fail("a subscript '_' with nothing before it", token)
                case TokenType.SUP:
                    raise self.fail("an exponent with no base", token)
            raise self.fail(f"unexpected {_describe(token)}", token)

    def symbol_node(self, token: Token) -> Node:
        if token.index_subscript:
            return Indexed(token.base, tuple(Sym(c) for c in token.sub))
        return Sym(token.symbol)

    def identifier(self) -> Node:
        token = self.advance()
        if token.symbol == "d" and self.at("/") and self.peek(1).type is TokenType.DIFF:
            self.advance()
            variable = self.advance()
            operand = self.power()
            return Deriv(operand, ((self.symbol_node(variable), variable.order),))
        node = self.symbol_node(token)
        if token.index_subscript:
            self.note(f"{token.symbol} read as the entry {', '.join(token.sub)} of {token.base}")
        following = self.peek()
        if not (self.at("(") and not following.space_before):
            return node
        if isinstance(node, Indexed):
            raise self.fail(f"an indexed symbol {token.symbol} cannot be applied to arguments", following)
        args, separators = self.arguments()
        if ";" in separators:
            if token.symbol == "I" and len(args) == 2 and separators == [";"]:
                return Call("MutualInformation", args)
            raise self.fail("';' between arguments is read only in I(x;y), the mutual information", following)
        if "|" in separators:
            self.note(f"{token.symbol}(…|…) written {token.symbol}(…, …)")
        if len(args) == 1 and not separators and token.symbol not in self.functions and _product(token.symbol, args[0]):
            self.note(f"{token.symbol}(…) read as the product {token.symbol}·(…), not as a function of (…)")
            return self.binary("*", node, args[0])
        return Apply(token.symbol, args)

    def arguments(self) -> tuple[tuple[Node, ...], list[str]]:
        opening = self.advance()
        if self.at(")"):
            raise self.fail("an empty argument list", opening)
        args: list[Node] = []
        separators: list[str] = []
        with self.context(bars=1, integrals=0):
            while True:
                args.append(self.expression())
                if self.at(",", ";", "|"):
                    separators.append(self.advance().text)
                    continue
                self.expect(")", "to close the argument list")
                return tuple(args), separators

    def group(self) -> Node:
        opening = self.advance()
        with self.context(bars=0, integrals=0):
            inner = self.expression()
        self.expect(_CLOSING[opening.text], f"to close {opening.text!r}")
        if self.peek().type is TokenType.UNDERSCORE:
            if not (isinstance(inner, Deriv) and not inner.held):
                raise self.fail("a subscript after a bracket marks the variables held fixed: (∂E/∂S)_V")
            self.advance()
            return self.constrained(inner, self.held_list())
        return inner

    def average(self) -> Node:
        self.advance()
        with self.context(bars=0, integrals=0):
            inner = self.expression()
        self.expect("⟩", "to close '⟨'")
        if self.peek().type is TokenType.UNDERSCORE:
            raise self.fail("an average with a subscript (⟨·⟩_p) is not supported")
        return Call("Avg", (inner,))

    def bars_(self) -> Node:
        opening = self.advance()
        with self.context(bars=1, integrals=0):
            inner = self.expression()
        if not self.at("|"):
            raise self.fail(f"the bar at column {opening.column} is not closed")
        self.advance()
        if self.peek().type is TokenType.UNDERSCORE:
            raise self.fail("'|_' (held fixed) must follow a derivative: ∂E/∂S|_V")
        if isinstance(inner, Sym) and inner.symbol in self.vectors:
            self.note(f"|{inner.symbol}| read as the number of entries of {inner.symbol} (Card), not Abs")
            return Call("Card", (inner,))
        return Call("Abs", (inner,))

    def held_list(self) -> tuple[Node, ...]:
        """The variables after a ``_`` that marks what a derivative holds fixed: ``_V`` or ``_{V, N}``."""
        if self.at("{"):
            self.advance()
            held = [self.held_symbol()]
            while self.at(","):
                self.advance()
                held.append(self.held_symbol())
            self.expect("}", "to close the held variables")
            return tuple(held)
        return (self.held_symbol(),)

    def held_symbol(self) -> Node:
        token = self.peek()
        if token.type is not TokenType.IDENT:
            raise self.fail(f"expected a variable held fixed, found {_describe(token)}")
        self.advance()
        return Sym(token.symbol)

    def constrained(self, derivative: Deriv, held: tuple[Node, ...]) -> Node:
        if len(derivative.variables) != 1 or derivative.variables[0][1] != 1:
            raise self.fail("a derivative at fixed variables must be of first order in one variable")
        return Deriv(derivative.expr, derivative.variables, held)

    def constraint(self, derivative: Deriv) -> Node:
        """``∂E/∂S|_V``: the bar and subscript after a derivative."""
        if self.at("|") and self.peek(1).type is TokenType.UNDERSCORE:
            self.advance()
            self.advance()
            return self.constrained(derivative, self.held_list())
        return derivative

    def differential(self) -> Node:
        token = self.advance()
        variable = self.symbol_node(token)
        if self.at("/") and self.peek(1).type is TokenType.DIFF:
            self.advance()
            below = self.advance()
            order = below.order
            if self.peek().type is TokenType.SUP and self.peek().text.isdigit():
                order = int(self.advance().text)
            if order != token.order:
                raise self.fail(f"d{'' if token.order == 1 else token.order} over d{below.text} of order {order}")
            if order > MAX_ORDER:
                raise self.fail(f"derivative order above {MAX_ORDER}")
            return self.constraint(Deriv(variable, ((self.symbol_node(below), order),)))
        if token.order != 1:
            raise self.fail("a higher differential needs a denominator: d²x/dt²", token)
        return Call("Differential", (variable,))

    def function(self) -> Node:
        token = self.advance()
        name = token.text
        if name in ("Argmax", "Argmin"):
            if self.peek().type is not TokenType.UNDERSCORE:
                raise self.fail(f"{token.raw} needs its variable: {token.raw}_w f(w)", token)
            self.advance()
            variable = self.held_symbol()
            return Call(name, (self.power(), variable))
        if name == "log" and self.peek().type is TokenType.UNDERSCORE:
            self.advance()
            base = self.primary()
            return Call("log", (self.power(), base))
        if self.at("(", "["):
            opening = self.advance()
            closing = _CLOSING[opening.text]
            args = [self.expression()]
            while self.at(","):
                self.advance()
                args.append(self.expression())
            self.expect(closing, f"to close {token.raw}(")
            allowed = _ARITY.get(name, (1,))
            if len(args) not in allowed:
                counts = " or ".join(str(n) for n in allowed)
                raise self.fail(f"{token.raw} takes {counts} argument(s), got {len(args)}", token)
            return Call(name, tuple(args))
        if name in ("Max", "Min"):
            raise self.fail(f"{token.raw} needs its arguments in parentheses", token)
        return Call(name, (self.power(),))

    def partial(self) -> Node:
        start = self.advance()
        order = 1
        if self.peek().type is TokenType.SUP:
            sup = self.advance()
            if not sup.text.isdigit():
                raise self.fail("the order of ∂ must be a number (∂²)", sup)
            order = int(sup.text)
        if order > MAX_ORDER:
            raise self.fail(f"derivative order above {MAX_ORDER}", start)
        if self.at("/"):
            self.advance()
            variables = self.denominators(order)
            return Deriv(self.power(), variables)
        if self.peek().type is TokenType.UNDERSCORE:
            self.advance()
            variable = self.held_symbol()
            return Deriv(self.power(), ((variable, order),))
        numerator = self.power()
        if not self.at("/"):
            raise self.fail("∂ needs a denominator: ∂E/∂S", start)
        self.advance()
        return self.constraint(Deriv(numerator, self.denominators(order)))

    def denominators(self, order: int) -> tuple[tuple[Node, int], ...]:
        variables: list[tuple[Node, int]] = []
        while self.peek().type is TokenType.PARTIAL:
            self.advance()
            token = self.peek()
            if token.type is not TokenType.IDENT:
                raise self.fail(f"expected a variable after ∂, found {_describe(token)}")
            self.advance()
            n = 1
            if self.peek().type is TokenType.SUP and self.peek().text.isdigit():
                n = int(self.advance().text)
            elif self.at("^") and self.peek(1).type is TokenType.NUM and self.peek(1).text.isdigit():
                self.advance()
                n = int(self.advance().text)
            variables.append((self.symbol_node(token), n))
        if not variables:
            raise self.fail(f"expected ∂ and a variable below the fraction bar, found {_describe(self.peek())}")
        total = sum(n for _, n in variables)
        if total != order:
            raise self.fail(f"∂ of order {order} over variables of total order {total}")
        return tuple(variables)

    def nabla(self) -> Node:
        self.advance()
        token = self.peek()
        if token.type is TokenType.SUP and token.text == "2" and not token.space_before:
            self.advance()
            return Call("Laplacian", (self.primary(),))
        if self.at("^") and self.peek(1).text == "2":
            self.advance()
            self.advance()
            return Call("Laplacian", (self.primary(),))
        if self.at("*") and token.raw in ("·", "⋅", "∙"):
            self.advance()
            return Call("Divergence", (self.primary(),))
        if self.at("*"):
            raise self.fail("∇ followed by a product sign: write ∇· for a divergence", token)
        if token.type is TokenType.UNDERSCORE:
            self.advance()
            variable = self.held_symbol()
            return Call("Grad", (self.primary(), variable))
        return Call("Grad", (self.primary(),))

    def limits(self) -> tuple[Node | None, Node | None, Node | None]:
        """The subscript and superscript of ∑ or ∫: ``_θ``, ``_{i=1}^{N}``, ``_0^∞``."""
        variable = lower = upper = None
        if self.peek().type is TokenType.UNDERSCORE:
            self.advance()
            if self.at("{"):
                self.advance()
                first = self.expression()
                if self.at("="):
                    self.advance()
                    variable, lower = first, self.expression()
                else:
                    lower = first
                self.expect("}", "to close the subscript")
            else:
                lower = self.primary()
        if self.at("^"):
            self.advance()
            upper = self.primary()
        elif self.peek().type is TokenType.SUP:
            upper = self.superscript(self.advance())
        return variable, lower, upper

    def sum(self) -> Node:
        start = self.advance()
        variable, lower, upper = self.limits()
        if variable is None and upper is None:
            variable, lower = lower, None  # ∑_θ: the subscript is the variable
        if (lower is None) != (upper is None):
            raise self.fail("a ∑ with only one limit: write both (∑_{i=1}^{N}) or neither (∑_i)", start)
        body = self.term()
        if variable is None:
            variable = self.summation_variable(body, start)
        if not isinstance(variable, Sym | Indexed):
            raise self.fail("∑ must sum over a symbol", start)
        return SumOf(body, variable, lower, upper)

    def summation_variable(self, body: Node, start: Token) -> Node:
        arguments = {a for n in walk(body) if isinstance(n, Apply) for a in n.args if isinstance(a, Sym)}
        if len(arguments) != 1:
            arguments = {i for n in walk(body) if isinstance(n, Indexed) for i in n.indices if isinstance(i, Sym)}
        if len(arguments) != 1:
            raise self.fail("a ∑ without a subscript, summing over no single variable: write ∑_θ", start)
        (variable,) = arguments
        self.note(f"∑ has no subscript: read as a sum over {variable.symbol}")
        return variable

    def integral(self) -> Node:
        start = self.advance()
        named, lower, upper = self.limits()
        if named is not None:
            raise self.fail("∫ takes its variable from the differential at the end (∫_a^b f dx)", start)
        if (lower is None) != (upper is None):
            raise self.fail("an ∫ with only one limit: write both (∫_0^∞) or neither", start)
        with self.context(integrals=1):
            body = self.term()
        token = self.peek()
        if token.type is not TokenType.DIFF:
            raise self.fail("an ∫ needs the differential that closes its integrand (∫ f(θ) dθ)", start)
        self.advance()
        if token.order != 1:
            raise self.fail("an integral over a higher differential", token)
        return IntegralOf(body, self.symbol_node(token), lower, upper)


# ---- entry points -----------------------------------------------------------------------------------------


def _tokens(text: str, declared: frozenset[str]) -> list[Token]:
    if not isinstance(text, str):
        raise ExpressionError(repr(text), "a formula must be a string")
    if len(text) > MAX_FORMULA_LENGTH:
        raise ExpressionError(text[:60] + "...", f"longer than {MAX_FORMULA_LENGTH} characters")
    if not text.strip():
        raise ExpressionError(text, "empty formula")
    return tokenize(text, declared)


def parse_limit(
    text: str, *, declared: frozenset[str] = frozenset(), vectors: frozenset[str] = VECTORS
) -> tuple[Node | None, Node]:
    """A limit written on its own: ``T_L → 0``, ``T_L ≈ T_c``, ``T_L → ∞``, or ``Near T_c`` (no variable)."""
    text = text.strip().rstrip(":")
    parser = _Parser(text, _tokens(text, declared), vectors)
    token = parser.peek()
    try:
        if token.type is TokenType.WORD and token.text.lower() in _LIMIT_WORDS:
            parser.advance()
            limit = parser.limit_body(near=token.text.lower() == "near")
        else:
            limit = parser.limit_body(near=False)
        if parser.peek().type is not TokenType.END:
            raise parser.fail(f"unexpected {_describe(parser.peek())} after the limit")
    except RecursionError:
        raise ExpressionError(text, "nested too deeply") from None
    return limit


def parse_math(
    text: str,
    *,
    declared: frozenset[str] = frozenset(),
    vectors: frozenset[str] = VECTORS,
    functions: frozenset[str] = frozenset(),
) -> tuple[Node, tuple[str, ...]]:
    """An expression (no relation), as for the quantities a heuristic mentions: ``T_L(t)``; and the notes."""
    parser = _Parser(text, _tokens(text, declared), vectors, functions)
    try:
        node = parser.expression()
        if parser.peek().type is not TokenType.END:
            raise parser.fail(f"unexpected {_describe(parser.peek())}")
    except RecursionError:
        raise ExpressionError(text, "nested too deeply") from None
    return node, tuple(parser.notes)


def _guess_variable(statement: StatementNode, point: Node) -> str | None:
    """The symbol v of a difference v − point in the statement (|T_L − T_c| for the point T_c)."""
    for node in walk(statement):
        if isinstance(node, Bin) and node.op == "-":
            if node.right == point and isinstance(node.left, Sym):
                return node.left.symbol
            if node.left == point and isinstance(node.right, Sym):
                return node.right.symbol
    return None


def _scaling(statement: Relation) -> Scaling | None:
    """``C_L(N) = N^α · f(x)``, where N is an argument of the left side, read as a scaling form."""
    rhs = statement.rhs
    if statement.op != "==" or not (isinstance(rhs, Bin) and rhs.op == "*"):
        return None
    factors = (rhs.left, rhs.right)
    powers = [f for f in factors if isinstance(f, Bin) and f.op == "^" and isinstance(f.left, Sym)]
    functions = [f for f in factors if isinstance(f, Apply) and len(f.args) == 1]
    if len(powers) != 1 or len(functions) != 1:
        return None
    power, function = powers[0], functions[0]
    if not (isinstance(statement.lhs, Apply) and power.left in statement.lhs.args):
        return None
    return Scaling(statement.lhs, power.left, power.right, function.head, function.args[0])


def parse_formula(
    text: str,
    *,
    limit: str | None = None,
    limit_variable: str | None = None,
    context_only: bool = False,
    declared: frozenset[str] = frozenset(),
    vectors: frozenset[str] = VECTORS,
    functions: frozenset[str] = frozenset(),
) -> Formula:
    """Read one formula written in Unicode math.

    ``limit`` is a limit the document states apart from the formula (the line ``T_L → 0:`` above it in a code
    block, or ``Near T_c:``); ``limit_variable`` the variable guessed for the previous formula under the same
    ``Near`` line; with ``context_only`` the limit is a context (a ``Near T_c:`` line over a list) that only an
    asymptotic law takes. ``declared`` lists compound symbols (``ΔF``), ``vectors`` the symbols whose bars mean a
    count, ``functions`` the symbols the document declares as functions (``L(θ)``): ``L(x + 1)`` applies L.
    Raises :class:`~thermosym.errors.ExpressionError` with the reason when the formula cannot be read.
    """
    parser = _Parser(text, _tokens(text, declared), vectors, functions)
    try:
        statement, condition, trailing = parser.statement()
        context = parse_limit(limit, declared=declared, vectors=vectors) if limit else None
        if context_only and not isinstance(statement, Asymptotic):
            context = None
    except RecursionError:
        raise ExpressionError(text, "nested too deeply") from None
    notes = list(parser.notes)
    stated = trailing or context
    guessed: str | None = None
    if stated is not None:
        variable, point = stated
        if variable is None:
            guessed = _guess_variable(statement, point) or limit_variable
            if guessed is None:
                notes.append("the text gives a point without its variable: add limit=(variable, point)")
            else:
                variable = Sym(guessed)
                notes.append(f"the limit variable {guessed} is a guess: the text names only the point")
        if variable is not None:
            statement, extra = _attach_limit(statement, variable, point)
            condition = "; ".join(c for c in (condition, extra) if c)
            if extra:
                notes.append("a limit on an equation is kept as the claim's condition")
    if isinstance(statement, Relation) and (scaling := _scaling(statement)) is not None:
        statement = scaling
        notes.append("read as a scaling form variable^exponent · function(argument)")
    return Formula(text, statement, tuple(notes), condition, guessed)


def _attach_limit(statement: StatementNode, variable: Node, point: Node) -> tuple[StatementNode, str]:
    if isinstance(statement, Asymptotic) and statement.variable is None:
        return Asymptotic(statement.relation, statement.lhs, statement.rhs, variable, point), ""
    return statement, f"in the limit {_plain(variable)} → {_plain(point)}"


def _plain(node: Node) -> str:
    match node:
        case Sym(symbol=s):
            return s
        case Const(name="oo"):
            return "∞"
        case Const(name=name):
            return name
        case Num(text=text):
            return text
    return "the stated point"
