"""Derivation records, the registry and the cache of verification results (thermosym.symbolic.derivation)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from thermosym.claim import Claim as ClaimType
from thermosym.claim import ClaimKind, Relation, Source
from thermosym.symbolic import derivation as der
from thermosym.symbolic.derivation import (
    TOPIC_TITLES,
    TOPICS,
    ConcreteCheck,
    Derivation,
    Step,
    cached_residuals,
    default_symbols,
    derivations_by_topic,
    derive_all,
    reduce_residual,
)

#: The derived claims issue 3 asks for, by id.
REQUIRED = {
    "DER-dE", "DER-dF", "DER-dH", "DER-dG",
    "DER-MAXWELL-E", "DER-MAXWELL-F", "DER-MAXWELL-H", "DER-MAXWELL-G",
    "DER-CP-CV", "DER-KAPPA-RATIO",
    "DER-ENS-F", "DER-ENS-E", "DER-ENS-S", "DER-ENS-C-FLUCT", "DER-ENS-S-TI",
    "DER-RUSHBROOKE", "DER-WIDOM", "DER-FISHER", "DER-JOSEPHSON",
    "DER-CONTINUITY", "DER-FP-CURRENT", "DER-FP-STATIONARY", "DER-EINSTEIN",
}  # fmt: skip


@pytest.fixture(scope="module")
def derivations() -> list[Derivation]:
    return derive_all()


def test_required_derivations_are_present_and_verified(derivations: list[Derivation]) -> None:
    ids = [d.id for d in derivations]
    assert len(ids) == len(set(ids))
    assert set(ids) >= REQUIRED, REQUIRED - set(ids)
    not_verified = [d.id for d in derivations if not d.verified]
    assert not not_verified
    failed = [(d.id, c.system) for d in derivations for c in d.concrete_checks if not c.passed]
    assert not failed


def test_records_are_well_formed(derivations: list[Derivation]) -> None:
    for d in derivations:
        assert d.topic in TOPICS
        assert d.claim.source == Source(document="DER", section=TOPIC_TITLES[d.topic])
        assert d.claim.kind in (ClaimKind.IDENTITY, ClaimKind.LAW)
        assert isinstance(d.claim.statement, Relation)
        assert d.claim.derived_from, d.id
        assert all(s.name and s.justification for s in d.steps)
    potentials = [d for d in derivations if d.topic == "potentials"]
    assert all(len(d.concrete_checks) >= 2 for d in potentials)
    grouped = derivations_by_topic()
    assert sum(len(v) for v in grouped.values()) == len(derivations)


def test_wired_into_the_catalogue_and_the_graph() -> None:
    """With the loaded catalogue's symbols: the derived claims use the very same symbols, their quantities are
    known, and they enter the theory graph with derived-from edges to existing claims."""
    from thermosym.catalogue import load_catalogue
    from thermosym.graph import DERIVED_FROM, TheoryGraph, claim_node

    catalogue, errors = load_catalogue()
    assert not errors
    symbols = catalogue.symbols()
    found = derive_all(symbols)
    catalogue = catalogue.copy()
    for d in found:
        assert set(d.claim.derived_from) <= set(catalogue.claims), d.id
        for atom in d.relation.atoms(sympy.Symbol):
            if atom.name in symbols:
                assert atom == symbols[atom.name] and atom.assumptions0 == symbols[atom.name].assumptions0
        catalogue.add_claim(d.claim, d.new_quantities)
    for d in found:
        assert set(d.claim.quantities) <= set(catalogue.quantities), d.id
    graph = TheoryGraph.from_catalogue(catalogue)
    for d in found:
        parents = {v for _, v, rel in graph.graph.out_edges(claim_node(d.id), data="relation") if rel == DERIVED_FROM}
        assert parents == {claim_node(p) for p in d.claim.derived_from}
    assert {"TL-04", "TL-06", "TL-08"} <= graph.rests_on("DER-MAXWELL-F")


def test_custom_symbols_are_used() -> None:
    energy = sympy.Symbol("MY.E", real=True)
    found = {d.id: d for d in derive_all({"TL.E": energy})}
    assert energy in found["DER-dE"].relation.atoms(sympy.Symbol)
    assert default_symbols()["TL.E"] not in found["DER-dE"].relation.atoms(sympy.Symbol)
    with pytest.raises(TypeError, match="Symbol"):
        derive_all({"TL.E": "E"})


def test_default_symbol_assumptions() -> None:
    syms = default_symbols()
    assert syms["TL.V"].is_integer
    assert syms["TL.T"].is_positive and syms["HC.T_L"].is_positive
    assert syms["TL.E"].is_real and syms["TL.E"].is_positive is None


def _claim(id_: str = "DER-X") -> ClaimType:
    x = sympy.Symbol("x")
    return ClaimType(id_, Source("DER", "t"), "x = x", ClaimKind.IDENTITY, Relation(sympy.Eq(x, x, evaluate=False)))


def test_validation_of_records() -> None:
    step = Step("a", sympy.S.One, "because")
    with pytest.raises(ValueError, match="name"):
        Step(" ", sympy.S.One, "why")
    with pytest.raises(ValueError, match="justification"):
        Step("a", sympy.S.One, "")
    with pytest.raises(TypeError, match="SymPy"):
        Step("a", 1, "why")
    with pytest.raises(ValueError, match="passed"):
        ConcreteCheck("sys", sympy.S.One, sympy.S.One, True)
    with pytest.raises(ValueError, match="DER-"):
        Derivation(_claim("TL-99"), "potentials", (step,), True, "m")
    with pytest.raises(ValueError, match="topic"):
        Derivation(_claim(), "nowhere", (step,), True, "m")
    with pytest.raises(ValueError, match="no steps"):
        Derivation(_claim(), "potentials", (), True, "m")
    with pytest.raises(ValueError, match="method"):
        Derivation(_claim(), "potentials", (step,), True, " ")


def test_reduce_residual() -> None:
    x = sympy.Symbol("x", positive=True)
    assert reduce_residual(sympy.sin(x) ** 2 + sympy.cos(x) ** 2 - 1) == 0
    assert reduce_residual(sympy.log(x**2) - 2 * sympy.log(x)) == 0
    assert reduce_residual(sympy.exp(x) - x) != 0


def test_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(der.CACHE_DIR_ENV, str(tmp_path))
    monkeypatch.delenv(der.NO_CACHE_ENV, raising=False)
    calls: list[str] = []

    def passing() -> dict[str, sympy.Basic]:
        calls.append("passing")
        return {"a": sympy.S.Zero, "b": sympy.S.Zero}

    def failing() -> dict[str, sympy.Basic]:
        calls.append("failing")
        return {"a": sympy.S.Zero, "b": sympy.Symbol("x")}

    cached_residuals.cache_clear()
    assert cached_residuals("test-passing", passing) == {"a": 0, "b": 0}
    assert cached_residuals("test-failing", failing)["b"] == sympy.Symbol("x")
    (file,) = tmp_path.glob("derivations-*.json")
    stored = json.loads(file.read_text(encoding="utf-8"))
    assert stored["test-passing"] == ["a", "b"] and "test-failing" not in stored
    cached_residuals.cache_clear()
    assert cached_residuals("test-passing", passing) == {"a": 0, "b": 0}
    assert cached_residuals("test-failing", failing)["b"] == sympy.Symbol("x")
    assert calls == ["passing", "failing", "failing"]  # the passing results came from the file the second time
    monkeypatch.setenv(der.NO_CACHE_ENV, "1")
    cached_residuals.cache_clear()
    cached_residuals("test-passing", passing)
    assert calls[-1] == "passing"
    cached_residuals.cache_clear()


_TIMING = """
import json, time
t0 = time.process_time()
from thermosym.symbolic.derivation import derive_all
t1 = time.process_time()
found = derive_all()
t2 = time.process_time()
print(json.dumps({"import": t1 - t0, "derive": t2 - t1, "n": len(found), "ok": all(d.verified for d in found)}))
"""


def test_derive_all_is_fast(tmp_path: Path) -> None:
    """``thermosym check`` must stay under 3 s: derive_all with a warm cache takes well under a second of CPU.

    Measured in fresh interpreters with CPU time (robust to other load on the machine): the first run fills an
    empty cache (the full SymPy verification, about 1.3 s on the 2-core development machine), the second reads it.
    Bounds: 6 s cold, 0.6 s warm (about 3-4× the measured values, for slower machines).
    """
    env = {**os.environ, der.CACHE_DIR_ENV: str(tmp_path)}
    env.pop(der.NO_CACHE_ENV, None)
    runs = []
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", _TIMING], env=env, capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cold, warm = runs
    assert cold["ok"] and warm["ok"] and cold["n"] == warm["n"]
    assert cold["derive"] < 6.0, cold
    assert warm["derive"] < 0.6, warm


@pytest.mark.parametrize(
    "name", ["derivation", "legendre", "jacobian", "ensemble", "exponents", "transport", "documents"]
)
def test_doctests_of_the_symbolic_modules(name: str) -> None:
    import doctest
    import importlib

    module = importlib.import_module(f"thermosym.symbolic.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
