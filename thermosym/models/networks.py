"""Toy models evaluated for a whole batch of parameter vectors at once: f_θ(x) for θ of shape [chains, dim].

Each model is a function of a *flat* parameter vector, so that the samplers (one chain per row of θ), the
optimisers (one row) and ``torch.func`` (Hessians, per-sample gradients) all use the same forward pass. The
per-sample loss is the squared error ℓ(θ; x, y) = ½|y − f_θ(x)|² (summed over outputs) and the training loss is
its mean over the data, L_n(θ) = (1/n) Σ_μ ℓ(θ; x_μ, y_μ); the energy of the tempered posterior is n·L_n
(:mod:`thermosym.models.potentials`).

* :class:`SoftPerceptron` — f = g(w·x) with a smooth activation g (tanh or erf): the teacher-student perceptron
  with a smooth output (Engel & Van den Broeck, *Statistical Mechanics of Learning*, CUP 2001, §7).
* :class:`TwoLayerMLP` — f = Σ_k v_k g(w_k·x), the soft committee machine with trainable second layer
  (Saad & Solla, PRE 52, 4225 (1995); Goldt et al., NeurIPS 2019, eq. 1).
* :class:`DeepLinearNetwork` — f = W_L ⋯ W_1 x, bias-free, widths H₁ (input), …, H_{L+1} (output) (Saxe,
  McClelland & Ganguli, ICLR 2014; its learning coefficient: Aoyagi, Neural Networks (2024) 106132).

The flat layout is that of ``nn.Module.named_parameters()`` of :meth:`ToyModel.to_module` (row-major weight
matrices in layer order), so a θ is interchangeable with a :class:`~thermosym.sampling.potentials.ModulePotential`
built from that module.

>>> import torch
>>> net = DeepLinearNetwork([3, 2, 1])
>>> theta = torch.arange(8, dtype=torch.float64)[None]  # W1 = [[0, 1, 2], [3, 4, 5]], W2 = [[6, 7]]
>>> net.forward(theta, torch.eye(3, dtype=torch.float64))[0, :, 0].tolist()
[21.0, 34.0, 47.0]
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {"tanh": torch.tanh, "erf": torch.erf}


def _check_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _activation(name: str) -> Callable[[Tensor], Tensor]:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return ACTIVATIONS[name]


def _activation_derivative(name: str, pre: Tensor, out: Tensor) -> Tensor:
    """g'(z) from z and g(z): 1 − tanh²z, or (2/√π)e^{−z²} for erf."""
    if name == "tanh":
        return 1 - out * out
    return (2 / math.sqrt(math.pi)) * torch.exp(-pre * pre)


def _contract(weights: Tensor, inputs: Tensor) -> Tensor:
    """Σ_μ w[c, μ, a] x[(c,) μ, b] / n → [c, a, b] (the mean over rows of an outer product)."""
    n = inputs.shape[-2]
    if inputs.ndim == 2:
        return torch.einsum("cna,nb->cab", weights, inputs) / n
    return torch.einsum("cna,cnb->cab", weights, inputs) / n


class _Erf(nn.Module):
    def forward(self, x: Tensor) -> Tensor:
        return torch.erf(x)


def _activation_module(name: str) -> nn.Module:
    return nn.Tanh() if name == "tanh" else _Erf()


