"""Printing statements the way the documents print them: LaTeX, MathML and plain Unicode text.

Quantities are SymPy symbols named by their key (``TL.E``), so that two meanings of one printed symbol stay
apart. These printers show each key as the document's symbol (``E``), with Greek letters and subscripts in
LaTeX (``T_eff`` → ``T_{\\mathrm{eff}}``, ``θ`` → ``\\theta``).

>>> symbol_latex("T_eff"), symbol_latex("θ"), symbol_latex("ΔF"), symbol_latex("w*")
('T_{\\\\mathrm{eff}}', '\\\\theta', '\\\\Delta F', 'w^{*}')
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterable
from typing import Any

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.str import StrPrinter

from thermosym.quantity import Quantity

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta",
    "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi",
    "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi",
    "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip


def _latex_part(text: str) -> str:
    out = []
    for ch in text:
        out.append(rf"\{_GREEK[ch]} " if ch in _GREEK else ch)
    return "".join(out).strip()


def symbol_latex(symbol: str) -> str:
    """LaTeX for a printed symbol: Greek letters, one subscript after ``_``, a trailing ``*`` as a superscript."""
    star = symbol.endswith("*")
    base, _, sub = symbol.rstrip("*").partition("_")
    tex = _latex_part(base)
    if sub:
        sub_tex = rf"\mathrm{{{sub}}}" if len(sub) > 1 and sub.isalpha() and sub.isascii() else _latex_part(sub)
        tex = f"{tex}_{{{sub_tex}}}"
    if star:
        tex += "^{*}"
    return re.sub(r"\\(\w+) (?=[_^{}]|$)", r"\\\1", tex)


def _names(quantities: Iterable[Quantity]) -> dict[str, Quantity]:
    return {q.key: q for q in quantities}


class DocumentLatexPrinter(LatexPrinter):
    """A LaTeX printer that shows each quantity as the document's symbol."""

    def __init__(self, quantities: Iterable[Quantity], settings: dict[str, Any] | None = None) -> None:
        super().__init__(settings or {})
        self._quantities = _names(quantities)

    def _print_Symbol(self, expr: sympy.Symbol, style: str = "plain") -> str:
        q = self._quantities.get(expr.name)
        return symbol_latex(q.symbol) if q else super()._print_Symbol(expr, style=style)

    def _print_IndexedBase(self, expr: sympy.IndexedBase) -> str:
        q = self._quantities.get(str(expr.label))
        return symbol_latex(q.symbol) if q else super()._print_IndexedBase(expr)

    def _print_Indexed(self, expr: sympy.Indexed) -> str:
        base = self._print(expr.base)
        return f"{{{base}}}_{{{''.join(self._print(i) for i in expr.indices)}}}"

    def _print_Function(self, expr: sympy.Function, exp: str | None = None) -> str:
        q = self._quantities.get(type(expr).__name__)
        if q is None:
            return super()._print_Function(expr, exp=exp)
        head = symbol_latex(q.symbol)
        args = ", ".join(self._print(a) for a in expr.args)
        body = rf"{head}\left({args}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"


class DocumentTextPrinter(StrPrinter):
    """A plain-text printer that shows each quantity as the document's (Unicode) symbol."""

    def __init__(self, quantities: Iterable[Quantity]) -> None:
        super().__init__()
        self._quantities = _names(quantities)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        q = self._quantities.get(expr.name)
        return q.symbol if q else super()._print_Symbol(expr)

    def _print_IndexedBase(self, expr: sympy.IndexedBase) -> str:
        q = self._quantities.get(str(expr.label))
        return q.symbol if q else str(expr.label)

    def _print_Function(self, expr: sympy.Function) -> str:
        q = self._quantities.get(type(expr).__name__)
        head = q.symbol if q else type(expr).__name__
        return f"{head}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Derivative(self, expr: sympy.Derivative) -> str:
        partial = "∂" if len(expr.expr.free_symbols) > 1 else "d"
        order = sum(n for _, n in expr.variable_count)
        top = f"{partial}{'' if order == 1 else order}"
        bottom = "".join(f"{partial}{self._print(v)}{'' if n == 1 else f'^{n}'}" for v, n in expr.variable_count)
        return f"{top}({self._print(expr.expr)})/{bottom}"

    def _print_Integral(self, expr: sympy.Integral) -> str:
        limits = "".join(
            f"_{self._print(lim[1])}^{self._print(lim[2])}" if len(lim) == 3 else "" for lim in expr.limits
        )
        dvars = " ".join(f"d{self._print(lim[0])}" for lim in expr.limits)
        return f"∫{limits} ({self._print(expr.function)}) {dvars}"

    def _print_Sum(self, expr: sympy.Sum) -> str:
        i, a, b = expr.limits[0]
        return f"∑_{{{self._print(i)}={self._print(a)}..{self._print(b)}}} {self._print(expr.function)}"

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return f"|{self._print(expr.args[0])}|"


