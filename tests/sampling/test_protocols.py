"""Tests of driven Langevin protocols: schedules, potentials, the integrator and the discrete-time work.

Exact references: the closed forms of REFERENCES §5 (Jarzynski, PRL 78, 2690 (1997); quench moments) and exact
recursions for the Gaussian (linear) discrete chains simulated here, so that a test can separate "the code does
what it says" (agreement with the discrete-chain oracle within sampling error) from "the discretisation bias is
what the docstring states" (the oracle's distance to the continuous-time answer).
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch

from thermosym.errors import SamplingDivergedError
from thermosym.sampling import protocols
from thermosym.sampling.protocols import (
    DrivenPotential,
    Integrator,
    LadderConfig,
    ProtocolConfig,
    Schedule,
    dragged_harmonic_trap,
    gaussian_sampler,
    harmonic_stiffness_trap,
    plan_protocol,
    run_protocol,
    sample_lambda_ladder,
    trajectories_for_precision,
)

LN4_HALF = 0.5 * math.log(4.0)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """These runs are many small tensor ops; on a loaded 2-core machine two OpenMP threads make them ~20×
    slower (measured: 4.8 s instead of 0.25 s for 400 steps × 5000 trajectories), so use one, then restore."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# ΔF of the stiffness trap k: 1 → 4 at T = 1 in one dimension


def em_stiffness_oracle(
    stiffness: np.ndarray, dt: float, temperature: float = 1.0, friction: float = 1.0
) -> tuple[float, float]:
    """Exact ⟨e^{−βW}⟩ and ⟨W⟩ of the Euler–Maruyama chain on L = (k/2)x², switch-then-move, x₀ ~ N(0, T/k₀).

    W = Σ_j ½(k_{j+1} − k_j) x_j² and x_{j+1} = (1 − ηk_{j+1}) x_j + √(2ηT) ξ: the tilted density
    E[e^{−βW_{<j}}; x_j ∈ dx] stays an unnormalised centred Gaussian, so its mass and variance recur exactly.
    """
    eta, beta = dt / friction, 1.0 / temperature
    tilted = plain = temperature / stiffness[0]
    log_mass = mean_work = 0.0
    for j in range(stiffness.size - 1):
        delta = stiffness[j + 1] - stiffness[j]
        mean_work += 0.5 * delta * plain
        log_mass -= 0.5 * math.log1p(beta * delta * tilted)
        tilted = 1.0 / (1.0 / tilted + beta * delta)
        a = 1.0 - eta * stiffness[j + 1]
        tilted = a * a * tilted + 2 * eta * temperature
        plain = a * a * plain + 2 * eta * temperature
    return math.exp(log_mass), mean_work


# ----------------------------------------------------------------------------------------------------------
# schedules and potentials
# ----------------------------------------------------------------------------------------------------------


def test_schedules_linear_tabulated_callable_and_stretched() -> None:
    linear = Schedule.linear([0.0, 1.0], [2.0, 3.0], duration=2.0)
    assert linear.n_parameters == 2
    np.testing.assert_allclose(linear.grid(2), [[0, 1], [1, 2], [2, 3]], atol=1e-15)
    table = Schedule.tabulated([0.0, 1.0, 3.0], [1.0, 2.0, 0.0])
    assert table.duration == 3.0
    np.testing.assert_allclose(table.grid(6)[:, 0], [1.0, 1.5, 2.0, 1.5, 1.0, 0.5, 0.0], atol=1e-15)
    curve = Schedule(lambda t: math.sin(t), duration=math.pi)
    np.testing.assert_allclose(curve(math.pi / 2), [1.0])
    slow = table.stretched(30.0)
    np.testing.assert_allclose(slow.grid(6), table.grid(6), atol=1e-15)  # same path, 10× slower
    assert slow.duration == 30.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: Schedule(lambda t: t, duration=0.0),
        lambda: Schedule(lambda t: math.nan, duration=1.0),
        lambda: Schedule("not callable", duration=1.0),  # type: ignore[arg-type]
        lambda: Schedule.linear([0.0], [1.0, 2.0], duration=1.0),
        lambda: Schedule.tabulated([0.5, 1.0], [0.0, 1.0]),
        lambda: Schedule.tabulated([0.0, 0.0, 1.0], [0.0, 1.0, 2.0]),
        lambda: Schedule.linear(0.0, 1.0, 1.0).grid(0),
    ],
)
def test_schedule_rejects_bad_input(make) -> None:
    with pytest.raises(ValueError):
        make()


