"""Feature-major batched forward pass of an ``nn.Sequential`` of ``nn.Linear`` and elementwise layers.

For a stack of parameter vectors θ [chains, dim] the forward pass of layer ``Linear(in, out)`` is, per chain c,
h_out = W_c h_in + b_c. Written as ``nn.Linear`` writes it (rows × features, ``x @ Wᵀ``), vmap turns it into
a batched product whose result has *features* as its fastest axis; written feature-major (features × rows,
``W @ h``) the result has the *rows* of the minibatch as its fastest axis. The two are the same arithmetic,
but the BLAS kernels are not equally fast: on the 2-core AMD EPYC machine this package is developed on
(torch 2.13.0, MKL 2024.2, one thread) the five batched products of a 10-5-10 network at 64 chains × 100 rows
take 100–180 µs each row-major and 22–36 µs each feature-major (``benchmarks/bench_samplers.py``). This module
evaluates such stacks feature-major, for the whole chain batch at once; the loss is then applied per chain
(``vmap`` of the user's loss on a transposed view, so any mean loss works), and gradients come from one
reverse pass of autograd, exactly as in :class:`~thermosym.sampling.potentials.ModulePotential`'s vmap path.

Only layers whose computation is known are accepted, by exact type, from the :data:`ELEMENTWISE` registry
(a subclass may override ``forward``); anything else makes :func:`compile_sequential` return ``None``, and the
caller falls back to vmap over ``functional_call``.

>>> import torch
>>> from torch import nn
>>> net = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1)).double()
>>> program = compile_sequential(net)
>>> theta = torch.cat([p.detach().reshape(-1) for p in net.parameters()])[None]
>>> x = torch.randn(4, 3, dtype=torch.float64)
>>> torch.allclose(program.forward(theta, x)[0], net(x))
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn import functional as F


@dataclass(frozen=True)
class Activation:
    """An elementwise map g and its derivative g'(z) written from z and g(z) (for the reverse pass)."""

    fn: Callable[[Tensor], Tensor]
    derivative: Callable[[Tensor, Tensor], Tensor]


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _relu(module: nn.Module) -> Activation:
    return Activation(torch.relu, lambda z, g: (z > 0).to(z.dtype))


def _tanh(module: nn.Module) -> Activation:
    return Activation(torch.tanh, lambda z, g: 1 - g * g)


def _sigmoid(module: nn.Module) -> Activation:
    return Activation(torch.sigmoid, lambda z, g: g * (1 - g))


def _identity(module: nn.Module) -> Activation:
    return Activation(lambda z: z, lambda z, g: torch.ones_like(z))


def _silu_derivative(z: Tensor, g: Tensor) -> Tensor:
    s = torch.sigmoid(z)
    return s * (1 + z * (1 - s))


def _silu(module: nn.Module) -> Activation:
    return Activation(F.silu, _silu_derivative)


def _gelu_derivative(z: Tensor, g: Tensor) -> Tensor:
    """Φ(z) + z φ(z) (Hendrycks & Gimpel, arXiv:1606.08415, eq. 1)."""
    return 0.5 * (1 + torch.erf(z / math.sqrt(2.0))) + z * torch.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _gelu_tanh_derivative(z: Tensor, g: Tensor) -> Tensor:
    """d/dz of ½ z (1 + tanh u), u = √(2/π)(z + 0.044715 z³)."""
    t = torch.tanh(_SQRT_2_OVER_PI * (z + 0.044715 * z**3))
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * z * z)


def _gelu(module: nn.Module) -> Activation:
    if str(getattr(module, "approximate", "none")) == "tanh":
        return Activation(lambda z: F.gelu(z, approximate="tanh"), _gelu_tanh_derivative)
    return Activation(F.gelu, _gelu_derivative)


def _leaky_relu(module: nn.Module) -> Activation:
    slope = float(getattr(module, "negative_slope", 0.01))
    return Activation(lambda z: F.leaky_relu(z, slope), lambda z, g: slope + (1 - slope) * (z > 0).to(z.dtype))


