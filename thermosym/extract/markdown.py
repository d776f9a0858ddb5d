"""Scanning a Markdown article for its formulas, the headings they sit under, and what it says its symbols mean.

What counts as a formula (each becomes a :class:`Candidate`):

* a paragraph line that holds a relation (``=``, ``≥``, ``∝``, ``≈``, ``→``, ...) with no prose before it
  (``dI = dC + dW``), or such a formula after a label (``Correlation length: ξ ∝ |T_L − T_c|^−ν``);
* each such line of a fenced code block; a block line ending in ``:`` that reads as a limit (``T_L → 0:``) applies
  to the formulas below it, and so does a paragraph line such as ``Near T_c:`` to the formulas that follow it;
* a list item, or the indented line under one (``1. [[Parameter Energy]] (E):`` / ``E = −∑ p(θ) log p(θ)``);
  the item's ``[[link]]`` or ``Name:`` becomes the label of the formula;
* a formula in backticks inside prose;
* under a list item's label, a line with symbols but no relation (``T_L(t) based on C_L(t)``) is a heuristic;
  the items of a section whose heading names questions are questions.

What the text says a symbol means (each a :class:`Description`): ``Where:`` lists (``- D: [[Parameter Diffusion
Coefficient]]``, ``- T_eff is the [[Effective Learning Temperature]]``, ``- P(σ): Probability of ...``), links
followed by a symbol (``[[Learning Free Energy]] (F)``), and lead-in lines (``For network size N:``). The section
of each is the path of headings below the document title, joined with ``": "``.

>>> article = scan_markdown("# Notes\\n## Energy\\nE = ⟨L⟩\\n\\nWhere:\\n- L: [[Loss]]\\n")
>>> [(c.section, c.text) for c in article.candidates]
[('Energy', 'E = ⟨L⟩')]
>>> [(d.symbol, d.name) for d in article.descriptions]
[('L', 'Loss')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from thermosym.errors import ExpressionError
from thermosym.extract.notation import parse_limit, parse_math
from thermosym.extract.tokens import Token, TokenType, tokenize

#: Lines longer than this are not read (a formula line is short; a huge line is data or an attack).
MAX_LINE = 4000

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_LINK = re.compile(r"\[\[([^\[\]|]{1,200})(?:\|([^\[\]]{1,200}))?\]\]")
_LINK_SYMBOL = re.compile(r"\[\[([^\[\]|]{1,200})\]\]\s*\(([^()]{1,24}(?:\([^()]{0,24}\))?)\)")
_CODE = re.compile(r"`([^`]{1,500})`")
_DESCRIPTION = re.compile(
    r"^(?P<sym>[^\s:()\[\]]{1,24}?)(?P<sig>\([^()]{0,40}\))?\s*"
    r"(?::\s+|\s+(?:is|are|represents|denotes|stands for|means)\s+)(?P<rest>.+)$"
)
_LEAD_IN = re.compile(r"^(?P<words>[A-Za-z][A-Za-z \-]{1,80}?)\s+(?P<sym>[^\s:]{1,40})\s*:$")
_LABELLED = re.compile(r"^(?P<label>[^:=≥≤∝≈→<>]{1,80}?):\s+(?P<rest>.+)$")
_LIMIT_LEAD = re.compile(r"^(?:(?:as|for|when|in the limit|at)\s+)?(?P<limit>.+?)\s*:$", re.IGNORECASE)
_NEAR = re.compile(r"^(?:near|close to|around)\s+(?P<point>.+?)\s*:?$", re.IGNORECASE)
_FRAGMENT = re.compile(
    r"(?<![\w\[])([A-Za-zΑ-Ωα-ω](?:_\{[^{}\s]{1,10}\}|_[A-Za-z0-9α-ω]{1,10})?(?:\([^()\s]{1,30}\))?)(?![\w\]])"
)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_RELATION_TEXT = frozenset({"=", "≡", ">=", "<=", ">", "<", "∝", "≈", "~", "→", "!="})
_SMALL_WORDS = frozenset({"of", "the", "a", "an", "and", "in", "on", "for", "to", "with", "by", "at", "or"})


@dataclass
class Candidate:
    """A formula (or heuristic, or question) found in the article, with where it sits."""

    line: int
    section: str
    text: str
    label: str = ""
    limit: str = ""
    limit_group: int = 0
    kind: Literal["formula", "heuristic", "question"] = "formula"
    written: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.written:
            self.written = self.text


@dataclass(frozen=True)
class Description:
    """What the text says a symbol means: ``symbol`` as printed (``C`` for ``dC``), the name it gives
    (``Computational Work``), the rest of the description, and the arguments it shows (``P(σ)`` → ``σ``)."""

    symbol: str
    name: str
    description: str
    line: int
    section: str
    signature: tuple[str, ...] = ()
    differential: bool = False


@dataclass
class Article:
    """The scan of one Markdown article."""

    title: str
    candidates: list[Candidate] = field(default_factory=list)
    descriptions: list[Description] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    front_title: str = ""


# ---- small helpers -----------------------------------------------------------------------------------------


def unlink(text: str) -> str:
    """``[[Name]]`` → ``Name`` and ``[[Target|Shown]]`` → ``Shown``."""
    for _ in range(5):  # links nested in links: innermost first
        new = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
        if new == text:
            break
        text = new
    return text


def clean(text: str) -> str:
    """A line without Markdown emphasis, code marks and the punctuation that ends a sentence."""
    text = text.replace("**", "").replace("`", "").strip()
    if text.endswith((".", ";", ",")) and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def title_case(text: str) -> str:
    """``learning heat capacity`` → ``Learning Heat Capacity`` (small words stay lower case)."""
    words = text.split()
    out = []
    for n, word in enumerate(words):
        low = word.lower()
        out.append(low if n and low in _SMALL_WORDS else word[:1].upper() + word[1:])
    return " ".join(out)


def as_symbol(text: str) -> tuple[str, bool, tuple[str, ...]] | None:
    """``(printed symbol, written as a differential, arguments)`` when ``text`` is one symbol: ``T_eff``,
    ``dC``, ``ΔF``, ``P(σ)``, ``p(θ|D)``; None otherwise."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    head, _, rest = text.partition("(")
    declared = frozenset({head}) if head.startswith("Δ") else frozenset()
    tokens = [t for t in tokenize(head, declared) if t.type is not TokenType.END]
    if len(tokens) != 1 or tokens[0].type not in (TokenType.IDENT, TokenType.DIFF):
        return None
    token = tokens[0]
    arguments: tuple[str, ...] = ()
    if rest:
        if not rest.endswith(")"):
            return None
        parts = re.split(r"[,;|]", rest[:-1])
        symbols = [as_symbol(p) for p in parts]
        if not all(s is not None and not s[1] and not s[2] for s in symbols):
            return None
        arguments = tuple(s[0] for s in symbols if s is not None)
    symbol = token.text if token.type is TokenType.DIFF else token.symbol
    return symbol, token.type is TokenType.DIFF, arguments


def _relation_split(tokens: list[Token]) -> int | None:
    """The index of the first relation outside brackets, or None."""
    depth = 0
    for n, token in enumerate(tokens):
        if token.type is not TokenType.OP:
            continue
        if token.text in ("(", "[", "{", "⟨"):
            depth += 1
        elif token.text in (")", "]", "}", "⟩"):
            depth -= 1
        elif depth == 0 and token.text in _RELATION_TEXT:
            return n
    return None


def looks_like_formula(text: str) -> bool:
    """Whether a line reads as a formula: a relation with symbols, and no prose, before it."""
    if not text or len(text) > MAX_LINE:
        return False
    tokens = tokenize(text)
    split = _relation_split(tokens)
    if split is None or split == 0:
        return False
    left = tokens[:split]
    if any(t.type is TokenType.WORD for t in left):
        return False
    math = {TokenType.IDENT, TokenType.NUM, TokenType.DIFF, TokenType.FUNC, TokenType.CONST}
    return any(t.type in math or t.type is TokenType.PARTIAL for t in left)


def math_fragments(text: str) -> list[str]:
    """The symbols and applied symbols in prose (``T_L(t)``, ``T_eff``, ``θ``) that parse, in order."""
    found: list[str] = []
    for match in _FRAGMENT.finditer(unlink(text)):
        fragment = match.group(1)
        if not ("_" in fragment or "(" in fragment or any("α" <= c <= "ω" or "Α" <= c <= "Ω" for c in fragment)):
            continue
        try:
            parse_math(fragment)
        except ExpressionError:
            continue
        if fragment not in found:
            found.append(fragment)
    return found


def _name_and_rest(rest: str) -> tuple[str, str]:
    """The name a description gives (its first link, or its first words) and the description text."""
    link = _LINK.search(rest)
    plain = unlink(rest).strip()
    if link:
        name = (link.group(2) or link.group(1)).strip()
        return name, plain if plain != name else ""
    head = re.split(r"[(,;]| - | — ", plain, maxsplit=1)[0].strip()
    words = head.split()
    name = title_case(" ".join(words[:8])) if words else plain
    return name, plain if plain.lower() != name.lower() else ""


# ---- the scanner ---------------------------------------------------------------------------------------------


@dataclass
class _Item:
    indent: int
    label: str
    line: int


class _Scanner:
    def __init__(self) -> None:
        self.headings: list[tuple[int, str]] = []
        self.title_heading: tuple[int, str] | None = None
        self.items: list[_Item] = []
        self.context_limit = ""
        self.context_group = 0
        self.groups = 0
        self.last: Candidate | None = None
        self.article = Article(title="")

    # ---- state -----------------------------------------------------------------------------------------------
    def path(self) -> list[str]:
        return [text for level, text in self.headings if (level, text) != self.title_heading and text]

    def section(self, label: str = "") -> str:
        path = self.path()
        if label and (not path or path[-1] != label):
            path = [*path, label]
        return ": ".join(path) or self.article.title or "Untitled"

    def in_questions(self) -> bool:
        return any("question" in text.lower() for text in self.path())

    def heading(self, level: int, text: str) -> None:
        text = clean(unlink(text)).rstrip(":")
        if level == 1 and self.title_heading is None:
            self.title_heading = (level, text)
            self.article.title = text
        self.headings = [h for h in self.headings if h[0] < level] + [(level, text)]
        self.items = []
        self.context_limit = ""
        self.last = None

    def add(self, candidate: Candidate) -> None:
        self.article.candidates.append(candidate)
        self.last = candidate if candidate.kind == "formula" else None

    def describe(self, symbol_text: str, name: str, description: str, line: int) -> bool:
        parsed = as_symbol(symbol_text)
        if parsed is None or not name:
            return False
        symbol, differential, signature = parsed
        self.article.descriptions.append(
            Description(symbol, name, description, line, self.section(), signature, differential)
        )
        return True

    # ---- pieces of lines ---------------------------------------------------------------------------------
    def links(self, text: str, line: int) -> None:
        for match in _LINK_SYMBOL.finditer(text):
            self.describe(match.group(2), match.group(1).strip(), "", line)

    def code_spans(self, text: str, line: int, label: str) -> None:
        for match in _CODE.finditer(text):
            span = match.group(1).strip()
            if looks_like_formula(span):
                self.formula(span, line, label)

    def formula(self, text: str, line: int, label: str, limit: str = "", written: str = "") -> None:
        candidate = Candidate(
            line,
            self.section(label),
            text,
            label,
            limit or self.context_limit,
            self.context_group if not limit else 0,
            written=written or text,
        )
        self.add(candidate)

    def try_formula(self, text: str, line: int, label: str) -> bool:
        """A formula, or ``Label: formula``; True when the text was one."""
        text = clean(text)
        if looks_like_formula(text):
            self.formula(text, line, label)
            return True
        labelled = _LABELLED.match(text)
        if labelled and looks_like_formula(labelled.group("rest")):
            inner = clean(unlink(labelled.group("label")))
            self.formula(labelled.group("rest").strip(), line, inner or label)
            return True
        return False

    def limit_line(self, text: str) -> str:
        """The limit a lead-in line states (``Near T_c:``, ``As T → 0:``), or ``""``."""
        near = _NEAR.match(text)
        candidates = [f"Near {near.group('point')}"] if near else []
        lead = _LIMIT_LEAD.match(text)
        if lead and text.endswith(":"):
            candidates.append(lead.group("limit"))
        for limit in candidates:
            try:
                parse_limit(limit)
            except ExpressionError:
                continue
            return limit
        return ""

    def lead_in(self, text: str, line: int) -> None:
        """``For network size N:``, ``Evolution of parameter distribution p(θ,t):`` describe their symbol."""
        match = _LEAD_IN.match(text)
        if not match:
            return
        words = match.group("words").strip()
        words = re.sub(r"^(?:for|of|the)\s+", "", words, flags=re.IGNORECASE)
        if " of " in words:
            words = words.rsplit(" of ", 1)[1]
        if words:
            self.describe(match.group("sym"), title_case(words), "", line)

    # ---- lines -------------------------------------------------------------------------------------------
    def paragraph(self, text: str, line: int) -> None:
        self.items = []
        raw = text
        text = clean(text)
        if not text:
            return
        self.links(text, line)
        if self.try_formula(unlink(text) if "[[" in text else text, line, ""):
            return
        self.last = None
        if self.in_questions() and text.endswith("?"):
            self.add(Candidate(line, self.section(), text, kind="question"))
            return
        limit = self.limit_line(text)
        if limit:
            self.groups += 1
            self.context_limit, self.context_group = limit, self.groups
            return
        self.context_limit = ""
        self.lead_in(text, line)
        self.code_spans(raw, line, "")

    def item(self, indent: int, body: str, line: int) -> None:
        self.items = [i for i in self.items if i.indent < indent]
        text = clean(body)
        self.links(text, line)
        label = ""
        header = _LINK.match(text)
        if header and header.end() >= len(text.rstrip(":").rstrip()) - 8:
            label = (header.group(2) or header.group(1)).strip()
        self.items.append(_Item(indent, label or self.parent_label(), line))
        if self.in_questions():
            self.add(Candidate(line, self.section(), unlink(text), kind="question"))
            return
        description = _DESCRIPTION.match(text)
        if description and as_symbol(description.group("sym") + (description.group("sig") or "")) is not None:
            name, rest = _name_and_rest(_ARTICLE.sub("", description.group("rest")))
            self.describe(description.group("sym") + (description.group("sig") or ""), name, rest, line)
            return
        if self.try_formula(unlink(text), line, self.parent_label()):
            return
        if label:
            self.items[-1].label = label
            return
        if self.last is not None and not self.code_in(text):
            self.last.notes.append(unlink(text))

    def code_in(self, text: str) -> bool:
        return bool(_CODE.search(text))

    def parent_label(self) -> str:
        for item in reversed(self.items):
            if item.label:
                return item.label
        return ""

    def continuation(self, text: str, line: int) -> None:
        item = self.items[-1]
        text = clean(text)
        if not text:
            return
        self.links(text, line)
        if self.try_formula(unlink(text), line, item.label):
            return
        if item.label and not self.in_questions() and math_fragments(text):
            self.add(Candidate(line, self.section(item.label), unlink(text), item.label, kind="heuristic"))

    def fence(self, lines: list[tuple[int, str]]) -> None:
        block_limit = ""
        for line, raw in lines:
            text = clean(raw)
            if not text:
                continue
            if text.endswith(":"):
                limit = self.limit_line(text)
                if limit:
                    block_limit = limit
                    continue
            if looks_like_formula(text):
                written = f"{block_limit}: {text}" if block_limit else text
                self.formula(text, line, self.parent_label(), block_limit, written)


def _front_matter(lines: list[str]) -> tuple[int, str]:
    """The number of lines of YAML front matter, and its ``title``."""
    if not lines or lines[0].strip() != "---":
        return 0, ""
    title = ""
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return n + 1, title
        match = re.match(r"^title:\s*['\"]?(.*?)['\"]?\s*$", line)
        if match:
            title = match.group(1)
    return 0, ""


def scan_markdown(text: str) -> Article:
    """Scan Markdown ``text``: its title, its formula candidates with their sections, and its descriptions."""
    scanner = _Scanner()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start, front_title = _front_matter(lines)
    scanner.article.front_title = front_title
    fence: list[tuple[int, str]] | None = None
    for number, raw in enumerate(lines[start:], start=start + 1):
        if len(raw) > MAX_LINE:
            scanner.article.skipped.append((number, f"longer than {MAX_LINE} characters"))
            continue
        if _FENCE.match(raw):
            if fence is None:
                fence = []
            else:
                scanner.fence(fence)
                fence = None
            continue
        if fence is not None:
            fence.append((number, raw))
            continue
        line = re.sub(r"^\s*(>\s?)+", "", raw)
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            scanner.heading(len(heading.group(1)), heading.group(2))
            continue
        if _RULE.match(line) or (line.strip().startswith("|") and line.strip().endswith("|")):
            continue
        item = _ITEM.match(line)
        if item:
            scanner.item(len(item.group(1).expandtabs(4)), item.group(3), number)
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        if scanner.items and indent > scanner.items[-1].indent:
            scanner.continuation(line, number)
            continue
        scanner.paragraph(line, number)
    if fence is not None:
        scanner.fence(fence)
    if not scanner.article.title:
        scanner.article.title = front_title
    return scanner.article
