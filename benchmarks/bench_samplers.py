"""Batched Langevin samplers against devinterp's SGLD and a plain per-chain loop; calibration and LLC studies.

Sections (``python benchmarks/bench_samplers.py SECTION``; default ``throughput``; ``speed`` runs only the
chain-steps-per-second scan over minibatch sizes 16, 32, 100 that ``throughput`` starts with):

* ``throughput`` — one run, same model and settings for every sampler: the 10-5-10 two-layer linear network
  (float32, as devinterp runs it), the population loss K = ½|BA − W₀|² of a rank-2 teacher written as the MSE
  on a whitened 1000-row design, SGLD with minibatches of 100, nβ = 1000, localisation γ_dev = 3, step
  ε = 2·10⁻⁴ (devinterp's parametrisation; ours: T = ln n, η = ε/(2T), γ = γ_dev·T), 64 chains, 500 burn-in
  + 1500 draws; every sampler records its minibatch loss at every step, as devinterp does (thermosym's
  ``record_minibatch_energy=True``). Samplers: devinterp 1.3.2
  ``estimate_learning_coeff_with_summary`` (chains one after another, as it runs them on one CPU),
  thermosym's batched ``sgld`` (one tensor program for all chains) with each of ``ModulePotential``'s two
  engines (``sequential``, the feature-major MLP program it picks for this model, and ``vmap``, the
  ``functional_call`` + ``vmap`` path for any module), and the same update written as a plain
  Python loop over chains. Reported: chain-steps per second, λ̂ ± stderr (autocorrelation-aware, from each
  sampler's loss trace), its error against an unbiased MALA reference at the same nβ and γ, and accuracy
  per second 1/((stderr² + error²)·wall).
* ``calibration`` — the full calibration study: coverage of the 95 % intervals of ⟨L⟩ and C over 1000
  independent runs (d = 10), and the 10-d ladder criterion (8 temperatures × 2000 samples × 16 chains) over
  32 replicates: RMS error of C and the spread of its z-scores.
* ``llc`` — the 10-5-10 rank-2 learning coefficient with MALA at nβ = 10³ and 10⁴, against λ = 29 and the
  leading-order finite-nβ prediction; SGLD at three step sizes with extrapolation to zero step; and the
  minibatch-reference-loss pitfall.

Needs ``pip install devinterp==1.3.2 --no-deps tqdm`` for the devinterp column (skipped if absent).
"""

from __future__ import annotations

import argparse
import copy
import math
import platform
import time
import warnings

import numpy as np
import torch
from torch import nn

from thermosym.sampling.estimators import (
    extrapolate_to_zero_step,
    heat_capacity_fluctuation,
    ladder_heat_capacities,
    learning_coefficient_fluctuation,
    llc_temperature,
    local_learning_coefficient,
    mean_energy,
    reduced_rank_llc_at_finite_beta,
)
from thermosym.sampling.potentials import ModulePotential, QuadraticPotential
from thermosym.sampling.samplers import TemperatureLadder, Trace, mala, sgld
from thermosym.sampling.statistics import mean_estimate

LAMBDA = 29.0  # reduced_rank_learning_coefficient(10, 5, 10, 2)


# --------------------------------------------------------------------------------------------- the model


def sample_size_for(n_beta: float) -> int:
    """The n with n/ln n = nβ."""
    n = n_beta
    for _ in range(100):
        n = n_beta * math.log(n)
    return round(n)


