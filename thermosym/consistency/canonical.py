r"""Canonical readings: the substitution of meanings that turns each flawed claim into standard statistical
mechanics, built from the findings by a registry of *repairs* (one per finding code, never per claim id).

Conventions: k_B = 1, β = 1/T, the Gibbs distribution p(θ) ∝ exp(−L(θ)/T) of a loss L. The repairs:

* an "energy" defined as the Gibbs entropy −∑ p log p: E := ⟨L⟩ (the mean loss under the Gibbs distribution),
  and −∑ p log p becomes the entropy S where the text uses an S it never defines (TL-03 → E = ⟨L⟩, S = −∑p log p);
  a loss is declared in the ``CANON`` namespace where the document has none (``CANON.TL_L``);
* an ensemble functional inside ⟨·⟩ or Var: replaced by the microstate observable it is the average of
  (HC-11 → C_L = β²(⟨L²⟩ − ⟨L⟩²));
* a susceptibility taken with respect to the temperature: χ := ∂ψ/∂h, with h a field conjugate to ψ;
* a current whose continuity equation contradicts the evolution law: the current that reproduces the law
  (TL-13 → j = −D∇c + cv);
* a derivative with respect to an integer-valued variable: the variable read as a continuous control parameter;
* dQ/dT of a heat: C = T(∂S/∂T)_V, at the volume the document holds fixed;
* dS/dt minimal at steady state: the entropy production rate Π is minimal (Prigogine);
* undefined quantities with a standard meaning: read in it (W, ΔF, Q, σ, ξ);
* exponent letters: the standard letter where the law is a critical one (γ → α on the heat capacity), a neutral
  letter ``a_…`` where it is not (the low-temperature, size and data exponents);
* an overloaded symbol: the meaning the document marks as primary keeps it, the others get a subscript.

Where no honest repair exists (a law between quantities nothing defines, an argmax of a monotone function) the
canonical reading keeps the statement and says so in its rationale; its re-check then reports the same problem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import sympy

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Extremum, Reading, Relation, Statement
from thermosym.consistency import contradictions, exponents
from thermosym.consistency.theory import (
    definition_of,
    definitions,
    gibbs_entropy_distribution,
    head_key,
    show,
    standard_meaning,
)
from thermosym.consistency.worlds import rewrite_statement
from thermosym.finding import Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.printing import _GREEK
from thermosym.quantity import Kind, Level, Quantity

#: The document id of the quantities canonical readings introduce.
CANON = "CANON"
#: The name of the proposed repair reading.
CANONICAL = "canonical"

_ENERGIES = (Kind.ENERGY, Kind.FREE_ENERGY)

#: The conventional meaning of a letter, used to decide which meaning of an overloaded symbol keeps it.
CONVENTIONAL_LETTERS: dict[str, Kind] = {
    "E": Kind.ENERGY,
    "S": Kind.ENTROPY,
    "T": Kind.TEMPERATURE,
    "V": Kind.VOLUME,
    "P": Kind.PRESSURE,
    "F": Kind.FREE_ENERGY,
    "G": Kind.FREE_ENERGY,
    "C": Kind.HEAT_CAPACITY,
    "Q": Kind.HEAT,
    "W": Kind.WORK,
    "D": Kind.DIFFUSION,
    "p": Kind.PROBABILITY,
    "β": Kind.INVERSE_TEMPERATURE,
    "N": Kind.COUNT,
}


@dataclass
class Plan:
    """The canonical reading under construction: what each repair contributes."""

    catalogue: Catalogue
    graph: TheoryGraph
    replacements: dict[str, Quantity] = field(default_factory=dict)
    new_quantities: dict[str, Quantity] = field(default_factory=dict)
    statements: dict[str, Statement] = field(default_factory=dict)
    supplements: list[tuple[Quantity, sympy.Basic, str, str]] = field(default_factory=list)
    claim_notes: dict[str, list[str]] = field(default_factory=dict)
    quantity_notes: dict[str, list[str]] = field(default_factory=dict)
    reinterpreted: set[str] = field(default_factory=set)
    no_repair: dict[str, list[str]] = field(default_factory=dict)
    averaged: dict[str, sympy.Basic] = field(default_factory=dict)
    meaningless: set[str] = field(default_factory=set)

    # ---- helpers the repairs share -----------------------------------------------------------------------
    def note_claim(self, claim_id: str, note: str) -> None:
        notes = self.claim_notes.setdefault(claim_id, [])
        if note not in notes:
            notes.append(note)

    def note_quantity(self, key: str, note: str) -> None:
        notes = self.quantity_notes.setdefault(key, [])
        if note not in notes:
            notes.append(note)

    def refuse(self, claim_id: str, reason: str) -> None:
        reasons = self.no_repair.setdefault(claim_id, [])
        if reason not in reasons:
            reasons.append(reason)

    def statement(self, claim_id: str) -> Statement:
        """The statement as the repairs have rewritten it so far (in the original keys)."""
        return self.statements.get(claim_id, self.catalogue.claim(claim_id).statement)

    def current(self, key: str) -> Quantity:
        """A quantity as the canonical reading has it so far."""
        return self.replacements.get(key) or self.catalogue.quantity(key)

    def recast(self, key: str, **changes: object) -> Quantity:
        """Replace a quantity in every claim by a canonical copy with ``changes`` (accumulating)."""
        base = self.current(key)
        original = self.catalogue.quantity(key)
        new_key = f"{CANON}.{original.document}_{original.local_name}"
        q = replace(base, key=new_key, **changes)  # type: ignore[arg-type]
        self.replacements[key] = q
        return q

    def declare(self, document: str, local: str, **spec: object) -> Quantity:
        """A new quantity of the canonical reading (``CANON.<document>_<local>``)."""
        key = f"{CANON}.{document}_{local}"
        if key not in self.new_quantities:
            self.new_quantities[key] = Quantity(key=key, **spec)  # type: ignore[arg-type]
        return self.new_quantities[key]

    def document_quantities(self, document: str) -> list[Quantity]:
        return [q for q in self.catalogue.quantities.values() if q.document == document]

    def symbols_in_use(self, document: str) -> set[str]:
        used = {self.current(q.key).symbol for q in self.document_quantities(document)}
        return used | {q.symbol for q in self.new_quantities.values() if q.key.startswith(f"{CANON}.{document}_")}


Repair = Callable[[Finding, Plan], None]

#: The repairs by finding code: (priority, function). Lower priorities run first.
REPAIRS: dict[str, tuple[int, Repair]] = {}


def register_repair(code: str, priority: int = 50) -> Callable[[Repair], Repair]:
    """Decorator: the repair for findings of ``code``."""

    def wrap(func: Repair) -> Repair:
        if code in REPAIRS:
            raise ValueError(f"a repair for {code!r} is already registered")
        REPAIRS[code] = (priority, func)
        return func

    return wrap


# ---- the repairs ------------------------------------------------------------------------------------------


def _document(plan: Plan, claim_id: str) -> str:
    return plan.catalogue.claim(claim_id).source.document


def _document_loss(plan: Plan, document: str, argument: sympy.Basic) -> sympy.Basic:
    """The document's loss L(θ) (a given microstate energy named a loss), or a canonical one."""
    for q in plan.document_quantities(document):
        loss_like = "loss" in q.name.lower() or q.symbol == "L"
        if q.kind is Kind.ENERGY and q.level is Level.MICROSTATE and q.given and q.arguments and loss_like:
            return q.func(argument)
    loss = plan.declare(
        document,
        "L",
        symbol="L",
        name="Loss",
        kind=Kind.ENERGY,
        level=Level.MICROSTATE,
        arguments=("theta",),
        given=True,
        description="the training loss L(θ), the energy of the Gibbs distribution p(θ) ∝ exp(−L(θ)/T)",
    )
    return loss.func(argument)


