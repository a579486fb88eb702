"""Overlap losses for segmentation masks: Dice, Tversky and Tanimoto.

Each is one minus a ratio of the overlap ``sum(y_true * y_pred)`` to the sizes
of the masks, with ``epsilon`` in the denominator so empty masks stay finite.

Example:

>>> loss = dice([[1.0, 1.0, 0.0]], [[0.0, 1.0, 1.0]], axis=(1,))
"""

from __future__ import annotations

import torch

from lamina import backend
from lamina.losses.inputs import float_pair


def _reduce_sum(x: torch.Tensor, axis) -> torch.Tensor:
    if axis is None:
        return x.sum()
    return x.sum(dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps)``.

    Args:
        y_true: Targets (e.g. masks).
        y_pred: Predictions.
        axis: Axes the sums run over; ``None`` (default) sums everything and
            returns a scalar.

    Returns:
        Dice loss.

    Example:

    >>> loss = dice([[1.0, 1.0, 0.0]], [[0.0, 1.0, 1.0]], axis=(1,))
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    intersection = _reduce_sum(y_true * y_pred, axis)
    denominator = (
        _reduce_sum(y_true, axis) + _reduce_sum(y_pred, axis) + backend.epsilon()
    )
    return 1.0 - 2.0 * intersection / denominator


def tversky(
    y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None
) -> torch.Tensor:
    """Tversky loss: ``1 - tp / (tp + alpha * fp + beta * fn + eps)``.

    ``tp = sum(y_true * y_pred)``, ``fp = sum((1 - y_pred) * y_true)``,
    ``fn = sum(y_pred * (1 - y_true))`` (Keras's definitions). With
    ``alpha = beta = 0.5`` it equals the Dice loss.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        alpha: Weight of the ``fp`` term. Defaults to 0.5.
        beta: Weight of the ``fn`` term. Defaults to 0.5.
        axis: Axes the sums run over; ``None`` sums everything.

    Returns:
        Tversky loss.

    Example:

    >>> loss = tversky([[1.0, 1.0, 0.0]], [[0.0, 1.0, 1.0]], alpha=0.7, beta=0.3)
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    intersection = _reduce_sum(y_true * y_pred, axis)
    fp = _reduce_sum((1.0 - y_pred) * y_true, axis)
    fn = _reduce_sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - intersection / (
        intersection + fp * alpha + fn * beta + backend.epsilon()
    )


def tanimoto_loss(y_true, y_pred) -> torch.Tensor:
    """Tanimoto loss (not in Keras).

    ``1 - sum(y * p) / (sum(y^2) + sum(p^2) - sum(y * p) + epsilon)`` over the
    last axis, with ``y = y_true`` and ``p = y_pred`` (use probabilities, e.g.
    a softmax output). It is 0 when ``p == y``; epsilon keeps an all-zero pair
    finite.

    Args:
        y_true: Targets, shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> tanimoto_loss([[0.0, 1.0]], [[0.0, 1.0]])
    tensor([1.1921e-07])
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    dot = (y_true * y_pred).sum(dim=-1)
    denominator = (
        y_true.square().sum(dim=-1)
        + y_pred.square().sum(dim=-1)
        - dot
        + backend.epsilon()
    )
    return 1.0 - dot / denominator


__all__ = [
    "dice",
    "tanimoto_loss",
    "tversky",
]
