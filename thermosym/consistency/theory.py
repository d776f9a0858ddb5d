"""What every check needs to know about a catalogue: its definitions, which quantities fluctuate, how a quantity's
kind follows from its definition, and how to print an expression the way the document prints it.

A *definition* is a claim with ``defines`` whose statement is ``Eq(X, expression)`` with X the defined quantity (a
symbol, an applied function such as ``H(θ, p)`` or an indexed one such as ``I[i, j]``). A definition is *grounded*
when its right side uses only quantities that need no definition (given inputs such as p(θ) or L(θ), control
parameters, constants, coordinates): then its form alone fixes what the defined quantity is, whatever the text
names it. −∑ p(θ) log p(θ) is an entropy whether the text calls it one or not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from thermosym import operators as op
from thermosym import printing
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Relation
from thermosym.consistency.dimensions import (
    ENTROPY,
    Dimension,
    DimensionInference,
    DimensionOf,
    agree,
    quantity_dimension,
)
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Level, Quantity

#: Operators whose value no longer depends on the configuration they range over (averages, sums over states,
#: counts): an observable inside them does not make the whole expression fluctuate. Integrals and index sums
#: bind only when they run over a configuration variable (see :func:`fluctuates`).
BINDING = (op.Avg, op.Var, op.SumOver, op.MutualInformation, op.Dim, op.Card)


@dataclass(frozen=True)
class Definition:
    """``key := rhs``, stated by claim ``claim_id`` (``lhs`` as written: a symbol or an applied quantity)."""

    key: str
    claim_id: str
    lhs: sympy.Basic
    rhs: sympy.Basic


def head_key(expr: sympy.Basic) -> str | None:
    """The quantity key of a symbol, an applied quantity or an indexed quantity; None otherwise."""
    if isinstance(expr, sympy.Symbol):
        return expr.name
    if isinstance(expr, AppliedUndef):
        return str(expr.func.__name__)
    if isinstance(expr, sympy.Indexed):
        return str(expr.base.label)
    return None


def definition_of(claim: Claim) -> Definition | None:
    """The definition a claim states, if it defines exactly one quantity by an equation."""
    statement = claim.statement
    if len(claim.defines) != 1 or not isinstance(statement, Relation) or statement.op != "==":
        return None
    key = claim.defines[0]
    if head_key(statement.lhs) == key:
        return Definition(key, claim.id, statement.lhs, statement.rhs)
    if head_key(statement.rhs) == key:
        return Definition(key, claim.id, statement.rhs, statement.lhs)
    return None


def definitions(catalogue: Catalogue) -> dict[str, Definition]:
    """Quantity key → its definition (the first claim that defines it, in catalogue order)."""
    out: dict[str, Definition] = {}
    for claim in catalogue:
        d = definition_of(claim)
        if d is not None and d.key not in out:
            out[d.key] = d
    return out


def quantity_keys(expr: sympy.Basic, catalogue: Catalogue) -> set[str]:
    """Keys of the quantities an expression mentions (symbols, applied functions, indexed bases)."""
    keys = {s.name for s in expr.atoms(sympy.Symbol) if s.name in catalogue.quantities}
    keys |= {str(f.func.__name__) for f in expr.atoms(AppliedUndef) if str(f.func.__name__) in catalogue.quantities}
    keys |= {str(b.label) for b in expr.atoms(sympy.IndexedBase) if str(b.label) in catalogue.quantities}
    return keys


def is_grounded(definition: Definition, catalogue: Catalogue, graph: TheoryGraph) -> bool:
    """Whether the right side uses only quantities that need no definition (so its form fixes its kind)."""
    keys = quantity_keys(definition.rhs, catalogue) - {definition.key}
    return all(not graph.needs_definition(k) for k in keys)


def fluctuates(expr: sympy.Basic, catalogue: Catalogue) -> bool:
    """Whether an expression varies from configuration to configuration (so that ⟨·⟩ and Var mean something).

    True when it contains, outside an average, a sum over states or an integral, a microstate observable, a
    field evaluated at a point, or a name that is not a quantity of the catalogue (unknown: assume it may).
    """
    if isinstance(expr, BINDING):
        return False
    if isinstance(expr, sympy.Integral | sympy.Sum) and any(
        _is_configuration(limit[0], catalogue) for limit in expr.limits
    ):
        return False
    if isinstance(expr, sympy.Symbol):
        q = catalogue.quantities.get(expr.name)
        return q is None or q.level is Level.MICROSTATE
    if isinstance(expr, AppliedUndef):
        q = catalogue.quantities.get(str(expr.func.__name__))
        if q is None or q.level in (Level.MICROSTATE, Level.FIELD):
            return True
        return any(fluctuates(a, catalogue) for a in expr.args)
    if isinstance(expr, sympy.Indexed):
        q = catalogue.quantities.get(str(expr.base.label))
        return q is None or q.level in (Level.MICROSTATE, Level.FIELD)
    if isinstance(expr, sympy.Number | sympy.NumberSymbol):
        return False
    return any(fluctuates(a, catalogue) for a in expr.args)


def _is_configuration(variable: sympy.Basic, catalogue: Catalogue) -> bool:
    key = head_key(variable)
    q = catalogue.quantities.get(key) if key else None
    return q is not None and q.level is Level.MICROSTATE


def gibbs_entropy_distribution(expr: sympy.Basic, catalogue: Catalogue) -> sympy.Basic | None:
    """The distribution p when ``expr`` is a Gibbs/Shannon entropy −∑ p log p, −∫ p log p or −⟨log p⟩ of a
    probability p; None otherwise."""
    coeff, rest = expr.as_coeff_Mul()
    if coeff != -1:
        return None
    if isinstance(rest, op.Avg) and isinstance(rest.args[0], sympy.log):
        p = rest.args[0].args[0]
        return p if _is_probability(p, catalogue) else None
    if isinstance(rest, op.SumOver | sympy.Sum | sympy.Integral):
        body = rest.args[0]
        if isinstance(body, sympy.Mul) and len(body.args) == 2:
            a, b = body.args
            for p, lg in ((a, b), (b, a)):
                if isinstance(lg, sympy.log) and lg.args[0] == p and _is_probability(p, catalogue):
                    return p
    return None


def _is_probability(expr: sympy.Basic, catalogue: Catalogue) -> bool:
    key = head_key(expr)
    q = catalogue.quantities.get(key) if key else None
    return q is not None and q.kind is Kind.PROBABILITY


def form_kind(expr: sympy.Basic, catalogue: Catalogue) -> Kind | None:
    """The kind an expression has by its form alone: a Gibbs entropy, a mutual information, a quantity."""
    if gibbs_entropy_distribution(expr, catalogue) is not None:
        return Kind.ENTROPY
    if isinstance(expr, op.MutualInformation):
        return Kind.INFORMATION
    key = head_key(expr)
    q = catalogue.quantities.get(key) if key else None
    return q.kind if q is not None else None


#: Standard meanings of quantities a text leaves undefined, by kind (and level where it matters): what a
#: physicist reads such a symbol as when the statement it appears in is a standard one.
STANDARD_MEANINGS: dict[tuple[Kind, Level | None], str] = {
    (Kind.WORK, None): "the work done on the system along the process",
    (Kind.HEAT, None): "the heat exchanged with the environment (a bath at the temperature of the ensemble)",
    (Kind.FREE_ENERGY, None): "the equilibrium free energy −T log Z (a difference of it between two states)",
    (Kind.ENTROPY, Level.MICROSTATE): "the entropy produced along one trajectory (stochastic thermodynamics)",
    (Kind.ENTROPY, None): "the Gibbs entropy −∑ p log p",
    (Kind.LENGTH, None): "the correlation length, the decay length of the connected correlations",
    (Kind.ENERGY, Level.ENSEMBLE): "the mean energy ⟨L⟩",
    (Kind.HEAT_CAPACITY, None): "the heat capacity T (∂S/∂T) at the fixed variables of the ensemble",
}


def standard_meaning(q: Quantity) -> str | None:
    """The standard meaning of an undefined quantity of this kind and level, if there is one."""
    return STANDARD_MEANINGS.get((q.kind, q.level)) or STANDARD_MEANINGS.get((q.kind, None))


def declared_dimension(catalogue: Catalogue, key: str) -> Dimension | None:
    """The dimension of a quantity's declared kind (None for names that are not quantities)."""
    q = catalogue.quantities.get(key)
    return None if q is None else quantity_dimension(q)


