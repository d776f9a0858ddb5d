"""The feature-major sequential engine against ``functional_call`` + ``vmap`` and autograd."""

from __future__ import annotations

import itertools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn import functional as F

from thermosym.sampling.potentials import ModulePotential
from thermosym.sampling.samplers import SamplerConfig, sample
from thermosym.sampling.sequential import ELEMENTWISE, compile_sequential

ACTIVATIONS: list[nn.Module] = [
    nn.ReLU(),
    nn.Tanh(),
    nn.Sigmoid(),
    nn.Identity(),
    nn.SiLU(),
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.LeakyReLU(0.2),
    nn.Softplus(beta=2.0, threshold=1.0),
    nn.ELU(alpha=0.7),
]


def _data(rows: int, inputs: int, outputs: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(rows, inputs, generator=gen, dtype=torch.float64)
    y = torch.randn(rows, outputs, generator=gen, dtype=torch.float64)
    return x, y


def _pair(model: nn.Module, loss, x, y, **kw) -> tuple[ModulePotential, ModulePotential]:
    fast = ModulePotential(model, loss, x, y, engine="sequential", dtype="float64", device="cpu", **kw)
    slow = ModulePotential(model, loss, x, y, engine="vmap", dtype="float64", device="cpu", **kw)
    return fast, slow


def _assert_same_everywhere(fast: ModulePotential, slow: ModulePotential, theta: torch.Tensor) -> None:
    """Full-data and minibatch (same seed, so the same rows) energies and gradients agree."""
    torch.testing.assert_close(fast.energy(theta), slow.energy(theta), rtol=1e-12, atol=1e-12)
    for got, want in zip(fast.energy_and_grad(theta), slow.energy_and_grad(theta), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    for got, want in zip(
        fast.minibatch_energy_and_grad(theta, g1), slow.minibatch_energy_and_grad(theta, g2), strict=True
    ):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def _thetas(pot: ModulePotential, chains: int, seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return pot.initial_parameters() + 0.5 * torch.randn(chains, pot.dim, generator=gen, dtype=torch.float64)


def test_every_registered_activation_is_in_the_test_list() -> None:
    assert {type(a) for a in ACTIVATIONS} == set(ELEMENTWISE)


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: repr(a))
def test_activation_forward_and_gradient_match_autograd(activation: nn.Module) -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 6), activation, nn.Linear(6, 3)).double()
    x, y = _data(50, 4, 3)
    fast, slow = _pair(model, nn.MSELoss(), x, y, batch_size=7)
    _assert_same_everywhere(fast, slow, _thetas(fast, 5))


def test_a_loss_not_native_to_the_engine_goes_through_autograd() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 4)).double()
    x, _ = _data(40, 3, 4)
    labels = torch.randint(4, (40,), generator=torch.Generator().manual_seed(2))
    fast, slow = _pair(model, F.cross_entropy, x, labels, batch_size=9, n=1000)
    assert fast._sequential is not None and fast._sequential.native is None
    _assert_same_everywhere(fast, slow, _thetas(fast, 4))


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(st.integers(1, 6), min_size=2, max_size=4),
    bias=st.booleans(),
    activation=st.sampled_from(ACTIVATIONS),
    chains=st.integers(1, 4),
)
def test_random_stacks_match_vmap(widths: list[int], bias: bool, activation: nn.Module, chains: int) -> None:
    torch.manual_seed(len(widths))
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(widths)):
        if i:
            layers.append(activation)
        layers.append(nn.Linear(a, b, bias=bias))
    model = nn.Sequential(*layers).double()
    x, y = _data(12, widths[0], widths[-1])
    fast, slow = _pair(model, nn.MSELoss(), x, y)
    theta = _thetas(fast, chains)
    for got, want in zip(fast.energy_and_grad(theta), slow.energy_and_grad(theta), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-10)


def test_auto_picks_the_sequential_engine_only_where_it_applies() -> None:
    x, y = _data(10, 3, 2)
    net = nn.Sequential(nn.Linear(3, 2))
    assert ModulePotential(net, nn.MSELoss(), x, y, dtype="float64").engine == "sequential"

    class Custom(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 2)

        def forward(self, h: torch.Tensor) -> torch.Tensor:
            return self.layer(h) ** 2

    class ScaledLinear(nn.Linear):
        def forward(self, h: torch.Tensor) -> torch.Tensor:
            return 2 * super().forward(h)

    for model in (Custom(), nn.Sequential(ScaledLinear(3, 2)), nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))):
        assert compile_sequential(model) is None
        assert ModulePotential(model.eval(), nn.MSELoss(), x, y, dtype="float64").engine == "vmap"
        with pytest.raises(ValueError, match="engine='sequential' needs"):
            ModulePotential(model, nn.MSELoss(), x, y, engine="sequential")
    frozen = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    frozen[0].weight.requires_grad_(False)
    assert compile_sequential(frozen) is None
    with pytest.raises(ValueError, match="engine must be"):
        ModulePotential(net, nn.MSELoss(), x, y, engine="fast")


def test_a_sampled_trace_is_the_same_with_either_engine() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5, bias=False), nn.Linear(5, 2, bias=False)).double()
    x, y = _data(64, 3, 2)
    fast, slow = _pair(model, nn.MSELoss(), x, y, batch_size=8)
    config = SamplerConfig(
        method="sgld", step_size=1e-3, n_steps=50, burn_in=10, minibatch=True, seed=4, localisation=1.0
    )
    init = fast.initial_parameters()
    traces = [sample(pot, init.expand(3, -1), 0.5, config, progress=False) for pot in (fast, slow)]
    assert traces[0].energies.shape == (50, 3)
    torch.testing.assert_close(torch.tensor(traces[0].energies), torch.tensor(traces[1].energies), rtol=1e-9, atol=1e-9)
