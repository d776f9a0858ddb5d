"""The canonical ensemble from a partition function, symbolically (HC-03: Z(T_L) = ∫ exp(−βL(θ)) dθ).

For p(θ) = exp(−βL(θ))/Z with β = 1/T (k_B = 1; Pathria & Beale, *Statistical Mechanics*, 3rd ed., ch. 3:
the canonical ensemble and its energy fluctuations):

* F = −T ln Z;
* E = ⟨L⟩ = −∂ ln Z/∂β = T² ∂ ln Z/∂T;
* S = −∑ p ln p = (E − F)/T = β E + ln Z = ∂(T ln Z)/∂T;
* Var L = ∂² ln Z/∂β², ⟨Lⁿ⟩ = (−1)ⁿ Z⁽ⁿ⁾(β)/Z;
* C = ∂E/∂T = β² Var L = β² ∂² ln Z/∂β²;
* dS/dT = C/T, so S(T₂) − S(T₁) = ∫_{T₁}^{T₂} C/T dT (thermodynamic integration, HC-19).

:class:`CanonicalEnsemble` holds ln Z(β) and derives all of these; the closed forms (quadratic loss in d
dimensions, L = a|θ|^k, finite sets of levels, a quadratic loss under an untempered Gaussian prior) are the
references against which HC-01, HC-04, HC-06, HC-11, HC-12, HC-19 and HC-20 are judged.

>>> ens = quadratic_loss(sympy.Symbol("d", positive=True), sympy.Symbol("detH", positive=True))
>>> ens.thermodynamics().energy, ens.thermodynamics().heat_capacity
(T*d/2, d/2)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy

from thermosym.operators import Avg
from thermosym.quantity import Kind, Level, Quantity
from thermosym.symbolic.derivation import (
    ConcreteCheck,
    Derivation,
    Step,
    SymbolTable,
    cached_residuals,
    make_claim,
    map_statement,
    new_quantity,
    reduce_residual,
)

BETA = sympy.Symbol("beta", positive=True)
TEMPERATURE = sympy.Symbol("T", positive=True)


@dataclass(frozen=True)
class Thermodynamics:
    """The canonical-ensemble functions of one system, as expressions in the temperature ``temperature``."""

    temperature: sympy.Symbol
    log_partition: sympy.Expr
    free_energy: sympy.Expr
    energy: sympy.Expr
    entropy: sympy.Expr
    heat_capacity: sympy.Expr
    energy_variance: sympy.Expr


@dataclass(frozen=True)
class CanonicalEnsemble:
    """ln Z(β) of a system and everything the canonical ensemble derives from it (formulas in the module doc)."""

    log_partition: sympy.Expr
    beta: sympy.Symbol = BETA
    name: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.beta, sympy.Symbol):
            raise TypeError(f"beta must be a SymPy Symbol, got {self.beta!r}")
        if not self.log_partition.has(self.beta):
            raise ValueError(f"log_partition {self.log_partition} does not depend on beta={self.beta}")

    @property
    def partition_function(self) -> sympy.Expr:
        """Z(β)."""
        return sympy.exp(self.log_partition)

    @property
    def free_energy(self) -> sympy.Expr:
        """F = −T ln Z = −ln Z/β."""
        return -self.log_partition / self.beta

    @property
    def energy(self) -> sympy.Expr:
        """E = ⟨L⟩ = −∂ ln Z/∂β."""
        return -sympy.diff(self.log_partition, self.beta)

    @property
    def energy_variance(self) -> sympy.Expr:
        """Var L = ∂² ln Z/∂β²."""
        return sympy.diff(self.log_partition, self.beta, 2)

    @property
    def entropy(self) -> sympy.Expr:
        """S = βE + ln Z (Gibbs entropy of p = e^{−βL}/Z)."""
        return self.beta * self.energy + self.log_partition

    @property
    def heat_capacity(self) -> sympy.Expr:
        """C = β² Var L = β² ∂² ln Z/∂β²."""
        return self.beta**2 * self.energy_variance

    def moment(self, n: int) -> sympy.Expr:
        """⟨Lⁿ⟩ = (−1)ⁿ Z⁽ⁿ⁾(β)/Z(β)."""
        if n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n}")
        z = self.partition_function
        return (-1) ** n * sympy.diff(z, self.beta, n) / z

    def thermodynamics(self, temperature: sympy.Symbol = TEMPERATURE, tidy: bool = True) -> Thermodynamics:
        """All functions with β = 1/T substituted; ``tidy`` rewrites them by expand_log/cancel/powsimp (no
        heavy simplify), otherwise they are returned as differentiated."""
        return _thermodynamics(self, temperature, tidy)


@functools.lru_cache(maxsize=64)
def _thermodynamics(ens: CanonicalEnsemble, temperature: sympy.Symbol, tidy: bool) -> Thermodynamics:
    to_t = {ens.beta: 1 / temperature}

    def rewrite(expr: sympy.Expr) -> sympy.Expr:
        expr = expr.subs(to_t)
        return sympy.powsimp(sympy.cancel(sympy.expand_log(expr, force=True))) if tidy else expr

    return Thermodynamics(
        temperature,
        rewrite(ens.log_partition),
        rewrite(ens.free_energy),
        rewrite(ens.energy),
        rewrite(ens.entropy),
        rewrite(ens.heat_capacity),
        rewrite(ens.energy_variance),
    )


def generic_ensemble(beta: sympy.Symbol = BETA) -> CanonicalEnsemble:
    """The ensemble of an undefined partition function Z(β)."""
    return CanonicalEnsemble(sympy.log(sympy.Function("Z")(beta)), beta, "generic Z(beta)")


def quadratic_loss(d: sympy.Expr, det_h: sympy.Expr, beta: sympy.Symbol = BETA) -> CanonicalEnsemble:
    """L = ½θᵀHθ in d dimensions, H ≻ 0: Z = (2π/β)^{d/2} (det H)^{−1/2} (REFERENCES §1).

    Gaussian integral mode by mode in the eigenbasis of H (Gradshteyn & Ryzhik 3.323.2).
    """
    return CanonicalEnsemble(
        d / 2 * sympy.log(2 * sympy.pi / beta) - sympy.log(det_h) / 2, beta, "quadratic loss L = θᵀHθ/2"
    )


def power_loss(
    a: sympy.Expr, k: sympy.Expr, d: sympy.Expr = sympy.S.One, beta: sympy.Symbol = BETA
) -> CanonicalEnsemble:
    """L = a|θ|^k in d dimensions: Z = (2π^{d/2}/Γ(d/2)) Γ(d/k) / (k (βa)^{d/k}).

    Radial integral ∫₀^∞ r^{d−1} e^{−βa r^k} dr = Γ(d/k)/(k (βa)^{d/k}) (Gradshteyn & Ryzhik 3.478.1) times the
    area 2π^{d/2}/Γ(d/2) of the unit sphere; for d = 1 this is 2Γ(1 + 1/k)(βa)^{−1/k}.
    """
    log_z = (
        sympy.log(2)
        + d / 2 * sympy.log(sympy.pi)
        - sympy.log(sympy.gamma(d / 2))
        + sympy.log(sympy.gamma(d / k))
        - sympy.log(k)
        - d / k * (sympy.log(beta) + sympy.log(a))
    )
    return CanonicalEnsemble(log_z, beta, "power loss L = a|theta|^k")


def discrete_levels(
    energies: Sequence[sympy.Expr], degeneracies: Sequence[sympy.Expr] | None = None, beta: sympy.Symbol = BETA
) -> CanonicalEnsemble:
    """A finite set of levels ε_i with degeneracies g_i: Z = Σ_i g_i e^{−βε_i} (Pathria & Beale, ch. 3)."""
    if not energies:
        raise ValueError("energies: need at least one level")
    weights = [sympy.S.One] * len(energies) if degeneracies is None else list(degeneracies)
    if len(weights) != len(energies):
        raise ValueError(f"degeneracies ({len(weights)}) must match energies ({len(energies)})")
    z = sympy.Add(*(g * sympy.exp(-beta * e) for g, e in zip(weights, energies, strict=True)))
    return CanonicalEnsemble(sympy.log(z), beta, f"{len(energies)} discrete levels")


def quadratic_loss_gaussian_prior(
    curvatures: Sequence[sympy.Expr] | sympy.Expr,
    prior_variance: sympy.Expr,
    d: sympy.Expr = sympy.S.One,
    beta: sympy.Symbol = BETA,
) -> CanonicalEnsemble:
    """p(θ) ∝ N(θ; 0, s²I) e^{−βL}, L = ½ Σ_i h_i θ_i² (prior not tempered, as in the tempered posterior of
    Watanabe's learning-coefficient estimators): Z = Π_i (1 + β h_i s²)^{−1/2}.

    ``curvatures`` is either the list of the h_i or one h shared by ``d`` modes.
    """
    if isinstance(curvatures, Sequence):
        if not curvatures:
            raise ValueError("curvatures: need at least one mode")
        log_z = -sympy.Add(*(sympy.log(1 + beta * h * prior_variance) for h in curvatures)) / 2
    else:
        log_z = -d / 2 * sympy.log(1 + beta * curvatures * prior_variance)
    return CanonicalEnsemble(log_z, beta, "quadratic loss with Gaussian prior")


# --- generic identities ------------------------------------------------------------------------------------------

_T, _B = TEMPERATURE, BETA
_theta = sympy.Symbol("theta", real=True)
_Z = sympy.Function("Z")
_L = sympy.Function("L")
_E, _C, _S, _F = sympy.symbols("E_L C_L S_L F_L", real=True)
_T1, _T2 = sympy.symbols("T_1 T_2", positive=True)


def _pull_constants(expr: sympy.Basic) -> sympy.Basic:
    """∫ c·f dθ → c ∫ f dθ for factors c independent of the integration variables (linearity)."""

    def pull(integral: sympy.Integral) -> sympy.Expr:
        coeff, rest = integral.function.as_independent(*integral.variables, as_Add=False)
        return coeff * sympy.Integral(rest, *integral.limits)

    return expr.replace(lambda e: isinstance(e, sympy.Integral), pull)


def _integral_z(beta: sympy.Symbol = _B) -> sympy.Integral:
    return sympy.Integral(sympy.exp(-beta * _L(_theta)), _theta)


def _avg(power: int, beta: sympy.Symbol = _B) -> sympy.Expr:
    """⟨Lⁿ⟩ = ∫ Lⁿ e^{−βL} dθ / Z."""
    return sympy.Integral(_L(_theta) ** power * sympy.exp(-beta * _L(_theta)), _theta) / _integral_z(beta)


def _ln_z() -> sympy.Expr:
    return sympy.log(_Z(_T))


def generic_residuals() -> dict[str, sympy.Basic]:
    """Residuals of the generic identities (generic L(θ), Z(β) or Z(T)); each reduces to 0."""
    energy_int = -sympy.diff(sympy.log(_integral_z()), _B)
    ln_z_t = _ln_z()
    energy_t = _T**2 * sympy.diff(ln_z_t, _T)
    energy_from_beta = (-sympy.diff(sympy.log(_Z(1 / _B)), _B)).subs(_B, 1 / _T).doit()
    entropy_t = sympy.diff(_T * ln_z_t, _T)
    heat_t = sympy.diff(energy_t, _T)
    minus_log_p = sympy.expand_log(-sympy.log(sympy.exp(-_B * _L(_theta)) / _Z(_B)), force=True)
    residuals = {
        # E = −∂ ln Z/∂β = ⟨L⟩ (differentiation under the integral sign)
        "E-avg": _pull_constants(energy_int - _avg(1)),
        # −∂ ln Z/∂β = T² ∂ ln Z/∂T with β = 1/T
        "E-T": energy_from_beta - energy_t,
        # the Gibbs entropy −∫ p ln p = β⟨L⟩ + ln Z because −ln p = βL + ln Z
        "S-gibbs": minus_log_p - (_B * _L(_theta) + sympy.log(_Z(_B))),
        # F = E − TS with S = E/T + ln Z is −T ln Z
        "F": (energy_t - _T * (energy_t / _T + ln_z_t)) - (-_T * ln_z_t),
        # S = (E − F)/T = ∂(T ln Z)/∂T
        "S": (energy_t + _T * ln_z_t) / _T - entropy_t,
        # C = ∂E/∂T = −β² ∂E/∂β = β²(⟨L²⟩ − ⟨L⟩²) with the integral representation of Z
        "C-fluct": _pull_constants(-(_B**2) * sympy.diff(energy_int, _B) - _B**2 * (_avg(2) - _avg(1) ** 2)),
        # dS/dT = C/T, which integrates to S(T2) − S(T1) = ∫ C/T dT
        "S-TI": sympy.diff(entropy_t, _T) - heat_t / _T,
    }
    return {key: reduce_residual(r) for key, r in residuals.items()}


# --- closed forms --------------------------------------------------------------------------------------------

D_Q = new_quantity(
    "d", "d", "dimension of θ (number of parameters)", Kind.COUNT, Level.CONTROL, positive=True, discrete=True
)
DETH_Q = new_quantity(
    "det_H", "|H|", "determinant of the Hessian H of the quadratic loss", Kind.CONSTANT, positive=True
)
A_Q = new_quantity("a", "a", "scale of the power-law loss L = a|θ|^k", Kind.CONSTANT, positive=True)
K_Q = new_quantity("k", "k", "power of the power-law loss L = a|θ|^k", Kind.CONSTANT, positive=True)
GAP_Q = new_quantity("Delta", "Δ", "gap of the two-level system", Kind.ENERGY, positive=True)
H_Q = new_quantity("h", "h", "curvature of the quadratic loss L = h|θ|²/2", Kind.CONSTANT, positive=True)
SP_Q = new_quantity(
    "sigma_p", "σ_p", "standard deviation of the Gaussian prior N(0, σ_p² I)", Kind.CONSTANT, positive=True
)
T1_Q = new_quantity(
    "T_1", "T_1", "lower temperature of the thermodynamic integration", Kind.TEMPERATURE, Level.CONTROL, positive=True
)
T2_Q = new_quantity(
    "T_2", "T_2", "upper temperature of the thermodynamic integration", Kind.TEMPERATURE, Level.CONTROL, positive=True
)

_d, _deth, _a, _k, _gap, _h, _sp = (
    sympy.Symbol(n, positive=True) for n in ("d", "det_H", "a", "k", "Delta", "h", "sigma_p")
)
_s2 = _sp**2  # the prior variance
_INTERNAL_NEW: dict[sympy.Symbol, Quantity] = {
    _d: D_Q,
    _deth: DETH_Q,
    _a: A_Q,
    _k: K_Q,
    _gap: GAP_Q,
    _h: H_Q,
    _sp: SP_Q,
    _T1: T1_Q,
    _T2: T2_Q,
}


@dataclass(frozen=True)
class _ClosedForm:
    id: str
    text: str
    condition: str
    ensemble: CanonicalEnsemble
    heat_capacity: sympy.Expr  # the claimed closed form of C(T)
    z_step: tuple[sympy.Expr, str]  # Z(T) and its justification
    free_energy: sympy.Expr  # the closed forms shown in the steps, each checked against the ensemble
    energy: sympy.Expr
    entropy: sympy.Expr


def _power_prefactor() -> sympy.Expr:
    """2π^{d/2} Γ(d/k) / (k Γ(d/2)): Z of L = a|θ|^k at T = a."""
    return 2 * sympy.pi ** (_d / 2) * sympy.gamma(_d / _k) / (_k * sympy.gamma(_d / 2))


def _closed_forms() -> tuple[_ClosedForm, ...]:
    x = sympy.exp(_gap / _T)
    return (
        _ClosedForm(
            "DER-ENS-QUADRATIC",
            "C_L = d/2 for L = θᵀHθ/2 in d dimensions (equipartition)",
            "L(θ) = θᵀHθ/2, H ≻ 0, θ ∈ R^d",
            quadratic_loss(_d, _deth),
            _d / 2,
            (
                (2 * sympy.pi * _T) ** (_d / 2) / sympy.sqrt(_deth),
                "Gaussian integral in the eigenbasis of H: Π_i (2πT/h_i)^{1/2}, Π_i h_i = det H",
            ),
            -_d * _T / 2 * sympy.log(2 * sympy.pi * _T) + _T / 2 * sympy.log(_deth),
            _d * _T / 2,
            _d / 2 + _d / 2 * sympy.log(2 * sympy.pi * _T) - sympy.log(_deth) / 2,
        ),
        _ClosedForm(
            "DER-ENS-POWER",
            "C_L = d/k for L = a|θ|^k in d dimensions",
            "L(θ) = a|θ|^k, a > 0, k > 0, θ ∈ R^d",
            power_loss(_a, _k, _d),
            _d / _k,
            (
                2 * sympy.pi ** (_d / 2) / sympy.gamma(_d / 2) * sympy.gamma(_d / _k) / _k * (_T / _a) ** (_d / _k),
                "radial integral, Gradshteyn & Ryzhik 3.478.1, times the area 2π^{d/2}/Γ(d/2) of the unit sphere",
            ),
            -_T * (sympy.log(_power_prefactor()) + _d / _k * sympy.log(_T / _a)),
            _d * _T / _k,
            sympy.log(_power_prefactor()) + _d / _k * sympy.log(_T / _a) + _d / _k,
        ),
        _ClosedForm(
            "DER-ENS-TWO-LEVEL",
            "C_L = (Δ/T_L)² e^{Δ/T_L}/(1 + e^{Δ/T_L})² for two levels 0 and Δ (Schottky anomaly)",
            "L(θ) ∈ {0, Δ}, one state each",
            discrete_levels([sympy.S.Zero, _gap]),
            (_gap / _T) ** 2 * x / (1 + x) ** 2,
            (1 + sympy.exp(-_gap / _T), "Z = Σ_i g_i e^{−ε_i/T} over the two levels"),
            -_T * sympy.log(1 + sympy.exp(-_gap / _T)),
            _gap / (x + 1),
            sympy.log(1 + sympy.exp(-_gap / _T)) + _gap / (_T * (x + 1)),
        ),
        _ClosedForm(
            "DER-ENS-PRIOR",
            "C_L = (d/2) (h σ_p²)²/(T_L + h σ_p²)² for L = h|θ|²/2 under an untempered prior N(0, σ_p² I)",
            "p(θ) ∝ N(θ; 0, σ_p² I) exp(−L(θ)/T_L), L = h|θ|²/2, θ ∈ R^d",
            quadratic_loss_gaussian_prior(_h, _s2, _d),
            _d / 2 * (_h * _s2) ** 2 / (_T + _h * _s2) ** 2,
            ((1 + _h * _s2 / _T) ** (-_d / 2), "Gaussian integral mode by mode against the normalised prior"),
            _d * _T / 2 * sympy.log(1 + _h * _s2 / _T),
            _d * _h * _s2 * _T / (2 * (_T + _h * _s2)),
            -_d / 2 * sympy.log(1 + _h * _s2 / _T) + _d * _h * _s2 / (2 * (_T + _h * _s2)),
        ),
    )


def closed_form_residuals() -> dict[str, sympy.Basic]:
    """Per closed form (key = id, then ``#Z``, ``#C-from-E``, ``#S``, ``#F-form``, ``#E-form``, ``#S-form``): ln Z
    against the stated Z, the stated C against β² ∂² ln Z/∂β² and against ∂E/∂T, S against (E − F)/T, and the
    stated F, E, S (shown in the steps) against those derived from ln Z."""
    residuals: dict[str, sympy.Basic] = {}
    for cf in _closed_forms():
        thermo = cf.ensemble.thermodynamics(_T, tidy=False)
        residuals[f"{cf.id}#Z"] = reduce_residual(
            thermo.log_partition - sympy.expand_log(sympy.log(cf.z_step[0]), force=True)
        )
        residuals[cf.id] = reduce_residual(thermo.heat_capacity - cf.heat_capacity)
        residuals[f"{cf.id}#C-from-E"] = reduce_residual(sympy.diff(thermo.energy, _T) - cf.heat_capacity)
        residuals[f"{cf.id}#S"] = reduce_residual(thermo.entropy - (thermo.energy - thermo.free_energy) / _T)
        residuals[f"{cf.id}#F-form"] = reduce_residual(thermo.free_energy - cf.free_energy)
        residuals[f"{cf.id}#E-form"] = reduce_residual(thermo.energy - cf.energy)
        residuals[f"{cf.id}#S-form"] = reduce_residual(thermo.entropy - cf.entropy)
    return residuals


# --- claims ----------------------------------------------------------------------------------------------------

_S_OF = sympy.Function("S_L")


def _mapper(table: SymbolTable) -> Callable[[sympy.Basic], sympy.Basic]:
    """Internal symbols and functions → the catalogue's (HC.*) and the DER quantities'."""
    symbols: dict[sympy.Basic, sympy.Basic] = {
        _T: table["HC.T_L"],
        _B: table["HC.beta"],
        _theta: table["HC.theta"],
        _E: table["HC.E_L"],
        _C: table["HC.C_L"],
        _S: table["HC.S_L"],
        _F: table["HC.F_L"],
    }
    symbols.update({s: q.sym for s, q in _INTERNAL_NEW.items()})
    z_cat, l_cat = table.func("HC.Z"), table.func("HC.L")
    s_cat = sympy.Function(str(table["HC.S_L"]), real=True)

    def one_side(expr: sympy.Basic) -> sympy.Basic:
        return expr.replace(_Z, z_cat).replace(_L, l_cat).replace(_S_OF, s_cat).xreplace(symbols)

    return lambda expr: map_statement(expr, one_side)


@dataclass(frozen=True)
class _GenericSpec:
    id: str
    text: str
    relation: sympy.Basic
    sources: tuple[str, ...]
    steps: tuple[Step, ...]
    checks: tuple[str, ...]  # keys of generic_residuals() that prove it
    method: str
    new: tuple[Quantity, ...] = ()


def _eq(lhs: sympy.Basic, rhs: sympy.Basic) -> sympy.Eq:
    return sympy.Eq(lhs, rhs, evaluate=False)


def _generic_specs() -> tuple[_GenericSpec, ...]:
    ln_z, ln_zb = _ln_z(), sympy.log(_Z(_B))
    dlnz = sympy.Derivative(ln_z, _T)
    avg1, avg2 = Avg(_L(_theta)), Avg(_L(_theta) ** 2)
    boltzmann = sympy.exp(-_B * _L(_theta))
    gibbs = Step("Gibbs measure", _eq(sympy.Symbol("p"), boltzmann / _Z(_T)), "HC-03: p(θ) = e^{−βL(θ)}/Z, β = 1/T_L")
    energy_def = Step("Energy", _eq(_E, avg1), "canonical reading: E_L := ⟨L⟩")
    s_gibbs = Step(
        "Gibbs entropy",
        _eq(_S, _B * avg1 + ln_z),
        "S_L = −∫ p ln p dθ and −ln p = βL + ln Z (canonical reading of the entropy)",
    )
    ti = _eq(_S_OF(_T2) - _S_OF(_T1), sympy.Integral(_C / _T, (_T, _T1, _T2)))
    fluct = _eq(_C, _B**2 * (avg2 - avg1**2))
    return (
        _GenericSpec(
            "DER-ENS-E",
            "E_L = ⟨L⟩ = −∂ ln Z/∂β = T_L² ∂ ln Z/∂T_L",
            _eq(_E, _T**2 * dlnz),
            ("HC-03",),
            (
                Step("Partition function", _eq(_Z(_T), _integral_z(1 / _T)), "HC-03"),
                energy_def,
                Step(
                    "Differentiate under the integral",
                    _eq(sympy.Derivative(_integral_z(), _B), -sympy.Integral(_L(_theta) * boltzmann, _theta)),
                    "Leibniz rule: ∂_β e^{−βL} = −L e^{−βL}, so ⟨L⟩ = −Z′(β)/Z(β)",
                ),
                Step("Energy from ln Z", _eq(_E, -sympy.Derivative(ln_zb, _B)), "⟨L⟩ = −∂ ln Z/∂β"),
                Step("Change of variable", _eq(_E, _T**2 * dlnz), "β = 1/T: ∂/∂β = −T² ∂/∂T"),
            ),
            ("E-avg", "E-T"),
            "⟨L⟩ from Z = ∫ e^{−βL(θ)} dθ for a generic L(θ), and ln Z(T) for a generic Z(T): residuals 0",
        ),
        _GenericSpec(
            "DER-ENS-F",
            "F_L = −T_L ln Z",
            _eq(_F, -_T * ln_z),
            ("HC-03", "HC-20"),
            (
                gibbs,
                energy_def,
                s_gibbs,
                Step("Free energy", _eq(_F, _E - _T * _S), "HC-20"),
                Step("Result", _eq(_F, -_T * ln_z), "βT = 1: the ⟨L⟩ terms cancel"),
            ),
            ("S-gibbs", "F"),
            "−ln p expanded for generic L(θ), Z(β); E − T(E/T + ln Z) + T ln Z reduced to 0 by sympy.cancel",
        ),
        _GenericSpec(
            "DER-ENS-S",
            "S_L = (E_L − F_L)/T_L = ∂(T_L ln Z)/∂T_L",
            _eq(_S, sympy.Derivative(_T * ln_z, _T)),
            ("HC-03", "HC-20"),
            (
                Step("Free energy", _eq(_S, (_E - _F) / _T), "HC-20 solved for S_L"),
                Step("Substitute", _eq(_S, _T * dlnz + ln_z), "DER-ENS-E and DER-ENS-F"),
                Step("Result", _eq(_S, sympy.Derivative(_T * ln_z, _T)), "product rule"),
            ),
            ("S",),
            "(E − F)/T − ∂(T ln Z)/∂T for a generic Z(T) reduced to 0 by sympy.cancel",
        ),
        _GenericSpec(
            "DER-ENS-C-FLUCT",
            "C_L = ∂E_L/∂T_L = β²(⟨L²⟩ − ⟨L⟩²) = β² ∂² ln Z/∂β²",
            fluct,
            ("HC-01", "HC-03"),
            (
                Step("Heat capacity", _eq(_C, sympy.Derivative(_E, _T)), "HC-01 (constant V: L(θ) held fixed)"),
                Step("Change of variable", _eq(_C, -(_B**2) * sympy.Derivative(_E, _B)), "dβ/dT = −β²"),
                Step("Second derivative", _eq(_C, _B**2 * sympy.Derivative(ln_zb, (_B, 2))), "DER-ENS-E"),
                Step(
                    "Moments",
                    _eq(sympy.Derivative(ln_zb, (_B, 2)), avg2 - avg1**2),
                    "Z″/Z − (Z′/Z)² with Z⁽ⁿ⁾(β) = (−1)ⁿ ∫ Lⁿ e^{−βL} dθ",
                ),
                Step("Result", fluct, "in the reading E_L ↦ L(θ) this is HC-11"),
            ),
            ("C-fluct",),
            "−β² ∂_β⟨L⟩ − β²(⟨L²⟩ − ⟨L⟩²) with Z = ∫ e^{−βL(θ)} dθ, generic L(θ), reduced to 0 by sympy.cancel",
        ),
        _GenericSpec(
            "DER-ENS-S-TI",
            "S_L(T_2) − S_L(T_1) = ∫_{T_1}^{T_2} C_L/T_L dT_L",
            ti,
            ("HC-01", "HC-03", "HC-19", "HC-20"),
            (
                Step("Entropy", _eq(_S, sympy.Derivative(_T * ln_z, _T)), "DER-ENS-S"),
                Step("Heat capacity", _eq(_C, sympy.Derivative(_T**2 * dlnz, _T)), "HC-01 with DER-ENS-E"),
                Step(
                    "Slope of the entropy",
                    _eq(sympy.Derivative(_S, _T), _C / _T),
                    "both sides equal 2 ∂_T ln Z + T ∂²_T ln Z",
                ),
                Step("Integrate", ti, "fundamental theorem of calculus: the definite form of HC-19"),
            ),
            ("S-TI",),
            "dS/dT − C/T for a generic Z(T) reduced to 0 by sympy.cancel, then the fundamental theorem of calculus",
            (T1_Q, T2_Q),
        ),
    )


#: Finite level sets on which the generic identities are evaluated by direct sums over the states.
LEVEL_SYSTEMS: tuple[tuple[str, tuple[sympy.Expr, ...], tuple[int, ...]], ...] = (
    ("two levels {0, Δ}", (sympy.S.Zero, _gap), (1, 1)),
    ("three levels {0, Δ, 2Δ} with degeneracies (1, 2, 1)", (sympy.S.Zero, _gap, 2 * _gap), (1, 2, 1)),
)

_QUADRATIC_SYSTEM = "quadratic loss, REFERENCES §1 (E = dT/2, Var E = dT²/2)"


def direct_levels(
    energies: Sequence[sympy.Expr], weights: Sequence[int], temperature: sympy.Symbol = _T
) -> dict[str, sympy.Expr]:
    """Z, E, S and Var L of a finite set of levels, summed directly over the probabilities (no ln Z calculus)."""
    boltz = [g * sympy.exp(-e / temperature) for e, g in zip(energies, weights, strict=True)]
    z = sympy.Add(*boltz)
    probs = [b / z for b in boltz]  # probability of each level; each of its g states has probability p/g
    energy = sympy.Add(*(p * e for p, e in zip(probs, energies, strict=True)))
    # −Σ_states q ln q with ln q = −e/T − ln Z for each of the g states of a level
    entropy = -sympy.Add(*(p * (-e / temperature - sympy.log(z)) for p, e in zip(probs, energies, strict=True)))
    second = sympy.Add(*(p * e**2 for p, e in zip(probs, energies, strict=True)))
    return {"Z": z, "E": energy, "S": entropy, "var": second - energy**2}


def _concrete_systems(levels: int) -> list[tuple[str, dict[str, sympy.Expr]]]:
    systems = [(name, direct_levels(e, g)) for name, e, g in LEVEL_SYSTEMS[:levels]]
    # REFERENCES §1, independent of the ln Z calculus: ⟨E⟩ = dT/2, S = d/2 + (d/2) ln(2πT) − ½ ln det H.
    quadratic = {
        "Z": (2 * sympy.pi * _T) ** (_d / 2) / sympy.sqrt(_deth),
        "E": _d * _T / 2,
        "S": _d / 2 + _d / 2 * sympy.log(2 * sympy.pi * _T) - sympy.log(_deth) / 2,
        "var": _d * _T**2 / 2,
    }
    systems.append((_QUADRATIC_SYSTEM, quadratic))
    return systems


def concrete_residuals(levels: int = 1) -> dict[str, sympy.Basic]:
    """The generic identities evaluated on concrete systems (key ``DER-ENS-E|<system>``): the first ``levels``
    of :data:`LEVEL_SYSTEMS` and the quadratic loss of REFERENCES §1; for DER-ENS-S-TI the quadratic and the
    power-law loss, with ∫ C/T dT done by sympy.integrate."""
    residuals: dict[str, sympy.Basic] = {}
    for system, direct in _concrete_systems(levels):
        ln_z = sympy.expand_log(sympy.log(direct["Z"]), force=True)
        residuals[f"DER-ENS-E|{system}"] = direct["E"] - _T**2 * sympy.diff(ln_z, _T)
        residuals[f"DER-ENS-F|{system}"] = direct["E"] - _T * direct["S"] + _T * ln_z
        residuals[f"DER-ENS-S|{system}"] = direct["S"] - sympy.diff(_T * ln_z, _T)
        residuals[f"DER-ENS-C-FLUCT|{system}"] = sympy.diff(direct["E"], _T) - direct["var"] / _T**2
    for cf in _closed_forms()[:2]:  # constant heat capacities: ∫ C/T dT in closed form
        thermo = cf.ensemble.thermodynamics(_T, tidy=False)
        entropy = sympy.Lambda(_T, thermo.entropy)
        integral = sympy.integrate(thermo.heat_capacity / _T, (_T, _T1, _T2))
        residuals[f"DER-ENS-S-TI|{cf.ensemble.name}"] = entropy(_T2) - entropy(_T1) - integral
    return {key: reduce_residual(r) for key, r in residuals.items()}


def ensemble_residuals() -> dict[str, sympy.Basic]:
    """Every residual :func:`derivations` needs: generic, closed-form and concrete."""
    return {**generic_residuals(), **closed_form_residuals(), **concrete_residuals()}


def _concrete_relations() -> dict[str, sympy.Basic]:
    relations = {
        name: _eq(_Z(_T), sympy.Add(*(g * sympy.exp(-e / _T) for e, g in zip(energies, weights, strict=True))))
        for name, energies, weights in LEVEL_SYSTEMS[:1]
    }
    relations[_QUADRATIC_SYSTEM] = _eq(_Z(_T), (2 * sympy.pi * _T) ** (_d / 2) / sympy.sqrt(_deth))
    relations.update({cf.ensemble.name: _eq(_Z(_T), cf.z_step[0]) for cf in _closed_forms()[:2]})
    return relations


def derivations(table: SymbolTable) -> list[Derivation]:
    """The canonical-ensemble identities (DER-ENS-E, -F, -S, -C-FLUCT, -S-TI) and four closed forms."""
    to_cat = _mapper(table)
    residuals = cached_residuals("ensemble", ensemble_residuals)
    relations = _concrete_relations()

    def checks_of(id_: str) -> tuple[ConcreteCheck, ...]:
        found = []
        for key in sorted(k for k in residuals if k.startswith(f"{id_}|")):
            system = key.split("|", 1)[1]
            found.append(ConcreteCheck(system, to_cat(relations[system]), residuals[key], residuals[key] == 0))
        return tuple(found)

    found: list[Derivation] = []
    for spec in _generic_specs():
        claim = make_claim(
            table,
            id=spec.id,
            topic="ensemble",
            text=spec.text,
            relation=to_cat(spec.relation),
            derived_from=spec.sources,
            condition="canonical ensemble p(θ) ∝ exp(−L(θ)/T_L); E_L := ⟨L⟩, S_L := −∫ p ln p dθ",
            new_quantities=spec.new,
        )
        found.append(
            Derivation(
                claim=claim,
                topic="ensemble",
                steps=tuple(Step(s.name, to_cat(s.expression), s.justification) for s in spec.steps),
                verified=all(residuals[k] == 0 for k in spec.checks),
                method=spec.method,
                new_quantities=spec.new,
                concrete_checks=checks_of(spec.id),
            )
        )
    for cf in _closed_forms():
        relation = _eq(_C, cf.heat_capacity)
        steps = (
            Step("Partition function", _eq(_Z(_T), cf.z_step[0]), cf.z_step[1]),
            Step("Free energy", _eq(_F, cf.free_energy), "F = −T ln Z (DER-ENS-F)"),
            Step("Energy", _eq(_E, cf.energy), "E = T² ∂ ln Z/∂T (DER-ENS-E)"),
            Step("Entropy", _eq(_S, cf.entropy), "S = ∂(T ln Z)/∂T (DER-ENS-S)"),
            Step("Heat capacity", relation, "∂E/∂T = β² ∂² ln Z/∂β² (DER-ENS-C-FLUCT)"),
        )
        new_q = tuple(q for sym, q in _INTERNAL_NEW.items() if relation.has(sym) or cf.z_step[0].has(sym))
        claim = make_claim(
            table,
            id=cf.id,
            topic="ensemble",
            text=cf.text,
            relation=to_cat(relation),
            derived_from=("HC-01", "HC-03"),
            condition=cf.condition,
            new_quantities=new_q,
        )
        keys = [k for k in residuals if k == cf.id or k.startswith(f"{cf.id}#")]
        found.append(
            Derivation(
                claim=claim,
                topic="ensemble",
                steps=tuple(Step(s.name, to_cat(s.expression), s.justification) for s in steps),
                verified=all(residuals[k] == 0 for k in keys),
                method=(
                    "ln Z of the closed form differentiated: the stated C equals β² ∂² ln Z/∂β² and ∂E/∂T, "
                    "ln Z matches the stated Z and S = (E − F)/T (residuals 0); the integral giving Z is checked "
                    "in the tests"
                ),
                new_quantities=new_q,
            )
        )
    return found


__all__ = [
    "BETA",
    "TEMPERATURE",
    "CanonicalEnsemble",
    "Thermodynamics",
    "closed_form_residuals",
    "concrete_residuals",
    "derivations",
    "direct_levels",
    "discrete_levels",
    "ensemble_residuals",
    "generic_ensemble",
    "generic_residuals",
    "power_loss",
    "quadratic_loss",
    "quadratic_loss_gaussian_prior",
]