def test_autograd_derivatives_match_closed_forms() -> None:
    """A potential given only by its energy gets ∇_θL and ∂L/∂λ by autograd; they equal the closed forms."""
    closed = dragged_harmonic_trap(stiffness=2.5, dim=3)
    bare = DrivenPotential(energy_fn=closed.energy_fn, dim=3)
    gen = torch.Generator().manual_seed(0)
    theta = torch.randn((7, 3), generator=gen, dtype=torch.float64)
    lam = torch.randn((7, 1), generator=gen, dtype=torch.float64)  # a different centre per row
    e1, g1 = closed.energy_and_gradient(theta, lam)
    e2, g2 = bare.energy_and_gradient(theta, lam)
    torch.testing.assert_close(e1, e2, rtol=0, atol=1e-13)
    torch.testing.assert_close(g1, g2, rtol=0, atol=1e-13)
    torch.testing.assert_close(closed.lambda_derivative(theta, lam), bare.lambda_derivative(theta, lam))
    assert bare.lambda_derivative(theta, lam).shape == (7, 1)


# ----------------------------------------------------------------------------------------------------------
# the integrator and the work
# ----------------------------------------------------------------------------------------------------------


def test_quench_work_has_the_exact_moments() -> None:
    """One switch k₀ → k₁ at x₀ ~ N(0, T/k₀): W = ½Δk x₀², ⟨W⟩ = TΔk/(2k₀), Var W = Δk²T²/(2k₀²) (REFERENCES §5)."""
    n = 40_000
    result = run_protocol(
        harmonic_stiffness_trap(1),
        Schedule.linear(1.0, 4.0, duration=0.01),
        ProtocolConfig(n_trajectories=n, n_steps=1, seed=1),
        initial_sampler=gaussian_sampler(0.0, 1.0, dim=1),
    )
    mean, var = 1.5, 4.5
    # sampling errors: sd(mean) = √(Var/N) = 0.011; W = 1.5 χ²₁ has μ₄ = 60·1.5⁴, so sd(var) = √((μ₄ − var²)/N) = 0.084
    assert abs(result.work.mean() - mean) < 4 * math.sqrt(var / n)
    assert abs(result.work.var() - var) < 4 * math.sqrt((60 * 1.5**4 - var**2) / n)
    np.testing.assert_allclose(result.work + result.heat, result.energy_change, atol=1e-12)  # first law
    assert result.work_trace.shape == (2, n) and result.record_times.tolist() == [0.0, 0.01]


