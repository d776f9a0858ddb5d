"""thermosym: symbolic models, consistency checks and numerical validation of thermodynamics-of-learning claims.

The symbolic core imports eagerly (it is what ``thermosym check`` needs, in seconds, without torch); the
numerical layers load on first use: ``thermosym.validate`` (torch, the samplers and the reference systems),
``thermosym.write_report`` (matplotlib) and ``thermosym.derive_all`` (the derivation engine).

>>> import thermosym
>>> catalogue, errors = thermosym.load_catalogue()
>>> len(catalogue), errors
(46, [])
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"  # before the imports below: thermosym.results reads it

from thermosym.catalogue import Catalogue, load_catalogue, load_text
from thermosym.check import CheckResult, run_check
from thermosym.claim import (
    Asymptotic,
    Claim,
    ClaimKind,
    ExponentSet,
    Extremum,
    Prose,
    Reading,
    Relation,
    ScalingForm,
    Source,
    Statement,
)
from thermosym.errors import (
    CatalogueError,
    ClaimFileError,
    ExpressionError,
    SamplingDivergedError,
    ThermosymError,
    UnknownClaimError,
    UnknownQuantityError,
)
from thermosym.estimate import Estimate
from thermosym.evidence import Evidence
from thermosym.finding import Category, Finding, Severity
from thermosym.graph import TheoryGraph
from thermosym.parser import parse_expression, parse_statement
from thermosym.quantity import Kind, Level, Quantity
from thermosym.results import build_results, validate_results
from thermosym.verdict import Verdict, VerdictValue, decide

_LAZY = {
    "validate": ("thermosym.validation.runner", "validate"),
    "write_report": ("thermosym.report", "write_report"),
    "derive_all": ("thermosym.symbolic.derivation", "derive_all"),
    "write_derivation_documents": ("thermosym.symbolic.documents", "write_derivation_documents"),
    "extract_command": ("thermosym.extract", "extract_command"),
}
# The numerical engine, by module (imports torch on first use, so ``thermosym check`` stays torch-free).
_NUMERICAL = {
    "thermosym.sampling.samplers": ("sample", "sgld", "mala", "baoab", "SamplerConfig", "TemperatureLadder", "Trace"),
    "thermosym.sampling.potentials": ("Potential", "QuadraticPotential", "ModulePotential", "gaussian_potential"),
    "thermosym.sampling.estimators": (
        "mean_energy",
        "heat_capacity_fluctuation",
        "heat_capacity_response",
        "heat_capacity_mbar",
        "entropy_difference",
        "local_learning_coefficient",
        "extrapolate_to_zero_step",
    ),
    "thermosym.sampling.free_energy": (
        "jarzynski_free_energy",
        "bar_free_energy",
        "mbar_free_energies",
        "fluctuation_theorem_slope",
    ),
    "thermosym.sampling.protocols": ("run_protocol", "ProtocolConfig"),
    "thermosym.sampling.statistics": ("mean_estimate",),
}
_LAZY.update({name: (module, name) for module, names in _NUMERICAL.items() for name in names})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'thermosym' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Asymptotic",
    "Catalogue",
    "CatalogueError",
    "Category",
    "CheckResult",
    "Claim",
    "ClaimFileError",
    "ClaimKind",
    "Estimate",
    "Evidence",
    "ExponentSet",
    "ExpressionError",
    "Extremum",
    "Finding",
    "Kind",
    "Level",
    "ModulePotential",
    "Potential",
    "Prose",
    "ProtocolConfig",
    "QuadraticPotential",
    "Quantity",
    "Reading",
    "Relation",
    "SamplerConfig",
    "SamplingDivergedError",
    "ScalingForm",
    "Severity",
    "Source",
    "Statement",
    "TemperatureLadder",
    "TheoryGraph",
    "ThermosymError",
    "Trace",
    "UnknownClaimError",
    "UnknownQuantityError",
    "Verdict",
    "VerdictValue",
    "__version__",
    "baoab",
    "bar_free_energy",
    "build_results",
    "decide",
    "derive_all",
    "entropy_difference",
    "extract_command",
    "extrapolate_to_zero_step",
    "fluctuation_theorem_slope",
    "gaussian_potential",
    "heat_capacity_fluctuation",
    "heat_capacity_mbar",
    "heat_capacity_response",
    "jarzynski_free_energy",
    "load_catalogue",
    "load_text",
    "local_learning_coefficient",
    "mala",
    "mbar_free_energies",
    "mean_energy",
    "mean_estimate",
    "parse_expression",
    "parse_statement",
    "run_check",
    "run_protocol",
    "sample",
    "sgld",
    "validate",
    "validate_results",
    "write_derivation_documents",
    "write_report",
]
