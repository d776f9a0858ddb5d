"""The Markdown page of the report (``report.md``): the HTML page's content for a reader on GitHub or in an editor.

Plots are the SVG files beside it (``plots/*.svg``), formulas LaTeX between single dollars from the document's
``*_latex`` fields (GitHub renders ``$…$``; the text form in backticks where there is no LaTeX), anchors explicit
``<a id="…">`` elements so that ``#TL-03`` links work. Text from the JSON is escaped with
:func:`escape_markdown`, so that a claim's ``*``, ``_``, ``|`` or ``$`` print as themselves.

>>> escape_markdown("w* = argmax_w C_L(w) | $x$")
'w\\\\* = argmax\\\\_w C\\\\_L(w) \\\\| \\\\$x\\\\$'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from thermosym.report.html_page import RenderedFigure
from thermosym.report.model import FigureView, ReportView, safe_file_stem, verdict_label
from thermosym.report.templating import environment

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$~])")
_NEWLINES = re.compile(r"\s*\n\s*")


def _one_line(text: object) -> str:
    return _NEWLINES.sub(" ", str(text)).strip()


def escape_markdown(text: object) -> str:
    """``text`` on one line with every character Markdown (or GitHub's math) gives a meaning backslash-escaped:
    ``\\ ` * _ [ ] < > # | $ ~``."""
    return _SPECIAL.sub(r"\\\1", _one_line(text))


def code_span(text: object) -> str:
    """``text`` for a single-backtick code span: one line, backticks become ``'``."""
    return _one_line(text).replace("`", "'")


def code_cell(text: object) -> str:
    """:func:`code_span` for a table cell: pipes escaped too (GFM splits cells before reading code spans)."""
    return code_span(text).replace("|", "\\|")


def latex_inline(text: object) -> str:
    """LaTeX for ``$…$``: one line, no spaces at the ends (GitHub needs the dollars against the formula)."""
    return _one_line(text)


def escape_pipes(text: object) -> str:
    """Pipes escaped, for already formatted Markdown inside a table cell."""
    return str(text).replace("|", "\\|")


def image_alt(text: object) -> str:
    """Text for an image's alt: one line, brackets escaped."""
    return _one_line(text).replace("[", "\\[").replace("]", "\\]")


def render_markdown(view: ReportView, figures: Mapping[str, RenderedFigure], *, graph_file: str | None) -> str:
    """The Markdown page for ``view``; ``figures`` as for :func:`thermosym.report.html_page.render_html`."""

    def figure_drawn(fig: FigureView) -> bool:
        rendered = figures.get(fig.file)
        return rendered is not None and rendered.svg is not None

    def figure_problems(fig: FigureView) -> tuple[str, ...]:
        rendered = figures.get(fig.file)
        return () if rendered is None else rendered.problems

    env = environment(html=False)
    filters: dict[str, Callable[..., str]] = {
        "md": escape_markdown,
        "code": code_span,
        "code_cell": code_cell,
        "latex": latex_inline,
        "pipe": escape_pipes,
        "alt": image_alt,
        "stem": safe_file_stem,
        "verdict_label": verdict_label,
    }
    env.filters.update(filters)
    text = env.get_template("report.md.j2").render(
        view=view, figure_drawn=figure_drawn, figure_problems=figure_problems, graph_file=graph_file
    )
    return _collapse_blank_lines(text)


def _collapse_blank_lines(text: str) -> str:
    """At most one blank line in a row, and one newline at the end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