class DocumentMathMLPrinter(MathMLPresentationPrinter):
    """A presentation-MathML printer that shows each quantity as the document's symbol, and prints the
    operators of :mod:`thermosym.operators` as a physicist writes them."""

    def __init__(self, quantities: Iterable[Quantity]) -> None:
        super().__init__({})
        self._quantities = _names(quantities)

    # ---- small DOM helpers -----------------------------------------------------------------------------------
    def _el(self, tag: str, text: str | None = None, *children: Any) -> Any:
        node = self.dom.createElement(tag)
        if text is not None:
            node.appendChild(self.dom.createTextNode(text))
        for child in children:
            node.appendChild(child)
        return node

    def _row(self, *children: Any) -> Any:
        return self._el("mrow", None, *children)

    def _mo(self, text: str) -> Any:
        return self._el("mo", text)

    def _fence(self, left: str, inner: Any, right: str) -> Any:
        return self._row(self._mo(left), inner, self._mo(right))

    def _args(self, expr: Any) -> Any:
        parts = []
        for i, a in enumerate(expr.args):
            if i:
                parts.append(self._mo(","))
            parts.append(self._print(a))
        return self._row(*parts)

    def _prefix(self, symbol: str, expr: Any, fence: bool = True) -> Any:
        inner = self._print(expr.args[0])
        return self._row(self._mo(symbol), self._fence("(", inner, ")") if fence else inner)

    # ---- operators -------------------------------------------------------------------------------------------
    def _print_Avg(self, e: Any) -> Any:
        return self._fence("⟨", self._print(e.args[0]), "⟩")

    def _print_Var(self, e: Any) -> Any:
        return self._row(self._el("mi", "Var"), self._fence("(", self._print(e.args[0]), ")"))

    def _print_Grad(self, e: Any) -> Any:
        return self._prefix("∇", e)

    def _print_Laplacian(self, e: Any) -> Any:
        return self._row(
            self._el("msup", None, self._mo("∇"), self._el("mn", "2")), self._fence("(", self._print(e.args[0]), ")")
        )

    def _print_Divergence(self, e: Any) -> Any:
        return self._row(self._mo("∇"), self._mo("·"), self._fence("(", self._print(e.args[0]), ")"))

    def _print_Differential(self, e: Any) -> Any:
        return self._row(self._el("mi", "d"), self._print(e.args[0]))

    def _print_Delta(self, e: Any) -> Any:
        return self._row(self._mo("Δ"), self._print(e.args[0]))

    def _print_ConstrainedDerivative(self, e: Any) -> Any:
        x, y, *held = e.args
        frac = self._el(
            "mfrac", None, self._row(self._mo("∂"), self._print(x)), self._row(self._mo("∂"), self._print(y))
        )
        sub = self._row(*[self._print(h) for h in held])
        return self._el("msub", None, self._fence("(", frac, ")"), sub)

    def _print_SumOver(self, e: Any) -> Any:
        body, var = e.args
        return self._row(self._el("munder", None, self._mo("∑"), self._print(var)), self._print(body))

    def _argext(self, e: Any, name: str) -> Any:
        body, var = e.args
        return self._row(self._el("munder", None, self._el("mi", name), self._print(var)), self._print(body))

    def _print_Argmax(self, e: Any) -> Any:
        return self._argext(e, "argmax")

    def _print_Argmin(self, e: Any) -> Any:
        return self._argext(e, "argmin")

    def _print_Dim(self, e: Any) -> Any:
        return self._row(self._el("mi", "dim"), self._fence("(", self._print(e.args[0]), ")"))

    def _print_Card(self, e: Any) -> Any:
        return self._fence("|", self._print(e.args[0]), "|")

    def _print_MutualInformation(self, e: Any) -> Any:
        a, b = (self._print(x) for x in e.args)
        return self._row(self._el("mi", "I"), self._fence("(", self._row(a, self._mo(";"), b), ")"))

    def _print_Symbol(self, sym: sympy.Symbol, style: str = "plain") -> Any:
        q = self._quantities.get(sym.name)
        return super()._print_Symbol(sympy.Symbol(q.symbol) if q else sym, style=style)

    def _print_IndexedBase(self, e: sympy.IndexedBase) -> Any:
        q = self._quantities.get(str(e.label))
        return self._print(sympy.Symbol(q.symbol if q else str(e.label)))

    def _print_Function(self, e: sympy.Function) -> Any:
        q = self._quantities.get(type(e).__name__)
        if q is None:
            return super()._print_Function(e)
        head = super()._print_Symbol(sympy.Symbol(q.symbol))
        return self._row(head, self._fence("(", self._args(e), ")"))


