"""Batched toy models: the forward pass against the equivalent nn.Module, closed-form gradients against autograd,
and ModulePotential (the sampler author's vmap/functional_call potential) against DataPotential."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from thermosym.models import (
    DataPotential,
    DeepLinearNetwork,
    SoftPerceptron,
    TwoLayerMLP,
    mlp_teacher,
    perceptron_teacher,
)
from thermosym.models.networks import ToyModel
from thermosym.sampling.potentials import ModulePotential
from thermosym.systems.learning_coefficient import deep_linear_parameter_count

MODELS = [SoftPerceptron(4), SoftPerceptron(4, "erf"), TwoLayerMLP(4, 3), DeepLinearNetwork([4, 3, 2, 2])]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_forward_matches_the_equivalent_module(model: ToyModel) -> None:
    gen = torch.Generator().manual_seed(0)
    theta = torch.randn(5, model.dim, generator=gen, dtype=torch.float64)
    x = torch.randn(7, model.input_dim, generator=gen, dtype=torch.float64)
    out = model.forward(theta, x)
    assert out.shape == (5, 7, model.output_dim)
    for c in range(5):
        module = model.to_module(theta[c])
        # exact up to the order of floating-point operations
        assert torch.allclose(out[c], module(x), rtol=1e-13, atol=1e-13)
    # per-chain inputs give the same as shared inputs when they coincide
    assert torch.allclose(model.forward(theta, x.expand(5, -1, -1)), out, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("model", MODELS[:3], ids=lambda m: m.name)
def test_closed_form_gradient_matches_autograd(model: ToyModel) -> None:
    gen = torch.Generator().manual_seed(1)
    theta = torch.randn(6, model.dim, generator=gen, dtype=torch.float64)
    x = torch.randn(9, model.input_dim, generator=gen, dtype=torch.float64)
    y = torch.randn(9, 1, generator=gen, dtype=torch.float64)
    loss, grad = model.loss_and_grad(theta, x, y)
    ref_loss, ref_grad = ToyModel.loss_and_grad(model, theta, x, y)
    assert torch.allclose(loss, ref_loss, rtol=1e-13, atol=0)
    assert torch.allclose(grad, ref_grad, rtol=1e-12, atol=1e-14)
    index = torch.randint(9, (6, 4), generator=gen)  # one minibatch per chain
    loss, grad = model.loss_and_grad(theta, x[index], y[index])
    ref_loss, ref_grad = ToyModel.loss_and_grad(model, theta, x[index], y[index])
    assert torch.allclose(grad, ref_grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make", [lambda: perceptron_teacher(3, 20, seed=2), lambda: mlp_teacher(3, 2, 20, seed=2)])
def test_data_potential_agrees_with_module_potential(make: object) -> None:
    model, data = make()  # type: ignore[operator]
    theta = torch.randn(4, model.dim, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    ours = DataPotential(model, data, device="cpu")
    theirs = ModulePotential(model.to_module(theta[0]), model.module_loss(), data.inputs, data.targets, device="cpu")
    e1, g1 = ours.energy_and_grad(theta)
    e2, g2 = theirs.energy_and_grad(theta)
    assert torch.allclose(e1, e2, rtol=1e-12) and torch.allclose(g1, g2, rtol=1e-10, atol=1e-12)
    assert torch.allclose(e1, data.n * model.loss(theta, data.inputs, data.targets), rtol=1e-14)


def test_deep_linear_product_and_parameter_count() -> None:
    net = DeepLinearNetwork([3, 2, 4])
    assert net.dim == deep_linear_parameter_count([3, 2, 4]) == 14 and net.depth == 2
    theta = torch.randn(2, net.dim, dtype=torch.float64)
    w1, w2 = net.weights(theta)
    assert torch.allclose(net.product(theta), w2 @ w1)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="activation"):
        SoftPerceptron(3, "relu")
    with pytest.raises(ValueError, match="hidden"):
        TwoLayerMLP(3, 0)
    with pytest.raises(ValueError, match="widths"):
        DeepLinearNetwork([3])
    with pytest.raises(ValueError, match="shape"):
        SoftPerceptron(3).forward(torch.zeros(2, 4), torch.zeros(5, 3))
    assert isinstance(SoftPerceptron(2).to_module(torch.zeros(2, dtype=torch.float64)), nn.Module)
