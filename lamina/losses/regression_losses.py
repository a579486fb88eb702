"""Regression losses: squared, absolute, percentage, logarithmic and Huber errors.

Also the cosine similarity, the log-cosh error and the course's `l1_loss` and
`l2_loss` (sums rather than means of the errors). Each returns one value per
sample: the error averaged (or summed) over the last axis.

Example:

>>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
tensor([0.5000])
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.backend.tensor_ops import l2_normalize, squeeze_or_expand_to_same_rank
from lamina.losses.docs import docstring_with
from lamina.losses.inputs import float_pair

# The Args and Returns of the losses with one value per sample (and no options).
_per_sample = docstring_with(
    per_sample="""Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``."""
)


def _same_rank(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as float tensors of one rank, by Keras's rule for an axis of 1."""
    return squeeze_or_expand_to_same_rank(*float_pair(y_true, y_pred))


def _mean_over_last_axis(elementwise, y_true, y_pred, **options) -> torch.Tensor:
    """A torch elementwise loss (``F.mse_loss``, ...) averaged over the last axis."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    return elementwise(y_pred, y_true, reduction="none", **options).mean(dim=-1)


def _errors(y_true, y_pred) -> torch.Tensor:
    """``y_true - y_pred``, of one rank."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    return y_true - y_pred


@_per_sample
def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """Mean squared error per sample: ``mean(square(y_true - y_pred), axis=-1)``.

    {per_sample}

    Example:

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
    """
    # One fused kernel for the squared error instead of a subtract and a square.
    return _mean_over_last_axis(F.mse_loss, y_true, y_pred)


@_per_sample
def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """Mean absolute error per sample: ``mean(abs(y_true - y_pred), axis=-1)``.

    {per_sample}

    Example:

    >>> mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
    """
    return _mean_over_last_axis(F.l1_loss, y_true, y_pred)


@_per_sample
def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """Mean absolute percentage error per sample.

    ``100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``
    with ``epsilon = backend.epsilon()`` (1e-7), so a zero target never divides
    by zero.

    {per_sample}

    Example:

    >>> mean_absolute_percentage_error([[100.0, 200.0]], [[90.0, 220.0]])
    tensor([10.])
    """
    y_true, y_pred = _same_rank(y_true, y_pred)
    diff = ((y_true - y_pred) / y_true.abs().clamp_min(backend.epsilon())).abs()
    return 100.0 * diff.mean(dim=-1)


@_per_sample
def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """Mean squared logarithmic error per sample.

    ``mean(square(log(maximum(y_pred, eps) + 1) - log(maximum(y_true, eps) + 1)),
    axis=-1)``: values at or below zero are replaced by ``eps`` (1e-7).
    The course's "squared log" loss, ``mean((log(1 + p) - log(1 + y))^2)``, is
    this loss; ``squared_log`` is an alias.

    {per_sample}

    Example:

    >>> loss = mean_squared_logarithmic_error([[1.0, 3.0]], [[1.0, 1.0]])
    """
    y_true, y_pred = _same_rank(y_true, y_pred)
    eps = backend.epsilon()
    # log(x + 1), not log1p, to give Keras's numbers to the last bit.
    first_log = torch.log(y_pred.clamp_min(eps) + 1.0)
    second_log = torch.log(y_true.clamp_min(eps) + 1.0)
    return (first_log - second_log).square().mean(dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Negative cosine similarity: ``-sum(l2_norm(y_true) * l2_norm(y_pred))``.

    The result lies in ``[-1, 1]``; -1 means the vectors point the same way,
    which makes it a loss to minimise. A zero vector gives 0.

    Args:
        y_true: Ground truth.
        y_pred: Predictions.
        axis: Axis along which the similarity is computed. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
    tensor([-0.0000, -1.0000])
    """
    y_true, y_pred = _same_rank(y_true, y_pred)
    return -(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis)).sum(dim=axis)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Huber loss per sample.

    With ``x = y_pred - y_true``: ``0.5 * x^2`` where ``|x| <= delta``, else
    ``delta * |x| - 0.5 * delta^2``; then the mean over the last axis.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.
        delta: Where the loss changes from quadratic to linear. Defaults to 1.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
    tensor([0.1800, 0.1300])
    """
    return _mean_over_last_axis(F.huber_loss, y_true, y_pred, delta=float(delta))


@_per_sample
def log_cosh(y_true, y_pred) -> torch.Tensor:
    """Logarithm of the hyperbolic cosine of the error, averaged per sample.

    ``mean(log(cosh(x)), axis=-1)`` with ``x = y_pred - y_true``, computed as
    ``x + softplus(-2x) - log(2)`` so large errors do not overflow. It behaves
    like ``x^2 / 2`` for small errors and like ``|x| - log(2)`` for large ones.

    {per_sample}

    Example:

    >>> loss = log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    """
    y_true, y_pred = _same_rank(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


@_per_sample
def l1_loss(y_true, y_pred) -> torch.Tensor:
    """L1 loss (not in Keras): ``sum(abs(y_true - y_pred), axis=-1)``.

    The sum, not the mean, of absolute errors of each sample.

    {per_sample}

    Example:

    >>> l1_loss([[0.0, 1.0]], [[1.0, 3.0]])
    tensor([3.])
    """
    return _errors(y_true, y_pred).abs().sum(dim=-1)


@_per_sample
def l2_loss(y_true, y_pred) -> torch.Tensor:
    """L2 loss (not in Keras): ``sum(square(y_true - y_pred), axis=-1)``.

    The sum, not the mean, of squared errors of each sample.

    {per_sample}

    Example:

    >>> l2_loss([[0.0, 1.0]], [[1.0, 3.0]])
    tensor([5.])
    """
    return _errors(y_true, y_pred).square().sum(dim=-1)


__all__ = [
    "cosine_similarity",
    "huber",
    "l1_loss",
    "l2_loss",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
]
