"""The examples in the docstrings of thermosym.extract run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "thermosym.extract.tokens",
    "thermosym.extract.formula",
    "thermosym.extract.notation",
    "thermosym.extract.markdown",
    "thermosym.extract.guesses",
    "thermosym.extract.toml_text",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no doctest examples"
