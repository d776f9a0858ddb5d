"""The results document (JSON) that ``check`` and ``validate`` write, and its JSON Schema.

Layout (DESIGN.md): ``{"claims": [{"id", "source": {"document", "section"}, "statement", "readings": [{"name",
"verdict", "evidence": [...], "findings": [...]}]}], "findings": [...], "derived": [...], "environment": {...}}``,
plus ``errors`` (claim-file problems) and ``summary`` (verdict counts). The schema ships as
``thermosym/schema/results.schema.json``; :func:`validate_results` checks a document against it.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from thermosym import __version__, printing
from thermosym.catalogue import Catalogue
from thermosym.claim import Claim, Reading
from thermosym.errors import ClaimFileError
from thermosym.evidence import Evidence
from thermosym.finding import Finding
from thermosym.verdict import Verdict, decide

SCHEMA_VERSION = "1"


def environment(command: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What produced the results: package and library versions, Python, platform (no timestamps, so that a
    rerun gives the same JSON)."""
    import networkx
    import numpy
    import sympy

    env: dict[str, Any] = {
        "thermosym": __version__,
        "schema": SCHEMA_VERSION,
        "command": command,
        "python": platform.python_version(),
        "platform": platform.system(),
        "sympy": sympy.__version__,
        "numpy": numpy.__version__,
        "networkx": networkx.__version__,
    }
    env.update(extra or {})
    return env


class _Printers:
    def __init__(self, catalogue: Catalogue) -> None:
        quantities = list(catalogue.quantities.values())
        self.text_printer = printing.DocumentTextPrinter(quantities)
        self.latex_printer = printing.DocumentLatexPrinter(quantities)
        self.mathml_printer = printing.DocumentMathMLPrinter(quantities)

    def text(self, expr: Any) -> str:
        out: str = self.text_printer.doprint(expr)
        return out.replace("**", "^").replace("*", "·")

    def latex(self, expr: Any) -> str:
        out: str = self.latex_printer.doprint(expr)
        return out

    def mathml(self, expr: Any) -> str:
        return printing.mathml_with(self.mathml_printer, expr)

    def statement_mathml(self, statement: Any) -> str:
        return printing.statement_mathml(statement, self.mathml_printer)


def _source(claim: Claim) -> dict[str, Any]:
    src = claim.source
    return {"document": src.document, "section": src.section, "file": Path(src.file).name, "line": src.line}


def reading_findings(findings: Sequence[Finding], claim_id: str, reading: str) -> list[Finding]:
    """The findings that involve ``claim_id`` in reading ``reading``."""
    return [f for f in findings if claim_id in f.claims and f.reading == reading]


def check_verdict(claim: Claim, findings: Sequence[Finding]) -> Verdict | None:
    """The verdict a symbolic check alone can give: decided by findings, or a definition; otherwise None
    (the claim awaits numerical evidence from ``thermosym validate``)."""
    verdict = decide(kind=claim.kind.value, findings=findings, evidence=[])
    if verdict.value.value == "untestable":
        return None
    return verdict


def _reading_json(
    claim: Claim,
    reading: Reading,
    findings: Sequence[Finding],
    verdict: Verdict | None,
    evidence: Sequence[Evidence],
    printers: _Printers,
    observations: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "name": reading.name,
        "statement": reading.statement.text(printers.text),
        "statement_latex": reading.statement.latex(printers.latex),
        "statement_mathml": printers.statement_mathml(reading.statement),
        "rationale": reading.rationale,
        "reinterprets": list(reading.reinterprets),
        "verdict": None if verdict is None else verdict.value.value,
        "verdict_reason": "pending numerical validation (thermosym validate)" if verdict is None else verdict.reason,
        "conditions": [] if verdict is None else list(verdict.conditions),
        "evidence": [e.to_dict() for e in evidence],
        "findings": [f.to_dict(printers.text, printers.latex, printers.mathml) for f in findings],
        "observations": list(observations),
    }


