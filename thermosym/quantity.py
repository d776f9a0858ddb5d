"""Quantities: a symbol together with what it means.

A :class:`Quantity` is identified by its ``key`` (``"TL.E"``: document id and local name), not by the symbol it
prints as. Two quantities may print with the same symbol (the enthalpy ``H`` and the Hamiltonian ``H`` of the same
document); they remain distinct objects and distinct SymPy symbols, and the consistency checker reports the
overloading.

>>> q = Quantity(key="TL.T", symbol="T", name="Model Temperature", kind=Kind.TEMPERATURE, level=Level.CONTROL)
>>> q.sym
TL.T
>>> str(q.display)
'T'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import sympy

_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")


class Kind(StrEnum):
    """The physical or mathematical kind of a quantity."""

    ENERGY = "energy"
    ENTROPY = "entropy"
    FREE_ENERGY = "free-energy"
    TEMPERATURE = "temperature"
    INVERSE_TEMPERATURE = "inverse-temperature"
    VOLUME = "volume"
    PRESSURE = "pressure"
    HEAT = "heat"
    WORK = "work"
    HEAT_CAPACITY = "heat-capacity"
    INFORMATION = "information"
    PROBABILITY = "probability"
    DENSITY = "density"
    CURRENT = "current"
    RATE = "rate"
    PARAMETER = "parameter"
    MOMENTUM = "momentum"
    TIME = "time"
    COUNT = "count"
    EXPONENT = "exponent"
    ORDER_PARAMETER = "order-parameter"
    SUSCEPTIBILITY = "susceptibility"
    LENGTH = "length"
    DIFFUSION = "diffusion"
    VELOCITY = "velocity"
    CONSTANT = "constant"
    DIMENSIONLESS = "dimensionless"
    FUNCTION = "function"
    MATRIX = "matrix"
    RESOURCE = "resource"
    INDEX = "index"


class Level(StrEnum):
    """Where a quantity lives.

    ``microstate``: an observable of one configuration θ that fluctuates under the ensemble, such as L(θ).
    ``ensemble``: a functional of the whole distribution, one number per distribution, such as −∑ p log p.
    ``control``: a parameter set from outside (temperature, size, time).
    ``field``: a function over configuration space or time, such as p(θ, t).
    ``constant``: a fixed number (k_B, an exponent).
    """

    MICROSTATE = "microstate"
    ENSEMBLE = "ensemble"
    CONTROL = "control"
    FIELD = "field"
    CONSTANT = "constant"


@dataclass(frozen=True)
class Quantity:
    """A symbol with its meaning.

    ``arguments`` names the quantities a function-like quantity is applied to (``p(θ)``); an empty tuple means the
    quantity is a plain symbol. ``governs`` is, for an exponent, the kind of quantity the text says it governs.
    ``given`` marks an input of the theory (the loss L(θ), a distribution p(θ)) that needs no defining claim.
    """

    key: str
    symbol: str
    name: str
    kind: Kind
    level: Level
    discrete: bool = False
    description: str = ""
    arguments: tuple[str, ...] = ()
    governs: Kind | None = None
    positive: bool = False
    given: bool = False
    sym: sympy.Symbol = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"quantity key {self.key!r} must look like 'DOC.name'")
        if not self.symbol:
            raise ValueError(f"quantity {self.key!r} has an empty symbol")
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "level", Level(self.level))
        if self.governs is not None:
            object.__setattr__(self, "governs", Kind(self.governs))
            if self.kind is not Kind.EXPONENT:
                raise ValueError(f"quantity {self.key!r}: only an exponent can govern a quantity")
        assumptions: dict[str, bool] = {"real": True}
        if self.discrete:
            assumptions["integer"] = True
        if self.positive:
            assumptions["positive"] = True
        object.__setattr__(self, "sym", sympy.Symbol(self.key, **assumptions))

    @property
    def document(self) -> str:
        """The id of the document that declares the quantity."""
        return self.key.split(".", 1)[0]

    @property
    def local_name(self) -> str:
        """The name the quantity has inside its claim file."""
        return self.key.split(".", 1)[1]

    @property
    def is_function(self) -> bool:
        """Whether the quantity is applied to arguments, like p(θ)."""
        return bool(self.arguments)

    @property
    def func(self) -> type[sympy.Function]:
        """The undefined SymPy function of a function-like quantity."""
        return sympy.Function(self.key, real=True)

    @property
    def display(self) -> sympy.Symbol:
        """A symbol that prints as the document prints the quantity."""
        return sympy.Symbol(self.symbol)

    def latex(self) -> str:
        """LaTeX for the printed symbol (subscripts such as ``T_L`` are kept)."""
        return sympy.latex(sympy.Symbol(self.symbol))
