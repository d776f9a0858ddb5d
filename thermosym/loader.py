"""Reading claim files (TOML) into quantities and claims, with errors that name file, claim and line.

A claim file has three parts::

    [document]                      # id (a short upper-case name), title, file (the source document)
    id = "XX"                       # imports = ["HC"] makes another document's quantities usable by name
    [quantities]
    E = { symbol = "E", name = "Energy", kind = "energy", level = "ensemble" }
    [[claims]]
    id = "XX-01"
    section = "..."                 # the heading of the source document the claim sits under
    text = "E = ..."                # the statement as the document writes it
    kind = "definition"             # definition, law, identity, asymptotic, scaling, heuristic, question
    statement = "Eq(E, ...)"        # parsed by the safe parser (thermosym.parser); prose kinds use mentions = [...]

One bad claim does not stop the others: :func:`read_claim_file` returns what it could read and the list of
problems, each a :class:`~thermosym.errors.ClaimFileError`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy

from thermosym.claim import Claim, ClaimKind, Prose, Relation, Source, Statement, statement_symbols
from thermosym.errors import ClaimFileError, ExpressionError
from thermosym.parser import RESERVED, parse_expression, parse_statement
from thermosym.quantity import Kind, Level, Quantity

_DOC_ID = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUANTITY_FIELDS = {
    "symbol",
    "name",
    "kind",
    "level",
    "discrete",
    "description",
    "arguments",
    "governs",
    "positive",
    "given",
}
_CLAIM_FIELDS = {
    "id",
    "section",
    "text",
    "kind",
    "statement",
    "mentions",
    "defines",
    "condition",
    "notes",
    "checks",
}
_PROSE_KINDS = {ClaimKind.HEURISTIC, ClaimKind.QUESTION}


@dataclass(frozen=True)
class Document:
    """A source document: its short id, title and file name."""

    id: str
    title: str
    file: str = ""
    imports: tuple[str, ...] = ()


@dataclass
class ClaimFile:
    """What one claim file holds, and what went wrong reading it."""

    path: str
    document: Document | None = None
    quantities: dict[str, Quantity] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    errors: list[ClaimFileError] = field(default_factory=list)


class _Lines:
    """Finds the line of a table entry or a claim in the raw text, for error messages (tomllib keeps none)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.claim_starts: list[int] = [
            n + 1 for n, line in enumerate(self.lines) if line.strip().startswith("[[claims]]")
        ]

    def of_quantity(self, name: str) -> int | None:
        pattern = re.compile(rf"^\s*(\[quantities\.{re.escape(name)}\]|{re.escape(name)}\s*=)")
        return next((n + 1 for n, line in enumerate(self.lines) if pattern.match(line)), None)

    def of_claim(self, index: int, key: str | None = None) -> int | None:
        if index >= len(self.claim_starts):
            return None
        start = self.claim_starts[index]
        if key is None:
            return start
        end = self.claim_starts[index + 1] if index + 1 < len(self.claim_starts) else len(self.lines) + 1
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start, end - 1):
            if pattern.match(self.lines[n]):
                return n + 1
        return start


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def read_claim_file(
    path: str | Path, *, text: str | None = None, known: Mapping[str, Mapping[str, Quantity]] | None = None
) -> ClaimFile:
    """Read one claim file. ``known`` maps document ids to their quantities, for ``imports``."""
    where = str(path)
    result = ClaimFile(path=where)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            result.errors.append(ClaimFileError(where, f"cannot read the file: {exc}"))
            return result
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        result.errors.append(ClaimFileError(where, f"not valid TOML: {exc}", line=_toml_error_line(exc)))
        return result
    lines = _Lines(text)
    document = _read_document(data, where, result.errors)
    if document is None:
        return result
    result.document = document
    result.quantities = _read_quantities(data.get("quantities", {}), document, where, lines, result.errors)
    names = _namespace(document, result.quantities, known or {}, where, result.errors)
    raw_claims = data.get("claims", [])
    if not isinstance(raw_claims, list):
        result.errors.append(ClaimFileError(where, "'claims' must be an array of tables ([[claims]])"))
        raw_claims = []
    seen: dict[str, int | None] = {}
    for index, raw in enumerate(raw_claims):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        line = lines.of_claim(index)
        if isinstance(raw_id, str) and raw_id in seen:
            result.errors.append(
                ClaimFileError(where, f"duplicate claim id (first at line {seen[raw_id]})", line, raw_id)
            )
            continue
        if isinstance(raw_id, str):
            seen[raw_id] = line
        claim = _read_claim(raw, index, document, names, where, lines, result.errors)
        if claim is not None:
            result.claims.append(claim)
    unknown = set(data) - {"document", "quantities", "claims"}
    if unknown:
        result.errors.append(ClaimFileError(where, f"unknown top-level table(s): {', '.join(sorted(unknown))}"))
    return result


