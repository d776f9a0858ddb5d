"""``thermosym validate``: plan the checks, run them (cached, resumable, on any executor), compute verdicts.

Flow: the symbolic pipeline (:func:`thermosym.check.run_check`) gives the catalogue with its derived claims,
canonical readings and findings; :func:`plan` picks every registered check whose targets are in the catalogue
(plus claims that attach to a check by name or match its predicate); each task runs through the executor unless
the cache already holds it; the evidence, numerical findings and observations are gathered per claim reading;
:func:`thermosym.verdict.decide` turns them into verdicts; :func:`thermosym.results.build_results` writes JSON.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thermosym.catalogue import Catalogue
from thermosym.check import CheckResult, run_check
from thermosym.errors import SamplingDivergedError, ThermosymError
from thermosym.evidence import Evidence
from thermosym.finding import Category, Finding, Severity
from thermosym.results import build_results, reading_findings
from thermosym.validation.cache import ResultCache, task_key
from thermosym.validation.executor import Executor, InProcessExecutor
from thermosym.validation.registry import (
    ALL_READINGS,
    PROFILES,
    REGISTRY,
    UNTESTABLE,
    CheckOutcome,
    CheckSpec,
    Target,
    apply_proposed_readings,
)
from thermosym.validation.symbolic_evidence import derivation_evidence
from thermosym.verdict import Verdict, decide


class UnknownCheckError(ThermosymError, KeyError):
    """A claim attaches to a check name that is not registered."""

    def __str__(self) -> str:
        return f"no registered check named {self.args[0]!r} (see `thermosym checks`)"


def load_checks() -> None:
    """Import the check modules (importing registers them)."""
    import thermosym.validation.checks  # noqa: F401


@dataclass
class Task:
    """One check to run with one set of parameters, and the claim readings it reports on."""

    check: str
    params: dict[str, Any]
    targets: list[str]
    attached: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return task_key(
            self.check,
            {
                "params": self.params,
                "targets": self.targets,
                "attached": {k: str(v) for k, v in self.attached.items()},
                "code": _code_hash(self.check),
            },
        )

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "params": self.params, "targets": self.targets, "attached": self.attached}


def _code_hash(check: str) -> str:
    """A hash of the source file of the check's module, so that editing a check invalidates its stored results."""
    import hashlib
    import inspect

    load_checks()
    if check not in REGISTRY:
        return ""
    source = inspect.getsourcefile(REGISTRY[check].run)
    return hashlib.sha256(Path(source).read_bytes()).hexdigest()[:16] if source else ""


def _present(catalogue: Catalogue, target: Target) -> bool:
    claim = catalogue.claims.get(target.claim)
    if claim is None:
        return False
    return target.reading == ALL_READINGS or any(r.name == target.reading for r in claim.readings)