class ToyModel(ABC):
    """A model f_θ: R^{input_dim} → R^{output_dim} with a flat parameter vector θ of length ``dim``."""

    input_dim: int
    output_dim: int
    dim: int
    name: str

    @abstractmethod
    def forward(self, theta: Tensor, inputs: Tensor) -> Tensor:
        """Outputs [chains, n, output_dim] for θ [chains, dim] and inputs [n, input_dim] (shared by every
        chain) or [chains, n, input_dim] (one batch per chain)."""

    @abstractmethod
    def to_module(self, theta: Tensor) -> nn.Module:
        """An ``nn.Module`` computing the same function at one θ ([dim]), parameters in the flat order."""

    def check_theta(self, theta: Tensor) -> None:
        """ValueError unless ``theta`` is [chains, dim]."""
        if not isinstance(theta, Tensor) or theta.ndim != 2 or theta.shape[1] != self.dim:
            shape = tuple(theta.shape) if isinstance(theta, Tensor) else type(theta).__name__
            raise ValueError(f"theta must be a tensor of shape [chains, {self.dim}] for {self.name}, got {shape}")

    def per_sample_loss(self, theta: Tensor, inputs: Tensor, targets: Tensor) -> Tensor:
        """ℓ(θ; x_μ, y_μ) = ½|y_μ − f_θ(x_μ)|², shape [chains, n]; targets [n, out] or [chains, n, out]."""
        residual = self.forward(theta, inputs) - targets
        return 0.5 * (residual * residual).sum(dim=-1)

    def loss(self, theta: Tensor, inputs: Tensor, targets: Tensor) -> Tensor:
        """L_n(θ) = (1/n) Σ_μ ℓ(θ; x_μ, y_μ) per chain, shape [chains]."""
        return self.per_sample_loss(theta, inputs, targets).mean(dim=-1)

    def loss_and_grad(self, theta: Tensor, inputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """(L_n(θ) [chains], ∇L_n(θ) [chains, dim]); by autograd here, in closed form where a model has one."""
        with torch.enable_grad():
            leaf = theta.detach().requires_grad_(True)
            loss = self.loss(leaf, inputs, targets)
            (grad,) = torch.autograd.grad(loss.sum(), leaf)
        return loss.detach(), grad

    def initial_parameters(
        self, generator: torch.Generator, scale: float = 1.0, dtype: torch.dtype = torch.float64
    ) -> Tensor:
        """θ₀ ~ N(0, scale²/fan_in) per weight (LeCun initialisation times ``scale``), shape [dim]."""
        if not (math.isfinite(scale) and scale >= 0):
            raise ValueError(f"scale must be finite and non-negative, got {scale!r}")
        z = torch.randn(self.dim, generator=generator, dtype=dtype, device=generator.device)
        return z * self._fan_in_scale(dtype, generator.device) * scale

    @abstractmethod
    def _fan_in_scale(self, dtype: torch.dtype, device: torch.device) -> Tensor:
        """1/√fan_in for every parameter, shape [dim]."""

    def module_loss(self) -> Callable[[Tensor, Tensor], Tensor]:
        """The mean loss as ``loss_fn(output, target)`` for :class:`~thermosym.sampling.potentials.ModulePotential`
        (which multiplies it by n)."""

        def loss_fn(output: Tensor, target: Tensor) -> Tensor:
            return 0.5 * ((output - target) ** 2).sum(dim=-1).mean()

        return loss_fn


def _linear(weights: Tensor, inputs: Tensor) -> Tensor:
    """x Wᵀ for weights [chains, out, in] and inputs [n, in] or [chains, n, in] → [chains, n, out]."""
    return torch.matmul(inputs, weights.transpose(-1, -2))


class SoftPerceptron(ToyModel):
    """f_w(x) = g(w·x), w ∈ R^N, g = tanh or erf (a smooth perceptron; dim = N, one output)."""

    def __init__(self, input_dim: int, activation: str = "tanh") -> None:
        self.input_dim = _check_int("input_dim", input_dim)
        self.output_dim = 1
        self.dim = self.input_dim
        self.activation = activation
        self._g = _activation(activation)
        self.name = f"perceptron-{activation}-{input_dim}"

    def forward(self, theta: Tensor, inputs: Tensor) -> Tensor:
        self.check_theta(theta)
        return self._g(_linear(theta[:, None, :], inputs))

    def loss_and_grad(self, theta: Tensor, inputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """Closed form: with z = w·x, f = g(z), r = f − y: L_n = mean ½r², ∇L_n = mean r g'(z) x."""
        self.check_theta(theta)
        pre = _linear(theta[:, None, :], inputs)
        out = self._g(pre)
        residual = out - targets
        loss = 0.5 * (residual * residual).sum(-1).mean(-1)
        grad = _contract(residual * _activation_derivative(self.activation, pre, out), inputs)[:, 0, :]
        return loss, grad

    def to_module(self, theta: Tensor) -> nn.Module:
        linear = nn.Linear(self.input_dim, 1, bias=False).to(dtype=theta.dtype, device=theta.device)
        with torch.no_grad():
            linear.weight.copy_(theta.reshape(1, self.input_dim))
        return nn.Sequential(linear, _activation_module(self.activation))

    def _fan_in_scale(self, dtype: torch.dtype, device: torch.device) -> Tensor:
        return torch.full((self.dim,), 1.0 / math.sqrt(self.input_dim), dtype=dtype, device=device)


class TwoLayerMLP(ToyModel):
    """f(x) = Σ_k v_k g(w_k·x): K hidden units, first-layer W (K×N, row-major) then v (K); dim = K(N + 1)."""

    def __init__(self, input_dim: int, hidden: int, activation: str = "tanh") -> None:
        self.input_dim = _check_int("input_dim", input_dim)
        self.hidden = _check_int("hidden", hidden)
        self.output_dim = 1
        self.dim = self.hidden * (self.input_dim + 1)
        self.activation = activation
        self._g = _activation(activation)
        self.name = f"mlp-{activation}-{input_dim}-{hidden}"

    def split(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """(W [chains, K, N], v [chains, 1, K])."""
        self.check_theta(theta)
        k, n = self.hidden, self.input_dim
        return theta[:, : k * n].reshape(-1, k, n), theta[:, k * n :].reshape(-1, 1, k)

    def forward(self, theta: Tensor, inputs: Tensor) -> Tensor:
        w, v = self.split(theta)
        return _linear(v, self._g(_linear(w, inputs)))

    def loss_and_grad(self, theta: Tensor, inputs: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """Closed form: a = g(Wx), f = v·a, r = f − y: ∂L_n/∂v = mean r a, ∂L_n/∂W = mean (r v ⊙ g'(Wx)) xᵀ."""
        w, v = self.split(theta)
        pre = _linear(w, inputs)
        act = self._g(pre)
        residual = _linear(v, act) - targets  # [c, n, 1]
        loss = 0.5 * (residual * residual).sum(-1).mean(-1)
        grad_v = (residual * act).mean(-2)  # [c, K]
        back = residual * v * _activation_derivative(self.activation, pre, act)  # [c, n, K]
        grad_w = _contract(back, inputs)  # [c, K, N]
        return loss, torch.cat([grad_w.reshape(theta.shape[0], -1), grad_v], dim=1)

    def to_module(self, theta: Tensor) -> nn.Module:
        first = nn.Linear(self.input_dim, self.hidden, bias=False)
        second = nn.Linear(self.hidden, 1, bias=False)
        module = nn.Sequential(first, _activation_module(self.activation), second).to(theta.dtype)
        w, v = self.split(theta.reshape(1, -1))
        with torch.no_grad():
            first.weight.copy_(w[0])
            second.weight.copy_(v[0])
        return module.to(theta.device)

    def _fan_in_scale(self, dtype: torch.dtype, device: torch.device) -> Tensor:
        k, n = self.hidden, self.input_dim
        return torch.cat(
            [
                torch.full((k * n,), 1.0 / math.sqrt(n), dtype=dtype, device=device),
                torch.full((k,), 1.0 / math.sqrt(k), dtype=dtype, device=device),
            ]
        )


class DeepLinearNetwork(ToyModel):
    """f(x) = W_L ⋯ W_1 x with W_j ∈ R^{H_{j+1}×H_j}; widths H₁ (input) … H_{L+1} (output), dim = Σ H_j H_{j+1}."""

    def __init__(self, widths: Sequence[int]) -> None:
        ws = [_check_int(f"widths[{i}]", w) for i, w in enumerate(widths)]
        if len(ws) < 2:
            raise ValueError(f"widths must list at least an input and an output width, got {list(widths)!r}")
        self.widths = tuple(ws)
        self.input_dim, self.output_dim = ws[0], ws[-1]
        self.shapes = tuple((ws[j + 1], ws[j]) for j in range(len(ws) - 1))
        self.dim = sum(a * b for a, b in self.shapes)
        self.name = "linear-" + "-".join(str(w) for w in ws)

    @property
    def depth(self) -> int:
        """L, the number of weight matrices."""
        return len(self.shapes)

    def weights(self, theta: Tensor) -> list[Tensor]:
        """[W_1, …, W_L], each [chains, H_{j+1}, H_j] (views of θ)."""
        self.check_theta(theta)
        out, offset = [], 0
        for rows, cols in self.shapes:
            out.append(theta[:, offset : offset + rows * cols].reshape(-1, rows, cols))
            offset += rows * cols
        return out

    def product(self, theta: Tensor) -> Tensor:
        """W = W_L ⋯ W_1, shape [chains, output_dim, input_dim]."""
        mats = self.weights(theta)
        prod = mats[0]
        for w in mats[1:]:
            prod = torch.matmul(w, prod)
        return prod

    def forward(self, theta: Tensor, inputs: Tensor) -> Tensor:
        return _linear(self.product(theta), inputs)

    def to_module(self, theta: Tensor) -> nn.Module:
        layers = [nn.Linear(cols, rows, bias=False) for rows, cols in self.shapes]
        module = nn.Sequential(*layers).to(dtype=theta.dtype, device=theta.device)
        with torch.no_grad():
            for layer, w in zip(layers, self.weights(theta.reshape(1, -1)), strict=True):
                layer.weight.copy_(w[0])
        return module

    def _fan_in_scale(self, dtype: torch.dtype, device: torch.device) -> Tensor:
        return torch.cat(
            [
                torch.full((rows * cols,), 1.0 / math.sqrt(cols), dtype=dtype, device=device)
                for rows, cols in self.shapes
            ]
        )
