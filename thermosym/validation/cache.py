"""The result cache: each finished check is stored atomically under a key of its inputs, the package version and
a hash of the check's source file.

An interrupted ``validate`` finds the checks it already finished and does not run them again; ``--fresh``
(``reuse=False``) ignores what is stored and overwrites it with what it computes. A stored result that cannot
be read (a partial write from a crash cannot happen, since writes are atomic, but a hand-edited file can) is
treated as missing and recomputed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thermosym import __version__
from thermosym.results import write_json_atomic

DEFAULT_CACHE = Path(".thermosym-cache")


def task_key(check: str, params: Mapping[str, Any]) -> str:
    """A stable key: the check name, its parameters and the package version, hashed."""
    payload = json.dumps({"check": check, "params": params, "version": __version__}, sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:20]
    return f"{check}-{digest}"


class ResultCache:
    """A folder of JSON files, one per finished check."""

    def __init__(self, folder: str | Path = DEFAULT_CACHE, *, enabled: bool = True, reuse: bool = True) -> None:
        self.folder = Path(folder)
        self.enabled = enabled
        self.reuse = reuse

    def path(self, key: str) -> Path:
        return self.folder / __version__ / f"{key}.json"

    def load(self, key: str) -> dict[str, Any] | None:
        if not (self.enabled and self.reuse):
            return None
        path = self.path(key)
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if data.get("key") == key else None

    def store(self, key: str, outcome: Mapping[str, Any]) -> None:
        if self.enabled:
            write_json_atomic(self.path(key), {"key": key, **outcome})
