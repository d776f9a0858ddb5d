"""The examples in the docstrings of the core modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "thermosym",
    "thermosym.quantity",
    "thermosym.operators",
    "thermosym.parser",
    "thermosym.catalogue",
    "thermosym.graph",
    "thermosym.printing",
    "thermosym.finding",
    "thermosym.evidence",
    "thermosym.estimate",
    "thermosym.verdict",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no doctest examples"
