r"""Exponent naming: a critical-exponent letter attached to a quantity or a law it does not standardly govern.

The standard letters (Stanley, *Introduction to Phase Transitions and Critical Phenomena*, OUP 1971, ch. 3;
Goldenfeld, *Lectures on Phase Transitions and the Renormalization Group*, 1992, §3.6), with t = (T − T_c)/T_c:
α: C ∝ |t|^(−α); β: ψ ∝ (−t)^β; γ: χ ∝ |t|^(−γ); δ: ψ ∝ h^(1/δ) at t = 0; ν: ξ ∝ |t|^(−ν); z: τ ∝ ξ^z.

Each power law of an asymptotic or scaling claim is classified by what it governs (the kind of its left side)
and where it holds (its *regime*: ``critical`` for a power of |T − T_c| as T → T_c, ``field`` for a power of a
field as it → 0, ``dynamic`` for a power of a length, ``low-temperature`` for a power of T as T → 0, ``size``
for a power of a count). Then:

* ``exponent-letter-convention`` (``warning``): a standard letter in a critical regime, on the quantity of
  another letter (HC-05's γ on the heat capacity: the specific-heat exponent is α); also a list of exponents
  (an :class:`~thermosym.claim.ExponentSet`) that assigns a letter to the wrong quantity;
* ``critical-exponent-letter-reused`` (``warning``): a standard letter for an exponent outside the critical
  regimes (α for a low-temperature power law or a size-scaling exponent, β for a data-scaling exponent): a
  reader takes it for the critical exponent.

Warnings only: the statements may still hold; the letters mislead.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from thermosym.catalogue import Catalogue
from thermosym.claim import Asymptotic, Claim, ExponentSet, ScalingForm
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import head_key, quantity_keys, show
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Quantity


@dataclass(frozen=True)
class StandardExponent:
    """A standard critical exponent: the kind it governs, its regime, and the law that defines it."""

    letter: str
    governs: Kind
    regime: str
    law: str


STANDARD_EXPONENTS: dict[str, StandardExponent] = {
    e.letter: e
    for e in (
        StandardExponent("α", Kind.HEAT_CAPACITY, "critical", "C ∝ |T − T_c|^(−α)"),
        StandardExponent("β", Kind.ORDER_PARAMETER, "critical", "ψ ∝ (T_c − T)^β"),
        StandardExponent("γ", Kind.SUSCEPTIBILITY, "critical", "χ ∝ |T − T_c|^(−γ)"),
        StandardExponent("δ", Kind.ORDER_PARAMETER, "field", "ψ ∝ h^(1/δ) at T = T_c"),
        StandardExponent("ν", Kind.LENGTH, "critical", "ξ ∝ |T − T_c|^(−ν)"),
        StandardExponent("z", Kind.TIME, "dynamic", "τ ∝ ξ^z"),
    )
}

_CRITICAL_REGIMES = frozenset({"critical", "field", "dynamic"})

_REGIME_WORDS = {
    "low-temperature": "a low-temperature power law (T → 0)",
    "size": "a scaling law in a size or count",
    "other": "a power law that is not a critical one",
}

#: What a careful text would write instead, by (letter, regime) where the standard theory has an answer.
_STANDARD_FORMS = {
    ("α", "size"): (
        " In finite-size scaling the heat capacity grows as L^(α/ν) with the linear size L, i.e. N^(α/(dν)) with "
        "N = L^d, so the size exponent is α/(dν), not α."
    ),
}


def letter(q: Quantity) -> str:
    """The letter of an exponent's symbol (``'α'`` for ``α_low``)."""
    return q.symbol.split("_", 1)[0]


@dataclass(frozen=True)
class PowerLaw:
    """One power law in a claim: the exponent quantity, the base, what it governs and the regime."""

    exponent: Quantity
    base: sympy.Basic
    power: sympy.Basic
    governs: Quantity | None
    regime: str


def _exponent_of(power: sympy.Basic, catalogue: Catalogue) -> Quantity | None:
    found = [catalogue.quantity(k) for k in quantity_keys(power, catalogue)]
    exps = [q for q in found if q.kind is Kind.EXPONENT]
    return exps[0] if len(exps) == 1 else None