def build_results(
    catalogue: Catalogue,
    findings: Sequence[Finding],
    derivations: Sequence[Any],
    errors: Sequence[ClaimFileError],
    *,
    command: str,
    verdicts: Mapping[tuple[str, str], Verdict] | None = None,
    evidence: Mapping[tuple[str, str], Sequence[Evidence]] | None = None,
    observations: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]] | None = None,
    extra_environment: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The results document. ``verdicts`` and ``evidence`` are keyed by (claim id, reading name); without a
    verdict for a reading, the symbolic :func:`check_verdict` is used."""
    printers = _Printers(catalogue)
    derived_ids = {d.claim.id for d in derivations}
    claims_json = []
    for claim in catalogue:
        readings = []
        for reading in claim.readings:
            fs = reading_findings(findings, claim.id, reading.name)
            key = (claim.id, reading.name)
            verdict = (verdicts or {}).get(key) or check_verdict(claim, fs)
            readings.append(
                _reading_json(
                    claim,
                    reading,
                    fs,
                    verdict,
                    (evidence or {}).get(key, ()),
                    printers,
                    (observations or {}).get(key, ()),
                )
            )
        claims_json.append(
            {
                "id": claim.id,
                "source": _source(claim),
                "kind": claim.kind.value,
                "text": claim.text,
                "statement": claim.statement.text(printers.text),
                "statement_latex": claim.statement.latex(printers.latex),
                "statement_mathml": printers.statement_mathml(claim.statement),
                "form": claim.statement.form,
                "quantities": [
                    {"key": k, "symbol": catalogue.quantity(k).symbol, "name": catalogue.quantity(k).name}
                    for k in claim.quantities
                ],
                "defines": list(claim.defines),
                "derived_from": list(claim.derived_from),
                "condition": claim.condition,
                "derived": claim.id in derived_ids,
                "readings": readings,
            }
        )
    return {
        "claims": claims_json,
        "findings": [f.to_dict(printers.text, printers.latex, printers.mathml) for f in findings],
        "derived": [_derivation_json(d, printers) for d in derivations],
        "errors": [
            {"file": e.file, "line": e.line, "claim": e.claim, "problem": e.problem, "message": str(e)} for e in errors
        ],
        "summary": summarise(claims_json),
        "environment": environment(command, extra_environment),
    }


def _derivation_json(derivation: Any, printers: _Printers) -> dict[str, Any]:
    claim = derivation.claim
    return {
        "id": claim.id,
        "topic": derivation.topic,
        "statement": claim.statement.text(printers.text),
        "statement_latex": claim.statement.latex(printers.latex),
        "statement_mathml": printers.statement_mathml(claim.statement),
        "derived_from": list(claim.derived_from),
        "verified": bool(derivation.verified),
        "method": derivation.method,
        "concrete_checks": [
            {k: (v if isinstance(v, bool | int | float | str) or v is None else str(v)) for k, v in vars(c).items()}
            for c in getattr(derivation, "concrete_checks", ())
        ],
    }


def summarise(claims_json: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Verdict counts over the first reading (as written) and over all readings."""
    as_written = Counter(str(c["readings"][0]["verdict"]) for c in claims_json)
    every = Counter(str(r["verdict"]) for c in claims_json for r in c["readings"])
    return {
        "claims": len(claims_json),
        "as_written": dict(sorted(as_written.items())),
        "all_readings": dict(sorted(every.items())),
    }


def schema() -> dict[str, Any]:
    """The JSON Schema of the results document."""
    text = (resources.files("thermosym") / "schema" / "results.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def validate_results(document: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``document`` follows the schema."""
    import jsonschema

    jsonschema.validate(document, schema())


def write_json_atomic(path: str | Path, document: Any) -> Path:
    """Write JSON to ``path`` atomically (a temporary file in the same folder, then a rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=1, ensure_ascii=False, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
