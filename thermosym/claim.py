"""Claims: what a document states, where it says it, and in which readings.

A claim's statement is a SymPy relation where the text is an equation or inequality (:class:`Relation`), and a
small structured form otherwise: an asymptotic law (:class:`Asymptotic`), a scaling form (:class:`ScalingForm`),
an extremum principle (:class:`Extremum`),
a set of named exponents (:class:`ExponentSet`), or prose with the quantities it mentions (:class:`Prose`) for
heuristics and questions. Every statement can list its SymPy expressions, print itself as text and LaTeX, and be
rewritten by a substitution (which is how a :class:`Reading` other than *as written* is built).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal, TypeAlias

import sympy
from sympy.core.relational import Relational

_CLAIM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9.-]*$")

Substitution: TypeAlias = Mapping[sympy.Basic, sympy.Basic]


class ClaimKind(StrEnum):
    """What sort of statement a claim is."""

    DEFINITION = "definition"
    LAW = "law"
    IDENTITY = "identity"
    ASYMPTOTIC = "asymptotic"
    SCALING = "scaling"
    HEURISTIC = "heuristic"
    QUESTION = "question"


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: document id, section heading, and the claim file and line that encode it."""

    document: str
    section: str
    file: str = ""
    line: int | None = None


def _subs(expr: sympy.Basic, mapping: Substitution) -> sympy.Basic:
    return expr.xreplace(dict(mapping)) if mapping else expr


