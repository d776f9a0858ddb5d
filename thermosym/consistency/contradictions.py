r"""Contradictions between laws: a current whose continuity equation does not reproduce the evolution law.

A document that gives a current j = J[ρ] for a density ρ and an evolution law ∂ρ'/∂t = R[ρ'] for a density with
the *same diffusion coefficient* describes one transport process twice. Conservation of the density means
∂ρ/∂t = −∇·j, so −∇·J[ρ] must equal R[ρ] (with ρ' read as ρ, and the velocity field of one as that of the other).
The check forms the residual −∇·J[ρ] − R[ρ] after distributing ∇·, ∇² and ∇ over sums and over factors that do
not depend on the configuration (control parameters, constants) and using ∇·∇f = ∇²f. A nonzero residual is a
``continuity-contradicts-evolution`` (``error``).

For TL-13, j = −D∇c − cv gives ∂c/∂t = D∇²c + ∇·(cv), while TL-12's Fokker–Planck equation has −∇·(vp): the
residual is 2∇·(cv). :func:`conserved_current` derives the current that does reproduce a given evolution law
(j = −D∇p + vp for the Fokker–Planck equation), which the canonical reading uses.

This is the minimal SymPy logic the check needs on the documents' operators (∇, ∇·, ∇² as unevaluated
functions); :mod:`thermosym.symbolic` works with explicit coordinates instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Relation
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import Definition, definitions, head_key, quantity_keys, show
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Level

_LINEAR = (op.Divergence, op.Laplacian, op.Grad)


def is_uniform(expr: sympy.Basic, catalogue: Catalogue) -> bool:
    """Whether an expression is constant over configuration space (numbers, control parameters, constants)."""
    keys = quantity_keys(expr, catalogue)
    if any(catalogue.quantity(k).level not in (Level.CONTROL, Level.CONSTANT) for k in keys):
        return False
    stray = {s for s in expr.free_symbols if getattr(s, "name", None) not in catalogue.quantities}
    stray_functions = {f for f in expr.atoms(AppliedUndef) if str(f.func.__name__) not in catalogue.quantities}
    return not stray and not stray_functions


def distribute(expr: sympy.Basic, catalogue: Catalogue) -> sympy.Basic:
    """Distribute ∇·, ∇² and ∇ over sums and uniform factors, and rewrite ∇·(∇f) as ∇²f (recursively)."""
    if not expr.args:
        return expr
    args = [distribute(a, catalogue) for a in expr.args]
    if isinstance(expr, _LINEAR):
        head, extra = type(expr), tuple(args[1:])
        inner = args[0]
        if isinstance(inner, sympy.Add):
            return sympy.Add(*(distribute(head(t, *extra), catalogue) for t in inner.args))
        if isinstance(inner, sympy.Mul):
            uniform = [f for f in inner.args if is_uniform(f, catalogue)]
            if uniform:
                rest = sympy.Mul(*(f for f in inner.args if f not in uniform))
                return sympy.Mul(*uniform) * distribute(head(rest, *extra), catalogue)
        if inner.is_number:
            return sympy.Integer(0)
        if head is op.Divergence and isinstance(inner, op.Grad):
            return op.Laplacian(*inner.args)
        return head(inner, *extra)
    return expr.func(*args)


def conserved_current(rate: sympy.Basic, catalogue: Catalogue) -> sympy.Basic | None:
    """A current J with −∇·J = ``rate``, term by term (c∇²f → −c∇f, c∇·X → −cX); None if some term is not a
    divergence (a source or sink: then no conserved current exists)."""
    terms = []
    for term in sympy.Add.make_args(sympy.expand(distribute(rate, catalogue))):
        coeff, rest = term.as_independent(op.Laplacian, op.Divergence, as_Add=False)
        if isinstance(rest, op.Laplacian) and is_uniform(coeff, catalogue):
            terms.append(-coeff * op.Grad(*rest.args))
        elif isinstance(rest, op.Divergence) and is_uniform(coeff, catalogue):
            terms.append(-coeff * rest.args[0])
        else:
            return None
    return sympy.Add(*terms)


@dataclass(frozen=True)
class Current:
    """A current definition j = J[ρ]: its density ρ (the field under ∇), diffusion coefficients, velocities."""

    definition: Definition
    densities: tuple[sympy.Basic, ...]
    diffusion: frozenset[str]
    velocities: tuple[str, ...]


@dataclass(frozen=True)
class Evolution:
    """An evolution law ∂ρ/∂t = R[ρ]."""

    claim: Claim
    density: sympy.Basic
    rate: sympy.Basic
    diffusion: frozenset[str]
    velocities: tuple[str, ...]


def _of_kind(expr: sympy.Basic, kind: Kind, catalogue: Catalogue) -> list[str]:
    return sorted(k for k in quantity_keys(expr, catalogue) if catalogue.quantity(k).kind is kind)


def currents(catalogue: Catalogue) -> list[Current]:
    """The currents the catalogue defines."""
    out = []
    for key, d in definitions(catalogue).items():
        if catalogue.quantity(key).kind is not Kind.CURRENT:
            continue
        densities = tuple(dict.fromkeys(g.args[0] for g in d.rhs.atoms(op.Grad)))
        out.append(
            Current(
                d,
                densities,
                frozenset(_of_kind(d.rhs, Kind.DIFFUSION, catalogue)),
                tuple(_of_kind(d.rhs, Kind.VELOCITY, catalogue)),
            )
        )
    return out


def evolutions(catalogue: Catalogue) -> list[Evolution]:
    """The laws of the form ∂ρ/∂t = R, with t a time and ρ a field."""
    out = []
    for claim in catalogue:
        s = claim.statement
        if not isinstance(s, Relation) or s.op != "==" or not isinstance(s.lhs, sympy.Derivative):
            continue
        (variable,) = s.lhs.variables if len(s.lhs.variables) == 1 else (None,)
        key, tkey = head_key(s.lhs.expr), head_key(variable) if variable is not None else None
        if key is None or tkey is None or key not in catalogue.quantities or tkey not in catalogue.quantities:
            continue
        if catalogue.quantity(tkey).kind is not Kind.TIME:
            continue
        out.append(
            Evolution(
                claim,
                s.lhs.expr,
                s.rhs,
                frozenset(_of_kind(s.rhs, Kind.DIFFUSION, catalogue)),
                tuple(_of_kind(s.rhs, Kind.VELOCITY, catalogue)),
            )
        )
    return out


def continuity_residual(current: Current, law: Evolution, catalogue: Catalogue) -> tuple[sympy.Basic, ...]:
    """(−∇·J[ρ], R[ρ] with the law's density and velocity read as the current's, their difference)."""
    density = current.densities[0]
    mapping: dict[sympy.Basic, sympy.Basic] = {law.density: density}
    if len(law.velocities) == 1 and len(current.velocities) == 1:
        mapping[catalogue.quantity(law.velocities[0]).sym] = catalogue.quantity(current.velocities[0]).sym
    rate = distribute(law.rate.xreplace(mapping), catalogue)
    continuity = sympy.expand(distribute(-op.Divergence(current.definition.rhs), catalogue))
    return continuity, rate, sympy.expand(continuity - rate)


@register_check("transport")
def check_transport(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Currents whose continuity equation contradicts an evolution law with the same diffusion coefficient."""
    findings = []
    laws = evolutions(catalogue)
    for cur in currents(catalogue):
        if not cur.densities:
            continue
        cur_doc = catalogue.claim(cur.definition.claim_id).source.document
        for law in laws:
            if law.claim.source.document != cur_doc or not (cur.diffusion & law.diffusion):
                continue
            if law.claim.id == cur.definition.claim_id:
                continue
            continuity, rate, residual = continuity_residual(cur, law, catalogue)
            if residual != 0:
                findings.append(_finding(cur, law, continuity, rate, residual, catalogue))
    return findings