def _temperature(plan: Plan, document: str) -> str:
    uses: Counter[str] = Counter()
    for claim in plan.catalogue:
        if claim.source.document == document:
            for k in claim.quantities:
                if plan.catalogue.quantity(k).kind is Kind.TEMPERATURE:
                    uses[k] += 1
    return plan.catalogue.quantity(uses.most_common(1)[0][0]).symbol if uses else "T"


def _entropies(plan: Plan, document: str) -> tuple[list[str], list[str]]:
    """(undefined, defined) ensemble entropies that the document's claims use."""
    undefined: list[str] = []
    defined: list[str] = []
    for claim in plan.catalogue:
        if claim.source.document != document:
            continue
        for k in claim.quantities:
            q = plan.catalogue.quantity(k)
            if q.kind is not Kind.ENTROPY or q.level is not Level.ENSEMBLE:
                continue
            target = defined if plan.graph.definers(k) else undefined
            if k not in target:
                target.append(k)
    return undefined, defined


@register_repair("kind-mismatch-definition", priority=10)
def repair_energy_as_entropy(finding: Finding, plan: Plan) -> None:
    """An energy defined as a Gibbs entropy: E := ⟨L⟩, and the Gibbs entropy becomes the text's undefined S."""
    claim = plan.catalogue.claim(finding.claims[0])
    d = definition_of(claim)
    if d is None or plan.catalogue.quantity(d.key).kind not in _ENERGIES:
        return
    p = gibbs_entropy_distribution(d.rhs, plan.catalogue)
    if p is None:
        return
    doc = claim.source.document
    argument = p.args[0] if p.args else plan.catalogue.quantity(head_key(p) or "").sym
    loss = _document_loss(plan, doc, argument)
    plan.statements[claim.id] = Relation(sympy.Eq(d.lhs, op.Avg(loss), evaluate=False))
    plan.averaged[d.key] = loss
    plan.reinterpreted.add(d.key)
    cat = _with(plan)
    e, t = cat.quantity(d.key).symbol, _temperature(plan, doc)
    plan.note_quantity(
        d.key,
        f"{e} := ⟨{show(loss, cat)}⟩ = ∑ {show(p, cat)} {show(loss, cat)}, the mean loss under the Gibbs "
        f"distribution {show(p, cat)} ∝ exp(−{show(loss, cat)}/{t}) (k_B = 1): the '{cat.quantity(d.key).name}' is "
        f"an energy; the expression {claim.id} gives, {show(d.rhs, cat)}, is the Gibbs entropy of {show(p, cat)}.",
    )
    undefined, defined = _entropies(plan, doc)
    if len(undefined) == 1:
        s = cat.quantity(undefined[0])
        plan.supplements.append((s, d.rhs, doc, f"{claim.id}'s expression read as the Gibbs entropy"))
        plan.reinterpreted.add(s.key)
        plan.note_quantity(
            s.key,
            f"{s.symbol} := {show(d.rhs, cat)}, the Gibbs entropy: the text uses {s.symbol} ('{s.name}') without "
            f"defining it, and this is the entropy it writes down (as {e} in {claim.id}).",
        )
    elif defined:
        names = ", ".join(cat.quantity(k).symbol for k in defined)
        plan.note_claim(
            claim.id,
            f"The text's {show(d.rhs, cat)} is the Gibbs entropy of the ensemble, which the document calls {names} "
            "(equal up to a constant of integration where it is defined by thermodynamic integration).",
        )


