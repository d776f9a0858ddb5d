"""Evaluate a claim's expression numerically on exact samples of a Gibbs measure.

This is how an *estimator* claim — ``C_L = β²(⟨E_L²⟩ − ⟨E_L⟩²)``, ``C_L ≈ var(∇L)/T_L²``, a user's own formula —
is tested: its right-hand side is computed, literally, from samples of p(θ) ∝ exp(−L(θ)/T) and compared with the
system's exact heat capacity. The meaning of each symbol comes from its quantity, not from its name:

================================  ==========================================================================
quantity                          value
================================  ==========================================================================
temperature (control)             T
inverse temperature               1/T
count (control)                   d, the number of parameters
energy, microstate (``L(θ)``)     the loss of each sample
parameter, microstate (``θ``)     the samples, shape (n, d)
a quantity with a definition      its definition, substituted (E_L := −∑_θ p log p is the entropy of p_T)
entropy, ensemble, undefined      the thermodynamic entropy S = (⟨L⟩ − F)/T = −∂F/∂T (only in readings
                                  other than as-written, which is where a reading gives an undefined entropy
                                  that meaning; with a prior φ in the base measure it is −KL(p_T ‖ φ))
================================  ==========================================================================

Operators: ``Avg`` is the sample mean; ``Var`` the sample variance, summed over components for a vector
(the total variance tr Cov); ``Grad`` and ``Laplacian`` of the loss are the per-sample gradient and Laplacian;
``∑_θ p log p`` and ``∫ p log p dθ`` of the Gibbs density are minus its exact differential entropy −∫p ln p
(the text's formula taken literally);
``Delta(X)`` and ``(∂X/∂T)`` are central differences between T ± h/2 (h = ``relative_step``·T) with common random
numbers; ``Delta(T)`` is h. Anything else raises :class:`NotEvaluable` with the reason, which the check reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import sympy

from thermosym import operators as op
from thermosym.quantity import Kind, Level, Quantity


class NotEvaluable(Exception):
    """The expression has a part that has no numerical meaning on samples (the message says which)."""


class SampleSystem(Protocol):
    """What the evaluator needs from a reference system (the ones of thermosym.systems.quadratic fit)."""

    name: str

    def sample(self, temperature: Any, n: int, rng: np.random.Generator) -> np.ndarray: ...

    def energy(self, theta: Any) -> np.ndarray: ...

    def heat_capacity(self, temperature: Any) -> np.ndarray: ...


@dataclass(frozen=True)
class Sampled:
    """Samples at one temperature with what the operators need."""

    temperature: float
    theta: np.ndarray
    loss: np.ndarray
    gradient: np.ndarray
    laplacian: np.ndarray
    entropy: float
    thermodynamic_entropy: float

    @property
    def dim(self) -> int:
        return int(self.theta.shape[1])


def draw(system: Any, temperature: float, normals: np.ndarray) -> Sampled:
    """Samples of ``system`` at ``temperature`` from standard normals of shape (n, d) (common random numbers:
    the same normals at every temperature). Gaussian systems map normals through the Cholesky factor of the
    covariance; the loss, gradient and Laplacian come from the system's own formulas."""
    cov = np.atleast_2d(system.covariance(temperature))
    theta = normals @ np.linalg.cholesky(cov).T
    hessian = system.hessian
    thermodynamic = float(system.entropy(temperature))
    entropy = (
        float(system.differential_entropy(temperature)) if hasattr(system, "differential_entropy") else thermodynamic
    )
    return Sampled(
        temperature=float(temperature),
        theta=theta,
        loss=np.asarray(system.energy(theta)),
        gradient=theta @ hessian,
        laplacian=np.full(theta.shape[0], float(np.trace(hessian))),
        entropy=entropy,
        thermodynamic_entropy=thermodynamic,
    )


Role = str


