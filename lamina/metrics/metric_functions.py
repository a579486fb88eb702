"""The per-sample metric functions, and the table naming every one of them.

Each function maps `(y_true, y_pred)` to one value per sample (or per entry);
the metric classes average them (`MeanMetricWrapper`). The functions that are
also losses (`mean_squared_error`, `hinge`, ...) are `lamina.losses`'s own
objects, as `keras.metrics.mse is keras.losses.mse`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from lamina import backend
from lamina.backend.nn import label_range_error
from lamina.backend.tensor_ops import l2_normalize, squeeze_or_expand_to_same_rank
from lamina.errors import ShapeError
from lamina.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from lamina.metrics._tensors import check_same_shape, float_pair, tensor_like, to_tensor

# --------------------------------------------------------------- accuracy


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
    try:  # torch checks the label range on the CPU: free when the labels fit
        target_scores = torch.gather(predictions, -1, targets.long().unsqueeze(-1))
    except (IndexError, RuntimeError) as err:
        error = label_range_error(
            "sparse_top_k_categorical_accuracy", targets, predictions.shape[-1]
        )
        if error is None:
            raise
        raise error from err
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


# ------------------------------------------------------------- regression


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Cosine similarity of `y_true` and `y_pred` along `axis` (1 = same direction).

    Unlike the loss of the same name, the sign is positive.

    Example:

    >>> lamina.metrics.cosine_similarity([[0.0, 1.0]], [[1.0, 1.0]]).tolist()
    [0.7071067690849304]
    """
    y_true, y_pred = float_pair(y_true, y_pred, "cosine_similarity")
    return torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


# ------------------------------------------------------------ correlation


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


# Keras 2 short names.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
bce = BCE = binary_crossentropy
acc = ACC = accuracy
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

# The metric functions, each once.
_FUNCTIONS = (
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    log_cosh,
    huber,
    cosine_similarity,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    kl_divergence,
    poisson,
    hinge,
    squared_hinge,
    categorical_hinge,
    pearson_correlation,
    concordance_correlation,
)

# Every metric function under each of the names above (its own, Keras 2's
# short ones): what the `fn` of a metric's config may name.
FUNCTIONS: dict[str, Callable] = {
    name: obj
    for name, obj in list(globals().items())
    if any(obj is fn for fn in _FUNCTIONS)
}
