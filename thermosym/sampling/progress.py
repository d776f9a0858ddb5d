"""Progress bars for long sampling runs (rich), off automatically when stdout is not a terminal.

``progress=None`` means "show a bar when stdout is an interactive terminal"; ``True`` forces a bar (rich
still renders plainly when the output is redirected), ``False`` never shows one. The bar is refreshed at most
about 200 times per run, so its cost stays small against the run.

>>> progress_enabled(False)
False
>>> with StepProgress(10, "sampling", enabled=False) as bar:
...     bar.advance(10)
>>> bar.completed
10
"""

from __future__ import annotations

import sys
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def progress_enabled(progress: bool | None) -> bool:
    """Whether to draw a bar: ``progress`` when given, else whether stdout is an interactive terminal."""
    if progress is None:
        isatty = getattr(sys.stdout, "isatty", None)
        return bool(isatty and isatty())
    if not isinstance(progress, bool):
        raise ValueError(f"progress must be True, False or None, got {progress!r}")
    return progress


class StepProgress:
    """A context manager counting steps of one run; draws a rich bar only when ``enabled``."""

    def __init__(self, total: int, description: str, *, enabled: bool) -> None:
        if total < 0:
            raise ValueError(f"total must be non-negative, got {total}")
        self.total = total
        self.description = description
        self.enabled = enabled
        self.completed = 0
        self._pending = 0
        self._every = max(1, total // 200)
        self._progress: Progress | None = None
        self._task: object = None

    def __enter__(self) -> StepProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=self.total)
        return self

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more steps (the bar is redrawn every ~total/200 steps)."""
        self.completed += steps
        self._pending += steps
        if self._progress is not None and self._pending >= self._every:
            self._progress.update(self._task, advance=self._pending)  # type: ignore[arg-type]
            self._pending = 0

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            if self._pending:
                self._progress.update(self._task, advance=self._pending)  # type: ignore[arg-type]
            self._progress.stop()
            self._progress = None
