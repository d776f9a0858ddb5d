"""Test-session settings: one torch thread (small tensors run ~20× slower with two threads on a loaded
2-core machine, and results must not depend on the thread count)."""

from __future__ import annotations


def pytest_configure(config: object) -> None:
    import torch

    torch.set_num_threads(1)
