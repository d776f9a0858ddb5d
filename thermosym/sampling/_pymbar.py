"""pymbar, imported quietly: its import prints a "JAX NOT FOUND" banner and logs a timeseries notice, which a
library user should not see. Both sampling modules that use pymbar import it through here."""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from types import ModuleType


@contextlib.contextmanager
def quiet_pymbar() -> Iterator[None]:
    """Silence pymbar's banners: its logger below ERROR, stdout, and its warnings."""
    logger = logging.getLogger("pymbar")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


def pymbar_module() -> ModuleType:
    """pymbar with the submodules the estimators use, imported quietly on first use."""
    with quiet_pymbar():
        import pymbar
        import pymbar.other_estimators
        import pymbar.timeseries
    return pymbar