def _softplus(module: nn.Module) -> Activation:
    beta, threshold = float(getattr(module, "beta", 1.0)), float(getattr(module, "threshold", 20.0))
    return Activation(
        lambda z: F.softplus(z, beta, threshold),
        lambda z, g: torch.where(z * beta > threshold, torch.ones_like(z), torch.sigmoid(beta * z)),
    )


def _elu(module: nn.Module) -> Activation:
    alpha = float(getattr(module, "alpha", 1.0))
    return Activation(lambda z: F.elu(z, alpha), lambda z, g: torch.where(z > 0, torch.ones_like(z), g + alpha))


#: Layer types applied elementwise (so the feature-major layout does not change them), matched by exact type:
#: type → (module → :class:`Activation`).
ELEMENTWISE: dict[type[nn.Module], Callable[[nn.Module], Activation]] = {
    nn.ReLU: _relu,
    nn.Tanh: _tanh,
    nn.Sigmoid: _sigmoid,
    nn.Identity: _identity,
    nn.SiLU: _silu,
    nn.GELU: _gelu,
    nn.LeakyReLU: _leaky_relu,
    nn.Softplus: _softplus,
    nn.ELU: _elu,
}


@dataclass(frozen=True)
class _Affine:
    """One ``nn.Linear``: its weight at θ[:, weight] (row-major [out, in]) and its bias at θ[:, bias]."""

    weight: slice
    out_features: int
    in_features: int
    bias: slice | None


@dataclass(frozen=True)
class SequentialProgram:
    """The layers of an ``nn.Sequential`` as affine maps (by their place in the flat θ) and activations.

    Tensors are feature-major: inputs [in, rows] (shared by all chains) or [chains, in, rows], outputs
    [chains, out, rows]. :meth:`forward_feature_major` is differentiable by autograd; :meth:`value_and_grad`
    runs the reverse pass by hand (backpropagation through the affine maps and the activations' registered
    derivatives), which on the 10-5-10 benchmark network takes half the time of autograd's.
    """

    steps: tuple[_Affine | Activation, ...]
    in_features: int
    out_features: int
    dim: int

    def _weight(self, theta: Tensor, step: _Affine) -> Tensor:
        return theta[:, step.weight].view(theta.shape[0], step.out_features, step.in_features)

    def _apply(self, theta: Tensor, step: _Affine | Activation, h: Tensor) -> Tensor:
        """One layer: W h + b for an affine step, g(h) for an activation."""
        if isinstance(step, Activation):
            return step.fn(h)
        out = torch.matmul(self._weight(theta, step), h)
        return out if step.bias is None else out + theta[:, step.bias].unsqueeze(-1)

    def forward_feature_major(self, theta: Tensor, inputs_t: Tensor) -> Tensor:
        """The network output [chains, out, rows] from inputs [in, rows] (shared) or [chains, in, rows]."""
        h = inputs_t
        for step in self.steps:
            h = self._apply(theta, step, h)
        return h

    def forward(self, theta: Tensor, inputs: Tensor) -> Tensor:
        """The network output [chains, rows, out] from inputs [rows, in] (shared) or [chains, rows, in]."""
        return self.forward_feature_major(theta, inputs.transpose(-1, -2)).transpose(-1, -2)

    def value_and_grad(
        self, theta: Tensor, inputs_t: Tensor, loss_and_output_grad: Callable[[Tensor], tuple[Tensor, Tensor]]
    ) -> tuple[Tensor, Tensor]:
        """(ℓ(f_θ) [chains], ∇_θ ℓ [chains, dim]) for a per-chain loss given as out ↦ (ℓ, ∂ℓ/∂out).

        Backpropagation: with δ = ∂ℓ/∂h_out of an affine layer h_out = W h_in + b, ∂ℓ/∂W = δ h_inᵀ,
        ∂ℓ/∂b = Σ_rows δ and ∂ℓ/∂h_in = Wᵀ δ; through an activation δ_in = g'(z) ⊙ δ_out.
        """
        saved: list[tuple[Tensor, Tensor]] = []  # per step: (its input, its output)
        h = inputs_t
        for step in self.steps:
            h_in, h = h, self._apply(theta, step, h)
            saved.append((h_in, h))
        value, delta = loss_and_output_grad(h)
        grad = torch.empty(theta.shape[0], self.dim, dtype=theta.dtype, device=theta.device)
        for index in range(len(self.steps) - 1, -1, -1):
            step = self.steps[index]
            h_in, h_out = saved[index]
            if isinstance(step, _Affine):
                grad[:, step.weight] = torch.matmul(delta, h_in.transpose(-1, -2)).reshape(theta.shape[0], -1)
                if step.bias is not None:
                    grad[:, step.bias] = delta.sum(dim=-1)
                if index > 0:
                    delta = torch.matmul(self._weight(theta, step).transpose(-1, -2), delta)
            else:
                delta = delta * step.derivative(h_in, h_out)
        return value, grad