def roles_of(quantities: Mapping[str, Quantity]) -> dict[str, Role]:
    """The numerical role of each quantity, from its kind and level (see the module docstring)."""
    roles: dict[str, Role] = {}
    for key, q in quantities.items():
        if q.kind is Kind.TEMPERATURE and q.level is Level.CONTROL:
            roles[key] = "temperature"
        elif q.kind is Kind.INVERSE_TEMPERATURE:
            roles[key] = "beta"
        elif q.kind is Kind.COUNT and q.level is Level.CONTROL:
            roles[key] = "dimension"
        elif q.kind is Kind.ENERGY and q.level is Level.MICROSTATE:
            roles[key] = "loss"
        elif q.kind is Kind.PARAMETER and q.level is Level.MICROSTATE:
            roles[key] = "parameters"
        elif q.kind is Kind.PROBABILITY and q.level is Level.FIELD:
            roles[key] = "density"
    return roles


class Evaluator:
    """Evaluates expressions at a temperature; ``sampler(T)`` returns :class:`Sampled` (cached per T)."""

    def __init__(
        self,
        sampler: Callable[[float], Sampled],
        roles: Mapping[str, Role],
        definitions: Mapping[str, sympy.Basic] | None = None,
        relative_step: float = 0.05,
    ) -> None:
        self._sampler = sampler
        self._cache: dict[float, Sampled] = {}
        self.roles = dict(roles)
        self.definitions = dict(definitions or {})
        self.relative_step = relative_step

    def samples(self, temperature: float) -> Sampled:
        if temperature not in self._cache:
            self._cache[temperature] = self._sampler(temperature)
        return self._cache[temperature]

    def value(self, expr: sympy.Basic, temperature: float) -> float:
        """The expression's value at ``temperature``; it must reduce to one number (use Avg/Var on samples)."""
        out = np.asarray(self._eval(expr, temperature))
        if out.ndim != 0:
            raise NotEvaluable(f"{expr} is a fluctuating (per-sample) quantity, not a number; average it")
        return float(out)

    # ---- the recursion -------------------------------------------------------------------------------------
    def _eval(self, expr: sympy.Basic, t: float) -> Any:
        if expr.is_Number:
            return float(expr)
        if isinstance(expr, sympy.Symbol):
            return self._symbol(expr, t)
        if isinstance(expr, sympy.core.function.AppliedUndef):
            return self._applied(expr, t)
        if isinstance(expr, sympy.Add):
            return sum(self._eval(a, t) for a in expr.args)
        if isinstance(expr, sympy.Mul):
            out: Any = 1.0
            for a in expr.args:
                out = out * self._eval(a, t)
            return out
        if isinstance(expr, sympy.Pow):
            return self._eval(expr.base, t) ** self._eval(expr.exp, t)
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            raise NotEvaluable(f"no numerical meaning for {type(expr).__name__} in {expr}")
        return handler(self, expr, t)

    def _symbol(self, s: sympy.Symbol, t: float) -> Any:
        role = self.roles.get(s.name)
        if role == "temperature":
            return t
        if role == "beta":
            return 1.0 / t
        if role == "dimension":
            return float(self.samples(t).dim)
        if role == "loss":
            return self.samples(t).loss
        if role == "parameters":
            return self.samples(t).theta
        if s.name in self.definitions:
            return self._eval(self.definitions[s.name], t)
        if role == "entropy":
            return self.samples(t).thermodynamic_entropy
        if s.name in self.definitions:
            return self._eval(self.definitions[s.name], t)
        raise NotEvaluable(f"{s.name} has no numerical meaning here (no role and no definition)")

    def _applied(self, f: sympy.Basic, t: float) -> Any:
        name = type(f).__name__
        if self.roles.get(name) == "loss":
            return self.samples(t).loss
        if name in self.definitions:
            return self._eval(self.definitions[name], t)
        raise NotEvaluable(f"{name}(...) has no numerical meaning here")

    def _is_density(self, f: sympy.Basic) -> bool:
        return isinstance(f, sympy.core.function.AppliedUndef) and self.roles.get(type(f).__name__) == "density"

    def entropy_of_density(self, body: sympy.Basic, t: float) -> float:
        """∑_θ p log p (or ∫ p log p dθ) for the Gibbs density p: −S."""
        dens = [a for a in body.atoms(sympy.core.function.AppliedUndef) if self._is_density(a)]
        if len(dens) == 1 and sympy.simplify(body - dens[0] * sympy.log(dens[0])) == 0:
            return -self.samples(t).entropy
        raise NotEvaluable(f"only the entropy form p·log p of the Gibbs density can be summed, not {body}")

    def derivative_in_temperature(self, expr: sympy.Basic, t: float) -> float:
        h = self.relative_step * t
        return (self.value(expr, t + h / 2) - self.value(expr, t - h / 2)) / h


