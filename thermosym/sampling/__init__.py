"""Batched samplers and estimators in torch."""
