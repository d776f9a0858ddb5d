"""Free-energy differences from work and equilibrium samples; fluctuation-theorem and second-law checks.

Inputs are float64 arrays (the output of :mod:`thermosym.sampling.protocols` or any other source): works W of
independent trajectories, entropy productions σ = β(W − ΔF), reduced energies u = βL on a λ ladder. Every
estimator returns an :class:`~thermosym.estimate.Estimate` with a standard error, an effective sample size and,
where the method has one, its known bias. Conventions: k_B = 1, β = 1/T.

* Jarzynski, PRL 78, 2690 (1997): ΔF = −T ln⟨e^{−βW}⟩, computed with logsumexp.
* BAR: Bennett, J. Comput. Phys. 22, 245 (1976); Shirts et al., PRL 91, 140601 (2003), via pymbar.
* MBAR: Shirts & Chodera, J. Chem. Phys. 129, 124105 (2008), via pymbar.
* Thermodynamic integration: Kirkwood, J. Chem. Phys. 3, 300 (1935), ΔF = ∫ ⟨∂L/∂λ⟩_λ dλ.
* Fluctuation theorem: Crooks, PRE 60, 2721 (1999); Evans & Searles, Adv. Phys. 51, 1529 (2002):
  P(σ)/P(−σ) = e^{σ}, i.e. ln P(σ)/P(−σ) has slope 1 in σ.
* Second law: ⟨W⟩ ≥ ΔF and ⟨σ⟩ ≥ 0, which follow from Jarzynski by Jensen's inequality.

pymbar is imported lazily, with its import-time "JAX NOT FOUND" and timeseries warnings silenced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import simpson, trapezoid

from thermosym.estimate import Estimate
from thermosym.sampling._pymbar import pymbar_module

FloatArray = NDArray[np.float64]


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------


def logsumexp(values: FloatArray, axis: int | None = None) -> Any:
    """ln Σ e^{x} along ``axis`` without overflow (max-shifted; scipy's version is ~10× slower on small arrays)."""
    top = np.max(values, axis=axis, keepdims=True)
    total = np.log(np.sum(np.exp(values - top), axis=axis, keepdims=True)) + top
    return float(total.reshape(())) if axis is None else np.squeeze(total, axis=axis)


def _samples(values: ArrayLike, name: str, minimum: int = 2) -> FloatArray:
    """A finite 1-D float64 array of at least ``minimum`` values, or a ValueError naming the argument."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of per-trajectory values, got shape {array.shape}")
    if array.size < minimum:
        raise ValueError(f"{name} needs at least {minimum} values, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf")
    return array


def _temperature(temperature: float) -> float:
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be finite and positive, got {temperature!r}")
    return float(temperature)


def kish_effective_sample_size(log_weights: ArrayLike) -> float:
    """Kish's effective sample size (Σw)²/Σw² of weights given by their logarithms (stable in log space).

    Kish, Survey Sampling (1965). N for equal weights, 1 when one weight dominates.

    >>> kish_effective_sample_size([0.0, 0.0, 0.0, 0.0])
    4.0
    """
    lw = _samples(log_weights, "log_weights", minimum=1)
    return float(np.exp(2.0 * logsumexp(lw) - logsumexp(2.0 * lw)))


def _generalized_pareto_shape(exceedances: FloatArray) -> float:
    """Posterior-mean shape k of a generalized Pareto fit to positive exceedances (Zhang & Stephens,
    Technometrics 51, 316 (2009)), with the weak prior toward k = 0.5 of Vehtari et al. (JMLR 25, 72 (2024))."""
    x = np.sort(exceedances)
    n = x.size
    m = 30 + int(math.sqrt(n))
    b = 1.0 - np.sqrt(m / (np.arange(1, m + 1) - 0.5))
    b = b / (3.0 * x[int(n / 4 + 0.5) - 1]) + 1.0 / x[-1]
    k = np.log1p(-b[:, None] * x).mean(axis=1)
    profile = n * (np.log(-b / k) - k - 1.0)
    weights = 1.0 / np.exp(profile - profile[:, None]).sum(axis=1)
    b_post = float(np.sum(b * weights) / np.sum(weights))
    k_post = float(np.log1p(-b_post * x).mean())
    return (n * k_post + 10 * 0.5) / (n + 10)


def pareto_tail_index(log_weights: ArrayLike) -> float:
    """The Pareto-smoothed-importance-sampling diagnostic k̂ of importance weights given by their logarithms.

    Vehtari, Simpson, Gelman, Yao & Gabry, "Pareto smoothed importance sampling", JMLR 25, 72 (2024): fit a
    generalized Pareto law to the M = ⌊min(N/5, 3√N)⌋ largest weights above the next one. k̂ < 0.5: the weights
    have a finite variance, so a delta-method or bootstrap stderr of their average is meaningful; k̂ ≥ 0.5:
    infinite variance, the stderr undercovers; k̂ > 0.7: the average itself is unreliable. Bounded weights
    give k̂ < 0. NaN when N < 25 (too few for a tail fit).
    """
    lw = np.sort(_samples(log_weights, "log_weights", minimum=1))
    n = lw.size
    tail = int(min(0.2 * n, 3.0 * math.sqrt(n)))
    if n < 25 or tail < 5:
        return math.nan
    top = lw[-1]
    exceedances = np.exp(lw[-tail:] - top) - np.exp(lw[-tail - 1] - top)
    if not np.any(exceedances > 0):
        return -math.inf  # a flat top: bounded weights
    exceedances = exceedances[exceedances > 0]
    if exceedances.size < 5:
        return -math.inf
    return _generalized_pareto_shape(exceedances)


def entropy_production(work: ArrayLike, delta_f: float, temperature: float) -> FloatArray:
    """σ = β(W − ΔF) per trajectory (Crooks, PRE 60, 2721 (1999))."""
    return (_samples(work, "work", minimum=1) - float(delta_f)) / _temperature(temperature)


# ----------------------------------------------------------------------------------------------------------
# Jarzynski
# ----------------------------------------------------------------------------------------------------------


def jarzynski_free_energy(work: ArrayLike, temperature: float, *, n_bootstrap: int = 0, seed: int = 0) -> Estimate:
    """ΔF = −T ln[(1/N) Σ e^{−βW_i}] (Jarzynski, PRL 78, 2690 (1997)), with stderr, Kish ESS and bias.

    stderr: the delta method, T·sd(e^{−βW})/(√N ⟨e^{−βW}⟩), or, with ``n_bootstrap`` > 0, the standard
    deviation over that many bootstrap resamples drawn with ``seed``.
    bias: the estimator is biased upwards (Jensen); to leading order in 1/N its mean exceeds ΔF by
    T Var(e^{−βW})/(2N⟨e^{−βW}⟩²) = T(N/ESS − 1)/(2N) (Zuckerman & Woolf, PRL 89, 180602 (2002); Gore, Ritort
    & Bustamante, PNAS 100, 12564 (2003)), which is T(e^{β²σ_W²} − 1)/(2N) ≈ βσ_W²/(2N) for Gaussian work.
    ``bias`` is this with the sample variance of the weights (valid for any work distribution; ``details``
    also has the Gaussian-work form with the sample σ_W, which is far too large for skewed work such as the
    χ²-distributed work of a stiffness quench), and ``value_bias_corrected`` = value − bias.

    Reliability (``details``): ``pareto_k`` is the PSIS diagnostic k̂ of the weights e^{−βW}
    (:func:`pareto_tail_index`) and ``trajectories_needed`` = e^{β²σ_W²}. The stderr is calibrated when the
    weights have a finite variance and their tail is sampled. Measured 95%-interval coverage (1.96·stderr +
    bias, ≥ 80 repeats each): stiffening trap k: 1 → 4 (bounded weights, k̂ < 0), 94–96% at N = 20–1000 for
    σ_W = 0.9T and for the quench (σ_W = 2.1T); Gaussian work with σ_W = T, 88% at N = 20, 93% at 50, 94–95%
    at N ≥ 200; σ_W = 1.5T, 86% at 50 and 91–93% at 200–1000; σ_W = 2T, only 72–88% at N = 20–1000
    (k̂ ≈ 0.6–0.7); softening trap k: 4 → 1, only 78–85% at N = 20–1000 although σ_W = 0.43T (k̂ ≈ 0.5:
    weights of borderline infinite variance; use BAR there). ``stderr_reliable`` is
    k̂ < 0.5 and N ≥ e^{β²σ_W²}.

    >>> round(jarzynski_free_energy([1.0, 1.0, 1.0], temperature=2.0).value, 12)
    1.0
    """
    w = _samples(work, "work")
    t = _temperature(temperature)
    if n_bootstrap < 0:
        raise ValueError(f"n_bootstrap must be non-negative, got {n_bootstrap}")
    n = w.size
    log_w = -w / t
    lse = logsumexp(log_w)
    value = -t * (lse - math.log(n))
    p = np.exp(log_w - lse)  # normalised weights
    ess = 1.0 / float(np.sum(p * p))
    rel_var = max((n * float(np.sum(p * p)) - 1.0) * n / (n - 1), 0.0)  # Var(e^{−βW})/⟨e^{−βW}⟩², ddof=1
    work_std = float(w.std(ddof=1))
    spread = min((work_std / t) ** 2, 700.0)
    bias_sample = t * rel_var / (2 * n)
    bias_gaussian = t * math.expm1(spread) / (2 * n)
    pareto_k = pareto_tail_index(log_w) if n >= 25 else math.nan
    if n_bootstrap:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, n, size=(n_bootstrap, n))
        boot = -t * (logsumexp(log_w[draws], axis=1) - math.log(n))
        stderr, method = float(boot.std(ddof=1)), "jarzynski (bootstrap stderr)"
    else:
        stderr, method = t * math.sqrt(rel_var / n), "jarzynski (delta-method stderr)"
    return Estimate(
        value=value,
        stderr=stderr,
        n_effective=ess,
        method=method,
        bias=bias_sample,
        details={
            "n_trajectories": n,
            "kish_ess": ess,
            "work_mean": float(w.mean()),
            "work_std": work_std,
            "bias_sample": bias_sample,
            "bias_gaussian_work": bias_gaussian,
            "value_bias_corrected": value - bias_sample,
            "trajectories_needed": math.exp(spread),
            "pareto_k": pareto_k,
            "stderr_reliable": bool(pareto_k < 0.5 and n >= math.exp(spread)),
            "n_bootstrap": n_bootstrap,
            "seed": seed,
        },
    )


# ----------------------------------------------------------------------------------------------------------
# BAR and MBAR
# ----------------------------------------------------------------------------------------------------------


def bar_free_energy(work_forward: ArrayLike, work_reverse: ArrayLike, temperature: float) -> Estimate:
    """ΔF = F(λ₁) − F(λ₀) by the Bennett acceptance ratio from forward works (λ₀ → λ₁, started in
    equilibrium at λ₀) and reverse works (λ₁ → λ₀, started at λ₁): pymbar.other_estimators.bar on βW_F, βW_R
    (Shirts, Bair, Hooker & Pande, PRL 91, 140601 (2003)), stderr from pymbar's 'BAR' asymptotic variance.

    BAR is asymptotically unbiased (its bias is O(1/N), not estimated here: ``bias`` = 0). ``details`` carries
    the Kish ESS of the two exponential averages e^{−βW_F} and e^{−βW_R}.
    """
    wf, wr = _samples(work_forward, "work_forward"), _samples(work_reverse, "work_reverse")
    t = _temperature(temperature)
    pymbar = pymbar_module()
    result = pymbar.other_estimators.bar(wf / t, wr / t, compute_uncertainty=True)
    return Estimate(
        value=t * float(result["Delta_f"]),
        stderr=t * float(result["dDelta_f"]),
        n_effective=float(wf.size + wr.size),
        method="bar (pymbar)",
        details={
            "n_forward": int(wf.size),
            "n_reverse": int(wr.size),
            "kish_ess_forward": kish_effective_sample_size(-wf / t),
            "kish_ess_reverse": kish_effective_sample_size(-wr / t),
            "pareto_k_forward": pareto_tail_index(-wf / t),
            "pareto_k_reverse": pareto_tail_index(-wr / t),
        },
    )


def mbar_free_energies(reduced_energies: ArrayLike, n_per_state: ArrayLike, temperature: float) -> list[Estimate]:
    """F_k − F_0 for every state k by MBAR (Shirts & Chodera, J. Chem. Phys. 129, 124105 (2008)).

    ``reduced_energies`` is pymbar's u_kn: u[k, n] = βL(x_n, λ_k) for all samples n, ordered by the state that
    drew them (``n_per_state[k]`` each); samples must be uncorrelated. stderr from MBAR's asymptotic covariance;
    n_effective of state k is MBAR's effective sample number (Kish ESS of its weights over all samples).
    """
    u = np.asarray(reduced_energies, dtype=np.float64)
    counts = np.asarray(n_per_state, dtype=np.int64)
    t = _temperature(temperature)
    if u.ndim != 2 or counts.ndim != 1 or u.shape != (counts.size, int(counts.sum())):
        raise ValueError(
            f"reduced_energies must have shape [K, sum(n_per_state)]; got {u.shape} with n_per_state {counts}"
        )
    if not np.all(np.isfinite(u)) or np.any(counts < 0):
        raise ValueError("reduced_energies must be finite and n_per_state non-negative")
    pymbar = pymbar_module()
    mbar = pymbar.MBAR(u, counts)
    result = mbar.compute_free_energy_differences()
    n_eff = mbar.compute_effective_sample_number()
    return [
        Estimate(
            value=t * float(result["Delta_f"][0, k]),
            stderr=t * float(result["dDelta_f"][0, k]),
            n_effective=float(n_eff[k]),
            method="mbar (pymbar)",
            details={"state": k, "n_samples": int(counts.sum())},
        )
        for k in range(counts.size)
    ]


def _statistical_inefficiency(series: FloatArray) -> float:
    """g of a [records, chains] array of equilibrium series (pymbar.timeseries.statistical_inefficiency_multiple:
    Chodera et al., J. Chem. Theory Comput. 3, 26 (2007)); 1 for constant series."""
    if np.all(series == series[0, 0]):
        return 1.0
    pymbar = pymbar_module()
    return float(pymbar.timeseries.statistical_inefficiency_multiple([series[:, c] for c in range(series.shape[1])]))


def mbar_ladder_free_energies(
    reduced_energies: ArrayLike, temperature: float, *, subsample: bool = True, discard: int = 0
) -> list[Estimate]:
    """F(λ_m) − F(λ_0) along a ladder from records u[s, l, c, m] = βL(θ_{s,l,c}, λ_m) (records s of chain c at
    rung l, evaluated at every rung m: the layout of :class:`~thermosym.sampling.protocols.LadderSamples`).

    Drops the first ``discard`` records (equilibration beyond the sampler's burn-in), then, if ``subsample``,
    keeps every ⌈g⌉-th record, g the largest statistical inefficiency of the own-rung series u[:, l, :, l]
    over rungs, so that MBAR's uncorrelated-sample stderr applies.
    """
    u = np.asarray(reduced_energies, dtype=np.float64)
    if u.ndim != 4 or u.shape[1] != u.shape[3]:
        raise ValueError(f"reduced_energies must have shape [records, rungs, chains, rungs], got {u.shape}")
    if not 0 <= discard < u.shape[0]:
        raise ValueError(f"discard must be in [0, {u.shape[0]}), got {discard}")
    u = u[discard:]
    rungs = u.shape[1]
    g = max(_statistical_inefficiency(u[:, l, :, l]) for l in range(rungs)) if subsample else 1.0
    stride = max(1, math.ceil(g))
    kept = u[::stride]
    u_kn = kept.transpose(3, 1, 0, 2).reshape(rungs, -1)  # [m, (l, s, c)], ordered by sampling rung l
    counts = np.full(rungs, kept.shape[0] * kept.shape[2])
    estimates = mbar_free_energies(u_kn, counts, temperature)
    extra = {"statistical_inefficiency": g, "stride": stride, "discard": discard}
    return [Estimate(e.value, e.stderr, e.n_effective, e.method, e.bias, {**e.details, **extra}) for e in estimates]


# ----------------------------------------------------------------------------------------------------------
# thermodynamic integration
# ----------------------------------------------------------------------------------------------------------


def _rung_mean_and_stderr(values: FloatArray) -> tuple[float, float, float]:
    """Mean, stderr and effective sample size of one rung's [records, chains] series.

    With ≥ 8 independent chains the stderr is the spread of the chain means, sd/√chains, exact for independent
    equilibrated chains whatever their autocorrelation; with fewer it is √(g Var/N) with g from pymbar.
    """
    chains = values.shape[1]
    mean = float(values.mean())
    variance = float(values.var(ddof=1)) if values.size > 1 else 0.0
    if chains >= 8:
        stderr = float(values.mean(axis=0).std(ddof=1)) / math.sqrt(chains)
    else:
        stderr = math.sqrt(_statistical_inefficiency(values) * variance / values.size)
    n_eff = variance / stderr**2 if stderr > 0 else float(values.size)
    return mean, stderr, n_eff


def thermodynamic_integration(
    lambdas: ArrayLike, lambda_derivative: ArrayLike, *, rule: str = "simpson", discard: int = 0
) -> Estimate:
    """ΔF = F(λ_last) − F(λ_first) = ∫ ⟨∂L/∂λ⟩_λ dλ (Kirkwood, J. Chem. Phys. 3, 300 (1935)) by quadrature.

    ``lambda_derivative[s, l, c]`` holds equilibrium records s of ∂L/∂λ for chain c at rung l (a trailing axis
    of size 1 is accepted). Each rung's mean carries a stderr (see :func:`_rung_mean_and_stderr`); quadrature
    weights w_l ("simpson" or "trapezoid", scipy) give ΔF = Σ w_l ⟨∂L/∂λ⟩_l and stderr = √(Σ w_l² se_l²).
    ``bias`` bounds the quadrature error by |Simpson − trapezoid| (the coarser rule's error, which exceeds
    the finer one's for smooth integrands); at least 3 rungs are needed for it.
    """
    lam = np.asarray(lambdas, dtype=np.float64).reshape(-1)
    d = np.asarray(lambda_derivative, dtype=np.float64)
    if d.ndim == 4 and d.shape[3] == 1:
        d = d[..., 0]
    if d.ndim != 3 or d.shape[1] != lam.size:
        raise ValueError(
            f"lambda_derivative must have shape [records, {lam.size} rungs, chains] (scalar λ), got {d.shape}"
        )
    if lam.size < 3 or not (np.all(np.diff(lam) > 0) or np.all(np.diff(lam) < 0)):
        raise ValueError("lambdas must be at least 3 strictly monotone values")
    if rule not in ("simpson", "trapezoid"):
        raise ValueError(f"rule must be 'simpson' or 'trapezoid', got {rule!r}")
    if not 0 <= discard < d.shape[0]:
        raise ValueError(f"discard must be in [0, {d.shape[0]}), got {discard}")
    if not np.all(np.isfinite(d)):
        raise ValueError("lambda_derivative contains NaN or inf")
    d = d[discard:]
    stats = np.array([_rung_mean_and_stderr(d[:, l, :]) for l in range(lam.size)])
    means, errors = stats[:, 0], stats[:, 1]
    eye = np.eye(lam.size)
    weights_simpson = simpson(eye, x=lam, axis=1)
    weights_trapezoid = trapezoid(eye, x=lam, axis=1)
    weights = weights_simpson if rule == "simpson" else weights_trapezoid
    value = float(weights @ means)
    quadrature = abs(float((weights_simpson - weights_trapezoid) @ means))
    return Estimate(
        value=value,
        stderr=float(np.sqrt(np.sum((weights * errors) ** 2))),
        n_effective=float(stats[:, 2].sum()),
        method=f"thermodynamic integration ({rule})",
        bias=quadrature,
        details={
            "lambdas": lam.tolist(),
            "mean_derivative": means.tolist(),
            "stderr_derivative": errors.tolist(),
            "quadrature_error_bound": quadrature,
            "discard": discard,
        },
    )


# ----------------------------------------------------------------------------------------------------------
# fluctuation theorem
# ----------------------------------------------------------------------------------------------------------


def fluctuation_theorem_slope(
    sigma: ArrayLike, *, bin_width: float | None = None, min_count: int = 10, max_iterations: int = 50
) -> Estimate:
    """Weighted least-squares slope of ln P(σ)/P(−σ) against σ through the origin (FT: slope 1).

    Crooks, PRE 60, 2721 (1999); Evans & Searles, Adv. Phys. 51, 1529 (2002). Mirror bins [jh, (j + 1)h) and
    (−(j + 1)h, −jh] of |σ| (h = ``bin_width``, default sd(σ)/4) form pairs j with counts n₊, n₋. Per pair:
    y = ln[(n₊ + ½)/(n₋ + ½)] (the ½ removes the O(1/n) bias of an empirical log-odds; Haldane,
    Ann. Hum. Genet. 20, 309 (1956); Anscombe, Biometrika 43, 461 (1956)), abscissa x = (m₊ + m₋)/2 with m±
    the mean |σ| in each bin: since n₋/n₊ = ⟨e^{−sσ}⟩ over the + bin and n₊/n₋ = ⟨e^{s|σ|}⟩ over the − bin
    when ln P(σ)/P(−σ) = sσ, this average cancels the within-bin curvature terms to second order in h.

    Fit: iteratively reweighted least squares (Berkson's minimum logit χ², JASA 48, 565 (1953)). Slope
    ŝ = Σwxy/Σwx², stderr 1/√(Σwx²); the first pass weights by the observed counts, w = 1/(1/n₊ + 1/n₋), the
    next ones by the binomial information w = n p(1 − p) with n = n₊ + n₋ and p = 1/(1 + e^{−ŝx}) of the
    current fit. Bins used: pairs populated on both sides whose *expected* rarer-side count n/(1 + e^{|ŝx|})
    is at least ``min_count`` (the first pass: observed n₊, n₋ ≥ min_count). Selecting on the observed
    rare-side count and weighting by observed counts both bias the slope low (by 0.2–0.8 stderr at
    N = 500–20000 Gaussian samples, measured); the expected-count rules remove that (residual |mean z| ≤ 0.1).
    ``details`` has χ²/dof, the bins used and the number of iterations.
    """
    s = _samples(sigma, "sigma")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    h = float(bin_width) if bin_width is not None else 0.25 * float(s.std())
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"bin_width must be finite and positive, got {bin_width!r}")
    magnitude = np.abs(s)
    index = np.floor(magnitude / h).astype(np.int64)
    positive, negative = s > 0, s < 0
    size = int(index.max()) + 1
    n_plus = np.bincount(index[positive], minlength=size).astype(np.float64)
    n_minus = np.bincount(index[negative], minlength=size).astype(np.float64)
    both = (n_plus > 0) & (n_minus > 0)
    safe_plus, safe_minus = np.maximum(n_plus, 1.0), np.maximum(n_minus, 1.0)
    x_all = 0.5 * (
        np.bincount(index[positive], weights=magnitude[positive], minlength=size) / safe_plus
        + np.bincount(index[negative], weights=magnitude[negative], minlength=size) / safe_minus
    )
    y_all = np.log((n_plus + 0.5) / (n_minus + 0.5))
    total = n_plus + n_minus
    used = (n_plus >= min_count) & (n_minus >= min_count)
    if not used.any():
        raise ValueError(
            f"no bin pair has ≥ {min_count} samples on both sides of σ = 0: the negative tail is too rare "
            "(shorten or slow the protocol, or run more trajectories)"
        )
    weights = 1.0 / (1.0 / n_plus[used] + 1.0 / n_minus[used])
    slope = float(np.sum(weights * x_all[used] * y_all[used]) / np.sum(weights * x_all[used] ** 2))
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        expected_rare = total / (1.0 + np.exp(np.abs(slope * x_all)))
        selection = both & (expected_rare >= min_count)
        if not selection.any():
            break
        p = 1.0 / (1.0 + np.exp(-slope * x_all[selection]))
        new_weights = total[selection] * p * (1.0 - p)
        x, y = x_all[selection], y_all[selection]
        new_slope = float(np.sum(new_weights * x * y) / np.sum(new_weights * x * x))
        converged = abs(new_slope - slope) <= 1e-12 * max(1.0, abs(slope)) and np.array_equal(selection, used)
        slope, used, weights = new_slope, selection, new_weights
        if converged:
            break
    x, y = x_all[used], y_all[used]
    sxx = float(np.sum(weights * x * x))
    chi2 = float(np.sum(weights * (y - slope * x) ** 2))
    return Estimate(
        value=slope,
        stderr=1.0 / math.sqrt(sxx),
        n_effective=float(total[used].sum()),
        method="fluctuation theorem (histogram log-ratio slope)",
        details={
            "bin_width": h,
            "min_count": min_count,
            "n_bins_used": int(used.sum()),
            "bin_sigma": x.tolist(),
            "log_ratio": y.tolist(),
            "counts_positive": n_plus[used].astype(int).tolist(),
            "counts_negative": n_minus[used].astype(int).tolist(),
            "chi2_per_dof": chi2 / max(int(used.sum()) - 1, 1),
            "iterations": iterations,
            "n_samples": int(s.size),
        },
    )


def gaussian_fluctuation_slope(sigma: ArrayLike) -> Estimate:
    """The Gaussian-work shortcut: for Gaussian σ, ln P(σ)/P(−σ) = 2⟨σ⟩σ/Var σ, so the slope is
    2⟨σ⟩/Var σ = 2⟨W − ΔF⟩/(β Var W) (van Zon & Cohen, PRL 91, 110601 (2003)); the FT says it equals 1.

    stderr by the delta method with the sample moments: with m, v, μ₃, μ₄ the mean, variance and central
    moments, Var(slope) ≈ [(2/v)² v + (2m/v²)² (μ₄ − v²) − 2 (2/v)(2m/v²) μ₃]/N.
    """
    s = _samples(sigma, "sigma", minimum=4)
    n = s.size
    m = float(s.mean())
    c = s - m
    v = float(np.sum(c * c) / (n - 1))
    if v <= 0:
        raise ValueError("sigma has zero variance; the Gaussian slope is undefined")
    mu3, mu4 = float(np.mean(c**3)), float(np.mean(c**4))
    dm, dv = 2.0 / v, -2.0 * m / v**2
    var_slope = (dm * dm * v + dv * dv * (mu4 - v * v) + 2.0 * dm * dv * mu3) / n
    return Estimate(
        value=2.0 * m / v,
        stderr=math.sqrt(max(var_slope, 0.0)),
        n_effective=float(n),
        method="fluctuation theorem (Gaussian shortcut 2<sigma>/Var sigma)",
        details={"mean_sigma": m, "var_sigma": v, "skewness": mu3 / v**1.5, "excess_kurtosis": mu4 / v**2 - 3.0},
    )


# ----------------------------------------------------------------------------------------------------------
# second law
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondLawCheck:
    """⟨W⟩ − ΔF and ⟨σ⟩ = β(⟨W⟩ − ΔF) as Estimates; the second law says both are ≥ 0."""

    dissipated_work: Estimate
    entropy_production: Estimate

    def holds(self, k: float = 3.0) -> bool:
        """True unless either mean is below zero by more than k standard errors."""
        return all(e.value + k * e.stderr >= 0 for e in (self.dissipated_work, self.entropy_production))


def second_law_check(work: ArrayLike, delta_f: float | Estimate, temperature: float) -> SecondLawCheck:
    """⟨W⟩ − ΔF ≥ 0 and ⟨σ⟩ ≥ 0 (Jarzynski, PRL 78, 2690 (1997), with Jensen's inequality ⟨e^{−x}⟩ ≥ e^{−⟨x⟩}).

    Trajectories are independent, so stderr(⟨W⟩) = sd(W)/√N; an uncertain ΔF (an Estimate) adds its stderr in
    quadrature and its bias to the bias.
    """
    w = _samples(work, "work")
    t = _temperature(temperature)
    if isinstance(delta_f, Estimate):
        df, df_err, df_bias = delta_f.value, delta_f.stderr, delta_f.bias
    else:
        df, df_err, df_bias = float(delta_f), 0.0, 0.0
    stderr = math.sqrt(float(w.var(ddof=1)) / w.size + df_err**2)
    details: dict[str, Any] = {"n_trajectories": int(w.size), "delta_f": df, "delta_f_stderr": df_err}
    dissipated = Estimate(float(w.mean()) - df, stderr, float(w.size), "mean dissipated work", df_bias, details)
    sigma = Estimate(dissipated.value / t, stderr / t, float(w.size), "mean entropy production", df_bias / t, details)
    return SecondLawCheck(dissipated_work=dissipated, entropy_production=sigma)