def expand_all_readings(catalogue: Catalogue, by_target: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Items keyed ``"ID/*"`` (evidence that does not depend on the reading) copied to every reading of ID."""
    out: dict[str, list[Any]] = {}
    for key, items in by_target.items():
        target = Target.parse(key)
        if target.reading != ALL_READINGS:
            out.setdefault(key, []).extend(items)
            continue
        claim = catalogue.claims.get(target.claim)
        for reading in claim.readings if claim is not None else ():
            out.setdefault(Target(target.claim, reading.name).key, []).extend(items)
    return out


def plan(catalogue: Catalogue, profile: str, only: Sequence[str] = ()) -> list[Task]:
    """The tasks ``validate`` runs for ``catalogue`` at ``profile`` (optionally only the named checks)."""
    load_checks()
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (one of {', '.join(PROFILES)})")
    for claim in catalogue:
        for name in claim.checks:
            if name not in REGISTRY:
                raise UnknownCheckError(name)
    tasks = []
    for spec in REGISTRY.values():
        if only and spec.name not in only:
            continue
        targets = [t.key for t in spec.targets if _present(catalogue, t)]
        for claim in catalogue:
            for reading in claim.readings:
                key = Target(claim.id, reading.name).key
                by_name = spec.name in claim.checks
                by_shape = spec.matches is not None and spec.matches(catalogue, claim, reading)
                if (by_name or by_shape) and key not in targets:
                    targets.append(key)
        attached: dict[str, Any] = {}
        if spec.prepare is not None:
            for key in targets:
                target = Target.parse(key)
                claim = catalogue.claim(target.claim)
                attached[key] = spec.prepare(catalogue, claim, claim.reading(target.reading))
        if targets:
            tasks.append(Task(spec.name, spec.parameters(profile), targets, attached))
    return tasks


def _seed(seed: int) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task (a top-level function, so that dask can ship it). Fixes seeds and the torch thread count
    so that the result does not depend on where it runs. A sampler that diverges becomes a finding."""
    load_checks()
    spec: CheckSpec = REGISTRY[task["check"]]
    params = dict(task["params"])
    params["targets"] = list(task["targets"])
    params["attached"] = dict(task.get("attached", {}))
    _seed(int(params.get("seed", 0)))
    if spec.uses_torch:
        import torch

        torch.manual_seed(int(params.get("seed", 0)))
        torch.set_num_threads(int(params.get("threads", 1)))
    start = time.perf_counter()
    try:
        outcome = spec.run(params)
    except SamplingDivergedError as exc:
        claims = tuple(sorted({Target.parse(t).claim for t in task["targets"]}))
        outcome = CheckOutcome(
            findings=[
                Finding(
                    code="sampling-diverged",
                    category=Category.NUMERICAL,
                    severity=Severity.WARNING,
                    claims=claims,
                    message=f"check {spec.name} stopped: {exc}",
                )
            ]
        )
    data = outcome.to_dict()
    data["seconds"] = time.perf_counter() - start
    return data


@dataclass
class ValidationResult:
    """The symbolic result, the per-task outcomes, and the results document."""

    check: CheckResult
    outcomes: dict[str, CheckOutcome]
    document: dict[str, Any]
    seconds: dict[str, float]
    cached: list[str]


ProgressCallback = Callable[[str, int, int], None]


def run_tasks(
    tasks: Sequence[Task],
    executor: Executor,
    cache: ResultCache,
    progress: ProgressCallback | None = None,
) -> tuple[dict[str, CheckOutcome], dict[str, float], list[str]]:
    """Run (or load from the cache) every task; each result is stored as soon as it finishes."""
    outcomes: dict[str, CheckOutcome] = {}
    seconds: dict[str, float] = {}
    cached: list[str] = []
    pending: list[Task] = []
    for task in tasks:
        stored = cache.load(task.key)
        if stored is None:
            pending.append(task)
            continue
        outcomes[task.check] = CheckOutcome.from_dict(stored)
        seconds[task.check] = float(stored.get("seconds", 0.0))
        cached.append(task.check)
    done = len(outcomes)
    for index, data in executor.run(run_task, [t.to_dict() for t in pending]):
        task = pending[index]
        cache.store(task.key, data)
        outcomes[task.check] = CheckOutcome.from_dict(data)
        seconds[task.check] = float(data.get("seconds", 0.0))
        done += 1
        if progress is not None:
            progress(task.check, done, len(tasks))
    return outcomes, seconds, cached


def gather(
    outcomes: dict[str, CheckOutcome],
) -> tuple[dict[str, list[Evidence]], list[Finding], dict[str, list[Any]]]:
    """Evidence and observations per target key, and all numerical findings, in check order."""
    evidence: dict[str, list[Evidence]] = {}
    observations: dict[str, list[Any]] = {}
    findings: list[Finding] = []
    for name in sorted(outcomes):
        outcome = outcomes[name]
        for key, items in outcome.evidence.items():
            evidence.setdefault(key, []).extend(items)
        for key, obs in outcome.observations.items():
            observations.setdefault(key, []).extend(obs)
        findings.extend(outcome.findings)
    return evidence, findings, observations


def verdicts_for(
    catalogue: Catalogue, findings: Sequence[Finding], evidence: dict[str, list[Evidence]]
) -> dict[tuple[str, str], Verdict]:
    """Apply the verdict rule to every claim reading."""
    out = {}
    for claim in catalogue:
        for reading in claim.readings:
            key = Target(claim.id, reading.name).key
            out[(claim.id, reading.name)] = decide(
                kind=claim.kind.value,
                findings=reading_findings(findings, claim.id, reading.name),
                evidence=evidence.get(key, []),
                untestable_reason=UNTESTABLE.get(key) or UNTESTABLE.get(Target(claim.id, ALL_READINGS).key, ""),
            )
    return out


def validate(
    files: Sequence[str | Path] = (),
    *,
    profile: str = "quick",
    executor: Executor | None = None,
    cache: ResultCache | None = None,
    only: Sequence[str] = (),
    progress: ProgressCallback | None = None,
    command: str = "thermosym validate",
    builtin: bool = True,
) -> ValidationResult:
    """Run the whole validation and return its results document (see the module docstring)."""
    symbolic = run_check(files, builtin=builtin)
    load_checks()
    apply_proposed_readings(symbolic.catalogue)
    tasks = plan(symbolic.catalogue, profile, only)
    executor = executor or InProcessExecutor()
    outcomes, seconds, cached = run_tasks(tasks, executor, cache or ResultCache(enabled=False), progress)
    evidence, numerical, observations = gather(outcomes)
    for key, items in derivation_evidence(symbolic.derivations).items():
        evidence.setdefault(key, []).extend(items)
    evidence = expand_all_readings(symbolic.catalogue, evidence)
    observations = expand_all_readings(symbolic.catalogue, observations)
    findings = [*symbolic.findings, *numerical]
    verdicts = verdicts_for(symbolic.catalogue, findings, evidence)
    document = build_results(
        symbolic.catalogue,
        findings,
        symbolic.derivations,
        symbolic.errors,
        command=command,
        verdicts=verdicts,
        evidence={tuple(k.split("/", 1)): v for k, v in evidence.items()},  # type: ignore[misc]
        observations={tuple(k.split("/", 1)): [o.to_dict() for o in v] for k, v in observations.items()},  # type: ignore[misc]
        extra_environment={"profile": profile, "checks": sorted(outcomes)},
    )
    return ValidationResult(symbolic, outcomes, document, seconds, cached)


def default_progress() -> ProgressCallback | None:
    """A one-line progress report on an interactive terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None

    def report(name: str, done: int, total: int) -> None:
        sys.stderr.write(f"\r[{done}/{total}] {name:<60}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report
