"""Means, variances and their standard errors from autocorrelated Markov chains.

One method throughout: the multi-chain effective sample size of Vehtari, Gelman, Simpson, Carpenter & Bürkner
(Bayesian Analysis 16, 667 (2021); the estimator of Stan and ArviZ) with Geyer's initial monotone
sequence (Statistical Science 7, 473 (1992)). For C chains of n samples with within-chain variance W and
variance of the chain means B/n,

    var⁺ = (n − 1)/n · W + B/n,   ρ_t = 1 − (W − γ̄_t)/var⁺,   τ = −1 + 2 Σ_{k ≤ m} (ρ_{2k} + ρ_{2k+1}),

with γ̄_t the chain-averaged autocovariance at lag t and the pair sums truncated at the first non-positive one
and made monotone; ESS = C n/τ and the standard error of the cross-chain mean is √(var⁺/ESS). τ is the
statistical inefficiency g of pymbar (Chodera et al., J. Chem. Theory Comput. 3, 26 (2007)); unlike a single
pooled series, this combines each chain's own autocorrelation with the disagreement between chains, so chains
that have not mixed inflate the error instead of hiding it.

Equilibration (the one rule used everywhere, ``discard="auto"``): the first t₀ samples of every chain are
dropped, with t₀ the candidate that minimises the squared standard error of the mean of what remains,
var⁺(t₀)·τ(t₀)/(C(n − t₀)) — the marginal standard error rule (MSER) of White (Simulation 69, 323 (1997)),
here with the autocorrelation and between-chain terms above. A transient inflates var⁺ and is cut; dropping
stationary samples only raises the error and is not. Candidates are 0, 1, 2, 4, … (powers of two) and
n/20, 2n/20, …, up to n/2, which keeps the cost linear in n (pymbar's ``detect_equilibration`` with nskip=1 is
quadratic). MSER rather than pymbar's maximal-ESS rule (Chodera, J. Chem. Theory Comput. 12, 1799 (2016)):
on AR(1) chains started 30σ away (tests/sampling/test_statistics.py) the maximal-ESS choice kept the
transient — it inflates the variance more than the autocorrelation time — while MSER cut it.
An integer ``discard`` drops that many samples instead.

Arrays are [samples, chains] (a single series may be 1-D); the ``*_grouped`` helpers take
[samples, groups, chains] and treat each group (e.g. one temperature of a ladder) separately.

>>> import numpy as np
>>> x = np.random.default_rng(0).normal(size=(4000, 4))
>>> round(statistical_inefficiency(x), 1)
1.0
>>> e = mean_estimate(x, discard=0)
>>> bool(abs(e.value) < 3 * e.stderr), round(e.stderr * 40 * 10**0.5, 1)
(True, 1.0)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from thermosym.estimate import Estimate

Discard = int | str

#: number of candidate start points of the equilibration rule (0, n/20, …, n/2)
EQUILIBRATION_GRID = 11
#: memory bound (complex numbers) of one FFT block
_FFT_BLOCK = 4_000_000


def _as_series(values: ArrayLike, name: str = "series") -> np.ndarray:
    """[samples, chains] float64 (a 1-D series becomes one chain); needs ≥ 4 samples and finite values."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be [samples] or [samples, chains], got shape {arr.shape}")
    if arr.shape[0] < 4 or arr.shape[1] < 1:
        raise ValueError(f"{name} needs at least 4 samples and 1 chain, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def _as_grouped(values: ArrayLike, name: str = "series") -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 3 or arr.shape[0] < 4:
        raise ValueError(f"{name} must be [samples (>= 4), groups, chains], got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def autocovariance(values: ArrayLike) -> np.ndarray:
    """Biased autocovariance γ_t = (1/n) Σ_s (x_s − x̄)(x_{s+t} − x̄) of every series along axis 0 (by FFT)."""
    x = np.asarray(values, dtype=np.float64)
    n = x.shape[0]
    flat = x.reshape(n, -1)
    nfft = 1 << (2 * n - 1).bit_length()
    out = np.empty_like(flat)
    block = max(1, _FFT_BLOCK // nfft)
    for start in range(0, flat.shape[1], block):
        part = flat[:, start : start + block]
        centred = part - part.mean(axis=0)
        spectrum = np.fft.rfft(centred, n=nfft, axis=0)
        out[:, start : start + block] = np.fft.irfft(spectrum * spectrum.conj(), n=nfft, axis=0)[:n] / n
    return out.reshape(x.shape)


def _tau_grouped(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(var⁺ [G], τ [G]) for x of shape [n, G, C] (Vehtari et al. 2021 with Geyer's monotone sequence)."""
    n, _, chains = x.shape
    acov = autocovariance(x).mean(axis=2)  # [n, G], chain-averaged
    within = acov[0] * n / (n - 1)
    between = x.mean(axis=0).var(axis=1, ddof=1) if chains > 1 else np.zeros(x.shape[1])
    var_plus = within * (n - 1) / n + between
    tau = np.ones(x.shape[1])
    ok = var_plus > 0
    if not np.any(ok):
        return var_plus, tau
    rho = 1.0 - (within[ok] - acov[:, ok]) / var_plus[ok]
    rho[0] = 1.0
    pairs_n = n // 2
    pairs = rho[: 2 * pairs_n : 2] + rho[1 : 2 * pairs_n : 2]  # [pairs, G]
    positive = np.cumprod(pairs > 0, axis=0).astype(bool)
    monotone = np.minimum.accumulate(np.where(positive, pairs, np.inf), axis=0)
    total = np.where(positive, monotone, 0.0).sum(axis=0)
    t = -1.0 + 2.0 * total
    floor = 1.0 / math.log10(max(n * chains, 10))
    tau[ok] = np.maximum(t, floor)
    return var_plus, tau


def statistical_inefficiency(values: ArrayLike) -> float:
    """g = τ, the integrated autocorrelation time (1 for independent samples), pooled over chains."""
    x = _as_series(values)
    return float(_tau_grouped(x[:, None, :])[1][0])


def effective_sample_size(values: ArrayLike) -> float:
    """ESS = C n/τ of a [samples, chains] array."""
    x = _as_series(values)
    return x.size / statistical_inefficiency(x)


def _equilibration_candidates(n: int) -> list[int]:
    """0, powers of two and multiples of n/20, all at most n/2."""
    powers = [1 << k for k in range(max(1, n.bit_length())) if (1 << k) <= n // 2]
    linear = [round(j * n / (2 * (EQUILIBRATION_GRID - 1))) for j in range(EQUILIBRATION_GRID)]
    return sorted({0, *powers, *linear})


def equilibration_start_grouped(values: ArrayLike) -> np.ndarray:
    """t₀ per group of a [samples, groups, chains] array: the candidate start with the smallest
    var⁺ τ/(C(n − t₀)) (see the module docstring)."""
    x = _as_grouped(values)
    n, _, chains = x.shape
    best_se2 = np.full(x.shape[1], np.inf)
    best = np.zeros(x.shape[1], dtype=int)
    for t0 in _equilibration_candidates(n):
        if n - t0 < 4:
            continue
        var_plus, tau = _tau_grouped(x[t0:])
        se2 = var_plus * tau / ((n - t0) * chains)
        better = se2 < best_se2
        best_se2[better] = se2[better]
        best[better] = t0
    return best


def equilibration_start(values: ArrayLike) -> int:
    """t₀ of a [samples, chains] array by the rule in the module docstring."""
    x = _as_series(values)
    return int(equilibration_start_grouped(x[:, None, :])[0])


def discard_count(values: ArrayLike, discard: Discard) -> int:
    """Number of leading samples to drop: ``discard`` itself (an int) or the ``"auto"`` rule."""
    x = _as_series(values)
    if discard == "auto":
        return equilibration_start(x)
    if isinstance(discard, bool) or not isinstance(discard, int) or discard < 0:
        raise ValueError(f"discard must be a non-negative integer or 'auto', got {discard!r}")
    if x.shape[0] - discard < 4:
        raise ValueError(f"discard={discard} leaves fewer than 4 of {x.shape[0]} samples")
    return discard


def _chain_jackknife(x: np.ndarray, statistic: str) -> float:
    """Delete-one-chain jackknife standard error of the pooled mean or variance (needs ≥ 3 chains)."""
    chains = x.shape[1]
    if chains < 3:
        return math.nan
    sums = x.sum(axis=0)
    sq = (x * x).sum(axis=0)
    count = x.shape[0] * (chains - 1)
    means = (sums.sum() - sums) / count
    values = means if statistic == "mean" else (sq.sum() - sq) / count - means**2
    return float(math.sqrt((chains - 1) / chains * ((values - values.mean()) ** 2).sum()))


def mean_estimate(values: ArrayLike, *, discard: Discard = "auto", method: str = "mean") -> Estimate:
    """The cross-chain mean with stderr √(var⁺/ESS) after dropping the equilibration samples.

    details: ``discarded`` (per chain), ``statistical_inefficiency`` τ, ``n_chains``, ``n_samples`` (per chain,
    kept), ``chain_jackknife_stderr`` (≥ 3 chains; a cross-check that uses only the spread between chains).
    """
    x = _as_series(values)
    t0 = discard_count(x, discard)
    kept = x[t0:]
    var_plus, tau = _tau_grouped(kept[:, None, :])
    ess = kept.size / tau[0]
    return Estimate(
        value=float(kept.mean()),
        stderr=float(math.sqrt(max(var_plus[0], 0.0) / ess)),
        n_effective=float(ess),
        method=method,
        details={
            "discarded": t0,
            "statistical_inefficiency": float(tau[0]),
            "n_chains": int(x.shape[1]),
            "n_samples": int(kept.shape[0]),
            "chain_jackknife_stderr": _chain_jackknife(kept, "mean"),
        },
    )


def variance_estimate(values: ArrayLike, *, discard: Discard = "auto", method: str = "variance") -> Estimate:
    """Var x pooled over chains, with the error of an autocorrelated second moment.

    v̂ = ⟨(x − x̄)²⟩ over all kept samples, corrected by ESS_x/(ESS_x − 1) for the estimated mean
    (E[v̂] = σ²(1 − τ_x/N)); stderr = √(var⁺_y/ESS_y) for the series y = (x − x̄)², i.e. the delta method with
    the autocorrelation of the squared fluctuations (pymbar gives no error for a variance).
    """
    x = _as_series(values)
    t0 = discard_count(x, discard)
    kept = x[t0:]
    mean = kept.mean()
    y = (kept - mean) ** 2
    _, tau_x = _tau_grouped(kept[:, None, :])
    var_y, tau_y = _tau_grouped(y[:, None, :])
    ess_x = kept.size / tau_x[0]
    ess_y = kept.size / tau_y[0]
    correction = ess_x / (ess_x - 1.0) if ess_x > 1.0 else math.nan
    raw = float(y.mean())
    return Estimate(
        value=raw * correction,
        stderr=float(math.sqrt(max(var_y[0], 0.0) / ess_y) * correction),
        n_effective=float(ess_y),
        method=method,
        details={
            "discarded": t0,
            "statistical_inefficiency": float(tau_x[0]),
            "statistical_inefficiency_of_square": float(tau_y[0]),
            "mean_correction_factor": correction,
            "n_chains": int(x.shape[1]),
            "n_samples": int(kept.shape[0]),
            "chain_jackknife_stderr": _chain_jackknife(kept, "variance") * correction,
        },
    )


def mean_estimates_grouped(values: ArrayLike, *, discard: int = 0, method: str = "mean") -> list[Estimate]:
    """:func:`mean_estimate` for every group of a [samples, groups, chains] array, one common ``discard``."""
    x = _as_grouped(values)
    kept = x[discard:]
    if kept.shape[0] < 4:
        raise ValueError(f"discard={discard} leaves fewer than 4 of {x.shape[0]} samples")
    var_plus, tau = _tau_grouped(kept)
    per_group = kept.shape[0] * kept.shape[2]
    means = kept.mean(axis=(0, 2))
    return [
        Estimate(
            value=float(means[g]),
            stderr=float(math.sqrt(max(var_plus[g], 0.0) * tau[g] / per_group)),
            n_effective=float(per_group / tau[g]),
            method=method,
            details={"discarded": discard, "statistical_inefficiency": float(tau[g]), "n_chains": kept.shape[2]},
        )
        for g in range(kept.shape[1])
    ]


def variance_estimates_grouped(values: ArrayLike, *, discard: int = 0, method: str = "variance") -> list[Estimate]:
    """:func:`variance_estimate` for every group of a [samples, groups, chains] array, one common ``discard``."""
    x = _as_grouped(values)
    kept = x[discard:]
    if kept.shape[0] < 4:
        raise ValueError(f"discard={discard} leaves fewer than 4 of {x.shape[0]} samples")
    per_group = kept.shape[0] * kept.shape[2]
    y = (kept - kept.mean(axis=(0, 2), keepdims=True)) ** 2
    _, tau_x = _tau_grouped(kept)
    var_y, tau_y = _tau_grouped(y)
    ess_x = per_group / tau_x
    correction = np.where(ess_x > 1.0, ess_x / np.maximum(ess_x - 1.0, 1e-300), np.nan)
    raw = y.mean(axis=(0, 2))
    return [
        Estimate(
            value=float(raw[g] * correction[g]),
            stderr=float(math.sqrt(max(var_y[g], 0.0) * tau_y[g] / per_group) * correction[g]),
            n_effective=float(per_group / tau_y[g]),
            method=method,
            details={
                "discarded": discard,
                "statistical_inefficiency": float(tau_x[g]),
                "statistical_inefficiency_of_square": float(tau_y[g]),
                "n_chains": kept.shape[2],
            },
        )
        for g in range(kept.shape[1])
    ]
