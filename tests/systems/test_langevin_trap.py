"""Tests for thermosym.systems.langevin_trap.

Simulations use :func:`simulate_work` (exact Ornstein-Uhlenbeck relaxation between sudden protocol changes,
symmetric splitting). For a staircase protocol that scheme is exact; its expectation differs from the smooth
protocol's by O(Δt²). The tests compute that discretised expectation exactly (recursions for ⟨x⟩, ⟨x²⟩ below)
and state the bias; measured biases at the grids used are ≤ 1e−4 relative, far below the Monte Carlo error
(≈ 0.3 %). A simulated mean or variance passes within 4 standard errors + the stated bias.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from thermosym.systems.langevin_trap import (
    DraggedTrap,
    StiffnessProtocol,
    optimal_centre_protocol,
    optimal_centre_work,
    quench_work_mean,
    quench_work_variance,
    simulate_work,
)

N_TRAJ = 100_000


def _stderr_of_variance(w: np.ndarray) -> float:
    """√((μ₄ − σ⁴)/n), the standard error of the sample variance."""
    c = w - w.mean()
    return math.sqrt(max(float(np.mean(c**4) - np.mean(c**2) ** 2), 0.0) / w.size)


def _staircase_mean_work(
    t: np.ndarray, k: np.ndarray, lam: np.ndarray, temperature: float, friction: float, start_mean: float = 0.0
) -> float:
    """Exact ⟨W⟩ of the discretised protocol simulated by simulate_work (moment recursions for m = ⟨x⟩, v = Var x).

    Starts from ⟨x⟩ = λ₀ + start_mean and Var x = T/k₀."""
    m, v, work = lam[0] + start_mean, temperature / k[0], 0.0
    for i in range(t.size - 1):
        half = 0.5 * (t[i + 1] - t[i])
        for kk, centre in ((k[i], lam[i]), (None, None)):
            if kk is None:
                work += 0.5 * k[i + 1] * ((m - lam[i + 1]) ** 2 + v) - 0.5 * k[i] * ((m - lam[i]) ** 2 + v)
                kk, centre = k[i + 1], lam[i + 1]
            decay = math.exp(-kk * half / friction)
            m = centre + (m - centre) * decay
            v = temperature / kk + (v - temperature / kk) * decay**2
    return work


# ---------------------------------------------------------------------------------------------------------
# stiffness protocols
# ---------------------------------------------------------------------------------------------------------


def _wiggly() -> StiffnessProtocol:
    # non-monotone: k̇ changes sign, which the Var W recursion (Q ODE) must handle
    return StiffnessProtocol(
        lambda t: 1.0 + 2.0 * t + 1.5 * math.sin(2 * math.pi * t) ** 2, 1.0, friction=0.7, temperature=1.3
    )


@pytest.mark.parametrize("protocol", [StiffnessProtocol.linear(1.0, 3.0, 0.5), _wiggly()], ids=["linear", "wiggly"])
def test_stiffness_work_against_simulation(protocol: StiffnessProtocol) -> None:
    t, k = protocol.grid(100)
    w = simulate_work(t, k, None, N_TRAJ, np.random.default_rng(1), protocol.friction, protocol.temperature)
    mean, var = protocol.work_mean(), protocol.work_variance()
    bias = abs(_staircase_mean_work(t, k, np.zeros_like(t), protocol.temperature, protocol.friction) - mean)
    assert bias < 2e-4 * abs(mean)  # the O(Δt²) discretisation bias at 100 steps (measured 1.5e−4, 2e−5)
    assert abs(w.mean() - mean) <= 4 * w.std() / math.sqrt(w.size) + bias
    assert abs(w.var() - var) <= 4 * _stderr_of_variance(w) + 1e-3 * var  # variance bias also O(Δt²)
    beta = 1 / protocol.temperature
    boltzmann = np.exp(-beta * w)
    jarzynski = math.exp(-beta * protocol.free_energy_change())
    # the staircase is an exact Jarzynski protocol: no discretisation bias at all
    assert abs(boltzmann.mean() - jarzynski) <= 4 * boltzmann.std() / math.sqrt(w.size)
    # second law: ⟨W⟩ ≥ ΔF
    assert mean > protocol.free_energy_change()


@pytest.mark.parametrize("protocol", [StiffnessProtocol.linear(1.0, 3.0, 0.5), _wiggly()], ids=["linear", "wiggly"])
def test_moment_ode_is_the_continuum_limit_of_the_staircase(protocol: StiffnessProtocol) -> None:
    # Deterministic check of ⟨W⟩ from the ODE: the exact mean work of the n-step staircase converges to it as
    # c/n² (symmetric splitting); Richardson ratio bias(n)/bias(2n) = 4 to 1 %.
    mean = protocol.work_mean()
    biases = []
    for n in (100, 200, 400):
        t, k = protocol.grid(n)
        biases.append(_staircase_mean_work(t, k, np.zeros_like(t), protocol.temperature, protocol.friction) - mean)
    assert math.isclose(biases[0] / biases[1], 4.0, rel_tol=1e-2)
    assert math.isclose(biases[1] / biases[2], 4.0, rel_tol=1e-2)


def test_jarzynski_from_the_riccati_equation() -> None:
    for protocol in (
        StiffnessProtocol.linear(1.0, 3.0, 0.5),
        StiffnessProtocol.linear(4.0, 0.5, 2.0, temperature=0.3, dim=3),
        _wiggly(),
        StiffnessProtocol.from_samples([0.0, 0.3, 0.7, 1.0], [2.0, 1.0, 5.0, 2.5], friction=2.0),
    ):
        k0, k1 = protocol.initial_stiffness, protocol.final_stiffness
        assert math.isclose(protocol.jarzynski_average(), (k0 / k1) ** (protocol.dim / 2), rel_tol=1e-9)
        assert math.isclose(protocol.free_energy_change(), protocol.dim * protocol.temperature / 2 * math.log(k1 / k0))


def test_generating_function_reproduces_the_moments() -> None:
    protocol = _wiggly()
    assert abs(protocol.work_cumulant_generating_function(0.0)) < 1e-10
    h = 1e-3
    c = [protocol.work_cumulant_generating_function(s) for s in (-h, 0.0, h)]
    # central differences: truncation O(h²) ≈ 1e−6 relative, ODE noise ~1e−11/h² = 1e−5
    assert math.isclose(-(c[2] - c[0]) / (2 * h), protocol.work_mean(), rel_tol=1e-5)
    assert math.isclose((c[2] - 2 * c[1] + c[0]) / h**2, protocol.work_variance(), rel_tol=1e-4)
    with pytest.raises(ValueError, match="diverges"):
        protocol.work_cumulant_generating_function(-50.0)


def test_quench_and_quasi_static_limits() -> None:
    k0, k1, temp = 1.5, 4.0, 0.8
    fast = StiffnessProtocol.linear(k0, k1, 1e-7, temperature=temp)
    # relaxation during 1e−7 changes ⟨W⟩ by O(k t_f/γ) ≈ 1e−6 relative
    assert math.isclose(fast.work_mean(), quench_work_mean(k0, k1, temp), rel_tol=1e-5)
    assert math.isclose(fast.work_variance(), quench_work_variance(k0, k1, temp), rel_tol=1e-5)
    assert math.isclose(quench_work_mean(k0, k1, temp), temp * 2.5 / 3.0)
    assert math.isclose(quench_work_variance(k0, k1, temp), 2.5**2 * temp**2 / (2 * k0**2))
    # slow driving (t_f = 400 τ): W_diss = ⟨W⟩ − ΔF → 0 and the linear-response relation W_diss = β Var W/2
    slow = StiffnessProtocol.linear(k0, k1, 400.0, temperature=temp)
    w_diss = slow.work_mean() - slow.free_energy_change()
    assert 0 < w_diss < 1e-3
    assert math.isclose(w_diss, slow.work_variance() / (2 * temp), rel_tol=2e-2)


def test_position_variance_and_dimensions() -> None:
    protocol = StiffnessProtocol.linear(1.0, 3.0, 0.5, temperature=2.0, dim=2)
    one = StiffnessProtocol.linear(1.0, 3.0, 0.5, temperature=2.0)
    assert math.isclose(protocol.work_mean(), 2 * one.work_mean(), rel_tol=1e-12)
    assert math.isclose(protocol.work_variance(), 2 * one.work_variance(), rel_tol=1e-12)
    moments = one.work_moments([0.0, 0.25, 0.5])
    assert math.isclose(float(moments["position_variance"][0]), 2.0)
    # γv̇ = −2kv + 2T with k = 1 + 4t has the closed form v = e^{−2t−4t²}[2 + 4∫₀ᵗ e^{2s+4s²} ds]
    from scipy import integrate

    t = 0.5
    v_exact = math.exp(-2 * t - 4 * t * t) * (2 + 4 * integrate.quad(lambda s: math.exp(2 * s + 4 * s * s), 0, t)[0])
    assert math.isclose(float(moments["position_variance"][2]), v_exact, rel_tol=1e-9)
    linear_samples = StiffnessProtocol.from_samples([0.0, 0.5], [1.0, 3.0], temperature=2.0)
    assert math.isclose(linear_samples.work_mean(), one.work_mean(), rel_tol=1e-9)


def test_stiffness_validation() -> None:
    with pytest.raises(ValueError, match="positive"):
        StiffnessProtocol(lambda t: 1.0 - 2.0 * t, 1.0)
    with pytest.raises(ValueError, match="duration"):
        StiffnessProtocol.linear(1.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="times"):
        StiffnessProtocol.from_samples([0.1, 0.5], [1.0, 2.0])
    with pytest.raises(ValueError, match="times must be sorted"):
        StiffnessProtocol.linear(1.0, 2.0, 1.0).work_moments([2.0])


# ---------------------------------------------------------------------------------------------------------
# dragged trap
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["equilibrium", "steady"])
def test_dragged_trap_against_simulation(start: str) -> None:
    trap = DraggedTrap(stiffness=2.0, velocity=1.5, friction=1.0, temperature=0.7)
    duration = 1.0  # = 2 τ_r
    rng = np.random.default_rng(2 if start == "equilibrium" else 3)
    t, k, lam = trap.grid(duration, 200)
    w = simulate_work(
        t, k, lam, N_TRAJ, rng, trap.friction, trap.temperature, trap.initial_positions(N_TRAJ, rng, start)
    )
    mean, var = float(trap.work_mean(duration, start)), float(trap.work_variance(duration))
    shift = 0.0 if start == "equilibrium" else -trap.velocity * trap.relaxation_time
    bias = abs(_staircase_mean_work(t, k, lam, trap.temperature, trap.friction, shift) - mean)
    assert bias < 1e-4 * mean  # O(Δt²) discretisation bias of the mean at 200 steps
    se_mean, se_var = w.std() / math.sqrt(w.size), _stderr_of_variance(w)
    assert abs(w.mean() - mean) <= 4 * se_mean + bias
    assert abs(w.var() - var) <= 4 * se_var + 1e-3 * var
    # Gaussian work: sample skewness within 4 standard errors (√(6/n)) of 0
    skew = float(np.mean((w - w.mean()) ** 3) / w.std() ** 3)
    assert abs(skew) <= 4 * math.sqrt(6 / w.size)
    # the fluctuation-theorem slope c = 2T⟨W⟩/Var W, propagated error from mean and variance
    slope = 2 * trap.temperature * w.mean() / w.var()
    se_slope = slope * math.hypot(se_mean / w.mean(), se_var / w.var())
    expected = float(trap.fluctuation_slope(duration, start))
    assert abs(slope - expected) <= 4 * se_slope + 2e-3 * expected
    if start == "steady":
        tau = trap.relaxation_time
        assert math.isclose(expected, duration / (duration - tau * (1 - math.exp(-duration / tau))))
        assert expected > 1.5  # well separated from the equilibrium-start value 1
    else:
        assert math.isclose(expected, 1.0)
        assert math.isclose(var, 2 * trap.temperature * mean)


def test_dragged_trap_limits() -> None:
    trap = DraggedTrap(stiffness=0.5, velocity=-2.0, friction=3.0, temperature=1.0)
    tau = trap.relaxation_time
    assert tau == 6.0
    # long times: slope → 1 like 1 + τ_r/t; ⟨W⟩ from equilibrium → γv²(t − τ_r)
    t = 1e4 * tau
    assert math.isclose(float(trap.fluctuation_slope(t, "steady")), 1 + tau / t, rel_tol=1e-6)
    assert math.isclose(float(trap.work_mean(t)), 3.0 * 4.0 * (t - tau), rel_tol=1e-12)
    # short times: ⟨W⟩_eq ≈ γv²t²/(2τ_r), slope_steady ≈ 2τ_r/t
    t = 1e-4 * tau
    assert math.isclose(float(trap.work_mean(t)), 3.0 * 4.0 * t * t / (2 * tau), rel_tol=1e-3)
    assert math.isclose(float(trap.fluctuation_slope(t, "steady")), 2 * tau / t, rel_tol=1e-3)
    with pytest.raises(ValueError, match="start"):
        trap.work_mean(1.0, "stationary")
    with pytest.raises(ValueError, match="stiffness"):
        DraggedTrap(stiffness=0.0, velocity=1.0)


# ---------------------------------------------------------------------------------------------------------
# optimal protocol
# ---------------------------------------------------------------------------------------------------------


def _centre_grid(values_fn, duration: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid t₀ = 0, t₀, t₁, …, t_n, t_n: duplicate end points carry the jumps at 0⁺ and t_f."""
    inner = np.linspace(0.0, duration, n + 1)
    t = np.concatenate([[0.0], inner, [duration]])
    lam = np.concatenate([[0.0], values_fn(np.clip(inner, 1e-300, duration * (1 - 1e-15))), [values_fn(duration)]])
    return t, lam


