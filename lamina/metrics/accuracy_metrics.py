"""Accuracy metrics: how often predictions match labels, and their functions."""

from __future__ import annotations

from typing import Any

import torch

from lamina import backend
from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ShapeError
from lamina.metrics._tensors import (
    check_same_shape,
    tensor_like,
    to_tensor,
)
from lamina.metrics.reduction_metrics import MeanMetricWrapper


def _floatx() -> torch.dtype:
    return backend.to_torch_dtype(backend.floatx())


def accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where `y_pred` equals `y_true`, else 0.0 (element-wise).

    Example:

    >>> lamina.metrics.accuracy([1, 2, 3], [1, 2, 0]).tolist()
    [1.0, 1.0, 0.0]
    """
    y_pred = to_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred, "accuracy")
    return (y_true == y_pred).to(_floatx())


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where `y_pred > threshold` matches binary `y_true` (element-wise).

    Example:

    >>> lamina.metrics.binary_accuracy([[1], [0]], [[0.9], [0.7]]).tolist()
    [[1.0], [0.0]]
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred, "binary_accuracy")
    y_pred = (y_pred > threshold).to(y_true.dtype)
    return (y_true == y_pred).to(_floatx())


def _check_class_shapes(labels: torch.Tensor, y_pred: torch.Tensor, where: str) -> None:
    if labels.shape != y_pred.shape[:-1]:
        raise ShapeError(
            f"{where}: `y_true` must give one label per row of `y_pred` "
            f"(expected labels of shape {tuple(y_pred.shape[:-1])}, got "
            f"{tuple(labels.shape)}; y_pred.shape={tuple(y_pred.shape)})."
        )


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the argmax of `y_pred` equals the argmax of one-hot `y_true`.

    Example:

    >>> lamina.metrics.categorical_accuracy(
    ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.shape[:-1] != y_pred.shape[:-1]:
        raise ShapeError(
            "categorical_accuracy: one-hot `y_true` and `y_pred` must agree on "
            f"all but the class axis. Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )
    matches = torch.argmax(y_true, dim=-1) == torch.argmax(y_pred, dim=-1)
    return matches.to(_floatx())


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    """1.0 where the argmax of `y_pred` equals the integer label `y_true`.

    Example:

    >>> lamina.metrics.sparse_categorical_accuracy(
    ...     [2, 1], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]).tolist()
    [0.0, 1.0]
    """
    y_pred = to_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    _check_class_shapes(y_true, y_pred, "sparse_categorical_accuracy")
    predicted = torch.argmax(y_pred, dim=-1).to(y_true.dtype)
    return (y_true == predicted).to(_floatx())


def _in_top_k(targets: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    # A target is in the top k when its score reaches the k-th largest score,
    # so ties at the boundary count as hits (as in Keras).
    k = min(k, predictions.shape[-1])
    kth_largest = torch.topk(predictions, k, dim=-1).values[..., -1:]
    target_scores = torch.gather(predictions, -1, targets.long().unsqueeze(-1))
    return (target_scores >= kth_largest).squeeze(-1)


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    """1.0 where the one-hot target's class is among the `k` highest scores.

    Example:

    >>> lamina.metrics.top_k_categorical_accuracy(
    ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).tolist()
    [0.0, 1.0]
    """
    y_pred = to_tensor(y_pred)
    labels = torch.argmax(tensor_like(y_true, y_pred), dim=-1)
    _check_class_shapes(labels, y_pred, "top_k_categorical_accuracy")
    matches = _in_top_k(labels.reshape(-1), y_pred.reshape(-1, y_pred.shape[-1]), k)
    return matches.to(_floatx()).reshape(labels.shape)


def sparse_top_k_categorical_accuracy(
    y_true, y_pred, k: int = 5, from_sorted_ids: bool = False
) -> torch.Tensor:
    """1.0 where the integer target is among the `k` highest scores.

    With `from_sorted_ids=True`, `y_pred` holds the ids of the top categories,
    best first, instead of one score per category.

    Example:

    >>> lamina.metrics.sparse_top_k_categorical_accuracy(
    ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).tolist()
    [0.0, 1.0]
    """
    y_pred = to_tensor(y_pred)
    target_dtype = y_pred.dtype if from_sorted_ids else torch.int32
    y_true = to_tensor(y_true, dtype=target_dtype, device=y_pred.device)
    original_shape = y_true.shape
    targets = y_true.reshape(-1)
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    if targets.shape[0] != y_pred.shape[0]:
        raise ShapeError(
            "sparse_top_k_categorical_accuracy: `y_true` must give one label per "
            f"row of `y_pred`. Received: y_true.shape={tuple(original_shape)}, "
            f"y_pred rows={y_pred.shape[0]}"
        )
    if from_sorted_ids:
        matches = (targets.unsqueeze(1) == y_pred[:, :k]).any(dim=1)
    else:
        matches = _in_top_k(targets, y_pred, k)
    return matches.to(_floatx()).reshape(original_shape)


class Accuracy(MeanMetricWrapper):
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

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
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

    def __init__(
        self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5
    ):
        super().__init__(
            fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold
        )
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
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

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
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

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
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

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None
    ):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
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

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype=None,
        from_sorted_ids: bool = False,
    ):
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
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
