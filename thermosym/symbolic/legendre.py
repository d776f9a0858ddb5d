"""Thermodynamic potentials: Legendre transforms, differentials and Maxwell relations of any fundamental relation.

A :class:`FundamentalRelation` is U(x_1, ..., x_n), an undefined function or a concrete expression, with conjugate
variables y_i = s_i ∂U/∂x_i (s_i = ±1, so that T = ∂E/∂S and P = −∂E/∂V are both covered). Then
(Callen, *Thermodynamics and an Introduction to Thermostatistics*, 2nd ed., ch. 5):

* dU = Σ_i s_i y_i dx_i;
* for every non-empty subset A of the variables, the Legendre transform Φ_A = U − Σ_{i∈A} s_i y_i x_i has the
  natural variables {y_i : i ∈ A} ∪ {x_j : j ∉ A} and dΦ_A = Σ_{j∉A} s_j y_j dx_j − Σ_{i∈A} s_i x_i dy_i
  (2^n − 1 transforms);
* if dΦ = Σ_k a_k dz_k then ∂a_k/∂z_l = ∂a_l/∂z_k (Schwarz: mixed second partials of Φ commute): the Maxwell
  relations (Callen ch. 7), n(n − 1)/2 per potential.

Every relation is checked in the original coordinates x by Jacobians (∂a/∂b)_{c...} = ∂(a, c...)/∂(b, c...),
so the same code proves it for a generic U and evaluates it on concrete fundamental relations.

For the document's E(S, V) with T = ∂E/∂S|_V (TL-04), P = −∂E/∂V|_S (TL-06), F = E − TS (TL-08), H = E + PV
(TL-09) and G = H − TS (TL-10), :func:`derivations` gives dE, dF, dH, dG and the four Maxwell relations.

>>> S, V, T, P, E = sympy.symbols("S V T P E")
>>> rel = FundamentalRelation(E, (S, V), (T, P), (1, -1))
>>> [differential_text(p) for p in legendre_transforms(rel)]
['dE[T] = −S dT − P dV', 'dE[P] = T dS + V dP', 'dE[T,P] = −S dT + V dP']
>>> maxwell_text(maxwell_relations(rel.potential_of(()))[0])
'(∂T/∂V)_S = −(∂P/∂S)_V'
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy

from thermosym.operators import ConstrainedDerivative, Differential
from thermosym.symbolic.derivation import (
    ConcreteCheck,
    Derivation,
    Step,
    SymbolTable,
    cached_residuals,
    make_claim,
    reduce_residual,
    substitute,
)

# --- fundamental relations and their transforms ---------------------------------------------------------------


@dataclass(frozen=True)
class FundamentalRelation:
    """U(x_1..x_n) with conjugates y_i = s_i ∂U/∂x_i.

    ``potential`` is the symbol of U, ``variables`` the x_i, ``conjugates`` the y_i, ``signs`` the s_i.
    ``expression`` is a concrete U(x) or None for a generic (undefined) function of the variables.
    ``names`` optionally names transforms by the indices they transform, e.g. ``{(0,): F}``.
    """

    potential: sympy.Symbol
    variables: tuple[sympy.Symbol, ...]
    conjugates: tuple[sympy.Symbol, ...]
    signs: tuple[int, ...]
    expression: sympy.Expr | None = None
    names: Mapping[tuple[int, ...], sympy.Symbol] | tuple[tuple[tuple[int, ...], sympy.Symbol], ...] = ()
    system: str = ""

    def __post_init__(self) -> None:
        n = len(self.variables)
        if n == 0:
            raise ValueError("variables: a fundamental relation needs at least one natural variable")
        if len(self.conjugates) != n or len(self.signs) != n:
            raise ValueError(
                f"conjugates ({len(self.conjugates)}) and signs ({len(self.signs)}) must match variables ({n})"
            )
        if any(s not in (1, -1) for s in self.signs):
            raise ValueError(f"signs must be +1 or -1, got {self.signs}")
        every = (self.potential, *self.variables, *self.conjugates)
        if len(set(every)) != len(every):
            raise ValueError("potential, variables and conjugates must be distinct symbols")
        if self.expression is not None:
            stray = set(self.expression.free_symbols) & {self.potential, *self.conjugates}
            if stray:
                raise ValueError(f"expression must be a function of the variables, not of {sorted(map(str, stray))}")
        names = tuple(sorted(dict(self.names).items()))
        object.__setattr__(self, "names", names)  # stored as a tuple so that the relation is hashable
        for subset, _ in names:
            if not subset or sorted(set(subset)) != list(subset) or not set(subset) <= set(range(n)):
                raise ValueError(f"names: {subset!r} is not a sorted non-empty tuple of variable indices")

    @property
    def n(self) -> int:
        """Number of natural variables."""
        return len(self.variables)

    @property
    def energy(self) -> sympy.Expr:
        """U as a function of the variables: the concrete expression, or an undefined function U(x_1..x_n)."""
        if self.expression is not None:
            return self.expression
        return sympy.Function(str(self.potential))(*self.variables)

    def coordinates(self) -> dict[sympy.Symbol, sympy.Expr]:
        """Every variable, conjugate and potential as a function of the x_i (y_i = s_i ∂U/∂x_i)."""
        u = self.energy
        values: dict[sympy.Symbol, sympy.Expr] = {x: x for x in self.variables}
        for x, y, s in zip(self.variables, self.conjugates, self.signs, strict=True):
            values[y] = s * sympy.diff(u, x)
        values[self.potential] = u
        for subset in itertools.chain.from_iterable(
            itertools.combinations(range(self.n), r) for r in range(1, self.n + 1)
        ):
            phi = self.potential_of(subset)
            values[phi.symbol] = phi.definition.xreplace(values)
        return values

    def potential_of(self, subset: Sequence[int]) -> Potential:
        """The Legendre transform over the variables with indices ``subset`` (``()`` gives U itself)."""
        return legendre_transform(self, subset)

    def with_expression(self, expression: sympy.Expr, system: str) -> FundamentalRelation:
        """The same relation made concrete: U(x) = ``expression`` (a named ``system``)."""
        return FundamentalRelation(
            self.potential, self.variables, self.conjugates, self.signs, expression, self.names, system
        )


@dataclass(frozen=True)
class Potential:
    """A Legendre transform Φ_A of U: its symbol, definition, natural variables and differential.

    ``differential`` lists (z_k, a_k) so that dΦ = Σ_k a_k dz_k; every a_k is ±(a symbol).
    """

    symbol: sympy.Symbol
    transformed: tuple[int, ...]
    natural_variables: tuple[sympy.Symbol, ...]
    definition: sympy.Expr
    differential: tuple[tuple[sympy.Symbol, sympy.Expr], ...]

    @property
    def differential_form(self) -> sympy.Expr:
        """Σ_k a_k dz_k with unevaluated differentials."""
        return sympy.Add(*(a * Differential(z) for z, a in self.differential))

    @property
    def differential_relation(self) -> sympy.Eq:
        """dΦ = Σ_k a_k dz_k."""
        return sympy.Eq(Differential(self.symbol), self.differential_form, evaluate=False)


def _default_name(relation: FundamentalRelation, subset: tuple[int, ...]) -> sympy.Symbol:
    inner = ",".join(str(relation.conjugates[i]) for i in subset)
    return sympy.Symbol(f"{relation.potential}[{inner}]")


def legendre_transform(relation: FundamentalRelation, subset: Sequence[int]) -> Potential:
    """Φ_A = U − Σ_{i∈A} s_i y_i x_i, natural variables y_A ∪ x_(not A), dΦ_A (Callen ch. 5)."""
    chosen = tuple(sorted(set(subset)))
    if len(chosen) != len(tuple(subset)) or not set(chosen) <= set(range(relation.n)):
        raise ValueError(f"subset {tuple(subset)!r} must list distinct variable indices in 0..{relation.n - 1}")
    named = dict(relation.names).get(chosen) or _default_name(relation, chosen)
    symbol = relation.potential if not chosen else named
    xs, ys, ss = relation.variables, relation.conjugates, relation.signs
    definition = relation.potential - sympy.Add(*(ss[i] * ys[i] * xs[i] for i in chosen))
    naturals: list[sympy.Symbol] = []
    differential: list[tuple[sympy.Symbol, sympy.Expr]] = []
    for i in range(relation.n):
        if i in chosen:
            naturals.append(ys[i])
            differential.append((ys[i], -ss[i] * xs[i]))
        else:
            naturals.append(xs[i])
            differential.append((xs[i], ss[i] * ys[i]))
    return Potential(symbol, chosen, tuple(naturals), definition, tuple(differential))


def legendre_transforms(relation: FundamentalRelation) -> tuple[Potential, ...]:
    """All 2^n − 1 Legendre transforms of U, by number of transformed variables, then by index."""
    subsets = itertools.chain.from_iterable(
        itertools.combinations(range(relation.n), r) for r in range(1, relation.n + 1)
    )
    return tuple(legendre_transform(relation, s) for s in subsets)


def all_potentials(relation: FundamentalRelation) -> tuple[Potential, ...]:
    """U itself followed by its 2^n − 1 Legendre transforms."""
    return (legendre_transform(relation, ()), *legendre_transforms(relation))


@dataclass(frozen=True)
class MaxwellRelation:
    """(∂q_k/∂z_l)_{z≠z_l} = sign · (∂q_l/∂z_k)_{z≠z_k}, from the mixed partials of ``potential``.

    With a_k = σ_k q_k the coefficients of dΦ, sign = σ_k σ_l.
    """

    potential: sympy.Symbol
    lhs: tuple[sympy.Symbol, sympy.Symbol, tuple[sympy.Symbol, ...]]
    rhs: tuple[sympy.Symbol, sympy.Symbol, tuple[sympy.Symbol, ...]]
    sign: int

    @property
    def relation(self) -> sympy.Eq:
        """The Maxwell relation with unevaluated constrained derivatives."""
        (qk, zl, held_l), (ql, zk, held_k) = self.lhs, self.rhs
        return sympy.Eq(
            ConstrainedDerivative(qk, zl, *held_l),
            self.sign * ConstrainedDerivative(ql, zk, *held_k),
            evaluate=False,
        )


def differential_text(potential: Potential) -> str:
    """dΦ = Σ_k a_k dz_k as plain text in the order of the natural variables, e.g. ``dF = −S dT − P dV``."""
    terms = []
    for z, a in potential.differential:
        sign, q = _split(a)
        terms.append(("−" if sign < 0 else "+", f"{q} d{z}"))
    body = ("−" if terms[0][0] == "−" else "") + terms[0][1]
    body += "".join(f" {s} {t}" for s, t in terms[1:])
    return f"d{potential.symbol} = {body}"


def maxwell_text(maxwell: MaxwellRelation) -> str:
    """A Maxwell relation as plain text, e.g. ``(∂S/∂V)_T = (∂P/∂T)_V``."""
    (qk, zl, held_l), (ql, zk, held_k) = maxwell.lhs, maxwell.rhs
    sign = "" if maxwell.sign > 0 else "−"
    lhs = f"(∂{qk}/∂{zl})_{','.join(map(str, held_l))}"
    rhs = f"(∂{ql}/∂{zk})_{','.join(map(str, held_k))}"
    return f"{lhs} = {sign}{rhs}"


def _split(coefficient: sympy.Expr) -> tuple[int, sympy.Symbol]:
    sign, rest = coefficient.as_coeff_Mul()
    if sign not in (1, -1) or not isinstance(rest, sympy.Symbol):
        raise ValueError(f"differential coefficient {coefficient} is not ± a symbol")
    return int(sign), rest


def maxwell_relations(potential: Potential) -> tuple[MaxwellRelation, ...]:
    """The n(n − 1)/2 Maxwell relations of one potential (Callen ch. 7, generalised to n variables)."""
    found: list[MaxwellRelation] = []
    zs = [z for z, _ in potential.differential]
    for k, l in itertools.combinations(range(len(zs)), 2):
        sk, qk = _split(potential.differential[k][1])
        sl, ql = _split(potential.differential[l][1])
        held_l = tuple(z for z in zs if z != zs[l])
        held_k = tuple(z for z in zs if z != zs[k])
        found.append(MaxwellRelation(potential.symbol, (qk, zs[l], held_l), (ql, zs[k], held_k), sk * sl))
    return tuple(found)


# --- evaluation in the original coordinates --------------------------------------------------------------------


def constrained_partial(
    values: Mapping[sympy.Symbol, sympy.Expr],
    coordinates: Sequence[sympy.Symbol],
    numerator: sympy.Symbol,
    denominator: sympy.Symbol,
    held: Sequence[sympy.Symbol],
) -> sympy.Expr:
    """(∂a/∂b)_{c...} = ∂(a, c...)/∂(b, c...) with every quantity given as a function of ``coordinates``.

    Jacobian rule: Landau & Lifshitz, *Statistical Physics* Part 1, §16; Callen appendix A.
    """
    if len(held) != len(coordinates) - 1:
        raise ValueError(f"held: need {len(coordinates) - 1} held variables for {len(coordinates)} coordinates")

    def jac(first: sympy.Symbol) -> sympy.Expr:
        return determinant([[sympy.diff(values[f], x) for x in coordinates] for f in (first, *held)])

    return jac(numerator) / jac(denominator)


def determinant(rows: Sequence[Sequence[sympy.Expr]]) -> sympy.Expr:
    """Determinant by cofactor expansion along the first row, without simplification (fast for n ≤ 4)."""
    n = len(rows)
    if any(len(r) != n for r in rows):
        raise ValueError("rows: the matrix must be square")
    if n == 1:
        return rows[0][0]
    total = sympy.S.Zero
    for j, entry in enumerate(rows[0]):
        if entry != 0:
            minor = [[r[c] for c in range(n) if c != j] for r in rows[1:]]
            total += (-1) ** j * entry * determinant(minor)
    return total


def differential_residuals(relation: FundamentalRelation, potential: Potential) -> tuple[sympy.Expr, ...]:
    """Per dx_j: ∂Φ/∂x_j − Σ_k a_k ∂z_k/∂x_j, all in the x coordinates (0 when dΦ is right)."""
    values = _coordinates(relation)
    phi = values[potential.symbol]
    residuals = []
    for x in relation.variables:
        claimed = sympy.Add(*(a.xreplace(values) * sympy.diff(values[z], x) for z, a in potential.differential))
        residuals.append(reduce_residual(sympy.diff(phi, x) - claimed))
    return tuple(residuals)


def maxwell_residual(relation: FundamentalRelation, maxwell: MaxwellRelation) -> sympy.Expr:
    """Left side minus right side of a Maxwell relation, computed by Jacobians in the x coordinates."""
    values = _coordinates(relation)
    (qk, zl, held_l), (ql, zk, held_k) = maxwell.lhs, maxwell.rhs
    lhs = constrained_partial(values, relation.variables, qk, zl, held_l)
    rhs = constrained_partial(values, relation.variables, ql, zk, held_k)
    return reduce_residual(lhs - maxwell.sign * rhs)


@functools.lru_cache(maxsize=64)
def _coordinates(relation: FundamentalRelation) -> dict[sympy.Symbol, sympy.Expr]:
    return relation.coordinates()


def mixed_partial_residual(potential: Potential) -> sympy.Expr:
    """Σ over pairs of |∂a_k/∂z_l − ∂a_l/∂z_k| for a generic Φ(z) with a_k = ∂Φ/∂z_k (Schwarz's theorem)."""
    zs = [z for z, _ in potential.differential]
    phi = sympy.Function(str(potential.symbol))(*zs)
    total = sympy.S.Zero
    for k, l in itertools.combinations(range(len(zs)), 2):
        total += sympy.Abs(sympy.diff(phi, zs[k], zs[l]) - sympy.diff(phi, zs[l], zs[k]))
    return total


# --- the document's E(S, V) -------------------------------------------------------------------------------------

_S = sympy.Symbol("S", real=True)
_V = sympy.Symbol("V", positive=True)
_T = sympy.Symbol("T", real=True)
_P = sympy.Symbol("P", real=True)
_E, _F, _H, _G = sympy.symbols("E F H G", real=True)
_d = sympy.Symbol("d", positive=True)
_a, _b = sympy.symbols("a b", positive=True)

#: E(S, V), T = ∂E/∂S|_V (TL-04), P = −∂E/∂V|_S (TL-06); F, H, G as TL-08..TL-10 name them.
ENERGY_SV = FundamentalRelation(
    _E, (_S, _V), (_T, _P), (1, -1), names={(0,): _F, (1,): _H, (0, 1): _G}, system="generic E(S, V)"
)

#: Concrete fundamental relations E(S, V) (k_B = 1, one particle, additive constants set to 1).
CONCRETE_ENERGIES: tuple[tuple[str, sympy.Expr], ...] = (
    # simple ideal gas (Callen §3.4) with c = 3/2, N = R = 1: s = (3/2) ln u + ln v + s0.
    ("ideal gas (Callen §3.4, c = 3/2)", _V ** sympy.Rational(-2, 3) * sympy.exp(2 * _S / 3)),
    # Gibbs measure of L = ½θᵀHθ in d dimensions with V := (det H)^(−1/2): ⟨L⟩ = dT/2,
    # S = d/2 + (d/2) ln(2πT) + ln V (REFERENCES §1), solved for E(S, V).
    (
        "quadratic loss, Gibbs measure, V = (det H)^(-1/2)",
        _d / (4 * sympy.pi) * sympy.exp(2 * _S / _d - 1) * _V ** (-2 / _d),
    ),
    # ideal van der Waals fluid (Callen §3.5) with c = 3/2: s = ln[(v − b)(u + a/v)^c] + s0.
    ("van der Waals (Callen §3.5, c = 3/2)", (_V - _b) ** sympy.Rational(-2, 3) * sympy.exp(2 * _S / 3) - _a / _V),
)

_SOURCES: dict[sympy.Symbol, tuple[str, ...]] = {
    _E: ("TL-04", "TL-06"),
    _F: ("TL-04", "TL-06", "TL-08"),
    _H: ("TL-04", "TL-06", "TL-09"),
    _G: ("TL-04", "TL-06", "TL-08", "TL-09", "TL-10"),
}

_DEFINING_CLAIM: dict[sympy.Symbol, str] = {_F: "TL-08", _H: "TL-09", _G: "TL-10"}


def _catalogue_map(table: SymbolTable) -> dict[sympy.Symbol, sympy.Symbol]:
    return {
        _E: table["TL.E"],
        _S: table["TL.S"],
        _T: table["TL.T"],
        _V: table["TL.V"],
        _P: table["TL.P"],
        _F: table["TL.F"],
        _H: table["TL.H"],
        _G: table["TL.G"],
    }


def _differential_steps(relation: FundamentalRelation, potential: Potential) -> list[Step]:
    du = legendre_transform(relation, ())
    steps = [
        Step(
            "Fundamental relation",
            du.differential_relation,
            "T = (∂E/∂S)_V (TL-04) and P = −(∂E/∂V)_S (TL-06) are the coefficients of dE for E(S, V)",
        )
    ]
    if not potential.transformed:
        return steps
    xs, ys, ss = relation.variables, relation.conjugates, relation.signs
    steps.append(
        Step(
            "Definition",
            sympy.Eq(potential.symbol, potential.definition, evaluate=False),
            f"{potential.symbol} as {_DEFINING_CLAIM.get(potential.symbol, 'defined')}: the Legendre transform "
            "of E over " + ", ".join(str(xs[i]) for i in potential.transformed),
        )
    )
    product = Differential(relation.potential) - sympy.Add(
        *(ss[i] * (ys[i] * Differential(xs[i]) + xs[i] * Differential(ys[i])) for i in potential.transformed)
    )
    steps.append(
        Step(
            "Product rule",
            sympy.Eq(Differential(potential.symbol), product, evaluate=False),
            "d(xy) = x dy + y dx applied to the definition",
        )
    )
    steps.append(
        Step(
            "Substitute dE",
            potential.differential_relation,
            "dE = T dS − P dV; the terms in the transformed variables' differentials cancel",
        )
    )
    return steps


def _maxwell_steps(potential: Potential, maxwell: MaxwellRelation, der_differential: str) -> list[Step]:
    zs = [z for z, _ in potential.differential]
    coefficients = [
        sympy.Eq(a, ConstrainedDerivative(potential.symbol, z, *(w for w in zs if w != z)), evaluate=False)
        for z, a in potential.differential
    ]
    zl, zk = maxwell.lhs[1], maxwell.rhs[1]
    phi = sympy.Function(str(potential.symbol))(*zs)
    return [
        Step("Differential", potential.differential_relation, f"{der_differential}"),
        Step(
            "Coefficients",
            sympy.Tuple(*coefficients) if len(coefficients) > 1 else coefficients[0],
            f"the coefficients of d{potential.symbol} are its partial derivatives in its natural variables {tuple(zs)}",
        ),
        Step(
            "Mixed partials",
            sympy.Eq(
                sympy.Derivative(phi, zk, zl, evaluate=False),
                sympy.Derivative(phi, zl, zk, evaluate=False),
                evaluate=False,
            ),
            "Schwarz's theorem: the second partials of a C² function commute",
        ),
        Step(
            "Maxwell relation",
            maxwell.relation,
            "differentiate each coefficient by the other natural variable and equate",
        ),
    ]


def _concrete_relations() -> tuple[FundamentalRelation, ...]:
    return tuple(ENERGY_SV.with_expression(expr, name) for name, expr in CONCRETE_ENERGIES)


def energy_sv_residuals() -> dict[str, sympy.Basic]:
    """Residuals of dE, dF, dH, dG and the four Maxwell relations: generic E(S, V) (key ``dF``, ``maxwell-F``)
    and each concrete relation (key ``dF|<system>``); every one is 0 when the relation holds."""
    residuals: dict[str, sympy.Basic] = {}
    for potential in all_potentials(ENERGY_SV):
        (maxwell,) = maxwell_relations(potential)
        name = str(potential.symbol)
        residuals[f"d{name}"] = sympy.Add(*map(sympy.Abs, differential_residuals(ENERGY_SV, potential)))
        residuals[f"maxwell-{name}"] = sympy.Abs(maxwell_residual(ENERGY_SV, maxwell)) + mixed_partial_residual(
            potential
        )
        for rel in _concrete_relations():
            residuals[f"d{name}|{rel.system}"] = sympy.Add(*map(sympy.Abs, differential_residuals(rel, potential)))
            residuals[f"maxwell-{name}|{rel.system}"] = maxwell_residual(rel, maxwell)
    return residuals


def _checks(
    key: str, residuals: Mapping[str, sympy.Basic], mapping: Mapping[sympy.Symbol, sympy.Symbol]
) -> tuple[ConcreteCheck, ...]:
    return tuple(
        ConcreteCheck(
            rel.system,
            substitute(sympy.Eq(_E, rel.energy, evaluate=False), mapping),
            residuals[f"{key}|{rel.system}"],
            residuals[f"{key}|{rel.system}"] == 0,
        )
        for rel in _concrete_relations()
    )


def derivations(table: SymbolTable) -> list[Derivation]:
    """dE, dF, dH, dG (DER-dE..DER-dG) and the Maxwell relations of E, F, H, G (DER-MAXWELL-E..-G)."""
    mapping = _catalogue_map(table)
    residuals = cached_residuals("potentials", energy_sv_residuals)
    differentials: list[Derivation] = []
    maxwells: list[Derivation] = []
    for potential in all_potentials(ENERGY_SV):
        name = str(potential.symbol)
        sources = _SOURCES[potential.symbol]
        naturals = ", ".join(str(z) for z in potential.natural_variables)
        claim = make_claim(
            table,
            id=f"DER-d{name}",
            topic="potentials",
            text=f"{differential_text(potential)}: {name} has the natural variables ({naturals})",
            relation=substitute(potential.differential_relation, mapping),
            derived_from=sources,
        )
        differentials.append(
            Derivation(
                claim=claim,
                topic="potentials",
                steps=tuple(
                    Step(s.name, substitute(s.expression, mapping), s.justification)
                    for s in _differential_steps(ENERGY_SV, potential)
                ),
                verified=residuals[f"d{name}"] == 0,
                method=(
                    f"coefficients of dS and dV in d{name} computed from a generic E(S, V) (y = ±∂E/∂x) and "
                    "compared by sympy.cancel: residual 0"
                ),
                concrete_checks=_checks(f"d{name}", residuals, mapping),
            )
        )
        (maxwell,) = maxwell_relations(potential)
        claim = make_claim(
            table,
            id=f"DER-MAXWELL-{name}",
            topic="potentials",
            text=f"Maxwell relation of {name}({naturals}): {maxwell_text(maxwell)}",
            relation=substitute(maxwell.relation, mapping),
            derived_from=sources,
        )
        maxwells.append(
            Derivation(
                claim=claim,
                topic="potentials",
                steps=tuple(
                    Step(s.name, substitute(s.expression, mapping), s.justification)
                    for s in _maxwell_steps(potential, maxwell, f"DER-d{name}")
                ),
                verified=residuals[f"maxwell-{name}"] == 0,
                method=(
                    "both sides as Jacobians in (S, V) of a generic E(S, V) reduce to the same ratio of second "
                    f"derivatives (sympy.cancel: residual 0); mixed partials of a generic {name}({naturals}) commute"
                ),
                concrete_checks=_checks(f"maxwell-{name}", residuals, mapping),
            )
        )
    return differentials + maxwells


__all__ = [
    "CONCRETE_ENERGIES",
    "ENERGY_SV",
    "FundamentalRelation",
    "MaxwellRelation",
    "Potential",
    "all_potentials",
    "constrained_partial",
    "derivations",
    "determinant",
    "differential_residuals",
    "legendre_transform",
    "legendre_transforms",
    "maxwell_relations",
    "maxwell_residual",
    "maxwell_text",
    "mixed_partial_residual",
]
