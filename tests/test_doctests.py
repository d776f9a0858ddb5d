"""The examples in the docstrings run as written: every module of the package that has one."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import thermosym

CORE = ["thermosym", "thermosym.quantity", "thermosym.parser", "thermosym.estimate", "thermosym.verdict"]


def _modules_with_examples() -> list[str]:
    names = ["thermosym"]
    for info in pkgutil.walk_packages(thermosym.__path__, "thermosym."):
        spec = importlib.util.find_spec(info.name)
        origin = None if spec is None else spec.origin
        if origin and origin.endswith(".py") and ">>>" in Path(origin).read_text(encoding="utf-8"):
            names.append(info.name)
    return sorted(names)


MODULES = _modules_with_examples()


def test_the_core_modules_have_examples() -> None:
    assert set(CORE) <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no doctest examples"
