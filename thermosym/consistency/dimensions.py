r"""A small dimension algebra: the kind of an expression, inferred from the kinds of its quantities.

Basis. Two base units, ``energy`` and ``k_B`` (the unit of entropy), plus one private unit per quantity
whose kind has no fixed dimension but must stay consistent with itself (a concentration ``c``: the terms
``D∇c`` and ``c v`` of a current must both be "c per time"). Parameters θ, counts, probabilities and order
parameters are pure numbers; a heat capacity is k_B, a temperature energy/k_B, a susceptibility ∂ψ/∂h is
1/energy. Time is the time of gradient flow with unit mobility, dθ/dt = −∇L (θ a pure number), so a time is
1/energy and a rate, a velocity or a diffusion coefficient is an energy: the Einstein relation D = μT with μ = 1
reads D = T, as REFERENCES.md §5 and the Fokker–Planck stationary state p ∝ exp(−L/D) have it. Kinds without a
dimension of their own (``function``, ``matrix``, ``current``, ``resource``, a generic ``constant``) are
*unknown*, and an unknown dimension agrees with everything.

k_B = 1. Entropy keeps its own unit, so the algebra tells an entropy (k_B) from a pure number: −∑ p log p is an
entropy, ∂S/∂S is dimensionless, ∂E/∂S (energy/k_B) a temperature, T·S an energy. With k_B = 1 the documents drop
every factor of k_B (F = −T log Z, C = β² Var L, exp(−βW)), so two dimensions *agree* when they differ only by a
power of k_B, and the argument of exp, log or a non-integer power only needs to be a pure number up to powers
of k_B. The k_B exponent is still kept, to *name* what an expression is in a message (an "entropy" rather than
"dimensionless", "an entropy per temperature" for C/T). Every disagreement this algebra reports is therefore a
disagreement in the energy exponent (or in a private unit), which no convention for k_B can remove.

>>> from thermosym.quantity import Kind
>>> T, S = KIND_DIMENSIONS[Kind.TEMPERATURE], KIND_DIMENSIONS[Kind.ENTROPY]
>>> describe(T * S), describe(S / S), describe(ENERGY / S)
('an energy', 'dimensionless', 'a temperature')
>>> agree(T * S, ENERGY), agree(S, ENERGY)
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.relational import Relational

from thermosym import operators as op
from thermosym.quantity import Kind, Quantity

ENERGY_UNIT, KB_UNIT = "energy", "k_B"


@dataclass(frozen=True)
class Dimension:
    """A product of base units with rational exponents, e.g. energy·k_B⁻¹ for a temperature."""

    exponents: tuple[tuple[str, sympy.Rational], ...] = ()

    @classmethod
    def of(cls, **units: int | sympy.Rational) -> Dimension:
        """``Dimension.of(energy=1, k_B=-1)``."""
        return cls._make(units.items())

    @classmethod
    def unit(cls, name: str) -> Dimension:
        """A single base unit (also a private unit such as ``"[TL.c]"``)."""
        return cls._make([(name, sympy.Integer(1))])

    @classmethod
    def _make(cls, items: Iterable[tuple[str, int | sympy.Rational]]) -> Dimension:
        merged: dict[str, sympy.Rational] = {}
        for name, power in items:
            merged[name] = merged.get(name, sympy.Integer(0)) + sympy.Rational(power)
        return cls(tuple(sorted((n, p) for n, p in merged.items() if p != 0)))

    def __mul__(self, other: Dimension) -> Dimension:
        return Dimension._make([*self.exponents, *other.exponents])

    def __truediv__(self, other: Dimension) -> Dimension:
        return self * other ** sympy.Integer(-1)

    def __pow__(self, power: int | sympy.Rational) -> Dimension:
        return Dimension._make([(n, p * sympy.Rational(power)) for n, p in self.exponents])

    def power_of(self, unit: str) -> sympy.Rational:
        """The exponent of one base unit (0 when absent)."""
        return dict(self.exponents).get(unit, sympy.Integer(0))

    def without_kb(self) -> Dimension:
        """The dimension with k_B set to 1 (its exponent dropped): what the comparisons use."""
        return Dimension(tuple((n, p) for n, p in self.exponents if n != KB_UNIT))

    @property
    def is_pure_number(self) -> bool:
        """Whether the dimension is a pure number once k_B = 1 (the requirement on exp, log, exponents)."""
        return not self.without_kb().exponents

    def units(self) -> str:
        """The dimension written out in units, e.g. ``k_B^2/energy``."""
        if not self.exponents:
            return "1"
        top = [_unit_text(n, p) for n, p in self.exponents if p > 0]
        bottom = [_unit_text(n, -p) for n, p in self.exponents if p < 0]
        text = "·".join(top) if top else "1"
        return f"{text}/{'·'.join(bottom)}" if bottom else text


def _unit_text(name: str, power: sympy.Rational) -> str:
    return name if power == 1 else f"{name}^{power}"


DIMENSIONLESS = Dimension()
ENERGY = Dimension.unit(ENERGY_UNIT)
ENTROPY = Dimension.unit(KB_UNIT)
TIME = ENERGY**-1
TEMPERATURE = ENERGY / ENTROPY

#: The dimension of each kind; None where the kind fixes none (unknown agrees with everything). DENSITY gets a
#: private unit per quantity (see :func:`quantity_dimension`).
KIND_DIMENSIONS: dict[Kind, Dimension | None] = {
    Kind.ENERGY: ENERGY,
    Kind.FREE_ENERGY: ENERGY,
    Kind.HEAT: ENERGY,
    Kind.WORK: ENERGY,
    Kind.ENTROPY: ENTROPY,
    Kind.HEAT_CAPACITY: ENTROPY,
    Kind.INFORMATION: ENTROPY,
    Kind.TEMPERATURE: TEMPERATURE,
    Kind.INVERSE_TEMPERATURE: ENTROPY / ENERGY,
    Kind.VOLUME: DIMENSIONLESS,
    Kind.PRESSURE: ENERGY,
    Kind.PROBABILITY: DIMENSIONLESS,
    Kind.DENSITY: None,
    Kind.CURRENT: None,
    Kind.RATE: TIME**-1,
    Kind.PARAMETER: DIMENSIONLESS,
    Kind.MOMENTUM: DIMENSIONLESS,
    Kind.TIME: TIME,
    Kind.COUNT: DIMENSIONLESS,
    Kind.EXPONENT: DIMENSIONLESS,
    Kind.ORDER_PARAMETER: DIMENSIONLESS,
    Kind.SUSCEPTIBILITY: ENERGY**-1,
    Kind.LENGTH: DIMENSIONLESS,
    Kind.DIFFUSION: TIME**-1,
    Kind.VELOCITY: TIME**-1,
    Kind.CONSTANT: None,
    Kind.DIMENSIONLESS: DIMENSIONLESS,
    Kind.FUNCTION: None,
    Kind.MATRIX: None,
    Kind.RESOURCE: None,
    Kind.INDEX: DIMENSIONLESS,
}

#: Names for messages, by dimension (full, with the k_B exponent).
_NAMES: dict[Dimension, str] = {
    DIMENSIONLESS: "dimensionless",
    ENERGY: "an energy",
    ENTROPY: "an entropy",
    TEMPERATURE: "a temperature",
    ENTROPY / ENERGY: "an inverse temperature",
    ENTROPY / TEMPERATURE: "an entropy per temperature",
    ENERGY / ENTROPY**2: "an energy per entropy squared",
    ENERGY**-1: "an inverse energy (or a time)",
    ENTROPY**2 / TEMPERATURE**2: "an entropy squared per temperature squared",
}


def describe(dim: Dimension | None) -> str:
    """What a dimension is, in words (``'an entropy'``); the units where no name applies."""
    if dim is None:
        return "of unknown kind"
    return _NAMES.get(dim, f"of dimension {dim.units()}")


def agree(a: Dimension | None, b: Dimension | None) -> bool:
    """Whether two dimensions agree with k_B = 1 (unknown agrees with everything)."""
    return a is None or b is None or a.without_kb() == b.without_kb()


def quantity_dimension(q: Quantity) -> Dimension | None:
    """The dimension a quantity's declared kind gives it. ``k_B`` (a constant printed k_B) is the entropy unit;
    a density gets a private unit of its own."""
    if q.kind is Kind.CONSTANT and q.symbol.replace("_", "").lower() == "kb":
        return ENTROPY
    if q.kind is Kind.DENSITY:
        return Dimension.unit(f"[{q.key}]")
    return KIND_DIMENSIONS[q.kind]


@dataclass(frozen=True)
class Mismatch:
    """A place where an expression combines kinds that do not fit.

    ``what`` is ``"sum"`` (terms of different kinds added), ``"argument"`` (exp, log or a symbolic power of
    something that is not a pure number) or ``"exponent"`` (an exponent with a dimension). ``parts`` are the
    sub-expressions involved, with their dimensions.
    """

    what: str
    expression: sympy.Basic
    parts: tuple[tuple[sympy.Basic, Dimension | None], ...]


DimensionOf = Callable[[str], Dimension | None]

_TRANSCENDENTAL = (
    sympy.exp,
    sympy.log,
    sympy.sin,
    sympy.cos,
    sympy.tan,
    sympy.sinh,
    sympy.cosh,
    sympy.tanh,
    sympy.acos,
    sympy.atan,
)


@dataclass
class DimensionInference:
    """Infers dimensions bottom-up and records every :class:`Mismatch` on the way.

    ``dimension_of(key)`` gives the dimension of a quantity by key (the caller decides whether that is the
    declared kind or the kind its definition implies); names that are not quantities are unknown. ``form``, if
    given, fixes the dimension of whole sub-expressions by their form before the rules apply (the Gibbs entropy
    −∑ p log p is an entropy with k_B = 1, although p log p is a pure number).
    """

    dimension_of: DimensionOf
    form: Callable[[sympy.Basic], Dimension | None] | None = None
    mismatches: list[Mismatch] = field(default_factory=list)

    def infer(self, expr: sympy.Basic) -> Dimension | None:
        """The dimension of ``expr`` (None when unknown)."""
        if self.form is not None:
            fixed = self.form(expr)
            if fixed is not None:
                return fixed
        if isinstance(expr, sympy.Symbol):
            return self.dimension_of(expr.name)
        if isinstance(expr, sympy.Number) or expr in (sympy.pi, sympy.E):
            # 0 and ∞ carry any dimension (⟨W⟩ ≥ 0, T → ∞); other numbers are pure numbers
            return None if expr.is_zero or expr.is_infinite else DIMENSIONLESS
        if isinstance(expr, AppliedUndef):
            for a in expr.args:
                self.infer(a)
            return self.dimension_of(expr.func.__name__)
        if isinstance(expr, sympy.Indexed):
            return self.dimension_of(str(expr.base.label))
        if isinstance(expr, sympy.IndexedBase):
            return self.dimension_of(str(expr.label))
        if isinstance(expr, Relational):
            self.compare(expr.lhs, expr.rhs, expr)
            return None
        handler = _HANDLERS.get(type(expr))
        if handler is not None:
            return handler(self, expr)
        if isinstance(expr, sympy.Add | sympy.Max | sympy.Min):
            return self._sum(expr)
        if isinstance(expr, sympy.Mul):
            return self._product(expr.args)
        if isinstance(expr, sympy.Pow):
            return self._power(expr)
        if isinstance(expr, _TRANSCENDENTAL):
            for a in expr.args:
                self.require_number(a, expr)
            return DIMENSIONLESS
        if isinstance(expr, sympy.Abs):
            return self.infer(expr.args[0])
        if isinstance(expr, sympy.sign):
            self.infer(expr.args[0])
            return DIMENSIONLESS
        if isinstance(expr, sympy.Derivative):
            return self._derivative(expr)
        if isinstance(expr, sympy.Integral):
            result = self.infer(expr.function)
            for limit in expr.limits:
                result = _mul(result, self.infer(limit[0]))
            return result
        if isinstance(expr, sympy.Sum):
            return self.infer(expr.function)
        for a in expr.args:
            self.infer(a)
        return None

    def compare(self, lhs: sympy.Basic, rhs: sympy.Basic, where: sympy.Basic) -> bool:
        """Infer both sides; record a ``"relation"`` mismatch when they disagree. True when they agree."""
        a, b = self.infer(lhs), self.infer(rhs)
        if agree(a, b):
            return True
        self.mismatches.append(Mismatch("relation", where, ((lhs, a), (rhs, b))))
        return False

    # ---- pieces --------------------------------------------------------------------------------------------
    def _sum(self, expr: sympy.Basic) -> Dimension | None:
        parts = [(t, self.infer(t)) for t in expr.args]
        known = [(t, d) for t, d in parts if d is not None]
        if any(not agree(known[0][1], d) for _, d in known[1:]):
            self.mismatches.append(Mismatch("sum", expr, tuple(known)))
            return None
        return known[0][1] if known else None

    def _product(self, factors: Iterable[sympy.Basic]) -> Dimension | None:
        result: Dimension | None = DIMENSIONLESS
        for f in factors:
            result = _mul(result, self.infer(f))
        return result

    def _power(self, expr: sympy.Pow) -> Dimension | None:
        base, exponent = expr.args
        base_dim = self.infer(base)
        if isinstance(exponent, sympy.Rational):
            return None if base_dim is None else base_dim**exponent
        self.require_number(exponent, expr, what="exponent")
        if base_dim is None:
            return None
        if base_dim.is_pure_number:
            return DIMENSIONLESS
        return None  # a dimensional base to a symbolic power: only a proportionality can hold it

    def _derivative(self, expr: sympy.Derivative) -> Dimension | None:
        result = self.infer(expr.expr)
        for variable, count in expr.variable_count:
            var_dim = self.infer(variable)
            result = _mul(result, None if var_dim is None else var_dim ** (-sympy.Integer(count)))
        return result

    def require_number(self, arg: sympy.Basic, where: sympy.Basic, what: str = "argument") -> None:
        dim = self.infer(arg)
        if dim is not None and not dim.is_pure_number:
            self.mismatches.append(Mismatch(what, where, ((arg, dim),)))


def _mul(a: Dimension | None, b: Dimension | None) -> Dimension | None:
    return None if a is None or b is None else a * b


def _first(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    return inf.infer(e.args[0])


def _square(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    d = inf.infer(e.args[0])
    return None if d is None else d**2


def _ratio(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    x, y, *held = e.args
    for h in held:
        inf.infer(h)
    dx, dy = inf.infer(x), inf.infer(y)
    return None if dx is None or dy is None else dx / dy


def _extremum_point(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    inf.infer(e.args[0])
    return inf.infer(e.args[1])


def _count(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    return DIMENSIONLESS


def _information(inf: DimensionInference, e: sympy.Basic) -> Dimension | None:
    return ENTROPY


_HANDLERS: dict[type, Callable[[DimensionInference, sympy.Basic], Dimension | None]] = {
    op.Avg: _first,
    op.Var: _square,
    op.Grad: _first,
    op.Laplacian: _first,
    op.Divergence: _first,
    op.Differential: _first,
    op.Delta: _first,
    op.ConstrainedDerivative: _ratio,
    op.SumOver: _first,
    op.Argmax: _extremum_point,
    op.Argmin: _extremum_point,
    op.Dim: _count,
    op.Card: _count,
    op.MutualInformation: _information,
}
