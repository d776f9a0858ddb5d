"""Tests of thermosym.systems.perceptron (and its quadrature helpers in thermosym.systems._gauss).

Published values: Engel & Van den Broeck, *Statistical Mechanics of Learning* (2001) [EvdB]: αε → 0.625 (Gibbs)
and 0.442 (Bayes); Györgyi, PRA 41, 7097 (1990) and Seung, Sompolinsky & Tishby, PRA 45, 6056 (1992) [SST]:
Ising student α_c ≈ 1.245, spinodal ≈ 1.49.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, optimize

from thermosym.systems import perceptron as pc
from thermosym.systems._gauss import gauss_tail, gaussian_expectation, inverse_mills, log_gauss_tail

# --- quadrature helpers --------------------------------------------------------------------------------------


def test_gaussian_expectation_integrates_moments_and_sharp_steps() -> None:
    # polynomial moments of Dt: exact to rounding
    assert gaussian_expectation(lambda t: np.ones_like(t)) == pytest.approx(1.0, abs=1e-15)
    assert gaussian_expectation(lambda t: t**4) == pytest.approx(3.0, rel=1e-14)
    assert gaussian_expectation(lambda t: t**6) == pytest.approx(15.0, rel=1e-14)
    # a step of width 1/k at 0, against adaptive quadrature in the stretched variable u = kt (independent)
    for k in (0.3, 7.0, 1e3, 1e5):

        def stretched(u: float, k: float = k) -> float:
            return (
                math.exp(-0.5 * (u / k) ** 2) / (k * math.sqrt(2 * math.pi)) * float(gauss_tail(u) * log_gauss_tail(u))
            )

        ref = sum(
            integrate.quad(stretched, lo, hi, epsabs=0, epsrel=1e-13, limit=400)[0]
            for lo, hi in ((-np.inf, 0.0), (0.0, np.inf))
        )
        assert pc.energetic_term(k) == pytest.approx(ref, rel=1e-12)
    # a step away from 0 (the Ising integrands): ∫Dz tanh(a(z − c)) = E sign(z − c) for large a
    c = -1.3
    value = gaussian_expectation(lambda z: np.tanh(1e6 * (z - c)), feature_at=c, feature_width=1e-6)
    assert value == pytest.approx(1 - 2 * float(gauss_tail(-c)), abs=1e-11)


def test_gauss_tail_functions_are_accurate_in_the_tails() -> None:
    mpmath.mp.dps = 30
    for x in (-30.0, -5.0, 0.0, 3.0, 20.0, 35.0):
        exact = mpmath.erfc(x / mpmath.sqrt(2)) / 2
        assert float(gauss_tail(x)) == pytest.approx(float(exact), rel=1e-13)
        assert float(log_gauss_tail(x)) == pytest.approx(float(mpmath.log(exact)), rel=1e-13)
        mills = mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi) / exact
        assert float(inverse_mills(x)) == pytest.approx(float(mills), rel=1e-13)
    assert float(log_gauss_tail(300.0)) == pytest.approx(-45000 - math.log(300 * math.sqrt(2 * math.pi)), rel=1e-9)


def test_energetic_term_limits() -> None:
    assert pc.energetic_term(0.0) == pytest.approx(-0.5 * math.log(2), rel=1e-15)
    # G(k) = −c/k + O(k⁻³), c = (2π)^{−1/2} ∫du H(u) ln(1/H(u)) (substitute u = kt, expand the Gaussian)
    f = lambda u: float(gauss_tail(u) * log_gauss_tail(u))  # noqa: E731
    c = -sum(integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-13)[0] for lo, hi in ((-np.inf, 0), (0, np.inf)))
    c /= math.sqrt(2 * math.pi)
    assert c == pytest.approx(0.3603236, abs=1e-7)
    assert 1e4 * pc.energetic_term(1e4) == pytest.approx(-c, rel=1e-7)


# --- spherical student ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0])
def test_gibbs_saddle_point_root_and_entropy_maximum_agree(alpha: float) -> None:
    root = pc.spherical_gibbs(alpha)
    top = pc.spherical_gibbs_by_maximisation(alpha)
    # bounded maximisation locates the maximiser to ~√eps relative in ln(1 − R): Δε ≤ 1e-7 (measured ≤ 6e-9)
    assert top.error == pytest.approx(root.error, abs=1e-7)
    # and the root is the stationary point: central difference of s in ln(1 − R), step 1e-4 → truncation
    # 1e-8·s‴, rounding 1e-16/1e-4 → |ds/dy| ≤ 1e-7
    y = math.log(root.one_minus_overlap)
    s = lambda y: pc.spherical_gibbs_entropy(None, alpha, one_minus_overlap=math.exp(y))  # noqa: E731
    assert (s(y + 1e-4) - s(y - 1e-4)) / 2e-4 == pytest.approx(0.0, abs=1e-7)
    assert s(y) > s(y + 0.05) and s(y) > s(y - 0.05)


@pytest.mark.parametrize("q", [0.05, 0.3, 0.7, 0.95, 0.999])
def test_stationarity_condition_is_the_derivative_of_the_energetic_term(q: float) -> None:
    # the two forms of REFERENCES §3 are consistent iff d/dq[2G(√(q/(1 − q)))] = I(q)/(2π√(1 − q));
    # central difference with step h = 1e-6·(1 − q): relative truncation ~1e-12/(1 − q)², rounding ~1e-10
    h = 1e-6 * (1 - q)
    g = lambda x: 2 * pc.energetic_term(math.sqrt(x / (1 - x)))  # noqa: E731
    numeric = (g(q + h) - g(q - h)) / (2 * h)
    assert numeric == pytest.approx(pc.saddle_integral(q) / (2 * math.pi * math.sqrt(1 - q)), rel=1e-7)


def test_small_alpha_and_zero_alpha() -> None:
    assert pc.spherical_gibbs(0.0).error == 0.5
    # R = (α/π) I(0) (1 + O(α)) with I(0) = ∫Dt 2 = 2: R/(2α/π) − 1 = O(α) (measured ≈ 0.6α)
    alpha = 1e-4
    assert pc.saddle_integral(0.0) == pytest.approx(2.0, rel=1e-15)
    assert pc.spherical_gibbs(alpha).overlap / (2 * alpha / math.pi) == pytest.approx(1.0, abs=2 * alpha)


def test_published_large_alpha_asymptotes_and_next_order() -> None:
    asym = pc.spherical_asymptotes()
    # EvdB quote 0.625 (Gibbs) and 0.442 (Bayes) to three digits
    assert round(asym["gibbs_c1"], 3) == 0.625
    assert round(asym["bayes_c1"], 3) == 0.442
    assert asym["gibbs_c1"] == pytest.approx(math.sqrt(2) * asym["bayes_c1"], rel=1e-15)
    for alpha in (20.0, 50.0, 100.0, 1000.0):
        g, b = pc.spherical_gibbs(alpha), pc.spherical_bayes(alpha)
        # the derived next order c₂/α² (c₂ = −0.969, −0.614) leaves an O(α⁻⁴) remainder: measured
        # α⁴ × remainder = 2.98 (Gibbs), 1.83 (Bayes) for α ≥ 20; bound 5 and 3
        assert abs(alpha * g.error - asym["gibbs_c1"] - asym["gibbs_c2"] / alpha**2) < 5.0 / alpha**4
        assert abs(alpha * b.error - asym["bayes_c1"] - asym["bayes_c2"] / alpha**2) < 3.0 / alpha**4
        # the c₂ term is not negligible at these α (so the check above is not vacuous)
        assert abs(alpha * g.error - asym["gibbs_c1"]) > 0.5 * abs(asym["gibbs_c2"]) / alpha**2


def test_bayes_beats_gibbs_and_annealed_is_worse() -> None:
    for alpha in (0.5, 1.0, 2.0, 5.0, 10.0):
        g, b, a = pc.spherical_gibbs(alpha), pc.spherical_bayes(alpha), pc.spherical_annealed(alpha)
        assert b.error < g.error < a.error
        assert b.overlap == pytest.approx(math.sqrt(g.overlap), rel=1e-14)


def test_annealed_approximation() -> None:
    for alpha in (0.5, 3.0, 40.0):
        a = pc.spherical_annealed(alpha)
        res = optimize.minimize_scalar(
            lambda r, alpha=alpha: -pc.annealed_entropy(r, alpha),
            bounds=(0.0, 1 - 1e-12),
            method="bounded",
            options={"xatol": 1e-12},
        )
        # independent maximisation over R: agreement to the maximiser's ~1e-8 precision
        assert a.overlap == pytest.approx(float(res.x), abs=1e-7)
    # αε = α/(α + 1) − π²/(3α²) + O(α⁻³) (expanding π cot(πε) = α/(1 − ε)); measured α³ × remainder ≈ 13
    for alpha in (100.0, 1000.0):
        eps = pc.spherical_annealed(alpha).error
        assert abs(alpha * eps - alpha / (alpha + 1) + math.pi**2 / (3 * alpha**2)) < 20 / alpha**3


@pytest.mark.parametrize("alpha_tilde", [0.01, 0.5, 1.0, 3.0, 10.0, 100.0])
def test_high_temperature_closed_form_matches_maximisation(alpha_tilde: float) -> None:
    closed = pc.spherical_high_temperature(alpha_tilde)
    numeric = pc.spherical_high_temperature_by_maximisation(alpha_tilde)
    assert closed.error == pytest.approx(math.atan(math.pi / alpha_tilde) / math.pi, rel=1e-15)
    assert numeric.error == pytest.approx(closed.error, abs=1e-8)  # bounded maximiser, xatol 1e-13 in ε
    assert closed.overlap == pytest.approx(math.cos(math.pi * closed.error), rel=1e-14)


# --- Ising student -------------------------------------------------------------------------------------------


def test_ising_transition_and_spinodal_match_published_values() -> None:
    tr = pc.ising_transition()
    # Györgyi (1990), SST (1992): α_c ≈ 1.245 (4 digits → ±5e-4), spinodal ≈ 1.49 (±5e-3)
    assert tr.alpha_c == pytest.approx(1.245, abs=5e-4)
    assert tr.alpha_spinodal == pytest.approx(1.49, abs=5e-3)
    assert tr.alpha_c < tr.alpha_spinodal
    # the branch entropy vanishes at α_c and the branch is a stationary point of s(q, q̂) there
    q, a = tr.q_at_transition, tr.alpha_c
    assert pc.ising_entropy(q, a, q_hat=pc.ising_conjugate_from_overlap(q)) == pytest.approx(0.0, abs=1e-12)
    assert pc.ising_overlap_from_conjugate(pc.ising_conjugate(q, a)) == pytest.approx(q, abs=1e-12)


def test_ising_branch_is_a_stationary_point_of_the_entropy() -> None:
    alpha = 1.0
    point = pc.ising_gibbs(alpha)
    assert point.branch_overlap is not None
    q = point.branch_overlap
    qh = pc.ising_conjugate_from_overlap(q)
    assert qh == pytest.approx(pc.ising_conjugate(q, alpha), rel=1e-12)
    # ∂s/∂q = 0 and ∂s/∂q̂ = 0 (central differences, step 1e-5: truncation ~1e-10, rounding ~1e-11)
    h = 1e-5
    ds_dq = (pc.ising_entropy(q + h, alpha, q_hat=qh) - pc.ising_entropy(q - h, alpha, q_hat=qh)) / (2 * h)
    ds_dqh = (pc.ising_entropy(q, alpha, q_hat=qh + h) - pc.ising_entropy(q, alpha, q_hat=qh - h)) / (2 * h)
    assert ds_dq == pytest.approx(0.0, abs=1e-8)
    assert ds_dqh == pytest.approx(0.0, abs=1e-8)


def test_ising_branch_disappears_beyond_the_spinodal() -> None:
    tr = pc.ising_transition()
    grid = np.linspace(0.01, 0.999, 400)

    def mismatch(alpha: float) -> np.ndarray:
        return np.array([pc.ising_overlap_from_conjugate(pc.ising_conjugate(q, alpha)) - q for q in grid])

    # just below the spinodal the fixed-point map q ↦ ∫Dz tanh(q̂(q) + √q̂(q) z) has roots below 1 (sign
    # changes on the grid); 1 % above it has none (the map stays above the diagonal)
    below = mismatch(0.99 * tr.alpha_spinodal)
    above = mismatch(1.01 * tr.alpha_spinodal)
    assert np.any(below < 0)
    assert np.all(above > 0)
    assert pc.ising_gibbs(1.01 * tr.alpha_spinodal).branch_overlap is None


def test_ising_gibbs_points_across_the_transition() -> None:
    tr = pc.ising_transition()
    low = pc.ising_gibbs(1.0)
    assert not low.beyond_transition and 0 < low.overlap < 1 and low.entropy > 0
    meta = pc.ising_gibbs(0.5 * (tr.alpha_c + tr.alpha_spinodal))
    assert meta.beyond_transition and meta.overlap == 1.0 and meta.error == 0.0
    assert meta.branch_entropy is not None and meta.branch_entropy < 0
    zero = pc.ising_gibbs(0.0)
    assert zero.entropy == pytest.approx(math.log(2)) and zero.error == pytest.approx(0.5)
    # the Ising student generalises better than the spherical one at equal α (smaller version space)
    assert low.error < pc.spherical_gibbs(1.0).error


def test_ising_high_temperature_transition_by_brute_force_grid() -> None:
    tr = pc.ising_high_temperature_transition()
    # SST (1990/1992) quote a first-order transition near α/T ≈ 1.7; computed 1.69593
    assert tr.alpha_tilde_c == pytest.approx(1.70, abs=0.01)
    assert tr.alpha_tilde_c < tr.alpha_tilde_spinodal
    r = np.cos(np.pi * np.linspace(1e-9, 0.5, 200001))  # R ∈ [0, 1), dense in ε

    def interior_max(a: float) -> float:
        f = np.array([pc.ising_high_temperature_free_entropy(x, a) for x in r[::50]])
        return float(f.max())

    # f(1) = 0 exactly; below α̃_c some R < 1 has f > 0, above it none (the maximum over the grid is the
    # value near R = 1, i.e. < 0 but → 0)
    assert pc.ising_high_temperature_free_entropy(1.0, 1.3) == 0.0
    assert interior_max(0.99 * tr.alpha_tilde_c) > 0
    assert interior_max(1.01 * tr.alpha_tilde_c) < 1e-12
    # the interior stationary point disappears at the spinodal: f is monotone in ε beyond it
    eps = np.linspace(1e-6, 0.5, 20001)
    for a, monotone in ((0.99 * tr.alpha_tilde_spinodal, False), (1.01 * tr.alpha_tilde_spinodal, True)):
        f = np.array([pc.ising_high_temperature_free_entropy(math.cos(math.pi * e), a) for e in eps])
        assert bool(np.all(np.diff(f) < 0)) is monotone
    point = pc.ising_high_temperature(1.0)
    assert not point.beyond_transition and 0 < point.error < 0.5


# --- finite-N Monte Carlo of the version space ---------------------------------------------------------------


def test_version_space_sampler_matches_rejection_sampling_on_the_same_data() -> None:
    # brute force: at N = 6, α = 1 a random direction lands in the version space with probability ≳ 1 %, so
    # rejection sampling is exact and cheap; both estimators see the same 16 data sets. (A larger run,
    # N = 10, 64 data sets, 4000 accepted draws each: difference 3e-5 ± 2.4e-4.)
    n, alpha, n_data = 6, 1.0, 16
    rng = np.random.default_rng(11)
    data = pc.teacher_student_data(n, alpha, n_data, rng)
    a = data.constraints
    rej = np.empty(n_data)
    for d in range(n_data):
        w = rng.standard_normal((100_000, n))
        ok = w[np.all(w @ a[d].T > 0, axis=1)]
        rej[d] = np.mean(np.arccos(np.clip(ok @ data.teachers[d] / np.linalg.norm(ok, axis=1), -1, 1)) / np.pi)
    samples = pc.sample_version_space(a, data.teachers * math.sqrt(n), 400, rng)[2:]
    overlap = np.einsum("idn,dn->id", samples, data.teachers) / np.linalg.norm(samples, axis=2)
    hmc = np.mean(np.arccos(np.clip(overlap, -1, 1)) / np.pi, axis=0)
    assert np.all(np.einsum("idn,dpn->idp", samples, a) > 0)
    diff = hmc - rej
    # paired difference over data sets (disorder cancels); σ from the spread; 4σ
    assert abs(diff.mean()) < 4 * diff.std(ddof=1) / math.sqrt(n_data)
    assert diff.std(ddof=1) / math.sqrt(n_data) < 3e-3  # the comparison has power


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_monte_carlo_version_space_agrees_with_replica_theory_at_n_50(alpha: float) -> None:
    n = 50
    mc = pc.monte_carlo_gibbs_error(n, alpha, n_datasets=256, n_iterations=8, burn_in=2, seed=int(10 * alpha))
    theory = pc.spherical_gibbs(alpha).error
    # finite-size bias: a separate study (N = 25…400, 1024 data sets each, α = 1, 2, 4) fitted
    # ε_N = ε_∞ + a/N with a = −0.145 ± 0.021, −0.188 ± 0.020, −0.112 ± 0.018 and ε_∞ within 2.3σ of the replica
    # value (see the slow test); bound |bias| ≤ 0.3/N. Sampling error: 3σ with σ the data-set spread/√D.
    tolerance = 3 * mc.stderr + 0.3 / n
    assert abs(mc.mean - theory) < tolerance
    # the check discriminates: the annealed and Bayes errors are outside it
    assert abs(pc.spherical_annealed(alpha).error - mc.mean) > tolerance
    assert abs(pc.spherical_bayes(alpha).error - mc.mean) > tolerance


@pytest.mark.slow
@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_monte_carlo_extrapolated_to_infinite_n_matches_replica_theory(alpha: float) -> None:
    sizes = np.array([50, 100, 200])
    means, errs = [], []
    for n in sizes:
        mc = pc.monte_carlo_gibbs_error(
            int(n), alpha, n_datasets=1024, n_iterations=8, burn_in=2, seed=1000 + int(n) + int(100 * alpha)
        )
        means.append(mc.mean)
        errs.append(mc.stderr)
    x = np.c_[np.ones(sizes.size), 1.0 / sizes]
    weights = np.diag(1.0 / np.square(errs))
    cov = np.linalg.inv(x.T @ weights @ x)
    eps_inf, slope = cov @ x.T @ weights @ np.array(means)
    theory = pc.spherical_gibbs(alpha).error
    # 3σ of the weighted fit, plus 1e-4 for an unresolved 1/N² term (|b| ≲ 1 moves the N = 50–200
    # extrapolation by ≲ b/(50·200)·1… ≈ 1e-4); the study found |ε_∞ − theory| = 0.7e-4 (α = 1), 4.6e-4 ± 2e-4
    # (α = 2, N ≥ 25) — replica symmetry is exact here (Gibbs learning on the Nishimori line)
    assert abs(eps_inf - theory) < 3 * math.sqrt(cov[0, 0]) + 1e-4
    assert -0.4 < slope < 0.0


# --- table and validation ------------------------------------------------------------------------------------


def test_table_matches_the_functions() -> None:
    alphas = [0.5, 1, 2, 5, 10]
    rows = pc.perceptron_table(alphas)
    assert [r["alpha"] for r in rows] == alphas
    for row, alpha in zip(rows, alphas, strict=True):
        assert row["gibbs_error"] == pc.spherical_gibbs(alpha).error
        assert row["bayes_error"] == pc.spherical_bayes(alpha).error
        assert row["annealed_error"] == pc.spherical_annealed(alpha).error
        ising = pc.ising_gibbs(alpha)
        assert row["ising_error"] == ising.error and row["ising_beyond_transition"] == ising.beyond_transition
    assert [r["ising_beyond_transition"] for r in rows] == [False, False, True, True, True]
    assert rows[2]["ising_error"] == 0.0 and rows[2]["ising_branch_overlap"] is None


def test_bad_input_raises_value_error_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="alpha"):
        pc.spherical_gibbs(-1.0)
    with pytest.raises(ValueError, match="alpha"):
        pc.perceptron_table([1.0, math.inf])
    with pytest.raises(ValueError, match="alpha_tilde"):
        pc.spherical_high_temperature(-0.1)
    with pytest.raises(ValueError, match="overlap"):
        pc.spherical_gibbs_entropy(1.0, 1.0)
    with pytest.raises(ValueError, match="exactly one"):
        pc.spherical_gibbs_entropy(0.5, 1.0, one_minus_overlap=0.5)
    with pytest.raises(ValueError, match="q"):
        pc.ising_conjugate_from_overlap(1.0)
    with pytest.raises(ValueError, match="start"):
        data = pc.teacher_student_data(5, 1.0, 2, np.random.default_rng(0))
        pc.sample_version_space(data.constraints, -data.teachers, 1, np.random.default_rng(0))