@register_repair("response-to-wrong-variable", priority=20)
def repair_response(finding: Finding, plan: Plan) -> None:
    """A susceptibility taken with respect to a temperature: χ := ∂ψ/∂h with a conjugate field h."""
    claim = plan.catalogue.claim(finding.claims[0])
    d = definition_of(claim)
    if d is None or plan.catalogue.quantity(d.key).kind is not Kind.SUSCEPTIBILITY:
        plan.refuse(claim.id, "No canonical repair for a response function taken with respect to this variable.")
        return
    wrong = plan.catalogue.quantity(finding.quantities[1])
    numerators = [a.expr for a in d.rhs.atoms(sympy.Derivative) if wrong.sym in a.variables]
    numerators += [a.args[0] for a in d.rhs.atoms(op.ConstrainedDerivative) if a.args[1] == wrong.sym]
    psi = show(numerators[0], plan.catalogue) if numerators else "the order parameter"
    h = plan.declare(
        claim.source.document,
        "h",
        symbol="h",
        name=f"Field Conjugate to {psi}",
        kind=Kind.ENERGY,
        level=Level.CONTROL,
        description=f"a field h that enters the loss as −h N {psi}; the susceptibility is taken at h → 0",
    )
    new_rhs = d.rhs.xreplace({wrong.sym: h.sym})
    plan.statements[claim.id] = Relation(sympy.Eq(d.lhs, new_rhs, evaluate=False))
    plan.note_claim(
        claim.id,
        f"{plan.catalogue.quantity(d.key).symbol} := {show(new_rhs, _with(plan))} at h → 0, the response of {psi} to a "
        f"field h conjugate to it (a term −h N {psi} in the loss): that is what a susceptibility is, and what "
        f"scales as |T − T_c|^(−γ). The text's derivative with respect to {wrong.symbol} is the thermal "
        f"derivative of {psi}.",
    )


