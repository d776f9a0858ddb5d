"""Estimators against exact Gaussian Gibbs measures and the exact stationary law of SGD.

Oracles: thermosym.systems.quadratic.QuadraticGibbs (C = d/2, ⟨L⟩ = dT/2, S(T) = d/2 + (d/2) ln(2πT) − ½ ln det H;
REFERENCES.md §1) and thermosym.systems.sgd_quadratic (T_i = ησ²/(B(2 − ηh_i)); §6). Unless a test says
otherwise an estimate must lie within K_SIGMA = 4 of its own standard errors (plus its stated bias) of the exact
value; the calibration tests below check that those standard errors have the right size, so 4σ hides nothing.
All chains start in the exact Gibbs law unless the test is about equilibration; seeds are fixed.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator

import numpy as np
import pytest
import torch

from thermosym.estimate import Estimate
from thermosym.sampling.estimators import (
    effective_temperature_covariance,
    effective_temperature_virial,
    entropy_difference,
    entropy_difference_from_energies,
    extrapolate_to_zero_step,
    heat_capacity_fluctuation,
    heat_capacity_mbar,
    heat_capacity_response,
    ladder_heat_capacities,
    ladder_mean_energies,
    learning_coefficient_fluctuation,
    local_learning_coefficient,
    mean_energy,
    mode_temperatures,
    stationary_covariance,
)
from thermosym.sampling.potentials import QuadraticPotential
from thermosym.sampling.samplers import StepSizeBiasWarning, TemperatureLadder, mala, sgld
from thermosym.systems.quadratic import QuadraticGibbs
from thermosym.systems.sgd_quadratic import mode_temperatures as exact_mode_temperatures

K_SIGMA = 4.0


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Run single-threaded: the per-step tensors here are small, and on a busy 2-core machine intra-op
    threading made them 5-10x slower (measured: 22 ms vs 2.4 ms per MALA step at 48 chains x 1000 dims)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _gibbs_start(h: np.ndarray, temps: np.ndarray, seed: int) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.tensor(rng.normal(size=(temps.size, h.size)) * np.sqrt(temps[:, None] / h))


def _close(est: Estimate, exact: float) -> bool:
    return abs(est.value - exact) <= K_SIGMA * est.stderr + est.bias


# ----------------------------------------------------------------------------------------------- C = d/2


@pytest.mark.parametrize(
    ("d", "chains", "steps", "thin", "spacing"),
    [(1, 32, 2000, 2, 0.25), (10, 32, 2000, 2, 0.25), (100, 16, 2000, 4, 0.1), (1000, 12, 1000, 4, 0.04)],
)
def test_heat_capacity_by_fluctuation_and_response_is_d_over_2(
    d: int, chains: int, steps: int, thin: int, spacing: float
) -> None:
    """Anisotropic H (eigenvalues 1 … 10): β²Var L at each of three temperatures T = 1 ± spacing, the 3-point
    response d⟨L⟩/dT and the MBAR response all agree with C = d/2 (MALA, so no step-size bias). The relative
    width of the energy distribution is √(2/d), so the spacing shrinks with d to keep neighbouring
    temperatures overlapping, which MBAR needs (its reported overlap is checked too)."""
    h = np.geomspace(1.0, 10.0, d) if d > 1 else np.array([2.0])
    exact = float(QuadraticGibbs.diagonal(h).heat_capacity(1.0))
    ladder = TemperatureLadder((1.0 - spacing, 1.0, 1.0 + spacing), chains)
    temps = ladder.chain_temperatures()
    eta = 2.0 * d ** (-1 / 3) / h.max()  # MALA step ∝ d^{-1/3}: acceptance ≈ 0.7
    run = mala(QuadraticPotential(h), _gibbs_start(h, temps, d), temps, eta, steps * thin, record_every=thin, seed=d)
    energies = ladder.split(run.energies)
    for c in ladder_heat_capacities(energies, ladder.temperatures):
        assert _close(c, exact), c
    response = heat_capacity_response(ladder.temperatures, ladder_mean_energies(energies, ladder.temperatures))
    assert response[1].details["stencil"] == "central" and _close(response[1], exact), response[1]
    for c in (response[0], response[2]):  # one-sided stencils: also exact for the linear ⟨L⟩ = dT/2
        assert _close(c, exact), c
    mbar = heat_capacity_mbar(energies, ladder.temperatures, at=[1.0 - spacing / 2, 1.0, 1.0 + spacing / 2])
    assert mbar[0].details["overlap"] > 0.1
    for c in mbar:
        assert _close(c, exact), c


def test_sgld_heat_capacity_has_the_exact_bias_and_extrapolation_removes_it() -> None:
    """SGLD at step η on ½θᵀHθ samples N(0, T/(h(1 − ηh/2))) per mode, so β²Var L = Σ_i 1/(2(1 − ηh_i/2)²)
    (REFERENCES.md §6); MALA at the same step gives d/2; a line through three SGLD step sizes extrapolates to
    d/2 (its model error — quadratic vs linear intercept — is the reported bias)."""
    h = np.geomspace(1.0, 4.0, 10)
    temps = np.full(64, 1.0)
    pot = QuadraticPotential(h)
    estimates, etas = [], [0.05, 0.1, 0.2]
    for eta in etas:
        factor = 1.0 / (1.0 - eta * h / 2)
        start = _gibbs_start(h, temps, 1) * torch.tensor(np.sqrt(factor))
        run = sgld(pot, start, temps, eta, 8000, record_every=4, seed=int(100 * eta))
        c = heat_capacity_fluctuation(run.energies, 1.0)
        assert _close(c, float(np.sum(factor**2) / 2)), (eta, c)
        estimates.append(c)
    assert estimates[-1].value - 5.0 > 6 * estimates[-1].stderr  # at η = 0.2 the bias (≈ 21 %) is plain
    extrapolated = extrapolate_to_zero_step(etas, estimates)
    assert _close(extrapolated, 5.0), extrapolated
    assert extrapolated.details["model_error"].startswith("|intercept")
    run = mala(pot, _gibbs_start(h, temps, 2), temps, 0.2, 8000, record_every=4, seed=3)
    assert _close(heat_capacity_fluctuation(run.energies, 1.0), 5.0)


# ----------------------------------------------------------------------------------------------- calibration


def test_error_bars_cover_the_exact_value_in_95_percent_of_independent_runs() -> None:
    """160 independent runs (4 chains of 1000 samples each, one batched program of 640 chains, d = 4):
    the ±1.96σ intervals of ⟨L⟩ and of C cover dT/2 and d/2 in 90–99 % of the runs (the binomial spread of
    the coverage at 95 % is ±1.7 %). Chains start at rest (θ = 0), so the equilibration rule is exercised."""
    runs, chains, d = 160, 4, 4
    h = np.array([1.0, 2.0, 3.0, 4.0])
    temps = np.full(runs * chains, 1.0)
    run = mala(QuadraticPotential(h), torch.zeros(temps.size, d, dtype=torch.float64), temps, 0.25, 3000, seed=9)
    energies = run.energies.reshape(3000, runs, chains)
    z_e, z_c = [], []
    for r in range(runs):
        z_e.append(mean_energy(energies[:, r]).z_score(d / 2))
        z_c.append(heat_capacity_fluctuation(energies[:, r], 1.0).z_score(d / 2))
    for z in (np.array(z_e), np.array(z_c)):
        coverage = np.mean(np.abs(z) <= 1.96)
        assert 0.90 <= coverage <= 0.99, coverage


def test_heat_capacity_error_is_calibrated_on_a_10d_ladder() -> None:
    """The issue's criterion: 10-d anisotropic Gaussian, 8 temperatures × 2000 samples per chain (16 chains
    per temperature), 8 independent replicates (1024 chains in one run): the RMS relative error of β²Var L
    over the 64 estimates is ≤ 1.5 % and the standard deviation of their z-scores is within 0.8–1.2 (the
    sample SD of 64 standard normals has spread ±0.09)."""
    d, replicates, per_t = 10, 8, 16
    h = np.geomspace(1.0, 10.0, d)
    ladder = TemperatureLadder.geometric(0.5, 2.0, 8, per_t * replicates)
    temps = ladder.chain_temperatures()
    run = mala(QuadraticPotential(h), _gibbs_start(h, temps, 7), temps, 0.1, 10_000, record_every=5, seed=8)
    energies = ladder.split(run.energies)
    rel, z = [], []
    for r in range(replicates):
        block = energies[:, :, r * per_t : (r + 1) * per_t]
        for c in ladder_heat_capacities(block, ladder.temperatures):
            rel.append(c.value / (d / 2) - 1)
            z.append(c.z_score(d / 2))
    assert np.sqrt(np.mean(np.square(rel))) <= 0.015
    assert 0.8 <= np.std(z) <= 1.2
    # entropy differences over the ladder, from C/T and from ⟨L⟩/T, against S(2) − S(0.5) = (d/2) ln 4
    block = energies[:, :, :per_t]
    exact = float(np.diff(QuadraticGibbs.diagonal(h).entropy([0.5, 2.0]))[0])
    assert exact == pytest.approx(5 * np.log(4))
    by_c = entropy_difference(ladder.temperatures, ladder_heat_capacities(block, ladder.temperatures))
    by_e = entropy_difference_from_energies(ladder.temperatures, ladder_mean_energies(block, ladder.temperatures))
    assert _close(by_c, exact) and _close(by_e, exact), (by_c, by_e)


# ----------------------------------------------------------------------------------------------- SGD


def test_sgd_mode_temperatures_and_effective_temperatures() -> None:
    """SGD with additive gradient noise N(0, σ²I/B) at η = 0.3 on h = (0.5, 1, 2, 4): the per-mode
    temperatures T_i = ησ²/(B(2 − ηh_i)) differ (so the stationary law is not Gibbs in L) and all three
    estimators match the exact discrete-time values; tr(HΣ)/d and ⟨θ·∇L⟩/d give their mean."""
    h = np.array([0.5, 1.0, 2.0, 4.0])
    eta, noise, batch = 0.3, 1.0, 4
    exact = exact_mode_temperatures(h, noise, eta, batch)
    pot = QuadraticPotential(h, gradient_noise=np.full(4, noise), batch_size=batch)
    start = _gibbs_start(h, exact * 0 + 1.0, 0)[:1] * 0  # at the minimum; the rule drops the transient
    run = sgld(
        pot,
        start.expand(128, -1),
        0.0,
        eta,
        6000,
        minibatch=True,
        record_every=2,
        record_theta=True,
        observables=("virial",),
        seed=4,
    )
    assert run.theta is not None
    for est, t_i in zip(mode_temperatures(run.theta, h), exact, strict=True):
        assert _close(est, t_i), (est, t_i)
    assert exact[-1] / exact[0] > 1.5
    t_cov = effective_temperature_covariance(run.theta, h)
    t_vir = effective_temperature_virial(run.observables["virial"], 4)
    assert _close(t_cov, exact.mean()) and _close(t_vir, exact.mean()), (t_cov, t_vir)
    cov = stationary_covariance(run.theta)
    np.testing.assert_allclose(np.diag(cov.covariance) * h, exact, rtol=0.05)  # 5 % ≈ 8 SE at N_eff ~ 3e4
    assert np.all(np.abs(cov.mean) < 0.05)


# ----------------------------------------------------------------------------------------------- LLC forms


def test_llc_estimators_on_a_regular_model_give_d_over_2() -> None:
    """For a regular (quadratic) loss the learning coefficient is d/2: with E = nL_n = ½θᵀHθ at T = 1/β,
    nβ(E[L_n] − L_n(θ*)) = ⟨E⟩/T and β²Var(nL_n) both estimate d/2 (REFERENCES.md §7)."""
    h = np.geomspace(1.0, 10.0, 6)
    temp = 0.1
    temps = np.full(64, temp)
    run = mala(QuadraticPotential(h), _gibbs_start(h, temps, 3), temps, 0.02, 4000, record_every=2, seed=5)
    llc = local_learning_coefficient(run, 0.0, n=1000, multiplicity=1)
    assert _close(llc, 3.0) and llc.bias == 0.0 and llc.details["finite_beta_shift"] == 0.0
    assert _close(learning_coefficient_fluctuation(run), 3.0)
    biased = sgld(QuadraticPotential(h), _gibbs_start(h, temps, 3), temps, 0.02, 200, seed=6)
    with pytest.warns(StepSizeBiasWarning, match="not"):
        est = local_learning_coefficient(biased, 0.0)
    assert "NOT ASSESSED" in est.details["step_size_bias"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = local_learning_coefficient(biased, 0.0, step_size_bias=0.3)
    assert est.bias == 0.3
    with pytest.raises(ValueError, match="one temperature"):
        local_learning_coefficient(
            mala(QuadraticPotential(h), _gibbs_start(h, np.array([1.0, 2.0]), 0), [1.0, 2.0], 0.01, 20), 0.0
        )


def test_mbar_warns_when_ladder_temperatures_do_not_overlap() -> None:
    """Exact Gaussian energies L = (T/2)χ²_d ~ Gamma(d/2, T) for d = 1000 at T = 1 and 1.5: the energy
    distributions (relative width √(2/d) = 4.5 %) do not overlap, so MBAR must say its answer is unreliable."""
    rng = np.random.default_rng(0)
    energies = np.stack([rng.gamma(500.0, t, size=(400, 2)) for t in (1.0, 1.5)], axis=1)
    with pytest.warns(RuntimeWarning, match="overlap"):
        est = heat_capacity_mbar(energies, [1.0, 1.5])
    assert est[0].details["overlap"] < 0.03


def test_estimator_argument_validation() -> None:
    e = mean_energy(np.random.default_rng(0).normal(size=(100, 2)))
    with pytest.raises(ValueError, match="increasing"):
        heat_capacity_response([2.0, 1.0], [e, e])
    with pytest.raises(ValueError, match="one mean energy"):
        heat_capacity_response([1.0, 2.0, 3.0], [e, e])
    with pytest.raises(ValueError, match="temperature"):
        heat_capacity_fluctuation(np.ones((10, 2)), -1.0)
    with pytest.raises(ValueError, match="step"):
        extrapolate_to_zero_step([0.1, 0.2], [e])
    with pytest.raises(ValueError, match="samples"):
        ladder_heat_capacities(np.ones((10, 2)), [1.0])


def test_importing_pymbar_through_the_estimators_is_quiet() -> None:
    """pymbar's "JAX NOT FOUND" banner and timeseries notice must not reach library users."""
    code = (
        "import numpy as np\n"
        "from thermosym.sampling.estimators import heat_capacity_mbar\n"
        "rng = np.random.default_rng(0)\n"
        "e = np.stack([rng.gamma(2.0, t, size=(200, 2)) for t in (1.0, 1.2)], axis=1)\n"
        "heat_capacity_mbar(e, [1.0, 1.2])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert "JAX" not in result.stderr + result.stdout and "Warning" not in result.stderr, result.stderr