@pytest.mark.parametrize("integrator", ["euler_maruyama", "mala"])
def test_discrete_jarzynski_average(integrator: Integrator) -> None:
    """⟨e^{−βW}⟩ with dt = 0.1 (ηk₁ = 0.4): exactly √(k₀/k₁) = ½ for MALA (π_λ-invariant kernel, Crooks 1998
    switch-then-move ordering), and the exact EM-chain value (0.478, the O(dt) bias the docstring states) for EM."""
    ks = np.linspace(1.0, 4.0, 11)
    oracle_em, mean_work_em = em_stiffness_oracle(ks, dt=0.1)
    assert abs(oracle_em - 0.5) > 0.02  # the EM bias is large enough at this dt to be seen
    n = 40_000
    result = run_protocol(
        harmonic_stiffness_trap(1),
        Schedule.linear(1.0, 4.0, duration=1.0),
        ProtocolConfig(n_trajectories=n, n_steps=10, integrator=integrator, seed=2),
        initial_sampler=gaussian_sampler(0.0, 1.0, dim=1),
    )
    weights = np.exp(-result.work)
    expected = 0.5 if integrator == "mala" else oracle_em
    # independent trajectories: the sample mean of the weights has sd sd(w)/√N (≈ 0.0008 here)
    assert abs(weights.mean() - expected) < 4 * weights.std() / math.sqrt(n)
    if integrator == "euler_maruyama":
        assert abs(result.work.mean() - mean_work_em) < 4 * result.work.std() / math.sqrt(n)
        assert abs(weights.mean() - 0.5) > 6 * weights.std() / math.sqrt(n)  # and EM is measurably off
    else:
        assert 0.8 < result.acceptance_rate < 1.0


def test_switch_then_move_is_the_exact_ordering() -> None:
    """With a kernel that keeps π_λ exactly (the exact Ornstein–Uhlenbeck step of the trap), switch-then-move
    gives ⟨e^{−βW}⟩ = Z₁/Z₀ = √(k₀/k₁) to rounding, while pairing each switch with the state *after* the move
    at the new λ does not: the reason run_protocol uses the first ordering (a check of the derivation)."""
    ks, dt, temperature = np.linspace(1.0, 4.0, 6), 0.3, 1.0

    def exact_kernel(variance: float, k: float) -> float:
        a = math.exp(-k * dt)
        return a * a * variance + temperature / k * (1 - a * a)

    def average(work_after_move: bool) -> float:
        v, log_mass = temperature / ks[0], 0.0
        for j in range(ks.size - 1):
            delta = ks[j + 1] - ks[j]
            if work_after_move:
                v = exact_kernel(v, ks[j + 1])
            log_mass -= 0.5 * math.log1p(delta * v / temperature)
            v = 1.0 / (1.0 / v + delta / temperature)
            if not work_after_move:
                v = exact_kernel(v, ks[j + 1])
        return math.exp(log_mass)

    assert average(work_after_move=False) == pytest.approx(0.5, abs=1e-14)
    assert abs(average(work_after_move=True) - 0.5) > 0.01


def test_mala_samples_gibbs_and_euler_maruyama_the_softer_trap() -> None:
    """At fixed k = 1, dt = 0.5: MALA keeps ⟨x²⟩ = T/k = 1; EM gives T/(k(1 − ηk/2)) = 4/3 (REFERENCES §6,
    SGLD line), the stationary-law bias stated in the protocols docstring. Both measured, both asserted."""
    expected: dict[Integrator, float] = {"mala": 1.0, "euler_maruyama": 4.0 / 3.0}
    for integrator, target in expected.items():
        config = LadderConfig(
            n_chains=2000, n_samples=40, time_step=0.5, thin=5, burn_in_steps=100, integrator=integrator, seed=3
        )
        samples = sample_lambda_ladder(harmonic_stiffness_trap(1), [1.0], config)
        x2 = 2.0 * samples.lambda_derivative[:, 0, :, 0]  # ∂L/∂k = x²/2
        # chains independent: the chain means are iid, so their spread gives an exact stderr
        chain_means = x2.mean(axis=0)
        stderr = chain_means.std(ddof=1) / math.sqrt(chain_means.size)
        assert abs(x2.mean() - target) < 4 * stderr, integrator
        assert stderr < 0.02  # the two targets differ by 1/3: ≥ 15 stderr apart


