"""Regression metrics: MSE, MAE, ..., CosineSimilarity, R2Score.

The per-sample functions they average are `lamina.losses`'s (as Keras's
metrics use `keras.losses`'s), except `cosine_similarity`, whose metric form
is positive where the loss is negative.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch

from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, ShapeError
from lamina.losses import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from lamina.metrics._tensors import broadcast_weights, check_same_shape, to_tensor
from lamina.metrics.metric import Metric
from lamina.metrics.metric_functions import cosine_similarity
from lamina.metrics.reduction_metrics import FunctionMetric, Mean, comparison_doc

_DATA = "[[1.0, 2.0], [3.0, 4.0]], [[2.0, 2.0], [3.0, 2.0]]"


class MeanSquaredError(
    FunctionMetric, fn=mean_squared_error, name="mean_squared_error"
):
    __doc__ = comparison_doc("MeanSquaredError", "mean squared error", _DATA, 1.25)


class MeanAbsoluteError(
    FunctionMetric, fn=mean_absolute_error, name="mean_absolute_error"
):
    __doc__ = comparison_doc("MeanAbsoluteError", "mean absolute error", _DATA, 0.75)


class MeanAbsolutePercentageError(
    FunctionMetric,
    fn=mean_absolute_percentage_error,
    name="mean_absolute_percentage_error",
):
    __doc__ = comparison_doc(
        "MeanAbsolutePercentageError", "mean absolute percentage error", _DATA, 37.5
    )


class MeanSquaredLogarithmicError(
    FunctionMetric,
    fn=mean_squared_logarithmic_error,
    name="mean_squared_logarithmic_error",
):
    __doc__ = comparison_doc(
        "MeanSquaredLogarithmicError", "mean squared logarithmic error", _DATA, 0.1063
    )


class LogCoshError(FunctionMetric, fn=log_cosh, name="logcosh"):
    __doc__ = comparison_doc(
        "LogCoshError", "logarithm of the hyperbolic cosine of the error", _DATA, 0.4397
    )


class RootMeanSquaredError(Mean):
    __doc__ = comparison_doc(
        "RootMeanSquaredError",
        "root mean squared error",
        _DATA,
        1.118,
        details="\n\n    The square root is taken of the mean over every sample seen.",
    )

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=self._device)
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype, device=self._device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        check_same_shape(y_true, y_pred, self.name)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        return torch.sqrt(super().result())


class CosineSimilarity(FunctionMetric):
    """Computes the cosine similarity between labels and predictions.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        axis: the axis along which the similarity is computed.

    Example:

    >>> m = lamina.metrics.CosineSimilarity(axis=1)
    >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
    >>> round(float(m.result()), 4)
    0.5
    """

    _direction = "up"

    def __init__(self, name: str = "cosine_similarity", dtype=None, axis: int = -1):
        super().__init__(cosine_similarity, name, dtype, axis=axis)

    def get_config(self) -> dict[str, Any]:
        # As in Keras, `axis` is not saved.
        return Metric.get_config(self)


class R2Score(Metric):
    """Computes the R2 score (coefficient of determination).

    `1 - sum((y_true - y_pred)^2) / sum((y_true - mean(y_true))^2)`, per output
    column, then aggregated over columns.

    Args:
        class_aggregation: how to combine the per-column scores:
            `"uniform_average"` (default), `"variance_weighted_average"`, or
            `None` (return them all).
        num_regressors: number of independent regressors, for the adjusted
            R2 score; 0 gives the plain score.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.R2Score()
    >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
    >>> round(float(m.result()), 4)
    0.5714
    """

    _AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if class_aggregation not in self._AGGREGATIONS:
            raise ArgumentError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{self._AGGREGATIONS}. "
                f"Received: class_aggregation={class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ArgumentError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ShapeError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        num_classes = y_pred_shape[-1]
        self._num_outputs = num_classes
        self.squared_sum = self.add_variable(
            (num_classes,), "zeros", name="squared_sum"
        )
        self.sum = self.add_variable((num_classes,), "zeros", name="sum")
        self.total_mse = self.add_variable((num_classes,), "zeros", name="residual")
        self.count = self.add_variable((num_classes,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=self._device)
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype, device=self._device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.shape != y_pred.shape or y_pred.shape[-1] != self._num_outputs:
            raise ShapeError(
                f"{self.name}: expected y_true and y_pred of shape (batch_size, "
                f"{self._num_outputs}). Received: y_true.shape={tuple(y_true.shape)}, "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        if sample_weight is None:
            weights = torch.ones((), dtype=self._torch_dtype, device=self._device)
        else:
            weights = to_tensor(
                sample_weight, dtype=self._torch_dtype, device=self._device
            )
            if weights.dim() == 1:
                weights = weights.unsqueeze(1)
        weights = broadcast_weights(weights, y_true.shape, self.name)
        weighted_y_true = y_true * weights
        self.sum.add_(weighted_y_true.sum(0))
        self.squared_sum.add_((y_true * weighted_y_true).sum(0))
        self.total_mse.add_((torch.square(y_true - y_pred) * weights).sum(0))
        self.count.add_(weights.sum(0))
        self.num_samples.add_(y_true.numel())

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1 - self.total_mse / total
        raw_scores = torch.where(torch.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            r2_score = raw_scores.mean()
        elif self.class_aggregation == "variance_weighted_average":
            r2_score = (total * raw_scores).sum() / total.sum()
        else:
            r2_score = raw_scores
        if self.num_regressors != 0:
            # Reading the sample count is a host sync, paid only for the adjusted
            # score and only when the result is read.
            n = float(self.num_samples)
            p = float(self.num_regressors)
            if p > n - 1:
                warnings.warn(
                    "More independent predictors than datapoints in "
                    "adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif p == n - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to "
                    "standard R2 score.",
                    stacklevel=2,
                )
            else:
                r2_score = 1.0 - ((1.0 - r2_score) * (n - 1.0)) / (n - p - 1.0)
        return r2_score

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