def _read_document(data: dict[str, Any], where: str, errors: list[ClaimFileError]) -> Document | None:
    raw = data.get("document")
    if not isinstance(raw, dict):
        errors.append(ClaimFileError(where, "missing [document] table with at least an id and a title"))
        return None
    doc_id, title = raw.get("id"), raw.get("title")
    if not isinstance(doc_id, str) or not _DOC_ID.match(doc_id):
        errors.append(ClaimFileError(where, f"[document] id must be a short upper-case name, got {doc_id!r}"))
        return None
    if not isinstance(title, str) or not title:
        errors.append(ClaimFileError(where, "[document] needs a title"))
        return None
    imports = raw.get("imports", [])
    if not isinstance(imports, list) or not all(isinstance(i, str) for i in imports):
        errors.append(ClaimFileError(where, "[document] imports must be a list of document ids"))
        imports = []
    return Document(doc_id, title, str(raw.get("file", "")), tuple(imports))


def _read_quantities(
    raw: Any, document: Document, where: str, lines: _Lines, errors: list[ClaimFileError]
) -> dict[str, Quantity]:
    if not isinstance(raw, dict):
        errors.append(ClaimFileError(where, "[quantities] must be a table"))
        return {}
    out: dict[str, Quantity] = {}
    for name, spec in raw.items():
        line = lines.of_quantity(name)
        problem = _quantity_problem(name, spec)
        if problem:
            errors.append(ClaimFileError(where, f"quantity {name!r}: {problem}", line))
            continue
        try:
            out[name] = Quantity(
                key=f"{document.id}.{name}",
                symbol=spec["symbol"],
                name=spec.get("name", name),
                kind=Kind(spec["kind"]),
                level=Level(spec["level"]),
                discrete=bool(spec.get("discrete", False)),
                description=str(spec.get("description", "")),
                arguments=tuple(spec.get("arguments", ())),
                governs=None if spec.get("governs") is None else Kind(spec["governs"]),
                positive=bool(spec.get("positive", False)),
                given=bool(spec.get("given", False)),
            )
        except (ValueError, TypeError) as exc:
            errors.append(ClaimFileError(where, f"quantity {name!r}: {exc}", line))
    for name, quantity in out.items():
        missing = [a for a in quantity.arguments if a not in out]
        if missing:
            errors.append(
                ClaimFileError(where, f"quantity {name!r}: unknown argument(s) {missing}", lines.of_quantity(name))
            )
    return out


def _quantity_problem(name: str, spec: Any) -> str:
    if not _LOCAL_NAME.match(name):
        return "a name must be letters, digits and underscores"
    if name in RESERVED:
        return "this name is reserved for a function or constant of the parser"
    if not isinstance(spec, dict):
        return "must be a table such as { symbol = ..., kind = ..., level = ... }"
    unknown = set(spec) - _QUANTITY_FIELDS
    if unknown:
        return f"unknown field(s) {sorted(unknown)}"
    for required in ("symbol", "kind", "level"):
        if required not in spec:
            return f"missing field {required!r}"
    if spec["kind"] not in {k.value for k in Kind}:
        return f"unknown kind {spec['kind']!r} (one of {', '.join(k.value for k in Kind)})"
    if spec["level"] not in {lv.value for lv in Level}:
        return f"unknown level {spec['level']!r} (one of {', '.join(lv.value for lv in Level)})"
    if "governs" in spec and spec["governs"] not in {k.value for k in Kind}:
        return f"unknown kind {spec['governs']!r} in governs"
    return ""


def _namespace(
    document: Document,
    own: dict[str, Quantity],
    known: Mapping[str, Mapping[str, Quantity]],
    where: str,
    errors: list[ClaimFileError],
) -> dict[str, Quantity]:
    names: dict[str, Quantity] = {}
    for doc_id in document.imports:
        if doc_id not in known:
            errors.append(ClaimFileError(where, f"imports unknown document {doc_id!r}"))
            continue
        names.update(known[doc_id])
    names.update(own)
    return names


