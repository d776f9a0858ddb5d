"""Driven overdamped Langevin protocols: work, heat and entropy production per trajectory, batched.

A time-dependent loss L(θ, λ(t)) is driven by a schedule λ(t) on [0, t_f] while θ follows overdamped Langevin
dynamics γ θ̇ = −∇_θ L + √(2γT) ξ (REFERENCES §5). Time is cut into N steps of length dt = t_f/N; each step
first *switches* the parameter λ_k → λ_{k+1} at fixed θ_k, which costs the work

    W_k = L(θ_k, λ_{k+1}) − L(θ_k, λ_k)          (= ∫_{λ_k}^{λ_{k+1}} ∂L/∂λ(θ_k, λ) dλ exactly),

and then *moves* θ_k → θ_{k+1} with a Markov kernel K_{λ_{k+1}} at the new parameter, which exchanges the heat
Q_k = L(θ_{k+1}, λ_{k+1}) − L(θ_k, λ_{k+1}) with the bath (Q > 0: absorbed by the system). So W = ΣW_k,
Q = ΔL − W (first law) and σ = β(W − ΔF) is the entropy production of the trajectory.

Which ordering is exact: if θ_0 ~ π_{λ_0} ∝ e^{−βL(·, λ_0)} and every K_λ leaves π_λ invariant, switch-then-move
telescopes to ⟨e^{−βW}⟩ = Z(λ_N)/Z(λ_0) exactly for the discrete chain (Crooks, J. Stat. Phys. 90, 1481 (1998);
Neal, Stat. Comput. 11, 125 (2001), annealed importance sampling); if the K_λ also satisfy detailed
balance the Crooks relation P_F(W)/P_R(−W) = e^{β(W−ΔF)} holds exactly too (Crooks, PRE 60, 2721 (1999)).
Pairing the work with the state *after* the move at the new parameter (move-then-switch with mismatched λ)
breaks the telescoping. The kernel must keep π_λ invariant for the identities to be exact:

* ``integrator="mala"`` (default): an Euler–Maruyama proposal θ' = θ − (dt/γ)∇L + √(2T dt/γ) ξ with a
  Metropolis–Hastings accept/reject (Roberts & Tweedie, Bernoulli 2, 341 (1996)). Detailed balance w.r.t. π_λ
  holds for every dt, so the discrete-time Jarzynski and Crooks relations are exact; for small dt the
  acceptance is ≈ 1 and the dynamics approaches the continuous Langevin process with an O(dt) error in its
  time dependence (⟨W⟩(t) etc.), not in the identities.
* ``integrator="euler_maruyama"``: the bare proposal, always accepted. Its fixed-λ stationary law is not π_λ:
  on a quadratic L = (k/2)|θ − c|² it is exactly the Gibbs law of the softer stiffness k(1 − η k/2), η = dt/γ
  (the AR(1) recursion θ' − c = (1 − ηk)(θ − c) + √(2ηT) ξ has variance T/(k(1 − ηk/2)); Mandt, Hoffman & Blei,
  JMLR 18 (2017), SGLD case of REFERENCES §6). So Jarzynski/Crooks hold for EM only up to a relative error of
  order ηk/2 per unit of work, e.g. the dragged-trap fluctuation slope from an EM-equilibrated start is
  exactly 1 − dt/(2τ_r) instead of 1. This bias is first order in dt and stated, not removed.

Everything is one batched tensor program over a leading trajectory dimension: θ has shape [n, dim] and the
potential receives λ as a tensor of shape [n, p] (one row per trajectory, p parameters), so that ladders of
different λ per row run in the same program. Runs on cuda when present, else cpu; float64 by default.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray

from thermosym.errors import SamplingDivergedError
from thermosym.sampling.device import resolve_device

FloatArray = NDArray[np.float64]
Integrator = Literal["mala", "euler_maruyama"]
EnergyFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
InitialSampler = Callable[[int, torch.Generator, torch.dtype], torch.Tensor]

_INTEGRATORS = ("mala", "euler_maruyama")


# ----------------------------------------------------------------------------------------------------------
# schedules
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A protocol λ(t) on [0, duration]; λ may be a scalar or a vector of p parameters.

    >>> s = Schedule.linear(1.0, 4.0, duration=2.0)
    >>> s.grid(4)[:, 0].tolist()
    [1.0, 1.75, 2.5, 3.25, 4.0]
    """

    function: Callable[[float], Any]
    duration: float
    description: str = "callable"

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise ValueError(f"function must be callable t -> λ(t), got {self.function!r}")
        if not (math.isfinite(self.duration) and self.duration > 0):
            raise ValueError(f"duration must be finite and positive, got {self.duration!r}")
        start = self(0.0)
        if start.size == 0 or not np.all(np.isfinite(start)):
            raise ValueError(f"function(0) must be a finite scalar or vector, got {start!r}")

    @classmethod
    def linear(cls, start: ArrayLike, stop: ArrayLike, duration: float) -> Schedule:
        """λ(t) = λ_start + (λ_stop − λ_start) t/duration."""
        a = np.atleast_1d(np.asarray(start, dtype=np.float64))
        b = np.atleast_1d(np.asarray(stop, dtype=np.float64))
        if a.shape != b.shape:
            raise ValueError(f"start and stop must have the same shape, got {a.shape} and {b.shape}")
        return cls(lambda t: a + (b - a) * (t / duration), duration, f"linear {a.tolist()} -> {b.tolist()}")

    @classmethod
    def tabulated(cls, times: ArrayLike, values: ArrayLike) -> Schedule:
        """Piecewise-linear interpolation of λ through (times[i], values[i]); times start at 0, increase."""
        t = np.asarray(times, dtype=np.float64)
        v = np.asarray(values, dtype=np.float64)
        if t.ndim != 1 or t.size < 2:
            raise ValueError(f"times must be a 1-D array of at least 2 points, got shape {t.shape}")
        if t[0] != 0.0 or np.any(np.diff(t) <= 0):
            raise ValueError("times must start at 0 and be strictly increasing")
        if v.shape[0] != t.size or v.ndim > 2:
            raise ValueError(f"values must have shape [len(times)] or [len(times), p], got {v.shape}")
        table = v.reshape(t.size, -1)

        def interpolate(time: float) -> FloatArray:
            return np.array([np.interp(time, t, table[:, j]) for j in range(table.shape[1])])

        return cls(interpolate, float(t[-1]), f"tabulated ({t.size} points)")

    def __call__(self, time: float) -> FloatArray:
        """λ(t) as a float64 vector of shape [p]."""
        return np.atleast_1d(np.asarray(self.function(time), dtype=np.float64)).reshape(-1)

    @property
    def n_parameters(self) -> int:
        """p, the number of components of λ."""
        return int(self(0.0).size)

    def grid(self, n_steps: int) -> FloatArray:
        """λ at t_k = k·duration/n_steps, k = 0..n_steps, shape [n_steps + 1, p]."""
        if n_steps < 1:
            raise ValueError(f"n_steps must be at least 1, got {n_steps}")
        times = np.linspace(0.0, self.duration, n_steps + 1)
        return np.stack([self(float(t)) for t in times])

    def stretched(self, duration: float) -> Schedule:
        """The same path λ(s), s ∈ [0, 1], traversed in a new duration: λ_new(t) = λ(t·duration_old/duration)."""
        factor = self.duration / duration
        return Schedule(lambda t: self.function(t * factor), duration, f"{self.description}, stretched")


