"""Guessing what a quantity is from the words the text uses for it, and what a claim is from its statement.

Every guess here is written into the draft with a ``# TODO`` beside it: the user confirms or corrects it.

>>> guess_kind("Effective Learning Temperature")
'temperature'
>>> guess_kind("Low-Temperature Exponent"), guess_level("exponent")
('exponent', 'constant')
>>> document_id("Thermodynamics of Learning"), document_id("learning heat capacity")
('TL', 'LHC')
"""

from __future__ import annotations

import re

#: (words that name it, kind), tried in order: the first match wins, so "exponent" beats "temperature".
_KIND_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("exponent",), "exponent"),
    (("inverse temperature",), "inverse-temperature"),
    (("heat capacity", "specific heat"), "heat-capacity"),
    (("free energy", "gibbs"), "free-energy"),
    (("temperature",), "temperature"),
    (("entropy",), "entropy"),
    (("partition function", "scaling function"), "function"),
    (("hessian", "matrix"), "matrix"),
    (("loss", "hamiltonian", "enthalpy", "energy"), "energy"),
    (("heat",), "heat"),
    (("work",), "work"),
    (("pressure",), "pressure"),
    (("volume",), "volume"),
    (("susceptibility",), "susceptibility"),
    (("order parameter", "organization", "magnetization"), "order-parameter"),
    (("probability", "distribution", "likelihood", "posterior", "prior", "density of states"), "probability"),
    (("current", "flux"), "current"),
    (("flow", "rate"), "rate"),
    (("concentration", "density"), "density"),
    (("velocity", "drift"), "velocity"),
    (("diffusion",), "diffusion"),
    (("momentum", "momenta"), "momentum"),
    (("time",), "time"),
    (("length", "distance"), "length"),
    (("information",), "information"),
    (("constant",), "constant"),
    (("efficiency", "ratio", "fraction"), "dimensionless"),
    (("size", "number", "count", "width", "depth", "dimension"), "count"),
    (("index",), "index"),
    (("resource",), "resource"),
    (("function",), "function"),
    (("data", "parameter", "weight", "coordinate"), "parameter"),
)

#: Conventional meanings of bare symbols, used only when the text describes a symbol nowhere.
_SYMBOL_KINDS = {
    "T": "temperature", "S": "entropy", "E": "energy", "F": "free-energy", "U": "energy", "Q": "heat",
    "W": "work", "P": "pressure", "V": "volume", "Z": "function", "L": "energy", "H": "energy",
    "β": "inverse-temperature", "t": "time", "N": "count", "n": "count", "d": "count", "θ": "parameter",
    "w": "parameter", "p": "probability", "i": "index", "j": "index", "k": "index", "C": "heat-capacity",
    "η": "dimensionless", "τ": "time", "χ": "susceptibility", "ξ": "length", "ψ": "order-parameter",
    "α": "exponent", "γ": "exponent", "ν": "exponent", "z": "exponent", "σ": "entropy", "D": "diffusion",
}  # fmt: skip

#: The level a kind usually lives at.
_KIND_LEVELS = {
    "temperature": "control", "inverse-temperature": "control", "volume": "control", "time": "control",
    "count": "control", "index": "control", "diffusion": "control", "resource": "control",
    "parameter": "microstate", "momentum": "microstate",
    "probability": "field", "density": "field", "current": "field", "velocity": "field",
    "exponent": "constant", "constant": "constant",
}  # fmt: skip

_DISCRETE = frozenset({"count", "index"})
_POSITIVE = frozenset({"temperature", "inverse-temperature", "count", "diffusion"})
_STOP_WORDS = frozenset({"of", "the", "a", "an", "and", "in", "on", "for", "to", "with", "by", "at", "or", "from"})


def guess_kind(words: str) -> str | None:
    """The quantity kind the words name (``Model Temperature`` → ``temperature``), or None."""
    low = " " + re.sub(r"[^a-z]+", " ", words.lower()) + " "
    for keys, kind in _KIND_WORDS:
        if any(f" {key}" in low for key in keys):
            return kind
    return None


def guess_kind_from_symbol(symbol: str) -> str | None:
    """The conventional kind of a bare symbol (``T`` → temperature), or None."""
    base = symbol.split("_", 1)[0].rstrip("*")
    return _SYMBOL_KINDS.get(base)


def guess_level(kind: str) -> str:
    """The level a quantity of this kind usually has (``temperature`` → control, ``energy`` → ensemble)."""
    return _KIND_LEVELS.get(kind, "ensemble")


def is_discrete(kind: str) -> bool:
    """Counts and indices are integers."""
    return kind in _DISCRETE


def is_positive(kind: str) -> bool:
    """Temperatures, counts and diffusion coefficients are positive."""
    return kind in _POSITIVE


def document_id(title: str, reserved: frozenset[str] = frozenset()) -> str:
    """A short upper-case id from a title: the initials of its words (``Thermodynamics of Learning`` → ``TL``).

    An id in ``reserved`` (the built-in documents) gets a digit, so that a draft loads beside them.
    """
    words = [w for w in re.findall(r"[A-Za-z0-9]+", title) if w.lower() not in _STOP_WORDS]
    initials = "".join(w[0] for w in words).upper()[:6]
    if len(initials) < 2:
        letters = re.sub(r"[^A-Za-z0-9]", "", title).upper()
        initials = (initials + letters)[:3]
    if not initials or not initials[0].isalpha():
        initials = "DOC" + initials[:3]
    candidate, n = initials, 2
    while candidate in reserved:
        candidate, n = f"{initials}{n}", n + 1
    return candidate
