"""The check registry: which numerical checks test which claim readings, with what parameters.

A check is data plus one function. The data (:class:`CheckSpec`) says which claim readings it gives evidence for
(``targets``), on which systems, with which parameters per profile, and in words its tolerance rule and the bias
it allows for; the function takes the parameters and returns a :class:`CheckOutcome` (evidence per target,
numerical findings, observations for plots). A claim file can attach its own claims to a registered check by
name (``checks = ["..."]``); checks with a ``matches`` predicate also pick up any claim whose statement has the
right shape (a new estimator of the heat capacity, say).

Claim readings that no check can test are declared with :func:`declare_untestable`, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Prose, Reading, Statement
from thermosym.evidence import Evidence
from thermosym.finding import Finding
from thermosym.quantity import Quantity

PROFILES = ("quick", "full")
#: the reading name of a target that stands for every reading of the claim (evidence that does not depend on it)
ALL_READINGS = "*"


@dataclass(frozen=True)
class Target:
    """A claim reading: the claim id and the reading name (``*``: every reading of the claim)."""

    claim: str
    reading: str = "as-written"

    @property
    def key(self) -> str:
        return f"{self.claim}/{self.reading}"

    @classmethod
    def parse(cls, key: str) -> Target:
        claim, _, reading = key.partition("/")
        return cls(claim, reading or "as-written")


@dataclass(frozen=True)
class Observation:
    """Measured data that informs a reading without deciding it: a series for a plot, or a small table.

    ``series`` maps a label to ``{"x": [...], "y": [...], "yerr": [...] (optional), "style": "points"|"line"}``.
    """

    name: str
    title: str
    x_label: str = ""
    y_label: str = ""
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str = ""
    log_x: bool = False
    log_y: bool = False

    def to_dict(self) -> dict[str, Any]:
        def clean(values: list[Any]) -> list[Any]:
            return [v if not isinstance(v, float) or math.isfinite(v) else None for v in values]

        return {
            "name": self.name,
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "log_x": self.log_x,
            "log_y": self.log_y,
            "note": self.note,
            "series": {
                label: {k: (clean(v) if isinstance(v, list) else v) for k, v in s.items()}
                for label, s in self.series.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Observation:
        return cls(
            **{
                k: data[k]
                for k in ("name", "title", "x_label", "y_label", "series", "note", "log_x", "log_y")
                if k in data
            }
        )


@dataclass
class CheckOutcome:
    """What a check produced: evidence per target key (``"HC-11/canonical"``), findings, observations."""

    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    observations: dict[str, list[Observation]] = field(default_factory=dict)

    def add(self, target: Target | str, *items: Evidence) -> None:
        key = target.key if isinstance(target, Target) else target
        self.evidence.setdefault(key, []).extend(items)

    def observe(self, target: Target | str, observation: Observation) -> None:
        key = target.key if isinstance(target, Target) else target
        self.observations.setdefault(key, []).append(observation)

    def to_dict(self) -> dict[str, Any]:
        return {
            "evidence": {k: [e.to_dict() for e in v] for k, v in self.evidence.items()},
            "findings": [_finding_to_dict(f) for f in self.findings],
            "observations": {k: [o.to_dict() for o in v] for k, v in self.observations.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckOutcome:
        return cls(
            evidence={k: [Evidence.from_dict(e) for e in v] for k, v in data["evidence"].items()},
            findings=[_finding_from_dict(f) for f in data["findings"]],
            observations={k: [Observation.from_dict(o) for o in v] for k, v in data["observations"].items()},
        )


def _finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "category": f.category.value,
        "severity": f.severity.value,
        "claims": list(f.claims),
        "quantities": list(f.quantities),
        "reading": f.reading,
        "message": f.message,
    }


def _finding_from_dict(d: Mapping[str, Any]) -> Finding:
    return Finding(
        code=d["code"],
        category=d["category"],
        severity=d["severity"],
        claims=tuple(d["claims"]),
        message=d["message"],
        quantities=tuple(d.get("quantities", ())),
        reading=d.get("reading", "as-written"),
    )


RunFunction = Callable[[Mapping[str, Any]], CheckOutcome]
#: decides whether a claim reading has the shape a check can test
Matcher = Callable[[Catalogue, Claim, Reading], bool]
#: builds what the check needs to know about a claim reading (a picklable payload: statement, roles, ...)
Preparer = Callable[[Catalogue, Claim, Reading], Any]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check (see the module docstring)."""

    name: str
    run: RunFunction
    targets: tuple[Target, ...]
    systems: tuple[str, ...]
    description: str
    tolerance: str
    bias: str
    params: Mapping[str, Mapping[str, Any]]
    matches: Matcher | None = None
    prepare: Preparer | None = None
    uses_torch: bool = False

    def __post_init__(self) -> None:
        missing = [p for p in PROFILES if p not in self.params]
        if missing:
            raise ValueError(f"check {self.name!r} has no parameters for profile(s) {missing}")

    def parameters(self, profile: str) -> dict[str, Any]:
        if profile not in self.params:
            raise ValueError(f"unknown profile {profile!r} (one of {', '.join(PROFILES)})")
        return dict(self.params[profile])


