"""From a scanned article to a draft claim file: one claim per formula, the quantities it uses, ``# TODO``s.

The draft is written in the format of ``thermosym/catalog/*.toml`` (see :mod:`thermosym.loader`). Each claim has
an id (``DOC-01``...), the section it sits under, the text as written, the statement read by
:mod:`thermosym.extract.notation`, and a guessed kind:

* ``definition`` for ``X = ...`` when X is new (not defined by an earlier formula, not on the right);
* ``law`` for any other equation, an inequality, an extremum (``dS/dt = minimum``), ``≈`` without a limit;
* ``asymptotic`` for ``∝``, ``≈``, ``→`` in a limit (``T_L → 0: C_L ∝ T_L^α``);
* ``scaling`` for a scaling form (``C_L(N) = N^α · f(T_L/T_c(N))``) and ``∝`` to a power without a limit;
* ``heuristic`` for prose with symbols, and for a formula that could not be read (kept as text, with the reason);
* ``question`` for the items of an open-questions section.

Quantities get the name and description the text gives them; their kind and level are guessed from those words
(:mod:`thermosym.extract.guesses`). Every statement is checked with :func:`thermosym.parser.parse_statement`
before it is written, and the whole file with :func:`thermosym.loader.read_claim_file` after, so a draft always
loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from thermosym.catalogue import BUILTIN_DOCUMENTS
from thermosym.errors import ClaimFileError, ExpressionError
from thermosym.extract.formula import (
    Apply,
    Asymptotic,
    Bin,
    Extremum,
    Formula,
    Indexed,
    Node,
    Relation,
    Scaling,
    Sym,
    default_names,
    emit,
    symbol_roles,
)
from thermosym.extract.guesses import (
    document_id,
    guess_kind,
    guess_kind_from_symbol,
    guess_level,
    is_discrete,
    is_positive,
)
from thermosym.extract.markdown import Article, Candidate, Description, math_fragments, scan_markdown, title_case
from thermosym.extract.notation import VECTORS, parse_formula, parse_math
from thermosym.extract.toml_text import comment, toml_list, toml_string
from thermosym.loader import read_claim_file
from thermosym.parser import parse_expression, parse_statement
from thermosym.quantity import Quantity

#: Longest claim text kept in a draft; longer text is cut (and says so).
MAX_TEXT = 1000
#: Most expressions a prose claim mentions.
MAX_MENTIONS = 10


@dataclass
class Todo:
    """A decision left to the user: its category and what to decide."""

    category: str  # kind, meaning, claim-kind, parse, reading, limit, description
    text: str


@dataclass
class DraftQuantity:
    """A quantity of the draft, by its local name."""

    local: str
    symbol: str
    name: str
    kind: str
    level: str
    discrete: bool = False
    positive: bool = False
    description: str = ""
    arguments: tuple[str, ...] = ()
    todos: list[Todo] = field(default_factory=list)

    def quantity(self, document: str) -> Quantity:
        """The :class:`~thermosym.quantity.Quantity` the loader will build from this entry."""
        return Quantity(
            key=f"{document}.{self.local}",
            symbol=self.symbol,
            name=self.name,
            kind=self.kind,  # type: ignore[arg-type]
            level=self.level,  # type: ignore[arg-type]
            discrete=self.discrete,
            positive=self.positive,
            description=self.description,
            arguments=self.arguments,
        )

    def toml(self) -> list[str]:
        fields = [f"symbol = {toml_string(self.symbol)}", f"name = {toml_string(self.name)}"]
        fields += [f"kind = {toml_string(self.kind)}", f"level = {toml_string(self.level)}"]
        if self.discrete:
            fields.append("discrete = true")
        if self.positive:
            fields.append("positive = true")
        if self.arguments:
            fields.append(f"arguments = {toml_list(list(self.arguments))}")
        if self.description:
            fields.append(f"description = {toml_string(self.description)}")
        lines = [comment(f"TODO {t.text}") for t in self.todos]
        return [*lines, f"{self.local} = {{ {', '.join(fields)} }}"]


@dataclass
class DraftClaim:
    """A claim of the draft. ``statement`` is None for prose (heuristics, questions, unread formulas)."""

    id: str
    section: str
    text: str
    kind: str
    line: int
    statement: str | None = None
    mentions: list[str] = field(default_factory=list)
    defines: list[str] = field(default_factory=list)
    condition: str = ""
    notes: str = ""
    todos: list[Todo] = field(default_factory=list)
    kind_todos: list[Todo] = field(default_factory=list)

    def demote(self, reason: str) -> None:
        """Keep the claim as prose (a heuristic), with the reason its statement could not be kept."""
        self.todos.append(Todo("parse", f"could not parse: {reason}"))
        self.kind, self.statement, self.defines, self.mentions = "heuristic", None, [], []
        self.kind_todos = [Todo("claim-kind", "kept as prose: write the statement by hand, or delete the claim")]

    def toml(self) -> list[str]:
        lines = [comment(f"line {self.line}"), "[[claims]]", f"id = {toml_string(self.id)}"]
        lines += [f"section = {toml_string(self.section)}", f"text = {toml_string(self.text)}"]
        lines += [comment(f"TODO {t.text}") for t in self.todos]
        lines += [comment(f"TODO {t.text}") for t in self.kind_todos]
        lines.append(f"kind = {toml_string(self.kind)}")
        if self.statement is not None:
            lines.append(f"statement = {toml_string(self.statement)}")
        else:
            lines.append(f"mentions = {toml_list(self.mentions)}")
        if self.defines:
            lines.append(f"defines = {toml_list(self.defines)}")
        if self.condition:
            lines.append(f"condition = {toml_string(self.condition)}")
        if self.notes:
            lines.append(f"notes = {toml_string(self.notes)}")
        return lines


@dataclass
class Draft:
    """A draft claim file: document, quantities, claims, and the lines of the article it could not read."""

    document: str
    title: str
    file: str
    quantities: dict[str, DraftQuantity]
    claims: list[DraftClaim]
    skipped: list[tuple[int, str]] = field(default_factory=list)

    def todos(self) -> list[tuple[str, Todo]]:
        """Every TODO, with the claim id or quantity name it belongs to."""
        out = [(q.local, t) for q in self.quantities.values() for t in q.todos]
        out += [(c.id, t) for c in self.claims for t in (*c.todos, *c.kind_todos)]
        return out

    def namespace(self) -> dict[str, Quantity]:
        return {name: q.quantity(self.document) for name, q in self.quantities.items()}

    def to_toml(self) -> str:
        """The draft as claim-file text."""
        lines = [
            comment(f"Draft claim file for {self.title!r} ({self.file}), written by `thermosym extract`."),
            "# Every '# TODO' marks a guess or a question: check it, edit the entry, delete the TODO.",
            comment(f"{len(self.todos())} TODOs. Then run: thermosym check <this file>"),
        ]
        lines += [comment(f"TODO line {n} of the article was not read: {why}") for n, why in self.skipped]
        lines += ["", "[document]", f"id = {toml_string(self.document)}", f"title = {toml_string(self.title)}"]
        lines += [f"file = {toml_string(self.file)}", "", "[quantities]"]
        for q in self.quantities.values():
            lines += q.toml()
        for c in self.claims:
            lines += ["", *c.toml()]
        return "\n".join(lines) + "\n"


# ---- reading formulas ---------------------------------------------------------------------------------------


@dataclass
class _Read:
    """One candidate with what the notation reader made of it."""

    candidate: Candidate
    formula: Formula | None = None
    error: str = ""
    mentions: list[Node] = field(default_factory=list)


def _read(
    article: Article, declared: frozenset[str], vectors: frozenset[str], functions: frozenset[str]
) -> list[_Read]:
    variables: dict[int, str] = {}
    out = []
    for c in article.candidates:
        read = _Read(c)
        if c.kind == "formula":
            try:
                read.formula = parse_formula(
                    c.text,
                    limit=c.limit or None,
                    limit_variable=variables.get(c.limit_group) if c.limit_group else None,
                    context_only=bool(c.limit_group),
                    declared=declared,
                    vectors=vectors,
                    functions=functions,
                )
            except ExpressionError as exc:
                read.error = exc.problem + ("" if exc.column is None else f" (column {exc.column})")
            else:
                if read.formula.limit_variable and c.limit_group:
                    variables[c.limit_group] = read.formula.limit_variable
        if read.formula is None:
            for fragment in math_fragments(c.text)[:MAX_MENTIONS]:
                try:
                    read.mentions.append(
                        parse_math(fragment, declared=declared, vectors=vectors, functions=functions)[0]
                    )
                except ExpressionError:
                    continue
        out.append(read)
    return out


def _head(node: Node) -> str | None:
    match node:
        case Sym(symbol=s):
            return s
        case Apply(head=h):
            return h
        case Indexed(base=b):
            return b
    return None


def _subject(statement: object) -> str | None:
    """The symbol a law is about: the head of its left side (``ξ`` in ``ξ ∝ |T_L − T_c|^−ν``)."""
    if isinstance(statement, Relation | Asymptotic | Scaling):
        return _head(statement.lhs)
    return None


def _claim_kind(read: _Read, section: str, defined: dict[str, str]) -> tuple[str, list[Todo], str | None]:
    """The guessed kind, the TODOs about it, and the symbol a definition defines."""
    formula = read.formula
    assert formula is not None
    statement = formula.statement
    if isinstance(statement, Relation):
        if statement.op != "==":
            return "law", [], None
        head = _head(statement.lhs)
        if head is None:
            return "law", [], None
        if head in symbol_roles([statement.rhs]):
            return "law", [Todo("claim-kind", f"{head} appears on both sides: a law, or an equation for {head}?")], None
        if head in defined:
            return (
                "law",
                [
                    Todo(
                        "claim-kind",
                        f"{head} is already defined by {defined[head]}: is this a law about it, an identity, "
                        f"or a second meaning of {head} that needs a quantity of its own?",
                    )
                ],
                None,
            )
        return "definition", [], head
    if isinstance(statement, Scaling):
        return "scaling", [], None
    if isinstance(statement, Extremum):
        return "law", [Todo("claim-kind", "an extremum principle: a law, or a heuristic?")], None
    if isinstance(statement, Asymptotic):
        if statement.variable is not None:
            return "asymptotic", [], None
        if statement.relation == "proportional":
            scaling = "scaling" in section.lower() or (
                isinstance(statement.rhs, Bin) and statement.rhs.op == "^" and isinstance(statement.rhs.right, Sym)
            )
            if scaling:
                return "scaling", [Todo("claim-kind", "∝ without a limit read as a scaling law; or asymptotic?")], None
            return "law", [Todo("claim-kind", "∝ without a limit: a law, a scaling law, or a heuristic?")], None
        what = "≈ without a limit: an approximate law, an identity, or a heuristic?"
        if statement.relation == "tends-to":
            what = "→ without a limit: add limit=(variable, point) and make it asymptotic"
        return "law", [Todo("claim-kind", what)], None
    return "law", [], None


# ---- quantities -------------------------------------------------------------------------------------------


def _distinct(descriptions: Iterable[Description]) -> list[Description]:
    seen: set[str] = set()
    out = []
    for d in descriptions:
        key = d.name.lower().strip()
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _quantity(
    symbol: str,
    local: str,
    roles: frozenset[str],
    descriptions: list[Description],
    definition: tuple[str, str, int] | None,
    names: Mapping[str, str],
) -> DraftQuantity:
    todos: list[Todo] = []
    described = _distinct(descriptions)
    early = described
    if definition is not None:
        _, def_section, def_line = definition
        early = [d for d in described if d.line <= def_line or d.section == def_section]
    primary = early[0] if early else None
    words = f"{primary.name} {primary.description}" if primary else ""
    kind = guess_kind(words) if primary else None
    if primary is not None and "exponent" in primary.section.lower() and kind != "exponent":
        kind = "exponent"
    source = f"from {primary.name!r}" if primary else ""
    if primary is not None and kind is None:
        kind, source = "dimensionless", f"no kind is named in {primary.name!r}"
    if kind is None and "index" in roles and "symbol" not in roles - {"index"}:
        kind, source = "index", "from its use as an index"
    if kind is None:
        kind = guess_kind_from_symbol(symbol)
        source = "from the symbol alone"
    if kind is None:
        kind, source = "dimensionless", "(nothing to go on)"
    level = guess_level(kind)
    if kind == "parameter" and "data" in words.lower():
        level = "control"
    if kind == "energy" and any(
        w in words.lower() for w in ("loss", "landscape", "hamiltonian", "kinetic", "potential")
    ):
        level = "microstate"
    if primary is None:
        todos.append(
            Todo(
                "description",
                f"the text does not say what {symbol} is; kind {kind!r} and level {level!r} guessed {source}",
            )
        )
    else:
        todos.append(Todo("kind", f"kind {kind!r} and level {level!r} are guesses ({source})"))
    if len(described) > 1:
        listed = "; ".join(f"{d.name!r} ({d.section}, line {d.line})" for d in described)
        todos.append(
            Todo(
                "meaning",
                f"{symbol} is described {len(described)} times: {listed}. One quantity, or several meanings of "
                f"one symbol? Give each meaning its own entry (same symbol, new name) and use it where it is meant",
            )
        )
    if "function" in roles and roles & {"symbol", "indexed"}:
        todos.append(
            Todo("meaning", f"{symbol} is applied as a function {symbol}(…) and also used bare: one quantity or two?")
        )
    if definition is not None and described:
        claim_id, section, line = definition
        late = [d for d in described if d.line > line and d.section != section]
        if late:
            todos.append(
                Todo(
                    "meaning",
                    f"{symbol} is defined by {claim_id} ({section}) and later described as {late[0].name!r} "
                    f"({late[0].section}): the same quantity?",
                )
            )
    arguments: tuple[str, ...] = ()
    if primary is not None and primary.signature and all(a in names for a in primary.signature):
        arguments = tuple(names[a] for a in primary.signature)
    name = primary.name if primary else symbol
    description = primary.description if primary else ""
    if primary is not None and primary.differential:
        description = description or f"written d{symbol}"
    return DraftQuantity(
        local,
        symbol,
        name,
        kind,
        level,
        discrete=is_discrete(kind),
        positive=is_positive(kind),
        description=description,
        arguments=arguments,
        todos=todos,
    )


# ---- the draft --------------------------------------------------------------------------------------------


def _title(article: Article, file_name: str) -> str:
    if article.title:
        return article.title
    if article.front_title:
        return article.front_title
    stem = Path(file_name).stem if file_name else ""
    return stem.replace("_", " ").replace("-", " ").strip() or "Untitled document"


def _ordered_symbols(reads: list[_Read], descriptions: list[Description]) -> list[str]:
    """Every symbol, in the order the article first shows it."""
    seen: dict[str, int] = {}
    for read in reads:
        nodes: list = [read.formula.statement] if read.formula else list(read.mentions)
        for symbol in symbol_roles(nodes):
            seen.setdefault(symbol, read.candidate.line)
    for d in descriptions:
        seen.setdefault(d.symbol, d.line)
        for a in d.signature:
            seen.setdefault(a, d.line)
    return sorted(seen, key=lambda s: seen[s])


def build_draft(article: Article, *, file_name: str = "", doc_id: str | None = None) -> Draft:
    """The draft claim file of a scanned article."""
    title = _title(article, file_name)
    document = doc_id or document_id(title, frozenset(BUILTIN_DOCUMENTS))
    descriptions = list(article.descriptions)
    declared = frozenset(d.symbol for d in descriptions if d.symbol.startswith("Δ"))
    vectors = VECTORS | {
        d.symbol
        for d in descriptions
        if any(w in f"{d.name} {d.description}".lower() for w in ("parameters", "vector", "weights"))
    }
    functions = frozenset(d.symbol for d in descriptions if d.signature)
    reads = _read(article, declared, vectors, functions)
    names = default_names(_ordered_symbols(reads, descriptions))

    claims: list[DraftClaim] = []
    defined: dict[str, str] = {}
    definitions: dict[str, tuple[str, str, int]] = {}
    roles: dict[str, set[str]] = {}
    labels: list[Description] = []
    for n, read in enumerate(reads, start=1):
        c = read.candidate
        claim_id = f"{document}-{n:02d}"
        text = c.written if len(c.written) <= MAX_TEXT else c.written[: MAX_TEXT - 1] + "…"
        claim = DraftClaim(claim_id, c.section, text, "heuristic", c.line, notes="; ".join(c.notes))
        if len(c.written) > MAX_TEXT:
            claim.todos.append(Todo("parse", f"the text is cut at {MAX_TEXT} characters"))
        for node in [read.formula.statement] if read.formula else read.mentions:
            for symbol, r in symbol_roles([node]).items():
                roles.setdefault(symbol, set()).update(r)
        if read.formula is not None:
            kind, kind_todos, head = _claim_kind(read, c.section, defined)
            claim.kind, claim.kind_todos = kind, kind_todos
            claim.statement = read.formula.allowlist(names)
            claim.condition = read.formula.condition
            claim.todos += [Todo("reading", note) for note in read.formula.notes]
            if head is not None:
                defined[head] = claim_id
                definitions[head] = (claim_id, c.section, c.line)
                claim.defines = [names[head]]
                if c.label and c.label.lower() not in {d.name.lower() for d in descriptions if d.symbol == head}:
                    descriptions.append(Description(head, c.label, "", c.line, c.section))
            elif c.label and (subject := _subject(read.formula.statement)) is not None:
                labels.append(
                    Description(subject, title_case(c.label), f"named after the label of {claim_id}", c.line, c.section)
                )
        else:
            claim.kind = "question" if c.kind == "question" else "heuristic"
            claim.mentions = [emit(m, names) for m in read.mentions]
            if read.error:
                claim.todos.append(Todo("parse", f"could not parse: {read.error}"))
                claim.kind_todos.append(Todo("claim-kind", "kept as prose: write the statement by hand, or delete"))
        claims.append(claim)

    described = {d.symbol for d in descriptions}
    descriptions += [d for d in labels if d.symbol not in described]
    descriptions.sort(key=lambda d: d.line)
    quantities = {
        names[s]: _quantity(
            s,
            names[s],
            frozenset(roles.get(s, {"symbol"})),
            [d for d in descriptions if d.symbol == s],
            definitions.get(s),
            names,
        )
        for s in names
    }
    draft = Draft(document, title, file_name, quantities, claims, list(article.skipped))
    _validate(draft)
    return draft


def _validate(draft: Draft) -> None:
    """Check every statement and mention with the safe parser; a claim that fails becomes prose."""
    namespace = draft.namespace()
    for claim in draft.claims:
        try:
            if claim.statement is not None:
                parse_statement(claim.statement, namespace)
            for m in claim.mentions:
                parse_expression(m, namespace)
        except ExpressionError as exc:
            claim.demote(exc.problem)


def check_draft(draft: Draft, path: str = "<draft>") -> list[ClaimFileError]:
    """Load the draft's text as the loader will; claims it refuses become prose, and what is left is returned."""
    errors: list[ClaimFileError] = []
    for _ in range(3):
        errors = read_claim_file(path, text=draft.to_toml()).errors
        failing = {e.claim for e in errors if e.claim}
        if not failing:
            return errors
        for claim in draft.claims:
            if claim.id in failing:
                claim.demote(next(e.problem for e in errors if e.claim == claim.id))
    return errors


def extract_draft(text: str, *, file_name: str = "", doc_id: str | None = None) -> Draft:
    """The draft claim file of a Markdown article (its text), checked to load."""
    draft = build_draft(scan_markdown(text), file_name=file_name, doc_id=doc_id)
    check_draft(draft, file_name or "<draft>")
    return draft
