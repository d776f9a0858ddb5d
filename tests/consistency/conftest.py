"""Session fixtures for the consistency tests."""

from __future__ import annotations

import pytest

from thermosym.catalogue import Catalogue, load_catalogue
from thermosym.consistency import run_checks
from thermosym.finding import Finding
from thermosym.graph import TheoryGraph


@pytest.fixture(scope="session")
def builtin() -> tuple[Catalogue, list[Finding]]:
    """The built-in documents and their as-written findings (the checks only, without derivations)."""
    catalogue = load_catalogue()[0]
    return catalogue, run_checks(catalogue, TheoryGraph.from_catalogue(catalogue))