def _with(plan: Plan) -> Catalogue:
    """The real catalogue with the canonical quantities added (for printing)."""
    quantities = dict(plan.catalogue.quantities)
    quantities.update({q.key: q for q in plan.new_quantities.values()})
    return Catalogue(documents=plan.catalogue.documents, quantities=quantities, claims=plan.catalogue.claims)


@register_repair("continuity-contradicts-evolution", priority=20)
def repair_current(finding: Finding, plan: Plan) -> None:
    """The current that reproduces the evolution law by continuity."""
    cat = plan.catalogue
    current_claim, law_claim = finding.claims[0], finding.related[0]
    cur = next((c for c in contradictions.currents(cat) if c.definition.claim_id == current_claim), None)
    law = next((e for e in contradictions.evolutions(cat) if e.claim.id == law_claim), None)
    if cur is None or law is None or not cur.densities:
        plan.refuse(current_claim, "No canonical repair: the current and the evolution law could not be paired.")
        return
    mapping: dict[sympy.Basic, sympy.Basic] = {law.density: cur.densities[0]}
    if len(law.velocities) == 1 and len(cur.velocities) == 1:
        mapping[cat.quantity(law.velocities[0]).sym] = cat.quantity(cur.velocities[0]).sym
    j = contradictions.conserved_current(law.rate.xreplace(mapping), cat)
    if j is None:
        plan.refuse(current_claim, f"No canonical repair: {law_claim} has a term that is not a divergence.")
        return
    d = cur.definition
    plan.statements[current_claim] = Relation(sympy.Eq(d.lhs, j, evaluate=False))
    plan.note_claim(
        current_claim,
        f"{show(d.lhs, cat)} := {show(j, cat)}, the current whose continuity equation ∂ρ/∂t = −∇·j reproduces "
        f"{law_claim} ({show(law.density, cat)} and {show(cur.densities[0], cat)} read as one density, with one "
        f"velocity field); the text's {show(d.rhs, cat)} has the advective term with the wrong sign.",
    )


@register_repair("fluctuation-of-ensemble-functional", priority=30)
def repair_fluctuation(finding: Finding, plan: Plan) -> None:
    """Inside ⟨·⟩ and Var, an ensemble functional E := ⟨m⟩ is replaced by the observable m."""
    _replace_inside_averages(finding, plan)