def teacher_and_minimum(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W₀ = U diag(1, 0.7) Vᵀ (10×10, rank 2) and the balanced factorisation A (5×10), B (10×5) with the three
    extra components zero — the most singular true parameter."""
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.normal(size=(10, 2)))
    v, _ = np.linalg.qr(rng.normal(size=(10, 2)))
    s = np.array([1.0, 0.7])
    a = np.zeros((5, 10))
    a[:2] = np.diag(np.sqrt(s)) @ v.T
    b = np.zeros((10, 5))
    b[:, :2] = u @ np.diag(np.sqrt(s))
    return u @ np.diag(s) @ v.T, a, b


def _rates(trace: Trace) -> np.ndarray:
    return np.full(1, np.nan) if trace.acceptance_rate is None else trace.acceptance_rate


def linear_network(a: np.ndarray, b: np.ndarray, dtype: torch.dtype) -> nn.Module:
    model = nn.Sequential(nn.Linear(10, 5, bias=False), nn.Linear(5, 10, bias=False)).to(dtype)
    with torch.no_grad():
        first, second = model[0], model[1]
        assert isinstance(first, nn.Linear) and isinstance(second, nn.Linear)
        first.weight.copy_(torch.tensor(a, dtype=dtype))
        second.weight.copy_(torch.tensor(b, dtype=dtype))
    return model


def whitened_design(teacher: np.ndarray, rows: int, dtype: torch.dtype, seed: int = 1) -> tuple[torch.Tensor, ...]:
    """X with XᵀX/rows = 5·I (so the mean-squared error over rows and 10 outputs is ½|W − W₀|²) and
    noiseless labels y = W₀x: the full-data loss is the population loss K exactly."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 10))
    root = np.linalg.cholesky(x.T @ x / rows)
    x = math.sqrt(5.0) * x @ np.linalg.inv(root).T
    y = x @ teacher.T
    return torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)


# --------------------------------------------------------------------------------------------- throughput


def run_devinterp(model: nn.Module, x: torch.Tensor, y: torch.Tensor, settings: dict) -> dict | None:
    try:
        from devinterp.optim import SGLD
        from devinterp.slt.sampler import estimate_learning_coeff_with_summary
    except ImportError:
        return None
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(x, y), batch_size=settings["batch"], shuffle=True)

    def evaluate(net: nn.Module, data: list[torch.Tensor]) -> tuple[torch.Tensor, dict]:
        inputs, targets = data
        return nn.functional.mse_loss(net(inputs), targets), {}

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = estimate_learning_coeff_with_summary(
            model,
            loader,
            evaluate=evaluate,
            sampling_method=SGLD,
            optimizer_kwargs={
                "lr": settings["epsilon"],
                "localization": settings["gamma_dev"],
                "nbeta": settings["n_beta"],
            },
            num_chains=settings["chains"],
            num_draws=settings["draws"],
            num_burnin_steps=settings["burn_in"],
            num_steps_bw_draws=1,
            init_loss=0.0 + 1e-30,  # the full-data loss at w* (0 up to rounding); devinterp treats 0 as unset
            seed=0,
            device=settings["device"],
            verbose=False,
        )
    wall = time.perf_counter() - start
    losses = np.asarray(result["loss/trace"], dtype=np.float64).T  # [draws, chains], minibatch losses
    return {"wall": wall, "energies_over_t": settings["n_beta"] * losses, "llc_devinterp": result["llc/mean"]}


def run_batched(model: nn.Module, x: torch.Tensor, y: torch.Tensor, settings: dict, engine: str = "auto") -> dict:
    """thermosym's batched ``sgld``; ``engine`` is ModulePotential's ("auto" picks "sequential" here)."""
    n, temp = settings["n"], settings["T"]
    device = settings["device"]
    pot = ModulePotential(
        model, nn.MSELoss(), x, y, n=n, batch_size=settings["batch"], engine=engine, dtype=x.dtype, device=device
    )
    start = time.perf_counter()
    trace = sgld(
        pot,
        pot.initial_parameters(),
        np.full(settings["chains"], temp),
        settings["epsilon"] / (2 * temp),
        settings["draws"],
        burn_in=settings["burn_in"],
        minibatch=True,
        record_minibatch_energy=True,
        localisation=settings["gamma_dev"] * temp,
        seed=0,
    )
    return {"wall": time.perf_counter() - start, "energies_over_t": trace.energies / temp}


