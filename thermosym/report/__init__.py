"""The report: the results JSON as an HTML page with plots (``index.html``), Markdown (``report.md``) and the
JSON itself, written by :func:`write_report`.

The report reads only the results document (thermosym/schema/results.schema.json); see
:mod:`thermosym.report.writer` for what it writes and how it links the derivation pages.
"""

from thermosym.report.writer import write_report

__all__ = ["write_report"]
