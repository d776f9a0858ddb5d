"""Curie–Weiss exact finite-N thermodynamics: time per temperature of thermosym's log-space sector sum,
against the direct sum over sectors in a Python loop (what one writes without vectorising) and, at small N,
against enumeration of all 2^N states. Prints a table.

Run: python benchmarks/bench_curie_weiss.py
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from thermosym.systems.curie_weiss import CurieWeiss


def python_loop_specific_heat(n: int, t: float) -> float:
    """c = β² Var H / N by a Python loop over magnetisation sectors with lgamma multiplicities."""
    logs, energies = [], []
    for up in range(n + 1):
        m = 2 * up - n
        energies.append(-(m * m) / (2 * n))
        logs.append(math.lgamma(n + 1) - math.lgamma(up + 1) - math.lgamma(n - up + 1) - energies[-1] / t)
    top = max(logs)
    w = [math.exp(x - top) for x in logs]
    z = sum(w)
    e1 = sum(wi * e for wi, e in zip(w, energies, strict=True)) / z
    e2 = sum(wi * e * e for wi, e in zip(w, energies, strict=True)) / z
    return (e2 - e1 * e1) / (t * t * n)


def enumeration_specific_heat(n: int, t: float) -> float:
    energies = []
    for spins in itertools.product((-1, 1), repeat=n):
        m = sum(spins)
        energies.append(-(m * m) / (2 * n))
    e = np.asarray(energies)
    w = np.exp(-(e - e.min()) / t)
    p = w / w.sum()
    return float((p @ e**2 - (p @ e) ** 2) / (t * t * n))


def best_of(func, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(f"{'N':>9} {'thermosym (ms)':>15} {'python loop (ms)':>17} {'enumeration (ms)':>17} {'|Δc| loop':>10}")
    for n in (14, 1000, 100_000, 1_000_000):
        system = CurieWeiss(n)
        system.observables(1.0)  # the sector tables are built once per N
        ours = best_of(lambda s=system: s.observables(0.97))
        c_ours = float(system.observables(0.97).specific_heat)
        loop = best_of(lambda n=n: python_loop_specific_heat(n, 0.97), repeats=1 if n > 10**5 else 3)
        diff = abs(python_loop_specific_heat(n, 0.97) - c_ours)
        enum = f"{1e3 * best_of(lambda n=n: enumeration_specific_heat(n, 0.97), 1):17.1f}" if n <= 16 else f"{'-':>17}"
        print(f"{n:>9} {1e3 * ours:15.2f} {1e3 * loop:17.1f} {enum} {diff:10.1e}")


if __name__ == "__main__":
    main()