def form_dimension(expr: sympy.Basic, catalogue: Catalogue) -> Dimension | None:
    """The dimension an expression has by its form (a Gibbs entropy is an entropy, k_B = 1); None otherwise."""
    if isinstance(expr, sympy.Mul) and gibbs_entropy_distribution(expr, catalogue) is not None:
        return ENTROPY
    return None


def inference(catalogue: Catalogue, dimension_of: DimensionOf | None = None) -> DimensionInference:
    """A dimension inference over ``catalogue``: declared kinds (or ``dimension_of``) and the entropy form."""
    return DimensionInference(
        dimension_of or functools.partial(declared_dimension, catalogue),
        form=functools.partial(form_dimension, catalogue=catalogue),
    )


def inferred_dimension(expr: sympy.Basic, catalogue: Catalogue) -> Dimension | None:
    """The dimension of an expression from the declared kinds of its quantities (mismatches ignored)."""
    return inference(catalogue).infer(expr)


@dataclass(frozen=True)
class FixedKind:
    """A quantity whose grounded definition fixes a dimension other than its declared kind's."""

    key: str
    claim_id: str
    dimension: Dimension | None
    form: Kind | None
    declared: Dimension | None = None

    @property
    def corrects(self) -> bool:
        """Whether the definition contradicts a declared kind (rather than refining a kind that fixes none)."""
        return self.declared is not None


