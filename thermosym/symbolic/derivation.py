"""Derivations: named, SymPy-checked steps from catalogue claims to a new relation (a ``DER-*`` claim).

A :class:`Derivation` carries the derived :class:`~thermosym.claim.Claim` (id ``DER-...``, ``derived_from`` the
catalogue claims it follows from), the :class:`Step` s a reader follows, whether SymPy proved the relation for a
*generic* function (an undefined ``E(S, V)``, ``F(T, V)``, ``Z(β)``, ``L(θ)``, ...), how, and the
:class:`ConcreteCheck` s that evaluate it on concrete fundamental relations.

:func:`derive_all` collects the derivations of every topic. The derivations read the documents' symbols as
standard thermodynamics (E as a fundamental relation E(S, V), E_L := ⟨L⟩ under the Gibbs measure); whether the
documents define the symbols that way is the consistency checker's business, not this module's.

>>> derivations = derive_all()
>>> sorted({d.topic for d in derivations}) == sorted(TOPICS)
True
>>> all(d.verified for d in derivations)
True
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sympy

from thermosym.claim import Claim, ClaimKind, Relation, Source
from thermosym.quantity import Kind, Level, Quantity

#: The topics, in the order the documents and :func:`derive_all` list them.
TOPICS: tuple[str, ...] = ("potentials", "jacobian", "ensemble", "exponents", "transport")

#: Page title of each topic; it is also the ``section`` of the derived claims' :class:`Source`.
TOPIC_TITLES: dict[str, str] = {
    "potentials": "Potentials, Legendre transforms and Maxwell relations",
    "jacobian": "Jacobian (Bridgman) identities",
    "ensemble": "Canonical ensemble from the partition function",
    "exponents": "Critical-exponent relations",
    "transport": "Transport: continuity, Fokker-Planck and the Einstein relation",
}

_TOPIC_MODULES: dict[str, str] = {
    "potentials": "thermosym.symbolic.legendre",
    "jacobian": "thermosym.symbolic.jacobian",
    "ensemble": "thermosym.symbolic.ensemble",
    "exponents": "thermosym.symbolic.exponents",
    "transport": "thermosym.symbolic.transport",
}

#: Document id of derived claims and prefix of the keys of the quantities they introduce.
DER_DOCUMENT = "DER"


@dataclass(frozen=True)
class Step:
    """One named step of a derivation: the expression reached and why it follows."""

    name: str
    expression: sympy.Basic
    justification: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a derivation step needs a non-empty name")
        if not isinstance(self.expression, sympy.Basic):
            raise TypeError(f"step {self.name!r}: expression must be a SymPy object, got {self.expression!r}")
        if not self.justification.strip():
            raise ValueError(f"step {self.name!r} needs a justification")


@dataclass(frozen=True)
class ConcreteCheck:
    """A derived relation evaluated on one concrete system.

    ``system`` names it ("ideal gas"), ``relation`` is the concrete fundamental relation or equation of state used
    (for example ``Eq(E, V**(-2/3) exp(2S/3))``), ``residual`` the simplified difference of the two sides of the
    derived relation on that system, and ``passed`` whether the residual is exactly zero.
    """

    system: str
    relation: sympy.Basic
    residual: sympy.Basic
    passed: bool

    def __post_init__(self) -> None:
        if not self.system.strip():
            raise ValueError("a concrete check needs a system name")
        if self.passed != (self.residual == 0):
            raise ValueError(f"concrete check on {self.system!r}: passed={self.passed} but residual={self.residual}")


@dataclass(frozen=True)
class Derivation:
    """A derived claim with its steps, its proof status and its concrete checks.

    ``verified`` is True only when SymPy reduced the residual of the relation to 0 for a generic function;
    ``method`` says in one line how.
    """

    claim: Claim
    topic: str
    steps: tuple[Step, ...]
    verified: bool
    method: str
    new_quantities: tuple[Quantity, ...] = ()
    concrete_checks: tuple[ConcreteCheck, ...] = ()

    def __post_init__(self) -> None:
        if not self.claim.id.startswith("DER-"):
            raise ValueError(f"derived claim id {self.claim.id!r} must start with 'DER-'")
        if self.topic not in TOPICS:
            raise ValueError(f"derivation {self.claim.id}: unknown topic {self.topic!r}; expected one of {TOPICS}")
        if not isinstance(self.claim.statement, Relation):
            raise TypeError(f"derivation {self.claim.id}: the statement must be a Relation")
        if not self.steps:
            raise ValueError(f"derivation {self.claim.id} has no steps")
        if not self.method.strip():
            raise ValueError(f"derivation {self.claim.id} must say how it was verified (method)")
        for q in self.new_quantities:
            if q.document != DER_DOCUMENT:
                raise ValueError(f"derivation {self.claim.id}: new quantity {q.key!r} must have a 'DER.' key")

    @property
    def id(self) -> str:
        """The id of the derived claim."""
        return self.claim.id

    @property
    def relation(self) -> sympy.core.relational.Relational:
        """The derived relation (the SymPy relational of the claim's statement)."""
        statement = self.claim.statement
        assert isinstance(statement, Relation)  # checked in __post_init__
        return statement.rel

    @property
    def concrete_passed(self) -> bool:
        """Whether every concrete check passed (True when there are none)."""
        return all(c.passed for c in self.concrete_checks)


# --- symbols of the catalogue ---------------------------------------------------------------------------------


def _q(
    key: str,
    symbol: str,
    name: str,
    kind: Kind,
    level: Level,
    *,
    discrete: bool = False,
    positive: bool = False,
    arguments: tuple[str, ...] = (),
) -> Quantity:
    return Quantity(
        key=key,
        symbol=symbol,
        name=name,
        kind=kind,
        level=level,
        discrete=discrete,
        positive=positive,
        arguments=arguments,
    )


_E, _M, _C, _F = Level.ENSEMBLE, Level.MICROSTATE, Level.CONTROL, Level.FIELD

#: The catalogue quantities the derivations use, with the assumptions the catalogue declares. :func:`derive_all`
#: builds its default symbols from these when it is not given the loaded catalogue's symbols.
CATALOGUE_QUANTITIES: tuple[Quantity, ...] = (
    _q("TL.E", "E", "Parameter Energy", Kind.ENERGY, _E),
    _q("TL.S", "S", "Learning Entropy", Kind.ENTROPY, _E),
    _q("TL.T", "T", "Model Temperature", Kind.TEMPERATURE, _C, positive=True),
    _q("TL.V", "V", "Information Volume", Kind.VOLUME, _C, discrete=True),
    _q("TL.P", "P", "Learning Pressure", Kind.PRESSURE, _E),
    _q("TL.F", "F", "Learning Free Energy", Kind.FREE_ENERGY, _E),
    _q("TL.H", "H", "Learning Enthalpy", Kind.ENERGY, _E),
    _q("TL.G", "G", "Learning Gibbs Energy", Kind.FREE_ENERGY, _E),
    _q("TL.theta", "θ", "Parameter Values", Kind.PARAMETER, _M),
    _q("TL.t", "t", "Training Time", Kind.TIME, _C),
    _q("TL.p_t", "p", "Parameter Distribution", Kind.PROBABILITY, _F, arguments=("theta", "t")),
    _q("TL.D_diff", "D", "Parameter Diffusion Coefficient", Kind.DIFFUSION, _C, positive=True),
    _q("TL.v", "v", "Parameter Drift Velocity", Kind.VELOCITY, _F),
    _q("TL.j", "j", "Information Current Density", Kind.CURRENT, _F),
    _q("TL.c", "c", "Information Concentration", Kind.DENSITY, _F, arguments=("theta", "t")),
    _q("TL.v_flow", "v", "Flow Velocity", Kind.VELOCITY, _F),
    _q("TL.alpha", "α", "Specific Heat Exponent", Kind.EXPONENT, Level.CONSTANT),
    _q("TL.beta_exp", "β", "Order Parameter Exponent", Kind.EXPONENT, Level.CONSTANT),
    _q("TL.gamma", "γ", "Susceptibility Exponent", Kind.EXPONENT, Level.CONSTANT),
    _q("TL.nu", "ν", "Correlation Length Exponent", Kind.EXPONENT, Level.CONSTANT),
    _q("TL.beta", "β", "Inverse Temperature", Kind.INVERSE_TEMPERATURE, _C, positive=True),
    _q("TL.W", "W", "Work Done", Kind.WORK, _M),
    _q("TL.DeltaF", "ΔF", "Free Energy Change", Kind.FREE_ENERGY, _E),
    _q("HC.Z", "Z", "Partition Function", Kind.FUNCTION, _E, arguments=("T_L",)),
    _q("HC.beta", "β", "Inverse Learning Temperature", Kind.INVERSE_TEMPERATURE, _C, positive=True),
    _q("HC.T_L", "T_L", "Learning Temperature", Kind.TEMPERATURE, _C, positive=True),
    _q("HC.L", "L", "Loss Landscape", Kind.ENERGY, _M, arguments=("theta",)),
    _q("HC.theta", "θ", "Model Parameters", Kind.PARAMETER, _M),
    _q("HC.E_L", "E_L", "Learning Energy", Kind.ENERGY, _E),
    _q("HC.C_L", "C_L", "Learning Heat Capacity", Kind.HEAT_CAPACITY, _E),
    _q("HC.S_L", "S_L", "Learning Entropy", Kind.ENTROPY, _E),
    _q("HC.F_L", "F_L", "Free Energy", Kind.FREE_ENERGY, _E),
)


def default_symbols() -> dict[str, sympy.Symbol]:
    """The catalogue keys mapped to ``Quantity(...).sym`` built with the catalogue's assumptions.

    >>> default_symbols()["TL.V"].is_integer, default_symbols()["TL.T"].is_positive
    (True, True)
    """
    return {q.key: q.sym for q in CATALOGUE_QUANTITIES}


def new_quantity(
    name: str,
    symbol: str,
    description: str,
    kind: Kind,
    level: Level = Level.CONSTANT,
    *,
    positive: bool = False,
    discrete: bool = False,
) -> Quantity:
    """A quantity a derivation introduces, with key ``DER.<name>``."""
    return Quantity(
        key=f"{DER_DOCUMENT}.{name}",
        symbol=symbol,
        name=description,
        kind=kind,
        level=level,
        discrete=discrete,
        positive=positive,
        description=description,
    )


@dataclass(frozen=True)
class SymbolTable:
    """The symbols the derived claims are written in: the catalogue's, with defaults for missing keys.

    ``table["TL.E"]`` is the catalogue symbol; ``table.func("TL.p_t")`` the undefined SymPy function with the
    same name (``Quantity.func``), for quantities the statements apply to arguments.
    """

    symbols: Mapping[str, sympy.Symbol]

    def __getitem__(self, key: str) -> sympy.Symbol:
        if key not in self.symbols:
            raise KeyError(f"no symbol for quantity {key!r}")
        return self.symbols[key]

    def func(self, key: str) -> sympy.FunctionClass:
        """The undefined function named like the quantity's symbol (real, as ``Quantity.func``)."""
        value = self[key]
        if isinstance(value, sympy.FunctionClass):
            return value
        return sympy.Function(str(value.name), real=True)

    def key_of(self, symbol: sympy.Basic) -> str | None:
        """The key of a symbol of this table, or None."""
        for key, value in self.symbols.items():
            if value == symbol:
                return key
        return None


def resolve_symbols(symbols: Mapping[str, sympy.Symbol] | None) -> SymbolTable:
    """The catalogue's symbols where given, the defaults of :data:`CATALOGUE_QUANTITIES` elsewhere."""
    merged = default_symbols()
    if symbols is not None:
        for key, value in symbols.items():
            if not isinstance(value, sympy.Symbol | sympy.FunctionClass):
                raise TypeError(f"symbols[{key!r}] must be a SymPy Symbol, got {type(value).__name__}")
            merged[key] = value
    return SymbolTable(merged)


def quantity_keys(table: SymbolTable, *exprs: sympy.Basic, extra: tuple[Quantity, ...] = ()) -> tuple[str, ...]:
    """The keys (catalogue and ``DER.``) of every symbol and function head in ``exprs``, sorted."""
    names: set[str] = set()
    for expr in exprs:
        names |= {str(s.name) for s in expr.atoms(sympy.Symbol)}
        names |= {type(f).__name__ for f in expr.atoms(sympy.core.function.AppliedUndef)}
    keys = {key for key, value in table.symbols.items() if str(getattr(value, "name", value)) in names}
    keys |= {q.key for q in extra if q.key in names}
    return tuple(sorted(keys))


def make_claim(
    table: SymbolTable,
    *,
    id: str,
    topic: str,
    text: str,
    relation: sympy.Basic,
    derived_from: tuple[str, ...],
    kind: ClaimKind = ClaimKind.IDENTITY,
    condition: str = "",
    notes: str = "",
    new_quantities: tuple[Quantity, ...] = (),
) -> Claim:
    """A ``DER-*`` claim with source ``DER`` / the topic title and the quantity keys its statement uses."""
    statement = Relation(relation)
    return Claim(
        id=id,
        source=Source(document=DER_DOCUMENT, section=TOPIC_TITLES[topic]),
        text=text,
        kind=kind,
        statement=statement,
        quantities=quantity_keys(table, *statement.expressions(), extra=new_quantities),
        derived_from=derived_from,
        condition=condition,
        notes=notes,
    )


def map_statement(expr: sympy.Basic, fn: Callable[[sympy.Basic], sympy.Basic]) -> sympy.Basic:
    """Apply ``fn`` to both sides of a relation (recursively through Tuple) without evaluating the relation.

    ``Eq(...).xreplace(...)`` would rebuild an *evaluated* Eq: slow (assumption queries) and it may collapse an
    identity to ``True``; this keeps the relation as written.
    """
    if isinstance(expr, sympy.core.relational.Relational):
        return type(expr)(map_statement(expr.lhs, fn), map_statement(expr.rhs, fn), evaluate=False)
    if isinstance(expr, sympy.Tuple):
        return sympy.Tuple(*(map_statement(a, fn) for a in expr.args))
    return fn(expr)


def substitute(expr: sympy.Basic, mapping: Mapping[sympy.Basic, sympy.Basic]) -> sympy.Basic:
    """``expr.xreplace(mapping)`` that leaves relations unevaluated (see :func:`map_statement`)."""
    table = dict(mapping)
    return map_statement(expr, lambda e: e.xreplace(table))


# --- residuals ------------------------------------------------------------------------------------------------


def reduce_residual(expr: sympy.Basic) -> sympy.Basic:
    """A cheap canonical form of a residual, 0 when SymPy can show it vanishes.

    Rational functions of the generic derivatives cancel with :func:`sympy.cancel`; concrete relations with
    powers, exponentials and logarithms go through ``powsimp``/``expand_log`` first, and only what survives that
    is handed to :func:`sympy.simplify` (slow, so last).
    """
    expr = sympy.sympify(expr)
    if expr == 0:
        return sympy.S.Zero
    reduced = sympy.cancel(sympy.together(expr))
    if reduced == 0:
        return sympy.S.Zero
    reduced = sympy.cancel(sympy.powsimp(sympy.expand_log(sympy.expand(reduced), force=True), force=True))
    if reduced == 0:
        return sympy.S.Zero
    return sympy.simplify(reduced)


def is_zero(expr: sympy.Basic) -> bool:
    """Whether :func:`reduce_residual` reduces ``expr`` to exactly 0."""
    return reduce_residual(expr) == 0


# --- cache of verification results ---------------------------------------------------------------------------

#: Set to "1" to bypass the on-disk cache of verification results (every check is then recomputed).
NO_CACHE_ENV = "THERMOSYM_NO_CACHE"
#: Directory of the cache (default ``$XDG_CACHE_HOME/thermosym`` or ``~/.cache/thermosym``).
CACHE_DIR_ENV = "THERMOSYM_CACHE_DIR"


def cache_directory() -> Path:
    """Where verification results are cached."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "thermosym"


@functools.lru_cache(maxsize=1)
def _code_digest() -> str | None:
    """Hash of everything a verification result depends on: SymPy, Python and the symbolic code's sources
    (None, and no caching, when the sources cannot be read)."""
    digest = hashlib.sha256(f"sympy {sympy.__version__} python {sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parents[1]
    sources = sorted((package / "symbolic").glob("*.py"))
    sources += [package / name for name in ("operators.py", "claim.py", "quantity.py")]
    try:
        for source in sources:
            digest.update(source.name.encode())
            digest.update(source.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()[:24]


def _cache_file() -> Path | None:
    digest = _code_digest()
    if digest is None:
        return None
    try:
        return cache_directory() / f"derivations-{digest}.json"
    except RuntimeError:  # no home directory to put a cache in
        return None


def _read_cache(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path, name: str, keys: list[str]) -> None:
    data = _read_cache(path)
    data[name] = keys
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
        os.replace(fh.name, path)
    except OSError:
        pass  # a read-only or missing cache directory only costs time


@functools.cache
def cached_residuals(name: str, compute: Callable[[], Mapping[str, sympy.Basic]]) -> Mapping[str, sympy.Basic]:
    """The residuals of one module's checks (key → reduced residual, 0 when the check passed).

    SymPy verification costs about a second per process, so results whose residuals are *all* 0 are stored in
    :func:`cache_directory`, keyed by a hash of the SymPy and Python versions and of the symbolic package's
    source: a change to any of them recomputes the results. A non-zero residual is never cached (it is
    recomputed, and reported, every time). ``THERMOSYM_NO_CACHE=1`` disables the cache.
    """
    path = None if os.environ.get(NO_CACHE_ENV, "") == "1" else _cache_file()
    if path is not None:
        stored = _read_cache(path).get(name)
        if isinstance(stored, list) and all(isinstance(k, str) for k in stored):
            return {key: sympy.S.Zero for key in stored}
    residuals = dict(compute())
    if path is not None and all(r == 0 for r in residuals.values()):
        _write_cache(path, name, sorted(residuals))
    return residuals


def check_residual(ok: bool) -> sympy.Basic:
    """0 for a passed yes/no check, 1 otherwise (so that it can live among residuals)."""
    return sympy.S.Zero if ok else sympy.S.One


# --- registry -------------------------------------------------------------------------------------------------


def _topic_builder(topic: str) -> Callable[[SymbolTable], list[Derivation]]:
    module = importlib.import_module(_TOPIC_MODULES[topic])
    builder: Callable[[SymbolTable], list[Derivation]] = module.derivations
    return builder


@functools.lru_cache(maxsize=8)
def _derive_cached(items: tuple[tuple[str, sympy.Basic], ...]) -> tuple[Derivation, ...]:
    table = SymbolTable(dict(items))
    found: list[Derivation] = []
    for topic in TOPICS:
        found.extend(_topic_builder(topic)(table))
    ids = [d.id for d in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate derivation ids: {duplicates}")
    return tuple(found)


def derive_all(symbols: Mapping[str, sympy.Symbol] | None = None) -> list[Derivation]:
    """Every derivation of every topic, in the order of :data:`TOPICS`.

    ``symbols`` maps catalogue quantity keys to the SymPy symbols of the loaded catalogue, so that the derived
    claims use the very same symbols; missing keys (or ``None``) fall back to :func:`default_symbols`. Results are
    cached per symbol table (the SymPy verification itself is cached once per process).
    """
    table = resolve_symbols(symbols)
    return list(_derive_cached(tuple(sorted(table.symbols.items(), key=lambda kv: kv[0]))))


def derivations_by_topic(symbols: Mapping[str, sympy.Symbol] | None = None) -> dict[str, list[Derivation]]:
    """:func:`derive_all` grouped by topic, every topic present."""
    grouped: dict[str, list[Derivation]] = {topic: [] for topic in TOPICS}
    for d in derive_all(symbols):
        grouped[d.topic].append(d)
    return grouped
