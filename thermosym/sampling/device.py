"""Where and in which precision the samplers run: CUDA when present, else CPU; float64 on request.

Exact checks run in float64 (the project's convention for exact references); float32 is available for speed.
Random numbers come from one ``torch.Generator`` per run, created on the run's device from the run's seed,
so a rerun with the same seed on the same device gives the same chains (CPU and CUDA generators give different
streams, so a CPU run and a CUDA run with one seed agree in distribution, not number by number).

>>> spec = resolve_device("cpu", "float64")
>>> spec.device.type, spec.dtype
('cpu', torch.float64)
>>> make_generator(3, spec).initial_seed()
3
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

_DTYPES: dict[str, torch.dtype] = {
    "float64": torch.float64,
    "double": torch.float64,
    "float32": torch.float32,
    "float": torch.float32,
}


def default_device() -> torch.device:
    """``cuda`` (the current CUDA device) when one is available, else ``cpu``."""
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


@dataclass(frozen=True)
class DeviceSpec:
    """A device and a floating dtype: every tensor a sampler creates lives here."""

    device: torch.device
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        if not isinstance(self.device, torch.device):
            raise ValueError(f"device must be a torch.device, got {self.device!r}")
        if self.dtype not in (torch.float32, torch.float64):
            raise ValueError(f"dtype must be torch.float32 or torch.float64, got {self.dtype!r}")

    def tensor(self, values: object) -> torch.Tensor:
        """``values`` as a tensor on this device and dtype (a copy when it was elsewhere)."""
        return torch.as_tensor(values, dtype=self.dtype, device=self.device)


def resolve_device(device: str | torch.device | None = None, dtype: str | torch.dtype | None = None) -> DeviceSpec:
    """A :class:`DeviceSpec` from loose arguments.

    ``device=None`` picks :func:`default_device`; ``dtype=None`` picks float64. A string dtype may be
    ``"float64"``/``"double"`` or ``"float32"``/``"float"``. Asking for ``cuda`` without CUDA raises
    ValueError.
    """
    dev = default_device() if device is None else torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} requested but CUDA is not available")
    if dtype is None:
        dt = torch.float64
    elif isinstance(dtype, str):
        if dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
        dt = _DTYPES[dtype]
    else:
        dt = dtype
    return DeviceSpec(device=dev, dtype=dt)


def make_generator(seed: int, spec: DeviceSpec) -> torch.Generator:
    """A ``torch.Generator`` on ``spec.device`` seeded with ``seed`` (a non-negative integer)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    generator = torch.Generator(device=spec.device)
    generator.manual_seed(seed)
    return generator
