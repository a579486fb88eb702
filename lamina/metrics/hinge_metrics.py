"""Hinge metrics (`Hinge`, `SquaredHinge`, `CategoricalHinge`) and functions."""

from __future__ import annotations

from typing import Any

import torch

from lamina.metrics._tensors import (
    check_same_shape,
    float_pair,
    tensor_like,
    to_float_tensor,
)
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _to_signed_labels(y_true: torch.Tensor) -> torch.Tensor:
    # Labels given as 0/1 become -1/+1, as Keras does. Keras branches on the
    # data (a host sync); choosing with torch.where keeps it on the device.
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred) -> torch.Tensor:
    """Mean of `max(1 - y_true * y_pred, 0)` over the last axis.

    `y_true` holds -1/+1 labels; 0/1 labels are converted to -1/+1.

    Example:

    >>> lamina.metrics.hinge([[1.0, -1.0]], [[0.5, 0.5]]).tolist()
    [1.0]
    """
    y_true, y_pred = float_pair(y_true, y_pred, "hinge")
    y_true = _to_signed_labels(y_true)
    return torch.mean(torch.clamp_min(1.0 - y_true * y_pred, 0.0), dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """Mean of `max(1 - y_true * y_pred, 0) ** 2` over the last axis.

    Example:

    >>> lamina.metrics.squared_hinge([[1.0, -1.0]], [[0.5, 0.5]]).tolist()
    [1.25]
    """
    y_true, y_pred = float_pair(y_true, y_pred, "squared_hinge")
    y_true = _to_signed_labels(y_true)
    return torch.mean(torch.square(torch.clamp_min(1.0 - y_true * y_pred, 0.0)), dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """`max(neg - pos + 1, 0)` with `pos` the true class's score, `neg` the best other.

    Example:

    >>> lamina.metrics.categorical_hinge([[0, 1]], [[0.7, 0.3]]).tolist()
    [1.399999976158142]
    """
    y_pred = to_float_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    check_same_shape(y_true, y_pred, "categorical_hinge")
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp_min(neg - pos + 1.0, 0.0)


class Hinge(MeanMetricWrapper):
    """Computes the hinge metric between `y_true` and `y_pred`.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Hinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> float(m.result())
    1.2999999523162842
    """

    def __init__(self, name: str = "hinge", dtype=None):
        super().__init__(fn=hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SquaredHinge(MeanMetricWrapper):
    """Computes the squared hinge metric between `y_true` and `y_pred`.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.SquaredHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 2)
    1.86
    """

    def __init__(self, name: str = "squared_hinge", dtype=None):
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class CategoricalHinge(MeanMetricWrapper):
    """Computes the categorical hinge metric between `y_true` and `y_pred`.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.CategoricalHinge()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 2)
    1.4
    """

    def __init__(self, name: str = "categorical_hinge", dtype=None):
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}
