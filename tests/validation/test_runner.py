"""The validation runner: planning, a check that must pass and one that must fail, the dask path, resume."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from thermosym.catalogue import load_catalogue
from thermosym.evidence import Evidence
from thermosym.validation.cache import ResultCache
from thermosym.validation.executor import DaskExecutor, InProcessExecutor
from thermosym.validation.registry import REGISTRY, CheckOutcome, register_check
from thermosym.validation.runner import Task, plan, run_tasks, validate

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "equipartition.toml"


def _reading(doc: dict[str, Any], claim_id: str, name: str = "as-written") -> dict[str, Any]:
    claim = next(c for c in doc["claims"] if c["id"] == claim_id)
    return next(r for r in claim["readings"] if r["name"] == name)


@pytest.fixture(scope="module")
def formula_doc() -> dict[str, Any]:
    return validate([EXAMPLE], only=["heat-capacity-formula"]).document


def test_plan_attaches_heat_capacity_formulas_by_shape() -> None:
    cat, _ = load_catalogue([EXAMPLE])
    (task,) = plan(cat, "quick", only=["heat-capacity-formula"])
    assert {"HC-11/as-written", "HC-13/as-written", "HC-14/as-written", "EX-01/as-written"} <= set(task.targets)
    assert "HC-24/as-written" not in task.targets  # C_L(D) is not a formula for C


def test_check_that_must_pass(formula_doc: dict[str, Any]) -> None:
    # C = d/2 is exact for a quadratic loss at every temperature
    ev = [e for e in _reading(formula_doc, "EX-01")["evidence"] if e["system"] == "quadratic"]
    assert ev and all(e["passed"] for e in ev)
    assert all(abs(e["measured"] - e["predicted"]) < 1e-9 for e in ev)


def test_check_that_must_fail(formula_doc: dict[str, Any]) -> None:
    # C ∝ Var(θ)/T²: Σ Var θ = T tr H⁻¹, so the ratio changes by the temperature ratio
    r = _reading(formula_doc, "HC-14")
    assert r["verdict"] == "fails"
    quad = next(e for e in r["evidence"] if e["system"] == "quadratic")
    assert quad["measured"] == pytest.approx(16.0, rel=0.05)  # T_max/T_min = 4/0.25
    # HC-11 as written: E_L is a number (an entropy), so its variance vanishes
    assert all(e["measured"] == 0.0 and not e["passed"] for e in _reading(formula_doc, "HC-11")["evidence"])


def test_user_claim_is_validated_beside_builtin(formula_doc: dict[str, Any]) -> None:
    r = _reading(formula_doc, "EX-01")
    assert r["verdict"] == "holds-conditionally"  # exact for the quadratic loss, not with a prior
    assert any(c.startswith("quadratic (T =") for c in r["conditions"])


def test_dask_gives_identical_json() -> None:
    local = validate([EXAMPLE], only=["heat-capacity-formula"], executor=InProcessExecutor()).document
    with DaskExecutor(workers=2) as dask:
        remote = validate([EXAMPLE], only=["heat-capacity-formula"], executor=dask).document
    assert json.dumps(local, sort_keys=True) == json.dumps(remote, sort_keys=True)


# ---- resume after an interrupted run --------------------------------------------------------------------------
CALLS: list[str] = []


@pytest.fixture
def toy_checks() -> Iterator[list[str]]:
    names = ["toy-a", "toy-b", "toy-c"]
    for name in names:

        def run(params: Mapping[str, Any], name: str = name) -> CheckOutcome:
            CALLS.append(name)
            out = CheckOutcome()
            out.add("TL-08/as-written", Evidence.compare(check=name, system="toy", predicted=1.0, measured=1.0))
            return out

        register_check(
            name,
            targets=("TL-08/as-written",),
            systems=("toy",),
            description="toy",
            tolerance="exact",
            quick={"seed": 1},
        )(run)
    yield names
    for name in names:
        REGISTRY.pop(name)
    CALLS.clear()


class InterruptAfter(InProcessExecutor):
    def __init__(self, n: int) -> None:
        self.n = n

    def run(self, func, tasks):  # type: ignore[no-untyped-def]
        for i, task in enumerate(tasks):
            if i == self.n:
                raise KeyboardInterrupt
            yield i, func(task)


def test_resume_after_interruption(tmp_path: Path, toy_checks: list[str]) -> None:
    cat, _ = load_catalogue()
    tasks = plan(cat, "quick", only=toy_checks)
    cache = ResultCache(tmp_path / "cache")
    with pytest.raises(KeyboardInterrupt):
        run_tasks(tasks, InterruptAfter(2), cache)
    assert CALLS == ["toy-a", "toy-b"]
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 2
    outcomes, _, cached = run_tasks(tasks, InProcessExecutor(), cache)
    assert CALLS == ["toy-a", "toy-b", "toy-c"]  # only the unfinished check ran again
    assert sorted(cached) == ["toy-a", "toy-b"] and set(outcomes) == set(toy_checks)
    # --fresh recomputes everything
    run_tasks(tasks, InProcessExecutor(), ResultCache(tmp_path / "cache", reuse=False))
    assert CALLS.count("toy-a") == 2


def test_unreadable_cache_entry_is_recomputed(tmp_path: Path, toy_checks: list[str]) -> None:
    cat, _ = load_catalogue()
    (task,) = plan(cat, "quick", only=["toy-a"])
    cache = ResultCache(tmp_path)
    run_tasks([task], InProcessExecutor(), cache)
    cache.path(task.key).write_text("{not json")
    _, _, cached = run_tasks([task], InProcessExecutor(), cache)
    assert cached == [] and CALLS == ["toy-a", "toy-a"]


def test_task_key_depends_on_parameters() -> None:
    a = Task("x", {"n": 1}, ["TL-01/as-written"])
    b = Task("x", {"n": 2}, ["TL-01/as-written"])
    assert a.key != b.key and a.key == Task("x", {"n": 1}, ["TL-01/as-written"]).key