@register_repair("average-of-ensemble-functional", priority=30)
def repair_average(finding: Finding, plan: Plan) -> None:
    """As :func:`repair_fluctuation`."""
    _replace_inside_averages(finding, plan)


def _replace_inside_averages(finding: Finding, plan: Plan) -> None:
    cat = plan.catalogue
    claim_id = finding.claims[0]
    mapping = {cat.quantity(k).sym: plan.averaged[k] for k in finding.quantities if k in plan.averaged}
    if not mapping:
        plan.refuse(claim_id, "No canonical repair: the averaged quantity has no microstate observable behind it.")
        return
    statement = plan.statement(claim_id)
    inner = {}
    for e in statement.expressions():
        for a in e.atoms(op.Avg, op.Var):
            inner[a] = a.func(a.args[0].xreplace(mapping), *a.args[1:])
    plan.statements[claim_id] = statement.substitute({e: e.xreplace(inner) for e in statement.expressions()})
    shown = ", ".join(f"{show(k, cat)} → {show(v, cat)}" for k, v in mapping.items())
    plan.note_claim(
        claim_id,
        f"Inside the averages the ensemble functional is replaced by the observable it averages ({shown}): the "
        "fluctuation of the microstate observable is what the fluctuation formula measures "
        "(C = β² Var L, Pathria & Beale, Statistical Mechanics, §3.6).",
    )


@register_repair("derivative-wrt-discrete", priority=40)
def repair_discrete(finding: Finding, plan: Plan) -> None:
    """An integer-valued variable read as a continuous control parameter."""
    cat = plan.catalogue
    claim_id = finding.claims[0]
    keys = [
        k
        for k in finding.quantities
        if cat.quantity(k).discrete and any(v == cat.quantity(k).sym for v in _derivative_variables(finding))
    ]
    if not keys:
        plan.refuse(claim_id, "No canonical repair: the derivative is taken with respect to a count itself.")
        return
    for k in keys:
        q = plan.recast(k, discrete=False)
        defs = definitions(cat)
        value = f", whose value for a given model is {show(defs[k].rhs, cat)} ({defs[k].claim_id})" if k in defs else ""
        plan.note_quantity(
            k,
            f"{q.symbol} read as a continuous control parameter{value}: derivatives with respect to it are taken "
            "of its continuous (thermodynamic-limit) extension, as for the volume of a lattice gas, whose "
            "number of sites is an integer.",
        )


def _derivative_variables(finding: Finding) -> list[sympy.Basic]:
    e = finding.expression
    if isinstance(e, op.ConstrainedDerivative):
        return [e.args[1]]
    if isinstance(e, sympy.Derivative):
        return list(e.variables)
    return []


@register_repair("path-dependent-derivative", priority=45)
def repair_path(finding: Finding, plan: Plan) -> None:
    """dQ/dT of a heat → T(∂S/∂T)_V at the document's volume."""
    cat = plan.catalogue
    claim_id = finding.claims[0]
    doc = _document(plan, claim_id)
    d = finding.expression
    q = cat.quantity(finding.quantities[0])
    if not isinstance(d, sympy.Derivative) or q.kind is not Kind.HEAT or len(d.variables) != 1:
        plan.refuse(claim_id, f"No canonical repair: {q.symbol} is a {q.kind.value} and the path is not known.")
        return
    (temperature,) = d.variables
    undefined, defined = _entropies(plan, doc)
    entropy = (defined + undefined)[:1]
    volume = [k for c in cat if c.source.document == doc for k in c.quantities if cat.quantity(k).kind is Kind.VOLUME][
        :1
    ]
    if not entropy or not volume:
        plan.refuse(claim_id, "No canonical repair: the document has no entropy and volume to fix the path with.")
        return
    s, v = cat.quantity(entropy[0]).sym, cat.quantity(volume[0]).sym
    new = temperature * op.ConstrainedDerivative(s, temperature, v)
    plan.statements[claim_id] = plan.statement(claim_id).substitute({d: new})
    plan.note_claim(
        claim_id,
        f"{show(d, cat)} read at constant {show(v, cat)} (the variable the document holds fixed): for a "
        f"reversible change the heat is T dS, so the heat capacity is {show(new, cat)} = (∂E/∂T)_{show(v, cat)}.",
    )


