"""Writing TOML by hand, safely: strings escaped per TOML 1.0, comments that cannot break out of their lines.

The draft writer writes TOML itself (rather than with ``tomli_w``) because a draft's value is in its ``# TODO``
comments, which no TOML library writes. Every string and comment the article supplies goes through these
functions, so that no text in a document, however hostile, can add a key or a table to the draft.

>>> print(toml_string('say "hi"\\n'))
"say \\"hi\\"\\n"
>>> comment("two\\nlines")
'# two lines'
"""

from __future__ import annotations

import textwrap

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}

#: Longest comment written (over several lines if need be).
MAX_COMMENT = 1200
#: Width of a comment line.
COMMENT_WIDTH = 110


def _allowed(ch: str) -> bool:
    """Whether TOML allows ``ch`` as it is in a string or comment (no control characters, no surrogates)."""
    code = ord(ch)
    return not (code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF)


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and control characters escaped, lone surrogates
    (which UTF-8 cannot hold) replaced by U+FFFD."""
    out = ['"']
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            out.append("\ufffd")
        elif not _allowed(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_list(values: list[str]) -> str:
    """A TOML array of strings."""
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def comment(text: str, prefix: str = "# ") -> str:
    """A comment, wrapped over lines of :data:`COMMENT_WIDTH` characters: control characters and line breaks in
    ``text`` become spaces, so nothing in it can leave the comment; it is cut at :data:`MAX_COMMENT` characters."""
    flat = "".join(ch if _allowed(ch) else " " for ch in text)
    flat = " ".join(flat.split())
    if len(flat) > MAX_COMMENT:
        flat = flat[: MAX_COMMENT - 1] + "…"
    lines = textwrap.wrap(flat, COMMENT_WIDTH - len(prefix), break_long_words=True, break_on_hyphens=False)
    indent = "#" + " " * (len(prefix) + 1)
    return "\n".join((prefix if n == 0 else indent) + line for n, line in enumerate(lines)) or "#"
