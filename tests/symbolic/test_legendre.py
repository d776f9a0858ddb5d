"""Legendre transforms, differentials and Maxwell relations (thermosym.symbolic.legendre)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from thermosym.symbolic.legendre import (
    CONCRETE_ENERGIES,
    ENERGY_SV,
    FundamentalRelation,
    MaxwellRelation,
    all_potentials,
    differential_residuals,
    differential_text,
    energy_sv_residuals,
    legendre_transform,
    legendre_transforms,
    maxwell_relations,
    maxwell_residual,
    maxwell_text,
)


def _relation(n: int, signs: tuple[int, ...] | None = None) -> FundamentalRelation:
    xs = sympy.symbols(f"x1:{n + 1}", real=True)
    ys = sympy.symbols(f"y1:{n + 1}", real=True)
    return FundamentalRelation(sympy.Symbol("U"), xs, ys, signs or (1,) * n)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_number_of_transforms_and_maxwell_relations(n: int) -> None:
    rel = _relation(n)
    transforms = legendre_transforms(rel)
    assert len(transforms) == 2**n - 1
    assert len({p.transformed for p in transforms}) == 2**n - 1
    for p in all_potentials(rel):
        assert len(maxwell_relations(p)) == n * (n - 1) // 2
        # natural variables: y_i for transformed indices, x_j otherwise
        for i in range(n):
            expected = rel.conjugates[i] if i in p.transformed else rel.variables[i]
            assert p.natural_variables[i] == expected


def test_energy_sv_potentials_are_the_documents_f_h_g() -> None:
    S, V = ENERGY_SV.variables
    T, P = ENERGY_SV.conjugates
    E = ENERGY_SV.potential
    by_name = {str(p.symbol): p for p in all_potentials(ENERGY_SV)}
    assert set(by_name) == {"E", "F", "H", "G"}
    # TL-08, TL-09, TL-10 (with G = H - TS = E + PV - TS)
    assert sympy.expand(by_name["F"].definition - (E - T * S)) == 0
    assert sympy.expand(by_name["H"].definition - (E + P * V)) == 0
    assert sympy.expand(by_name["G"].definition - (E + P * V - T * S)) == 0
    assert by_name["F"].natural_variables == (T, V)
    assert by_name["H"].natural_variables == (S, P)
    assert by_name["G"].natural_variables == (T, P)
    assert differential_text(by_name["F"]) == "dF = −S dT − P dV"
    assert differential_text(by_name["H"]) == "dH = T dS + V dP"
    assert maxwell_text(maxwell_relations(by_name["G"])[0]) == "(∂S/∂P)_T = −(∂V/∂T)_P"


def test_the_four_textbook_maxwell_relations() -> None:
    """Callen, Thermodynamics (2nd ed.), ch. 7 (single-component simple system, N fixed)."""
    from thermosym.operators import ConstrainedDerivative as CD

    S, V = ENERGY_SV.variables
    T, P = ENERGY_SV.conjugates
    found = {str(p.symbol): maxwell_relations(p)[0].relation for p in all_potentials(ENERGY_SV)}
    assert found["E"] == sympy.Eq(CD(T, V, S), -CD(P, S, V), evaluate=False)
    assert found["F"] == sympy.Eq(CD(S, V, T), CD(P, T, V), evaluate=False)
    assert found["H"] == sympy.Eq(CD(T, P, S), CD(V, S, P), evaluate=False)
    assert found["G"] == sympy.Eq(CD(S, P, T), -CD(V, T, P), evaluate=False)


def test_every_residual_of_the_documents_relations_vanishes() -> None:
    residuals = energy_sv_residuals()
    # 4 potentials × (differential + Maxwell) × (generic + 3 concrete relations)
    assert len(residuals) == 4 * 2 * (1 + len(CONCRETE_ENERGIES))
    assert all(r == 0 for r in residuals.values()), {k: r for k, r in residuals.items() if r != 0}


@pytest.mark.parametrize("signs", [(1, 1, 1), (1, -1, -1)])
def test_three_variable_generic_relation(signs: tuple[int, int, int]) -> None:
    """Any fundamental relation: U(x1, x2, x3) with any sign convention has 8 potentials × 3 Maxwell relations."""
    rel = _relation(3, signs)
    for p in all_potentials(rel):
        assert all(r == 0 for r in differential_residuals(rel, p))
        for m in maxwell_relations(p):
            assert maxwell_residual(rel, m) == 0


def test_a_wrong_maxwell_relation_is_refused() -> None:
    for p in all_potentials(ENERGY_SV):
        (m,) = maxwell_relations(p)
        flipped = MaxwellRelation(m.potential, m.lhs, m.rhs, -m.sign)
        assert maxwell_residual(ENERGY_SV, flipped) != 0
        # and on a concrete relation (van der Waals)
        vdw = ENERGY_SV.with_expression(CONCRETE_ENERGIES[2][1], "vdw")
        assert maxwell_residual(vdw, flipped) != 0


def test_a_wrong_differential_is_refused() -> None:
    f = legendre_transform(ENERGY_SV, (0,))
    (t_var, a_t), (v_var, a_v) = f.differential
    wrong = type(f)(f.symbol, f.transformed, f.natural_variables, f.definition, ((t_var, -a_t), (v_var, a_v)))
    assert any(r != 0 for r in differential_residuals(ENERGY_SV, wrong))


def test_one_variable_relation() -> None:
    """U(S) alone: F(T) = U − TS, dF = −S dT, no Maxwell relation."""
    S, T, U = sympy.symbols("S T U", real=True)
    rel = FundamentalRelation(U, (S,), (T,), (1,), expression=sympy.exp(S))
    (f,) = legendre_transforms(rel)
    assert maxwell_relations(f) == ()
    assert differential_residuals(rel, f) == (0,)
    # for U = e^S: T = e^S, F = e^S − S e^S, dF/dT = −S holds along T = e^S
    values = rel.coordinates()
    assert sympy.simplify(sympy.diff(values[f.symbol], S) / sympy.diff(values[T], S) + S) == 0


def test_paramagnet_relation_with_other_variable_names() -> None:
    """U(S, M) with field B = ∂U/∂M (magnetic work +B dM): Maxwell of U is (∂T/∂M)_S = (∂B/∂S)_M."""
    S, M, T, B, U = sympy.symbols("S M T B U", real=True)
    rel = FundamentalRelation(U, (S, M), (T, B), (1, 1))
    (m,) = maxwell_relations(legendre_transform(rel, ()))
    assert m.sign == 1 and m.lhs[:2] == (T, M) and m.rhs[:2] == (B, S)
    assert maxwell_residual(rel, m) == 0
    # Gibbs-like transform over both: dΦ = −S dT − M dB
    phi = legendre_transform(rel, (0, 1))
    assert dict(phi.differential) == {T: -S, B: -M}


def test_concrete_relations_reproduce_published_equations_of_state() -> None:
    """T = ∂E/∂S, P = −∂E/∂V on the concrete E(S, V): ideal gas PV = T and E = 3T/2 (Callen §3.4),
    van der Waals P = T/(V − b) − a/V² (Callen §3.5), Gibbs measure of ½θᵀHθ: E = dT/2 (REFERENCES §1)."""
    V = ENERGY_SV.variables[1]
    T, P = ENERGY_SV.conjugates
    a, b, d = sympy.Symbol("a", positive=True), sympy.Symbol("b", positive=True), sympy.Symbol("d", positive=True)
    ideal, quad, vdw = (ENERGY_SV.with_expression(e, n).coordinates() for n, e in CONCRETE_ENERGIES)
    assert sympy.simplify(ideal[P] * V - ideal[T]) == 0
    assert sympy.simplify(ideal[ENERGY_SV.potential] - sympy.Rational(3, 2) * ideal[T]) == 0
    assert sympy.simplify(vdw[P] - (vdw[T] / (V - b) - a / V**2)) == 0
    assert sympy.simplify(quad[ENERGY_SV.potential] - d * quad[T] / 2) == 0
    assert sympy.simplify(quad[P] * V - quad[T]) == 0


def test_maxwell_relations_against_finite_differences_on_van_der_waals() -> None:
    """Independent of the Jacobian code: the four Maxwell relations evaluated numerically on the van der Waals
    E(S, V) (a = 1, b = 0.1) at (S, V) = (0.7, 1.3), each side a central difference of T(S, V), P(S, V) along a
    curve of the held variable found by Newton's method.

    Tolerance 1e-6 relative: central differences with h = 1e-5 have truncation error ~h² ≈ 1e-10 relative
    (the functions are smooth and O(1) here) and round-off ~1e-16/h ≈ 1e-11; the root finding converges to 1e-13.
    """
    S, V = ENERGY_SV.variables
    T, P = ENERGY_SV.conjugates
    vdw = ENERGY_SV.with_expression(CONCRETE_ENERGIES[2][1], "vdw")
    values = vdw.coordinates()
    subs = {sympy.Symbol("a", positive=True): 1.0, sympy.Symbol("b", positive=True): 0.1}
    funcs = {k: sympy.lambdify((S, V), v.subs(subs), "math") for k, v in values.items()}
    s0, v0, h = 0.7, 1.3, 1e-5

    def along(held: sympy.Symbol, move: sympy.Symbol, step: float) -> tuple[float, float]:
        """The point where ``move`` (a natural variable of E or a conjugate) changed by ``step`` at fixed
        ``held``: solve for (S, V) with Newton's method in 2-D."""
        target_held = funcs[held](s0, v0)
        target_move = funcs[move](s0, v0) + step
        x = np.array([s0, v0])
        for _ in range(50):
            fx = np.array([funcs[held](*x) - target_held, funcs[move](*x) - target_move])
            jac = np.empty((2, 2))
            for k in range(2):
                dx = np.zeros(2)
                dx[k] = 1e-7
                jac[:, k] = (
                    np.array([funcs[held](*(x + dx)), funcs[move](*(x + dx))])
                    - np.array([funcs[held](*(x - dx)), funcs[move](*(x - dx))])
                ) / 2e-7
            x = x - np.linalg.solve(jac, fx)
            if np.max(np.abs(fx)) < 1e-14:
                break
        return float(x[0]), float(x[1])

    def numeric(num: sympy.Symbol, den: sympy.Symbol, held: sympy.Symbol) -> float:
        plus, minus = along(held, den, h), along(held, den, -h)
        return (funcs[num](*plus) - funcs[num](*minus)) / (2 * h)

    pairs = {
        "E": (numeric(T, V, S), -numeric(P, S, V)),
        "F": (numeric(S, V, T), numeric(P, T, V)),
        "H": (numeric(T, P, S), numeric(V, S, P)),
        "G": (numeric(S, P, T), -numeric(V, T, P)),
    }
    for name, (lhs, rhs) in pairs.items():
        assert lhs == pytest.approx(rhs, rel=1e-6), name
        assert abs(lhs) > 1e-3, name  # the relation is not trivially 0 = 0


