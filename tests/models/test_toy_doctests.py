"""The examples in the docstrings of thermosym.models run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["networks", "data", "training", "curvature", "sgd"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"thermosym.models.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