# ----------------------------------------------------------------------------------------------------------
# driven potentials
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrivenPotential:
    """A batched potential L(θ, λ): θ of shape [n, dim], λ of shape [n, p] → energies of shape [n].

    ``gradient_fn`` (∇_θ L, shape [n, dim]) and ``lambda_derivative_fn`` (∂L/∂λ, shape [n, p]) are optional;
    without them both come from autograd, which is exact but slower than a closed form.
    """

    energy_fn: EnergyFn
    dim: int
    n_parameters: int = 1
    gradient_fn: EnergyFn | None = None
    lambda_derivative_fn: EnergyFn | None = None
    name: str = "driven"
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not callable(self.energy_fn):
            raise ValueError("energy_fn must be callable (theta [n, dim], lam [n, p]) -> [n]")
        if self.dim < 1:
            raise ValueError(f"dim must be at least 1, got {self.dim}")
        if self.n_parameters < 1:
            raise ValueError(f"n_parameters must be at least 1, got {self.n_parameters}")

    def energy(self, theta: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
        """L(θ, λ) per row, shape [n]."""
        return self.energy_fn(theta, lam)

    def energy_and_gradient(self, theta: torch.Tensor, lam: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(L(θ, λ), ∇_θ L(θ, λ)) per row; autograd of ΣL gives each row's gradient since rows are independent."""
        if self.gradient_fn is not None:
            return self.energy_fn(theta, lam), self.gradient_fn(theta, lam)
        with torch.enable_grad():
            x = theta.detach().requires_grad_(True)
            energy = self.energy_fn(x, lam)
            (grad,) = torch.autograd.grad(energy.sum(), x)
        return energy.detach(), grad

    def lambda_derivative(self, theta: torch.Tensor, lam: torch.Tensor) -> torch.Tensor:
        """∂L/∂λ per row, shape [n, p] (autograd with a per-row copy of λ unless given in closed form)."""
        if self.lambda_derivative_fn is not None:
            return self.lambda_derivative_fn(theta, lam).reshape(theta.shape[0], -1)
        with torch.enable_grad():
            lam_rows = lam.detach().clone().requires_grad_(True)
            energy = self.energy_fn(theta.detach(), lam_rows)
            (grad,) = torch.autograd.grad(energy.sum(), lam_rows)
        return grad


def harmonic_stiffness_trap(dim: int = 1) -> DrivenPotential:
    """L(θ, k) = (k/2)|θ|² with the stiffness k = λ as the driven parameter (REFERENCES §5).

    Exact: ΔF = (dT/2) ln(k₁/k₀) for any schedule k₀ → k₁; ⟨∂L/∂k⟩ = dT/(2k).
    """
    return DrivenPotential(
        energy_fn=lambda x, lam: 0.5 * lam[:, 0] * (x * x).sum(-1),
        dim=dim,
        gradient_fn=lambda x, lam: lam[:, :1] * x,
        lambda_derivative_fn=lambda x, lam: 0.5 * (x * x).sum(-1, keepdim=True),
        name="harmonic stiffness trap",
        parameters={"dim": dim},
    )


def dragged_harmonic_trap(stiffness: float, dim: int = 1) -> DrivenPotential:
    """L(θ, c) = (k/2)|θ − c·1|², a trap of stiffness k whose centre c = λ moves along the diagonal.

    With c(t) = vt and γ the friction: τ_r = γ/k, ΔF = 0, and from equilibrium ⟨W⟩ = dγv²[t − τ_r(1 − e^{−t/τ_r})],
    Var W = 2T⟨W⟩ (van Zon & Cohen, PRL 91, 110601 (2003); Mazonka & Jarzynski, cond-mat/9912121).
    """
    if not (math.isfinite(stiffness) and stiffness > 0):
        raise ValueError(f"stiffness must be finite and positive, got {stiffness!r}")
    k = float(stiffness)
    return DrivenPotential(
        energy_fn=lambda x, lam: 0.5 * k * ((x - lam[:, :1]) ** 2).sum(-1),
        dim=dim,
        gradient_fn=lambda x, lam: k * (x - lam[:, :1]),
        lambda_derivative_fn=lambda x, lam: -k * (x - lam[:, :1]).sum(-1, keepdim=True),
        name="dragged harmonic trap",
        parameters={"stiffness": k, "dim": dim},
    )


def gaussian_sampler(mean: ArrayLike, variance: ArrayLike, dim: int) -> InitialSampler:
    """An exact sampler θ ~ N(mean, variance·I) for the equilibrium start, e.g. mean c, variance T/k for a trap."""
    mu = np.broadcast_to(np.asarray(mean, dtype=np.float64), (dim,)).copy()
    var = np.broadcast_to(np.asarray(variance, dtype=np.float64), (dim,)).copy()
    if np.any(var < 0) or not np.all(np.isfinite(var)):
        raise ValueError(f"variance must be finite and non-negative, got {variance!r}")

    def sample(n: int, generator: torch.Generator, dtype: torch.dtype) -> torch.Tensor:
        device = generator.device
        z = torch.randn((n, dim), generator=generator, dtype=dtype, device=device)
        return (
            torch.as_tensor(mu, dtype=dtype, device=device)
            + torch.as_tensor(np.sqrt(var), dtype=dtype, device=device) * z
        )

    return sample


# ----------------------------------------------------------------------------------------------------------
# configuration and results
# ----------------------------------------------------------------------------------------------------------


def _check_common(temperature: float, friction: float, integrator: str, dtype: str, check_every: int) -> None:
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be finite and positive, got {temperature!r}")
    if not (math.isfinite(friction) and friction > 0):
        raise ValueError(f"friction must be finite and positive, got {friction!r}")
    if integrator not in _INTEGRATORS:
        raise ValueError(f"integrator must be one of {_INTEGRATORS}, got {integrator!r}")
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    if check_every < 1:
        raise ValueError(f"check_every must be at least 1, got {check_every}")


@dataclass(frozen=True)
class ProtocolConfig:
    """Settings of a driven run: n trajectories, N steps of dt = duration/N, bath temperature T, friction γ.

    ``burn_in_steps`` steps of the kernel at fixed λ(0) (step ``burn_in_time_step``, default dt) equilibrate the
    start when no exact sampler is given; ``record_every`` > 0 keeps the cumulative work every that many steps.
    """

    n_trajectories: int
    n_steps: int
    temperature: float = 1.0
    friction: float = 1.0
    integrator: Integrator = "mala"
    burn_in_steps: int = 0
    burn_in_time_step: float | None = None
    record_every: int = 0
    seed: int = 0
    dtype: str = "float64"
    device: str | None = None
    check_every: int = 10
    max_abs_energy: float = 1e12

    def __post_init__(self) -> None:
        if self.n_trajectories < 1:
            raise ValueError(f"n_trajectories must be at least 1, got {self.n_trajectories}")
        if self.n_steps < 1:
            raise ValueError(f"n_steps must be at least 1, got {self.n_steps}")
        if self.burn_in_steps < 0 or self.record_every < 0:
            raise ValueError("burn_in_steps and record_every must be non-negative")
        if self.burn_in_time_step is not None and not self.burn_in_time_step > 0:
            raise ValueError(f"burn_in_time_step must be positive, got {self.burn_in_time_step!r}")
        _check_common(self.temperature, self.friction, self.integrator, self.dtype, self.check_every)


@dataclass(frozen=True)
class ProtocolResult:
    """Per-trajectory work W, heat Q = ΔL − W and energy change ΔL (float64, shape [n]) of one driven run."""

    work: FloatArray
    heat: FloatArray
    energy_change: FloatArray
    temperature: float
    time_step: float
    duration: float
    integrator: str
    acceptance_rate: float
    record_times: FloatArray
    work_trace: FloatArray
    final_theta: torch.Tensor
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def n_trajectories(self) -> int:
        """Number of trajectories."""
        return int(self.work.size)

    def entropy_production(self, delta_f: float) -> FloatArray:
        """σ = β(W − ΔF) per trajectory (Crooks, PRE 60, 2721 (1999), with k_B = 1)."""
        return (self.work - float(delta_f)) / self.temperature


# ----------------------------------------------------------------------------------------------------------
# the integrator
# ----------------------------------------------------------------------------------------------------------


def _resolve(device: str | None, dtype: str) -> tuple[torch.device, torch.dtype]:
    """cuda when present (unless a device is named), else cpu; float64 or float32 (thermosym.sampling.device)."""
    spec = resolve_device(device, dtype)
    return spec.device, spec.dtype


@dataclass
class _Kernel:
    """One overdamped Langevin step at fixed λ rows, MALA-adjusted or not; counts acceptances."""

    potential: DrivenPotential
    temperature: float
    friction: float
    integrator: str
    generator: torch.Generator
    accepted: torch.Tensor | float = 0.0  # a device tensor once counting starts: no host sync per step
    proposed: float = 0.0

    def step(
        self, theta: torch.Tensor, lam: torch.Tensor, energy: torch.Tensor, grad: torch.Tensor, dt: float
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Return (θ', L(θ', λ), ∇L(θ', λ) or None for EM) from (θ, L(θ, λ), ∇L(θ, λ))."""
        eta = dt / self.friction
        noise = torch.randn(theta.shape, generator=self.generator, dtype=theta.dtype, device=theta.device)
        proposal = theta - eta * grad + math.sqrt(2.0 * eta * self.temperature) * noise
        if self.integrator == "euler_maruyama":
            return proposal, self.potential.energy(proposal, lam), None
        new_energy, new_grad = self.potential.energy_and_gradient(proposal, lam)
        # log q(θ|θ') − log q(θ'|θ) for q(y|x) ∝ exp(−|y − x + η∇L(x)|²/(4ηT)); the forward residual is √(2ηT)ξ
        backward = ((theta - proposal + eta * new_grad) ** 2).sum(-1)
        forward = 2.0 * eta * self.temperature * (noise * noise).sum(-1)
        log_alpha = -(new_energy - energy) / self.temperature - (backward - forward) / (4.0 * eta * self.temperature)
        uniform = torch.rand(theta.shape[0], generator=self.generator, dtype=theta.dtype, device=theta.device)
        accept = torch.log(uniform) < log_alpha
        self.accepted = self.accepted + accept.sum()
        self.proposed += theta.shape[0]
        theta = torch.where(accept[:, None], proposal, theta)
        return theta, torch.where(accept, new_energy, energy), torch.where(accept[:, None], new_grad, grad)

    def relax(
        self,
        theta: torch.Tensor,
        lam: torch.Tensor,
        n_steps: int,
        dt: float,
        check_every: int,
        max_abs_energy: float,
    ) -> torch.Tensor:
        """n_steps kernel steps at fixed λ rows (a burn-in or an equilibrium run), with divergence checks."""
        energy, grad = self.potential.energy_and_gradient(theta, lam)
        for step in range(n_steps):
            theta, energy, new_grad = self.step(theta, lam, energy, grad, dt)
            if new_grad is None:
                energy, grad = self.potential.energy_and_gradient(theta, lam)
            else:
                grad = new_grad
            if (step + 1) % check_every == 0 or step + 1 == n_steps:
                _check_finite(step + 1, dt, self.temperature, max_abs_energy, theta, energy=energy)
        return theta


def _check_finite(
    step: int,
    dt: float,
    temperature: float,
    max_abs_energy: float,
    theta: torch.Tensor,
    **arrays: torch.Tensor,
) -> None:
    """Raise SamplingDivergedError if θ or any named array is NaN/inf or an energy exceeds max_abs_energy."""
    for name, values in {"theta": theta, **arrays}.items():
        bad = ~torch.isfinite(values)
        if name != "theta":
            bad = bad | (values.abs() > max_abs_energy)
        if bool(bad.any()):
            rows = int(bad.reshape(bad.shape[0], -1).any(-1).sum()) if bad.dim() else 1
            raise SamplingDivergedError(
                step=step,
                step_size=dt,
                temperature=temperature,
                detail=f"{name} non-finite or above {max_abs_energy:g} in {rows} of {theta.shape[0]} rows",
            )


def _check_energy_shape(potential: DrivenPotential, theta: torch.Tensor, lam: torch.Tensor) -> None:
    out = potential.energy(theta, lam)
    if tuple(out.shape) != (theta.shape[0],):
        raise ValueError(
            f"potential {potential.name!r} must map theta [n, dim] and lam [n, p] to energies [n]; "
            f"got shape {tuple(out.shape)} for n = {theta.shape[0]}"
        )


def _initial_theta(
    potential: DrivenPotential,
    n: int,
    generator: torch.Generator,
    dtype: torch.dtype,
    device: torch.device,
    initial_theta: torch.Tensor | None,
    initial_sampler: InitialSampler | None,
) -> torch.Tensor:
    if initial_theta is not None and initial_sampler is not None:
        raise ValueError("give initial_theta or initial_sampler, not both")
    if initial_sampler is not None:
        theta = initial_sampler(n, generator, dtype)
    elif initial_theta is not None:
        theta = initial_theta.detach()
    else:
        theta = torch.zeros((n, potential.dim), dtype=dtype, device=device)
    theta = theta.to(dtype=dtype, device=device).clone()
    if tuple(theta.shape) != (n, potential.dim):
        raise ValueError(f"initial theta must have shape {(n, potential.dim)}, got {tuple(theta.shape)}")
    return theta


def run_protocol(
    potential: DrivenPotential,
    schedule: Schedule,
    config: ProtocolConfig,
    *,
    initial_theta: torch.Tensor | None = None,
    initial_sampler: InitialSampler | None = None,
) -> ProtocolResult:
    """Drive n trajectories through λ(t) and return per-trajectory work, heat and energy change.

    Start: ``initial_sampler(n, generator, dtype)`` (exact equilibrium at λ(0), preferred), or ``initial_theta``
    (e.g. the final state of a previous run, to start in a steady state), or zeros; then ``burn_in_steps`` of
    the kernel at fixed λ(0). At least one of these must be given: an unequilibrated start makes the Jarzynski
    equality false. Then for k = 0..N−1: W += L(θ_k, λ_{k+1}) − L(θ_k, λ_k), θ_{k+1} ~ K_{λ_{k+1}}(θ_k, ·)
    (the ordering that makes Jarzynski exact for the discrete chain, see the module docstring).

    Raises SamplingDivergedError on NaN/inf or |L| > ``config.max_abs_energy`` (checked every ``check_every``).
    """
    if schedule.n_parameters != potential.n_parameters:
        raise ValueError(
            f"schedule has {schedule.n_parameters} parameters but potential {potential.name!r} "
            f"expects {potential.n_parameters}"
        )
    if initial_theta is None and initial_sampler is None and config.burn_in_steps == 0:
        raise ValueError("no equilibrium start: give initial_sampler, initial_theta or burn_in_steps > 0")
    device, dtype = _resolve(config.device, config.dtype)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    n, dt, temperature = config.n_trajectories, schedule.duration / config.n_steps, config.temperature
    grid = torch.as_tensor(schedule.grid(config.n_steps), dtype=dtype, device=device)
    theta = _initial_theta(potential, n, generator, dtype, device, initial_theta, initial_sampler)
    _check_energy_shape(potential, theta, grid[0].expand(n, -1))
    kernel = _Kernel(potential, temperature, config.friction, config.integrator, generator)
    burn_dt = config.burn_in_time_step or dt
    theta = kernel.relax(
        theta, grid[0].expand(n, -1), config.burn_in_steps, burn_dt, config.check_every, config.max_abs_energy
    )
    kernel.accepted = kernel.proposed = 0.0

    energy = potential.energy(theta, grid[0].expand(n, -1))
    initial_energy = energy.clone()
    work = torch.zeros(n, dtype=dtype, device=device)
    trace, record_steps = [work.clone()], [0]
    for k in range(config.n_steps):
        lam = grid[k + 1].expand(n, -1)
        switched, grad = potential.energy_and_gradient(theta, lam)
        work = work + (switched - energy)
        theta, energy, _ = kernel.step(theta, lam, switched, grad, dt)
        if (k + 1) % config.check_every == 0 or k + 1 == config.n_steps:
            _check_finite(k + 1, dt, temperature, config.max_abs_energy, theta, energy=energy, work=work)
        if (config.record_every and (k + 1) % config.record_every == 0) or k + 1 == config.n_steps:
            trace.append(work.clone())
            record_steps.append(k + 1)

    energy_change = (energy - initial_energy).double().cpu().numpy()
    work_np = work.double().cpu().numpy()
    rate = float(kernel.accepted) / kernel.proposed if kernel.proposed else math.nan
    return ProtocolResult(
        work=work_np,
        heat=energy_change - work_np,
        energy_change=energy_change,
        temperature=temperature,
        time_step=dt,
        duration=schedule.duration,
        integrator=config.integrator,
        acceptance_rate=1.0 if config.integrator == "euler_maruyama" else rate,
        record_times=np.asarray(record_steps, dtype=np.float64) * dt,
        work_trace=torch.stack(trace).double().cpu().numpy(),
        final_theta=theta.detach(),
        parameters={
            "potential": potential.name,
            **potential.parameters,
            "schedule": schedule.description,
            "n_trajectories": n,
            "n_steps": config.n_steps,
            "time_step": dt,
            "temperature": temperature,
            "friction": config.friction,
            "integrator": config.integrator,
            "burn_in_steps": config.burn_in_steps,
            "seed": config.seed,
            "dtype": config.dtype,
            "device": str(device),
        },
    )


# ----------------------------------------------------------------------------------------------------------
# equilibrium samples over a λ ladder (for thermodynamic integration and MBAR)
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderConfig:
    """Equilibrium runs at fixed λ_l: n_chains per rung, n_samples records every ``thin`` steps of time_step."""

    n_chains: int
    n_samples: int
    time_step: float
    temperature: float = 1.0
    friction: float = 1.0
    thin: int = 10
    burn_in_steps: int = 1000
    integrator: Integrator = "mala"
    seed: int = 0
    dtype: str = "float64"
    device: str | None = None
    check_every: int = 10
    max_abs_energy: float = 1e12

    def __post_init__(self) -> None:
        for name in ("n_chains", "n_samples", "thin"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.burn_in_steps < 0:
            raise ValueError(f"burn_in_steps must be non-negative, got {self.burn_in_steps}")
        if not (math.isfinite(self.time_step) and self.time_step > 0):
            raise ValueError(f"time_step must be finite and positive, got {self.time_step!r}")
        _check_common(self.temperature, self.friction, self.integrator, self.dtype, self.check_every)


@dataclass(frozen=True)
class LadderSamples:
    """Equilibrium records on a λ ladder (float64).

    ``lambda_derivative[s, l, c]`` is ∂L/∂λ (shape [p]) of record s of chain c at rung l;
    ``reduced_energies[s, l, c, m]`` = βL(θ_{s,l,c}, λ_m), the u_kn input of MBAR (Shirts & Chodera,
    J. Chem. Phys. 129, 124105 (2008)).
    """

    lambdas: FloatArray
    lambda_derivative: FloatArray
    reduced_energies: FloatArray
    temperature: float
    acceptance_rate: float
    parameters: dict[str, Any] = field(default_factory=dict)


def sample_lambda_ladder(
    potential: DrivenPotential,
    lambdas: ArrayLike,
    config: LadderConfig,
    *,
    initial_theta: torch.Tensor | None = None,
) -> LadderSamples:
    """Sample π_λ ∝ e^{−βL(·, λ_l)} at every rung l at once (rows l·n_chains + c), after a burn-in.

    Each record evaluates ∂L/∂λ at its own rung and L at every rung (L² n_chains energies per record).
    """
    lam_np = np.asarray(lambdas, dtype=np.float64)
    lam_np = lam_np.reshape(lam_np.shape[0], -1) if lam_np.ndim else lam_np.reshape(1, 1)
    if lam_np.shape[1] != potential.n_parameters or not np.all(np.isfinite(lam_np)):
        raise ValueError(f"lambdas must be finite with {potential.n_parameters} parameter(s) each, got {lambdas!r}")
    n_rungs, chains = lam_np.shape[0], config.n_chains
    device, dtype = _resolve(config.device, config.dtype)
    generator = torch.Generator(device=device).manual_seed(config.seed)
    lam_rows = torch.as_tensor(lam_np, dtype=dtype, device=device).repeat_interleave(chains, dim=0)
    n = n_rungs * chains
    theta = _initial_theta(potential, n, generator, dtype, device, initial_theta, None)
    _check_energy_shape(potential, theta, lam_rows)
    kernel = _Kernel(potential, config.temperature, config.friction, config.integrator, generator)
    args = (config.time_step, config.check_every, config.max_abs_energy)
    theta = kernel.relax(theta, lam_rows, config.burn_in_steps, *args)
    kernel.accepted = kernel.proposed = 0.0
    all_lams = torch.as_tensor(lam_np, dtype=dtype, device=device).repeat_interleave(n, dim=0)
    derivs, energies = [], []
    for _ in range(config.n_samples):
        theta = kernel.relax(theta, lam_rows, config.thin, *args)
        derivs.append(potential.lambda_derivative(theta, lam_rows).reshape(n_rungs, chains, -1))
        cross = potential.energy(theta.repeat(n_rungs, 1), all_lams).reshape(n_rungs, n_rungs, chains)
        energies.append(cross.permute(1, 2, 0) / config.temperature)
    rate = float(kernel.accepted) / kernel.proposed if kernel.proposed else 1.0
    return LadderSamples(
        lambdas=lam_np,
        lambda_derivative=torch.stack(derivs).double().cpu().numpy(),
        reduced_energies=torch.stack(energies).double().cpu().numpy(),
        temperature=config.temperature,
        acceptance_rate=rate,
        parameters={
            "potential": potential.name,
            **potential.parameters,
            "lambdas": lam_np.tolist(),
            "n_chains": chains,
            "n_samples": config.n_samples,
            "thin": config.thin,
            "time_step": config.time_step,
            "burn_in_steps": config.burn_in_steps,
            "temperature": config.temperature,
            "integrator": config.integrator,
            "seed": config.seed,
            "device": str(device),
        },
    )


# ----------------------------------------------------------------------------------------------------------
# sizing a protocol so that exponential averages converge
# ----------------------------------------------------------------------------------------------------------


def trajectories_for_precision(work_std: float, temperature: float, target_stderr: float) -> int:
    """Trajectories N for a Jarzynski estimate with standard error ≈ target_stderr, for Gaussian work.

    For W ~ N(μ, s²) the weights e^{−βW} are log-normal with relative variance e^{β²s²} − 1, so the delta
    method gives stderr(ΔF) ≈ T √((e^{β²s²} − 1)/N); the estimate is only reliable once N ≳ e^{β²s²}, the number
    of draws needed to sample the dominant low-work tail (Gore, Ritort & Bustamante, PNAS 100, 12564 (2003);
    Jarzynski, PRE 73, 046105 (2006)). Returns max(⌈e^{β²s²}⌉, ⌈(e^{β²s²} − 1)(T/target)²⌉).

    >>> trajectories_for_precision(work_std=1.0, temperature=1.0, target_stderr=0.05)
    688
    """
    if not (math.isfinite(work_std) and work_std >= 0):
        raise ValueError(f"work_std must be finite and non-negative, got {work_std!r}")
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be finite and positive, got {temperature!r}")
    if not (math.isfinite(target_stderr) and target_stderr > 0):
        raise ValueError(f"target_stderr must be finite and positive, got {target_stderr!r}")
    spread = (work_std / temperature) ** 2
    if spread > 700:
        raise ValueError(f"work_std = {work_std:g} T is hopeless for an exponential average (e^{spread:.0f})")
    return max(math.ceil(math.exp(spread)), math.ceil(math.expm1(spread) * (temperature / target_stderr) ** 2))


@dataclass(frozen=True)
class ProtocolPlan:
    """A protocol duration and trajectory count sized from pilot runs (see :func:`plan_protocol`)."""

    schedule: Schedule
    n_steps: int
    n_trajectories: int
    pilot_work_mean: float
    pilot_work_std: float
    predicted_stderr: float
    target_reached: bool
    rounds: tuple[tuple[float, float], ...]

    def config(self, base: ProtocolConfig) -> ProtocolConfig:
        """``base`` with this plan's n_steps and n_trajectories."""
        return replace(base, n_steps=self.n_steps, n_trajectories=self.n_trajectories)


def plan_protocol(
    potential: DrivenPotential,
    schedule: Schedule,
    pilot: ProtocolConfig,
    *,
    target_work_std: float = 1.5,
    target_stderr: float = 0.05,
    max_stretch: float = 256.0,
    max_rounds: int = 8,
    initial_sampler: InitialSampler | None = None,
) -> ProtocolPlan:
    """Stretch the schedule until the pilot work spread σ_W ≤ target_work_std·T, then size N.

    Each round runs ``pilot`` (n_trajectories of the pilot, the same dt: n_steps scales with the duration) and,
    if σ_W is too large, lengthens the duration by 1.2 (σ_W/target)², the linear-response rule: for slow
    protocols the dissipated work and hence σ_W² = 2T⟨W_diss⟩ fall as 1/duration (Sivak & Crooks, PRL 108,
    190602 (2012)). The path λ(s) and its endpoints (hence ΔF) are unchanged. N comes from
    :func:`trajectories_for_precision` at the last pilot's σ_W. ``target_reached`` is False if ``max_stretch``
    or ``max_rounds`` ran out first.
    """
    if not 0 < target_work_std <= 5:
        raise ValueError(f"target_work_std (in units of T) must be in (0, 5], got {target_work_std!r}")
    if max_rounds < 1 or not max_stretch >= 1:
        raise ValueError("max_rounds must be ≥ 1 and max_stretch ≥ 1")
    temperature, dt = pilot.temperature, schedule.duration / pilot.n_steps
    current, n_steps, rounds = schedule, pilot.n_steps, []
    mean = std = math.nan
    for round_index in range(max_rounds):
        config = replace(pilot, n_steps=n_steps, seed=pilot.seed + round_index)
        result = run_protocol(potential, current, config, initial_sampler=initial_sampler)
        mean, std = float(result.work.mean()), float(result.work.std(ddof=1))
        rounds.append((current.duration, std))
        if std <= target_work_std * temperature:
            break
        stretch = min(
            1.2 * (std / (target_work_std * temperature)) ** 2,
            max_stretch * schedule.duration / current.duration,
        )
        if stretch <= 1.0 + 1e-12:
            break
        current = schedule.stretched(current.duration * stretch)
        n_steps = max(1, round(current.duration / dt))
    reached = std <= target_work_std * temperature
    spread = min((std / temperature) ** 2, 700.0)
    n_traj = trajectories_for_precision(std, temperature, target_stderr) if spread < 700 else 2**62
    return ProtocolPlan(
        schedule=current,
        n_steps=n_steps,
        n_trajectories=n_traj,
        pilot_work_mean=mean,
        pilot_work_std=std,
        predicted_stderr=temperature * math.sqrt(math.expm1(spread) / n_traj),
        target_reached=reached,
        rounds=tuple(rounds),
    )