@settings(max_examples=15, deadline=None)
@given(n=st.integers(min_value=1, max_value=3), data=st.data())
def test_random_relations_have_consistent_potentials(n: int, data: st.DataObject) -> None:
    """Random sign conventions and a random subset: the transform's differential is right, and the transform of
    the transform back over the same variables returns U's natural variables."""
    signs = tuple(data.draw(st.sampled_from((1, -1))) for _ in range(n))
    rel = _relation(n, signs)
    subset = tuple(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    phi = legendre_transform(rel, subset)
    assert all(r == 0 for r in differential_residuals(rel, phi))
    for m in maxwell_relations(phi):
        assert maxwell_residual(rel, m) == 0


def test_invalid_relations_are_rejected() -> None:
    x, y, u = sympy.symbols("x y u")
    with pytest.raises(ValueError, match="variables"):
        FundamentalRelation(u, (), (), ())
    with pytest.raises(ValueError, match="match"):
        FundamentalRelation(u, (x,), (y, u), (1,))
    with pytest.raises(ValueError, match="signs"):
        FundamentalRelation(u, (x,), (y,), (2,))
    with pytest.raises(ValueError, match="distinct"):
        FundamentalRelation(u, (x,), (x,), (1,))
    with pytest.raises(ValueError, match="function of the variables"):
        FundamentalRelation(u, (x,), (y,), (1,), expression=x * y)
    with pytest.raises(ValueError, match="subset"):
        legendre_transform(_relation(2), (0, 0))