def test_dragged_trap_mean_work_from_equilibrium() -> None:
    """⟨W⟩ = γv²[t − τ_r(1 − e^{−t/τ_r})] for all recorded t (REFERENCES §5), with MALA at dt = 0.01 τ_r.

    Tolerance: 4 stderr of the mean (independent trajectories) + the O(dt) time-discretisation of the dynamics,
    bounded by 2·dt/τ_r·⟨W⟩ (the EM lag is −vτ_r(1 − dt/τ_r) instead of −vτ_r, a relative error dt/τ_r).
    """
    k, gamma, temperature, v, t_end, dt = 2.0, 1.0, 1.0, 1.0, 1.5, 0.005
    tau = gamma / k
    n = 8000
    result = run_protocol(
        dragged_harmonic_trap(k, dim=1),
        Schedule.linear(0.0, v * t_end, t_end),
        ProtocolConfig(n_trajectories=n, n_steps=round(t_end / dt), friction=gamma, record_every=50, seed=4),
        initial_sampler=gaussian_sampler(0.0, temperature / k, dim=1),
    )
    for t, work in zip(result.record_times[1:], result.work_trace[1:], strict=True):
        exact = gamma * v * v * (t - tau * (1 - math.exp(-t / tau)))
        assert abs(work.mean() - exact) < 4 * work.std() / math.sqrt(n) + 2 * dt / tau * exact, t
    np.testing.assert_array_equal(result.work_trace[-1], result.work)


# ----------------------------------------------------------------------------------------------------------
# errors, dtypes, devices
# ----------------------------------------------------------------------------------------------------------


def test_divergence_raises_with_step_size_and_temperature() -> None:
    """EM with ηk = 2.5 > 2 is unstable (|1 − ηk| = 1.5 per step): the run must stop with a clear error."""
    with pytest.raises(SamplingDivergedError) as info:
        run_protocol(
            harmonic_stiffness_trap(1),
            Schedule.linear(1.0, 1.0, duration=500.0),
            ProtocolConfig(n_trajectories=10, n_steps=200, integrator="euler_maruyama", temperature=0.7, seed=0),
            initial_sampler=gaussian_sampler(0.0, 0.7, dim=1),
        )
    error = info.value
    assert error.step_size == 2.5 and error.temperature == 0.7 and 0 < error.step <= 200
    assert "diverged" in str(error)
    nan_potential = DrivenPotential(energy_fn=lambda x, lam: (x * x).sum(-1) * math.nan, dim=1)
    with pytest.raises(SamplingDivergedError):
        run_protocol(nan_potential, Schedule.linear(0.0, 1.0, 1.0), ProtocolConfig(10, 10, burn_in_steps=5))


def test_bad_configuration_is_refused() -> None:
    schedule = Schedule.linear(1.0, 2.0, 1.0)
    with pytest.raises(ValueError, match="equilibrium start"):
        run_protocol(harmonic_stiffness_trap(1), schedule, ProtocolConfig(5, 5))
    with pytest.raises(ValueError, match="parameters"):
        run_protocol(
            harmonic_stiffness_trap(1), Schedule.linear([1, 2], [2, 3], 1.0), ProtocolConfig(5, 5, burn_in_steps=1)
        )
    wrong_shape = DrivenPotential(energy_fn=lambda x, lam: x * lam, dim=2)
    with pytest.raises(ValueError, match="energies"):
        run_protocol(wrong_shape, schedule, ProtocolConfig(5, 5, burn_in_steps=1))
    for kwargs in ({"n_trajectories": 0}, {"temperature": -1.0}, {"integrator": "rk4"}, {"dtype": "float16"}):
        with pytest.raises(ValueError):
            ProtocolConfig(**{"n_trajectories": 5, "n_steps": 5, **kwargs})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        dragged_harmonic_trap(stiffness=0.0)


def test_float32_and_explicit_cpu_device() -> None:
    """float32 runs give float64 numpy results that agree with float64 runs within sampling error."""
    args = (harmonic_stiffness_trap(2), Schedule.linear(1.0, 2.0, 0.5))
    results = [
        run_protocol(
            *args,
            ProtocolConfig(4000, 50, dtype=dtype, device="cpu", seed=5),
            initial_sampler=gaussian_sampler(0.0, 1.0, 2),
        )
        for dtype in ("float32", "float64")
    ]
    assert all(r.work.dtype == np.float64 for r in results)
    assert results[0].final_theta.dtype == torch.float32
    # torch draws different normal streams for the two dtypes, so compare in distribution: independent runs,
    # difference of means within 4 combined stderrs
    w32, w64 = results[0].work, results[1].work
    assert abs(w32.mean() - w64.mean()) < 4 * math.sqrt((w32.var() + w64.var()) / w32.size)


