"""F-scores: `FBetaScore` and `F1Score`."""

from __future__ import annotations

from typing import Any

import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import to_tensor
from lamina.metrics.metric import Metric


class FBetaScore(Metric):
    """Computes the F-Beta score: a weighted harmonic mean of precision and recall.

    `(1 + beta^2) * precision * recall / (beta^2 * precision + recall)`, for
    multi-class or multi-label data of shape `(batch_size, num_classes)`.

    Args:
        average: `None` (one score per class), `"micro"` (counts pooled over
            classes), `"macro"` (unweighted mean of class scores) or
            `"weighted"` (mean weighted by each class's number of true
            instances).
        beta: weight of recall against precision (a float > 0).
        threshold: predictions above it count as positive; `None` makes the
            highest prediction of each row the positive one.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.3846, 0.9091, 0.8333]
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ArgumentError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', "
                f"'macro', 'weighted'}}. Received: average={average!r}"
            )
        if not isinstance(beta, float):
            raise ArgumentError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta!r} of type '{type(beta).__name__}'"
            )
        if beta <= 0.0:
            raise ArgumentError(
                "Invalid `beta` argument value. It should be > 0. "
                f"Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ArgumentError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold!r} of type "
                    f"'{type(threshold).__name__}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ArgumentError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # Micro averaging pools every class into one count; the others keep one
        # count per class.
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ShapeError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={tuple(y_pred_shape)} and "
                f"y_true.shape={tuple(y_true_shape)}."
            )
        self._num_classes = y_pred_shape[-1]
        shape = () if self.average == "micro" else (self._num_classes,)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")
        self.intermediate_weights = self.add_variable(
            shape, "zeros", name="intermediate_weights"
        )
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = to_tensor(y_true, dtype=self._torch_dtype, device=self._device)
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype, device=self._device)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if y_true.shape != y_pred.shape or y_pred.shape[-1] != self._num_classes:
            raise ShapeError(
                f"{self.name}: expected y_true and y_pred of shape (batch_size, "
                f"{self._num_classes}). Received: y_true.shape={tuple(y_true.shape)}, "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        if self.threshold is None:
            row_max = torch.amax(y_pred, dim=-1, keepdim=True)
            y_pred = (y_pred >= row_max) & (y_pred.abs() > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(self._torch_dtype)
        weights = None
        if sample_weight is not None:
            weights = to_tensor(
                sample_weight, dtype=self._torch_dtype, device=self._device
            ).unsqueeze(1)

        def weighted_sum(values):
            if weights is not None:
                values = values * weights
            return values.sum() if self.axis is None else values.sum(self.axis)

        self.true_positives.add_(weighted_sum(y_pred * y_true))
        self.false_positives.add_(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.add_(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.add_(weighted_sum(y_true))

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta_sq = self.beta**2
        mean = (precision * recall) / (beta_sq * precision + recall + eps)
        f_score = mean * (1 + beta_sq)
        if self.average == "weighted":
            weights = self.intermediate_weights / (
                self.intermediate_weights.sum() + eps
            )
            return (f_score * weights).sum()
        if self.average is not None:
            return f_score.mean()
        return f_score

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """Computes the F-1 score: the harmonic mean of precision and recall.

    `2 * precision * recall / (precision + recall)`.

    Args:
        average: `None` (one score per class), `"micro"`, `"macro"` or
            `"weighted"`, as in `FBetaScore`.
        threshold: predictions above it count as positive; `None` makes the
            highest prediction of each row the positive one.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(v, 4) for v in m.result().tolist()]
    [0.5, 0.8, 0.6667]
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype=None,
    ):
        super().__init__(
            average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
