"""What the report says, read from the results document: the view that the HTML and Markdown pages both print.

Everything here is a pure function of the JSON (thermosym/schema/results.schema.json): claims in document order,
their readings (``as-written`` first), verdicts, findings, evidence rows with their numbers formatted, the
observations each reading carries (which become plots), the derived claims and the links to their derivation
pages. Iteration follows the document's own order or an explicit sort, never a set's, so that the same JSON gives
the same pages.

>>> format_number(0.000123456789), format_number(3), format_number(None), format_number(2.5e-9)
('0.000123457', '3', '—', '2.5e-09')
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from thermosym.graph_drawing import VERDICT_COLOURS
from thermosym.report.mathml import safe_mathml

#: Verdicts from the most to the least in need of a reader's attention; ``None`` (no verdict yet) last.
VERDICT_ORDER: tuple[str | None, ...] = (
    "fails",
    "inconsistent",
    "ill-posed",
    "holds-conditionally",
    "holds",
    "untestable",
    "definition",
    None,
)
#: Verdicts that the summary lists first, as the claims a reader should look at.
ATTENTION = frozenset({"fails", "inconsistent", "ill-posed"})
#: What a missing verdict (a claim awaiting ``thermosym validate``) is called on the page.
PENDING = "pending"
MISSING = "—"
#: The derivations' index page, ``derivations/README.md``, by its stem.
INDEX_PAGE = "README"

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
TOPIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def verdict_label(verdict: str | None) -> str:
    """The word shown for a verdict (``pending`` for none)."""
    return PENDING if verdict is None else str(verdict)


def verdict_class(verdict: str | None) -> str:
    """The CSS class of a verdict's badge: ``v-`` and the label."""
    return "v-" + verdict_label(verdict)


def verdict_rank(verdict: str | None) -> int:
    """Position in :data:`VERDICT_ORDER` (unknown verdicts rank with ``None``, last)."""
    return VERDICT_ORDER.index(verdict) if verdict in VERDICT_ORDER else len(VERDICT_ORDER) - 1


def _luminance(colour: str) -> float:
    """Relative luminance of an sRGB ``#rrggbb`` colour (WCAG 2.1, definition of relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour_on(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio (L1 + 0.05)/(L2 + 0.05) on ``background``.

    >>> text_colour_on("#c62828"), text_colour_on("#9e9d24")
    ('#ffffff', '#000000')
    """
    lum = _luminance(background)
    on_white = 1.05 / (lum + 0.05)
    on_black = (lum + 0.05) / 0.05
    return "#ffffff" if on_white >= on_black else "#000000"


def badge_palette() -> list[tuple[str, str, str]]:
    """(CSS class, background, text colour) for every verdict, in :data:`VERDICT_ORDER`; the colours are
    :data:`thermosym.graph_drawing.VERDICT_COLOURS`, shared with the theory-graph drawing."""
    return [
        (verdict_class(v), VERDICT_COLOURS[v], text_colour_on(VERDICT_COLOURS[v]))
        for v in VERDICT_ORDER
        if v in VERDICT_COLOURS
    ]