@register_repair("steady-state-derivative", priority=50)
def repair_steady_state(finding: Finding, plan: Plan) -> None:
    """dS/dt minimal at steady state → the entropy production rate is minimal (Prigogine)."""
    cat = plan.catalogue
    claim_id = finding.claims[0]
    statement = plan.statement(claim_id)
    q = cat.quantity(finding.quantities[0])
    if q.kind is not Kind.ENTROPY or not isinstance(statement, Extremum):
        plan.refuse(claim_id, "No canonical repair for this extremum principle.")
        return
    rate = plan.declare(
        _document(plan, claim_id),
        "Pi",
        symbol="Π",
        name="Entropy Production Rate",
        kind=Kind.RATE,
        level=Level.ENSEMBLE,
        given=True,
        description="the entropy production rate d_iS/dt ≥ 0 (the part of dS/dt not due to exchange)",
    )
    plan.statements[claim_id] = Extremum(rate.sym, statement.sense, statement.variable)
    plan.note_claim(
        claim_id,
        f"The minimum entropy production principle (Prigogine; de Groot & Mazur, Non-Equilibrium Thermodynamics, "
        f"ch. V): the entropy production rate Π = d_i{q.symbol}/dt ≥ 0, not d{q.symbol}/dt (which vanishes at any "
        "steady state), is minimal at the steady state of a linear, near-equilibrium process.",
    )


@register_repair("argmax-of-monotone", priority=50)
def repair_argmax(finding: Finding, plan: Plan) -> None:
    """No honest repair: an optimum needs a trade-off the text does not give."""
    plan.refuse(
        finding.claims[0],
        "No honest repair: the objective is monotone in the variable (see the finding), so an optimal value needs "
        "a trade-off the text does not state, such as a generalisation error or a cost that grows with size; "
        "the canonical reading keeps the statement, which stays ill-posed.",
    )


@register_repair("relation-of-undefined-quantities", priority=5)
def repair_undefined_relation(finding: Finding, plan: Plan) -> None:
    """No honest repair: the quantities have no meaning to give them."""
    plan.meaningless.update(finding.quantities)
    names = ", ".join(plan.catalogue.quantity(k).symbol for k in finding.quantities)
    plan.refuse(
        finding.claims[0],
        f"No honest repair: {names} are defined nowhere in the text, and not all of them have a standard meaning "
        "that would give the relation content; the canonical reading keeps the statement, which stays ill-posed.",
    )


@register_repair("undefined-quantity", priority=60)
def repair_undefined(finding: Finding, plan: Plan) -> None:
    """An undefined quantity with a standard meaning is read in it."""
    cat = plan.catalogue
    key = finding.quantities[0]
    q = cat.quantity(key)
    if key in plan.reinterpreted or any(s.key == key for s, *_ in plan.supplements):
        return
    if key in plan.meaningless:
        for claim_id in finding.claims:
            plan.refuse(
                claim_id,
                f"{q.symbol} ('{q.name}') stays undefined: it has no standard meaning that the text would fix "
                "(it is one of the quantities of a relation between undefined names).",
            )
        return
    meaning = standard_meaning(q)
    if meaning is None:
        for claim_id in finding.claims:
            plan.refuse(claim_id, f"{q.symbol} ('{q.name}') stays undefined: no standard meaning is known for it.")
        return
    plan.recast(key, given=True, description=f"read in its standard meaning: {meaning}")
    plan.note_quantity(
        key, f"{q.symbol} ('{q.name}') is not defined by the text; read in its standard meaning, {meaning}."
    )