def _read_claim(
    raw: Any,
    index: int,
    document: Document,
    names: Mapping[str, Quantity],
    where: str,
    lines: _Lines,
    errors: list[ClaimFileError],
) -> Claim | None:
    line = lines.of_claim(index)
    if not isinstance(raw, dict):
        errors.append(ClaimFileError(where, "a claim must be a table", line))
        return None
    claim_id = raw.get("id")
    if not isinstance(claim_id, str) or not claim_id:
        errors.append(ClaimFileError(where, "claim without an id", line))
        return None

    def fail(problem: str, key: str | None = None) -> None:
        errors.append(ClaimFileError(where, problem, lines.of_claim(index, key), claim_id))

    unknown = set(raw) - _CLAIM_FIELDS
    if unknown:
        fail(f"unknown field(s) {sorted(unknown)}", sorted(unknown)[0])
        return None
    for required in ("section", "text", "kind"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            fail(f"missing field {required!r}")
            return None
    try:
        kind = ClaimKind(raw["kind"])
    except ValueError:
        fail(f"unknown kind {raw['kind']!r} (one of {', '.join(k.value for k in ClaimKind)})", "kind")
        return None
    try:
        statement = _resolve(_read_statement(raw, kind), names)
    except ExpressionError as exc:
        key = "statement" if "statement" in raw else "mentions"
        fail(str(exc), key)
        return None
    except _FieldError as exc:
        fail(exc.problem, exc.key)
        return None
    used = quantities_of(statement, names)
    defines = raw.get("defines")
    if defines is None:
        defined = _implied_definition(statement, kind, used)
    elif isinstance(defines, list) and all(isinstance(d, str) for d in defines):
        unknown_defs = [d for d in defines if d not in names]
        if unknown_defs:
            fail(f"defines unknown quantity {unknown_defs}", "defines")
            return None
        defined = tuple(names[d].key for d in defines)
        not_used = [d for d, k in zip(defines, defined, strict=True) if k not in used]
        if not_used:
            fail(f"defines {not_used} but the statement does not use them", "defines")
            return None
    else:
        fail("defines must be a list of quantity names", "defines")
        return None
    checks = raw.get("checks", [])
    if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
        fail("checks must be a list of check names", "checks")
        return None
    try:
        return Claim(
            id=claim_id,
            source=Source(document.id, raw["section"], where, line),
            text=raw["text"],
            kind=kind,
            statement=statement,
            quantities=used,
            defines=defined,
            condition=str(raw.get("condition", "")),
            notes=str(raw.get("notes", "")),
            checks=tuple(checks),
        )
    except ValueError as exc:
        fail(str(exc))
        return None


class _FieldError(Exception):
    def __init__(self, problem: str, key: str) -> None:
        super().__init__(problem)
        self.problem, self.key = problem, key


class _Unparsed:
    """A statement text waiting for the namespace (kept apart so field errors come before parse errors)."""

    def __init__(self, text: str | None, mentions: list[str], prose: str) -> None:
        self.text, self.mentions, self.prose = text, mentions, prose


def _read_statement(raw: dict[str, Any], kind: ClaimKind) -> _Unparsed:
    statement = raw.get("statement")
    mentions = raw.get("mentions", [])
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise _FieldError("mentions must be a list of expressions (strings)", "mentions")
    if statement is None:
        if kind not in _PROSE_KINDS:
            raise _FieldError(f"a {kind.value} needs a statement", "kind")
        return _Unparsed(None, mentions, raw["text"])
    if not isinstance(statement, str):
        raise _FieldError("statement must be a string", "statement")
    return _Unparsed(statement, mentions, raw["text"])


def _resolve(unparsed: _Unparsed, names: Mapping[str, Quantity]) -> Statement:
    if unparsed.text is None:
        return Prose(unparsed.prose, tuple(parse_expression(m, names) for m in unparsed.mentions))
    return parse_statement(unparsed.text, names)


def quantities_of(statement: Statement, names: Mapping[str, Quantity]) -> tuple[str, ...]:
    """The keys of the quantities a statement uses, in a stable order."""
    by_key = {q.key: q for q in names.values()}
    keys = set()
    for atom in statement_symbols(statement):
        name = getattr(atom, "name", None) or getattr(atom, "__name__", None)
        if name in by_key:
            keys.add(name)
    for expr in statement.expressions():
        for base in expr.atoms(sympy.IndexedBase):
            if str(base.label) in by_key:
                keys.add(str(base.label))
    return tuple(sorted(keys))


def _implied_definition(statement: Statement, kind: ClaimKind, used: tuple[str, ...]) -> tuple[str, ...]:
    """A definition ``Eq(X, ...)`` defines X when X is a quantity (a symbol or an applied quantity)."""
    if kind is not ClaimKind.DEFINITION or not isinstance(statement, Relation) or statement.op != "==":
        return ()
    lhs = statement.lhs
    head = lhs.func.__name__ if isinstance(lhs, sympy.core.function.AppliedUndef) else getattr(lhs, "name", None)
    if isinstance(lhs, sympy.Indexed):
        head = str(lhs.base.label)
    return (head,) if head in used else ()


def read_claim_files(
    paths: Iterable[str | Path], known: Mapping[str, Mapping[str, Quantity]] | None = None
) -> list[ClaimFile]:
    """Read several claim files in order; each may import the documents read before it (and ``known``)."""
    available: dict[str, Mapping[str, Quantity]] = dict(known or {})
    results = []
    for path in paths:
        result = read_claim_file(path, known=available)
        if result.document is not None:
            available.setdefault(result.document.id, {q.local_name: q for q in result.quantities.values()})
        results.append(result)
    return results