def format_number(value: Any) -> str:
    """A number for a table: six significant digits (``%.6g``), integers as they are, ``—`` for none."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    return str(value)


def _format_value(value: Any, depth: int = 0) -> str:
    if isinstance(value, Mapping):
        return "{" + format_parameters(value, depth + 1) + "}"
    if isinstance(value, list | tuple):
        shown = [_format_value(v, depth + 1) for v in value[:8]]
        more = f", … ({len(value)} items)" if len(value) > 8 else ""
        return "[" + ", ".join(shown) + more + "]"
    return format_number(value)


def format_parameters(parameters: Mapping[str, Any], depth: int = 0) -> str:
    """Parameters compactly, ``key=value`` in the document's order, long lists shortened.

    >>> format_parameters({"dim": 6, "temperature": 0.25, "widths": [1, 2, 4]})
    'dim=6, temperature=0.25, widths=[1, 2, 4]'
    """
    if depth > 3:
        return "…"
    return ", ".join(f"{k}={_format_value(v, depth)}" for k, v in parameters.items())


def safe_file_stem(text: str) -> str:
    """``text`` reduced to letters, digits, ``.``, ``_`` and ``-`` (for plot file names and anchors)."""
    stem = _SAFE_NAME.sub("-", text).strip("-.")
    return stem or "item"


@dataclass(frozen=True)
class Math:
    """A formula in the three forms the pages use: text (fallback), LaTeX (Markdown), MathML (HTML, checked by
    :func:`~thermosym.report.mathml.safe_mathml`; ``None`` when absent or refused)."""

    text: str
    latex: str
    mathml: str | None

    @classmethod
    def from_fields(cls, item: Mapping[str, Any], stem: str) -> Math | None:
        """From ``<stem>``, ``<stem>_latex`` and ``<stem>_mathml`` of a JSON object; ``None`` if it has none."""
        text = item.get(stem)
        latex = item.get(f"{stem}_latex")
        mathml = safe_mathml(item.get(f"{stem}_mathml"))
        if not text and not latex and mathml is None:
            return None
        return cls(text=str(text or latex or ""), latex=str(latex or ""), mathml=mathml)


@dataclass(frozen=True)
class FindingView:
    """A finding as the pages show it (``findings`` of the document or of a reading)."""

    code: str
    category: str
    severity: str
    message: str
    claims: tuple[str, ...]
    quantities: tuple[str, ...]
    reading: str
    expression: Math | None


@dataclass(frozen=True)
class EvidenceView:
    """One evidence item with its numbers formatted; ``deviation`` is |measured − predicted|, ``rule`` the
    tolerance rule ``k·σ + bias + absolute`` of thermosym/evidence.py."""

    check: str
    system: str
    quantity: str
    condition: str
    predicted: str
    measured: str
    stderr: str
    deviation: str
    tolerance: str
    rule: str
    passed: bool
    parameters: str
    parameters_json: str
    note: str
    rerun: str


@dataclass(frozen=True)
class FigureView:
    """One observation of a reading: drawn into ``file`` (relative to the report folder) when it has series."""

    anchor: str
    file: str
    title: str
    note: str
    observation: Mapping[str, Any]
    has_series: bool


@dataclass(frozen=True)
class ReadingView:
    """A reading of a claim: verdict, reason, statement, findings, evidence and figures."""

    name: str
    anchor: str
    verdict: str | None
    verdict_reason: str
    conditions: tuple[str, ...]
    statement: Math | None
    same_statement_as_claim: bool
    rationale: str
    reinterprets: tuple[str, ...]
    findings: tuple[FindingView, ...]
    evidence: tuple[EvidenceView, ...]
    figures: tuple[FigureView, ...]

    @property
    def passed_count(self) -> int:
        return sum(1 for e in self.evidence if e.passed)


@dataclass(frozen=True)
class DerivationLink:
    """A derived claim's page: ``href`` (``None`` when the page is known to be missing)."""

    topic: str
    href: str | None


@dataclass(frozen=True)
class ClaimView:
    """A claim with its source, statement as written and encoded, and its readings (``as-written`` first)."""

    id: str
    document: str
    section: str
    location: str
    kind: str
    form: str
    text: str
    statement: Math | None
    condition: str
    quantities: tuple[tuple[str, str, str], ...]
    defines: tuple[str, ...]
    derived_from: tuple[str, ...]
    derived: bool
    derivation: DerivationLink | None
    verified: bool | None
    readings: tuple[ReadingView, ...]

    @property
    def verdict(self) -> str | None:
        """The verdict as written (the first reading's)."""
        return self.readings[0].verdict if self.readings else None

    @property
    def other_readings(self) -> tuple[ReadingView, ...]:
        return self.readings[1:]

    @property
    def figure_count(self) -> int:
        return sum(1 for r in self.readings for f in r.figures if f.has_series)

    @property
    def evidence_count(self) -> tuple[int, int]:
        """(passed, total) over all readings."""
        return (sum(r.passed_count for r in self.readings), sum(len(r.evidence) for r in self.readings))


@dataclass(frozen=True)
class DerivedView:
    """An entry of the document's ``derived`` list, with the link to its derivation page."""

    id: str
    topic: str
    statement: Math | None
    derived_from: tuple[str, ...]
    verified: bool
    method: str
    link: DerivationLink


