"""The registered checks: importing this package registers every check module."""

from thermosym.validation.checks import critical, estimators, nonequilibrium, regimes, transport  # noqa: F401
