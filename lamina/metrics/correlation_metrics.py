"""Correlation metrics: `PearsonCorrelation` and `ConcordanceCorrelation`."""

from __future__ import annotations

from typing import Any

import torch

from lamina import backend
from lamina.metrics._tensors import float_pair
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def pearson_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Pearson correlation coefficient of `y_true` and `y_pred` along `axis`.

    Example:

    >>> round(lamina.metrics.pearson_correlation(
    ...     [[0.0, 1.0, 2.0]], [[0.0, 2.0, 4.0]]).item(), 4)
    1.0
    """
    y_true, y_pred = float_pair(y_true, y_pred, "pearson_correlation")
    y_true = y_true - y_true.mean(dim=axis, keepdim=True)
    y_pred = y_pred - y_pred.mean(dim=axis, keepdim=True)
    # Population standard deviations, as Keras's ops.std.
    y_true = y_true / y_true.std(dim=axis, keepdim=True, correction=0)
    y_pred = y_pred / y_pred.std(dim=axis, keepdim=True, correction=0)
    return torch.mean(y_true * y_pred, dim=axis)


def concordance_correlation(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation coefficient of `y_true` and `y_pred`.

    Example:

    >>> round(lamina.metrics.concordance_correlation(
    ...     [[0.0, 1.0, 2.0]], [[0.0, 1.0, 2.0]]).item(), 4)
    1.0
    """
    y_true, y_pred = float_pair(y_true, y_pred, "concordance_correlation")
    true_mean = y_true.mean(dim=axis, keepdim=True)
    pred_mean = y_pred.mean(dim=axis, keepdim=True)
    true_var = (y_true - true_mean).var(dim=axis, keepdim=True, correction=0)
    pred_var = (y_pred - pred_mean).var(dim=axis, keepdim=True, correction=0)
    # Keras centres y_true on y_pred's mean here; kept so the numbers agree.
    covar = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + torch.square(true_mean - pred_mean)
    return torch.mean(2 * covar / (norm + backend.epsilon()), dim=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Calculates the Pearson correlation coefficient, averaged over samples.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        axis: the axis along which the correlation is computed.

    Example:

    >>> m = lamina.metrics.PearsonCorrelation()
    >>> m.update_state([[0.0, 1.0, 2.0]], [[0.0, 2.0, 4.0]])
    >>> round(float(m.result()), 4)
    1.0
    """

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """Calculates Lin's concordance correlation coefficient, averaged over samples.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        axis: the axis along which the correlation is computed.

    Example:

    >>> m = lamina.metrics.ConcordanceCorrelation()
    >>> m.update_state([[0.0, 1.0, 2.0]], [[0.0, 1.0, 2.0]])
    >>> round(float(m.result()), 4)
    1.0
    """

    def __init__(
        self, name: str = "concordance_correlation", dtype=None, axis: int = -1
    ):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
