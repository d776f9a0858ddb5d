"""MathML from the results document, admitted into the HTML page only when it is plain presentation MathML.

The results document carries ``statement_mathml`` (claims and readings) and ``expression_mathml`` (findings): a
``<math>…</math>`` string that SymPy's presentation printer produced. The page inserts it unescaped, so that the
browser renders it natively (MathML Core, no script, no CDN), which makes it the one place where text from the
JSON reaches the page as markup. :func:`safe_mathml` therefore parses the string as XML and accepts it only if
every element is a presentation-MathML element and every attribute one of a fixed list (no ``style``, no
``href``, no event handlers, no ``annotation-xml`` that could carry HTML); anything else returns ``None`` and the
page falls back to the text form of the statement.

Named character references (``&InvisibleTimes;``, ``&dd;``, which SymPy prints) are HTML5 entities, not XML
ones; they are resolved for the parse only, and the string is inserted as it came.

>>> safe_mathml('<math><msub><mi>C</mi><mi>L</mi></msub><mo>=</mo><mn>3</mn></math>') is not None
True
>>> safe_mathml('<math><mi>x</mi></math><script>alert(1)</script>') is None
True
>>> safe_mathml('<math><mi style="background:url(x)">x</mi></math>') is None
True
"""

from __future__ import annotations

import html.entities
import re
import xml.etree.ElementTree as ET

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"

#: Presentation-MathML elements (MathML Core and the common MathML 3 ones SymPy prints).
ELEMENTS = frozenset(
    {
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle",
        "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup", "msubsup", "munder", "mover",
        "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mlabeledtr",
        "semantics", "annotation",
    }
)  # fmt: skip

#: Attributes that change how MathML is laid out and nothing else.
ATTRIBUTES = frozenset(
    {
        "xmlns", "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor",
        "mathbackground", "dir", "fence", "separator", "stretchy", "symmetric", "largeop", "movablelimits",
        "accent", "accentunder", "lspace", "rspace", "minsize", "maxsize", "form", "linethickness", "width",
        "height", "depth", "voffset", "open", "close", "separators", "notation", "columnalign", "rowalign",
        "columnspan", "rowspan", "columnlines", "rowlines", "columnspacing", "rowspacing", "frame", "align",
        "encoding", "bevelled", "numalign", "denomalign",
    }
)  # fmt: skip

_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def _numeric_entities(text: str) -> str | None:
    """``text`` with HTML5 named references replaced by numeric ones (XML knows only five names); ``None`` if
    a name is not an HTML5 entity."""
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1)
        if name in _XML_ENTITIES:
            return match.group(0)
        chars = html.entities.html5.get(name + ";")
        if chars is None:
            unknown = True
            return match.group(0)
        return "".join(f"&#x{ord(c):x};" for c in chars)

    out = _ENTITY.sub(replace, text)
    return None if unknown else out


def _local_name(tag: str) -> str | None:
    """The element's name without the MathML namespace; ``None`` for any other namespace."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return name if namespace == MATHML_NAMESPACE else None
    return tag


def safe_mathml(markup: object) -> str | None:
    """``markup`` if it is one ``<math>`` element of presentation MathML with only layout attributes (see the
    module docstring), else ``None``."""
    if not isinstance(markup, str):
        return None
    text = markup.strip()
    if not text.startswith("<math") or "<!" in text or "<?" in text:
        return None
    parseable = _numeric_entities(text)
    if parseable is None:
        return None
    try:
        root = ET.fromstring(parseable)
    except ET.ParseError:
        return None
    if _local_name(root.tag) != "math":
        return None
    for element in root.iter():
        if _local_name(element.tag) not in ELEMENTS:
            return None
        if any(name not in ATTRIBUTES for name in element.attrib):
            return None
    return text