def run_plain_loop(model: nn.Module, x: torch.Tensor, y: torch.Tensor, settings: dict) -> dict:
    """The same SGLD update, one chain after another with ordinary autograd (no vmap)."""
    n, temp, eta = settings["n"], settings["T"], settings["epsilon"] / (2 * settings["T"])
    gamma = settings["gamma_dev"] * temp
    gen = torch.Generator().manual_seed(0)
    steps = settings["burn_in"] + settings["draws"]
    out = np.empty((settings["draws"], settings["chains"]))
    start = time.perf_counter()
    for c in range(settings["chains"]):
        net = copy.deepcopy(model)
        params = list(net.parameters())
        anchor = [p.detach().clone() for p in params]
        for step in range(steps):
            idx = torch.randint(len(x), (settings["batch"],), generator=gen)
            loss = n * nn.functional.mse_loss(net(x[idx]), y[idx])
            grads = torch.autograd.grad(loss, params)
            if step >= settings["burn_in"]:
                out[step - settings["burn_in"], c] = float(loss.detach()) / temp  # minibatch loss, as devinterp
            with torch.no_grad():
                for p, g, p0 in zip(params, grads, anchor, strict=True):
                    noise = torch.randn(p.shape, generator=gen, dtype=p.dtype)
                    p.add_(-eta * (g + gamma * (p - p0)) + math.sqrt(2 * eta * temp) * noise)
    return {"wall": time.perf_counter() - start, "energies_over_t": out}


def mala_reference(model: nn.Module, teacher: np.ndarray, settings: dict, steps: int = 20_000) -> float:
    """An unbiased λ at the same nβ and γ: MALA on the same loss K, written on the 10-row design X = √50·I
    (whose MSE is K exactly, like the 1000-row whitened design, at a hundredth of the cost), float64."""
    x = math.sqrt(50.0) * torch.eye(10, dtype=torch.float64)
    y = x @ torch.tensor(teacher).T
    pot = ModulePotential(model, nn.MSELoss(), x, y, n=settings["n"], dtype="float64", device="cpu")
    temp = settings["T"]
    trace = mala(
        pot,
        pot.initial_parameters(),
        np.full(64, temp),
        0.15 / settings["n"],
        steps,
        burn_in=2000,
        record_every=10,
        localisation=settings["gamma_dev"] * temp,
        seed=5,
    )
    est = local_learning_coefficient(trace, 0.0)
    print(f"MALA reference: lambda = {est.value:.3f} +- {est.stderr:.3f} (acceptance {np.mean(_rates(trace)):.2f})")
    return est.value


def speed_scan(model: nn.Module, x: torch.Tensor, y: torch.Tensor, base: dict, skip_devinterp: bool) -> None:
    """Chain-steps per second at 64 chains for minibatch sizes 16, 32, 100 (short runs, speed only)."""
    if not skip_devinterp:  # warm-up: devinterp's first call pays its imports and set-up
        run_devinterp(model, x, y, dict(base, chains=1, draws=10, burn_in=0))
    print(
        f"{'batch':>5s} {'sequential':>10s} {'vmap':>8s} {'loop':>8s} {'devinterp':>10s} "
        f"{'seq x dev':>10s} {'vmap x dev':>10s} {'seq x loop':>10s}"
    )
    for batch in (16, 32, 100):
        settings = dict(base, batch=batch, draws=400, burn_in=0)
        ours = settings["chains"] * 400 / run_batched(model, x, y, settings, "sequential")["wall"]
        vmapped = settings["chains"] * 400 / run_batched(model, x, y, settings, "vmap")["wall"]
        loop_settings = dict(settings, chains=8)
        loop = 8 * 400 / run_plain_loop(model, x, y, loop_settings)["wall"]
        dev = math.nan
        if not skip_devinterp:
            result = run_devinterp(model, x, y, dict(settings, draws=100))
            dev = math.nan if result is None else settings["chains"] * 100 / result["wall"]
        print(
            f"{batch:5d} {ours:10.0f} {vmapped:8.0f} {loop:8.0f} {dev:10.0f} {ours / dev:10.1f} "
            f"{vmapped / dev:10.1f} {ours / loop:10.1f}"
        )


