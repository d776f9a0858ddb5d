"""Jacobian (Bridgman) calculus over {E, S, T, V, P, F, H, G} for a simple system with two natural variables.

Every state function is written in the coordinates (T, V) through a generic Helmholtz free energy F(T, V)
(Callen, *Thermodynamics*, 2nd ed., §7.3; Landau & Lifshitz, *Statistical Physics* Part 1, §16):

    S = −∂F/∂T,  P = −∂F/∂V,  E = F + TS,  H = E + PV,  G = F + PV,

and a constrained partial derivative is a ratio of Jacobians (Bridgman, Phys. Rev. 3, 273 (1914)):

    (∂x/∂y)_z = ∂(x, z)/∂(T, V) ÷ ∂(y, z)/∂(T, V).

The result depends on F only through F_T = −S, F_V = −P and the three second derivatives F_TT, F_TV, F_VV, so
three independent response functions (a :class:`Base`, default C_V = T(∂S/∂T)_V, (∂P/∂T)_V, (∂P/∂V)_T) and
the state variables express every partial. :func:`prove_identity` decides an identity between such partials for
a generic F(T, V) (residual cancels to 0), which also proves it for a generic E(S, V) where the Legendre
transform exists (TL-04, TL-06, TL-08).

>>> partial("E", "V", "T") == T * ConstrainedDerivative(P, T, V) - P
True
>>> prove_identity(C_P - C_V, -T * ConstrainedDerivative(P, T, V) ** 2 / ConstrainedDerivative(P, V, T))
True
>>> prove_identity(C_P - C_V, T * ConstrainedDerivative(P, T, V) ** 2 / ConstrainedDerivative(P, V, T))
False
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from thermosym.operators import ConstrainedDerivative
from thermosym.quantity import Kind, Level
from thermosym.symbolic.derivation import (
    ConcreteCheck,
    Derivation,
    Step,
    SymbolTable,
    cached_residuals,
    is_zero,
    make_claim,
    new_quantity,
    reduce_residual,
    substitute,
)

T = sympy.Symbol("T", positive=True)
V = sympy.Symbol("V", positive=True)
E, S, P, F, H, G = sympy.symbols("E S P F H G", real=True)

#: The eight state variables by name.
VARIABLES: dict[str, sympy.Symbol] = {"E": E, "S": S, "T": T, "V": V, "P": P, "F": F, "H": H, "G": G}

C_V, C_P = sympy.symbols("C_V C_P", real=True)
KAPPA_T, KAPPA_S, ALPHA_P = sympy.symbols("kappa_T kappa_S alpha_P", real=True)

#: Response functions that identities may use, by their definitions (Callen, 2nd ed., ch. 3).
STANDARD_DEFINITIONS: dict[sympy.Symbol, sympy.Expr] = {
    C_V: T * ConstrainedDerivative(S, T, V),
    C_P: T * ConstrainedDerivative(S, T, P),
    KAPPA_T: -ConstrainedDerivative(V, P, T) / V,
    KAPPA_S: -ConstrainedDerivative(V, P, S) / V,
    ALPHA_P: ConstrainedDerivative(V, T, P) / V,
}

_F_GENERIC = sympy.Function("F")(T, V)


def state_functions(free_energy: sympy.Expr | None = None) -> dict[sympy.Symbol, sympy.Expr]:
    """The eight state variables as functions of (T, V) given F(T, V) (a generic function when None)."""
    f = _F_GENERIC if free_energy is None else free_energy
    entropy, pressure = -sympy.diff(f, T), -sympy.diff(f, V)
    energy = f + T * entropy
    return {T: T, V: V, F: f, S: entropy, P: pressure, E: energy, H: energy + pressure * V, G: f + pressure * V}


def _variable(arg: sympy.Basic, names: Mapping[sympy.Basic, sympy.Symbol]) -> sympy.Symbol:
    found = names.get(arg, arg)
    if found not in VARIABLES.values():
        raise ValueError(f"{arg} is not one of the state variables {sorted(VARIABLES)}")
    return found


def _jacobian(values: Mapping[sympy.Symbol, sympy.Expr], a: sympy.Symbol, b: sympy.Symbol) -> sympy.Expr:
    fa, fb = values[a], values[b]
    return sympy.diff(fa, T) * sympy.diff(fb, V) - sympy.diff(fa, V) * sympy.diff(fb, T)


@functools.lru_cache(maxsize=1024)
def partial_tv(x: sympy.Symbol, y: sympy.Symbol, z: sympy.Symbol, free_energy: sympy.Expr | None = None) -> sympy.Expr:
    """(∂x/∂y)_z = ∂(x, z)/∂(y, z) computed in (T, V) for F(T, V) (generic when None)."""
    for label, arg in (("x", x), ("y", y), ("z", z)):
        if arg not in VARIABLES.values():
            raise ValueError(f"{label}={arg} is not one of the state variables {sorted(VARIABLES)}")
    if y == z:
        raise ValueError(f"(∂{x}/∂{y})_{z} is undefined: the variable and the held variable coincide")
    values = _state_cached(free_energy)
    return _jacobian(values, x, z) / _jacobian(values, y, z)


@functools.lru_cache(maxsize=32)
def _state_cached(free_energy: sympy.Expr | None) -> dict[sympy.Symbol, sympy.Expr]:
    return state_functions(free_energy)


def realize(
    expr: sympy.Basic,
    free_energy: sympy.Expr | None = None,
    definitions: Mapping[sympy.Symbol, sympy.Expr] = STANDARD_DEFINITIONS,
    names: Mapping[sympy.Basic, sympy.Symbol] | None = None,
) -> sympy.Expr:
    """``expr`` with response functions, constrained derivatives and state variables written in F(T, V).

    ``names`` maps foreign symbols (a catalogue's ``TL.S``) to the state variables of :data:`VARIABLES`.
    """
    names = dict(names or {})
    expr = sympy.sympify(expr).xreplace({k: v for k, v in names.items() if k not in VARIABLES.values()})
    expr = expr.xreplace(dict(definitions))

    def evaluate(cd: sympy.Basic) -> sympy.Expr:
        if len(cd.args) != 3:
            raise ValueError(f"{cd}: a two-variable system holds exactly one variable fixed")
        x, y, z = (_variable(a, names) for a in cd.args)
        return partial_tv(x, y, z, free_energy)

    expr = expr.replace(lambda e: isinstance(e, ConstrainedDerivative), evaluate)
    return expr.xreplace(_state_cached(free_energy))


def prove_identity(
    lhs: sympy.Basic,
    rhs: sympy.Basic,
    definitions: Mapping[sympy.Symbol, sympy.Expr] = STANDARD_DEFINITIONS,
    names: Mapping[sympy.Basic, sympy.Symbol] | None = None,
) -> bool:
    """Whether lhs = rhs holds for a generic F(T, V): the residual, written in F's derivatives, cancels to 0."""
    return is_zero(realize(lhs, None, definitions, names) - realize(rhs, None, definitions, names))


def identity_residual(
    lhs: sympy.Basic,
    rhs: sympy.Basic,
    free_energy: sympy.Expr | None = None,
    definitions: Mapping[sympy.Symbol, sympy.Expr] = STANDARD_DEFINITIONS,
) -> sympy.Expr:
    """The reduced residual lhs − rhs for F(T, V) = ``free_energy`` (generic when None)."""
    return reduce_residual(realize(lhs, free_energy, definitions) - realize(rhs, free_energy, definitions))


# --- bases ---------------------------------------------------------------------------------------------------

_SECOND = (
    sympy.Derivative(_F_GENERIC, T, T),
    sympy.Derivative(_F_GENERIC, T, V),
    sympy.Derivative(_F_GENERIC, V, V),
)
_FIRST = {sympy.Derivative(_F_GENERIC, T): -S, sympy.Derivative(_F_GENERIC, V): -P}


@dataclass(frozen=True)
class Base:
    """Three response functions that, with the state variables, express every (∂x/∂y)_z.

    ``elements`` are (display, definition) pairs: ``display`` is what results are written in (a symbol such as
    C_V or a ConstrainedDerivative itself), ``definition`` its meaning in constrained derivatives.
    """

    name: str
    elements: tuple[tuple[sympy.Expr, sympy.Expr], ...]

    def __post_init__(self) -> None:
        if len(self.elements) != 3:
            raise ValueError(f"base {self.name!r}: needs exactly three response functions, got {len(self.elements)}")

    def solution(self) -> dict[sympy.Basic, sympy.Expr]:
        """F_TT, F_TV, F_VV in terms of the base (solved once, then cached); ValueError if not unique."""
        return _solve_base(self)

    def express(
        self, expr: sympy.Basic, definitions: Mapping[sympy.Symbol, sympy.Expr] = STANDARD_DEFINITIONS
    ) -> sympy.Expr:
        """``expr`` (partials, response functions, state variables) written in this base and S, P, T, V."""
        realized = realize(expr, None, definitions)
        written = realized.xreplace(self.solution()).xreplace(_FIRST)
        return sympy.factor_terms(sympy.cancel(sympy.together(written)))


@functools.lru_cache(maxsize=16)
def _solve_base(base: Base) -> dict[sympy.Basic, sympy.Expr]:
    dummies = [sympy.Dummy(f"b{i}") for i in range(3)]
    unknowns = [sympy.Dummy(f"u{i}") for i in range(3)]
    to_unknowns = dict(zip(_SECOND, unknowns, strict=True))
    equations = []
    for dummy, (_, definition) in zip(dummies, base.elements, strict=True):
        realized = realize(definition, definitions={}).xreplace(to_unknowns).xreplace(_FIRST)
        equations.append(sympy.Eq(dummy, realized))
    solutions = sympy.solve(equations, unknowns, dict=True)
    if len(solutions) != 1 or set(solutions[0]) != set(unknowns):
        raise ValueError(f"base {base.name!r}: the response functions do not determine F_TT, F_TV, F_VV uniquely")
    back = {d: display for d, (display, _) in zip(dummies, base.elements, strict=True)}
    return {second: solutions[0][u].xreplace(back) for second, u in zip(_SECOND, unknowns, strict=True)}


#: C_V = T(∂S/∂T)_V, (∂P/∂T)_V, (∂P/∂V)_T (Callen §7.3 uses C_P, α, κ_T; both are complete).
DEFAULT_BASE = Base(
    "C_V, (∂P/∂T)_V, (∂P/∂V)_T",
    (
        (C_V, T * ConstrainedDerivative(S, T, V)),
        (ConstrainedDerivative(P, T, V), ConstrainedDerivative(P, T, V)),
        (ConstrainedDerivative(P, V, T), ConstrainedDerivative(P, V, T)),
    ),
)

#: Callen's base: C_P, α = (1/V)(∂V/∂T)_P, κ_T = −(1/V)(∂V/∂P)_T (Callen §7.3).
CALLEN_BASE = Base(
    "C_P, alpha_P, kappa_T",
    (
        (C_P, STANDARD_DEFINITIONS[C_P]),
        (ALPHA_P, STANDARD_DEFINITIONS[ALPHA_P]),
        (KAPPA_T, STANDARD_DEFINITIONS[KAPPA_T]),
    ),
)


def partial(
    x: str | sympy.Symbol, y: str | sympy.Symbol, z: str | sympy.Symbol, base: Base = DEFAULT_BASE
) -> sympy.Expr:
    """(∂x/∂y)_z among {E, S, T, V, P, F, H, G} written in ``base`` and the state variables S, P, T, V.

    >>> partial("S", "T", "V")
    C_V/T
    """
    syms = [VARIABLES[a] if isinstance(a, str) else a for a in (x, y, z)]
    for label, arg in zip("xyz", syms, strict=True):
        if arg not in VARIABLES.values():
            raise ValueError(f"{label}={arg} is not one of the state variables {sorted(VARIABLES)}")
    return base.express(ConstrainedDerivative(*syms))


# --- the document's identities --------------------------------------------------------------------------------

_NEW = {
    C_V: new_quantity(
        "C_V", "C_V", "heat capacity at constant V, C_V = T(∂S/∂T)_V", Kind.HEAT_CAPACITY, Level.ENSEMBLE
    ),
    C_P: new_quantity(
        "C_P", "C_P", "heat capacity at constant P, C_P = T(∂S/∂T)_P", Kind.HEAT_CAPACITY, Level.ENSEMBLE
    ),
    KAPPA_T: new_quantity(
        "kappa_T", "κ_T", "isothermal compressibility, κ_T = −(1/V)(∂V/∂P)_T", Kind.SUSCEPTIBILITY, Level.ENSEMBLE
    ),
    KAPPA_S: new_quantity(
        "kappa_S", "κ_S", "adiabatic compressibility, κ_S = −(1/V)(∂V/∂P)_S", Kind.SUSCEPTIBILITY, Level.ENSEMBLE
    ),
}

_a, _b = sympy.symbols("a b", positive=True)

#: Concrete Helmholtz free energies F(T, V) (k_B = 1, one particle, additive constants dropped).
CONCRETE_FREE_ENERGIES: tuple[tuple[str, sympy.Expr], ...] = (
    ("ideal gas, F = -T (ln V + (3/2) ln T)", -T * (sympy.log(V) + sympy.Rational(3, 2) * sympy.log(T))),
    (
        "van der Waals, F = -T (ln(V - b) + (3/2) ln T) - a/V",
        -T * (sympy.log(V - _b) + sympy.Rational(3, 2) * sympy.log(T)) - _a / V,
    ),
)

CD = ConstrainedDerivative


@dataclass(frozen=True)
class _Spec:
    id: str
    text: str
    lhs: sympy.Expr
    rhs: sympy.Expr
    derived_from: tuple[str, ...]
    steps: tuple[tuple[str, sympy.Expr, sympy.Expr, str], ...]  # name, lhs, rhs, justification


def _specs() -> tuple[_Spec, ...]:
    pt, pv = CD(P, T, V), CD(P, V, T)
    jac = "(∂x/∂y)_z = ∂(x, z)/∂(y, z) with every Jacobian taken in (T, V)"
    return (
        _Spec(
            "DER-CP-CV",
            "C_P − C_V = −T (∂P/∂T)_V² / (∂P/∂V)_T",
            C_P - C_V,
            -T * pt**2 / pv,
            ("TL-04", "TL-06", "TL-08"),
            (
                ("Definitions", C_P - C_V, T * CD(S, T, P) - T * CD(S, T, V), "C_P = T(∂S/∂T)_P, C_V = T(∂S/∂T)_V"),
                ("Change of held variable", CD(S, T, P), CD(S, T, V) + CD(S, V, T) * CD(V, T, P), jac),
                ("Triple product", CD(V, T, P), -pt / pv, "(∂V/∂T)_P (∂T/∂P)_V (∂P/∂V)_T = −1"),
                ("Maxwell relation of F", CD(S, V, T), pt, "DER-MAXWELL-F"),
                ("Result", C_P - C_V, -T * pt**2 / pv, "substitute the three lines above"),
            ),
        ),
        _Spec(
            "DER-KAPPA-RATIO",
            "κ_T / κ_S = C_P / C_V",
            KAPPA_T / KAPPA_S,
            C_P / C_V,
            ("TL-04", "TL-06", "TL-08"),
            (
                ("Definitions", KAPPA_T / KAPPA_S, CD(V, P, T) / CD(V, P, S), "κ_x = −(1/V)(∂V/∂P)_x"),
                (
                    "Jacobians",
                    CD(V, P, T) / CD(V, P, S),
                    CD(S, T, P) / CD(S, T, V),
                    "∂(V,T)/∂(P,T) · ∂(P,S)/∂(V,S) = [∂(V,T)/∂(V,S)]·[∂(P,S)/∂(P,T)], i.e. (∂S/∂T)_P/(∂S/∂T)_V",
                ),
                ("Result", KAPPA_T / KAPPA_S, C_P / C_V, "C_P/C_V = (∂S/∂T)_P/(∂S/∂T)_V"),
            ),
        ),
        _Spec(
            "DER-ENERGY-EQUATION",
            "(∂E/∂V)_T = T (∂P/∂T)_V − P",
            CD(E, V, T),
            T * pt - P,
            ("TL-04", "TL-06", "TL-08"),
            (
                (
                    "dE at constant T",
                    CD(E, V, T),
                    T * CD(S, V, T) - P,
                    "dE = T dS − P dV (DER-dE) divided by dV at fixed T",
                ),
                ("Maxwell relation of F", CD(S, V, T), pt, "DER-MAXWELL-F"),
                ("Result", CD(E, V, T), T * pt - P, "substitute"),
            ),
        ),
        _Spec(
            "DER-CV-ENERGY",
            "(∂E/∂T)_V = C_V",
            CD(E, T, V),
            C_V,
            ("TL-04", "TL-06"),
            (
                ("dE at constant V", CD(E, T, V), T * CD(S, T, V), "dE = T dS − P dV (DER-dE) with dV = 0"),
                ("Result", CD(E, T, V), C_V, "C_V = T(∂S/∂T)_V"),
            ),
        ),
        _Spec(
            "DER-CP-ENTHALPY",
            "(∂H/∂T)_P = C_P",
            CD(H, T, P),
            C_P,
            ("TL-04", "TL-06", "TL-09"),
            (
                ("dH at constant P", CD(H, T, P), T * CD(S, T, P), "dH = T dS + V dP (DER-dH) with dP = 0"),
                ("Result", CD(H, T, P), C_P, "C_P = T(∂S/∂T)_P"),
            ),
        ),
    )


def jacobian_residuals() -> dict[str, sympy.Basic]:
    """Residuals of the identities (key = id), of each of their steps (``id#k``), and on each concrete free
    energy (``id|<system>``), all for the Jacobian calculus of this module; 0 when the identity holds."""
    residuals: dict[str, sympy.Basic] = {}
    for spec in _specs():
        residuals[spec.id] = identity_residual(spec.lhs, spec.rhs)
        for k, (_, lhs, rhs, _) in enumerate(spec.steps):
            residuals[f"{spec.id}#{k}"] = identity_residual(lhs, rhs)
        for system, f in CONCRETE_FREE_ENERGIES:
            residuals[f"{spec.id}|{system}"] = identity_residual(spec.lhs, spec.rhs, f)
    return residuals


def _catalogue_map(table: SymbolTable) -> dict[sympy.Symbol, sympy.Symbol]:
    mapping = {sym: table[f"TL.{name}"] for name, sym in VARIABLES.items()}
    mapping.update({sym: q.sym for sym, q in _NEW.items()})
    return mapping


def derivations(table: SymbolTable) -> list[Derivation]:
    """C_P − C_V, κ_T/κ_S = C_P/C_V, the energy equation, (∂E/∂T)_V = C_V and (∂H/∂T)_P = C_P."""
    mapping = _catalogue_map(table)
    residuals = cached_residuals("jacobian", jacobian_residuals)
    found = []
    for spec in _specs():
        ok = residuals[spec.id] == 0 and all(residuals[f"{spec.id}#{k}"] == 0 for k in range(len(spec.steps)))
        checks = tuple(
            ConcreteCheck(
                system,
                substitute(sympy.Eq(F, f, evaluate=False), mapping),
                residuals[f"{spec.id}|{system}"],
                residuals[f"{spec.id}|{system}"] == 0,
            )
            for system, f in CONCRETE_FREE_ENERGIES
        )
        relation = sympy.Eq(spec.lhs, spec.rhs, evaluate=False)
        used = tuple(q for sym, q in _NEW.items() if relation.has(sym))
        steps = tuple(
            Step(name, substitute(sympy.Eq(lhs, rhs, evaluate=False), mapping), why)
            for name, lhs, rhs, why in spec.steps
        )
        found.append(
            Derivation(
                claim=make_claim(
                    table,
                    id=spec.id,
                    topic="jacobian",
                    text=spec.text,
                    relation=substitute(relation, mapping),
                    derived_from=spec.derived_from,
                    new_quantities=used,
                ),
                topic="jacobian",
                steps=steps,
                verified=ok,
                method=(
                    "the relation and every step written as Jacobians in (T, V) of a generic F(T, V); "
                    "residual reduced to 0 by sympy.cancel"
                ),
                new_quantities=used,
                concrete_checks=checks,
            )
        )
    return found


__all__ = [
    "CALLEN_BASE",
    "CONCRETE_FREE_ENERGIES",
    "DEFAULT_BASE",
    "STANDARD_DEFINITIONS",
    "VARIABLES",
    "Base",
    "derivations",
    "identity_residual",
    "jacobian_residuals",
    "partial",
    "partial_tv",
    "prove_identity",
    "realize",
    "state_functions",
]
