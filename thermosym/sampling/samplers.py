"""Langevin samplers over a chain dimension: SGLD, MALA and BAOAB, one batched tensor program per step.

All three sample the Gibbs measure p(θ) ∝ exp(−U(θ)/T) of the total potential

    U(θ) = L(θ) + (γ/2)|θ − θ*|²,

where L is a :class:`~thermosym.sampling.potentials.Potential` and the optional localisation term (strength
γ, ``SamplerConfig.localisation``; centre θ* = the initial point unless given) keeps chains near a trained
minimum as in the local-learning-coefficient estimator of Lau et al. (arXiv:2308.12108). In
devinterp's parametrisation exp(−nβL_n − (γ_dev/2)|w − w*|²) with step ε, the same chain has T = 1/β,
γ = γ_dev·T and η = εβ/2. θ has shape [chains, dim]; the temperature and the step size may differ per chain,
so a temperature ladder (:class:`TemperatureLadder`) is just a per-chain temperature vector.

* ``sgld`` — overdamped Langevin, Euler–Maruyama: θ ← θ − η∇U + √(2ηT) ξ (Welling & Teh, ICML 2011, eq. 4 with
  a fixed step). Biased at finite η: on L = ½hθ² its stationary variance is T/(h(1 − ηh/2)) (REFERENCES §6).
  With ``minibatch=True`` the gradient is the potential's minibatch estimate (SGLD as users run it); with
  T = 0 it is plain SGD.
* ``mala`` — the same proposal with a Metropolis–Hastings accept/reject per chain (Roberts & Tweedie,
  Bernoulli 2, 341 (1996)), so the chain is exact for any step size; acceptance rates are recorded.
  Needs the full-data energy (no minibatches) and T > 0.
* ``baoab`` — underdamped Langevin with momenta p (mass m, friction γ_f), the B-A-O-A-B splitting of
  Leimkuhler & Matthews (Appl. Math. Res. Express 2013, 34): B: p ← p − (h/2)∇U; A: θ ← θ + (h/2)p/m;
  O: p ← e^{−γ_f h} p + √((1 − e^{−2γ_f h}) m T) ξ; A; B. One gradient per step; for a quadratic U its
  configurational marginal is exact at every stable h (ibid.). The Hamiltonian is |p|²/2m + U(θ).

Divergence rule: with E₀ the initial energy of a chain and d the dimension, the run stops with
:class:`~thermosym.errors.SamplingDivergedError` (naming step, step size and temperature) as soon as a chain's
energy is NaN/±inf or |E| exceeds ``divergence_factor`` × (|E₀| + d·T) (the scale 1 when that is zero);
the factor defaults to 10⁶. MALA rejects non-finite proposals (their target density is zero) and its accepted
states cannot run away (each acceptance is a Metropolis step of the target), so it is not checked per step; a
step size too large for MALA shows as a collapsing ``acceptance_rate`` instead.

Recorded every ``record_every`` steps after ``burn_in``: the energy L(θ) (full data, without the localisation
term) as a [records, chains] float64 array, optional observables (``grad_norm_sq`` |∇U|², ``virial`` θ·∇U,
``theta_norm_sq`` |θ|², ``localisation`` (γ/2)|θ − θ*|², ``kinetic`` |p|²/2m for BAOAB; gradients are
full-data and of the sampled U, so ⟨θ·∇U⟩ = dT and ⟨|∇U|²⟩ = T⟨ΔU⟩ hold exactly), and optionally θ itself.
With minibatches the full-data energy costs one extra pass over the data per record; ``record_minibatch_energy``
records the step's own minibatch estimate instead (free, as devinterp does): unbiased for ⟨L⟩ and the LLC,
but its extra noise makes it wrong for variances (the fluctuation heat capacity).

>>> from thermosym.sampling.potentials import QuadraticPotential
>>> pot = QuadraticPotential([1.0, 4.0], device="cpu")
>>> trace = mala(pot, torch.zeros(16, 2, dtype=torch.float64), 2.0, 0.2, 500, seed=0)
>>> trace.energies.shape, bool(trace.acceptance_rate.mean() > 0.5)
((500, 16), True)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch import Tensor

from thermosym.errors import SamplingDivergedError
from thermosym.sampling.device import make_generator
from thermosym.sampling.potentials import Potential
from thermosym.sampling.progress import StepProgress, progress_enabled

METHODS = ("sgld", "mala", "baoab")
BUILTIN_OBSERVABLES = ("grad_norm_sq", "virial", "theta_norm_sq", "localisation", "kinetic")
_NEEDS_GRAD = ("grad_norm_sq", "virial")

#: a custom observable: (θ [chains, dim], ∇U [chains, dim]) → values [chains]
Observable = Callable[[Tensor, Tensor], Tensor]


class StepSizeBiasWarning(UserWarning):
    """An estimate from a sampler whose step-size bias was neither removed nor bounded."""


@dataclass(frozen=True)
class SamplerConfig:
    """Settings of one sampling run (validated on construction).

    ``step_size`` is η for SGLD/MALA and the time step h for BAOAB; a tuple gives one per chain (e.g.
    ``ladder.per_chain(...)`` for per-temperature step sizes such as η ∝ T). ``localisation`` γ is a float or,
    likewise, a tuple with one per chain: the term (γ/2)|θ − θ*|² enters exp(−U/T) divided by T, so on a
    temperature ladder γ_c = τ·T_c gives every chain the same Gaussian localiser N(θ*, τ⁻¹I). ``n_steps``
    steps are recorded every ``record_every`` steps after ``burn_in`` unrecorded steps.
    """

    method: str = "mala"
    step_size: float | tuple[float, ...] = 1e-2
    n_steps: int = 1000
    burn_in: int = 0
    record_every: int = 1
    friction: float = 1.0
    mass: float = 1.0
    localisation: float | tuple[float, ...] = 0.0
    minibatch: bool = False
    record_minibatch_energy: bool = False
    observables: tuple[str, ...] = ()
    record_theta: bool = False
    divergence_factor: float = 1e6
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        steps = self.step_size if isinstance(self.step_size, tuple) else (self.step_size,)
        if not steps or not all(isinstance(s, int | float) and math.isfinite(s) and s > 0 for s in steps):
            raise ValueError(f"step_size must be positive and finite (a float or a tuple), got {self.step_size!r}")
        for name in ("n_steps", "record_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.burn_in, int) or self.burn_in < 0:
            raise ValueError(f"burn_in must be a non-negative integer, got {self.burn_in!r}")
        if self.n_steps < self.record_every:
            raise ValueError(f"n_steps ({self.n_steps}) must be at least record_every ({self.record_every})")
        if not (self.friction > 0 and math.isfinite(self.friction)):
            raise ValueError(f"friction must be positive and finite, got {self.friction!r}")
        if not (self.mass > 0 and math.isfinite(self.mass)):
            raise ValueError(f"mass must be positive and finite, got {self.mass!r}")
        gammas = self.localisation if isinstance(self.localisation, tuple) else (self.localisation,)
        if not gammas or not all(isinstance(g, int | float) and math.isfinite(g) and g >= 0 for g in gammas):
            raise ValueError(
                f"localisation must be non-negative and finite (a float or a tuple), got {self.localisation!r}"
            )
        if self.minibatch and self.method == "mala":
            raise ValueError("minibatch=True is not valid with method='mala' (the accept step needs the full energy)")
        if self.record_minibatch_energy and not self.minibatch:
            raise ValueError("record_minibatch_energy=True needs minibatch=True")
        if not self.divergence_factor > 1:
            raise ValueError(f"divergence_factor must exceed 1, got {self.divergence_factor!r}")
        unknown = [o for o in self.observables if o not in BUILTIN_OBSERVABLES]
        if unknown:
            raise ValueError(f"unknown observables {unknown}; built-in ones are {BUILTIN_OBSERVABLES}")
        if "kinetic" in self.observables and self.method != "baoab":
            raise ValueError("the 'kinetic' observable needs method='baoab' (the only sampler with momenta)")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")

    @property
    def n_records(self) -> int:
        """Number of recorded samples per chain."""
        return self.n_steps // self.record_every


@dataclass(frozen=True)
class TemperatureLadder:
    """Temperatures T_1 … T_K with ``chains_per_temperature`` chains each, laid out temperature-major.

    Chain ``k·c + j`` runs at T_k (c chains per temperature), so an array whose last axis is the chain axis
    reshapes to [..., K, c] with :meth:`split`.

    >>> ladder = TemperatureLadder((1.0, 2.0), 3)
    >>> ladder.chain_temperatures().tolist()
    [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    """

    temperatures: tuple[float, ...]
    chains_per_temperature: int

    def __post_init__(self) -> None:
        temps = tuple(float(t) for t in self.temperatures)
        object.__setattr__(self, "temperatures", temps)
        if not temps or not all(math.isfinite(t) and t > 0 for t in temps):
            raise ValueError(f"temperatures must be a non-empty tuple of positive numbers, got {temps!r}")
        if not isinstance(self.chains_per_temperature, int) or self.chains_per_temperature < 1:
            raise ValueError(f"chains_per_temperature must be a positive integer, got {self.chains_per_temperature!r}")

    @classmethod
    def geometric(
        cls, t_min: float, t_max: float, n_temperatures: int, chains_per_temperature: int
    ) -> TemperatureLadder:
        """T_k = t_min (t_max/t_min)^{k/(K−1)}, k = 0 … K−1."""
        if not 0 < t_min <= t_max or n_temperatures < 1:
            raise ValueError(f"need 0 < t_min <= t_max and n_temperatures >= 1, got {t_min}, {t_max}, {n_temperatures}")
        temps = np.geomspace(t_min, t_max, n_temperatures) if n_temperatures > 1 else np.array([t_min])
        return cls(tuple(float(t) for t in temps), chains_per_temperature)

    @property
    def n_temperatures(self) -> int:
        return len(self.temperatures)

    @property
    def n_chains(self) -> int:
        return self.n_temperatures * self.chains_per_temperature

    def chain_temperatures(self) -> np.ndarray:
        """The per-chain temperature vector, shape [n_chains]."""
        return np.repeat(np.asarray(self.temperatures), self.chains_per_temperature)

    def per_chain(self, values_per_temperature: ArrayLike) -> tuple[float, ...]:
        """One value per temperature (e.g. a step size) expanded to one per chain."""
        values = np.asarray(values_per_temperature, dtype=np.float64)
        if values.shape != (self.n_temperatures,):
            raise ValueError(f"need {self.n_temperatures} values (one per temperature), got shape {values.shape}")
        return tuple(float(v) for v in np.repeat(values, self.chains_per_temperature))

    def split(self, values: np.ndarray) -> np.ndarray:
        """Reshape the last (chain) axis of ``values`` to [n_temperatures, chains_per_temperature]."""
        arr = np.asarray(values)
        if arr.shape[-1] != self.n_chains:
            raise ValueError(f"last axis must have {self.n_chains} chains, got {arr.shape[-1]}")
        return arr.reshape(*arr.shape[:-1], self.n_temperatures, self.chains_per_temperature)


@dataclass(frozen=True)
class Trace:
    """What a run recorded. Arrays are float64 numpy, chain axis last (θ: [records, chains, dim])."""

    method: str
    temperatures: np.ndarray
    step_sizes: np.ndarray
    energies: np.ndarray
    steps: np.ndarray
    config: SamplerConfig
    observables: dict[str, np.ndarray] = field(default_factory=dict)
    theta: np.ndarray | None = None
    final_theta: Tensor | None = None
    final_momentum: Tensor | None = None
    acceptance_rate: np.ndarray | None = None
    wall_time_s: float = math.nan
    device: str = "cpu"
    dtype: str = "float64"

    @property
    def n_chains(self) -> int:
        return int(self.energies.shape[1])

    @property
    def chain_steps_per_second(self) -> float:
        """(burn-in + n_steps) × chains / wall time."""
        return (self.config.burn_in + self.config.n_steps) * self.n_chains / self.wall_time_s

    def select(self, chains: ArrayLike | slice) -> Trace:
        """The same trace restricted to some chains (an index array, boolean mask or slice)."""
        idx = chains if isinstance(chains, slice) else np.asarray(chains)
        return replace(
            self,
            temperatures=self.temperatures[idx],
            step_sizes=self.step_sizes[idx],
            energies=self.energies[:, idx],
            observables={k: v[:, idx] for k, v in self.observables.items()},
            theta=None if self.theta is None else self.theta[:, idx],
            final_theta=None
            if self.final_theta is None
            else self.final_theta[torch.as_tensor(np.arange(self.n_chains)[idx])],
            final_momentum=None,
            acceptance_rate=None if self.acceptance_rate is None else self.acceptance_rate[idx],
        )

    def summary(self) -> dict[str, Any]:
        """Settings and rates for evidence records (JSON-ready)."""
        out: dict[str, Any] = {
            "method": self.method,
            "n_chains": self.n_chains,
            "n_steps": self.config.n_steps,
            "burn_in": self.config.burn_in,
            "record_every": self.config.record_every,
            "step_sizes": sorted({float(s) for s in self.step_sizes}),
            "temperatures": sorted({float(t) for t in self.temperatures}),
            "localisation": self.config.localisation,
            "minibatch": self.config.minibatch,
            "seed": self.config.seed,
            "device": self.device,
            "dtype": self.dtype,
            "wall_time_s": self.wall_time_s,
        }
        if self.acceptance_rate is not None:
            out["acceptance_rate_min"] = float(self.acceptance_rate.min())
            out["acceptance_rate_mean"] = float(self.acceptance_rate.mean())
        return out


def _per_chain(values: float | Sequence[float] | np.ndarray | Tensor, n_chains: int, name: str) -> np.ndarray:
    arr = np.asarray(values.cpu() if isinstance(values, Tensor) else values, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(n_chains, float(arr))
    if arr.shape != (n_chains,):
        raise ValueError(f"{name} must be a scalar or have one value per chain ({n_chains}), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


class _Run:
    """The state of one run: potential, per-chain constants, generator, recorders."""

    def __init__(
        self,
        potential: Potential,
        theta0: Tensor,
        temperatures: np.ndarray,
        step_sizes: np.ndarray,
        config: SamplerConfig,
        center: Tensor,
        custom: Mapping[str, Observable],
    ) -> None:
        spec = potential.spec
        self.potential = potential
        self.config = config
        self.custom = dict(custom)
        self.generator = make_generator(config.seed, spec)
        self.temps_np = temperatures
        self.steps_np = step_sizes
        self.temps = spec.tensor(temperatures)[:, None]
        self.eta = spec.tensor(step_sizes)[:, None]
        self.center = center
        gammas = _per_chain(np.asarray(config.localisation), theta0.shape[0], "localisation")
        self.localised = bool(np.any(gammas > 0))
        # one float where all chains share γ (the arithmetic of a scalar γ), else per chain: [chains] and [chains, 1]
        self.gamma: float | Tensor = float(gammas[0]) if np.all(gammas == gammas[0]) else spec.tensor(gammas)
        self.gamma_column = self.gamma if isinstance(self.gamma, float) else self.gamma[:, None]
        self.n_chains, self.dim = theta0.shape
        n_rec = config.n_records
        self.energies = torch.empty(n_rec, self.n_chains, dtype=spec.dtype, device=spec.device)
        self.obs = {
            name: torch.empty(n_rec, self.n_chains, dtype=spec.dtype, device=spec.device)
            for name in (*config.observables, *self.custom)
        }
        self.thetas = (
            torch.empty(n_rec, self.n_chains, self.dim, dtype=spec.dtype, device=spec.device)
            if config.record_theta
            else None
        )
        self.need_grad = bool(self.custom) or any(o in _NEEDS_GRAD for o in config.observables)
        self.limit: Tensor | None = None
        self.zeros = torch.zeros(self.n_chains, dtype=spec.dtype, device=spec.device)

    def noise(self, like: Tensor) -> Tensor:
        return torch.randn(like.shape, generator=self.generator, dtype=like.dtype, device=like.device)

    def localisation_energy(self, theta: Tensor) -> Tensor:
        if not self.localised:
            return self.zeros
        return 0.5 * self.gamma * ((theta - self.center) ** 2).sum(dim=1)

    def total_grad(self, theta: Tensor, grad: Tensor) -> Tensor:
        return grad + self.gamma_column * (theta - self.center) if self.localised else grad

    def eval_full(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """(L, ∇U) at θ on the full data."""
        energy, grad = self.potential.energy_and_grad(theta)
        return energy, self.total_grad(theta, grad)

    def eval_step(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """(L or its minibatch estimate, ∇U or its minibatch estimate) for the dynamics."""
        if self.config.minibatch:
            energy, grad = self.potential.minibatch_energy_and_grad(theta, self.generator)
            return energy, self.total_grad(theta, grad)
        return self.eval_full(theta)

    def recorded_minibatch(self, theta: Tensor, step_energy: Tensor) -> tuple[Tensor, Tensor | None]:
        """(energy to record, full-data ∇U if an observable needs it) in minibatch mode."""
        if self.config.record_minibatch_energy:
            return step_energy, (self.eval_full(theta)[1] if self.need_grad else None)
        if self.need_grad:
            return self.eval_full(theta)
        return self.potential.energy(theta), None

    def set_limit(self, energy: Tensor) -> None:
        scale = energy.abs() + self.dim * self.temps[:, 0]
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        self.limit = self.config.divergence_factor * scale

    def check(self, step: int, energy: Tensor, extra: Tensor | None = None) -> None:
        assert self.limit is not None
        bad = ~torch.isfinite(energy) | (energy.abs() > self.limit)
        if extra is not None:
            bad = bad | ~torch.isfinite(extra).all(dim=1)
        if bool(bad.any()):
            chains = torch.nonzero(bad).flatten().cpu().numpy()
            c = int(chains[0])
            raise SamplingDivergedError(
                step=step,
                step_size=float(self.steps_np[c]),
                temperature=float(self.temps_np[c]),
                detail=(
                    f"{self.config.method}: energy {float(energy[c]):.6g} of chain {c} is non-finite or "
                    f"exceeds "
                    f"{self.config.divergence_factor:g} x (|E0| + d*T) = {float(self.limit[c]):.6g}; "
                    f"{len(chains)} of {self.n_chains} chains diverged"
                ),
            )

    def record(self, slot: int, theta: Tensor, energy: Tensor, grad: Tensor | None, momentum: Tensor | None) -> None:
        self.energies[slot] = energy
        for name, buf in self.obs.items():
            if name in self.custom:
                assert grad is not None
                buf[slot] = self.custom[name](theta, grad)
            elif name == "grad_norm_sq":
                assert grad is not None
                buf[slot] = (grad * grad).sum(dim=1)
            elif name == "virial":
                assert grad is not None
                buf[slot] = (theta * grad).sum(dim=1)
            elif name == "theta_norm_sq":
                buf[slot] = (theta * theta).sum(dim=1)
            elif name == "localisation":
                buf[slot] = self.localisation_energy(theta)
            elif name == "kinetic":
                assert momentum is not None
                buf[slot] = (momentum * momentum).sum(dim=1) / (2 * self.config.mass)
        if self.thetas is not None:
            self.thetas[slot] = theta


def sample(
    potential: Potential,
    init: Tensor | ArrayLike,
    temperature: float | Sequence[float] | np.ndarray | Tensor,
    config: SamplerConfig,
    *,
    center: Tensor | ArrayLike | None = None,
    custom_observables: Mapping[str, Observable] | None = None,
    progress: bool | None = None,
) -> Trace:
    """Run ``config.method`` on ``potential`` from ``init`` ([chains, dim], or [dim] repeated per chain).

    ``temperature`` is a scalar or one value per chain; ``center`` is the localisation centre θ* ([dim] or
    [chains, dim], default ``init``); ``custom_observables`` adds custom per-chain observables (θ, ∇U) → [chains];
    ``progress`` draws a rich bar (None: only on an interactive terminal). Returns a :class:`Trace`.
    """
    spec = potential.spec
    theta = torch.as_tensor(init, dtype=spec.dtype, device=spec.device)
    temps_arr = np.asarray(temperature.cpu() if isinstance(temperature, Tensor) else temperature, dtype=np.float64)
    if theta.ndim == 1:
        n = int(temps_arr.size) if temps_arr.ndim == 1 else 1
        theta = theta.expand(n, -1)
    theta = theta.clone()
    potential.check_theta(theta)
    n_chains = theta.shape[0]
    temps = _per_chain(temps_arr, n_chains, "temperature")
    if np.any(temps < 0) or (config.method == "mala" and np.any(temps == 0)):
        raise ValueError(f"temperature must be positive (zero allowed for sgld and baoab), got min {temps.min():g}")
    steps = _per_chain(np.asarray(config.step_size), n_chains, "step_size")
    if config.minibatch and not potential.supports_minibatch:
        raise ValueError(f"minibatch=True but {type(potential).__name__} has no minibatch gradients")
    custom = dict(custom_observables or {})
    clash = [name for name in custom if name in BUILTIN_OBSERVABLES]
    if clash:
        raise ValueError(f"custom observable names {clash} clash with built-in ones")
    if center is None:
        ctr = theta.clone()
    else:
        ctr = torch.as_tensor(center, dtype=spec.dtype, device=spec.device)
        ctr = ctr.expand(n_chains, -1).clone() if ctr.ndim == 1 else ctr.clone()
        potential.check_theta(ctr)
    run = _Run(potential, theta, temps, steps, config, ctr, custom)
    stepper = {"sgld": _run_sgld, "mala": _run_mala, "baoab": _run_baoab}[config.method]
    total = config.burn_in + config.n_steps
    start = time.perf_counter()
    with StepProgress(total, f"{config.method} x{n_chains}", enabled=progress_enabled(progress)) as bar:
        final, momentum, accept = stepper(run, theta, bar)
    if spec.device.type == "cuda":
        torch.cuda.synchronize(spec.device)
    wall = time.perf_counter() - start
    rec = config.record_every
    return Trace(
        method=config.method,
        temperatures=temps,
        step_sizes=steps,
        energies=run.energies.to(torch.float64).cpu().numpy(),
        steps=config.burn_in + rec * np.arange(1, config.n_records + 1),
        config=config,
        observables={k: v.to(torch.float64).cpu().numpy() for k, v in run.obs.items()},
        theta=None if run.thetas is None else run.thetas.to(torch.float64).cpu().numpy(),
        final_theta=final,
        final_momentum=momentum,
        acceptance_rate=accept,
        wall_time_s=wall,
        device=str(spec.device),
        dtype=str(spec.dtype).replace("torch.", ""),
    )


def _record_slot(run: _Run, step: int) -> int | None:
    """The record index of post-update step ``step`` (1-based), or None."""
    k = step - run.config.burn_in
    if k <= 0 or k % run.config.record_every:
        return None
    return k // run.config.record_every - 1


def _run_sgld(run: _Run, theta: Tensor, bar: StepProgress) -> tuple[Tensor, None, None]:
    """θ ← θ − η∇U + √(2ηT) ξ."""
    energy, grad = run.eval_step(theta)
    run.set_limit(run.potential.energy(theta) if run.config.minibatch else energy)
    noise_scale = torch.sqrt(2 * run.eta * run.temps)
    total = run.config.burn_in + run.config.n_steps
    for step in range(1, total + 1):
        theta = theta - run.eta * grad + noise_scale * run.noise(theta)
        energy, grad = run.eval_step(theta)
        run.check(step, energy)
        slot = _record_slot(run, step)
        if slot is not None:
            if run.config.minibatch:
                full_e, full_g = run.recorded_minibatch(theta, energy)
                run.record(slot, theta, full_e, full_g, None)
            else:
                run.record(slot, theta, energy, grad, None)
        bar.advance()
    return theta, None, None


def _run_mala(run: _Run, theta: Tensor, bar: StepProgress) -> tuple[Tensor, None, np.ndarray]:
    """SGLD proposal θ' = θ − η∇U + √(2ηT)ξ accepted with probability
    min(1, exp(−(U' − U)/T) q(θ|θ')/q(θ'|θ)), log q(b|a) = −|b − a + η∇U(a)|²/(4ηT)."""
    energy, grad = run.eval_full(theta)
    run.set_limit(energy)
    u_total = energy + run.localisation_energy(theta)
    noise_scale = torch.sqrt(2 * run.eta * run.temps)
    four_eta_t = (4 * run.eta * run.temps)[:, 0]
    temps = run.temps[:, 0]
    accepted = torch.zeros(run.n_chains, dtype=torch.float64, device=theta.device)
    total = run.config.burn_in + run.config.n_steps
    for step in range(1, total + 1):
        kick = noise_scale * run.noise(theta)
        proposal = theta - run.eta * grad + kick
        e_new, g_new = run.eval_full(proposal)
        u_new = e_new + run.localisation_energy(proposal)
        backward = theta - proposal + run.eta * g_new
        log_q_ratio = ((kick * kick).sum(dim=1) - (backward * backward).sum(dim=1)) / four_eta_t
        log_alpha = (u_total - u_new) / temps + log_q_ratio
        uniform = torch.rand(run.n_chains, generator=run.generator, dtype=theta.dtype, device=theta.device)
        accept = (torch.log(uniform) < log_alpha) & torch.isfinite(u_new) & torch.isfinite(g_new).all(dim=1)
        theta = torch.where(accept[:, None], proposal, theta)
        grad = torch.where(accept[:, None], g_new, grad)
        energy = torch.where(accept, e_new, energy)
        u_total = torch.where(accept, u_new, u_total)
        if step > run.config.burn_in:
            accepted += accept.to(torch.float64)
        slot = _record_slot(run, step)
        if slot is not None:
            run.record(slot, theta, energy, grad, None)
        bar.advance()
    return theta, None, (accepted / run.config.n_steps).cpu().numpy()


def _run_baoab(run: _Run, theta: Tensor, bar: StepProgress) -> tuple[Tensor, Tensor, None]:
    """B-A-O-A-B with time step h = step_size, friction γ_f and mass m (Leimkuhler & Matthews 2013)."""
    mass = run.config.mass
    h = run.eta
    c1 = torch.exp(-run.config.friction * h)
    c2 = torch.sqrt((1 - c1**2) * mass * run.temps)
    momentum = torch.sqrt(mass * run.temps) * run.noise(theta)
    energy, grad = run.eval_step(theta)
    run.set_limit(run.potential.energy(theta) if run.config.minibatch else energy)
    total = run.config.burn_in + run.config.n_steps
    for step in range(1, total + 1):
        momentum = momentum - 0.5 * h * grad
        theta = theta + 0.5 * h * momentum / mass
        momentum = c1 * momentum + c2 * run.noise(momentum)
        theta = theta + 0.5 * h * momentum / mass
        energy, grad = run.eval_step(theta)
        momentum = momentum - 0.5 * h * grad
        run.check(step, energy, momentum)
        slot = _record_slot(run, step)
        if slot is not None:
            if run.config.minibatch:
                full_e, full_g = run.recorded_minibatch(theta, energy)
                run.record(slot, theta, full_e, full_g, momentum)
            else:
                run.record(slot, theta, energy, grad, momentum)
        bar.advance()
    return theta, momentum, None


def _with(config: SamplerConfig | None, method: str, overrides: dict[str, Any]) -> SamplerConfig:
    base = config if config is not None else SamplerConfig(method=method)
    values = {k: v for k, v in overrides.items() if v is not None}
    for key in ("step_size", "localisation"):
        if isinstance(values.get(key), list | np.ndarray):
            values[key] = tuple(float(s) for s in values[key])
    return replace(base, method=method, **values)


def sgld(
    potential: Potential,
    init: Tensor | ArrayLike,
    temperature: float | Sequence[float] | np.ndarray | Tensor,
    step_size: float | Sequence[float],
    n_steps: int,
    **settings: Any,
) -> Trace:
    """:func:`sample` with ``method='sgld'``; other :class:`SamplerConfig` fields and ``sample`` keywords
    (``center``, ``custom_observables``, ``progress``) as keywords."""
    return _dispatch("sgld", potential, init, temperature, step_size, n_steps, settings)


def mala(
    potential: Potential,
    init: Tensor | ArrayLike,
    temperature: float | Sequence[float] | np.ndarray | Tensor,
    step_size: float | Sequence[float],
    n_steps: int,
    **settings: Any,
) -> Trace:
    """:func:`sample` with ``method='mala'`` (see :func:`sgld` for the keywords)."""
    return _dispatch("mala", potential, init, temperature, step_size, n_steps, settings)


def baoab(
    potential: Potential,
    init: Tensor | ArrayLike,
    temperature: float | Sequence[float] | np.ndarray | Tensor,
    step_size: float | Sequence[float],
    n_steps: int,
    **settings: Any,
) -> Trace:
    """:func:`sample` with ``method='baoab'`` (see :func:`sgld` for the keywords; ``friction``, ``mass``)."""
    return _dispatch("baoab", potential, init, temperature, step_size, n_steps, settings)


def _dispatch(
    method: str,
    potential: Potential,
    init: Tensor | ArrayLike,
    temperature: float | Sequence[float] | np.ndarray | Tensor,
    step_size: float | Sequence[float],
    n_steps: int,
    settings: dict[str, Any],
) -> Trace:
    sample_keys = {"center", "custom_observables", "progress"}
    run_kwargs = {k: settings.pop(k) for k in list(settings) if k in sample_keys}
    config = _with(None, method, {"step_size": step_size, "n_steps": n_steps, **settings})
    return sample(potential, init, temperature, config, **run_kwargs)
