"""Distances between one-hot targets and a predicted distribution (not in Keras).

The course's `expectation_loss` (L1), `regularized_expectation_loss` (squared
L2), `chebyshev_loss` (L-infinity) on ``softmax(y_pred)``, and the
`cauchy_schwarz_divergence` of non-negative predictions.

Example:

>>> loss = expectation_loss([[0.0, 1.0]], [[0.0, 2.0]])
"""

from __future__ import annotations

import torch

from lamina import backend
from lamina.losses.docs import docstring_with
from lamina.losses.inputs import float_pair

# The Args and Returns of `regularized_expectation_loss` and `chebyshev_loss`.
_distribution_docs = docstring_with(
    distribution_args="""Args:
        y_true: One-hot targets, shape ``(batch, classes)``.
        y_pred: Logits, or probabilities with ``from_logits=False``.
        from_logits: Whether ``y_pred`` holds logits. Defaults to ``True``.

    Returns:
        Tensor of shape ``(batch,)``."""
)


def _differences(y_true, y_pred, from_logits: bool) -> torch.Tensor:
    """``y_true - p``, with ``p = softmax(y_pred)`` for logits."""
    y_true, y_pred = float_pair(y_true, y_pred)
    return y_true - (torch.softmax(y_pred, dim=-1) if from_logits else y_pred)


def expectation_loss(y_true, y_pred, from_logits: bool = True) -> torch.Tensor:
    """Expectation loss (not in Keras): ``sum(abs(y_true - softmax(y_pred)), axis=-1)``.

    The L1 distance between the one-hot targets and the predicted
    distribution.

    Args:
        y_true: One-hot targets, shape ``(batch, classes)``.
        y_pred: Logits (softmax is applied), or probabilities with
            ``from_logits=False``.
        from_logits: Whether ``y_pred`` holds logits. Defaults to ``True``, as
            the formula is defined on the network's raw outputs.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = expectation_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    return _differences(y_true, y_pred, from_logits).abs().sum(dim=-1)


@_distribution_docs
def regularized_expectation_loss(
    y_true, y_pred, from_logits: bool = True
) -> torch.Tensor:
    """Regularised expectation loss (not in Keras).

    ``sum(square(y_true - softmax(y_pred)), axis=-1)``: the squared L2
    distance between the one-hot targets and the predicted distribution.

    {distribution_args}

    Example:

    >>> loss = regularized_expectation_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    return _differences(y_true, y_pred, from_logits).square().sum(dim=-1)


@_distribution_docs
def chebyshev_loss(y_true, y_pred, from_logits: bool = True) -> torch.Tensor:
    """Chebyshev loss (not in Keras): ``max(abs(softmax(y_pred) - y_true), axis=-1)``.

    The L-infinity distance between the predicted distribution and the targets.

    {distribution_args}

    Example:

    >>> loss = chebyshev_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    # |y - p| is |p - y| to the last bit: the negation is exact.
    return _differences(y_true, y_pred, from_logits).abs().amax(dim=-1)


def cauchy_schwarz_divergence(y_true, y_pred) -> torch.Tensor:
    """Cauchy-Schwarz divergence (not in Keras).

    ``-log(sum(y * p) / sqrt(sum(y^2) * sum(p^2)))`` over the last axis, with
    ``y = y_true`` and ``p = y_pred`` (non-negative, e.g. probabilities). The
    ratio (the cosine of the angle between ``y`` and ``p``) is clipped to
    ``[epsilon, 1]`` so orthogonal or zero vectors give ``-log(1e-7)`` instead
    of inf.

    Args:
        y_true: Targets, shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = cauchy_schwarz_divergence([[0.0, 1.0]], [[0.2, 0.8]])
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    eps = backend.epsilon()
    dot = (y_true * y_pred).sum(dim=-1)
    norms = torch.sqrt(y_true.square().sum(dim=-1) * y_pred.square().sum(dim=-1))
    return -torch.log((dot / norms.clamp_min(eps)).clamp(eps, 1.0))


__all__ = [
    "cauchy_schwarz_divergence",
    "chebyshev_loss",
    "expectation_loss",
    "regularized_expectation_loss",
]
