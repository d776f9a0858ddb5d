"""The registered checks: importing this package registers every check module."""

from thermosym.validation.checks import estimators  # noqa: F401
