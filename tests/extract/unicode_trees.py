"""Random formula trees and a small Unicode printer for them, for the property-based tests of the notation reader.

The printer writes a tree the way the documents write formulas, choosing at random among the spellings the reader
accepts (``·``, ``*`` or juxtaposition; ``-`` or ``−``; ``x²`` or ``x^2``; ``log x`` or ``log(x)``; spaces or
none), and parenthesises by the reader's documented precedence (juxtaposition binds tighter than ``·`` and ``/``).
It is independent of the reader: it shares only the tree classes of :mod:`thermosym.extract.formula`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from thermosym.extract.formula import Apply, Bin, Call, Deriv, Indexed, IntegralOf, Neg, Node, Num, SumOf, Sym

SYMBOLS = ["E", "S", "T", "V", "θ", "β", "T_L", "k_B", "E_L", "σ", "N", "ψ", "x", "y"]
HEADS = ["p", "f", "Z"]
NUMBERS = ["1", "2", "3", "7", "0.5"]
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

# precedence levels of printed text, loosest first
SUMS, TERM, UNARY, IMPLICIT, POWER, ATOM = 1, 2, 3, 4, 5, 6

symbols = st.sampled_from(SYMBOLS).map(Sym)
leaves = st.one_of(symbols, st.sampled_from(NUMBERS).map(Num))


def _applications(head: str, args: list[Node]) -> Node:
    return Apply(head, tuple(args))


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    additions = st.builds(Bin, st.sampled_from(["+", "-"]), children, children)
    products = st.builds(Bin, st.just("*"), children, children)
    quotients = st.builds(Bin, st.just("/"), children, children)
    exponents = st.one_of(
        st.sampled_from(["2", "3", "4"]).map(Num),
        st.sampled_from(["2", "1"]).map(lambda n: Neg(Num(n))),
        symbols,
        symbols.map(Neg),
    )
    power = st.builds(Bin, st.just("^"), children, exponents)
    neg = children.map(Neg)
    calls = st.builds(
        Call, st.sampled_from(["log", "exp", "sqrt", "Avg", "Abs", "Var", "Grad", "Laplacian", "Divergence"]),
        children.map(lambda c: (c,)),
    )  # fmt: skip
    on_symbols = st.builds(Call, st.sampled_from(["Delta", "Differential", "Dim"]), symbols.map(lambda s: (s,)))
    apply = st.builds(
        _applications,
        st.sampled_from(HEADS),
        st.lists(symbols, min_size=1, max_size=2),
    )
    derivative = st.one_of(
        st.builds(lambda e, v: Deriv(e, ((v, 1),)), children, symbols),
        st.builds(lambda e, v: Deriv(e, ((v, 2),)), children, symbols),
        st.builds(lambda e, v, w: Deriv(e, ((v, 1), (w, 1))), children, symbols, symbols),
        st.builds(lambda e, v, h: Deriv(e, ((v, 1),), (h,)), children, symbols, symbols),
    )
    sums = st.one_of(
        st.builds(SumOf, children, symbols),
        st.builds(lambda i: SumOf(Indexed("θ", (Sym(i),)), Sym(i), Num("1"), Sym("N")), st.sampled_from("ij")),
    )
    integrals = st.one_of(
        st.builds(IntegralOf, children, symbols),
        st.builds(lambda b, v: IntegralOf(b, v, Num("0"), Num("1")), children, symbols),
    )
    arithmetic = st.one_of(additions, products, products, quotients, power)
    operators = st.one_of(neg, calls, on_symbols, apply, derivative, sums, integrals)
    # arithmetic drawn as often as all the operators together, so that most trees mix both
    return st.one_of(arithmetic, operators)


def _arithmetic(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Bin, st.sampled_from(["+", "-"]), children, children),
        st.builds(Bin, st.just("*"), children, children),
        st.builds(Bin, st.just("/"), children, children),
        st.builds(Bin, st.just("^"), children, st.one_of(st.sampled_from(["2", "3"]).map(Num), symbols)),
        children.map(Neg),
        st.builds(Call, st.sampled_from(["log", "sqrt", "Avg", "Abs", "Grad"]), children.map(lambda c: (c,))),
    )


#: Any formula the notation can write.
trees = st.recursive(leaves, _extend, max_leaves=10)
#: Arithmetic on symbols, where juxtaposition, powers and signs are what is tested.
arithmetic_trees = st.recursive(leaves, _arithmetic, max_leaves=8)


class UnicodePrinter:
    """Prints a tree as Unicode math; every stylistic choice is drawn from hypothesis' ``draw``."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def choice(self, *options: str) -> str:
        return self.draw(st.sampled_from(options))

    def coin(self) -> bool:
        return self.draw(st.booleans())

    def wrap(self, node: Node, minimum: int) -> str:
        text, level = self.print(node)
        return f"({text})" if level < minimum else text

    def minus(self) -> str:
        return self.choice("-", "−")

    def print(self, node: Node) -> tuple[str, int]:
        match node:
            case Num(text=text):
                return text, ATOM
            case Sym(symbol=s):
                return s, ATOM
            case Indexed(base=b, indices=indices):
                return b + "_" + "".join(i.symbol for i in indices if isinstance(i, Sym)), ATOM
            case Apply(head=h, args=args):
                return f"{h}({', '.join(self.wrap(a, SUMS) for a in args)})", ATOM
            case Neg(operand=operand):
                return self.minus() + self.wrap(operand, TERM), UNARY
            case Bin(op="+" | "-", left=left, right=right):
                op = "+" if node.op == "+" else self.minus()
                space = self.choice(" ", "")
                return f"{self.wrap(left, SUMS)}{space}{op}{space}{self.wrap(right, TERM)}", SUMS
            case Bin(op="/", left=left, right=right):
                right_text = self.wrap(right, UNARY)
                if right_text.startswith("d") and not right_text.startswith("dim"):
                    right_text = f"({right_text})"  # dE/dS would read as a derivative
                return f"{self.wrap(left, TERM)}/{right_text}", TERM
            case Bin(op="*", left=left, right=right):
                return self.product(left, right)
            case Bin(op="^", left=left, right=right):
                return f"{self.wrap(left, ATOM)}{self.exponent(right)}", POWER
            case Call():
                return self.call(node)
            case Deriv():
                return self.derivative(node)
            case SumOf(body=body, var=var, lower=lower, upper=upper):
                sub = self.wrap(var, ATOM)
                if lower is not None and upper is not None:
                    sub = f"{{{sub}={self.wrap(lower, SUMS)}}}^{{{self.wrap(upper, SUMS)}}}"
                return f"∑_{sub} {self.wrap(body, UNARY)}", SUMS
            case IntegralOf(body=body, var=var, lower=lower, upper=upper):
                limits = "" if lower is None or upper is None else f"_{self.wrap(lower, ATOM)}^{self.wrap(upper, ATOM)}"
                return f"∫{limits} ({self.print(body)[0]}){self.choice(' ', '')}d{self.wrap(var, ATOM)}", SUMS
        raise TypeError(node)

    def product(self, left: Node, right: Node) -> tuple[str, int]:
        explicit = self.choice("·", "*", "×", "⋅", "")
        if explicit:
            # "x* -y" would read as the symbol x* (as in w* = ...): a star is glued on both sides or on neither
            op = self.choice("*", " * ") if explicit == "*" else self.choice(explicit, f" {explicit} ")
            return f"{self.wrap(left, TERM)}{op}{self.wrap(right, UNARY)}", TERM
        left_text, right_text = self.wrap(left, IMPLICIT), self.wrap(right, POWER)
        if right_text.startswith(("|", "∂")):
            # a bar after a factor may close an enclosing |...|; ∂E/∂S ∂x/∂y would read as ∂E/(∂S∂x)...
            right_text = f"({right_text})"
        glued = (len(left_text) == 1 and (left_text.isupper() or left_text.isdigit() or "α" <= left_text <= "ω")) and (
            (right_text[:1].isupper() and right_text[:1].isascii()) or "α" <= right_text[:1] <= "ω"
        )
        space = "" if glued and self.coin() else " "
        return f"{left_text}{space}{right_text}", IMPLICIT

    def exponent(self, node: Node) -> str:
        if isinstance(node, Num) and node.text.isdigit() and self.coin():
            return node.text.translate(_SUPERSCRIPT)
        if isinstance(node, Neg) and isinstance(node.operand, Num) and self.coin():
            return ("-" + node.operand.text).translate(_SUPERSCRIPT)
        if isinstance(node, Num | Sym):
            return "^" + self.print(node)[0]
        if isinstance(node, Neg) and isinstance(node.operand, Num | Sym):
            return "^" + self.minus() + self.print(node.operand)[0]
        return f"^({self.print(node)[0]})"

    def call(self, node: Call) -> tuple[str, int]:
        (arg,) = node.args
        match node.func:
            case "log" | "exp" | "sqrt":
                text, level = self.print(arg)
                if node.func == "sqrt" and level >= ATOM and self.coin():
                    return f"√{text}", POWER
                if node.func != "exp" and level >= ATOM and not text.startswith("-") and self.coin():
                    return f"{node.func} {text}", POWER
                return f"{node.func}({text})", ATOM
            case "Avg":
                return f"⟨{self.print(arg)[0]}⟩", ATOM
            case "Abs":
                return f"|{self.print(arg)[0]}|", ATOM
            case "Var":
                return f"{self.choice('var', 'Var')}({self.print(arg)[0]})", ATOM
            case "Dim":
                return f"dim({self.print(arg)[0]})", ATOM
            case "Grad":
                return f"∇{self.wrap(arg, ATOM)}", ATOM
            case "Laplacian":
                return f"∇{self.choice('²', '^2 ')}{self.wrap(arg, ATOM)}", ATOM
            case "Divergence":
                return f"∇·{self.wrap(arg, ATOM)}", ATOM
            case "Delta":
                return f"Δ{self.print(arg)[0]}", ATOM
            case "Differential":
                return f"d{self.print(arg)[0]}", ATOM
        raise TypeError(node)

    def derivative(self, node: Deriv) -> tuple[str, int]:
        order = sum(n for _, n in node.variables)
        top = "∂" + ("" if order == 1 else str(order).translate(_SUPERSCRIPT))
        bottom = "".join(
            f"∂{self.print(v)[0]}" + ("" if n == 1 else str(n).translate(_SUPERSCRIPT)) for v, n in node.variables
        )
        numerator = self.wrap(node.expr, ATOM)
        text = f"{top}{numerator}/{bottom}"
        if node.held:
            held = self.print(node.held[0])[0]
            return (f"{text}|_{held}", POWER) if self.coin() else (f"({text})_{held}", ATOM)
        return text, POWER