def throughput(
    chains: int, draws: int, burn_in: int, skip_devinterp: bool, speed_only: bool = False, device: str = "cpu"
) -> None:
    """The speed scan, then (unless ``speed_only``) the side-by-side λ̂ run; thermosym's samplers and
    devinterp's run on ``device`` (the plain loop and the MALA reference stay on the CPU)."""
    torch.set_num_threads(1)
    n_beta = 1000.0
    n = sample_size_for(n_beta)
    settings = {
        "n_beta": n_beta,
        "n": n,
        "T": llc_temperature(n),
        "epsilon": 2e-4,
        "gamma_dev": 3.0,
        "batch": 100,
        "chains": chains,
        "draws": draws,
        "burn_in": burn_in,
        "device": device,
    }
    teacher, a, b = teacher_and_minimum()
    x32, y32 = whitened_design(teacher, 1000, torch.float32)
    model32 = linear_network(a, b, torch.float32)
    where = torch.cuda.get_device_name(0) if device.startswith("cuda") else "1 thread"
    print(f"machine: {platform.processor() or platform.machine()}, torch {torch.__version__}, {device} ({where})")
    print(f"settings: {settings}")
    speed_scan(model32, x32, y32, settings, skip_devinterp)
    if speed_only:
        return
    reference = mala_reference(linear_network(a, b, torch.float64), teacher, settings)
    rows = []
    rows.append(("thermosym SGLD, sequential", run_batched(model32, x32, y32, settings, "sequential")))
    rows.append(("thermosym SGLD, vmap", run_batched(model32, x32, y32, settings, "vmap")))
    rows.append(("plain per-chain loop", run_plain_loop(model32, x32, y32, settings)))
    if not skip_devinterp:
        result = run_devinterp(model32, x32, y32, settings)
        if result is None:
            print("devinterp not installed: skipped")
        else:
            rows.append(("devinterp 1.3.2 SGLD", result))
            print(f"devinterp's own llc/mean: {result['llc_devinterp']:.3f}")
    base = next((r for name, r in rows if name.startswith("devinterp")), None)
    print()
    header = f"{'sampler':26s} {'wall s':>8s} {'chain-steps/s':>14s} {'x devinterp':>12s} {'lambda':>8s} "
    print(header + f"{'stderr':>7s} {'error':>7s} {'acc/s':>9s}")
    for name, r in rows:
        cps = chains * (draws + burn_in) / r["wall"]
        ratio = cps / (chains * (draws + burn_in) / base["wall"]) if base else math.nan
        est = mean_estimate(r["energies_over_t"])
        error = est.value - reference
        acc = 1.0 / ((est.stderr**2 + error**2) * r["wall"])
        print(
            f"{name:26s} {r['wall']:8.1f} {cps:14.0f} {ratio:12.1f} {est.value:8.3f} {est.stderr:7.3f} "
            f"{error:7.3f} {acc:9.3g}"
        )
    print("(lambda from each sampler's minibatch-loss trace; MALA reference from the full-data loss)")


# --------------------------------------------------------------------------------------------- calibration


def calibration(runs: int, replicates: int) -> None:
    torch.set_num_threads(1)
    d = 10
    h = np.geomspace(1.0, 10.0, d)
    pot = QuadraticPotential(h)
    chains = 4
    start = time.perf_counter()
    trace = mala(pot, torch.zeros(runs * chains, d, dtype=torch.float64), 1.0, 0.1, 4000, record_every=2, seed=1)
    energies = trace.energies.reshape(trace.energies.shape[0], runs, chains)
    z_e = np.array([mean_energy(energies[:, r]).z_score(d / 2) for r in range(runs)])
    z_c = np.array([heat_capacity_fluctuation(energies[:, r], 1.0).z_score(d / 2) for r in range(runs)])
    print(f"{runs} independent runs of {chains} chains x 2000 samples, d = {d} ({time.perf_counter() - start:.0f} s):")
    for name, z in (("<L>", z_e), ("C (fluctuation)", z_c)):
        print(
            f"  {name:16s} coverage of 95% intervals {np.mean(np.abs(z) <= 1.96):.3f}, "
            f"z mean {z.mean():+.3f}, z sd {z.std():.3f}"
        )
    per_t = 16
    ladder = TemperatureLadder.geometric(0.5, 2.0, 8, per_t * replicates)
    temps = ladder.chain_temperatures()
    rng = np.random.default_rng(2)
    init = torch.tensor(rng.normal(size=(temps.size, d)) * np.sqrt(temps[:, None] / h))
    start = time.perf_counter()
    trace = mala(pot, init, temps, 0.1, 10_000, record_every=5, seed=3)
    split = ladder.split(trace.energies)
    rel: list[float] = []
    zs: list[float] = []
    for r in range(replicates):
        for c in ladder_heat_capacities(split[:, :, r * per_t : (r + 1) * per_t], ladder.temperatures):
            rel.append(c.value / (d / 2) - 1)
            zs.append(c.z_score(d / 2))
    print(
        f"10-d ladder, 8 temperatures x 16 chains x 2000 samples, {replicates} replicates "
        f"({time.perf_counter() - start:.0f} s): RMS relative error of C {np.sqrt(np.mean(np.square(rel))):.4f}, "
        f"z sd {np.std(zs):.3f}, z mean {np.mean(zs):+.3f}"
    )


