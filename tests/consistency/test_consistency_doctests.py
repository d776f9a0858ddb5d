"""The docstring examples of the consistency modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["thermosym.consistency", "thermosym.consistency.dimensions"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