def _finding(
    cur: Current,
    law: Evolution,
    continuity: sympy.Basic,
    rate: sympy.Basic,
    residual: sympy.Basic,
    catalogue: Catalogue,
) -> Finding:
    d = cur.definition
    rho, rho_law = cur.densities[0], law.density
    same = []
    if rho_law != rho:
        same.append(
            f"{show(rho, catalogue)} read as the density {show(rho_law, catalogue)} that {law.claim.id} evolves"
        )
    if len(law.velocities) == 1 and len(cur.velocities) == 1 and law.velocities != cur.velocities:
        v_law, v_cur = (catalogue.quantity(law.velocities[0]), catalogue.quantity(cur.velocities[0]))
        same.append(f"the {v_cur.name.lower()} {v_cur.symbol} as the {v_law.name.lower()} {v_law.symbol}")
    reading = f" (with {' and '.join(same)})" if same else ""
    half = sympy.expand(residual / 2)
    opposite = any(sympy.expand(half + t) == 0 for t in sympy.Add.make_args(rate))
    sign = " The drift terms have opposite signs." if opposite else ""
    diffusion = ", ".join(catalogue.quantity(k).symbol for k in sorted(cur.diffusion & law.diffusion))
    t = show(law.claim.statement.lhs, catalogue) if isinstance(law.claim.statement, Relation) else "∂ρ/∂t"
    return Finding(
        code="continuity-contradicts-evolution",
        category=Category.CONTRADICTION,
        severity=Severity.ERROR,
        # the current is what fails to reproduce the evolution law it should conserve, so the finding (and the
        # verdict it decides) belongs to the current's claim; the law it is measured against is named in the message
        claims=(d.claim_id,),
        related=(law.claim.id,),
        quantities=tuple(sorted(quantity_keys(d.rhs, catalogue) | quantity_keys(law.rate, catalogue))),
        message=(
            f"{d.claim_id} gives the current {show(d.lhs, catalogue)} = {show(d.rhs, catalogue)} and {law.claim.id} "
            f"the evolution {t} = {show(law.rate, catalogue)}, with the same diffusion coefficient {diffusion}"
            f"{reading}. Conservation, ∂ρ/∂t = −∇·j, turns the current into ∂ρ/∂t = {show(continuity, catalogue)}, "
            f"but the law says {show(rate, catalogue)}: they differ by {show(residual, catalogue)}.{sign}"
        ),
        expression=residual,
    )
