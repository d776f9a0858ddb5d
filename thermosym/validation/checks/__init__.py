"""The registered checks: importing this package registers every check module."""

from thermosym.validation.checks import critical, estimators, regimes  # noqa: F401