def test_optimal_protocol_work() -> None:
    k, g, length, tf = 2.0, 1.0, 1.5, 1.0
    tau = g / k
    w_star = optimal_centre_work(length, tf, k, g)
    assert math.isclose(w_star, g * length**2 / (tf + 2 * tau))
    lam_t = optimal_centre_protocol(np.array([0.0, 1e-12, 0.5, tf - 1e-12, tf]), length, tf, k, g)
    jump = length * tau / (tf + 2 * tau)
    np.testing.assert_allclose(
        lam_t, [0.0, jump, length * (0.5 + tau) / (tf + 2 * tau), length - jump, length], atol=1e-10
    )

    def centre(t):
        return optimal_centre_protocol(t, length, tf, k, g)

    t, lam = _centre_grid(centre, tf, 200)
    kk = np.full_like(t, k)
    # the interior is linear in t, so the staircase mean work converges as O(Δt²)
    assert math.isclose(_staircase_mean_work(t, kk, lam, 1.0, g), w_star, rel_tol=1e-4)
    w = simulate_work(t, kk, lam, N_TRAJ, np.random.default_rng(4), g, 1.0)
    assert abs(w.mean() - w_star) <= 4 * w.std() / math.sqrt(w.size) + 1e-4 * w_star


def test_optimal_protocol_is_a_minimum() -> None:
    k, g, length, tf = 2.0, 1.0, 1.5, 1.0
    w_star = optimal_centre_work(length, tf, k, g)
    # the linear protocol without jumps costs γL²/t_f·[1 − (τ_r/t_f)(1 − e^{−t_f/τ_r})] (dragged trap, v = L/t_f)
    linear = float(DraggedTrap(k, length / tf, g).work_mean(tf))
    assert linear > w_star
    for duration in (0.01, 0.3, 3.0, 30.0):
        assert float(DraggedTrap(k, length / duration, g).work_mean(duration)) > optimal_centre_work(
            length, duration, k, g
        )
    assert math.isclose(optimal_centre_work(length, 1e-9, k, g), k * length**2 / 2, rel_tol=1e-8)  # t_f → 0
    assert math.isclose(optimal_centre_work(length, 1e6, k, g) * 1e6, g * length**2, rel_tol=1e-5)  # t_f → ∞

    # perturb the optimal protocol (interior bump, or changed jump sizes): the mean work goes up, quadratically
    def work_of(eps: float, mode: str) -> float:
        def centre(t):
            base = optimal_centre_protocol(t, length, tf, k, g)
            inside = (t > 0) & (t < tf)
            if mode == "bump":
                return base + eps * np.sin(np.pi * np.asarray(t) / tf) * inside
            return base + eps * inside  # shifts both jumps by ±eps

        t, lam = _centre_grid(centre, tf, 400)
        return _staircase_mean_work(t, np.full_like(t, k), lam, 1.0, g)

    base = work_of(0.0, "bump")
    for mode in ("bump", "shift"):
        up, down = work_of(0.05, mode) - base, work_of(-0.05, mode) - base
        assert up > 0 and down > 0
        assert math.isclose(up, down, rel_tol=0.05)  # no linear term: the first variation vanishes


def test_simulate_work_validation() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="positive"):
        simulate_work([0.0, 1.0], [1.0, -1.0], None, 10, rng)
    with pytest.raises(ValueError, match="one length"):
        simulate_work([0.0, 1.0], [1.0], None, 10, rng)
    with pytest.raises(ValueError, match="n_trajectories"):
        simulate_work([0.0, 1.0], [1.0, 2.0], None, 0, rng)
    with pytest.raises(ValueError, match="initial"):
        simulate_work([0.0, 1.0], [1.0, 2.0], None, 10, rng, initial=np.zeros(3))
