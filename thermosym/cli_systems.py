"""``thermosym systems``: tables of the exact values of the reference systems.

Each system is an entry of :data:`SYSTEMS`: an argparse parser (options take several values, as in
``--alpha 0.5 1 2``) and a function from the parsed options to table rows. The rows print as a table, or as JSON
with ``--json``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class SystemCommand:
    """One system: what it is, how its options are declared, how its rows are computed."""

    name: str
    description: str
    declare: Callable[[argparse.ArgumentParser], None]
    rows: Callable[[argparse.Namespace], Rows]


def _perceptron(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--alpha", type=float, nargs="+", default=[0.5, 1.0, 2.0, 5.0, 10.0], help="examples per input dimension P/N"
    )


def _perceptron_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.perceptron import perceptron_table

    return perceptron_table(a.alpha)


def _curie_weiss(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", type=int, default=None, help="number of spins (omit for N → ∞, mean field)")
    p.add_argument("--temperature", type=float, nargs="+", default=[0.6, 0.8, 1.0, 1.2])
    p.add_argument("--field", type=float, default=0.0)


def _curie_weiss_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.curie_weiss import curie_weiss_table

    return curie_weiss_table(a.n, a.temperature, field=a.field)


def _deep_linear(p: argparse.ArgumentParser) -> None:
    p.add_argument("--widths", type=int, nargs="+", required=True, help="input, hidden..., output widths")
    p.add_argument("--rank", type=int, required=True, help="rank of the true map")


def _deep_linear_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.learning_coefficient import deep_linear_table

    return deep_linear_table(a.widths, a.rank)


def _sgd(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hessian", type=float, nargs="+", required=True, help="eigenvalues of the Hessian")
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--noise", type=float, default=1.0, help="gradient-noise variance σ² per sample")


def _sgd_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.sgd_quadratic import sgd_quadratic_table

    return sgd_quadratic_table(a.hessian, a.lr, a.batch, noise_var=a.noise)


def _quadratic(p: argparse.ArgumentParser) -> None:
    p.add_argument("--hessian", type=float, nargs="+", default=[0.5, 1.0, 2.0], help="eigenvalues of H")
    p.add_argument("--temperature", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    p.add_argument("--prior-variance", type=float, default=None, help="add a N(0, s²I) prior to the measure")


def _quadratic_rows(a: argparse.Namespace) -> Rows:
    import numpy as np

    from thermosym.systems.quadratic import QuadraticGibbs, QuadraticWithGaussianPrior

    h = np.diag(a.hessian)
    system = QuadraticGibbs(h) if a.prior_variance is None else QuadraticWithGaussianPrior(h, a.prior_variance)
    t = np.asarray(a.temperature, dtype=float)
    cols = {
        "log_Z": system.log_partition(t),
        "F": system.free_energy(t),
        "mean_energy": system.mean_energy(t),
        "entropy": system.entropy(t),
        "heat_capacity": system.heat_capacity(t),
        "energy_variance": system.energy_variance(t),
    }
    return [{"temperature": float(ti), **{k: float(v[i]) for k, v in cols.items()}} for i, ti in enumerate(t)]


def _regression(p: argparse.ArgumentParser) -> None:
    p.add_argument("--alpha", type=float, nargs="+", default=[0.5, 1.0, 2.0, 4.0])
    p.add_argument("--ridge", type=float, default=0.1)
    p.add_argument("--noise", type=float, default=0.1, help="label-noise variance σ²")
    p.add_argument("--temperature", type=float, default=0.0)


def _regression_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.linear_regression import asymptotic_errors

    rows = []
    for alpha in a.alpha:
        err = asymptotic_errors(alpha, a.ridge, a.noise, a.temperature)
        rows.append(
            {
                "alpha": alpha,
                "ridge": a.ridge,
                "noise_var": a.noise,
                "temperature": a.temperature,
                "generalisation_error": err.generalisation,
                "training_error": err.training,
            }
        )
    return rows


def _trap(p: argparse.ArgumentParser) -> None:
    p.add_argument("--k0", type=float, default=1.0)
    p.add_argument("--k1", type=float, default=2.0)
    p.add_argument("--duration", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    p.add_argument("--temperature", type=float, default=1.0)


def _trap_rows(a: argparse.Namespace) -> Rows:
    from thermosym.systems.langevin_trap import StiffnessProtocol

    rows = []
    for duration in a.duration:
        proto = StiffnessProtocol.linear(a.k0, a.k1, duration, temperature=a.temperature)
        rows.append(
            {
                "k0": a.k0,
                "k1": a.k1,
                "duration": duration,
                "delta_F": float(proto.free_energy_change()),
                "mean_work": float(proto.work_mean()),
                "work_variance": float(proto.work_variance()),
                "jarzynski_average": float(proto.jarzynski_average()),
            }
        )
    return rows


SYSTEMS: dict[str, SystemCommand] = {
    s.name: s
    for s in (
        SystemCommand(
            "quadratic",
            "Gaussian Gibbs measure L = ½θᵀHθ (optionally with a Gaussian prior)",
            _quadratic,
            _quadratic_rows,
        ),
        SystemCommand(
            "linear-regression",
            "Bayesian ridge regression, teacher-student, N → ∞ errors",
            _regression,
            _regression_rows,
        ),
        SystemCommand(
            "perceptron",
            "teacher-student perceptron: Gibbs, Bayes, annealed and Ising students",
            _perceptron,
            _perceptron_rows,
        ),
        SystemCommand(
            "curie-weiss", "Curie-Weiss model: exact finite N or mean field", _curie_weiss, _curie_weiss_rows
        ),
        SystemCommand(
            "langevin-trap", "overdamped particle in a stiffening harmonic trap: work statistics", _trap, _trap_rows
        ),
        SystemCommand(
            "sgd-quadratic", "SGD on a quadratic: exact stationary covariance and mode temperatures", _sgd, _sgd_rows
        ),
        SystemCommand(
            "deep-linear",
            "learning coefficient λ and multiplicity m of a deep linear network",
            _deep_linear,
            _deep_linear_rows,
        ),
    )
}


def parse(name: str, argv: Sequence[str]) -> tuple[argparse.Namespace, bool]:
    """Parse a system's options; returns the namespace and whether ``--json`` was given."""
    system = SYSTEMS[name]
    parser = argparse.ArgumentParser(prog=f"thermosym systems {name}", description=system.description)
    system.declare(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(list(argv))
    return args, bool(args.json)