@register_repair("exponent-letter-convention", priority=70)
def repair_exponent_letter(finding: Finding, plan: Plan) -> None:
    """The standard letter for the law (γ → α on a critical heat capacity)."""
    cat = plan.catalogue
    claim = cat.claim(finding.claims[0])
    e = cat.quantity(finding.quantities[0])
    target = _standard_target(claim, e, cat)
    if target is None:
        plan.refuse(claim.id, f"No canonical repair: no standard letter for what {e.symbol} governs here.")
        return
    std, governs = target
    if std.letter in plan.symbols_in_use(claim.source.document) - {plan.current(e.key).symbol}:
        plan.note_claim(claim.id, f"The standard letter {std.letter} is taken in this document by another meaning.")
    plan.recast(e.key, symbol=std.letter, governs=governs)
    plan.note_quantity(
        e.key, f"{e.symbol} → {std.letter}: the {governs.value} exponent is written {std.letter} ({std.law})."
    )


def _standard_target(claim: Claim, e: Quantity, cat: Catalogue) -> tuple[exponents.StandardExponent, Kind] | None:
    for law in exponents.power_laws(claim, cat):
        if law.exponent.key == e.key and law.governs is not None:
            std = exponents.standard_for(law.governs.kind, law.regime)
            return (std, law.governs.kind) if std is not None else None
    if e.governs is not None:
        std = exponents.standard_for(e.governs, "critical")
        return (std, e.governs) if std is not None else None
    return None


@register_repair("critical-exponent-letter-reused", priority=65)
def repair_exponent_reuse(finding: Finding, plan: Plan) -> None:
    """A neutral letter a_… for an exponent that is not a critical one."""
    e = plan.catalogue.quantity(finding.quantities[0])
    suffix = e.local_name.split("_", 1)[1] if "_" in e.local_name else e.local_name
    symbol = f"a_{suffix}"
    plan.recast(e.key, symbol=symbol)
    plan.note_quantity(
        e.key,
        f"{e.symbol} → {symbol}: a letter of its own for the '{e.name}', which is not the critical exponent "
        f"{exponents.letter(e)}.",
    )


@register_repair("symbol-overloaded", priority=90)
def repair_overloading(finding: Finding, plan: Plan) -> None:
    """The meaning the document marks as primary keeps the symbol; the others get a subscript."""
    cat = plan.catalogue
    group = [cat.quantity(k) for k in finding.quantities]
    symbol = group[0].symbol
    still = [q for q in group if plan.current(q.key).symbol == symbol]
    if len(still) < 2:
        return
    keep = _primary(still, symbol)
    doc = cat.claim(finding.claims[0]).source.document if finding.claims else group[0].document
    renamed = []
    for q in still:
        if q is keep or _benign(q, keep):
            continue
        new = _subscripted(q, symbol, plan.symbols_in_use(doc))
        plan.recast(q.key, symbol=new)
        renamed.append(f"'{q.name}' → {new}")
        plan.note_quantity(
            q.key, f"{symbol} for the '{q.name}' is printed {new}, apart from the '{keep.name}' ({symbol})."
        )
    for claim_id in plan.graph.users(keep.key) if renamed else ():
        plan.note_claim(
            claim_id,
            f"{symbol} keeps its meaning here, the '{keep.name}'; its other meanings are renamed "
            f"({', '.join(renamed)}).",
        )


def _benign(a: Quantity, b: Quantity) -> bool:
    from thermosym.consistency.overloading import pair_problem

    return not pair_problem(a, b)


def _primary(group: list[Quantity], symbol: str) -> Quantity:
    """The member whose local name is the symbol (or its Greek name), else the conventional kind, else the first."""
    spelled = {symbol, "".join(_GREEK.get(c, c) for c in symbol)}
    for q in group:
        if q.local_name in spelled:
            return q
    conventional = CONVENTIONAL_LETTERS.get(symbol)
    for q in group:
        if q.kind is conventional:
            return q
    return group[0]


