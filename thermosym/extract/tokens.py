"""Tokens of the Unicode math that Markdown notes write inline: ``E = −∑ p(θ) log p(θ)``, ``T = ∂E/∂S|_V``.

The tokenizer never raises on a strange character: it emits an ``ERROR`` token that carries the reason, and the
parser (:mod:`thermosym.extract.notation`) refuses the formula when it reaches it. That way a formula followed by
prose (``dS/dt = minimum at steady state``) can still be read up to the prose.

Conventions, chosen to match how these documents write (each is documented where it is decided):

* a letter, ASCII or Greek, is one symbol, with an optional subscript ``_L``, ``_eff``, ``_{ij}`` or ``₁`` and an
  optional trailing star (``w*``); a run of ASCII letters that is not a known word splits into one symbol per
  letter (``TS`` is T·S, ``PV`` is P·V), a run of three or more letters that is not all capitals is prose;
* ``d`` glued to a symbol is a differential (``dI``, ``dθ``, ``dT_L``), so ``dI/dt`` is a derivative;
* ``Δ`` glued to a symbol is a finite change (``ΔE_L``) unless the document declares ``ΔF`` as a symbol;
* superscript digits are exponents (``T_L²``, ``⟨E_L⟩²``).

>>> [t.text for t in tokenize("dS ≥ dQ/T_eff")]
['S', '>=', 'Q', '/', 'T_eff', '']
>>> [(t.type.value, t.text) for t in tokenize("β²(x)")][:2]
[('ident', 'β'), ('sup', '2')]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

#: Most tokens read from one formula.
MAX_TOKENS = 400

#: Greek letters and the ASCII names that claim files give them.
GREEK: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "varepsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma", "ς": "varsigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "ϕ": "varphi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
    "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip

#: Words that name a function the claim format has, and the name it has there.
FUNCTION_WORDS: dict[str, str] = {
    "log": "log", "ln": "log", "exp": "exp", "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arccos": "acos", "acos": "acos", "arctan": "atan",
    "atan": "atan", "abs": "Abs", "sign": "sign", "sgn": "sign", "max": "Max", "min": "Min", "dim": "Dim",
    "var": "Var", "Var": "Var", "argmax": "Argmax", "argmin": "Argmin",
}  # fmt: skip

#: Function names the claim format does not have: read as prose, refused with a clear reason.
UNSUPPORTED_FUNCTIONS = frozenset(
    {"tr", "Tr", "det", "Det", "cov", "Cov", "erf", "Pr", "lim", "sup", "inf", "ker", "rank", "diag", "mod"}
)

#: Words for an unspecified finite constant.
CONSTANT_WORDS = frozenset({"constant", "const"})

#: Two-letter English words, read as prose rather than as a product of two symbols.
_ENGLISH_PAIRS = frozenset(
    {"as", "at", "of", "on", "in", "is", "to", "by", "or", "an", "if", "be", "we", "it", "no", "so", "up"}
)

_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9",
    "⁻": "-", "⁺": "+", "ⁿ": "n", "ⁱ": "i",
}  # fmt: skip
_SUBSCRIPTS = {
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9",
    "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₙ": "n", "ₘ": "m", "ₜ": "t", "ₓ": "x", "ₐ": "a", "ₑ": "e", "ₒ": "o",
    "ₚ": "p", "ₛ": "s", "ₗ": "l", "ₕ": "h",
}  # fmt: skip
_FRACTIONS = {"½": "1/2", "⅓": "1/3", "¼": "1/4", "¾": "3/4", "⅔": "2/3"}

#: Operators, by every spelling the documents use, and their canonical text.
_OPERATORS: dict[str, str] = {
    "+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "·": "*", "⋅": "*", "×": "*", "∙": "*",
    "/": "/", "÷": "/", "^": "^", "=": "=", "≥": ">=", "⩾": ">=", "≤": "<=", "⩽": "<=", ">": ">", "<": "<",
    "≠": "!=", "∝": "∝", "≈": "≈", "≃": "≈", "≅": "≈", "~": "~", "∼": "~", "→": "→", "⟶": "→", "≡": "≡",
    "≔": "≡", "(": "(", ")": ")", "[": "[", "]": "]", "{": "{", "}": "}", "⟨": "⟨", "\u2329": "⟨",
    "\u3008": "⟨", "⟩": "⟩", "\u232a": "⟩", "\u3009": "⟩", "|": "|", ",": ",", ";": ";", ":": ":", "⇒": "⇒", "⟹": "⇒",
}  # fmt: skip
#: Two-character spellings, tried before single characters.
_PAIRS = {">=": ">=", "<=": "<=", "->": "→", ":=": "≡", "==": "=", "!=": "!="}
_REFUSED = {
    "‖": "norms ‖·‖ are not supported",
    "∏": "products ∏ are not supported",
    "∮": "contour integrals are not supported",
    "∬": "double integrals ∬ are not supported (write ∫∫)",
    "ᵀ": "transposes are not supported",
    "†": "adjoints are not supported",
    "±": "± is not supported (write the two formulas)",
    "∓": "∓ is not supported",
    "'": "primes and quotes are not supported",
    "′": "primes are not supported",
    '"': "quotes are not supported",
    "$": "LaTeX math ($...$) is not supported: write the formula in Unicode",
    "\\": "LaTeX commands are not supported: write the formula in Unicode",
    "…": "ellipses are not supported",
    "!": "factorials and '!' are not supported",
    "∈": "set membership is not supported",
    "∀": "quantifiers are not supported",
    "∃": "quantifiers are not supported",
    "∧": "logical operators are not supported",
    "∨": "logical operators are not supported",
    "⊗": "tensor products are not supported",
    "∘": "composition is not supported",
    "—": "an em dash is prose, not math",
}
_SPACES = frozenset(" \t\u00a0\u2009\u202f\u2002\u2003\u2006\u200a")
_INDEX_LETTERS = frozenset("ijklmn")


class TokenType(StrEnum):
    """What a token is."""

    NUM = "num"  # 2, 0.5, 1/2 (from ½)
    IDENT = "ident"  # a symbol: base letter, subscript, star
    DIFF = "diff"  # dX: the differential of a symbol
    FUNC = "func"  # log, exp, var, argmax, ... (text: the claim-format name)
    CONST = "const"  # constant, π, ∞ (text: constant, pi, oo)
    WORD = "word"  # prose
    OP = "op"  # operators, relations, brackets, separators (text: canonical)
    SUP = "sup"  # a run of superscript characters (text: "2", "-1", "n")
    UNDERSCORE = "underscore"  # a subscript marker after an operator (∑_θ, argmax_w, |_V, )_V)
    PARTIAL = "partial"  # ∂
    NABLA = "nabla"  # ∇
    SUM = "sum"  # ∑
    INTEGRAL = "integral"  # ∫
    DELTA = "delta"  # Δ glued to a symbol
    SQRT = "sqrt"  # √
    ERROR = "error"  # a character that cannot be read (text: the reason)
    END = "end"


@dataclass(frozen=True)
class Token:
    """One token: its type, canonical text, the raw characters and where they start (0-based column).

    For an ``IDENT`` (and the symbol of a ``DIFF``) ``base`` is the letter, ``sub`` the subscript and ``star``
    whether a ``*`` follows; ``order`` is the order of a differential written ``d²x``.
    """

    type: TokenType
    text: str
    column: int
    raw: str = ""
    space_before: bool = False
    base: str = ""
    sub: str = ""
    star: bool = False
    order: int = 1

    @property
    def symbol(self) -> str:
        """The printed symbol of an identifier: ``T_eff``, ``θ_i``, ``w*``."""
        return self.base + (f"_{self.sub}" if self.sub else "") + ("*" if self.star else "")

    @property
    def index_subscript(self) -> bool:
        """Whether the subscript reads as indices (``θ_i``, ``I_ij``) rather than as part of a name (``T_L``)."""
        return bool(self.sub) and len(self.sub) <= 3 and set(self.sub) <= _INDEX_LETTERS


def is_greek(ch: str) -> bool:
    """Whether ``ch`` is a Greek letter the tokenizer reads as a symbol."""
    return ch in GREEK


def _is_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or is_greek(ch)


def _is_sub_char(ch: str) -> bool:
    return (ch.isascii() and ch.isalnum()) or is_greek(ch)


class _Scanner:
    """Reads a formula left to right; one method per kind of token."""

    def __init__(self, text: str, declared: frozenset[str]) -> None:
        self.text = text
        self.declared = declared
        self.pos = 0
        self.space = False

    def peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.text[i] if i < len(self.text) else ""

    def make(self, type_: TokenType, text: str, start: int, **fields: object) -> Token:
        token = Token(type_, text, start, self.text[start : self.pos], self.space, **fields)  # type: ignore[arg-type]
        self.space = False
        return token

    def tokens(self) -> Iterator[Token]:
        while self.pos < len(self.text):
            ch = self.peek()
            if ch in _SPACES:
                self.pos += 1
                self.space = True
                continue
            yield self.one(ch)
        yield Token(TokenType.END, "", len(self.text), "", self.space)

    def one(self, ch: str) -> Token:
        start = self.pos
        if ch.isdigit() and ch.isascii():
            return self.number(start)
        if ch in _FRACTIONS:
            self.pos += 1
            return self.make(TokenType.NUM, _FRACTIONS[ch], start)
        if ch in _SUPERSCRIPTS:
            return self.superscript(start)
        if ch == "Δ" and _is_letter(self.peek(1)):
            return self.delta(start)
        if ch == "Σ" and self.peek(1) in ("_", "^"):
            self.pos += 1
            return self.make(TokenType.SUM, "∑", start)
        if ch == "π":
            self.pos += 1
            return self.make(TokenType.CONST, "pi", start)
        if ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            return self.word(start)
        if is_greek(ch):
            self.pos += 1
            return self.identifier(ch, start)
        return self.symbol_char(ch, start)

    def number(self, start: int) -> Token:
        while self.peek().isdigit() and self.peek().isascii():
            self.pos += 1
        if self.peek() == "." and self.peek(1).isdigit() and self.peek(1).isascii():
            self.pos += 1
            while self.peek().isdigit() and self.peek().isascii():
                self.pos += 1
        return self.make(TokenType.NUM, self.text[start : self.pos], start)

    def superscript(self, start: int) -> Token:
        chars = []
        while self.peek() in _SUPERSCRIPTS:
            chars.append(_SUPERSCRIPTS[self.peek()])
            self.pos += 1
        return self.make(TokenType.SUP, "".join(chars), start)

    def subscript(self) -> str | None:
        """The subscript after an identifier, or None when there is none; an empty string means a bad one."""
        if self.peek() in _SUBSCRIPTS:
            chars = []
            while self.peek() in _SUBSCRIPTS:
                chars.append(_SUBSCRIPTS[self.peek()])
                self.pos += 1
            return "".join(chars)
        if self.peek() != "_":
            return None
        if self.peek(1) == "{":
            end = self.text.find("}", self.pos + 2)
            inner = self.text[self.pos + 2 : end] if end >= 0 else ""
            if end < 0 or not inner or not all(_is_sub_char(c) for c in inner):
                return ""
            self.pos = end + 1
            return inner
        i = self.pos + 1
        while i < len(self.text) and _is_sub_char(self.text[i]):
            i += 1
        if i == self.pos + 1:
            return ""
        sub = self.text[self.pos + 1 : i]
        self.pos = i
        return sub

    def star(self) -> bool:
        """A ``*`` glued to a symbol and followed by no operand (``w* = ...``) is part of the symbol."""
        if self.peek() != "*":
            return False
        j = self.pos + 1
        while j < len(self.text) and self.text[j] in _SPACES:
            j += 1
        nxt = self.text[j] if j < len(self.text) else ""
        if nxt == "" or nxt in "=≥≤<>∝≈~∼→≡),;:]|⟩}" or (nxt in "+-−" and j > self.pos + 1):
            self.pos += 1
            return True
        return False

    def identifier(self, base: str, start: int) -> Token:
        sub = self.subscript()
        if sub == "":
            return self.make(TokenType.ERROR, f"an empty or unreadable subscript after {base!r}", start)
        star = self.star()
        text = base + (f"_{sub}" if sub else "") + ("*" if star else "")
        return self.make(TokenType.IDENT, text, start, base=base, sub=sub or "", star=star)

    def delta(self, start: int) -> Token:
        """``ΔF``: a declared symbol of its own, or the finite change of the symbol that follows."""
        self.pos += 1
        letter = self.peek()
        save = self.pos
        self.pos += 1
        sub = self.subscript()
        compound = "Δ" + letter + (f"_{sub}" if sub else "")
        if compound in self.declared:
            return self.make(TokenType.IDENT, compound, start, base="Δ" + letter, sub=sub or "")
        self.pos = save
        return self.make(TokenType.DELTA, "Δ", start)

    def word(self, start: int) -> Token:
        end = self.pos
        while end < len(self.text) and self.text[end].isascii() and self.text[end].isalpha():
            end += 1
        run = self.text[start:end]
        if run in FUNCTION_WORDS or run.lower() in ("log", "exp", "ln", "sqrt"):
            self.pos = end
            return self.make(TokenType.FUNC, FUNCTION_WORDS.get(run, FUNCTION_WORDS.get(run.lower(), run)), start)
        if run.lower() in CONSTANT_WORDS:
            self.pos = end
            return self.make(TokenType.CONST, "constant", start)
        if run == "d" and end < len(self.text) and (is_greek(self.text[end]) or self.text[end] in _SUPERSCRIPTS):
            return self.differential(start)
        if len(run) >= 2 and run[0] == "d" and (len(run) == 2 or run[1:].isupper()) and run not in _ENGLISH_PAIRS:
            return self.differential(start)
        if (len(run) >= 3 and not run.isupper()) or run.lower() in _ENGLISH_PAIRS or run in UNSUPPORTED_FUNCTIONS:
            self.pos = end
            return self.make(TokenType.WORD, run, start)
        # a run of capitals or a short run: one symbol per letter; the subscript goes to the last one
        self.pos += 1
        if end - start > 1:
            return self.make(TokenType.IDENT, run[0], start, base=run[0])
        return self.identifier(run[0], start)

    def differential(self, start: int) -> Token:
        self.pos += 1  # the d
        order = 1
        if self.peek() in _SUPERSCRIPTS:
            digits = []
            while self.peek() in _SUPERSCRIPTS:
                digits.append(_SUPERSCRIPTS[self.peek()])
                self.pos += 1
            if not "".join(digits).isdigit():
                return self.make(TokenType.ERROR, "a differential's order must be a number (d²x)", start)
            order = int("".join(digits))
        letter = self.peek()
        if not _is_letter(letter):
            return self.make(TokenType.ERROR, "a differential d needs a symbol after it", start)
        self.pos += 1
        follows = self.peek()
        if follows.isascii() and follows.isalpha() and not is_greek(letter):
            # dTS: the differential of T, then the symbols that follow
            return self.make(TokenType.DIFF, letter, start, base=letter, order=order)
        sub = self.subscript()
        if sub == "":
            return self.make(TokenType.ERROR, f"an empty or unreadable subscript after d{letter}", start)
        text = letter + (f"_{sub}" if sub else "")
        return self.make(TokenType.DIFF, text, start, base=letter, sub=sub or "", order=order)

    def symbol_char(self, ch: str, start: int) -> Token:
        pair = self.text[self.pos : self.pos + 2]
        if pair in _PAIRS:
            self.pos += 2
            return self.make(TokenType.OP, _PAIRS[pair], start)
        self.pos += 1
        simple = {
            "∂": TokenType.PARTIAL,
            "∇": TokenType.NABLA,
            "∑": TokenType.SUM,
            "∫": TokenType.INTEGRAL,
            "√": TokenType.SQRT,
        }
        if ch in simple:
            return self.make(simple[ch], ch, start)
        if ch == "∞":
            return self.make(TokenType.CONST, "oo", start)
        if ch == "_":
            return self.make(TokenType.UNDERSCORE, "_", start)
        if ch in _OPERATORS:
            return self.make(TokenType.OP, _OPERATORS[ch], start)
        if ch in _REFUSED:
            return self.make(TokenType.ERROR, _REFUSED[ch], start)
        if ch.isspace() or not ch.isprintable():
            return self.make(TokenType.ERROR, f"control or invisible character U+{ord(ch):04X}", start)
        return self.make(TokenType.ERROR, f"unsupported character {ch!r} (U+{ord(ch):04X})", start)


def tokenize(text: str, declared: frozenset[str] = frozenset()) -> list[Token]:
    """The tokens of ``text``, ending with an ``END`` token; at most :data:`MAX_TOKENS` (then an ``ERROR``).

    ``declared`` lists compound symbols the document declares (``ΔF``), read as one symbol.
    """
    out: list[Token] = []
    for token in _Scanner(text, declared).tokens():
        if len(out) >= MAX_TOKENS:
            out.append(Token(TokenType.ERROR, f"more than {MAX_TOKENS} tokens", token.column))
            out.append(Token(TokenType.END, "", len(text)))
            break
        out.append(token)
    return out
