"""Validation: numerical checks of claim readings, verdicts, and the ``validate`` pipeline."""