def _avg(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    x = np.asarray(ev._eval(e.args[0], t))
    if x.ndim == 0:
        return x  # the average of a number is that number
    return x.mean(axis=0)


def _var(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    x = np.asarray(ev._eval(e.args[0], t))
    if x.ndim == 0:
        return np.float64(0.0)  # a number does not fluctuate
    v = x.var(axis=0, ddof=1)
    return v.sum() if np.ndim(v) else v


def _grad(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    arg = e.args[0]
    if ev.roles.get(type(arg).__name__) == "loss" or ev.roles.get(getattr(arg, "name", "")) == "loss":
        return ev.samples(t).gradient
    raise NotEvaluable(f"only the gradient of the loss has a numerical meaning, not ∇{arg}")


def _laplacian(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    arg = e.args[0]
    if ev.roles.get(type(arg).__name__) == "loss" or ev.roles.get(getattr(arg, "name", "")) == "loss":
        return ev.samples(t).laplacian
    raise NotEvaluable(f"only the Laplacian of the loss has a numerical meaning, not ∇²{arg}")


def _sum_over(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    return ev.entropy_of_density(e.args[0], t)


def _integral(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    if len(e.limits) == 1 and len(e.limits[0]) == 1 and ev.roles.get(str(e.limits[0][0])) == "parameters":
        return ev.entropy_of_density(e.function, t)
    raise NotEvaluable(f"cannot evaluate the integral {e}")


def _delta(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    arg = e.args[0]
    h = ev.relative_step * t
    if isinstance(arg, sympy.Symbol) and ev.roles.get(arg.name) == "temperature":
        return h
    return ev.value(arg, t + h / 2) - ev.value(arg, t - h / 2)


def _temperature_derivative(ev: Evaluator, e: sympy.Basic, t: float) -> Any:
    if isinstance(e, op.ConstrainedDerivative):
        body, wrt = e.args[0], e.args[1]
    else:
        if len(e.variable_count) != 1 or e.variable_count[0][1] != 1:
            raise NotEvaluable(f"only first derivatives in T can be evaluated, not {e}")
        body, wrt = e.expr, e.variable_count[0][0]
    if not (isinstance(wrt, sympy.Symbol) and ev.roles.get(wrt.name) == "temperature"):
        raise NotEvaluable(f"only derivatives with respect to the temperature can be evaluated, not {e}")
    return ev.derivative_in_temperature(body, t)


def _elementary(func: Callable[[Any], Any]) -> Callable[[Evaluator, sympy.Basic, float], Any]:
    return lambda ev, e, t: func(ev._eval(e.args[0], t))


_HANDLERS: dict[type, Callable[[Evaluator, sympy.Basic, float], Any]] = {
    op.Avg: _avg,
    op.Var: _var,
    op.Grad: _grad,
    op.Laplacian: _laplacian,
    op.SumOver: _sum_over,
    sympy.Integral: _integral,
    op.Delta: _delta,
    op.ConstrainedDerivative: _temperature_derivative,
    sympy.Derivative: _temperature_derivative,
    sympy.Abs: _elementary(np.abs),
    sympy.exp: _elementary(np.exp),
    sympy.log: _elementary(np.log),
}
