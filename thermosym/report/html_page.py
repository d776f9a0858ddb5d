"""The HTML page of the report (``index.html``): one self-contained file that works offline.

No script, no external style sheet, font or image: the CSS is inline (``templates/style.css``), every plot an
inline SVG (:func:`thermosym.report.plots.inline_svg`), every formula MathML that the browser renders natively
(:mod:`thermosym.report.mathml`; the text form where the document has none). A plot shown in several places (one
check observed for several readings) is inlined once and drawn again by an SVG ``<use>``. The only links leave
for ``results.json``, the standalone plot files and the derivation pages beside the report. Text from the JSON is
escaped (Jinja2 autoescape); MathML is inserted only after :func:`~thermosym.report.mathml.safe_mathml` accepts
it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from thermosym import __version__
from thermosym.report.model import FigureView, ReportView, badge_palette, safe_file_stem, verdict_class, verdict_label
from thermosym.report.plots import inline_svg, svg_reference
from thermosym.report.templating import environment


@dataclass(frozen=True)
class RenderedFigure:
    """A plot file's standalone SVG (``None`` when nothing could be drawn) and the problems met drawing it."""

    svg: str | None
    problems: tuple[str, ...]


def render_html(
    view: ReportView,
    figures: Mapping[str, RenderedFigure],
    *,
    graph_svg: str | None,
    graph_file: str,
) -> str:
    """The page for ``view``; ``figures`` maps each :attr:`FigureView.file` to its rendering, ``graph_svg``
    is the theory graph's standalone SVG (drawn at ``graph_file``)."""

    first_inlined: dict[str, str] = {}  # plot file -> id prefix of its first copy on the page

    def inline_figure(fig: FigureView) -> Markup:
        rendered = figures.get(fig.file)
        if rendered is None or rendered.svg is None:
            return Markup('<p class="muted">Nothing to draw.</p>')
        if fig.file in first_inlined:  # the same plot again: draw the first copy by reference, not a second copy
            return Markup(svg_reference(rendered.svg, first_inlined[fig.file], fig.title))
        first_inlined[fig.file] = fig.anchor
        return Markup(inline_svg(rendered.svg, fig.anchor, fig.title))

    def figure_problems(fig: FigureView) -> tuple[str, ...]:
        rendered = figures.get(fig.file)
        return () if rendered is None else rendered.problems

    env = environment(html=True)
    env.filters.update(verdict_class=verdict_class, verdict_label=verdict_label, stem=safe_file_stem)
    template = env.get_template("index.html.j2")
    return template.render(
        view=view,
        version=__version__,
        palette=badge_palette(),
        inline_figure=inline_figure,
        figure_problems=figure_problems,
        graph_svg=None if graph_svg is None else inline_svg(graph_svg, "theory-graph", "Theory graph"),
        graph_file=graph_file,
    )