Printer: TypeAlias = Callable[[sympy.Basic], str]
_TEXT_OPS = {"==": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


@dataclass(frozen=True)
class Relation:
    """An equation or inequality, held as a SymPy relational (Eq, Ge, Le, Gt, Lt)."""

    rel: Relational
    form: Literal["relation"] = field(default="relation", init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.rel, Relational):
            raise TypeError(f"a Relation needs a SymPy relational, got {self.rel!r}")

    @property
    def lhs(self) -> sympy.Expr:
        return self.rel.lhs

    @property
    def rhs(self) -> sympy.Expr:
        return self.rel.rhs

    @property
    def op(self) -> str:
        return str(self.rel.rel_op)

    def expressions(self) -> tuple[sympy.Basic, ...]:
        return (self.rel.lhs, self.rel.rhs)

    def substitute(self, mapping: Substitution) -> Relation:
        return Relation(type(self.rel)(_subs(self.lhs, mapping), _subs(self.rhs, mapping), evaluate=False))

    def latex(self, printer: Printer = sympy.latex) -> str:
        return printer(self.rel)

    def text(self, printer: Printer = str) -> str:
        return f"{printer(self.lhs)} {_TEXT_OPS[self.op]} {printer(self.rhs)}"


_ASYMPTOTIC_OPS = {"proportional": r"\propto", "approx": r"\approx", "tends-to": r"\to"}
_ASYMPTOTIC_TEXT = {"proportional": "∝", "approx": "≈", "tends-to": "→"}


@dataclass(frozen=True)
class Asymptotic:
    """``lhs ∝ rhs``, ``lhs ≈ rhs`` or ``lhs → rhs``, optionally in a limit ``variable → point``.

    ``rhs`` may be the symbol ``constant`` for "tends to some finite constant".
    """

    lhs: sympy.Expr
    relation: Literal["proportional", "approx", "tends-to"]
    rhs: sympy.Expr
    variable: sympy.Expr | None = None
    point: sympy.Expr | None = None
    form: Literal["asymptotic"] = field(default="asymptotic", init=False)

    def __post_init__(self) -> None:
        if self.relation not in _ASYMPTOTIC_OPS:
            raise ValueError(f"unknown asymptotic relation {self.relation!r}")
        if (self.variable is None) != (self.point is None):
            raise ValueError("an asymptotic limit needs both a variable and a point")

    def expressions(self) -> tuple[sympy.Basic, ...]:
        limit = () if self.variable is None else (self.variable, self.point)
        return (self.lhs, self.rhs, *limit)

    def substitute(self, mapping: Substitution) -> Asymptotic:
        return replace(
            self,
            lhs=_subs(self.lhs, mapping),
            rhs=_subs(self.rhs, mapping),
            variable=None if self.variable is None else _subs(self.variable, mapping),
            point=None if self.point is None else _subs(self.point, mapping),
        )

    def latex(self, printer: Printer = sympy.latex) -> str:
        body = f"{printer(self.lhs)} {_ASYMPTOTIC_OPS[self.relation]} {printer(self.rhs)}"
        if self.variable is None:
            return body
        limit = rf"{printer(self.variable)} \to {printer(self.point)}"
        return rf"{body} \quad \left({limit}\right)"

    def text(self, printer: Printer = str) -> str:
        body = f"{printer(self.lhs)} {_ASYMPTOTIC_TEXT[self.relation]} {printer(self.rhs)}"
        if self.variable is None:
            return body
        return f"{body} as {printer(self.variable)} → {printer(self.point)}"


@dataclass(frozen=True)
class ScalingForm:
    """A finite-size scaling form ``lhs = variable**exponent · function(argument)``."""

    lhs: sympy.Expr
    variable: sympy.Expr
    exponent: sympy.Expr
    function: sympy.Expr
    argument: sympy.Expr
    form: Literal["scaling"] = field(default="scaling", init=False)

    def expressions(self) -> tuple[sympy.Basic, ...]:
        return (self.lhs, self.variable, self.exponent, self.argument)

    def as_relation(self) -> Relational:
        """The scaling form written out as an equation, with the scaling function applied to its argument."""
        if isinstance(self.function, sympy.core.function.AppliedUndef):
            head = self.function.func
        elif isinstance(self.function, sympy.Symbol):
            head = sympy.Function(self.function.name)
        else:
            raise TypeError(f"a scaling function must be a symbol or function, got {self.function!r}")
        return sympy.Eq(self.lhs, self.variable**self.exponent * head(self.argument), evaluate=False)

    def substitute(self, mapping: Substitution) -> ScalingForm:
        return replace(
            self,
            lhs=_subs(self.lhs, mapping),
            variable=_subs(self.variable, mapping),
            exponent=_subs(self.exponent, mapping),
            function=_subs(self.function, mapping),
            argument=_subs(self.argument, mapping),
        )

    def latex(self, printer: Printer = sympy.latex) -> str:
        return printer(self.as_relation())

    def text(self, printer: Printer = str) -> str:
        rel = self.as_relation()
        return f"{printer(rel.lhs)} = {printer(rel.rhs)}"


@dataclass(frozen=True)
class Extremum:
    """A statement that ``objective`` is minimal (or maximal), over ``variable`` or over the process that the
    claim's condition names (``dS/dt`` is minimal at steady state)."""

    objective: sympy.Expr
    sense: Literal["min", "max"]
    variable: sympy.Expr | None = None
    form: Literal["extremum"] = field(default="extremum", init=False)

    def __post_init__(self) -> None:
        if self.sense not in ("min", "max"):
            raise ValueError(f"an extremum is 'min' or 'max', not {self.sense!r}")

    def expressions(self) -> tuple[sympy.Basic, ...]:
        return (self.objective,) if self.variable is None else (self.objective, self.variable)

    def substitute(self, mapping: Substitution) -> Extremum:
        variable = None if self.variable is None else _subs(self.variable, mapping)
        return Extremum(_subs(self.objective, mapping), self.sense, variable)

    def latex(self, printer: Printer = sympy.latex) -> str:
        over = "" if self.variable is None else f"_{{{printer(self.variable)}}}"
        return rf"{printer(self.objective)} = \{self.sense}{over}"

    def text(self, printer: Printer = str) -> str:
        over = "" if self.variable is None else f" over {printer(self.variable)}"
        return f"{printer(self.objective)} is {'minimal' if self.sense == 'min' else 'maximal'}{over}"


@dataclass(frozen=True)
class ExponentSet:
    """A list of exponents that the text names; what each governs is recorded on its :class:`Quantity`."""

    exponents: tuple[sympy.Symbol, ...]
    form: Literal["exponents"] = field(default="exponents", init=False)

    def expressions(self) -> tuple[sympy.Basic, ...]:
        return self.exponents

    def substitute(self, mapping: Substitution) -> ExponentSet:
        return ExponentSet(tuple(_subs(e, mapping) for e in self.exponents))

    def latex(self, printer: Printer = sympy.latex) -> str:
        return ", ".join(printer(e) for e in self.exponents)

    def text(self, printer: Printer = str) -> str:
        return "exponents " + ", ".join(printer(e) for e in self.exponents)


@dataclass(frozen=True)
class Prose:
    """A heuristic or a question: the text, and the expressions it mentions."""

    prose: str
    mentions: tuple[sympy.Basic, ...] = ()
    form: Literal["prose"] = field(default="prose", init=False)

    def expressions(self) -> tuple[sympy.Basic, ...]:
        return self.mentions

    def substitute(self, mapping: Substitution) -> Prose:
        return Prose(self.prose, tuple(_subs(m, mapping) for m in self.mentions))

    def latex(self, printer: Printer = sympy.latex) -> str:
        if not self.mentions:
            return rf"\text{{{self.prose}}}"
        return ", ".join(printer(m) for m in self.mentions)

    def text(self, printer: Printer = str) -> str:
        if not self.mentions:
            return self.prose
        return f"{self.prose} [{', '.join(printer(m) for m in self.mentions)}]"


Statement: TypeAlias = Relation | Asymptotic | ScalingForm | Extremum | ExponentSet | Prose


def statement_symbols(statement: Statement) -> set[sympy.Basic]:
    """Every free symbol and undefined function head in a statement."""
    found: set[sympy.Basic] = set()
    for expr in statement.expressions():
        found |= _atoms(expr)
    return found


def _atoms(expr: sympy.Basic) -> set[sympy.Basic]:
    found: set[sympy.Basic] = set(expr.atoms(sympy.Symbol))
    for f in expr.atoms(sympy.core.function.AppliedUndef):
        found.add(f.func)
    return found


@dataclass(frozen=True)
class Reading:
    """An interpretation of a claim: its statement with the symbols' meanings fixed.

    ``as-written`` is the text taken literally. Other readings (``canonical``, ...) substitute meanings; they carry
    the rationale for the substitution and the quantities (by key) whose meaning they change.
    """

    name: str
    statement: Statement
    rationale: str = ""
    reinterprets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Claim:
    """One statement of a document, with its provenance, kind and readings.

    ``quantities`` are the keys of the quantities the statement uses; ``defines`` the keys of those it defines;
    ``derived_from`` the ids of the claims a derived (``DER-*``) claim follows from; ``checks`` the names of
    registered numerical checks a claim file attaches to the claim (see ``thermosym.validation``).
    """

    id: str
    source: Source
    text: str
    kind: ClaimKind
    statement: Statement
    quantities: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    derived_from: tuple[str, ...] = ()
    condition: str = ""
    notes: str = ""
    checks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _CLAIM_ID.match(self.id):
            raise ValueError(f"claim id {self.id!r} must look like 'XX-01' (letters, a dash, then a name)")
        object.__setattr__(self, "kind", ClaimKind(self.kind))
        if not self.readings:
            object.__setattr__(self, "readings", (Reading("as-written", self.statement),))
        elif self.readings[0].name != "as-written":
            raise ValueError(f"claim {self.id}: the first reading must be 'as-written'")
        missing = set(self.defines) - set(self.quantities)
        if missing:
            raise ValueError(f"claim {self.id} defines {sorted(missing)} but does not use them")

    @property
    def as_written(self) -> Reading:
        return self.readings[0]

    def reading(self, name: str) -> Reading:
        for r in self.readings:
            if r.name == name:
                return r
        raise KeyError(f"claim {self.id} has no reading {name!r}")

    def with_reading(self, reading: Reading) -> Claim:
        """A copy with ``reading`` added, or replacing the reading of the same name (never ``as-written``)."""
        if reading.name == "as-written":
            raise ValueError("the as-written reading is fixed by the text")
        kept = tuple(r for r in self.readings if r.name != reading.name)
        return replace(self, readings=(*kept, reading))

    def iter_expressions(self) -> Iterator[sympy.Basic]:
        yield from self.statement.expressions()
