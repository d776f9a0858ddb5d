"""The checks on trained toy models (thermosym.validation.checks.models), each run at a tiny size through the
runner's ``run_task`` (seeds and torch threads fixed as in ``thermosym validate``).

What must hold: exact theory passes (online least squares, the fluctuation-response identity, Jarzynski against
thermodynamic integration, the fluctuation theorem, λ̂ against Aoyagi's λ with the finite-nβ corrections); what
must fail: HC-13 and HC-14 (their proxies scale differently with T from C); what a wrong theory would have failed:
the additive-noise Lyapunov equation misses SGD's temperature at small batches by more than 10%.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from thermosym.catalogue import load_catalogue
from thermosym.claim import Relation
from thermosym.validation.registry import REGISTRY, apply_proposed_readings
from thermosym.validation.runner import load_checks, plan, run_task

load_checks()

TINY: dict[str, dict[str, Any]] = {
    "sgd-effective-temperature": {
        "online": {
            "hessian": [0.5, 2.0],
            "noise_var": 0.25,
            "lrs": [0.05, 0.1, 0.2],
            "batches": [1, 8],
            "chains": 32,
            "steps": 800,
            "burn_in": 200,
            "record_every": 4,
        },
        "network": {
            "model": "perceptron",
            "input_dim": 3,
            "n": 64,
            "noise_std": 0.3,
            "lrs": [0.1, 0.2, 0.4],
            "batches": [2, 16],
            "chains": 48,
            "steps": 800,
            "burn_in": 200,
            "record_every": 4,
            "cloud": 32,
        },
        "seed": 7,
    },
    "trained-model-heat-capacity": {
        "model": "perceptron",
        "input_dim": 3,
        "n": 48,
        "noise_std": 0.3,
        "prior_precision": 1.0,
        "t_min": 0.3,
        "t_max": 30.0,
        "rungs": 7,
        "chains": 16,
        "steps": 1000,
        "burn_in": 200,
        "record_every": 2,
        "step_scale": 1.2,
        "proxy_thin": 4,
        "seed": 3,
    },
    "deep-linear-heat-capacity": {
        "input_dim": 3,
        "output_dim": 3,
        "rank": 1,
        "singular_values": [1.0],
        "hidden_widths": [1, 2],
        "depths": [2, 3],
        "n": [300, 3000],
        "localisation": 1.0,
        "chains": 16,
        "steps": 1500,
        "burn_in": 400,
        "record_every": 4,
        "step_scale": 0.5,
        "train_steps": 600,
        "seed": 5,
    },
    "training-protocol-jarzynski": {
        "model": "perceptron",
        "input_dim": 2,
        "n": 16,
        "noise_std": 0.3,
        "prior_precision": 1.0,
        "temperature": 1.0,
        "schedule_rate": 2.0,
        "steps": 150,
        "step_scale": 0.5,
        "trajectories": 1000,
        "rungs": 9,
        "ladder_chains": 16,
        "ladder_records": 80,
        "ladder_thin": 5,
        "ladder_burn_in": 200,
        "seed": 9,
    },
}


def _run(name: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    spec = REGISTRY[name]
    return run_task({"check": name, "params": dict(params or TINY[name]), "targets": [t.key for t in spec.targets]})


def _observation(data: Mapping[str, Any], key: str, name: str) -> dict[str, Any]:
    return next(o for o in data["observations"][key] if o["name"] == name)


@pytest.fixture(scope="module")
def sgd() -> dict[str, Any]:
    return _run("sgd-effective-temperature")


@pytest.fixture(scope="module")
def heat() -> dict[str, Any]:
    return _run("trained-model-heat-capacity")


@pytest.fixture(scope="module")
def linear() -> dict[str, Any]:
    return _run("deep-linear-heat-capacity")


@pytest.fixture(scope="module")
def jarzynski() -> dict[str, Any]:
    return _run("training-protocol-jarzynski")


def test_registrations_have_both_profiles_and_the_briefed_targets() -> None:
    expected = {
        "sgd-effective-temperature": {"TL-22/sgd-lyapunov"},
        "trained-model-heat-capacity": {
            "HC-11/canonical",
            "HC-12/canonical",
            "DER-ENS-C-FLUCT/*",
            "HC-13/*",
            "HC-14/*",
        },
        "deep-linear-heat-capacity": {"HC-04/*", "HC-15/*", "HC-16/*", "HC-24/*"},
        "training-protocol-jarzynski": {"TL-15/*", "TL-02/*", "TL-14/*"},
    }
    for name, targets in expected.items():
        spec = REGISTRY[name]
        assert {t.key for t in spec.targets} == targets and spec.uses_torch
        assert spec.parameters("quick") != spec.parameters("full")  # the full profile is larger
        assert spec.tolerance and spec.bias != "none"


def test_tl22_reading_is_proposed_parsed_and_planned() -> None:
    catalogue, _ = load_catalogue()
    assert "TL-22/sgd-lyapunov" in apply_proposed_readings(catalogue)
    statement = catalogue.claim("TL-22").reading("sgd-lyapunov").statement
    assert isinstance(statement, Relation)
    assert {s.name for s in statement.rel.free_symbols} == {"TL.T_eff", "VAL.eta_lr", "VAL.sigma2", "VAL.batch"}
    (task,) = plan(catalogue, "quick", only=["sgd-effective-temperature"])
    assert task.targets == ["TL-22/sgd-lyapunov"]


def test_sgd_online_regression_matches_the_exact_lyapunov_equation(sgd: dict[str, Any]) -> None:
    evidence = sgd["evidence"]["TL-22/sgd-lyapunov"]
    online = [e for e in evidence if e["system"] == "online-linear-regression"]
    assert len(online) == 3 * 2 * 2 + 2  # T_eff and mode ratio per grid point, one η → 0 fit per batch size
    assert all(e["passed"] for e in online)
    assert all(e["tolerance_rule"]["bias"] == 0 for e in online if e["quantity"].startswith("T_eff"))
    ratios = [e for e in online if e["quantity"].startswith("T_i")]
    assert all(e["measured"] > 3 for e in ratios)  # per-mode temperatures ∝ h_i (h ratio 4): not a Gibbs state


def test_sgd_on_a_trained_perceptron_needs_the_state_dependent_noise(sgd: dict[str, Any]) -> None:
    evidence = [e for e in sgd["evidence"]["TL-22/sgd-lyapunov"] if e["system"] == "teacher-student-perceptron"]
    assert evidence and all(e["passed"] for e in evidence)
    obs = _observation(sgd, "TL-22/sgd-lyapunov", "sgd-teff-vs-lr-teacher-student-perceptron")["series"]
    measured, additive = obs["measured, B = 2"]["y"], obs["additive-noise Lyapunov, B = 2"]["y"]
    assert measured[-1] / additive[-1] - 1 > 0.10  # lr 0.4, B = 2: the additive-noise equation is >10% low
    for b in (2, 16):  # T_eff grows with the learning rate and falls with the batch size
        ys = obs[f"measured, B = {b}"]["y"]
        assert ys[0] < ys[1] < ys[2]
    assert obs["measured, B = 16"]["y"][-1] < obs["measured, B = 2"]["y"][-1] / 4
    limits = [e for e in evidence if e["quantity"].startswith("lim")]
    assert len(limits) == 2 and all(abs(e["measured"] - 1) < 0.05 for e in limits)


def test_fluctuation_and_response_agree_and_the_proxies_do_not(heat: dict[str, Any]) -> None:
    identity = heat["evidence"]["HC-11/canonical"]
    assert len(identity) == TINY["trained-model-heat-capacity"]["rungs"] - 2
    assert all(e["passed"] for e in identity)
    assert heat["evidence"]["HC-12/canonical"] == identity == heat["evidence"]["DER-ENS-C-FLUCT/*"]
    gradient = heat["evidence"]["HC-13/*"]
    low = [e for e in gradient if e["parameters"]["temperature"] <= 3.0]
    assert low and all(not e["passed"] and e["measured"] > 5 * e["predicted"] for e in low)
    (ratio,) = heat["evidence"]["HC-14/*"]
    assert not ratio["passed"] and ratio["measured"] > 5  # C/var(θ)T⁻² changes by more than 5× over the ladder
    assert {o["name"] for o in heat["observations"]["HC-13/*"]} == {"fluctuation-proxies"}


def test_deep_linear_heat_capacity_is_the_learning_coefficient(linear: dict[str, Any]) -> None:
    evidence = linear["evidence"]["HC-04/*"]
    assert len(evidence) == 3 * 2 and all(e["passed"] for e in evidence)
    for e in evidence:
        if e["parameters"]["widths"] in ([3, 1, 3], [3, 1, 1, 3]) and e["parameters"]["n"] == 3000:
            # bottleneck shapes: λ = 2.5 (exact up to O(1/nβ)), far below the regular d/2 = 3 or 3.5
            assert abs(e["measured"] - 2.5) < 0.1
            assert e["parameters"]["regular_lambda"] - e["measured"] > 10 * e["stderr"]
    assert all(e["passed"] for e in linear["evidence"]["HC-24/*"])
    width = _observation(linear, "HC-15/*", "heat-capacity-vs-width")["series"]
    assert width["exact λ (Aoyagi)"]["y"] == [2.5, 3.5]
    depth = _observation(linear, "HC-16/*", "heat-capacity-vs-depth")["series"]
    assert depth["sampled λ̂, hidden widths 1"]["x"] == [2, 3]


def test_jarzynski_along_training_matches_integration_and_obeys_the_second_law(jarzynski: dict[str, Any]) -> None:
    ev = jarzynski["evidence"]
    assert all(e["passed"] for key in ("TL-15/*", "TL-02/*", "TL-14/*") for e in ev[key])
    forward = next(e for e in ev["TL-15/*"] if e["condition"].startswith("λ: 0 → 1"))
    assert abs(forward["measured"] - forward["predicted"]) < 0.1
    assert all(e["measured"] > 3 * e["stderr"] for e in ev["TL-02/*"])  # dissipation is strictly positive
    assert not jarzynski["findings"]  # σ_W ≤ 1.5 T and the exponential average is reliable


def test_a_diverging_sgd_run_is_a_finding_not_a_verdict() -> None:
    params = {**TINY["sgd-effective-temperature"]}
    params["online"] = {**params["online"], "lrs": [1.6], "steps": 400}
    data = _run("sgd-effective-temperature", params)
    assert not data["evidence"]
    assert [f["code"] for f in data["findings"]] == ["sampling-diverged"]


def test_a_rerun_gives_the_same_numbers(jarzynski: dict[str, Any]) -> None:
    again = _run("training-protocol-jarzynski")
    assert again["evidence"] == jarzynski["evidence"] and again["observations"] == jarzynski["observations"]