def _subscripted(q: Quantity, symbol: str, in_use: set[str]) -> str:
    name = q.local_name
    stem = "".join(_GREEK.get(c, c) for c in symbol)
    for prefix in (symbol, stem):
        if name.startswith(prefix + "_"):
            name = name[len(prefix) + 1 :]
            break
    candidate = f"{symbol}_{name}"
    n = 2
    while candidate in in_use:
        candidate = f"{symbol}_{name}{n}"
        n += 1
    return candidate


# ---- building the readings ---------------------------------------------------------------------------------


def plan_repairs(findings: list[Finding], catalogue: Catalogue, graph: TheoryGraph) -> Plan:
    """Run the repair of every finding (as written), in priority order."""
    plan = Plan(catalogue, graph)
    ordered = sorted(
        (f for f in findings if f.code in REPAIRS and f.severity is not Severity.INFO),
        key=lambda f: REPAIRS[f.code][0],
    )
    for f in ordered:
        REPAIRS[f.code][1](f, plan)
    return plan


def canonical_readings(plan: Plan, findings: list[Finding]) -> dict[str, Reading]:
    """Claim id → its canonical reading: every claim a finding touches, every claim whose statement the repairs
    change, and every claim that uses a reinterpreted quantity."""
    cat = plan.catalogue
    touched: dict[str, list[Finding]] = {}
    for f in findings:
        for c in f.claims:
            touched.setdefault(c, []).append(f)
    changed_keys = set(plan.replacements) | plan.reinterpreted
    repaired_claims = set(plan.statements) | set(plan.claim_notes)
    out: dict[str, Reading] = {}
    for claim in cat:
        statement = rewrite_statement(plan.statement(claim.id), plan.replacements)
        uses = [k for k in claim.quantities if k in changed_keys]
        if claim.id not in touched and statement == claim.statement and not uses:
            continue
        out[claim.id] = Reading(
            name=CANONICAL,
            statement=statement,
            rationale=_rationale(claim, plan, uses, touched.get(claim.id, []), repaired_claims),
            reinterprets=tuple(sorted({*uses, *_claim_level_keys(claim, plan)})),
        )
    return out


def _claim_level_keys(claim: Claim, plan: Plan) -> list[str]:
    if claim.id not in plan.statements:
        return []
    d = definition_of(claim)
    return [d.key] if d is not None else []


def _rationale(claim: Claim, plan: Plan, uses: list[str], findings: list[Finding], repaired_claims: set[str]) -> str:
    parts: list[str] = list(plan.claim_notes.get(claim.id, []))
    for k in uses:
        parts.extend(plan.quantity_notes.get(k, []))
    if not parts and claim.id not in plan.no_repair and any(f.severity is not Severity.INFO for f in findings):
        rests = sorted(plan.graph.rests_on(claim.id) & (repaired_claims | _definers(plan, uses)))
        if rests:
            parts.append(
                "Statement unchanged: its problems come from the definitions it rests on, read canonically "
                f"({', '.join(rests)})."
            )
    parts.extend(plan.no_repair.get(claim.id, []))
    unrepaired = sorted({f.code for f in findings if f.severity is not Severity.INFO})
    if not parts and unrepaired:
        parts.append(
            f"No canonical repair is proposed for {', '.join(unrepaired)}: the statement itself, not the meaning of "
            "its symbols, is at fault, so the canonical reading keeps it and the re-check reports it again."
        )
    if not parts:
        infos = [f for f in findings if f.severity is Severity.INFO]
        parts.append(
            "Nothing to repair: standard as written" + (" (the shared symbol noted is benign)." if infos else ".")
        )
    return " ".join(parts)


def _definers(plan: Plan, keys: list[str]) -> set[str]:
    return {c for k in keys for c in plan.graph.definers(k)}
