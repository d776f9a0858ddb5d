"""Transport: continuity, the Fokker–Planck equation of TL-12, its current, stationary state and Einstein relation.

On explicit coordinates x_1..x_n (vectors are tuples of components; Risken, *The Fokker–Planck Equation*,
2nd ed. (1989), ch. 4 and ch. 6):

* continuity ∂c/∂t = −∇·j for a conserved density c with current j;
* TL-12, ∂p/∂t = D∇²p − ∇·(vp) with constant D, is the continuity equation of the current
  j = −D∇p + vp (Risken's drift D_i = v_i and diffusion D_ij = D δ_ij);
* for gradient drift v = −∇L, p_s ∝ exp(−L/D) has j = 0, so it is stationary (Risken ch. 6, potential conditions);
* if that stationary state is the Gibbs measure exp(−L/T)/Z, then T = D (Einstein relation with unit mobility;
  Einstein, Ann. Phys. 17, 549 (1905)).

:func:`current_residual` returns, for a *given* current, ∂c/∂t from continuity minus ∂c/∂t from TL-12; the
consistency checker calls it on TL-13's j = −D∇c − cv, whose residual is −2∇·(cv) ≠ 0 (opposite drift sign).

>>> x = coordinates(1)
>>> t = sympy.Symbol("t", real=True)
>>> p, v = sympy.Function("p")(*x, t), (sympy.Function("v")(*x),)
>>> D = sympy.Symbol("D", positive=True)
>>> sympy.expand(continuity_rhs(fokker_planck_current(p, v, D, x), x) - fokker_planck_rhs(p, v, D, x))
0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy
from sympy.core.function import AppliedUndef

from thermosym.claim import ClaimKind
from thermosym.operators import Divergence, Grad, Laplacian
from thermosym.quantity import Kind, Level
from thermosym.symbolic.derivation import (
    Derivation,
    Step,
    SymbolTable,
    cached_residuals,
    check_residual,
    make_claim,
    map_statement,
    new_quantity,
)

Vector = tuple[sympy.Expr, ...]

#: Dimensions in which the derivations are checked on explicit coordinates.
CHECKED_DIMENSIONS: tuple[int, ...] = (1, 2, 3)


def coordinates(n: int) -> tuple[sympy.Symbol, ...]:
    """x_1..x_n (real)."""
    if n < 1:
        raise ValueError(f"n must be a positive number of dimensions, got {n}")
    return tuple(sympy.Symbol(f"x_{i + 1}", real=True) for i in range(n))


def gradient(f: sympy.Expr, coords: Sequence[sympy.Symbol]) -> Vector:
    """∇f = (∂f/∂x_1, ..., ∂f/∂x_n)."""
    return tuple(sympy.diff(f, x) for x in coords)


def divergence(field: Sequence[sympy.Expr], coords: Sequence[sympy.Symbol]) -> sympy.Expr:
    """∇·j = Σ_i ∂j_i/∂x_i."""
    if len(field) != len(coords):
        raise ValueError(f"field has {len(field)} components for {len(coords)} coordinates")
    return sympy.Add(*(sympy.diff(f, x) for f, x in zip(field, coords, strict=True)))


def laplacian(f: sympy.Expr, coords: Sequence[sympy.Symbol]) -> sympy.Expr:
    """∇²f = Σ_i ∂²f/∂x_i²."""
    return divergence(gradient(f, coords), coords)


def continuity_rhs(current: Sequence[sympy.Expr], coords: Sequence[sympy.Symbol]) -> sympy.Expr:
    """∂c/∂t = −∇·j."""
    return -divergence(current, coords)


def fokker_planck_rhs(
    p: sympy.Expr, drift: Sequence[sympy.Expr], diffusion: sympy.Expr, coords: Sequence[sympy.Symbol]
) -> sympy.Expr:
    """TL-12: ∂p/∂t = D∇²p − ∇·(vp) with constant D."""
    return diffusion * laplacian(p, coords) - divergence([v * p for v in drift], coords)


def fokker_planck_current(
    p: sympy.Expr, drift: Sequence[sympy.Expr], diffusion: sympy.Expr, coords: Sequence[sympy.Symbol]
) -> Vector:
    """The probability current of TL-12: j = −D∇p + vp (Risken ch. 4)."""
    return tuple(-diffusion * g + v * p for g, v in zip(gradient(p, coords), drift, strict=True))


def generic_fields(n: int) -> tuple[tuple[sympy.Symbol, ...], sympy.Symbol, sympy.Expr, Vector]:
    """Coordinates x_1..x_n, time t, a generic density ρ(x, t) and a generic drift (v_1(x), ..., v_n(x))."""
    x = coordinates(n)
    t = sympy.Symbol("t", real=True)
    rho = sympy.Function("rho", real=True)(*x, t)
    drift = tuple(sympy.Function(f"v_{i + 1}", real=True)(*x) for i in range(n))
    return x, t, rho, drift


def realize_component(
    expr: sympy.Expr,
    component: int,
    coords: Sequence[sympy.Symbol],
    scalars: Mapping[sympy.Basic, sympy.Expr],
    vectors: Mapping[sympy.Basic, Sequence[sympy.Expr]],
) -> sympy.Expr:
    """Component ``component`` of a vector expression written with Grad and vector symbols (each term linear in
    exactly one vector): Grad(f) → ∂f/∂x_i, a vector symbol → its i-th component, ``scalars`` substituted.

    ``scalars`` keys may be symbols or applied functions (``c`` or ``c(θ, t)``); a function head given as key
    replaces every application of it.
    """
    x_i = coords[component]

    def scalar(e: sympy.Basic) -> sympy.Basic:
        for key, value in scalars.items():
            if isinstance(key, sympy.FunctionClass):
                e = e.replace(lambda a, k=key: isinstance(a, AppliedUndef) and a.func == k, lambda a, v=value: v)
            else:
                e = e.xreplace({key: value})
        return e

    def grad(g: sympy.Basic) -> sympy.Basic:
        return sympy.diff(scalar(g.args[0]), x_i)

    replaced = expr.replace(lambda e: isinstance(e, Grad), grad)
    replaced = replaced.xreplace({sym: comps[component] for sym, comps in vectors.items()})
    return sympy.sympify(scalar(replaced))


def current_residual(
    current: sympy.Expr,
    density: sympy.Basic,
    drift: sympy.Basic,
    diffusion: sympy.Basic,
    n: int = 1,
) -> sympy.Expr:
    """(−∇·j) − (D∇²c − ∇·(vc)) on n explicit coordinates for a current written with operators.

    ``current`` is, e.g., the right side of TL-13, ``−D·Grad(c) − c·v``; ``density`` the symbol or function
    (head or application) of the transported density, ``drift`` the vector symbol TL-12's drift stands for,
    ``diffusion`` its diffusion coefficient (constant). The density becomes a generic ρ(x, t) and the drift generic
    v_i(x). The expanded residual is 0 exactly when the current makes continuity reproduce TL-12; for TL-13 it is
    −2∇·(ρv).
    """
    x, _, rho, v = generic_fields(n)
    key = density.func if isinstance(density, AppliedUndef) else density
    scalars: dict[sympy.Basic, sympy.Expr] = {key: rho}
    components = tuple(realize_component(current, i, x, scalars, {drift: v}) for i in range(n))
    if any(c.has(Grad, Laplacian, Divergence) for c in components):
        raise ValueError(f"current {current}: only Grad of scalars and vector symbols can be realised")
    return sympy.expand(continuity_rhs(components, x) - fokker_planck_rhs(rho, v, diffusion, x))


def fokker_planck_consistent(
    current: sympy.Expr, density: sympy.Basic, drift: sympy.Basic, diffusion: sympy.Basic
) -> bool:
    """Whether :func:`current_residual` vanishes in every dimension of :data:`CHECKED_DIMENSIONS`."""
    return all(current_residual(current, density, drift, diffusion, n) == 0 for n in CHECKED_DIMENSIONS)


# --- verification ---------------------------------------------------------------------------------------------

_D = sympy.Symbol("D", positive=True)
_T = sympy.Symbol("T", positive=True)


def box_balance_residual(n: int, flux_sign: int = 1) -> sympy.Expr:
    """Local form from the balance on a box [a_i, b_i]^n (generic c, j_i).

    B = ∫_box ∂c/∂t + Σ_i ∫_(faces ⟂ i) [j_i(x_i = b_i) − j_i(x_i = a_i)] vanishes for every box; ∂ⁿB/∂b_1…∂b_n
    (Leibniz rule on the limits) is ∂c/∂t + ∇·j at the corner b, which must therefore vanish. Returns that
    derivative minus (∂c/∂t + ∇·j)(b): 0 when SymPy's limit differentiation reproduces the local form.
    ``flux_sign = −1`` (a wrong balance) must leave a non-zero residual; the tests use it.
    """
    x = coordinates(n)
    t = sympy.Symbol("t", real=True)
    lo = sympy.symbols(f"a_1:{n + 1}", real=True)
    hi = sympy.symbols(f"b_1:{n + 1}", real=True)
    c = sympy.Function("c")(*x, t)
    j = [sympy.Function(f"j_{i + 1}")(*x, t) for i in range(n)]
    limits = [(x[k], lo[k], hi[k]) for k in range(n)]
    balance = sympy.Integral(sympy.diff(c, t), *limits)
    for i in range(n):
        others = [limits[k] for k in range(n) if k != i]
        flux = j[i].subs(x[i], hi[i]) - j[i].subs(x[i], lo[i])
        balance += flux_sign * (sympy.Integral(flux, *others) if others else flux)
    corner = dict(zip(x, hi, strict=True))
    local = (sympy.diff(c, t) + divergence(j, x)).subs(corner)
    return sympy.expand(sympy.diff(balance, *hi).doit() - local.doit())


def _temperatures_making_zero(expr: sympy.Expr) -> set[sympy.Expr]:
    """The T ≠ 0 for which ``expr`` (a polynomial in the derivatives of a generic L) vanishes identically: the
    common roots of the numerators of its coefficients (roots of their gcd as polynomials in T)."""
    generators = sorted(expr.atoms(sympy.Derivative), key=sympy.default_sort_key)
    numerators = [sympy.fraction(sympy.cancel(c))[0] for c in sympy.Poly(expr, *generators).coeffs()]
    common = sympy.Poly(sympy.gcd_list(numerators), _T)
    return {r for r in sympy.roots(common) if r != 0}


def transport_residuals() -> dict[str, sympy.Basic]:
    """Residuals, for each n in :data:`CHECKED_DIMENSIONS` (key ``<check>-<n>``): the box balance
    (``continuity``), continuity of −D∇p + vp against TL-12 (``current``), the current and TL-12's right side at
    p = e^{−L/D}, v = −∇L (``stationary``), and whether T = D is the only T for which e^{−L/T} is stationary
    (``einstein``, 0 or 1)."""
    residuals: dict[str, sympy.Basic] = {}
    for n in CHECKED_DIMENSIONS:
        x, _, rho, v = generic_fields(n)
        residuals[f"continuity-{n}"] = box_balance_residual(n)
        j = fokker_planck_current(rho, v, _D, x)
        residuals[f"current-{n}"] = sympy.expand(continuity_rhs(j, x) - fokker_planck_rhs(rho, v, _D, x))
        loss = sympy.Function("L", real=True)(*x)
        grad_drift = tuple(-g for g in gradient(loss, x))
        p_s = sympy.exp(-loss / _D)
        stationary = [sympy.expand(c) for c in fokker_planck_current(p_s, grad_drift, _D, x)]
        stationary.append(sympy.expand(fokker_planck_rhs(p_s, grad_drift, _D, x)))
        residuals[f"stationary-{n}"] = sympy.Add(*map(sympy.Abs, stationary))
        gibbs = sympy.exp(-loss / _T)
        ratio = sympy.expand(fokker_planck_rhs(gibbs, grad_drift, _D, x) / gibbs)
        residuals[f"einstein-{n}"] = check_residual(_temperatures_making_zero(ratio) == {_D})
    return residuals


# --- claims ----------------------------------------------------------------------------------------------------

J_FP_Q = new_quantity("j_FP", "j_FP", "probability current consistent with TL-12", Kind.CURRENT, Level.FIELD)
LOSS_Q = new_quantity(
    "L", "L", "loss (potential) whose negative gradient is the drift, v = −∇L", Kind.ENERGY, Level.MICROSTATE
)
ZD_Q = new_quantity("Z_D", "Z_D", "normalisation ∫ exp(−L/D) dθ of the stationary state", Kind.CONSTANT, positive=True)


def derivations(table: SymbolTable) -> list[Derivation]:
    """DER-CONTINUITY, DER-FP-CURRENT, DER-FP-STATIONARY and DER-EINSTEIN."""
    theta, t, d_coef, drift = table["TL.theta"], table["TL.t"], table["TL.D_diff"], table["TL.v"]
    p = table.func("TL.p_t")(theta, t)
    c = table.func("TL.c")(theta, t)
    j, j_fp, temp = table["TL.j"], J_FP_Q.sym, table["TL.T"]
    loss = sympy.Function(LOSS_Q.key, real=True)(theta)
    z_d = ZD_Q.sym
    residuals = cached_residuals("transport", transport_residuals)
    ok = {
        check: all(residuals[f"{check}-{n}"] == 0 for n in CHECKED_DIMENSIONS)
        for check in ("continuity", "current", "stationary", "einstein")
    }
    dims = ", ".join(map(str, CHECKED_DIMENSIONS))

    def eq(lhs: sympy.Basic, rhs: sympy.Basic) -> sympy.Eq:
        return sympy.Eq(lhs, rhs, evaluate=False)

    dpdt = sympy.Derivative(p, t)
    fp = eq(dpdt, d_coef * Laplacian(p) - Divergence(drift * p))
    x, tt = sympy.Symbol("x", real=True), sympy.Symbol("t", real=True)
    p1, v1, l1 = sympy.Function("p")(x, tt), sympy.Function("v")(x), sympy.Function("L")(x)
    fp_1d = eq(sympy.Derivative(p1, tt), -sympy.Derivative(-_D * sympy.Derivative(p1, x) + v1 * p1, x))
    gibbs_1d = sympy.exp(-l1 / _T)
    einstein_1d = sympy.factor(sympy.expand(fokker_planck_rhs(gibbs_1d, (-sympy.diff(l1, x),), _D, (x,)) / gibbs_1d))

    specs = [
        (
            "DER-CONTINUITY",
            "∂c/∂t = −∇·j: the information concentration is conserved with current j",
            eq(sympy.Derivative(c, t), -Divergence(j)),
            ("TL-13",),
            ClaimKind.LAW,
            "c conserved: no sources or sinks",
            (
                Step(
                    "Balance on a region",
                    eq(sympy.Derivative(sympy.Integral(c, theta), t), -sympy.Symbol("Phi_j")),
                    "the amount of c in a region changes only by the flux Φ_j of j through its boundary",
                ),
                Step(
                    "Divergence theorem",
                    eq(sympy.Symbol("Phi_j"), sympy.Integral(Divergence(j), theta)),
                    "Gauss; on a box the flux is Σ_i ∫ [j_i(b_i) − j_i(a_i)] over the faces",
                ),
                Step(
                    "Local form",
                    eq(sympy.Derivative(c, t), -Divergence(j)),
                    "the box is arbitrary: differentiate the balance by every upper limit b_i",
                ),
            ),
            ok["continuity"],
            f"balance on a box [a, b]^n differentiated by b_1..b_n (Leibniz rule) gives ∂c/∂t + ∇·j at b: residual 0 "
            f"for generic c, j_i in n = {dims}",
            (),
        ),
        (
            "DER-FP-CURRENT",
            "TL-12 is the continuity equation of the current j_FP = −D∇p + vp",
            eq(j_fp, -d_coef * Grad(p) + drift * p),
            ("TL-12",),
            ClaimKind.IDENTITY,
            "constant D; j_FP is fixed up to a divergence-free field",
            (
                Step("Fokker–Planck equation", fp, "TL-12"),
                Step("Continuity", eq(dpdt, -Divergence(j_fp)), "probability is conserved (DER-CONTINUITY for p)"),
                Step(
                    "Laplacian as a divergence", eq(d_coef * Laplacian(p), Divergence(d_coef * Grad(p))), "D constant"
                ),
                Step("In one dimension", fp_1d, "∂_t p = D ∂²_x p − ∂_x(vp) = −∂_x(−D ∂_x p + vp)"),
                Step("Current", eq(j_fp, -d_coef * Grad(p) + drift * p), "compare the two divergences"),
            ),
            ok["current"],
            f"−∇·(−D∇p + vp) − (D∇²p − ∇·(vp)) expanded to 0 for generic p(x, t), v_i(x) in n = {dims}",
            (J_FP_Q,),
        ),
        (
            "DER-FP-STATIONARY",
            "for gradient drift v = −∇L the stationary solution of TL-12 is p ∝ exp(−L/D)",
            eq(p, sympy.exp(-loss / d_coef) / z_d),
            ("TL-12",),
            ClaimKind.IDENTITY,
            "v = −∇L, constant D, t → ∞ (stationary state, zero current); Z_D = ∫ exp(−L/D) dθ finite",
            (
                Step("Gradient drift", eq(drift, -Grad(loss)), "assumption: the drift is the negative loss gradient"),
                Step("Current", eq(j_fp, -d_coef * Grad(p) - p * Grad(loss)), "DER-FP-CURRENT with v = −∇L"),
                Step(
                    "Factorised current",
                    eq(j_fp, -d_coef * sympy.exp(-loss / d_coef) * Grad(p * sympy.exp(loss / d_coef))),
                    "product rule",
                ),
                Step(
                    "Zero current",
                    eq(p, sympy.exp(-loss / d_coef) / z_d),
                    "j_FP = 0 when p e^{L/D} is constant, hence ∂p/∂t = −∇·j_FP = 0",
                ),
            ),
            ok["stationary"],
            f"each current component and D∇²p − ∇·(vp) at p = e^{{−L/D}}, v = −∇L expanded to 0 for a generic L "
            f"in n = {dims}",
            (LOSS_Q, ZD_Q),
        ),
        (
            "DER-EINSTEIN",
            "the Gibbs measure exp(−L/T) is the stationary state of TL-12 with v = −∇L only if T = D",
            eq(temp, d_coef),
            ("TL-12",),
            ClaimKind.IDENTITY,
            "v = −∇L (unit mobility), stationary state read as the Gibbs measure p ∝ exp(−L/T)",
            (
                Step(
                    "Gibbs measure",
                    eq(p, sympy.exp(-loss / temp) / sympy.Symbol("Z")),
                    "canonical reading of the stationary state",
                ),
                Step(
                    "Insert into TL-12 (one dimension)",
                    eq(sympy.Derivative(p1, tt) / p1, einstein_1d),
                    "(D∂²_x p − ∂_x(vp))/p at p = e^{−L/T}/Z, v = −∂_x L",
                ),
                Step(
                    "Einstein relation",
                    eq(temp, d_coef),
                    "the bracket multiplies independent derivatives of a generic L",
                ),
            ),
            ok["einstein"],
            f"coefficients of the independent derivatives of a generic L in (D∇²p − ∇·(vp))/p solved for T: T = D is "
            f"the only solution, n = {dims}",
            (LOSS_Q,),
        ),
    ]
    internal = {_D: d_coef, _T: temp}  # the one-dimensional steps are computed with internal D and T

    def to_cat(expr: sympy.Basic) -> sympy.Basic:
        return expr.xreplace(internal)

    found = []
    for id_, text, relation, sources, kind, condition, steps, verified, method, new in specs:
        found.append(
            Derivation(
                claim=make_claim(
                    table,
                    id=id_,
                    topic="transport",
                    text=text,
                    relation=relation,
                    derived_from=sources,
                    kind=kind,
                    condition=condition,
                    new_quantities=new,
                ),
                topic="transport",
                steps=tuple(Step(s.name, map_statement(s.expression, to_cat), s.justification) for s in steps),
                verified=verified,
                method=method,
                new_quantities=new,
            )
        )
    return found


__all__ = [
    "CHECKED_DIMENSIONS",
    "box_balance_residual",
    "continuity_rhs",
    "coordinates",
    "current_residual",
    "derivations",
    "divergence",
    "fokker_planck_consistent",
    "fokker_planck_current",
    "fokker_planck_rhs",
    "generic_fields",
    "gradient",
    "laplacian",
    "realize_component",
    "transport_residuals",
]
