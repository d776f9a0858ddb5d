"""Findings: a consistency problem, with the claims it involves and the expression that shows it.

>>> import sympy
>>> f = Finding(code="degenerate-temperature", category=Category.DEGENERACY, severity=Severity.ERROR,
...             claims=("TL-03", "TL-04"), message="T collapses to 1", expression=sympy.Eq(sympy.Symbol("T"), 1))
>>> f.is_blocking
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sympy

_CODE = re.compile(r"^[a-z][a-z0-9-]*$")


class Severity(StrEnum):
    """How bad a finding is: ``error`` decides a verdict, ``warning`` and ``info`` are reported beside it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Category(StrEnum):
    """The class of consistency problem (issue 4's list)."""

    OVERLOADING = "symbol-overloading"
    KIND_MISMATCH = "kind-mismatch"
    LEVEL_MISMATCH = "level-mismatch"
    DEGENERACY = "degeneracy"
    CONTRADICTION = "contradiction"
    ILL_POSED = "ill-posed"
    EXPONENT_NAMING = "exponent-naming"
    UNDEFINED = "undefined-quantity"
    WELL_FORMEDNESS = "well-formedness"
    NUMERICAL = "numerical"


@dataclass(frozen=True)
class Finding:
    """One problem found in a catalogue, for the claims ``claims`` in reading ``reading``.

    ``claims`` are the claims the finding is about (it counts towards their verdicts); ``related`` are claims it
    measures them against without blaming them (the evolution law a current contradicts, say).
    """

    code: str
    category: Category
    severity: Severity
    claims: tuple[str, ...]
    message: str
    expression: sympy.Basic | None = None
    quantities: tuple[str, ...] = ()
    reading: str = "as-written"
    related: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"finding code {self.code!r} must be lower-case words joined by dashes")
        object.__setattr__(self, "category", Category(self.category))
        object.__setattr__(self, "severity", Severity(self.severity))
        if not self.message:
            raise ValueError("a finding needs a message")

    @property
    def is_blocking(self) -> bool:
        """Whether this finding alone decides the verdict of the claims it involves."""
        return self.severity is Severity.ERROR

    def to_dict(
        self, printer_text: Any = str, printer_latex: Any = sympy.latex, printer_mathml: Any = None
    ) -> dict[str, Any]:
        """A JSON-ready dictionary; the expression as text, LaTeX and (given a printer) MathML."""
        return {
            "code": self.code,
            "category": self.category.value,
            "severity": self.severity.value,
            "claims": list(self.claims),
            "related": list(self.related),
            "quantities": list(self.quantities),
            "reading": self.reading,
            "message": self.message,
            "expression": None if self.expression is None else printer_text(self.expression),
            "expression_latex": None if self.expression is None else printer_latex(self.expression),
            "expression_mathml": None
            if self.expression is None or printer_mathml is None
            else printer_mathml(self.expression),
        }
