"""The public API: every name in ``thermosym.__all__`` resolves, and the numerical part loads lazily."""

from __future__ import annotations

import subprocess
import sys

import thermosym


def test_every_public_name_resolves() -> None:
    missing = [name for name in thermosym.__all__ if getattr(thermosym, name, None) is None]
    assert missing == []
    assert sorted(dir(thermosym)) == sorted(thermosym.__all__)


def test_the_samplers_are_public_and_loaded_on_first_use() -> None:
    code = "import sys, thermosym; a = 'torch' in sys.modules; thermosym.sgld; print(a, 'torch' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "True"]
    from thermosym.sampling.potentials import ModulePotential

    assert thermosym.ModulePotential is ModulePotential
