r"""Ill-posed operations: statements that have no mathematical meaning as written.

* ``derivative-wrt-discrete`` (``error``): a derivative with respect to a discrete (integer-valued) variable, as
  the quantity's record declares it (``discrete = true``) or as dim(·) and |·| are. There is no limit to take.
* ``ill-posed-inherited`` (``error``; ``warning`` for prose): a claim that uses a quantity whose definition is
  ill-posed, or that is derived from an ill-posed claim, is ill-posed too (H = E + PV with P = −∂E/∂V and V an
  integer).
* ``argmax-of-monotone`` (``error``): argmax_w f(w) where f increases (or decreases) in w throughout: the argmax
  runs to the end of the range of w and selects nothing. Shown by differentiating f where f is explicit, and
  for a heat capacity over an architecture size by its standard low-temperature form: C → λ, the learning
  coefficient, with λ = d/2 for a regular model of d parameters (Watanabe, *Algebraic Geometry and Statistical
  Learning Theory*, CUP 2009; REFERENCES.md §7), and d grows with width, depth and size.
* ``relation-of-undefined-quantities`` (``error``): a law, identity, asymptotic or scaling claim all of whose
  quantities need a definition and have none, and some of which have no standard meaning either (an
  "information" without saying which): it relates names only and cannot be given content or tested. A relation
  between undefined quantities that all have standard meanings (⟨W⟩ ≥ ΔF) gets only the warnings below.
* ``undefined-quantity`` (``warning``, category ``undefined-quantity``): a quantity used where nothing defines
  it; real but not fatal, since it may have a standard meaning (the work W of a Jarzynski equality). Derived
  claims (``derived_from``) are not checked for this: their notation is the package's own.
* ``path-dependent-derivative`` (``warning``): dQ/dT of a heat or a work, which are not state functions: the
  derivative depends on the path (constant V gives C_V, constant P gives C_P). Not an error, because the path
  is one convention away (the natural one is the fixed variable the document holds elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy
from sympy.core.function import AppliedUndef

from thermosym import operators as op
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, ClaimKind
from thermosym.consistency.identification import identify_undefined
from thermosym.consistency.registry import register_check
from thermosym.consistency.theory import definitions, head_key, quantity_keys, show, standard_meaning
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.quantity import Kind, Level

_PROSE = (ClaimKind.HEURISTIC, ClaimKind.QUESTION)


def derivative_variables(expr: sympy.Basic) -> list[tuple[sympy.Basic, sympy.Basic]]:
    """(derivative, variable) for every ∂/∂v and (∂x/∂v)_z in ``expr``."""
    out: list[tuple[sympy.Basic, sympy.Basic]] = []
    for d in expr.atoms(sympy.Derivative):
        out.extend((d, v) for v, _ in d.variable_count)
    for cd in expr.atoms(op.ConstrainedDerivative):
        out.append((cd, cd.args[1]))
    return out


def is_discrete(variable: sympy.Basic, catalogue: Catalogue) -> bool:
    """Whether a variable is integer-valued: declared discrete, an integer symbol, or a dim(·) or |·|."""
    if isinstance(variable, op.Dim | op.Card):
        return True
    key = head_key(variable)
    q = catalogue.quantities.get(key) if key else None
    if q is not None and q.discrete:
        return True
    return isinstance(variable, sympy.Symbol) and variable.is_integer is True


def _discrete_derivatives(catalogue: Catalogue) -> list[Finding]:
    defs = definitions(catalogue)
    findings = []
    for claim in catalogue:
        for e in claim.statement.expressions():
            for derivative, variable in derivative_variables(e):
                if not is_discrete(variable, catalogue):
                    continue
                key = head_key(variable)
                how = ""
                if key in defs:
                    how = f" ({show(variable, catalogue)} = {show(defs[key].rhs, catalogue)}, {defs[key].claim_id})"
                findings.append(
                    Finding(
                        code="derivative-wrt-discrete",
                        category=Category.ILL_POSED,
                        severity=Severity.ERROR,
                        claims=tuple(dict.fromkeys([claim.id, *([defs[key].claim_id] if key in defs else [])])),
                        quantities=tuple(sorted(quantity_keys(derivative, catalogue))),
                        message=(
                            f"{claim.id} differentiates with respect to {show(variable, catalogue)}, which is "
                            f"integer-valued{how}. A derivative with respect to an integer has no limit to take: "
                            "the statement needs a finite difference or a continuous extension of the variable "
                            "(a thermodynamic limit) to mean anything."
                        ),
                        expression=derivative,
                    )
                )
    return findings


#: Parameter count d(n) of a network as a function of an architecture size n, by a word of n's name (one
#: hidden layer of width w between n_in inputs and n_out outputs, with biases; L layers of width h; n itself).
_N_IN, _N_OUT, _H = sympy.symbols("n_in n_out h", positive=True, integer=True)


def _parameter_count(variable: sympy.Symbol, name: str) -> sympy.Expr | None:
    words = name.lower()
    if any(w in words for w in ("data", "sample", "example", "step", "epoch", "batch")):
        return None
    if any(w in words for w in ("width", "hidden", "unit", "neuron")):
        return (_N_IN + 1) * variable + (variable + 1) * _N_OUT
    if any(w in words for w in ("depth", "layer")):
        return _N_IN * _H + (variable - 1) * _H**2 + _H * _N_OUT
    if any(w in words for w in ("size", "parameter")):
        return variable
    return None


def _monotone(objective: sympy.Basic, variable: sympy.Basic, catalogue: Catalogue) -> tuple[sympy.Basic, str] | None:
    """(evidence, explanation) when ``objective`` is monotone in ``variable``; None when it cannot be shown."""
    if not isinstance(variable, sympy.Symbol):
        return None
    others = quantity_keys(objective, catalogue) - {variable.name}
    explicit = not objective.atoms(AppliedUndef) and all(
        catalogue.quantity(k).level in (Level.CONTROL, Level.CONSTANT) for k in others
    )
    if explicit and variable in objective.free_symbols:
        slope = sympy.diff(objective, variable)
        if slope.is_positive or slope.is_negative:
            word = "increasing" if slope.is_positive else "decreasing"
            return sympy.Eq(sympy.Derivative(objective, variable), slope, evaluate=False), f"is {word} in it"
        return None
    key = head_key(objective)
    q = catalogue.quantities.get(key) if key else None
    qw = catalogue.quantities.get(variable.name)
    if q is None or qw is None or q.kind is not Kind.HEAT_CAPACITY or qw.kind is not Kind.COUNT:
        return None
    count = _parameter_count(variable, qw.name)
    if count is None:
        return None
    regular = count / 2
    slope = sympy.diff(regular, variable)
    w = show(variable, catalogue)
    if not slope.is_positive:
        return None
    explanation = (
        f"grows with it: at low temperature a heat capacity tends to the learning coefficient λ({w}), "
        f"and λ = d/2 for a regular model with d parameters; for a network whose {qw.name.lower()} is "
        f"{w}, d({w}) = {show(count, catalogue)}, so dC/d{w} = "
        f"{show(slope, catalogue)} > 0 (singular models have λ ≤ d/2; the exact learning coefficient of "
        "linear networks is non-decreasing in the widths and saturates at MN/2 for M inputs and N outputs: "
        "Aoyagi & Watanabe 2005, Aoyagi 2024)"
    )
    evidence = sympy.Eq(sympy.Derivative(regular, variable), slope, evaluate=False)
    return evidence, explanation


def _argmax(catalogue: Catalogue) -> list[Finding]:
    findings = []
    for claim in catalogue:
        for e in claim.statement.expressions():
            for a in e.atoms(op.Argmax, op.Argmin):
                objective, variable = a.args
                shown = _monotone(objective, variable, catalogue)
                if shown is None:
                    continue
                evidence, why = shown
                which = "argmax" if isinstance(a, op.Argmax) else "argmin"
                findings.append(
                    Finding(
                        code="argmax-of-monotone",
                        category=Category.ILL_POSED,
                        severity=Severity.ERROR,
                        claims=(claim.id,),
                        quantities=tuple(sorted(quantity_keys(a, catalogue))),
                        message=(
                            f"{claim.id} takes {show(a, catalogue)}, but {show(objective, catalogue)} {why}. The "
                            f"{which} runs to the end of the range of {show(variable, catalogue)} (the largest "
                            "or smallest value allowed, or a whole plateau where it saturates) and selects no interior "
                            "optimum."
                        ),
                        expression=evidence,
                    )
                )
    return findings


def _inherited(catalogue: Catalogue, roots: Iterable[Finding]) -> list[Finding]:
    defs = definitions(catalogue)
    bad_claims = {f.claims[0]: f for f in roots}
    bad_keys = {k: d.claim_id for k, d in defs.items() if d.claim_id in bad_claims}
    findings = []
    done = set(bad_claims)
    changed = True
    while changed:
        changed = False
        for claim in catalogue:
            if claim.id in done:
                continue
            via_keys = [k for k in claim.quantities if k in bad_keys and k not in claim.defines]
            via_parents = [p for p in claim.derived_from if p in done]
            if not via_keys and not via_parents:
                continue
            done.add(claim.id)
            changed = True
            for k in claim.defines:
                bad_keys.setdefault(k, claim.id)
            findings.append(_inherited_finding(claim, via_keys, via_parents, bad_keys, catalogue))
    return findings


def _inherited_finding(
    claim: Claim, via_keys: list[str], via_parents: list[str], bad_keys: dict[str, str], catalogue: Catalogue
) -> Finding:
    reasons = [f"{catalogue.quantity(k).symbol}, whose definition ({bad_keys[k]}) is ill-posed" for k in via_keys]
    reasons += [f"{p}, which is ill-posed" for p in via_parents if p not in [bad_keys[k] for k in via_keys]]
    prose = claim.kind in _PROSE
    return Finding(
        code="ill-posed-inherited",
        category=Category.ILL_POSED,
        severity=Severity.WARNING if prose else Severity.ERROR,
        claims=tuple(dict.fromkeys([claim.id, *(bad_keys[k] for k in via_keys), *via_parents])),
        quantities=tuple(via_keys),
        message=(
            f"{claim.id} {'mentions' if prose else 'rests on'} {' and '.join(reasons)}, so it has no meaning as "
            "written either."
        ),
        expression=None if prose else _statement_expression(claim),
    )


def _statement_expression(claim: Claim) -> sympy.Basic | None:
    exprs = claim.statement.expressions()
    rel = getattr(claim.statement, "rel", None)
    return rel if rel is not None else (sympy.Tuple(*exprs) if exprs else None)


def _undefined(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    findings = []
    witnesses = identify_undefined(catalogue, graph)
    by_key: dict[str, list[str]] = {}
    for claim in catalogue:
        if claim.derived_from:
            continue  # the package's own notation: its quantities are defined where the derivation makes them
        missing = graph.undefined_quantities(claim.id)
        for k in missing:
            by_key.setdefault(k, []).append(claim.id)
        meaningful = [k for k in claim.quantities if k not in missing]
        meaningless = [k for k in missing if standard_meaning(catalogue.quantity(k)) is None]
        if claim.kind not in (*_PROSE, ClaimKind.DEFINITION) and missing and not meaningful and meaningless:
            findings.append(
                Finding(
                    code="relation-of-undefined-quantities",
                    category=Category.ILL_POSED,
                    severity=Severity.ERROR,
                    claims=(claim.id,),
                    quantities=tuple(missing),
                    message=(
                        f"{claim.id} relates only quantities that nothing defines "
                        f"({', '.join(_label(k, catalogue) for k in missing)}), none of them a control parameter, "
                        f"a constant or a given input, and {', '.join(_label(k, catalogue) for k in meaningless)} "
                        "has no standard meaning either: the statement connects names to names and has no "
                        "content that could be derived or measured."
                    ),
                    expression=_statement_expression(claim),
                )
            )
    for key, claims in by_key.items():
        q = catalogue.quantity(key)
        hint = ""
        if key in witnesses:
            w = witnesses[key]
            hint = (
                f" The only {q.kind.value} the document defines is {show(w.expression, catalogue)} ({w.claim_id}); "
                "the 'identified' reading takes it as that."
            )
        findings.append(
            Finding(
                code="undefined-quantity",
                category=Category.UNDEFINED,
                severity=Severity.WARNING,
                claims=tuple(claims),
                quantities=(key,),
                message=(
                    f"{_label(key, catalogue)} is used by {', '.join(claims)}, but no claim defines it: the "
                    f"statements using it mean something only if it is read in a standard meaning.{hint}"
                ),
                expression=q.sym,
            )
        )
    return findings


def _label(key: str, catalogue: Catalogue) -> str:
    q = catalogue.quantity(key)
    return f"{q.symbol} ('{q.name}')"


def _path_dependent(catalogue: Catalogue) -> list[Finding]:
    findings = []
    for claim in catalogue:
        for e in claim.statement.expressions():
            for d in e.atoms(sympy.Derivative):
                key = head_key(d.expr)
                q = catalogue.quantities.get(key) if key else None
                if q is None or q.kind not in (Kind.HEAT, Kind.WORK):
                    continue
                variables = ", ".join(show(v, catalogue) for v in d.variables)
                findings.append(
                    Finding(
                        code="path-dependent-derivative",
                        category=Category.ILL_POSED,
                        severity=Severity.WARNING,
                        claims=(claim.id,),
                        quantities=(q.key,),
                        message=(
                            f"{claim.id} takes {show(d, catalogue)}, but {q.symbol} is a {q.kind.value}, exchanged "
                            f"along a process, not a state function: its change with {variables} depends on the "
                            "path (at constant volume it gives C_V = T(∂S/∂T)_V, at constant pressure C_P). The "
                            "statement needs the path; the natural one holds fixed what the document holds fixed."
                        ),
                        expression=d,
                    )
                )
    return findings


@register_check("ill-posed")
def check_ill_posed(catalogue: Catalogue, graph: TheoryGraph) -> list[Finding]:
    """Discrete derivatives, monotone argmaxes and what rests on them; undefined quantities; path-dependent
    derivatives."""
    roots = _discrete_derivatives(catalogue) + _argmax(catalogue)
    return roots + _inherited(catalogue, roots) + _undefined(catalogue, graph) + _path_dependent(catalogue)
