"""The check registry: every family registered, names unique, unknown names refused, findings labelled."""

from __future__ import annotations

import pytest
from consistency_helpers import build

from thermosym.consistency import CHECKS, REPAIRS, register_check, run_checks
from thermosym.graph import TheoryGraph


def test_every_family_is_registered() -> None:
    assert set(CHECKS) == {
        "symbol-overloading",
        "kind-mismatch",
        "response-functions",
        "level-mismatch",
        "degeneracy",
        "steady-state",
        "transport",
        "ill-posed",
        "exponent-naming",
    }


def test_duplicate_and_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register_check("degeneracy")(lambda c, g: [])
    cat = build("")
    with pytest.raises(ValueError, match="unknown consistency check"):
        run_checks(cat, TheoryGraph.from_catalogue(cat), only=["no-such-check"])


def test_findings_carry_the_reading_name(builtin) -> None:
    catalogue, _ = builtin
    found = run_checks(catalogue, TheoryGraph.from_catalogue(catalogue), reading="canonical", only=["transport"])
    assert found and {f.reading for f in found} == {"canonical"}


def test_repairs_are_keyed_by_finding_codes() -> None:
    assert {"kind-mismatch-definition", "continuity-contradicts-evolution", "symbol-overloaded"} <= set(REPAIRS)