# --------------------------------------------------------------------------------------------- LLC study


def llc_study(steps: int) -> None:
    torch.set_num_threads(1)
    teacher, a, b = teacher_and_minimum()
    x = math.sqrt(50.0) * torch.eye(10, dtype=torch.float64)  # X = c·I with c² = MN/2: MSE = K exactly
    y = x @ torch.tensor(teacher).T
    model = linear_network(a, b, torch.float64)
    print(
        f"{'n*beta':>7s} {'gamma':>6s} {'nu':>7s} {'predicted':>9s} {'lambda':>8s} {'stderr':>7s} "
        f"{'fluct':>8s} {'stderr':>7s} {'accept':>6s} {'wall':>6s}"
    )
    for n_beta, gamma in ((1e3, 3.0), (1e4, 3.0), (1e4, 1.0)):
        n = sample_size_for(n_beta)
        temp = llc_temperature(n)
        pot = ModulePotential(model, nn.MSELoss(), x, y, n=n)
        start = time.perf_counter()
        trace = mala(
            pot,
            pot.initial_parameters(),
            np.full(64, temp),
            0.15 / n,
            steps,
            burn_in=steps // 2,
            record_every=10,
            localisation=gamma * temp,
            seed=2,
        )
        wall = time.perf_counter() - start
        est = local_learning_coefficient(trace, 0.0)
        fluct = learning_coefficient_fluctuation(trace)
        pred = reduced_rank_llc_at_finite_beta(10, 5, 10, 2, n / temp, gamma)
        print(
            f"{n_beta:7.0f} {gamma:6.1f} {n / temp / gamma**2:7.0f} {pred:9.3f} {est.value:8.3f} {est.stderr:7.3f} "
            f"{fluct.value:8.3f} {fluct.stderr:7.3f} {np.mean(_rates(trace)):6.2f} {wall:6.0f}"
        )
    # SGLD at three step sizes, full-batch gradients, extrapolated to zero step (nβ = 10³, γ_dev = 3)
    n = sample_size_for(1e3)
    temp = llc_temperature(n)
    pot = ModulePotential(model, nn.MSELoss(), x, y, n=n)
    estimates, etas = [], [0.05 / n, 0.1 / n, 0.2 / n]
    for eta in etas:
        trace = sgld(
            pot,
            pot.initial_parameters(),
            np.full(64, temp),
            eta,
            steps,
            burn_in=steps // 2,
            record_every=10,
            localisation=3.0 * temp,
            seed=3,
        )
        estimates.append(local_learning_coefficient(trace, 0.0, step_size_bias=0.0))
    line = extrapolate_to_zero_step(etas, estimates)
    print(
        "SGLD nbeta=1e3 gamma=3: "
        + ", ".join(f"eta*n={e * n:.2f}: {s.value:.3f}+-{s.stderr:.3f}" for e, s in zip(etas, estimates, strict=True))
        + f" -> extrapolated {line.value:.3f} +- {line.stderr:.3f} (model error {line.bias:.3f})"
    )
    llc_pitfall(steps)