def fixed_kinds(catalogue: Catalogue, graph: TheoryGraph) -> dict[str, FixedKind]:
    """Quantities whose grounded definition gives them another dimension than their name (TL-03's "energy"
    −∑ p log p is an entropy). Other quantities keep the kind of their name."""
    out: dict[str, FixedKind] = {}
    for key, d in definitions(catalogue).items():
        if not is_grounded(d, catalogue, graph):
            continue
        dim = inferred_dimension(d.rhs, catalogue)
        declared = declared_dimension(catalogue, key)
        if dim is not None and (declared is None or not agree(dim, declared)):
            out[key] = FixedKind(key, d.claim_id, dim, form_kind(d.rhs, catalogue), declared)
    return out


def effective_dimension(catalogue: Catalogue, fixed: Mapping[str, FixedKind], key: str) -> Dimension | None:
    """The dimension a quantity has: the one its grounded definition fixes, else its declared kind's."""
    if key in fixed:
        return fixed[key].dimension
    return declared_dimension(catalogue, key)


def expand(expr: sympy.Basic, defs: Mapping[str, Definition], keys: Iterable[str] | None = None) -> sympy.Basic:
    """``expr`` with defined symbols replaced by their definitions, transitively (only plain symbols; at most
    ten rounds, so a circular definition stops). ``keys`` limits which definitions are used. The variables of
    an ordinary derivative or an integral are left alone (SymPy needs symbols there)."""
    allowed = set(defs) if keys is None else set(keys) & set(defs)
    mapping = {defs[k].lhs: defs[k].rhs for k in allowed if isinstance(defs[k].lhs, sympy.Symbol)}
    if not mapping:
        return expr
    for _ in range(10):
        new = substitute_outside_variables(expr, mapping)
        if new == expr:
            break
        expr = new
    return expr


def substitute_outside_variables(expr: sympy.Basic, mapping: Mapping[sympy.Basic, sympy.Basic]) -> sympy.Basic:
    """``expr.xreplace(mapping)``, except inside the variables of derivatives and the limits of integrals."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    if isinstance(expr, sympy.Derivative):
        inner = substitute_outside_variables(expr.expr, mapping)
        return expr if inner == expr.expr else sympy.Derivative(inner, *expr.variable_count, evaluate=False)
    if isinstance(expr, sympy.Integral | sympy.Sum):
        inner = substitute_outside_variables(expr.function, mapping)
        return expr if inner == expr.function else expr.func(inner, *expr.limits)
    args = [substitute_outside_variables(a, mapping) for a in expr.args]
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


def show(expr: sympy.Basic, catalogue: Catalogue) -> str:
    """``expr`` as plain text with the document's symbols (``^`` for powers, ``·`` for products)."""
    return printing.text(expr, catalogue.quantities.values())