# ----------------------------------------------------------------------------------------------------------
# λ ladders and protocol sizing
# ----------------------------------------------------------------------------------------------------------


def test_ladder_records_have_the_documented_layout() -> None:
    potential = harmonic_stiffness_trap(2)
    lambdas = [1.0, 2.0, 3.0]
    config = LadderConfig(n_chains=4, n_samples=5, time_step=0.05, thin=2, burn_in_steps=10, temperature=0.5)
    samples = sample_lambda_ladder(potential, lambdas, config)
    assert samples.lambda_derivative.shape == (5, 3, 4, 1)
    assert samples.reduced_energies.shape == (5, 3, 4, 3)
    # u[s, l, c, m] = βL(θ, λ_m) = β λ_m ∂L/∂λ for this potential, linear in λ
    u = samples.reduced_energies
    np.testing.assert_allclose(u, 2.0 * samples.lambda_derivative * np.array(lambdas)[None, None, None, :], rtol=1e-12)


def test_trajectories_for_precision_matches_the_lognormal_variance() -> None:
    """N = (e^{β²s²} − 1)(T/ε)² from the delta method on log-normal weights; checked on synthetic Gaussian work:
    the spread of the Jarzynski estimate over 400 repeats matches the target stderr within 15% (the sd of a
    sd from 400 repeats is 3.5%; the delta method is accurate to a few % at N = 688, s = T)."""
    n = trajectories_for_precision(work_std=1.0, temperature=1.0, target_stderr=0.05)
    assert n == math.ceil(math.expm1(1.0) * 400)
    rng = np.random.default_rng(6)
    work = rng.normal(2.0, 1.0, size=(400, n))
    estimates = -np.log(np.mean(np.exp(-work), axis=1))
    assert estimates.std(ddof=1) == pytest.approx(0.05, rel=0.15)
    assert trajectories_for_precision(work_std=3.0, temperature=1.0, target_stderr=10.0) >= math.exp(9)
    with pytest.raises(ValueError):
        trajectories_for_precision(work_std=-1.0, temperature=1.0, target_stderr=0.1)


def test_plan_protocol_stretches_until_the_work_spread_is_small() -> None:
    """A 0.2-long switch k: 1 → 4 in d = 4 has σ_W ≈ 3T; the plan stretches it to σ_W ≤ 1.0T. An independent run
    of the planned protocol must show σ_W ≤ 1.1T (the pilot's σ_W from 512 trajectories has a 3% stderr)."""
    potential, sampler = harmonic_stiffness_trap(4), gaussian_sampler(0.0, 1.0, dim=4)
    pilot = ProtocolConfig(n_trajectories=512, n_steps=20, seed=7)
    plan = plan_protocol(potential, Schedule.linear(1.0, 4.0, 0.2), pilot, target_work_std=1.0, initial_sampler=sampler)
    assert plan.target_reached and plan.rounds[0][1] > 2.0 and plan.schedule.duration > 1.0
    assert plan.schedule.duration / plan.n_steps == pytest.approx(0.01, rel=0.01)  # dt kept
    check = run_protocol(
        potential, plan.schedule, plan.config(ProtocolConfig(2000, 1, seed=8)), initial_sampler=sampler
    )
    assert check.work.std() <= 1.1
    np.testing.assert_allclose(check.record_times[-1], plan.schedule.duration)


def test_docstring_examples() -> None:
    result = doctest.testmod(protocols)
    assert result.failed == 0 and result.attempted > 0