def gaussian_nll(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """½|y − f(x)|² per sample, averaged over the batch: the unit-noise Gaussian NLL up to a constant."""
    return 0.5 * ((output - target) ** 2).sum(dim=-1).mean()


def empirical_minimum(x: np.ndarray, y: np.ndarray, hidden: int) -> tuple[np.ndarray, np.ndarray]:
    """The exact minimiser of the empirical loss over rank-``hidden`` products BA (reduced-rank regression):
    the best rank-H approximation of the least-squares solution in the metric of Σ̂ = XᵀX/n, balanced."""
    sigma = x.T @ x / len(x)
    w_ols = np.linalg.solve(x.T @ x, x.T @ y).T  # [out, in]
    evals, evecs = np.linalg.eigh(sigma)
    root = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    u, s, vt = np.linalg.svd(w_ols @ root)
    a = np.diag(np.sqrt(s[:hidden])) @ vt[:hidden] @ np.linalg.inv(root)
    b = u[:, :hidden] @ np.diag(np.sqrt(s[:hidden]))
    return a, b


def llc_pitfall(steps: int) -> None:
    """λ̂ at the trained minimum of a noisy data set with the full-data reference loss, and with the
    reference loss taken from single minibatches of 100 instead (the pitfall of issue 6)."""
    torch.set_num_threads(1)
    teacher, _, _ = teacher_and_minimum()
    rng = np.random.default_rng(4)
    rows = 1000
    xs = rng.normal(size=(rows, 10))
    ys = xs @ teacher.T + rng.normal(size=(rows, 10))
    a, b = empirical_minimum(xs, ys, 5)
    model = linear_network(a, b, torch.float64)
    n = rows
    temp = llc_temperature(n)
    pot = ModulePotential(model, gaussian_nll, torch.tensor(xs), torch.tensor(ys), n=n)
    w_star = pot.initial_parameters()
    _, grad = pot.energy_and_grad(w_star[None])
    trace = mala(
        pot,
        w_star,
        np.full(32, temp),
        0.1 / n,
        steps // 3,
        burn_in=steps // 6,
        record_every=10,
        localisation=3.0 * temp,
        seed=6,
    )
    full = float(pot.energy(w_star[None])[0])
    est = local_learning_coefficient(trace, full)
    chains = (trace.energies.mean(axis=0) - full) / temp
    print(
        f"noisy data, n = {rows}, beta = 1/ln n, MALA at the exact empirical minimum (|grad| = "
        f"{float(grad.norm()):.1e}), gamma_dev = 3: full-data reference -> {est.value:.2f} +- {est.stderr:.2f} "
        f"(spread across chains {chains.std(ddof=1):.2f})"
    )
    with torch.no_grad():
        for k in range(5):
            idx = torch.tensor(rng.choice(rows, 100, replace=False))
            mini = float(n * gaussian_nll(pot.model(pot.inputs[idx]), pot.targets[idx]))
            print(
                f"   reference from one minibatch of 100 (#{k}): {local_learning_coefficient(trace, mini).value:8.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "section",
        nargs="?",
        default="throughput",
        choices=["speed", "throughput", "calibration", "llc", "pitfall", "all"],
    )
    parser.add_argument("--chains", type=int, default=64)
    parser.add_argument("--draws", type=int, default=1500)
    parser.add_argument("--burn-in", type=int, default=500)
    parser.add_argument("--skip-devinterp", action="store_true")
    parser.add_argument("--device", default="cpu", help="where thermosym and devinterp run: cpu or cuda")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--replicates", type=int, default=32)
    parser.add_argument("--llc-steps", type=int, default=40_000)
    args = parser.parse_args()
    if args.section == "speed":
        throughput(args.chains, args.draws, args.burn_in, args.skip_devinterp, speed_only=True, device=args.device)
    if args.section in ("throughput", "all"):
        throughput(args.chains, args.draws, args.burn_in, args.skip_devinterp, device=args.device)
    if args.section in ("calibration", "all"):
        calibration(args.runs, args.replicates)
    if args.section in ("llc", "all"):
        llc_study(args.llc_steps)
    if args.section == "pitfall":
        llc_pitfall(args.llc_steps)


if __name__ == "__main__":
    main()
