"""Critical-exponent relations (TL-17) from the scaling hypothesis, and a checker for sets of exponent values.

Widom–Kadanoff homogeneity of the singular free-energy density and of the correlation function
(Widom, J. Chem. Phys. 43, 3898 (1965); Kadanoff, Physics 2, 263 (1966); Goldenfeld, *Lectures on Phase
Transitions and the Renormalization Group* (1992), ch. 9):

    f_s(t, h) = b^{−d} f_s(b^{y_t} t, b^{y_h} h),   G(r, t) = b^{−2(d − y_h)} G(r/b, b^{y_t} t),

with reduced temperature t, field h and d the spatial dimension. Choosing b = |t|^{−1/y_t} (or b = h^{−1/y_h},
b = r) and reading off the powers gives

    α = 2 − d/y_t,  β = (d − y_h)/y_t,  γ = (2y_h − d)/y_t,  δ = y_h/(d − y_h),  ν = 1/y_t,  η = d + 2 − 2y_h,

and for every y_t, y_h, d the four relations

* Rushbrooke α + 2β + γ = 2 (equality form of Rushbrooke, J. Chem. Phys. 39, 842 (1963));
* Widom γ = β(δ − 1) (Widom 1965);
* Fisher γ = ν(2 − η) (Fisher, J. Math. Phys. 5, 944 (1964));
* Josephson (hyperscaling) νd = 2 − α (Josephson, Proc. Phys. Soc. 92, 269 (1967)); it needs f_s ∝ ξ^{−d} and
  fails above the upper critical dimension, where the mean-field exponents hold with d > 4.

>>> exponent_residuals(MEAN_FIELD)["josephson"]
d/2 - 2
>>> hyperscaling_dimension(MEAN_FIELD)
4
>>> set(exponent_residuals({**ISING_2D, "d": 2}).values())
{0}
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from thermosym.quantity import Kind, Level
from thermosym.symbolic.derivation import (
    Derivation,
    Step,
    SymbolTable,
    cached_residuals,
    make_claim,
    new_quantity,
    reduce_residual,
    substitute,
)

ALPHA, BETA, GAMMA, DELTA, NU, ETA = sympy.symbols("alpha beta gamma delta nu eta", real=True)
DIMENSION = sympy.Symbol("d", positive=True)

#: Exponent symbols by name, as :func:`exponent_residuals` accepts them.
EXPONENTS: dict[str, sympy.Symbol] = {
    "alpha": ALPHA,
    "beta": BETA,
    "gamma": GAMMA,
    "delta": DELTA,
    "nu": NU,
    "eta": ETA,
    "d": DIMENSION,
}

#: The four relations as lhs − rhs (0 when the relation holds).
RELATIONS: dict[str, sympy.Expr] = {
    "rushbrooke": ALPHA + 2 * BETA + GAMMA - 2,
    "widom": GAMMA - BETA * (DELTA - 1),
    "fisher": GAMMA - NU * (2 - ETA),
    "josephson": NU * DIMENSION - (2 - ALPHA),
}

#: Mean-field (Landau) exponents (Landau theory; Goldenfeld ch. 5): α = 0 (jump), β = 1/2, γ = 1, δ = 3, ν = 1/2, η = 0.
MEAN_FIELD: dict[str, sympy.Expr] = {
    "alpha": sympy.S.Zero,
    "beta": sympy.Rational(1, 2),
    "gamma": sympy.S.One,
    "delta": sympy.Integer(3),
    "nu": sympy.Rational(1, 2),
    "eta": sympy.S.Zero,
}

#: Exact 2-D Ising exponents (Onsager 1944; Yang 1952; Baxter, *Exactly Solved Models in Statistical Mechanics*
#: (1982), ch. 7):
#: α = 0 (log), β = 1/8, γ = 7/4, δ = 15, ν = 1, η = 1/4.
ISING_2D: dict[str, sympy.Expr] = {
    "alpha": sympy.S.Zero,
    "beta": sympy.Rational(1, 8),
    "gamma": sympy.Rational(7, 4),
    "delta": sympy.Integer(15),
    "nu": sympy.S.One,
    "eta": sympy.Rational(1, 4),
}


def exponent_residuals(values: Mapping[str, sympy.Expr | float | int]) -> dict[str, sympy.Expr]:
    """lhs − rhs of every relation whose exponents are all given (``d`` may be left symbolic).

    ``values`` maps names of :data:`EXPONENTS` to numbers or expressions; a relation that needs an exponent that
    is absent is left out, except that a missing ``d`` stays as the symbol d in the Josephson residual.
    """
    unknown = set(values) - set(EXPONENTS)
    if unknown:
        raise ValueError(f"values: unknown exponent names {sorted(unknown)}; expected some of {sorted(EXPONENTS)}")
    subs = {EXPONENTS[k]: sympy.nsimplify(v) if isinstance(v, float) else sympy.sympify(v) for k, v in values.items()}
    residuals: dict[str, sympy.Expr] = {}
    for name, expr in RELATIONS.items():
        needed = expr.free_symbols - {DIMENSION}
        if needed <= set(subs):
            residuals[name] = sympy.expand(expr.xreplace(subs))
    return residuals


def check_exponents(values: Mapping[str, float | int], tolerance: float = 0.0) -> dict[str, bool]:
    """Per relation, whether |lhs − rhs| ≤ ``tolerance`` (``d`` must be given for Josephson to be checked)."""
    if tolerance < 0:
        raise ValueError(f"tolerance must be non-negative, got {tolerance}")
    found = {}
    for name, residual in exponent_residuals(values).items():
        if residual.free_symbols:
            continue
        found[name] = bool(abs(float(residual)) <= tolerance)
    return found


def hyperscaling_dimension(values: Mapping[str, sympy.Expr | float | int]) -> sympy.Expr:
    """The dimension d = (2 − α)/ν at which Josephson's relation holds for these α, ν."""
    if "alpha" not in values or "nu" not in values:
        raise ValueError("values: need 'alpha' and 'nu' to solve νd = 2 − α for d")
    nu = sympy.sympify(values["nu"])
    if nu == 0:
        raise ValueError("values: nu = 0 leaves the hyperscaling dimension undefined")
    return (2 - sympy.sympify(values["alpha"])) / nu


