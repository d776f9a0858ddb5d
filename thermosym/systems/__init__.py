"""Exactly solvable reference systems (numpy/scipy only; never torch, never the report layer)."""
