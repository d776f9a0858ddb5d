"""Symbolic derivation engine (SymPy only; never torch)."""