def _regime(base: sympy.Basic, variable: sympy.Basic | None, point: sympy.Basic | None, catalogue: Catalogue) -> str:
    inner = base.args[0] if isinstance(base, sympy.Abs) else base
    keys = quantity_keys(inner, catalogue)
    kinds = {catalogue.quantity(k).kind for k in keys}
    if Kind.LENGTH in kinds:
        return "dynamic"
    if variable is not None and point is not None and not point.is_number:
        diff = sympy.expand(inner - (variable - point))
        if diff == 0 or sympy.expand(inner + (variable - point)) == 0:
            return "critical"
    if variable is not None and point == 0 and inner == variable:
        q = catalogue.quantities.get(head_key(variable) or "")
        if q is not None and q.kind is Kind.TEMPERATURE:
            return "low-temperature"
        if q is not None and q.kind in (Kind.ENERGY, Kind.PRESSURE):
            return "field"
    if kinds and kinds <= {Kind.COUNT}:
        return "size"
    return "other"


def power_laws(claim: Claim, catalogue: Catalogue) -> list[PowerLaw]:
    """The power laws of an asymptotic or scaling claim."""
    s = claim.statement
    if isinstance(s, Asymptotic):
        powers = [(p.base, p.exp, p) for p in s.rhs.atoms(sympy.Pow)]
        lhs, variable, point = s.lhs, s.variable, s.point
    elif isinstance(s, ScalingForm):
        powers = [(s.variable, s.exponent, s.variable**s.exponent)]
        lhs, variable, point = s.lhs, None, None
    else:
        return []
    key = head_key(lhs)
    governs = catalogue.quantities.get(key) if key else None
    out = []
    for base, exponent, power in powers:
        e = _exponent_of(exponent, catalogue)
        if e is not None:
            out.append(PowerLaw(e, base, power, governs, _regime(base, variable, point, catalogue)))
    return out


def standard_for(kind: Kind, regime: str) -> StandardExponent | None:
    return next((e for e in STANDARD_EXPONENTS.values() if e.governs is kind and e.regime == regime), None)


@register_check("exponent-naming")
def check_exponents(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Standard exponent letters used for other exponents, in laws and in lists of exponents."""
    findings = []
    for claim in catalogue:
        if isinstance(claim.statement, ExponentSet):
            findings.extend(_listed(claim, catalogue))
        for law in power_laws(claim, catalogue):
            f = _usage(claim, law, catalogue)
            if f is not None:
                findings.append(f)
    return findings


def _usage(claim: Claim, law: PowerLaw, catalogue: Catalogue) -> Finding | None:
    e = law.exponent
    std = STANDARD_EXPONENTS.get(letter(e))
    if std is None or law.governs is None:
        return None
    governs = law.governs.kind
    if governs is std.governs and law.regime == std.regime:
        return None
    where = f"{claim.id} writes {show(law.governs.sym, catalogue)} ∝ {show(law.power, catalogue)}"
    if law.regime in _CRITICAL_REGIMES:
        right = standard_for(governs, law.regime)
        if right is None:
            return None
        return Finding(
            code="exponent-letter-convention",
            category=Category.EXPONENT_NAMING,
            severity=Severity.WARNING,
            claims=(claim.id,),
            quantities=(e.key, law.governs.key),
            message=(
                f"{where}: the letter {std.letter} is the {std.governs.value} exponent ({std.law}), but here it "
                f"governs the {governs.value} near the critical point, whose standard exponent is {right.letter} "
                f"({right.law})."
            ),
            expression=law.power,
        )
    return Finding(
        code="critical-exponent-letter-reused",
        category=Category.EXPONENT_NAMING,
        severity=Severity.WARNING,
        claims=(claim.id,),
        quantities=(e.key, law.governs.key),
        message=(
            f"{where}: {std.letter} is the standard critical {std.governs.value} exponent ({std.law}), but here "
            f"it names the exponent of {_REGIME_WORDS.get(law.regime, 'another law')}, a different number that a "
            f"reader would take for the critical one.{_STANDARD_FORMS.get((std.letter, law.regime), '')}"
        ),
        expression=law.power,
    )


def _listed(claim: Claim, catalogue: Catalogue) -> list[Finding]:
    assert isinstance(claim.statement, ExponentSet)
    findings = []
    for sym in claim.statement.exponents:
        q = catalogue.quantities.get(sym.name)
        std = STANDARD_EXPONENTS.get(letter(q)) if q is not None else None
        if q is None or std is None or q.governs is None or q.governs is std.governs:
            continue
        findings.append(
            Finding(
                code="exponent-letter-convention",
                category=Category.EXPONENT_NAMING,
                severity=Severity.WARNING,
                claims=(claim.id,),
                quantities=(q.key,),
                message=(
                    f"{claim.id} lists {q.symbol} as the exponent of the {q.governs.value}, but {std.letter} is "
                    f"the standard {std.governs.value} exponent ({std.law})."
                ),
                expression=q.sym,
            )
        )
    return findings
