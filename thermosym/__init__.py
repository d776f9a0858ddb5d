"""thermosym: symbolic models and numerical validation of thermodynamics-of-learning claims."""

__version__ = "0.1.0"