#: Every registered check, by name.
REGISTRY: dict[str, CheckSpec] = {}
#: Claim readings that no check can test, with the reason.
UNTESTABLE: dict[str, str] = {}


def register_check(
    name: str,
    *,
    targets: tuple[Target | str, ...] = (),
    systems: tuple[str, ...],
    description: str,
    tolerance: str,
    bias: str = "none",
    quick: Mapping[str, Any],
    full: Mapping[str, Any] | None = None,
    matches: Matcher | None = None,
    prepare: Preparer | None = None,
    uses_torch: bool = False,
) -> Callable[[RunFunction], RunFunction]:
    """Decorator that registers ``run`` as the check ``name``. ``full`` defaults to ``quick``."""

    def wrap(run: RunFunction) -> RunFunction:
        if name in REGISTRY:
            raise ValueError(f"a check named {name!r} is already registered")
        REGISTRY[name] = CheckSpec(
            name=name,
            run=run,
            targets=tuple(t if isinstance(t, Target) else Target.parse(t) for t in targets),
            systems=systems,
            description=description,
            tolerance=tolerance,
            bias=bias,
            params={"quick": dict(quick), "full": dict(full if full is not None else quick)},
            matches=matches,
            prepare=prepare,
            uses_torch=uses_torch,
        )
        return run

    return wrap


@dataclass(frozen=True)
class ProposedReading:
    """A reading the validation layer proposes for a claim (for example the standard answer to a question, or the
    standard finite-size-scaling form), written in the claim file syntax over the claim's document's quantities
    and the quantities ``extra`` declares (keys ``VAL.<name>``)."""

    claim: str
    name: str
    statement: str
    rationale: str
    reinterprets: tuple[str, ...] = ()
    extra: tuple[Quantity, ...] = ()
    prose: str = ""

    def __post_init__(self) -> None:
        if not self.statement and not self.prose:
            raise ValueError(f"proposed reading {self.name!r} of {self.claim} needs a statement or a prose text")


#: Readings proposed by the validation layer, applied to the catalogue before planning.
PROPOSED_READINGS: dict[tuple[str, str], ProposedReading] = {}


def propose_reading(reading: ProposedReading) -> None:
    """Register a proposed reading (one per claim and name)."""
    key = (reading.claim, reading.name)
    if key in PROPOSED_READINGS:
        raise ValueError(f"a reading {reading.name!r} of {reading.claim} is already proposed")
    PROPOSED_READINGS[key] = reading


def apply_proposed_readings(catalogue: Catalogue) -> list[str]:
    """Add every proposed reading whose claim is in ``catalogue`` and lacks a reading of that name; returns the
    target keys added. The statement is parsed by the safe parser like any claim file."""
    from thermosym.parser import parse_expression, parse_statement

    added = []
    for (claim_id, name), proposal in PROPOSED_READINGS.items():
        claim = catalogue.claims.get(claim_id)
        if claim is None or any(r.name == name for r in claim.readings):
            continue
        names = {q.local_name: q for q in catalogue.quantities.values() if q.document == claim.source.document}
        for q in proposal.extra:
            names[q.local_name] = q
            catalogue.quantities.setdefault(q.key, q)
        statement: Statement
        if proposal.prose:
            mentions = [m.strip() for m in proposal.statement.split(",") if m.strip()]
            statement = Prose(proposal.prose, tuple(parse_expression(m, names) for m in mentions))
        else:
            statement = parse_statement(proposal.statement, names)
        catalogue.add_reading(claim_id, Reading(name, statement, proposal.rationale, proposal.reinterprets))
        added.append(Target(claim_id, name).key)
    return added


def declare_untestable(target: str, reason: str) -> None:
    """Record that the claim reading ``target`` ("TL-01/as-written") has no numerical check, and why."""
    if target in UNTESTABLE:
        raise ValueError(f"{target} is already declared untestable")
    UNTESTABLE[Target.parse(target).key] = reason
