"""Exponent naming: standard critical-exponent letters on the wrong quantity or outside critical laws."""

from __future__ import annotations

import pytest
from consistency_helpers import check, claim

from thermosym.finding import Severity

Q = """
[quantities]
C = { symbol = "C", name = "Heat Capacity", kind = "heat-capacity", level = "ensemble" }
m = { symbol = "m", name = "Order Parameter", kind = "order-parameter", level = "ensemble" }
chi = { symbol = "χ", name = "Susceptibility", kind = "susceptibility", level = "ensemble" }
xi = { symbol = "ξ", name = "Correlation Length", kind = "length", level = "ensemble", given = true }
tau = { symbol = "τ", name = "Relaxation Time", kind = "time", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control", positive = true }
T_c = { symbol = "T_c", name = "Critical Temperature", kind = "temperature", level = "control", positive = true }
h = { symbol = "h", name = "Field", kind = "energy", level = "control" }
N = { symbol = "N", name = "Size", kind = "count", level = "control", positive = true }
alpha = { symbol = "α", name = "Heat Exp.", kind = "exponent", level = "constant", governs = "heat-capacity" }
beta = { symbol = "β", name = "Order Exp.", kind = "exponent", level = "constant", governs = "order-parameter" }
gamma = { symbol = "γ", name = "Chi Exp.", kind = "exponent", level = "constant", governs = "susceptibility" }
delta = { symbol = "δ", name = "Isotherm Exponent", kind = "exponent", level = "constant", governs = "order-parameter" }
nu = { symbol = "ν", name = "Correlation Exponent", kind = "exponent", level = "constant", governs = "length" }
z = { symbol = "z", name = "Dynamic Exponent", kind = "exponent", level = "constant", governs = "time" }
a = { symbol = "a", name = "Other Exponent", kind = "exponent", level = "constant" }
f = { symbol = "f", name = "Scaling Function", kind = "function", level = "constant", given = true }
"""

STANDARD = [
    "Proportional(C, Abs(T - T_c)**(-alpha), limit=(T, T_c))",
    "Proportional(m, (T_c - T)**beta, limit=(T, T_c))",
    "Proportional(chi, Abs(T - T_c)**(-gamma), limit=(T, T_c))",
    "Proportional(m, h**(1/delta), limit=(h, 0))",
    "Proportional(xi, Abs(T - T_c)**(-nu), limit=(T, T_c))",
    "Proportional(tau, xi**z, limit=(T, T_c))",
    "Proportional(C, T**a, limit=(T, 0))",
    "Exponents(alpha, beta, gamma, delta, nu, z)",
]


def exponents(statement: str) -> list:
    return check(Q + claim("XX-01", statement, "asymptotic"), only="exponent-naming")


@pytest.mark.parametrize("statement", STANDARD)
def test_standard_letters_are_silent(statement: str) -> None:
    assert not exponents(statement)


@pytest.mark.parametrize(
    ("statement", "code", "fragment"),
    [
        ("Proportional(C, Abs(T - T_c)**(-gamma), limit=(T, T_c))", "exponent-letter-convention", "is α"),
        ("Proportional(chi, Abs(T - T_c)**(-alpha), limit=(T, T_c))", "exponent-letter-convention", "is γ"),
        ("Proportional(C, T**alpha, limit=(T, 0))", "critical-exponent-letter-reused", "low-temperature"),
        ("Proportional(C, N**beta)", "critical-exponent-letter-reused", "size or count"),
        ("ScalingForm(C, N, alpha, f, T/T_c)", "critical-exponent-letter-reused", "α/(dν)"),
    ],
)
def test_misused_letters_are_warnings(statement: str, code: str, fragment: str) -> None:
    (f,) = exponents(statement)
    assert f.code == code and f.severity is Severity.WARNING and fragment in f.message


def test_a_list_that_assigns_a_letter_to_the_wrong_quantity() -> None:
    text = Q.replace('governs = "susceptibility"', 'governs = "heat-capacity"')
    (f,) = check(text + claim("XX-01", "Exponents(gamma)", "definition"), only="exponent-naming")
    assert f.code == "exponent-letter-convention"


def test_builtin_exponent_findings(builtin) -> None:
    _, findings = builtin
    got = {(f.code, f.claims) for f in findings if f.category.value == "exponent-naming"}
    assert got == {
        ("critical-exponent-letter-reused", ("HC-04",)),
        ("exponent-letter-convention", ("HC-05",)),
        ("critical-exponent-letter-reused", ("HC-23",)),
        ("critical-exponent-letter-reused", ("HC-24",)),
    }
