r"""Unevaluated operators that the documents use and SymPy's core does not have.

Each is a :class:`sympy.Function` subclass that never evaluates, so that a statement keeps the structure the text
gave it: ⟨x⟩, Var x, ∇f, ∇²f, ∇·v, the differential dx, (∂x/∂y)_z, ∑ over the states of θ, argmax, dim and |θ|.
They print in LaTeX as a physicist writes them.

>>> import sympy
>>> x, y, z = sympy.symbols("x y z")
>>> print(sympy.latex(ConstrainedDerivative(x, y, z)))
\left(\frac{\partial x}{\partial y}\right)_{z}
>>> print(sympy.latex(Avg(x**2)))
\left\langle x^{2} \right\rangle
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy
from sympy.printing.latex import LatexPrinter


class _Operator(sympy.Function):
    """Base class: an operator that never evaluates and knows its arity."""

    arity: ClassVar[tuple[int, ...]] = (1,)
    is_commutative = True

    @classmethod
    def eval(cls, *args: Any) -> None:
        return None

    def _latex(self, printer: LatexPrinter, exp: str | None = None) -> str:
        body = self._latex_body(printer)
        return body if exp is None else rf"\left({body}\right)^{{{exp}}}"

    def _latex_body(self, printer: LatexPrinter) -> str:
        inner = ", ".join(printer._print(a) for a in self.args)
        return rf"\operatorname{{{type(self).__name__}}}\left({inner}\right)"

    #: how the operator reads in plain text: a format string over the printed arguments
    text_form: ClassVar[str] = ""

    def _sympystr(self, printer: Any) -> str:
        args = [printer._print(a) for a in self.args]
        if not self.text_form:
            return f"{type(self).__name__}({', '.join(args)})"
        return self.text_form.format(*args, rest=", ".join(args[2:]))


class Avg(_Operator):
    r"""⟨x⟩: the average of an observable under the ensemble."""

    text_form = "⟨{0}⟩"

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\left\langle {printer._print(self.args[0])} \right\rangle"


class Var(_Operator):
    """Var x = ⟨x²⟩ − ⟨x⟩²: the variance of an observable under the ensemble."""

    text_form = "Var({0})"

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\operatorname{{Var}}\left({printer._print(self.args[0])}\right)"


class Grad(_Operator):
    """∇f: the gradient with respect to the configuration (optionally a named variable)."""

    text_form = "∇({0})"

    arity = (1, 2)

    def _latex_body(self, printer: LatexPrinter) -> str:
        sub = f"_{{{printer._print(self.args[1])}}}" if len(self.args) > 1 else ""
        return rf"\nabla{sub} {printer.parenthesize(self.args[0], 1000)}"


class Laplacian(_Operator):
    """∇²f: the Laplacian."""

    text_form = "∇²({0})"

    arity = (1, 2)

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\nabla^{{2}} {printer.parenthesize(self.args[0], 1000)}"


class Divergence(_Operator):
    """∇·v: the divergence of a vector field."""

    text_form = "∇·({0})"

    arity = (1, 2)

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\nabla \cdot \left({printer._print(self.args[0])}\right)"


class Differential(_Operator):
    """dx: the differential of a quantity, as in dI = dC + dW or dF = −S dT − P dV."""

    text_form = "d({0})"

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"d{printer.parenthesize(self.args[0], 1000)}"


class ConstrainedDerivative(_Operator):
    """(∂x/∂y)_z: a partial derivative of x with respect to y with z (one or more) held fixed."""

    text_form = "(∂({0})/∂{1})_{rest}"

    arity = (3, 4, 5)

    def _latex_body(self, printer: LatexPrinter) -> str:
        x, y, *held = (printer._print(a) for a in self.args)
        return rf"\left(\frac{{\partial {x}}}{{\partial {y}}}\right)_{{{', '.join(held)}}}"


class SumOver(_Operator):
    """∑_θ f(θ): a sum over the states of a variable, with no explicit limits."""

    text_form = "∑_{1} {0}"

    arity = (2,)

    def _latex_body(self, printer: LatexPrinter) -> str:
        body, var = self.args
        return rf"\sum_{{{printer._print(var)}}} {printer.parenthesize(body, 1000)}"


class Argmax(_Operator):
    """argmax_w f(w): the value of w that maximises f."""

    text_form = "argmax_{1} {0}"

    arity = (2,)

    def _latex_body(self, printer: LatexPrinter) -> str:
        body, var = self.args
        return rf"\operatorname{{argmax}}_{{{printer._print(var)}}} {printer.parenthesize(body, 1000)}"


class Argmin(_Operator):
    """argmin_w f(w): the value of w that minimises f."""

    text_form = "argmin_{1} {0}"

    arity = (2,)

    def _latex_body(self, printer: LatexPrinter) -> str:
        body, var = self.args
        return rf"\operatorname{{argmin}}_{{{printer._print(var)}}} {printer.parenthesize(body, 1000)}"


class Dim(_Operator):
    """dim(x): the number of components of x (an integer)."""

    text_form = "dim({0})"

    is_integer = True

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\dim\left({printer._print(self.args[0])}\right)"


class Card(_Operator):
    """|θ|: the number of entries of a parameter vector (a count, not a norm)."""

    text_form = "|{0}|"

    is_integer = True

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\left|{printer._print(self.args[0])}\right|"


class MutualInformation(_Operator):
    """I(x; y): the mutual information between two random variables."""

    text_form = "I({0}; {1})"

    arity = (2,)

    def _latex_body(self, printer: LatexPrinter) -> str:
        a, b = (printer._print(x) for x in self.args)
        return rf"I\left({a}; {b}\right)"


class Delta(_Operator):
    """Δx: a finite change of a quantity between two states, as in C = ΔE/ΔT."""

    text_form = "Δ({0})"

    def _latex_body(self, printer: LatexPrinter) -> str:
        return rf"\Delta {printer.parenthesize(self.args[0], 1000)}"


#: The operators by the name a claim file calls them.
OPERATORS: dict[str, type[_Operator]] = {
    cls.__name__: cls
    for cls in (
        Avg,
        Var,
        Grad,
        Laplacian,
        Divergence,
        Differential,
        ConstrainedDerivative,
        SumOver,
        Argmax,
        Argmin,
        Dim,
        Card,
        MutualInformation,
        Delta,
    )
}