@dataclass(frozen=True)
class ErrorView:
    """A claim-file problem (``errors`` of the document)."""

    file: str
    line: int | None
    claim: str
    message: str

    @property
    def location(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Count:
    """How many claims have ``verdict`` as written, and how many readings have it."""

    verdict: str | None
    as_written: int
    all_readings: int

    @property
    def label(self) -> str:
        return verdict_label(self.verdict)

    @property
    def css(self) -> str:
        return verdict_class(self.verdict)


@dataclass(frozen=True)
class ReportView:
    """Everything the pages print, in the order they print it."""

    title: str
    claims: tuple[ClaimView, ...]
    documents: tuple[tuple[str, tuple[ClaimView, ...]], ...]
    counts: tuple[Count, ...]
    attention: tuple[ClaimView, ...]
    ranked: tuple[ClaimView, ...]
    findings: tuple[FindingView, ...]
    derived: tuple[DerivedView, ...]
    errors: tuple[ErrorView, ...]
    derivations_index: str | None
    environment: tuple[tuple[str, str], ...]
    claim_ids: frozenset[str]

    @property
    def figures(self) -> list[FigureView]:
        """Every figure with series, in page order."""
        return [f for c in self.claims for r in c.readings for f in r.figures if f.has_series]

    @property
    def topics(self) -> list[DerivationLink]:
        """The derivation pages, one per topic (without anchor), in the order the document first names them."""
        seen: dict[str, DerivationLink] = {}
        for d in self.derived:
            href = None if d.link.href is None else d.link.href.partition("#")[0]
            seen.setdefault(d.topic, DerivationLink(d.topic, href))
        return list(seen.values())


def _finding_view(f: Mapping[str, Any]) -> FindingView:
    return FindingView(
        code=str(f.get("code", "")),
        category=str(f.get("category", "")),
        severity=str(f.get("severity", "")),
        message=str(f.get("message", "")),
        claims=tuple(f.get("claims", ())),
        quantities=tuple(f.get("quantities", ())),
        reading=str(f.get("reading", "as-written")),
        expression=Math.from_fields(f, "expression"),
    )


def _rule(e: Mapping[str, Any]) -> str:
    """The tolerance rule of an evidence item, ``k·σ + bias + absolute`` (thermosym/evidence.py)."""
    rule = e.get("tolerance_rule") or {}
    if not rule:
        return ""
    parts = [f"{format_number(rule.get('k'))}σ"]
    if rule.get("bias"):
        parts.append(f"bias {format_number(rule['bias'])}")
    if rule.get("absolute"):
        parts.append(f"abs {format_number(rule['absolute'])}")
    return " + ".join(parts)


def _evidence_view(e: Mapping[str, Any]) -> EvidenceView:
    predicted, measured = e.get("predicted"), e.get("measured")
    deviation = None if predicted is None or measured is None else abs(float(measured) - float(predicted))
    parameters = e.get("parameters") or {}
    return EvidenceView(
        check=str(e.get("check", "")),
        system=str(e.get("system", "")),
        quantity=str(e.get("quantity", "")),
        condition=str(e.get("condition", "")),
        predicted=format_number(predicted),
        measured=format_number(measured),
        stderr=format_number(e.get("stderr")),
        deviation=format_number(deviation),
        tolerance=format_number(e.get("tolerance")),
        rule=_rule(e),
        passed=bool(e.get("passed")),
        parameters=format_parameters(parameters),
        parameters_json=json.dumps(parameters, ensure_ascii=False, sort_keys=True),
        note=str(e.get("note", "")),
        rerun=str(e.get("rerun", "")),
    )


class _FigureFiles:
    """Plot file names, unique per report; an observation that occurs twice with identical content (the same
    check observed for several readings) shares the first occurrence's file."""

    def __init__(self) -> None:
        self.by_content: dict[str, str] = {}
        self.used: set[str] = set()

    def assign(self, stem: str, observation: Mapping[str, Any]) -> tuple[str, str]:
        """(anchor, file) for ``observation`` drawn under the stem ``stem``."""
        anchor = stem
        n = 2
        while anchor in self.used:
            anchor = f"{stem}-{n}"
            n += 1
        self.used.add(anchor)
        content = json.dumps(observation, sort_keys=True, ensure_ascii=False)
        file = self.by_content.setdefault(content, f"plots/{anchor}.svg")
        return "fig-" + anchor, file


def _reading_view(claim: Mapping[str, Any], reading: Mapping[str, Any], files: _FigureFiles) -> ReadingView:
    name = str(reading.get("name", ""))
    anchor = f"{claim['id']}--{safe_file_stem(name)}"
    figures = []
    for obs in reading.get("observations") or ():
        stem = safe_file_stem(f"{claim['id']}--{name}--{obs.get('name', 'plot')}")
        fig_anchor, file = files.assign(stem, obs)
        figures.append(
            FigureView(
                anchor=fig_anchor,
                file=file,
                title=str(obs.get("title", "")),
                note=str(obs.get("note", "")),
                observation=obs,
                has_series=bool(obs.get("series")),
            )
        )
    statement = Math.from_fields(reading, "statement")
    return ReadingView(
        name=name,
        anchor=anchor,
        verdict=reading.get("verdict"),
        verdict_reason=str(reading.get("verdict_reason", "")),
        conditions=tuple(reading.get("conditions") or ()),
        statement=statement,
        same_statement_as_claim=statement is not None and statement.text == claim.get("statement"),
        rationale=str(reading.get("rationale", "")),
        reinterprets=tuple(reading.get("reinterprets") or ()),
        findings=tuple(_finding_view(f) for f in reading.get("findings") or ()),
        evidence=tuple(_evidence_view(e) for e in reading.get("evidence") or ()),
        figures=tuple(figures),
    )


def heading_anchor(text: str) -> str:
    """The anchor GitHub (and ``thermosym derive``'s pages) give a heading: lower case, punctuation other than
    ``-`` and ``_`` dropped, spaces as ``-``.

    >>> heading_anchor("DER-ENS-C-FLUCT")
    'der-ens-c-fluct'
    """
    return re.sub(r"[^a-z0-9 _-]", "", text.lower()).replace(" ", "-")


def derivation_href(topic: str, base: str, available: frozenset[str] | None, claim_id: str = "") -> str | None:
    """``base/topic.md`` (with ``#anchor`` of ``claim_id``'s heading when given); ``None`` when ``topic`` is not
    a plain name or ``available`` (the pages copied beside the report) lacks it.

    >>> derivation_href("potentials", "../derivations", None, "DER-dE")
    '../derivations/potentials.md#der-de'
    >>> derivation_href("../../etc/passwd", "derivations", None) is None
    True
    """
    if not TOPIC_NAME.match(topic):
        return None
    if available is not None and topic not in available:
        return None
    anchor = f"#{heading_anchor(claim_id)}" if claim_id else ""
    return f"{base}/{topic}.md{anchor}"


def _location(source: Mapping[str, Any]) -> str:
    file, line = source.get("file") or "", source.get("line")
    return f"{file}:{line}" if file and line is not None else str(file)


class DerivationLinker:
    """Links to derivation pages: ``base/<topic>.md`` (see :func:`derivation_href`)."""

    def __init__(self, base: str, available: frozenset[str] | None) -> None:
        self.base = base
        self.available = available

    def __call__(self, topic: str, claim_id: str = "") -> DerivationLink:
        return DerivationLink(topic=topic, href=derivation_href(topic, self.base, self.available, claim_id))

    @property
    def index(self) -> str | None:
        """The derivations' index page (``README.md``), when it is there to link."""
        if self.available is not None and INDEX_PAGE not in self.available:
            return None
        return f"{self.base}/{INDEX_PAGE}.md"


def _claim_view(
    claim: Mapping[str, Any],
    files: _FigureFiles,
    derivations: Mapping[str, Mapping[str, Any]],
    link: DerivationLinker,
) -> ClaimView:
    source = claim.get("source") or {}
    der = derivations.get(claim["id"])
    return ClaimView(
        id=str(claim["id"]),
        document=str(source.get("document", "")),
        section=str(source.get("section", "")),
        location=_location(source),
        kind=str(claim.get("kind", "")),
        form=str(claim.get("form", "")),
        text=str(claim.get("text", "")),
        statement=Math.from_fields(claim, "statement"),
        condition=str(claim.get("condition") or ""),
        quantities=tuple(
            (str(q.get("symbol", "")), str(q.get("name", "")), str(q.get("key", "")))
            for q in claim.get("quantities") or ()
        ),
        defines=tuple(claim.get("defines") or ()),
        derived_from=tuple(claim.get("derived_from") or ()),
        derived=bool(claim.get("derived")) or der is not None,
        derivation=None if der is None else link(str(der.get("topic", "")), str(claim["id"])),
        verified=None if der is None else bool(der.get("verified")),
        readings=tuple(_reading_view(claim, r, files) for r in claim.get("readings") or ()),
    )


def _counts(claims: Sequence[ClaimView]) -> tuple[Count, ...]:
    """Verdict counts over the first reading of each claim (as written) and over all readings, in
    :data:`VERDICT_ORDER` (computed from the claims, the same rule as ``thermosym.results.summarise``)."""
    as_written = Counter(c.verdict for c in claims if c.readings)
    every = Counter(r.verdict for c in claims for r in c.readings)
    verdicts = sorted(set(as_written) | set(every), key=lambda v: (verdict_rank(v), str(v)))
    return tuple(Count(v, as_written.get(v, 0), every.get(v, 0)) for v in verdicts)


def _environment(env: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    def show(value: Any) -> str:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        if isinstance(value, Mapping):
            return format_parameters(value)
        return str(value)

    return tuple((str(k), show(v)) for k, v in env.items())


def _derived_statement(derivation: Mapping[str, Any], claim: ClaimView | None) -> Math | None:
    """A derived relation's formula: the claim's (which carries MathML) when the document lists the claim."""
    own = Math.from_fields(derivation, "statement")
    if claim is not None and claim.statement is not None and (own is None or own.mathml is None):
        return claim.statement
    return own


def build_view(
    document: Mapping[str, Any],
    *,
    derivations_base: str = "../derivations",
    available_derivations: frozenset[str] | None = None,
) -> ReportView:
    """The report's content from a results document. Derivation pages are linked as
    ``<derivations_base>/<topic>.md``; with ``available_derivations`` (the topics copied beside the report),
    only those are linked."""
    link = DerivationLinker(derivations_base, available_derivations)
    derivations = {str(d["id"]): d for d in document.get("derived") or ()}
    files = _FigureFiles()
    claims = tuple(_claim_view(c, files, derivations, link) for c in document.get("claims") or ())
    by_document: dict[str, list[ClaimView]] = {}
    for c in claims:
        by_document.setdefault(c.document, []).append(c)
    position = {c.id: i for i, c in enumerate(claims)}
    ranked = tuple(sorted(claims, key=lambda c: (verdict_rank(c.verdict), position[c.id])))
    by_id = {c.id: c for c in claims}
    derived = tuple(
        DerivedView(
            id=str(d["id"]),
            topic=str(d.get("topic", "")),
            statement=_derived_statement(d, by_id.get(str(d["id"]))),
            derived_from=tuple(d.get("derived_from") or ()),
            verified=bool(d.get("verified")),
            method=str(d.get("method", "")),
            link=link(str(d.get("topic", "")), str(d["id"])),
        )
        for d in document.get("derived") or ()
    )
    env = document.get("environment") or {}
    profile = env.get("profile")
    title = "thermosym report" + (f" ({profile} profile)" if profile else "")
    return ReportView(
        title=title,
        claims=claims,
        documents=tuple((name, tuple(cs)) for name, cs in by_document.items()),
        counts=_counts(claims),
        attention=tuple(c for c in ranked if c.verdict in ATTENTION),
        ranked=ranked,
        findings=tuple(_finding_view(f) for f in document.get("findings") or ()),
        derived=derived,
        errors=tuple(
            ErrorView(
                file=str(e.get("file", "")),
                line=e.get("line"),
                claim=str(e.get("claim") or ""),
                message=str(e.get("message") or e.get("problem", "")),
            )
            for e in document.get("errors") or ()
        ),
        environment=_environment(env),
        derivations_index=link.index if derived else None,
        claim_ids=frozenset(position),
    )