def _squared_error(out_t: Tensor, target_t: Tensor) -> Tensor:
    """mean over rows and outputs of (f − y)², per chain: ``nn.MSELoss()`` on feature-major tensors."""
    diff = out_t - target_t
    return (diff * diff).mean(dim=(-2, -1))


def _squared_error_and_grad(out_t: Tensor, target_t: Tensor) -> tuple[Tensor, Tensor]:
    """(mean (f − y)², its gradient 2(f − y)/N with N = out·rows), per chain."""
    diff = out_t - target_t
    count = out_t.shape[-1] * out_t.shape[-2]
    return (diff * diff).mean(dim=(-2, -1)), diff * (2.0 / count)


@dataclass(frozen=True)
class FeatureMajorLoss:
    """A mean loss on feature-major tensors: ``value(out, y)`` [chains] and ``value_and_grad(out, y)``."""

    value: Callable[[Tensor, Tensor], Tensor]
    value_and_grad: Callable[[Tensor, Tensor], tuple[Tensor, Tensor]]


_MSE = FeatureMajorLoss(_squared_error, _squared_error_and_grad)


def feature_major_loss(loss_fn: object) -> FeatureMajorLoss | None:
    """The per-chain loss on feature-major output [chains, out, rows] and targets ([out, rows] or
    [chains, out, rows]) equal to ``loss_fn`` on row-major tensors, for the losses known here
    (``nn.MSELoss(reduction="mean")`` and ``F.mse_loss``); None for any other loss."""
    if (type(loss_fn) is nn.MSELoss and loss_fn.reduction == "mean") or loss_fn is F.mse_loss:
        return _MSE
    return None


def compile_sequential(model: nn.Module, names: list[str] | None = None) -> SequentialProgram | None:
    """The :class:`SequentialProgram` of ``model``, or None if it is not an ``nn.Sequential`` of ``nn.Linear``
    and :data:`ELEMENTWISE` layers (exact types), all parameters trainable, applied to flat feature vectors.

    ``names`` is the order of the parameters in the flat θ (default: ``model.named_parameters()``).
    """
    if type(model) is not nn.Sequential or len(model) == 0:
        return None
    params = dict(model.named_parameters())
    if any(not p.requires_grad for p in params.values()) or any(True for _ in model.buffers()):
        return None
    order = list(params) if names is None else list(names)
    if sorted(order) != sorted(params):
        return None
    offsets: dict[str, slice] = {}
    start = 0
    for name in order:
        offsets[name] = slice(start, start + params[name].numel())
        start += params[name].numel()
    steps: list[_Affine | Activation] = []
    width: int | None = None
    first: int | None = None
    for index, layer in enumerate(model):
        if type(layer) is nn.Linear:
            if width is not None and layer.in_features != width:
                return None
            first = layer.in_features if first is None else first
            bias = offsets[f"{index}.bias"] if layer.bias is not None else None
            steps.append(_Affine(offsets[f"{index}.weight"], layer.out_features, layer.in_features, bias))
            width = layer.out_features
        elif type(layer) in ELEMENTWISE:
            steps.append(ELEMENTWISE[type(layer)](layer))
        else:
            return None
    if first is None or width is None:
        return None
    return SequentialProgram(tuple(steps), first, width, start)


