"""Accuracy metrics: how often predictions match labels.

Also `resolve_accuracy`, the rule `compile()` applies to `metrics=["accuracy"]`.
"""

from __future__ import annotations

from typing import Any

from lamina.metrics.metric import Metric
from lamina.metrics.metric_functions import (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from lamina.metrics.reduction_metrics import FunctionMetric


class Accuracy(FunctionMetric, fn=accuracy, name="accuracy"):
    """Calculates how often predictions equal labels.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Accuracy()
    >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
    >>> float(m.result())
    0.75
    """

    _direction = "up"


class BinaryAccuracy(FunctionMetric):
    """Calculates how often predictions match binary labels.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        threshold: a prediction above it counts as 1, else 0.

    Example:

    >>> m = lamina.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
    """

    _direction = "up"

    def __init__(
        self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5
    ):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)


class CategoricalAccuracy(
    FunctionMetric, fn=categorical_accuracy, name="categorical_accuracy"
):
    """Calculates how often the predicted class matches one-hot labels.

    `y_pred` may be probabilities or logits: only its argmax matters.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.CategoricalAccuracy()
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    _direction = "up"


class SparseCategoricalAccuracy(
    FunctionMetric, fn=sparse_categorical_accuracy, name="sparse_categorical_accuracy"
):
    """Calculates how often the predicted class matches integer labels.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.SparseCategoricalAccuracy()
    >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    _direction = "up"


class TopKCategoricalAccuracy(FunctionMetric):
    """Computes how often one-hot targets are in the top `k` predictions.

    Args:
        k: number of top elements to look at.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.TopKCategoricalAccuracy(k=1)
    >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    _direction = "up"

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None
    ):
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)


class SparseTopKCategoricalAccuracy(FunctionMetric):
    """Computes how often integer targets are in the top `k` predictions.

    Args:
        k: number of top elements to look at.
        name: name of the metric instance.
        dtype: dtype of the metric result.
        from_sorted_ids: `y_pred` holds the ids of the top categories, best
            first, instead of one score per category.

    Example:

    >>> m = lamina.metrics.SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
    >>> float(m.result())
    0.5
    """

    _direction = "up"

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype=None,
        from_sorted_ids: bool = False,
    ):
        super().__init__(
            sparse_top_k_categorical_accuracy,
            name,
            dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )

    def get_config(self) -> dict[str, Any]:
        config = {**Metric.get_config(self), "k": self.k}
        if self.from_sorted_ids:  # Keras writes it only when set
            config["from_sorted_ids"] = True
        return config


_BINARY_LOSSES = {
    "binary_crossentropy",
    "binarycrossentropy",
    "bce",
    "binary_focal_crossentropy",
    "binaryfocalcrossentropy",
}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"}


def _last_dim(shape) -> int | None:
    return shape[-1] if shape is not None and len(shape) > 0 else None


def resolve_accuracy(loss=None, y_true_shape=None, y_pred_shape=None) -> type:
    """The accuracy class that `metrics=["accuracy"]` (or `"acc"`) stands for.

    Follows Keras 3's `compile()` rule, which looks only at the shapes: a
    single output unit (`y_pred` last dimension 1) means `BinaryAccuracy`;
    labels of lower rank than `y_pred`, or with last dimension 1 against
    several output units, mean `SparseCategoricalAccuracy`; anything else
    `CategoricalAccuracy`. When the shapes are not known, the loss decides, as
    in Keras 2 (binary or sparse categorical crossentropy, else categorical).

    Args:
        loss: the compiled loss: a name, function or loss object (only used
            when the shapes are not given).
        y_true_shape: shape of the targets (`None` entries allowed).
        y_pred_shape: shape of the model output.

    Returns:
        `BinaryAccuracy`, `SparseCategoricalAccuracy` or `CategoricalAccuracy`.

    Example:

    >>> lamina.metrics.resolve_accuracy("mse", (32,), (32, 10)).__name__
    'SparseCategoricalAccuracy'
    """
    if y_true_shape is not None and y_pred_shape is not None:
        true_last, pred_last = _last_dim(y_true_shape), _last_dim(y_pred_shape)
        if pred_last == 1:
            return BinaryAccuracy
        sparse = len(y_true_shape) < len(y_pred_shape) or (
            true_last == 1 and pred_last is not None and pred_last > 1
        )
        return SparseCategoricalAccuracy if sparse else CategoricalAccuracy
    name = _loss_name(loss)
    if name in _BINARY_LOSSES:
        return BinaryAccuracy
    if name in _SPARSE_LOSSES:
        return SparseCategoricalAccuracy
    return CategoricalAccuracy


def _loss_name(loss) -> str:
    if loss is None:
        return ""
    if isinstance(loss, str):
        return loss.lower()
    fn = getattr(loss, "fn", None)  # a wrapper of a loss function
    if callable(fn) and hasattr(fn, "__name__"):
        return fn.__name__.lower()
    name = getattr(loss, "__name__", None) or type(loss).__name__
    return name.lower()
