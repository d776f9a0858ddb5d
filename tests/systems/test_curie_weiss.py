"""Tests of thermosym.systems.curie_weiss against enumeration, Monte Carlo, mean-field theory and FSS limits."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest

from thermosym.systems import curie_weiss as cw
from thermosym.systems.curie_weiss import (
    CurieWeiss,
    critical_binder_cumulant,
    critical_finite_size_expansion,
    critical_scaled_m2,
    curie_weiss_table,
    log_multiplicity_relative,
    mean_field_energy,
    mean_field_entropy,
    mean_field_free_energy,
    mean_field_magnetisation,
    mean_field_specific_heat,
    mean_field_susceptibility,
    measure_mean_field_exponents,
    scaling_moments,
    specific_heat_peak,
    specific_heat_scaling_function,
    specific_heat_scaling_peak,
)

# --- exact finite N against brute force ----------------------------------------------------------------------


def _enumerate(n: int, field: float, temperature: float) -> dict[str, float]:
    """All 2^N configurations, energy from the pair form −(1/2N)∑_{ij}σ_iσ_j − h∑σ_i (no sectors used)."""
    spins = np.array(list(itertools.product((-1.0, 1.0), repeat=n)))
    coupling = np.full((n, n), 1.0 / n)
    energy = -0.5 * np.einsum("ci,ij,cj->c", spins, coupling, spins) - field * spins.sum(axis=1)
    m = spins.mean(axis=1)
    log_w = -energy / temperature
    top = log_w.max()
    w = np.exp(log_w - top)
    z = w.sum()
    p = w / z
    e_mean = p @ energy
    m1, m_abs = p @ m, p @ np.abs(m)
    return {
        "log_partition": top + math.log(z),
        "mean_energy": e_mean,
        "energy_variance": p @ (energy - e_mean) ** 2,
        "magnetisation": m1,
        "abs_magnetisation": m_abs,
        "m2": p @ m**2,
        "m4": p @ m**4,
        "var_abs": p @ (np.abs(m) - m_abs) ** 2,
        "var_m": p @ (m - m1) ** 2,
    }


@pytest.mark.parametrize("n", [1, 2, 5, 9, 14])
@pytest.mark.parametrize("field", [0.0, 0.1, -0.3])
def test_sector_sum_matches_enumeration_of_all_configurations(n: int, field: float) -> None:
    temps = np.array([0.3, 0.7, 1.0, 1.5, 4.0])
    system = CurieWeiss(n, field)
    obs = system.observables(temps)
    for i, t in enumerate(temps):
        ref = _enumerate(n, field, float(t))
        beta = 1.0 / t
        # both sides are float64 sums of ≤ 2^14 positive terms: agreement to 1e-12 relative, and 1e-12 absolute
        # for quantities that vanish by symmetry (⟨m⟩ at h = 0)
        pairs = {
            "log_partition": obs.log_partition[i],
            "mean_energy": obs.mean_energy[i],
            "energy_variance": obs.energy_variance[i],
            "magnetisation": obs.magnetisation[i],
            "abs_magnetisation": obs.abs_magnetisation[i],
            "m2": obs.m2[i],
            "m4": obs.m4[i],
        }
        for key, value in pairs.items():
            assert value == pytest.approx(ref[key], rel=1e-12, abs=1e-12), key
        assert obs.specific_heat[i] == pytest.approx(beta**2 * ref["energy_variance"] / n, rel=1e-12, abs=1e-14)
        var_chi = ref["var_abs"] if field == 0.0 else ref["var_m"]
        assert obs.susceptibility[i] == pytest.approx(beta * n * var_chi, rel=1e-12, abs=1e-12)
        assert obs.field_response[i] == pytest.approx(beta * n * ref["var_m"], rel=1e-12, abs=1e-12)
        binder = 1.0 - ref["m4"] / (3.0 * ref["m2"] ** 2)
        assert obs.binder_cumulant[i] == pytest.approx(binder, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("n", [1, 7, 50, 1000, 10**6])
def test_log_multiplicities_match_exact_binomials(n: int) -> None:
    rel = log_multiplicity_relative(n)
    ks = sorted({0, 1, 2, n // 3, n // 2, n // 2 + 1, n - 1, n} & set(range(n + 1)))
    mpmath.mp.dps = 40
    for k in ks:
        exact = mpmath.log(mpmath.binomial(n, k)) - n * mpmath.log(2)
        # the Stirling form with exact remainders: ~1e-16 relative to the value itself (not to N ln 2);
        # 1e-13 relative + 1e-13 absolute allows the ~N·1e-16 rounding of the k-dependent terms at N = 10⁶
        assert rel[k] == pytest.approx(float(exact), rel=1e-13, abs=1e-13), k


def test_thermodynamic_identities_hold_by_finite_differences() -> None:
    system = CurieWeiss(40, 0.05)
    t, h = 0.9, 1e-4
    # central differences: truncation O(h²)·f''' ≈ 1e-8·O(10), rounding 1e-16·|f|/h ≈ 1e-11 → 1e-6 relative
    d_ln_z = (system.log_partition(t + h) - system.log_partition(t - h)) / (2 * h)
    assert system.mean_energy(t) == pytest.approx(t**2 * d_ln_z, rel=1e-6)
    d_e = (system.mean_energy(t + h) - system.mean_energy(t - h)) / (2 * h)
    assert system.heat_capacity(t) == pytest.approx(d_e, rel=1e-6)
    assert system.specific_heat(t) == pytest.approx(d_e / 40, rel=1e-6)
    d_f = (system.free_energy(t + h) - system.free_energy(t - h)) / (2 * h)
    assert system.entropy(t) == pytest.approx(-d_f, rel=1e-6)
    up = CurieWeiss(40, 0.05 + h).observables(t).magnetisation
    down = CurieWeiss(40, 0.05 - h).observables(t).magnetisation
    assert system.observables(t).field_response == pytest.approx((up - down) / (2 * h), rel=1e-6)


# --- large N against the mean-field limit --------------------------------------------------------------------


def test_large_n_converges_to_mean_field_at_rate_one_over_n_away_from_tc() -> None:
    temps = np.array([0.5, 0.8, 1.5, 2.0])
    c_mf, m_mf = mean_field_specific_heat(temps), mean_field_magnetisation(temps)
    chi_mf = mean_field_susceptibility(temps)
    scaled = {}
    for n in (10**5, 10**6):
        obs = CurieWeiss(n).observables(temps)
        scaled[n] = (n * (obs.specific_heat - c_mf), n * (obs.m2 - m_mf**2), obs)
    # away from T_c all finite-size corrections to c and ⟨m²⟩ are O(1/N): N·(X_N − X_∞) must be the same
    # constant at N = 10⁵ and 10⁶ up to the O(1/N²) term (measured relative change ≤ 3e-3 below T_c,
    # ≤ 4e-4 above); a wrong limit would make N·(X_N − X_∞) grow tenfold
    for a, b in zip(scaled[10**5][:2], scaled[10**6][:2], strict=True):
        assert b == pytest.approx(a, rel=1e-2)
    obs = scaled[10**6][2]
    below, above = temps < 1, temps > 1
    # below T_c: ⟨|m|⟩ → m and the |m| susceptibility → χ_MF, both with O(1/N) corrections (coefficients ≤ 60)
    assert obs.abs_magnetisation[below] == pytest.approx(m_mf[below], abs=1e-4)
    assert obs.susceptibility[below] == pytest.approx(chi_mf[below], abs=1e-3)
    # above T_c: Gaussian m with variance T/(N(T − 1)) (derived from the quadratic part of the sector weight):
    # N⟨m²⟩ → T/(T − 1), βN Var m → 1/(T − 1), the |m| estimator → (1 − 2/π)/(T − 1), N c → 1/(2(T − 1)²)
    t = temps[above]
    n = 10**6
    assert n * obs.m2[above] == pytest.approx(t / (t - 1), rel=1e-4)
    assert obs.field_response[above] == pytest.approx(1 / (t - 1), rel=1e-4)
    assert obs.susceptibility[above] == pytest.approx((1 - 2 / np.pi) / (t - 1), rel=1e-4)
    assert n * obs.specific_heat[above] == pytest.approx(1 / (2 * (t - 1) ** 2), rel=1e-4)


def test_low_temperature_specific_heat_keeps_relative_precision() -> None:
    # c ≈ 4β²e^{−2β} is ~1e-14 at T = 0.05; the finite-N gap is 2 − 2/N instead of 2, a relative shift
    # ≈ 2β·2/N·... = 4e-5 at N = 10⁶, so mean field and exact agree to 1e-4 relative only if 1 − m² is accurate
    temps = np.array([0.05, 0.1])
    exact = CurieWeiss(10**6).specific_heat(temps)
    assert exact == pytest.approx(mean_field_specific_heat(temps), rel=1e-4)
    assert mean_field_specific_heat(0.05) == pytest.approx(4 * 400 * math.exp(-40), rel=1e-8)


# --- mean field ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", [0.0, 0.02, -0.4, 1.5])
def test_mean_field_solves_the_self_consistency_on_the_stable_branch(field: float) -> None:
    temps = np.array([0.05, 0.3, 0.7, 0.99, 1.0, 1.01, 1.5, 3.0])
    m = mean_field_magnetisation(temps, field)
    # the root is exact to rounding: |m − tanh(·)| ≤ 2 ulp of 1 (tanh itself is correctly rounded to ~1 ulp)
    assert np.abs(m - np.tanh((m + field) / temps)) == pytest.approx(0.0, abs=4.5e-16)
    if field != 0.0:
        assert np.all(np.sign(m) == np.sign(field))
    # stability: Landau free energy f(μ) = −T(ln 2 − Ψ(μ)) − μ²/2 − hμ is not lower anywhere on a fine grid
    grid = np.linspace(-1 + 1e-12, 1 - 1e-12, 200001)
    psi = 0.5 * ((1 + grid) * np.log1p(grid) + (1 - grid) * np.log1p(-grid))
    f_at = mean_field_free_energy(temps, field)
    for t, f in zip(temps, f_at, strict=True):
        landau = -t * (np.log(2) - psi) - 0.5 * grid**2 - field * grid
        assert f <= landau.min() + 1e-12


def test_mean_field_thermodynamics_is_consistent() -> None:
    h = 1e-5
    for t, field in [(0.6, 0.0), (0.9, 0.1), (1.4, 0.2), (2.0, -0.05)]:
        # central differences, step 1e-5: truncation ~1e-10, rounding ~1e-11 → 1e-7 relative
        d_e = (mean_field_energy(t + h, field) - mean_field_energy(t - h, field)) / (2 * h)
        assert mean_field_specific_heat(t, field) == pytest.approx(d_e, rel=1e-7, abs=1e-12)
        d_f = (mean_field_free_energy(t + h, field) - mean_field_free_energy(t - h, field)) / (2 * h)
        assert mean_field_entropy(t, field) == pytest.approx(-d_f, rel=1e-7)
        e = mean_field_energy(t, field)
        assert mean_field_free_energy(t, field) == pytest.approx(e - t * mean_field_entropy(t, field), rel=1e-14)
        if field == 0.0 and t < 1.0:
            # the stable branch jumps from −m to +m across h = 0: only the one-sided derivative exists there;
            # forward difference with step 1e-7: truncation O(h·m″) ≈ 1e-7 relative, rounding 1e-9
            d_m = (mean_field_magnetisation(t, 1e-7) - mean_field_magnetisation(t, 0.0)) / 1e-7
            assert mean_field_susceptibility(t, field) == pytest.approx(d_m, rel=1e-6)
        else:
            d_m = (mean_field_magnetisation(t, field + h) - mean_field_magnetisation(t, field - h)) / (2 * h)
            assert mean_field_susceptibility(t, field) == pytest.approx(d_m, rel=1e-7)


def test_mean_field_critical_behaviour_closed_forms() -> None:
    tau = np.array([1e-8, 1e-6])
    above_t, below_t = 1 + tau, 1 - tau
    tau_above, tau_below = above_t - 1, 1 - below_t  # exact in float64 (Sterbenz), unlike the τ typed above
    # c = 3/2 + O(τ) just below T_c (the jump) and exactly 0 above
    assert mean_field_specific_heat(1 - tau) == pytest.approx(1.5, abs=1e-5)
    assert np.all(mean_field_specific_heat(1 + tau) == 0.0)
    assert mean_field_specific_heat(1.0) == 0.0
    # χ = 1/(T − 1) exactly above; χ = 1/(2τ)(1 + O(τ)) below; m = √(3τ)(1 + O(τ))
    assert mean_field_susceptibility(above_t) * tau_above == pytest.approx(1.0, rel=1e-12)
    assert 2 * tau_below * mean_field_susceptibility(below_t) == pytest.approx(1.0, rel=1e-5)
    assert mean_field_magnetisation(below_t) / np.sqrt(3 * tau_below) == pytest.approx(1.0, rel=1e-5)
    assert math.isinf(float(mean_field_susceptibility(1.0)))
    # critical isotherm m = (3h)^{1/3}(1 + O(h^{2/3}))
    assert float(mean_field_magnetisation(1.0, 1e-12)) == pytest.approx((3e-12) ** (1 / 3), rel=1e-7)


def test_measured_mean_field_exponents_match_exact_values() -> None:
    fits = measure_mean_field_exponents()
    assert set(fits) == {"alpha", "beta", "gamma_above", "gamma_below", "delta"}
    # fits over τ ∈ [1e-7, 1e-5] (h ∈ [1e-12, 1e-9]): the leading corrections are O(τ) and O(h^{2/3}),
    # so exponents and amplitudes are exact to ≲ 1e-5 (measured: |Δβ| = 7e-7, |Δγ| = 3e-6, |Δα| = 3e-6,
    # |Δδ| = 5e-7); tolerance 1e-4 = ten times the correction size
    for fit in fits.values():
        assert fit.exponent == pytest.approx(fit.exact_exponent, abs=1e-4), fit.name
        assert fit.amplitude == pytest.approx(fit.exact_amplitude, rel=1e-4), fit.name
    assert fits["beta"].exact_amplitude == pytest.approx(math.sqrt(3))
    # a fit far from T_c must not return the critical exponent: the method can fail
    far = cw.measure_order_parameter_exponent(np.geomspace(0.2, 0.5, 5))
    assert abs(far.exponent - 0.5) > 0.05


# --- finite-size scaling -------------------------------------------------------------------------------------


def test_universal_critical_values_match_gamma_function_closed_forms() -> None:
    # closed forms against direct quadrature of the limiting law exp(−u⁴/12) (quad, rel 1e-13)
    u2, u4 = scaling_moments(0.0)
    assert critical_scaled_m2() == pytest.approx(u2, rel=1e-11)
    assert critical_binder_cumulant() == pytest.approx(1 - u4 / (3 * u2**2), rel=1e-11)
    assert u4 == pytest.approx(3.0, rel=1e-11)
    mpmath.mp.dps = 30
    assert critical_scaled_m2() == pytest.approx(float(mpmath.sqrt(12) * mpmath.gamma(0.75) / mpmath.gamma(0.25)))
    assert critical_binder_cumulant() == pytest.approx(float(1 - mpmath.gamma(0.25) ** 4 / (24 * mpmath.pi**2)))


def test_critical_point_at_n_one_million_matches_fss_limits_with_derived_correction() -> None:
    expansion = critical_finite_size_expansion()
    assert expansion["m2_scaled"][0] == pytest.approx(critical_scaled_m2(), rel=1e-14)
    assert expansion["binder_cumulant"][0] == pytest.approx(critical_binder_cumulant(), rel=1e-14)
    residuals: dict[int, dict[str, float]] = {}
    for n in (10**4, 10**6):
        obs = CurieWeiss(n).observables(1.0)
        values = {
            "m2_scaled": math.sqrt(n) * float(obs.m2),
            "m4_scaled": n * float(obs.m4),
            "binder_cumulant": float(obs.binder_cumulant),
            "specific_heat": float(obs.specific_heat),
        }
        residuals[n] = {}
        for key, value in values.items():
            limit, first = expansion[key]
            # without the derived N^{−1/2} term the limits are missed by |a₁|/√N ≈ 3e-4 (√N⟨m²⟩), 3e-4 (U)
            if n == 10**6:
                assert abs(value - limit) > 0.5 * abs(first) / math.sqrt(n), key
            residuals[n][key] = (value - limit - first / math.sqrt(n)) * n
    # with it, what is left is O(1/N): N × residual has the same coefficient at 10⁴ and 10⁶ (measured 0.144,
    # 1.17, 0.095, 0.19), so |residual| at N = 10⁶ is ≤ 2e-6; a wrong a₁ would leave a residual ∝ √N here
    for key in residuals[10**6]:
        assert residuals[10**6][key] == pytest.approx(residuals[10**4][key], rel=0.02), key
        assert abs(residuals[10**6][key]) < 2.0, key


def test_specific_heat_scaling_function_limits() -> None:
    # deep in the ordered side the scaling function tends to the mean-field jump 3/2 (with O(1/|x|²)
    # corrections); at x = 0 it is Var₀(u²)/4 = (3 − ⟨u²⟩₀²)/4
    assert specific_heat_scaling_function(-40.0) == pytest.approx(1.5, abs=2e-3)
    assert specific_heat_scaling_function(0.0) == pytest.approx((3 - critical_scaled_m2() ** 2) / 4, rel=1e-10)
    x_star, c_star = specific_heat_scaling_peak()
    assert x_star == pytest.approx(-2.2568, abs=1e-4)
    assert c_star == pytest.approx(1.6573, abs=1e-4)
    assert c_star > 1.5 + 0.15  # the peak overshoots the mean-field jump


def test_specific_heat_peak_shifts_as_n_to_the_minus_half_and_tends_to_scaling_maximum() -> None:
    x_star, c_star = specific_heat_scaling_peak()
    ns = np.array([10**4, 10**5, 10**6])
    peaks = np.array([specific_heat_peak(int(n)) for n in ns])
    shift = 1 - peaks[:, 0]
    slope = np.polyfit(np.log(ns), np.log(shift), 1)[0]
    # 1 − T* = −x*/√N (1 + O(N^{−1/2})): local slopes measured −0.492 (10⁴→10⁵) and −0.497 (10⁵→10⁶);
    # the O(N^{−1/2}) correction bounds |slope + ½| by 0.01 over this range
    assert slope == pytest.approx(-0.5, abs=0.01)
    assert shift[-1] * math.sqrt(ns[-1]) == pytest.approx(-x_star, rel=0.01)
    # the peak height approaches c* = 1.6573, not 3/2, with an N^{−1/2} correction: (c* − c_N)√N is the
    # same constant (measured 5.1–5.2) at 10⁵ and 10⁶, to the O(N^{−1/2}) relative change ≈ 3 %
    gaps = (c_star - peaks[:, 1]) * np.sqrt(ns)
    assert gaps[2] == pytest.approx(gaps[1], rel=0.03)
    assert peaks[-1, 1] > 1.5 + 0.1


# --- Metropolis Monte Carlo at small N -----------------------------------------------------------------------


def _metropolis(n: int, temperature: float, n_chains: int, n_sweeps: int, burn: int, seed: int) -> np.ndarray:
    """Single-spin-flip Metropolis, vectorised over chains; returns (E, m²) per sweep per chain."""
    rng = np.random.default_rng(seed)
    spins = rng.choice([-1.0, 1.0], size=(n_chains, n))
    magnet = spins.sum(axis=1)
    rows = np.arange(n_chains)
    out = np.empty((n_sweeps - burn, 2, n_chains))
    for sweep in range(n_sweeps):
        for _ in range(n):
            site = rng.integers(n, size=n_chains)
            s = spins[rows, site]
            new_m = magnet - 2 * s
            delta = -(new_m**2 - magnet**2) / (2 * n)
            accept = rng.random(n_chains) < np.exp(-np.maximum(delta, 0) / temperature)
            spins[rows[accept], site[accept]] = -s[accept]
            magnet = np.where(accept, new_m, magnet)
        if sweep >= burn:
            out[sweep - burn, 0] = -(magnet**2) / (2 * n)
            out[sweep - burn, 1] = (magnet / n) ** 2
    return out


@pytest.mark.parametrize("temperature", [0.8, 1.0, 1.5])
def test_metropolis_monte_carlo_agrees_with_exact_sums(temperature: float) -> None:
    n = 20
    samples = _metropolis(n, temperature, n_chains=256, n_sweeps=400, burn=50, seed=int(100 * temperature))
    energy, m2 = samples[:, 0, :], samples[:, 1, :]
    # per-chain estimates; independent chains → error bar from the spread across chains (accounts for
    # autocorrelation within each chain). c uses per-chain ⟨E²⟩ − ⟨E⟩², whose O(τ/n_sweeps) bias is
    # removed by pooling E over chains (the pooled mean) before squaring
    pooled_mean = energy.mean()
    per_chain_var = ((energy - pooled_mean) ** 2).mean(axis=0)
    c_chain = per_chain_var / temperature**2 / n
    m2_chain = m2.mean(axis=0)
    exact = CurieWeiss(n).observables(temperature)
    k = np.sqrt(m2_chain.size)
    # 4σ for six comparisons: false-alarm probability ≈ 4e-4 for Gaussian errors
    assert abs(m2_chain.mean() - float(exact.m2)) < 4 * m2_chain.std(ddof=1) / k
    assert abs(c_chain.mean() - float(exact.specific_heat)) < 4 * c_chain.std(ddof=1) / k


# --- table and validation ------------------------------------------------------------------------------------


def test_table_rows_for_finite_and_infinite_n() -> None:
    temps = [0.6, 0.8, 1.0, 1.2]
    rows = curie_weiss_table(20, temps)
    obs = CurieWeiss(20).observables(temps)
    keys = {
        "n_spins",
        "temperature",
        "field",
        "specific_heat",
        "magnetisation",
        "abs_magnetisation",
        "m2",
        "m4",
        "susceptibility",
        "field_response",
        "binder_cumulant",
    }
    assert [set(r) for r in rows] == [keys] * 4
    assert [r["specific_heat"] for r in rows] == pytest.approx(obs.specific_heat, rel=1e-15)
    assert [r["binder_cumulant"] for r in rows] == pytest.approx(obs.binder_cumulant, rel=1e-15)
    mf = curie_weiss_table(None, temps)
    assert [r["n_spins"] for r in mf] == [None] * 4
    assert mf[0]["abs_magnetisation"] == pytest.approx(float(mean_field_magnetisation(0.6)))
    assert mf[2]["binder_cumulant"] == pytest.approx(critical_binder_cumulant())
    assert mf[3]["susceptibility"] == pytest.approx(5.0)
    assert mf[0]["binder_cumulant"] == pytest.approx(2 / 3) and mf[3]["binder_cumulant"] == 0.0


def test_parameters_and_bad_input() -> None:
    assert CurieWeiss(10, 0.5).parameters() == {"n_spins": 10, "field": 0.5}
    assert CurieWeiss(10).name == "curie-weiss"
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_spins"):
            CurieWeiss(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_spins must be at most"):
        CurieWeiss(10**8)
    with pytest.raises(ValueError, match="field"):
        CurieWeiss(10, math.nan)
    with pytest.raises(ValueError, match="temperature"):
        CurieWeiss(10).observables([1.0, -1.0])
    with pytest.raises(ValueError, match="temperature"):
        mean_field_magnetisation(0.0)
    with pytest.raises(ValueError, match="side"):
        cw.measure_susceptibility_exponent(side="left")
