"""No false positives: the textbook catalogue gives zero findings, and each deliberate error put into it is found."""

from __future__ import annotations

from pathlib import Path

import pytest

from thermosym.catalogue import load_catalogue
from thermosym.check import run_check
from thermosym.consistency import run_checks
from thermosym.graph import TheoryGraph

TEXTBOOK = Path(__file__).parents[2] / "examples" / "textbook.toml"
INVERSE_T = (
    'T = { symbol = "T"',
    'beta_T = { symbol = "β", name = "Inverse Temperature", kind = "inverse-temperature", level = "control" }\n'
    'T = { symbol = "T"',
)


def test_textbook_gives_zero_findings() -> None:
    result = run_check([TEXTBOOK], builtin=False)
    assert not result.errors
    assert len(result.catalogue) == 39
    assert result.findings == []


def test_textbook_beside_the_builtin_documents_is_untouched() -> None:
    result = run_check([TEXTBOOK])
    assert [f for f in result.findings if any(c.startswith("TB-") for c in f.claims)] == []


def _mutated(tmp_path: Path, *edits: tuple[str, str]) -> set[str]:
    text = TEXTBOOK.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    catalogue, errors = load_catalogue([path], builtin=False)
    assert not errors
    return {f.code for f in run_checks(catalogue, TheoryGraph.from_catalogue(catalogue))}


MUTATIONS = {
    # TL-13's error: the drift term of the current with the wrong sign
    "continuity-contradicts-evolution": [("+ v*rho(theta, t))", "- v*rho(theta, t))")],
    # TL-03's error: the energy defined as the Gibbs entropy
    "kind-mismatch-definition": [("Eq(E, Avg(L(theta)))", "Eq(E, -Integral(p(theta)*log(p(theta)), theta))")],
    # HC-11's error: the fluctuation formula with the ensemble energy
    "fluctuation-of-ensemble-functional": [("Eq(C, Var(L(theta))/T**2)", "Eq(C, Var(E)/T**2)")],
    # HC-08's error: the susceptibility taken with respect to the temperature
    "response-to-wrong-variable": [("Eq(chi, Partial(m, h, T))", "Eq(chi, Derivative(m, T))")],
    # HC-05's error: the susceptibility letter on the heat capacity
    "exponent-letter-convention": [("Abs(T - T_c)**(-alpha)", "Abs(T - T_c)**(-gamma)")],
    # TL-05/06's error: the volume an integer
    "derivative-wrt-discrete": [('level = "control", positive = true, description = "a continuous',
                                 'level = "control", discrete = true, description = "a continuous')],
    # β for the inverse temperature beside the order-parameter exponent β, used in C = β² Var L
    "symbol-overloaded": [INVERSE_T, ("Eq(C, Var(L(theta))/T**2)", "Eq(C, beta_T**2*Var(L(theta)))")],
    # an undefined quantity
    "undefined-quantity": [('given = true, description = "decay length', 'description = "decay length')],
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(MUTATIONS))
def test_each_deliberate_error_is_found(tmp_path: Path, code: str) -> None:
    assert code in _mutated(tmp_path, *MUTATIONS[code])


def test_an_unused_overloading_quantity_is_silent(tmp_path: Path) -> None:
    assert _mutated(tmp_path, INVERSE_T) == set()
