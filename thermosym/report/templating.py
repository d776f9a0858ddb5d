"""The Jinja2 environment of the report: templates shipped as package data under ``thermosym/report/templates``.

Templates are read with :mod:`importlib.resources`, so they are found in an installed wheel as in the source
tree. HTML templates (``*.html.j2``) autoescape; the Markdown template escapes with its own filter
(:func:`thermosym.report.markdown_page.escape_markdown`).
"""

from __future__ import annotations

from importlib import resources

import jinja2


def template_source(name: str) -> str:
    """The text of the template ``name`` (``FileNotFoundError`` if the package does not ship it)."""
    return (resources.files("thermosym.report") / "templates" / name).read_text(encoding="utf-8")


def _load(name: str) -> str:
    try:
        return template_source(name)
    except FileNotFoundError as err:
        raise jinja2.TemplateNotFound(name) from err


def environment(*, html: bool) -> jinja2.Environment:
    """A Jinja2 environment over the report templates; ``html`` turns on autoescaping."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )
