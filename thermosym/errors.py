"""The package's exceptions: one root class, one subclass per kind of failure.

Modelled on pint: every error carries structured fields (``file``, ``claim``, ``line``, ``problem``) so that a
caller can report it without parsing the message, and ``str(error)`` reads as one line a user understands.
"""

from __future__ import annotations

from dataclasses import dataclass


class ThermosymError(Exception):
    """Root of every error raised on purpose by thermosym."""


@dataclass
class ExpressionError(ThermosymError):
    """An expression that the safe parser refuses.

    ``column`` is the 0-based offset into ``text`` where the problem was found, when known.
    """

    text: str
    problem: str
    column: int | None = None

    def __str__(self) -> str:
        where = f" at column {self.column}" if self.column is not None else ""
        return f"cannot parse {self.text!r}{where}: {self.problem}"


@dataclass
class ClaimFileError(ThermosymError):
    """A problem in a claim file, located by file, claim id and line."""

    file: str
    problem: str
    line: int | None = None
    claim: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" (claim {self.claim})" if self.claim else ""
        return f"{where}{who}: {self.problem}"


@dataclass
class CatalogueError(ThermosymError):
    """A catalogue that cannot be assembled from valid files (for example a duplicate claim id)."""

    problems: list[ClaimFileError]

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class UnknownClaimError(ThermosymError, KeyError):
    """A claim id that is not in the catalogue."""

    def __str__(self) -> str:
        return f"no claim with id {self.args[0]!r}"


class UnknownQuantityError(ThermosymError, KeyError):
    """A quantity key that is not in the catalogue."""

    def __str__(self) -> str:
        return f"no quantity with key {self.args[0]!r}"


@dataclass
class SamplingDivergedError(ThermosymError):
    """A sampler produced NaN/inf or an exploding loss."""

    step: int
    step_size: float
    temperature: float | str
    detail: str = ""

    def __str__(self) -> str:
        extra = f": {self.detail}" if self.detail else ""
        return (
            f"sampling diverged at step {self.step} (step size {self.step_size:g}, "
            f"temperature {self.temperature}){extra}"
        )
