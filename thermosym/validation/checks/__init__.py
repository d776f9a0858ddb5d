"""The registered checks: importing this package registers every check module."""

from thermosym.validation.checks import (  # noqa: F401
    annealing,
    critical,
    estimators,
    models,
    nonequilibrium,
    regimes,
    transport,
    untestable,
)
