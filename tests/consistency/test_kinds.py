"""Kind mismatch and response functions: fire where a definition gives a quantity another kind than its use needs,
stay silent on correct statistical mechanics."""

from __future__ import annotations

from consistency_helpers import check, claim, codes

from thermosym.finding import Severity

Q = """
[quantities]
theta = { symbol = "θ", name = "Configuration", kind = "parameter", level = "microstate" }
p = { symbol = "p", name = "Distribution", kind = "probability", level = "field", arguments = ["theta"], given = true }
L = { symbol = "L", name = "Loss", kind = "energy", level = "microstate", arguments = ["theta"], given = true }
E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
S = { symbol = "S", name = "Entropy", kind = "entropy", level = "ensemble" }
T = { symbol = "T", name = "Temperature", kind = "temperature", level = "control", positive = true }
V = { symbol = "V", name = "Volume", kind = "volume", level = "control" }
F = { symbol = "F", name = "Free Energy", kind = "free-energy", level = "ensemble" }
H = { symbol = "H", name = "Enthalpy", kind = "energy", level = "ensemble" }
G = { symbol = "G", name = "Gibbs Energy", kind = "free-energy", level = "ensemble" }
P = { symbol = "P", name = "Pressure", kind = "pressure", level = "ensemble" }
C = { symbol = "C", name = "Heat Capacity", kind = "heat-capacity", level = "ensemble" }
I = { symbol = "I", name = "Information", kind = "information", level = "ensemble" }
Wk = { symbol = "W", name = "Work", kind = "work", level = "ensemble" }
psi = { symbol = "ψ", name = "Order Parameter", kind = "order-parameter", level = "ensemble" }
h = { symbol = "h", name = "Field", kind = "energy", level = "control" }
chi = { symbol = "χ", name = "Susceptibility", kind = "susceptibility", level = "ensemble" }
"""
ENERGY_AS_ENTROPY = claim("XX-01", "Eq(E, -Sum(p(theta)*log(p(theta)), theta))", "definition")
ENERGY_AS_MEAN_LOSS = claim("XX-01", "Eq(E, Avg(L(theta)))", "definition")


def kinds(claims: str) -> list:
    return check(Q + claims, only="kind-mismatch")


def by_claim(findings: list, cid: str) -> set[str]:
    return {f.code for f in findings if f.claims[0] == cid}


def test_energy_defined_as_gibbs_entropy_is_flagged_and_inherited() -> None:
    found = kinds(
        ENERGY_AS_ENTROPY
        + claim("XX-02", "Eq(T, Partial(E, S, V))", "definition")
        + claim("XX-03", "Eq(F, E - T*S)", "definition")
        + claim("XX-04", "Eq(H, E + P*V)", "definition")
        + claim("XX-05", "Eq(G, H - T*S)", "definition")
    )
    assert by_claim(found, "XX-01") == {"kind-mismatch-definition"}
    assert by_claim(found, "XX-02") == {"kind-mismatch-definition"}  # ∂(entropy)/∂(entropy): dimensionless
    assert by_claim(found, "XX-03") == {"kind-mismatch-sum"}  # entropy − energy
    assert by_claim(found, "XX-05") == {"kind-mismatch-inherited"}  # through H = E + PV
    assert all(f.severity is Severity.ERROR for f in found)
    t = next(f for f in found if f.claims[0] == "XX-02")
    assert t.claims == ("XX-02", "XX-01") and "(dimensionless)" in t.message and "is an entropy" in t.message


def test_the_same_relations_are_silent_with_the_energy_a_mean_loss() -> None:
    assert not kinds(
        ENERGY_AS_MEAN_LOSS
        + claim("XX-02", "Eq(T, Partial(E, S, V))", "identity")
        + claim("XX-03", "Eq(F, E - T*S)", "definition")
        + claim("XX-04", "Eq(H, E + P*V)", "definition")
        + claim("XX-05", "Eq(G, H - T*S)", "definition")
        + claim("XX-06", "Eq(S, -Sum(p(theta)*log(p(theta)), theta))", "definition")
        + claim("XX-07", "Eq(C, Var(L(theta))/T**2)", "identity")
        + claim("XX-08", "Eq(C, Partial(E, T, V))", "definition")
        + claim("XX-09", "Ge(Differential(S), Differential(Wk)/T)")
    )


def test_heat_capacity_of_an_entropy_is_an_entropy_per_temperature() -> None:
    found = kinds(ENERGY_AS_ENTROPY + claim("XX-02", "Eq(C, Partial(E, T, V))", "definition"))
    f = next(f for f in found if f.claims[0] == "XX-02")
    assert f.code == "kind-mismatch-definition" and "an entropy per temperature" in f.message


def test_mismatch_between_undefined_names_is_only_a_warning() -> None:
    (f,) = kinds(claim("XX-01", "Eq(Differential(I), Differential(Wk))"))
    assert f.code == "kind-mismatch-equation" and f.severity is Severity.WARNING


def test_non_number_in_exp_is_flagged() -> None:
    # exp of an energy: the argument is not a pure number (and the result is no free energy)
    assert "kind-mismatch-argument" in codes(kinds(ENERGY_AS_MEAN_LOSS + claim("XX-02", "Eq(F, exp(E))")))
    assert not kinds(ENERGY_AS_MEAN_LOSS + claim("XX-02", "Eq(F, -T*log(exp(-E/T)))"))


def test_susceptibility_with_respect_to_temperature_is_flagged() -> None:
    found = check(Q + claim("XX-01", "Eq(chi, Derivative(psi, T))", "definition"), only="response-functions")
    (f,) = found
    assert f.code == "response-to-wrong-variable" and f.severity is Severity.ERROR and "conjugate field" in f.message


def test_susceptibility_with_respect_to_a_field_is_silent() -> None:
    assert not check(Q + claim("XX-01", "Eq(chi, Partial(psi, h, T))", "definition"), only="response-functions")
    assert not check(Q + claim("XX-01", "Eq(C, Partial(E, T, V))", "definition"), only="response-functions")


def test_builtin_kind_mismatches(builtin) -> None:
    _, findings = builtin
    got = {(f.claims[0], f.code, f.severity.value) for f in findings if f.category.value == "kind-mismatch"}
    expected = {
        ("TL-01", "kind-mismatch-equation", "warning"),
        ("TL-03", "kind-mismatch-definition", "error"),
        ("TL-04", "kind-mismatch-definition", "error"),
        ("TL-06", "kind-mismatch-definition", "error"),
        ("TL-08", "kind-mismatch-sum", "error"),
        ("TL-09", "kind-mismatch-sum", "error"),
        ("TL-10", "kind-mismatch-inherited", "error"),
        ("HC-01", "kind-mismatch-definition", "error"),
        ("HC-02", "kind-mismatch-definition", "error"),
        ("HC-11", "kind-mismatch-equation", "error"),
        ("HC-12", "kind-mismatch-equation", "error"),
        ("HC-20", "kind-mismatch-sum", "error"),
        ("HC-08", "response-to-wrong-variable", "error"),
    }
    assert got == expected