class SequentialEngine:
    """E(θ) = scale · loss(f_θ(X), Y) and its gradient for a chain batch, feature-major, on one data set.

    The data are stored transposed once ([in, rows], and [out, rows] for a loss of
    :func:`feature_major_loss`); a minibatch is gathered per chain from the transposed copy. With a loss
    known here the reverse pass is :meth:`SequentialProgram.value_and_grad` with the loss's closed-form
    gradient; with any other mean loss, ``loss_fn`` is applied per chain (``vmap``) to the row-major view of
    the output and autograd gives ∂ℓ/∂out, from which the network is again backpropagated by hand.
    """

    def __init__(
        self,
        program: SequentialProgram,
        loss_fn: Callable[[Tensor, Tensor], Tensor],
        inputs: Tensor,
        targets: Tensor,
        scale: float,
        chunk_size: int | None = None,
    ) -> None:
        self.program = program
        self.scale = scale
        native = feature_major_loss(loss_fn)
        self.native = native if native is not None and targets.ndim == 2 else None
        # One transposed copy of [inputs | targets] when both are feature-major, so a minibatch is one gather.
        self._data_t = torch.cat([inputs, targets], dim=1).T.contiguous() if self.native is not None else None
        self.in_features = inputs.shape[1]
        self.inputs_t = inputs.T.contiguous() if self._data_t is None else self._data_t[: self.in_features]
        self.targets = targets if self._data_t is None else self._data_t[self.in_features :]
        self._shared_loss = torch.func.vmap(loss_fn, in_dims=(0, None), chunk_size=chunk_size)
        self._batched_loss = torch.func.vmap(loss_fn, in_dims=(0, 0), chunk_size=chunk_size)

    def _loss(self, out_t: Tensor, targets: Tensor, shared: bool) -> Tensor:
        if self.native is not None:
            return self.native.value(out_t, targets)
        out = out_t.transpose(-1, -2)
        return self._shared_loss(out, targets) if shared else self._batched_loss(out, targets)

    def _loss_and_output_grad(self, targets: Tensor, shared: bool) -> Callable[[Tensor], tuple[Tensor, Tensor]]:
        native = self.native
        if native is not None:
            return lambda out_t: native.value_and_grad(out_t, targets)

        def by_autograd(out_t: Tensor) -> tuple[Tensor, Tensor]:
            with torch.enable_grad():
                leaf = out_t.detach().requires_grad_(True)
                value = self._loss(leaf, targets, shared)
                (grad,) = torch.autograd.grad(value.sum(), leaf)
            return value.detach(), grad

        return by_autograd

    def _value_and_grad(self, theta: Tensor, inputs_t: Tensor, targets: Tensor, shared: bool) -> tuple[Tensor, Tensor]:
        with torch.no_grad():
            value, grad = self.program.value_and_grad(theta, inputs_t, self._loss_and_output_grad(targets, shared))
        return self.scale * value, self.scale * grad

    def energy(self, theta: Tensor) -> Tensor:
        """scale · loss on the whole data set, per chain."""
        with torch.no_grad():
            return self.scale * self._loss(self.program.forward_feature_major(theta, self.inputs_t), self.targets, True)

    def energy_and_grad(self, theta: Tensor) -> tuple[Tensor, Tensor]:
        """(scale · loss, its gradient) on the whole data set, per chain."""
        return self._value_and_grad(theta, self.inputs_t, self.targets, True)

    def minibatch_energy_and_grad(self, theta: Tensor, index: Tensor) -> tuple[Tensor, Tensor]:
        """(scale · loss, its gradient) on rows ``index`` [chains, batch] of the data, per chain."""
        chains, batch = index.shape
        flat = index.reshape(-1)
        if self._data_t is not None:
            data_t = self._data_t.index_select(1, flat).view(-1, chains, batch).permute(1, 0, 2)
            inputs_t, targets = data_t[:, : self.in_features], data_t[:, self.in_features :]
        else:
            inputs_t = self.inputs_t.index_select(1, flat).view(-1, chains, batch).permute(1, 0, 2)
            targets = self.targets.index_select(0, flat).view(chains, batch, *self.targets.shape[1:])
        return self._value_and_grad(theta, inputs_t, targets, False)
