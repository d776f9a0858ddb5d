"""Compare two results documents: the same claims, readings and verdicts, and numbers equal within a relative
tolerance (bitwise equality holds for reruns on one machine; another CPU may round the last bits of a sampled
estimate differently). Used to check that the committed report in ``validation/`` matches a fresh run.

Run: ``python -m thermosym.validation.compare NEW.json COMMITTED.json`` (exit 1 and a list of differences), or
with ``--verdicts`` to compare only claims, readings, verdicts and which evidence passed: that is what CI checks,
since a Markov chain run on another CPU may round one acceptance test differently and follow another path, which
moves a sampled estimate within its error bar but should not move a verdict.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: sections that describe where a run happened, not what it found
IGNORED = {("environment",)}


def _walk(a: Any, b: Any, path: tuple[str, ...], rel: float) -> Iterator[str]:
    if any(path[: len(prefix)] == prefix for prefix in IGNORED):
        return
    where = "/".join(path) or "(root)"
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{where}: key {key!r} only in {'the first' if key in a else 'the second'}"
                continue
            yield from _walk(a[key], b[key], (*path, str(key)), rel)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{where}: {len(a)} items against {len(b)}"
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _walk(x, y, (*path, str(i)), rel)
    elif isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        if not math.isclose(a, b, rel_tol=rel, abs_tol=rel * 1e-6):
            yield f"{where}: {a!r} against {b!r}"
    elif isinstance(a, str) and isinstance(b, str) and a != b:
        # texts embed numbers (notes, reasons): compare them number by number
        yield from _compare_text(a, b, where, rel)
    elif type(a) is not type(b) or (not isinstance(a, float | str) and a != b):
        yield f"{where}: {a!r} against {b!r}"


def _compare_text(a: str, b: str, where: str, rel: float) -> Iterator[str]:
    import re

    number = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
    if number.sub("#", a) != number.sub("#", b):
        yield f"{where}: {a!r} against {b!r}"
        return
    for x, y in zip(number.findall(a), number.findall(b), strict=True):
        if x != y and not math.isclose(float(x), float(y), rel_tol=max(rel, 5e-3)):
            yield f"{where}: {a!r} against {b!r}"
            return


def differences(a: Any, b: Any, rel: float = 1e-6) -> list[str]:
    """Every difference between two results documents beyond the tolerance (verdicts must match exactly)."""
    return list(_walk(a, b, (), rel))


def verdict_outline(document: Any) -> dict[str, Any]:
    """Claim id → reading name → (verdict, the pass/fail of each evidence item in order)."""
    return {
        c["id"]: {r["name"]: [r["verdict"], [e["passed"] for e in r["evidence"]]] for r in c["readings"]}
        for c in document["claims"]
    }


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verdicts_only = "--verdicts" in args
    args = [a for a in args if a != "--verdicts"]
    if len(args) != 2:
        print("usage: python -m thermosym.validation.compare [--verdicts] NEW.json COMMITTED.json", file=sys.stderr)
        return 2
    docs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args]
    if verdicts_only:
        docs = [verdict_outline(d) for d in docs]
    found = differences(*docs)
    for line in found[:50]:
        print(line)
    if found:
        print(f"{len(found)} differences between {args[0]} and {args[1]}", file=sys.stderr)
        return 1
    print(f"{args[0]} matches {args[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
