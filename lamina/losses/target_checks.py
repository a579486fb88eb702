"""`validate_targets`: the trainer's one-time check of the first batch.

It reads the labels' values (one host transfer), so a trainer calls it once,
on the first batch, not on every step: sparse labels out of range, one-hot
targets given to a sparse crossentropy (or class indices to a categorical
one) and shapes a loss cannot match get a clear error there, instead of a
torch error or a silent broadcast deep inside a training step.

Example:

>>> validate_targets("sparse_categorical_crossentropy", [0, 2], torch.rand(2, 3))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, ShapeError
from lamina.losses.loss import Loss
from lamina.losses.losses import LOSS_FUNCTIONS, LossFunctionWrapper, get
from lamina.losses.metric_learning_losses import circle
from lamina.losses.probabilistic_losses import (
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    ctc,
    sparse_categorical_crossentropy,
)

_SPARSE = (sparse_categorical_crossentropy, categorical_generalized_cross_entropy)
_CATEGORICAL = (categorical_crossentropy, categorical_focal_crossentropy)
# Every other built-in loss but CTC and circle (integer labels too) takes
# y_true and y_pred of one shape (after Keras's rank rule).
_SAME_SHAPE = tuple(fn for fn in LOSS_FUNCTIONS if fn not in (*_SPARSE, ctc, circle))


def _loss_function(loss) -> tuple[Callable | None, dict[str, Any], str]:
    if isinstance(loss, str):
        loss = get(loss)
    if isinstance(loss, LossFunctionWrapper):
        return loss.fn, loss._fn_kwargs, loss.name
    if isinstance(loss, Loss):
        return None, {}, loss.name
    return loss, {}, getattr(loss, "__name__", type(loss).__name__)


def _shape(x) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _as_numpy(x) -> np.ndarray:
    return backend.to_numpy(x)


def validate_targets(loss, y_true, y_pred) -> None:
    """Check one batch of targets against a loss, with a clear error if they misfit.

    It reads the labels' values (one host transfer), so a trainer calls it
    once, on the first batch, not on every step. Custom losses are not checked.

    Args:
        loss: A `Loss` instance, a loss function or a loss name.
        y_true: The targets of one batch.
        y_pred: The model's outputs for that batch.

    Raises:
        ArgumentError: Sparse labels out of ``[0, num_classes)``, one-hot
            targets given to a sparse crossentropy, or class indices given to
            a categorical crossentropy.
        ShapeError: Shapes of ``y_true`` and ``y_pred`` the loss cannot match.

    Example:

    >>> validate_targets("sparse_categorical_crossentropy", [0, 2], torch.rand(2, 3))
    """
    fn, options, name = _loss_function(loss)
    if fn is None:
        return
    true_shape, pred_shape = _shape(y_true), _shape(y_pred)
    if fn in _SPARSE:
        _validate_sparse(fn, options, name, y_true, true_shape, pred_shape)
        return
    if fn in _CATEGORICAL and len(pred_shape) >= 2 and pred_shape[-1] > 1:
        class_index_shapes = (pred_shape[:-1], (*pred_shape[:-1], 1))
        if true_shape in class_index_shapes:
            raise ArgumentError(
                f"Loss {name!r} expects one-hot targets of shape {pred_shape}, but "
                f"y_true has shape {true_shape}: integer class indices. Use "
                "loss='sparse_categorical_crossentropy' for class indices, or "
                "one-hot encode them (lamina.utils.to_categorical)."
            )
    if fn in _SAME_SHAPE:
        true_t = torch.empty(true_shape, device="meta")
        pred_t = torch.empty(pred_shape, device="meta")
        true_t, pred_t = squeeze_or_expand_to_same_rank(true_t, pred_t)
        if true_t.shape != pred_t.shape:
            raise ShapeError(
                f"Loss {name!r} needs y_true and y_pred of the same shape, received "
                f"y_true.shape={true_shape} and y_pred.shape={pred_shape}. Check the "
                "model's output layer against the targets."
            )


def _validate_sparse(fn, options, name, y_true, true_shape, pred_shape) -> None:
    axis = options.get("axis", -1)
    if len(pred_shape) < 1:
        raise ShapeError(
            f"Loss {name!r} needs y_pred with a class axis, received "
            f"y_pred.shape={pred_shape}."
        )
    class_axis = axis % len(pred_shape)
    num_classes = pred_shape[class_axis]
    without_classes = pred_shape[:class_axis] + pred_shape[class_axis + 1 :]
    if (
        len(true_shape) == len(pred_shape)
        and true_shape == pred_shape
        and num_classes > 1
        and len(pred_shape) >= 2
    ):
        raise ArgumentError(
            f"Loss {name!r} expects integer class indices of shape {without_classes}, "
            f"but y_true has shape {true_shape}, the shape of y_pred: one-hot "
            "targets. Use loss='categorical_crossentropy' for one-hot targets, or "
            "pass the class indices (y.argmax(-1))."
        )
    squeezed = true_shape
    if len(true_shape) == len(pred_shape) and true_shape[class_axis] == 1:
        squeezed = true_shape[:class_axis] + true_shape[class_axis + 1 :]
    if fn is categorical_generalized_cross_entropy and squeezed != without_classes:
        squeezed = true_shape[:-1] if true_shape and true_shape[-1] == 1 else true_shape
    if squeezed != without_classes:
        raise ShapeError(
            f"Loss {name!r} needs y_true of shape {without_classes} (y_pred's shape "
            f"{pred_shape} without its class axis), received y_true.shape="
            f"{true_shape}."
        )
    labels = _as_numpy(y_true)
    if labels.size == 0:
        return
    ignore_class = options.get("ignore_class")
    if ignore_class is not None:
        labels = labels[labels != ignore_class]
        if labels.size == 0:
            return
    if labels.dtype.kind == "f":
        fractional = labels[~(np.isfinite(labels) & (labels == np.round(labels)))]
        if fractional.size:
            raise ArgumentError(
                f"Loss {name!r} expects integer class indices, but y_true holds "
                f"non-integer values such as {fractional[:3].tolist()}."
            )
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        bad = labels[(labels < 0) | (labels >= num_classes)]
        raise ArgumentError(
            f"Loss {name!r}: class labels must be in [0, {num_classes - 1}] for "
            f"y_pred with {num_classes} classes, but y_true holds "
            f"{sorted(set(bad.astype(np.int64).tolist()))[:5]} (min {low:g}, max "
            f"{high:g}). Check the number of units of the output layer, or the "
            "labels (1-based labels need y - 1)."
        )


__all__ = ["validate_targets"]