# --- derivation from the scaling hypothesis -------------------------------------------------------------------

Y_T, Y_H = sympy.symbols("y_t y_h", positive=True)
_t, _h, _r = sympy.symbols("t h r", positive=True)
_PHI, _PSI, _XI, _GR = (sympy.Function(n) for n in ("Phi", "Psi", "X", "Gfun"))


def _power(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """The exponent p of expr ∝ var^p, as var · ∂ ln(expr)/∂var (exact for a pure power times a constant)."""
    return sympy.cancel(sympy.expand_log(var * sympy.diff(sympy.log(expr), var), force=True))


@functools.lru_cache(maxsize=1)
def scaling_exponents() -> dict[str, sympy.Expr]:
    """α, β, γ, δ, ν, η read off the homogeneous forms by logarithmic derivatives (module docstring)."""
    d = DIMENSION
    f_t = _t ** (d / Y_T) * _PHI(_h * _t ** (-Y_H / Y_T))  # b = t^(−1/y_t)
    f_h = _h ** (d / Y_H) * _PSI(_t * _h ** (-Y_T / Y_H))  # b = h^(−1/y_h)
    specific_heat = sympy.diff(f_t, _t, 2).subs(_h, 0)  # C ∝ t^(−α)
    magnetisation = sympy.diff(f_t, _h).subs(_h, 0)  # m ∝ t^β
    susceptibility = sympy.diff(f_t, _h, 2).subs(_h, 0)  # χ ∝ t^(−γ)
    critical_isotherm = sympy.diff(f_h, _h).subs(_t, 0)  # m ∝ h^(1/δ)
    correlation_length = _t ** (-1 / Y_T) * _XI(1)  # ξ(t) = b ξ(b^{y_t} t), b = t^(−1/y_t)
    correlation = _r ** (-2 * (d - Y_H)) * _GR(1)  # G(r) at t = 0, b = r: G ∝ r^(−(d − 2 + η))
    return {
        "alpha": -_power(specific_heat, _t),
        "beta": _power(magnetisation, _t),
        "gamma": -_power(susceptibility, _t),
        "delta": sympy.cancel(1 / _power(critical_isotherm, _h)),
        "nu": -_power(correlation_length, _t),
        "eta": sympy.expand(-_power(correlation, _r) - d + 2),
    }


#: The exponents in terms of the scaling dimensions (module docstring); checked against :func:`scaling_exponents`.
SCALING_FORMS: dict[str, sympy.Expr] = {
    "alpha": 2 - DIMENSION / Y_T,
    "beta": (DIMENSION - Y_H) / Y_T,
    "gamma": (2 * Y_H - DIMENSION) / Y_T,
    "delta": Y_H / (DIMENSION - Y_H),
    "nu": 1 / Y_T,
    "eta": DIMENSION + 2 - 2 * Y_H,
}


def scaling_residuals() -> dict[str, sympy.Basic]:
    """Residuals: each exponent read off the homogeneous forms against :data:`SCALING_FORMS` (key
    ``exponent-<name>``), and each relation with the read-off exponents substituted (key = relation name)."""
    exps = scaling_exponents()
    expected = SCALING_FORMS
    residuals: dict[str, sympy.Basic] = {f"exponent-{k}": reduce_residual(exps[k] - v) for k, v in expected.items()}
    subs = {EXPONENTS[k]: v for k, v in exps.items()}
    residuals.update({name: reduce_residual(expr.xreplace(subs)) for name, expr in RELATIONS.items()})
    return residuals


DELTA_Q = new_quantity("delta", "δ", "critical-isotherm exponent, m ∝ h^{1/δ} at T_c", Kind.EXPONENT)
ETA_Q = new_quantity("eta", "η", "anomalous dimension, G(r) ∝ r^{−(d−2+η)} at T_c", Kind.EXPONENT)
DSPACE_Q = new_quantity(
    "d_space", "d_s", "spatial dimension of the lattice model (hyperscaling)", Kind.COUNT, Level.CONTROL, positive=True
)

_NAMES = {
    "rushbrooke": (
        "DER-RUSHBROOKE",
        "Rushbrooke: α + 2β + γ = 2",
        sympy.Eq(ALPHA + 2 * BETA + GAMMA, 2, evaluate=False),
    ),
    "widom": ("DER-WIDOM", "Widom: γ = β(δ − 1)", sympy.Eq(GAMMA, BETA * (DELTA - 1), evaluate=False)),
    "fisher": ("DER-FISHER", "Fisher: γ = ν(2 − η)", sympy.Eq(GAMMA, NU * (2 - ETA), evaluate=False)),
    "josephson": (
        "DER-JOSEPHSON",
        "Josephson (hyperscaling): νd = 2 − α",
        sympy.Eq(NU * DIMENSION, 2 - ALPHA, evaluate=False),
    ),
}


def _catalogue_map(table: SymbolTable) -> dict[sympy.Symbol, sympy.Symbol]:
    return {
        ALPHA: table["TL.alpha"],
        BETA: table["TL.beta_exp"],
        GAMMA: table["TL.gamma"],
        NU: table["TL.nu"],
        DELTA: DELTA_Q.sym,
        ETA: ETA_Q.sym,
        DIMENSION: DSPACE_Q.sym,
    }


def _steps(name: str) -> list[Step]:
    exps = SCALING_FORMS  # equal to scaling_exponents(): residuals "exponent-*"
    d = DIMENSION
    homogeneity = sympy.Eq(
        sympy.Function("f_s")(_t, _h),
        sympy.Symbol("b") ** (-d) * sympy.Function("f_s")(sympy.Symbol("b") ** Y_T * _t, sympy.Symbol("b") ** Y_H * _h),
        evaluate=False,
    )
    used = sorted(RELATIONS[name].free_symbols, key=str)
    readouts = [
        sympy.Eq(sym, exps[key], evaluate=False) for key, sym in EXPONENTS.items() if sym in used and key != "d"
    ]
    relation = _NAMES[name][2]
    return [
        Step(
            "Scaling hypothesis",
            homogeneity,
            "Widom (1965), Kadanoff (1966): f_s is a generalised homogeneous function",
        ),
        Step(
            "Exponents",
            sympy.Tuple(*readouts) if len(readouts) > 1 else readouts[0],
            "choose b = |t|^{−1/y_t} (or h^{−1/y_h}, r) and read the powers of C, m, χ, ξ, G off by "
            "logarithmic derivatives",
        ),
        Step("Relation", relation, "substitute: y_t and y_h cancel identically"),
    ]


def derivations(table: SymbolTable) -> list[Derivation]:
    """DER-RUSHBROOKE, DER-WIDOM, DER-FISHER, DER-JOSEPHSON, tied to TL-17."""
    mapping = _catalogue_map(table)
    residuals = cached_residuals("exponents", scaling_residuals)
    exponents_ok = all(r == 0 for k, r in residuals.items() if k.startswith("exponent-"))
    found = []
    for name, (id_, text, relation) in _NAMES.items():
        new = tuple(q for sym, q in ((DELTA, DELTA_Q), (ETA, ETA_Q), (DIMENSION, DSPACE_Q)) if relation.has(sym))
        condition = "scaling hypothesis near a continuous transition"
        if name == "josephson":
            condition += "; hyperscaling f_s ∝ ξ^{−d}, so d at or below the upper critical dimension"
        found.append(
            Derivation(
                claim=make_claim(
                    table,
                    id=id_,
                    topic="exponents",
                    text=text,
                    relation=substitute(relation, mapping),
                    derived_from=("TL-17",),
                    condition=condition,
                    new_quantities=new,
                ),
                topic="exponents",
                steps=tuple(Step(s.name, substitute(s.expression, mapping), s.justification) for s in _steps(name)),
                verified=exponents_ok and residuals[name] == 0,
                method=(
                    "exponents read off f_s(t, h) = b^{−d} f_s(b^{y_t} t, b^{y_h} h) and G(r, t) with a generic "
                    "scaling function; the relation's residual cancels to 0 for symbolic y_t, y_h, d"
                ),
                new_quantities=new,
            )
        )
    return found


@dataclass(frozen=True)
class ExponentReport:
    """Residuals of a named exponent set against the four relations (for documents and the checker)."""

    name: str
    values: Mapping[str, sympy.Expr]
    residuals: Mapping[str, sympy.Expr]


def report(name: str, values: Mapping[str, sympy.Expr | float | int]) -> ExponentReport:
    """:func:`exponent_residuals` packaged with the set's name and values."""
    return ExponentReport(name, {k: sympy.sympify(v) for k, v in values.items()}, exponent_residuals(values))


__all__ = [
    "EXPONENTS",
    "ISING_2D",
    "MEAN_FIELD",
    "RELATIONS",
    "ExponentReport",
    "check_exponents",
    "derivations",
    "exponent_residuals",
    "hyperscaling_dimension",
    "report",
    "scaling_exponents",
    "scaling_residuals",
]
