"""Symbol overloading: fires on two meanings of one symbol, stays silent on distinct symbols and on benign reuse."""

from __future__ import annotations

from consistency_helpers import check, claim

from thermosym.finding import Severity

BASE = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
"""


def overloading(quantities: str, claims: str) -> list:
    return check(BASE + quantities + claims, only="symbol-overloading")


def test_two_kinds_one_symbol_is_a_warning() -> None:
    found = overloading(
        'T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control" }\n'
        'K = { symbol = "T", name = "Kinetic Energy", kind = "energy", level = "microstate" }\n',
        claim("XX-01", "Eq(T, K)"),
    )
    (f,) = found
    assert f.code == "symbol-overloaded" and f.severity is Severity.WARNING
    assert set(f.quantities) == {"XX.T", "XX.K"} and f.claims == ("XX-01",)
    assert "temperature vs energy" in f.message or "energy vs temperature" in f.message


def test_same_kind_different_level_is_a_warning() -> None:
    (f,) = overloading(
        'H = { symbol = "H", name = "Enthalpy", kind = "energy", level = "ensemble" }\n'
        'Hm = { symbol = "H", name = "Hamiltonian", kind = "energy", level = "microstate" }\n',
        claim("XX-01", "Eq(H, Avg(Hm))"),
    )
    assert f.severity is Severity.WARNING and "an ensemble functional vs a microstate observable" in f.message


def test_two_exponents_one_letter_is_a_warning() -> None:
    (f,) = overloading(
        'a1 = { symbol = "α", name = "Low Exponent", kind = "exponent", level = "constant" }\n'
        'a2 = { symbol = "α", name = "Size Exponent", kind = "exponent", level = "constant" }\n',
        claim("XX-01", "Eq(a1, a2)"),
    )
    assert f.severity is Severity.WARNING and "two different exponents" in f.message


def test_two_distributions_with_different_names_is_a_warning() -> None:
    (f,) = overloading(
        'p1 = { symbol = "p", name = "Posterior", kind = "probability", level = "field", given = true }\n'
        'p2 = { symbol = "p", name = "Likelihood", kind = "probability", level = "field", given = true }\n',
        claim("XX-01", "Eq(p1, p2)"),
    )
    assert f.severity is Severity.WARNING


def test_same_quantity_in_two_guises_is_info() -> None:
    (f,) = overloading(
        'v1 = { symbol = "v", name = "Drift Velocity", kind = "velocity", level = "field", given = true }\n'
        'v2 = { symbol = "v", name = "Flow Velocity", kind = "velocity", level = "field", given = true }\n',
        claim("XX-01", "Eq(v1, v2)"),
    )
    assert f.code == "symbol-reused" and f.severity is Severity.INFO


def test_distinct_symbols_are_silent() -> None:
    assert not overloading(
        'T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control" }\n'
        'K = { symbol = "K", name = "Kinetic Energy", kind = "energy", level = "microstate" }\n',
        claim("XX-01", "Eq(T, K)"),
    )


def test_a_quantity_no_claim_uses_overloads_nothing() -> None:
    assert not overloading(
        'T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control" }\n'
        'K = { symbol = "T", name = "Kinetic Energy", kind = "energy", level = "microstate" }\n',
        claim("XX-01", "Eq(T, 1)"),
    )


def test_builtin_overloadings_are_all_found(builtin) -> None:
    catalogue, findings = builtin
    found = {
        (catalogue.quantity(f.quantities[0]).document, catalogue.quantity(f.quantities[0]).symbol): f.severity
        for f in findings
        if f.category.value == "symbol-overloading"
    }
    warnings = {("TL", s) for s in "HTVpPβCWD"} | {("HC", s) for s in "αβDp"}
    assert {k for k, s in found.items() if s is Severity.WARNING} == warnings
    assert {k for k, s in found.items() if s is Severity.INFO} == {("TL", "v"), ("HC", "T_c")}
