"""Hinge losses for maximum-margin classification, labels in {-1, 1}.

`hinge`, `squared_hinge`, the course's `cubed_hinge` (labels that are all in
{0, 1} are mapped to {-1, 1} first) and `categorical_hinge` for one-hot
targets.

Example:

>>> hinge([[1.0, 0.0]], [[0.5, -0.5]])
tensor([0.5000])
"""

from __future__ import annotations

import torch

from lamina.losses.docs import docstring_with
from lamina.losses.inputs import float_pair

# The Args and Returns of `hinge`, `squared_hinge` and `cubed_hinge`.
_per_sample = docstring_with(
    per_sample="""Args:
        y_true: Labels, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``."""
)


def _margin_violations(y_true, y_pred) -> torch.Tensor:
    """``maximum(1 - y_true * y_pred, 0)``, {0, 1} labels mapped to {-1, 1}."""
    y_true, y_pred = float_pair(y_true, y_pred)
    # {0, 1} labels become {-1, 1}; a tensor-valued condition keeps it sync-free.
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    y_true = torch.where(is_binary, 2.0 * y_true - 1.0, y_true)
    return (1.0 - y_true * y_pred).clamp_min(0.0)


@_per_sample
def hinge(y_true, y_pred) -> torch.Tensor:
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    Labels are expected in {-1, 1}; labels that are all in {0, 1} are mapped
    to {-1, 1} first.

    {per_sample}

    Example:

    >>> hinge([[1.0, 0.0]], [[0.5, -0.5]])
    tensor([0.5000])
    """
    return _margin_violations(y_true, y_pred).mean(dim=-1)


@_per_sample
def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    Labels are expected in {-1, 1}; {0, 1} labels are mapped to {-1, 1}.

    {per_sample}

    Example:

    >>> squared_hinge([[1.0, 0.0]], [[0.5, -0.5]])
    tensor([0.2500])
    """
    return _margin_violations(y_true, y_pred).square().mean(dim=-1)


@_per_sample
def cubed_hinge(y_true, y_pred) -> torch.Tensor:
    """Cubed hinge loss (not in Keras): ``mean(maximum(1 - y_true * y_pred, 0)^3)``.

    The mean runs over the last axis. Labels are expected in {-1, 1}; {0, 1}
    labels are mapped to {-1, 1}, as for `hinge`.

    {per_sample}

    Example:

    >>> cubed_hinge([[1.0, 0.0]], [[0.0, -0.5]])
    tensor([0.5625])
    """
    return _margin_violations(y_true, y_pred).pow(3).mean(dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)``.

    ``pos = sum(y_true * y_pred, axis=-1)`` and
    ``neg = max((1 - y_true) * y_pred, axis=-1)``.

    Args:
        y_true: One-hot labels (or {-1, 1}), shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.6]])
    tensor([0.7000])
    """
    y_true, y_pred = float_pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return (neg - pos + 1.0).clamp_min(0.0)


__all__ = [
    "categorical_hinge",
    "cubed_hinge",
    "hinge",
    "squared_hinge",
]