def latex(expr: sympy.Basic, quantities: Iterable[Quantity]) -> str:
    """LaTeX for ``expr`` with the documents' symbols."""
    return DocumentLatexPrinter(quantities).doprint(expr)


def text(expr: sympy.Basic, quantities: Iterable[Quantity]) -> str:
    """Plain Unicode text for ``expr`` with the documents' symbols (``^`` for powers, ``·`` for products)."""
    return DocumentTextPrinter(quantities).doprint(expr).replace("**", "^").replace("*", "·")


_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def _numeric_entities(xml: str) -> str:
    """Named HTML5 entities (``&dd;``, ``&InvisibleTimes;``) as numeric references, so the MathML is also XML."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(f"{name};")
        return "".join(f"&#x{ord(c):x};" for c in chars) if chars else match.group(0)

    return re.sub(r"&([A-Za-z][A-Za-z0-9]*);", replace, xml)


def _wrap(body: str) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{_numeric_entities(body)}</math>'


def mathml_with(printer: DocumentMathMLPrinter, expr: sympy.Basic) -> str:
    """Presentation MathML for ``expr`` with a printer already made."""
    return _wrap(printer.doprint(expr))


def mathml(expr: sympy.Basic, quantities: Iterable[Quantity]) -> str:
    """Presentation MathML (``<math>...</math>``) for ``expr`` with the documents' symbols."""
    return _wrap(DocumentMathMLPrinter(quantities).doprint(expr))


_ASYMPTOTIC_MO = {"proportional": "∝", "approx": "≈", "tends-to": "→"}


def statement_mathml(statement: Any, printer: DocumentMathMLPrinter) -> str:
    """Presentation MathML for a whole statement (any of the forms of :mod:`thermosym.claim`)."""
    p = printer
    form = statement.form
    if form == "relation":
        node = p._print(statement.rel)
    elif form == "scaling":
        node = p._print(statement.as_relation())
    elif form == "asymptotic":
        parts = [p._print(statement.lhs), p._mo(_ASYMPTOTIC_MO[statement.relation]), p._print(statement.rhs)]
        if statement.variable is not None:
            limit = p._row(p._print(statement.variable), p._mo("→"), p._print(statement.point))
            parts += [p._el("mspace", None), p._fence("(", limit, ")")]
            parts[-2].setAttribute("width", "1em")
        node = p._row(*parts)
    elif form == "extremum":
        node = p._row(
            p._print(statement.objective), p._mo("="), p._el("mi", "min" if statement.sense == "min" else "max")
        )
    elif form == "exponents":
        items: list[Any] = []
        for i, e in enumerate(statement.exponents):
            if i:
                items.append(p._mo(","))
            items.append(p._print(e))
        node = p._row(*items)
    else:  # prose
        items = [p._el("mtext", statement.prose)]
        for m in statement.mentions:
            items += [p._mo(";"), p._print(m)]
        node = p._row(*items)
    return _wrap(node.toxml())
