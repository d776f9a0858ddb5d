"""Samplers: exactness of MALA, the exact step-size bias of SGLD, BAOAB against its discrete Lyapunov
equation, batched nn.Module potentials, ladders, localisation, divergence, progress and configuration.

Oracles: REFERENCES.md §1 (Gaussian Gibbs: Cov θ = T H⁻¹, ⟨θ·∇L⟩ = dT, ⟨|∇L|²⟩ = T tr H) and §6 (SGLD on a
quadratic: Var θ_i = T/(h_i(1 − ηh_i/2)), thermosym.systems.sgd_quadratic). Tolerances are 4 standard
errors of autocorrelation-aware estimates (a false alarm rate ~6e-5 per comparison), with fixed seeds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
import scipy.linalg
import torch
from torch import nn

from thermosym.errors import SamplingDivergedError
from thermosym.estimate import Estimate
from thermosym.sampling.device import DeviceSpec, default_device, make_generator, resolve_device
from thermosym.sampling.potentials import ModulePotential, QuadraticPotential, gaussian_potential
from thermosym.sampling.progress import StepProgress, progress_enabled
from thermosym.sampling.samplers import SamplerConfig, TemperatureLadder, baoab, mala, sample, sgld
from thermosym.sampling.statistics import mean_estimate, variance_estimates_grouped
from thermosym.systems.sgd_quadratic import sgld_stationary_covariance

H = np.array([0.5, 1.0, 2.0, 4.0])
T = 1.5
K_SIGMA = 4.0  # 4 standard errors: a false alarm has probability ~6e-5 per comparison


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Run single-threaded: the per-step tensors here are small, and on a busy 2-core machine intra-op
    threading made them 5-10x slower (measured: 22 ms vs 2.4 ms per MALA step at 48 chains x 1000 dims)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _exact_start(variances: np.ndarray, chains: int, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.normal(size=(chains, variances.size)) * np.sqrt(variances))


def _mode_variances(theta: np.ndarray | None) -> list[Estimate]:
    assert theta is not None, "the run must record theta"
    return variance_estimates_grouped(theta.transpose(0, 2, 1), discard=0)


# ----------------------------------------------------------------------------------------------- device


def test_device_defaults_and_errors() -> None:
    spec = resolve_device()
    assert spec.device == default_device() and spec.dtype == torch.float64
    assert resolve_device("cpu", "float32").dtype == torch.float32
    with pytest.raises(ValueError, match="dtype"):
        resolve_device("cpu", "int8")
    with pytest.raises(ValueError, match="dtype"):
        DeviceSpec(torch.device("cpu"), torch.int32)
    with pytest.raises(ValueError, match="seed"):
        make_generator(-1, spec)
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            resolve_device("cuda")


# ----------------------------------------------------------------------------------------------- potentials


def test_quadratic_potential_matches_autograd_for_dense_hessian() -> None:
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    hess = q @ np.diag([0.3, 1.0, 2.0, 5.0, 9.0]) @ q.T
    center = rng.normal(size=5)
    pot = QuadraticPotential(0.5 * (hess + hess.T), center)
    theta = torch.tensor(rng.normal(size=(7, 5)))
    energy, grad = pot.energy_and_grad(theta)
    delta = theta.numpy() - center
    np.testing.assert_allclose(energy.numpy(), 0.5 * np.einsum("ci,ij,cj->c", delta, hess, delta), rtol=1e-12)
    np.testing.assert_allclose(grad.numpy(), delta @ hess, rtol=1e-12, atol=1e-12)
    auto_e, auto_g = super(QuadraticPotential, pot).energy_and_grad(theta)
    np.testing.assert_allclose(auto_e.numpy(), energy.numpy(), rtol=1e-12)
    np.testing.assert_allclose(auto_g.numpy(), grad.numpy(), rtol=1e-12, atol=1e-12)
    gauss = gaussian_potential(center, np.linalg.inv(hess))
    np.testing.assert_allclose(gauss.energy(theta).numpy(), energy.numpy(), rtol=1e-9)


def test_quadratic_potential_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="positive definite"):
        QuadraticPotential([1.0, -1.0])
    with pytest.raises(ValueError, match="symmetric"):
        QuadraticPotential([[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="center"):
        QuadraticPotential([1.0, 2.0], center=[0.0])
    pot = QuadraticPotential([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        pot.energy(torch.zeros(3, dtype=torch.float64))
    with pytest.raises(ValueError, match="float64"):
        pot.energy(torch.zeros(3, 2, dtype=torch.float32))
    with pytest.raises(ValueError, match="minibatch"):
        pot.minibatch_energy_and_grad(torch.zeros(3, 2, dtype=torch.float64), make_generator(0, pot.spec))


def _small_module() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = torch.randn(50, 3)
    y = torch.randn(50, 2)
    return model, x, y


def test_module_potential_equals_per_model_evaluation() -> None:
    """vmap(functional_call) over stacked parameters = evaluating a copy of the model per chain."""
    model, x, y = _small_module()
    pot = ModulePotential(model, nn.MSELoss(), x, y)
    assert pot.dim == sum(p.numel() for p in model.parameters())
    rng = np.random.default_rng(4)
    theta = pot.initial_parameters()[None] + torch.tensor(rng.normal(scale=0.3, size=(6, pot.dim)))
    energy, grad = pot.energy_and_grad(theta)
    reference = pot.model
    for c in range(theta.shape[0]):
        torch.nn.utils.vector_to_parameters(theta[c].clone(), reference.parameters())
        reference.zero_grad()
        e = 50 * nn.MSELoss()(reference(pot.inputs), pot.targets)
        e.backward()
        g = torch.cat([p.grad.reshape(-1) for p in reference.parameters() if p.grad is not None])
        assert float(energy[c]) == pytest.approx(float(e.detach()), rel=1e-12)
        np.testing.assert_allclose(grad[c].numpy(), g.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(pot.energy(theta).numpy(), energy.numpy(), rtol=1e-12)
    flat = pot.flatten(model)
    assert torch.allclose(flat, pot.initial_parameters())


def test_module_minibatch_gradient_is_unbiased() -> None:
    """The mean of independent per-chain minibatch gradients equals the full gradient within 5 SE."""
    model, x, y = _small_module()
    pot = ModulePotential(model, nn.MSELoss(), x, y, batch_size=8)
    chains = 4000
    theta = pot.initial_parameters().expand(chains, -1).clone()
    _, full = pot.energy_and_grad(theta[:1])
    _, mini = pot.minibatch_energy_and_grad(theta, make_generator(0, pot.spec))
    mean = mini.mean(dim=0).numpy()
    stderr = mini.std(dim=0).numpy() / math.sqrt(chains)
    assert np.all(np.abs(mean - full[0].numpy()) <= 5 * stderr + 1e-12)
    assert float(mini.std(dim=0).max()) > 0  # the chains really drew different minibatches


# ----------------------------------------------------------------------------------------------- exactness


def test_sgld_shows_the_exact_step_size_bias_and_mala_removes_it() -> None:
    """At ηh_max = 0.8, SGLD's Var θ_i is T/(h_i(1 − ηh_i/2)) (5–67 % above T/h_i); MALA's is T/h_i."""
    eta, chains, steps = 0.2, 256, 2000
    pot = QuadraticPotential(H)
    biased = np.diag(sgld_stationary_covariance(H, T, eta))
    gibbs = T / H
    run = sgld(pot, _exact_start(biased, chains), T, eta, steps, record_every=2, record_theta=True, seed=1)
    for est, exact, unbiased in zip(_mode_variances(run.theta), biased, gibbs, strict=True):
        assert abs(est.value - exact) <= K_SIGMA * est.stderr
        assert abs(est.value - unbiased) > K_SIGMA * est.stderr  # the bias is detected (expected 8-70 SE)
    run = mala(pot, _exact_start(gibbs, chains), T, eta, steps, record_every=2, record_theta=True, seed=2)
    for est, exact in zip(_mode_variances(run.theta), gibbs, strict=True):
        assert abs(est.value - exact) <= K_SIGMA * est.stderr
    assert run.acceptance_rate is not None and run.acceptance_rate.shape == (chains,)
    assert 0.5 < run.acceptance_rate.mean() < 1.0


def test_mala_virial_and_gradient_identities() -> None:
    """⟨θ·∇L⟩ = dT and ⟨|∇L|²⟩ = T tr H (REFERENCES.md §1) on MALA samples."""
    pot = QuadraticPotential(H)
    run = mala(
        pot, _exact_start(T / H, 128), T, 0.2, 2000, record_every=2, observables=("virial", "grad_norm_sq"), seed=5
    )
    virial = mean_estimate(run.observables["virial"], discard=0)
    grad_sq = mean_estimate(run.observables["grad_norm_sq"], discard=0)
    assert abs(virial.value - H.size * T) <= K_SIGMA * virial.stderr
    assert abs(grad_sq.value - T * H.sum()) <= K_SIGMA * grad_sq.stderr


def _baoab_stationary_covariance(omega2: float, h: float, friction: float, mass: float, temp: float) -> np.ndarray:
    """Exact stationary Cov(q, p) of one BAOAB step on U = ω²q²/2: the step is linear, z' = M z + G ξ, so
    Σ = M Σ Mᵀ + G Gᵀ (discrete Lyapunov equation)."""
    kick = np.array([[1.0, 0.0], [-0.5 * h * omega2, 1.0]])
    drift = np.array([[1.0, 0.5 * h / mass], [0.0, 1.0]])
    c1 = math.exp(-friction * h)
    ou = np.diag([1.0, c1])
    m = kick @ drift @ ou @ drift @ kick
    g = kick @ drift @ np.array([[0.0], [math.sqrt((1 - c1**2) * mass * temp)]])
    return scipy.linalg.solve_discrete_lyapunov(m, g @ g.T)


def test_baoab_configurational_marginal_is_exact_and_momenta_match_lyapunov() -> None:
    """BAOAB at hω up to 1.2: Var q = T/ω² exactly (Leimkuhler & Matthews 2013), ⟨|p|²⟩/2m from the
    exact Lyapunov solution (≈ T(1 − h²ω²/4)/2 per mode, visibly below T/2)."""
    h_step, friction, chains = 0.6, 1.0, 256
    pot = QuadraticPotential(H)
    run = baoab(
        pot,
        _exact_start(T / H, chains),
        T,
        h_step,
        2000,
        record_every=2,
        record_theta=True,
        friction=friction,
        observables=("kinetic",),
        seed=3,
    )
    for est, exact in zip(_mode_variances(run.theta), T / H, strict=True):
        assert abs(est.value - exact) <= K_SIGMA * est.stderr
    # momenta start from N(0, mT), not BAOAB's stationary law; they relax in ~1/(γ_f h) ≈ 2 steps: drop 20
    kinetic = mean_estimate(run.observables["kinetic"], discard=10)
    exact_kinetic = sum(_baoab_stationary_covariance(w2, h_step, friction, 1.0, T)[1, 1] / 2 for w2 in H)
    assert abs(kinetic.value - exact_kinetic) <= K_SIGMA * kinetic.stderr
    assert exact_kinetic < 0.9 * H.size * T / 2


def test_localisation_adds_gamma_to_the_curvature() -> None:
    """U = L + (γ/2)|θ − θ*|² with θ* = 0: Var θ_i = T/(h_i + γ) and ⟨(γ/2)|θ|²⟩ = (γ/2) Σ T/(h_i + γ)."""
    gamma = 3.0
    pot = QuadraticPotential(H)
    var = T / (H + gamma)
    run = mala(
        pot,
        _exact_start(var, 256),
        T,
        0.1,
        2000,
        record_every=2,
        localisation=gamma,
        center=torch.zeros(H.size, dtype=torch.float64),
        record_theta=True,
        observables=("localisation",),
        seed=4,
    )
    for est, exact in zip(_mode_variances(run.theta), var, strict=True):
        assert abs(est.value - exact) <= K_SIGMA * est.stderr
    loc = mean_estimate(run.observables["localisation"], discard=0)
    assert abs(loc.value - 0.5 * gamma * var.sum()) <= K_SIGMA * loc.stderr


def test_per_chain_localisation_gives_one_localiser_across_a_ladder() -> None:
    """γ_c = τ·T_c: U_c/T_c = L/T_c + (τ/2)|θ|², so Var θ_i = T_c/(h_i + τT_c) at every temperature."""
    tau = 2.0
    ladder = TemperatureLadder((0.5, 1.0, 2.0), 96)
    temps = ladder.chain_temperatures()
    var = temps[:, None] / (H + tau * temps[:, None])
    init = _exact_start(np.ones(H.size), ladder.n_chains) * torch.tensor(np.sqrt(var))
    run = mala(
        QuadraticPotential(H),
        init,
        temps,
        0.1,
        2000,
        record_every=2,
        localisation=list(tau * temps),
        center=torch.zeros(H.size, dtype=torch.float64),
        observables=("theta_norm_sq",),
        seed=8,
    )
    assert isinstance(run.config.localisation, tuple) and len(run.config.localisation) == ladder.n_chains
    for k, norms in enumerate(np.moveaxis(ladder.split(run.observables["theta_norm_sq"]), 1, 0)):
        est = mean_estimate(norms, discard=0)
        t = ladder.temperatures[k]
        assert abs(est.value - np.sum(t / (H + tau * t))) <= K_SIGMA * est.stderr
    with pytest.raises(ValueError, match="localisation"):
        mala(QuadraticPotential(H), init, temps, 0.1, 10, localisation=(1.0, 2.0))


def test_ladder_layout_and_equipartition_per_temperature() -> None:
    ladder = TemperatureLadder((0.5, 1.0, 2.0), 64)
    assert ladder.n_chains == 192 and ladder.split(np.arange(192))[1, 0] == 64
    assert ladder.per_chain([1.0, 2.0, 3.0])[64] == 2.0
    temps = ladder.chain_temperatures()
    pot = QuadraticPotential(H)
    init = _exact_start(np.ones(H.size), ladder.n_chains) * torch.tensor(np.sqrt(temps[:, None] / H))
    run = mala(pot, init, temps, ladder.per_chain([0.1, 0.15, 0.2]), 1000, record_every=2, seed=6)
    assert np.array_equal(np.unique(run.step_sizes), [0.1, 0.15, 0.2])
    for k, energies in enumerate(np.moveaxis(ladder.split(run.energies), 1, 0)):
        est = mean_estimate(energies, discard=0)
        assert abs(est.value - H.size * ladder.temperatures[k] / 2) <= K_SIGMA * est.stderr
    with pytest.raises(ValueError, match="temperatures"):
        TemperatureLadder((1.0, -1.0), 2)
    geo = TemperatureLadder.geometric(0.5, 2.0, 3, 1)
    assert geo.temperatures == pytest.approx((0.5, 1.0, 2.0))


# ----------------------------------------------------------------------------------------------- minibatches


def test_sgld_minibatch_on_a_module_records_full_data_energies() -> None:
    model, x, y = _small_module()
    pot = ModulePotential(model, nn.MSELoss(), x, y, batch_size=10)
    theta0 = pot.initial_parameters()
    run = sgld(
        pot, theta0, np.full(16, 0.5), 1e-3, 200, record_every=50, minibatch=True, observables=("virial",), seed=7
    )
    assert run.energies.shape == (4, 16) and run.observables["virial"].shape == (4, 16)
    assert run.final_theta is not None
    np.testing.assert_allclose(run.energies[-1], pot.energy(run.final_theta).numpy(), rtol=1e-12)
    assert np.ptp(run.energies[-1]) > 0  # chains are independent
    cheap = sgld(pot, theta0, np.full(2000, 0.5), 1e-3, 10, minibatch=True, record_minibatch_energy=True, seed=8)
    assert cheap.final_theta is not None
    full = pot.energy(cheap.final_theta).numpy()
    diff = cheap.energies[-1] - full  # a minibatch estimate of the full-data energy: unbiased, not equal
    assert np.std(diff) > 0 and abs(diff.mean()) <= 5 * diff.std() / np.sqrt(diff.size)
    with pytest.raises(ValueError, match="record_minibatch_energy"):
        SamplerConfig(method="sgld", record_minibatch_energy=True)
    with pytest.raises(ValueError, match="minibatch"):
        SamplerConfig(method="mala", minibatch=True)
    with pytest.raises(ValueError, match="minibatch"):
        sgld(QuadraticPotential(H), torch.zeros(2, 4, dtype=torch.float64), 1.0, 0.1, 10, minibatch=True)


def test_float32_runs() -> None:
    pot = QuadraticPotential(H, dtype="float32")
    run = mala(pot, torch.zeros(8, 4), T, 0.1, 50, seed=0)
    assert run.dtype == "float32" and run.energies.dtype == np.float64 and np.all(np.isfinite(run.energies))


# ----------------------------------------------------------------------------------------------- robustness


def test_divergence_raises_naming_step_size_temperature_and_step() -> None:
    pot = QuadraticPotential(H)
    eta = 0.6  # ηh_max = 2.4 > 2: the top mode grows by |1 − 2.4| = 1.4 per step
    with pytest.raises(SamplingDivergedError) as info:
        sgld(pot, torch.ones(4, 4, dtype=torch.float64), [0.1, 0.2, 0.3, 0.4], eta, 10_000, seed=0)
    err = info.value
    assert err.step_size == eta and err.temperature in (0.1, 0.2, 0.3, 0.4) and 1 < err.step < 200
    assert "step size 0.6" in str(err) and "temperature" in str(err)
    with pytest.raises(SamplingDivergedError):
        baoab(pot, torch.ones(4, 4, dtype=torch.float64), 1.0, 1.2, 10_000, seed=0)  # hω = 2.4 > 2


def test_mala_rejects_instead_of_diverging() -> None:
    pot = QuadraticPotential(H)
    run = mala(pot, torch.ones(16, 4, dtype=torch.float64), 1.0, 5.0, 200, seed=0)
    assert run.acceptance_rate is not None and run.acceptance_rate.mean() < 0.05
    assert np.all(np.isfinite(run.energies))


def test_reproducible_with_a_seed() -> None:
    pot = QuadraticPotential(H)
    a = sgld(pot, torch.zeros(4, 4, dtype=torch.float64), 1.0, 0.1, 100, seed=11)
    b = sgld(pot, torch.zeros(4, 4, dtype=torch.float64), 1.0, 0.1, 100, seed=11)
    c = sgld(pot, torch.zeros(4, 4, dtype=torch.float64), 1.0, 0.1, 100, seed=12)
    assert np.array_equal(a.energies, b.energies) and not np.array_equal(a.energies, c.energies)


def test_custom_observables_and_recording_schedule() -> None:
    pot = QuadraticPotential(H)
    run = mala(
        pot,
        torch.zeros(8, 4, dtype=torch.float64),
        1.0,
        0.1,
        100,
        burn_in=30,
        record_every=10,
        custom_observables={"first": lambda theta, grad: theta[:, 0]},
    )
    assert run.observables["first"].shape == (10, 8)
    assert run.steps.tolist() == list(range(40, 131, 10))
    assert run.summary()["n_chains"] == 8 and run.chain_steps_per_second > 0
    sub = run.select(np.arange(3))
    assert sub.energies.shape == (10, 3) and sub.final_theta is not None and sub.final_theta.shape == (3, 4)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "hmc"}, "method"),
        ({"step_size": -0.1}, "step_size"),
        ({"n_steps": 0}, "n_steps"),
        ({"record_every": 0}, "record_every"),
        ({"burn_in": -1}, "burn_in"),
        ({"localisation": -1.0}, "localisation"),
        ({"localisation": (1.0, math.inf)}, "localisation"),
        ({"localisation": ()}, "localisation"),
        ({"observables": ("nope",)}, "observables"),
        ({"method": "sgld", "observables": ("kinetic",)}, "kinetic"),
        ({"divergence_factor": 0.5}, "divergence_factor"),
    ],
)
def test_config_validation(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SamplerConfig(**kwargs)


def test_sample_argument_validation() -> None:
    pot = QuadraticPotential(H)
    with pytest.raises(ValueError, match="temperature"):
        mala(pot, torch.zeros(2, 4, dtype=torch.float64), 0.0, 0.1, 10)
    with pytest.raises(ValueError, match="step_size"):
        sample(pot, torch.zeros(2, 4, dtype=torch.float64), 1.0, SamplerConfig(step_size=(0.1, 0.2, 0.3)))
    with pytest.raises(ValueError, match="temperature"):
        sgld(pot, torch.zeros(2, 4, dtype=torch.float64), [1.0, 2.0, 3.0], 0.1, 10)
    sgd = sgld(pot, torch.ones(2, 4, dtype=torch.float64), 0.0, 0.1, 10)  # T = 0 is gradient descent
    assert np.all(np.diff(sgd.energies[:, 0]) < 0)


# ----------------------------------------------------------------------------------------------- progress


def test_progress_off_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

        def write(self, text: str) -> int:
            return len(text)

        def flush(self) -> None:
            pass

    monkeypatch.setattr("sys.stdout", Stream(False))
    assert progress_enabled(None) is False
    monkeypatch.setattr("sys.stdout", Stream(True))
    assert progress_enabled(None) is True
    assert progress_enabled(False) is False
    with pytest.raises(ValueError, match="progress"):
        progress_enabled("yes")  # type: ignore[arg-type]


def test_progress_bar_counts_steps() -> None:
    with StepProgress(1000, "test", enabled=True) as bar:
        for _ in range(1000):
            bar.advance()
    assert bar.completed == 1000
    run = mala(QuadraticPotential(H), torch.zeros(2, 4, dtype=torch.float64), 1.0, 0.1, 20, progress=True)
    assert run.energies.shape == (20, 2)
