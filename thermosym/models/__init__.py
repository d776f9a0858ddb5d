"""Trained toy models in torch: teacher-student perceptron and two-layer MLP, deep linear networks.

Data with fixed seeds (:mod:`~thermosym.models.data`), batched forward passes over a chain dimension
(:mod:`~thermosym.models.networks`), training to a minimum with SGD/Adam and Newton polish
(:mod:`~thermosym.models.training`), the Hessian and the per-sample gradient covariance at the minimum
(:mod:`~thermosym.models.curvature`), potentials for the samplers (:mod:`~thermosym.models.potentials`) and
batched online SGD on linear regression (:mod:`~thermosym.models.sgd`). Device-agnostic: cuda when present, else
cpu (``device``/``dtype`` are passed through to :func:`thermosym.sampling.device.resolve_device`).
"""

from thermosym.models.curvature import (
    gradient_noise_covariance,
    gradient_noise_covariances,
    loss_hessian,
    loss_hessians,
    minibatch_hessian_noise,
    per_sample_gradients,
    per_sample_hessians,
    state_dependent_lyapunov,
)
from thermosym.models.data import (
    Dataset,
    balanced_factorization,
    low_rank_teacher,
    mlp_teacher,
    perceptron_teacher,
    teacher_student_data,
)
from thermosym.models.networks import DeepLinearNetwork, SoftPerceptron, ToyModel, TwoLayerMLP
from thermosym.models.potentials import DataPotential, GaussianPriorPotential, LinearNetworkPotential
from thermosym.models.sgd import OnlineLinearRegression, OnlineRun, online_sgd
from thermosym.models.training import TrainedModel, TrainingConfig, full_batch_gradient, full_batch_loss, train

__all__ = [
    "DataPotential",
    "Dataset",
    "DeepLinearNetwork",
    "GaussianPriorPotential",
    "LinearNetworkPotential",
    "OnlineLinearRegression",
    "OnlineRun",
    "SoftPerceptron",
    "ToyModel",
    "TrainedModel",
    "TrainingConfig",
    "TwoLayerMLP",
    "balanced_factorization",
    "full_batch_gradient",
    "full_batch_loss",
    "gradient_noise_covariance",
    "gradient_noise_covariances",
    "loss_hessian",
    "loss_hessians",
    "low_rank_teacher",
    "minibatch_hessian_noise",
    "mlp_teacher",
    "online_sgd",
    "per_sample_gradients",
    "per_sample_hessians",
    "perceptron_teacher",
    "state_dependent_lyapunov",
    "teacher_student_data",
    "train",
]
