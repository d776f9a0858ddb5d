"""Write the report folder: ``index.html``, ``report.md``, ``results.json`` and ``plots/*.svg``.

Data flows one way: the report reads the results document (thermosym/schema/results.schema.json) and nothing
else; it imports neither torch, nor the samplers, the systems or the validation layer.

Links to the derivation pages (``derivations/<topic>.md``, written by ``thermosym derive``):

* with ``derivations_dir`` (the repository's ``derivations/`` folder, say), the pages of the topics the document
  lists under ``derived`` are copied into ``DIR/derivations/`` and linked as ``derivations/<topic>.md``: the
  folder is self-contained and can be moved anywhere;
* without it, they are linked as ``../derivations/<topic>.md``: right for a report written into a folder that
  sits beside ``derivations/`` (the committed report in ``validation/``, or ``out/``, in the repository root).

The same document gives byte-identical files (sorted or document-order iteration, reproducible SVG, no dates);
files a previous run left in ``plots/`` (``*.svg``) or, with ``derivations_dir``, in ``derivations/`` (``*.md``)
that this run does not write are removed, so that the folder always matches a fresh run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from thermosym.report.graph_figure import theory_graph_figure
from thermosym.report.html_page import RenderedFigure, render_html
from thermosym.report.markdown_page import render_markdown
from thermosym.report.model import INDEX_PAGE, TOPIC_NAME, ReportView, build_view
from thermosym.report.plots import figure_svg, observation_svg

PLOTS = "plots"
DERIVATIONS = "derivations"
GRAPH_FILE = f"{PLOTS}/theory-graph.svg"
FILES = ("index.html", "report.md", "results.json")


def check_document(document: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` naming the first place where ``document`` departs from the results schema."""
    import jsonschema

    schema = json.loads((resources.files("thermosym") / "schema" / "results.schema.json").read_text(encoding="utf-8"))
    if not isinstance(document, Mapping):
        raise ValueError(f"document must be a mapping (the results JSON), got {type(document).__name__}")
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ValueError(f"document does not follow the results schema at {where}: {error.message}")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _remove_stale(folder: Path, pattern: str, keep: set[Path]) -> None:
    if folder.is_dir():
        for path in sorted(folder.glob(pattern)):
            if path.is_file() and path not in keep:
                path.unlink()


def copy_derivations(document: Mapping[str, Any], derivations_dir: Path, out_dir: Path) -> frozenset[str]:
    """Copy ``<topic>.md`` of every topic under the document's ``derived``, and the index ``README.md``, from
    ``derivations_dir`` to ``out_dir/derivations`` (those that exist); the stems copied."""
    if not derivations_dir.is_dir():
        raise ValueError(f"derivations_dir {str(derivations_dir)!r} is not a folder")
    topics = sorted({str(d.get("topic", "")) for d in document.get("derived") or ()})
    if topics:
        topics.append(INDEX_PAGE)
    target = out_dir / DERIVATIONS
    copied: set[str] = set()
    written: set[Path] = set()
    for topic in topics:
        source = derivations_dir / f"{topic}.md"
        if (TOPIC_NAME.match(topic) or topic == INDEX_PAGE) and source.is_file():
            target.mkdir(parents=True, exist_ok=True)
            (target / source.name).write_bytes(source.read_bytes())
            copied.add(topic)
            written.add(target / source.name)
    _remove_stale(target, "*.md", written)
    return frozenset(copied)


def draw_figures(view: ReportView, out_dir: Path) -> dict[str, RenderedFigure]:
    """Draw every observation with series into its plot file (once per file); the renderings by file."""
    rendered: dict[str, RenderedFigure] = {}
    for fig in view.figures:
        if fig.file in rendered:
            continue
        svg, prepared = observation_svg(fig.observation)
        rendered[fig.file] = RenderedFigure(svg, prepared.problems)
        if svg is not None:
            _write(out_dir / fig.file, svg)
    return rendered


def write_report(
    document: Mapping[str, Any],
    out_dir: str | Path,
    *,
    derivations_dir: str | Path | None = None,
) -> Path:
    """Write the report of the results ``document`` into ``out_dir`` (created if missing) and return the path
    of ``index.html``. See the module docstring for what is written and how derivation pages are linked.

    Raises ``ValueError`` if ``document`` does not follow the results schema or ``derivations_dir`` is not a
    folder.
    """
    check_document(document)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if derivations_dir is None:
        view = build_view(document)
    else:
        available = copy_derivations(document, Path(derivations_dir), out)
        view = build_view(document, derivations_base=DERIVATIONS, available_derivations=available)
    figures = draw_figures(view, out)
    graph = theory_graph_figure(document)
    graph_svg = None if graph is None else figure_svg(graph)
    if graph_svg is not None:
        _write(out / GRAPH_FILE, graph_svg)
    written = {out / file for file, r in figures.items() if r.svg is not None}
    if graph_svg is not None:
        written.add(out / GRAPH_FILE)
    _remove_stale(out / PLOTS, "*.svg", written)
    _write(out / "index.html", render_html(view, figures, graph_svg=graph_svg, graph_file=GRAPH_FILE))
    _write(out / "report.md", render_markdown(view, figures, graph_file=None if graph_svg is None else GRAPH_FILE))
    _write(out / "results.json", json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return out / "index.html"
