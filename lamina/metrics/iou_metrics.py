"""Intersection-over-union metrics for segmentation and classification.

All of them accumulate a `(num_classes, num_classes)` confusion matrix (rows:
true class, columns: predicted class) and read IoU = TP / (TP + FP + FN) from
it, per class, averaged over the target classes.
"""

from __future__ import annotations

import inspect
import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import broadcast_weights, to_tensor
from lamina.metrics.metric import Metric
from lamina.signatures import constructor_signature, keras_signature, parameters_of

# What each argument of the IoU metrics means; their docstrings list their own.
_ARGUMENTS = {
    "num_classes": "number of possible labels.",
    "target_class_ids": "the class ids whose IoU is averaged.",
    "threshold": "predictions `>= threshold` count as class 1, others as class 0.",
    "name": "name of the metric instance.",
    "dtype": 'dtype of the confusion matrix (`"int32"` by default).',
    "ignore_class": 'a class id to leave out (for example "void").',
    "sparse_y_true": "`y_true` holds class ids (else one-hot scores: argmax taken).",
    "sparse_y_pred": "`y_pred` holds class ids (else scores: argmax taken).",
    "axis": "the class axis of inputs that are not sparse.",
}
# Where a class docstring's Args lines start.
_ARGS_INDENT = " " * 8


def document_arguments(glossary: dict[str, str]):
    """Class decorator: list the constructor's arguments where the docstring says.

    The docstring's ``{arguments}`` line becomes one Google-style line per
    argument of the class's signature, in its order, described by ``glossary``
    (the family's one text for what each argument means).
    """

    def decorate(cls: type) -> type:
        entries = [
            textwrap.fill(
                f"{name}: {glossary[name]}",
                width=88,
                initial_indent=_ARGS_INDENT,
                subsequent_indent=_ARGS_INDENT + "    ",
            )
            for name in inspect.signature(cls).parameters
        ]
        cls.__doc__ = cls.__doc__.replace(
            _ARGS_INDENT + "{arguments}", "\n".join(entries)
        )
        return cls

    return decorate


def constructor_config(metric) -> dict:
    """The arguments of ``metric``'s constructor, in its order, read back."""
    return {
        key: getattr(metric, key) for key in inspect.signature(type(metric)).parameters
    }


class _IoUBase(Metric):
    """Accumulates the confusion matrix; subclasses turn it into a result."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        # Keras counts in integers by default, so float weights are truncated.
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        if not isinstance(num_classes, int) or num_classes < 1:
            raise ArgumentError(
                f"Argument `num_classes` must be a positive int. Received: "
                f"num_classes={num_classes!r}"
            )
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            (num_classes, num_classes), "zeros", name="total_confusion_matrix"
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        dtype, device = self._torch_dtype, self._device
        y_true = to_tensor(y_true, device=device)
        y_pred = to_tensor(y_pred, device=device)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        y_true = y_true.to(dtype).reshape(-1)
        y_pred = y_pred.to(dtype).reshape(-1)
        if y_true.shape != y_pred.shape:
            raise ShapeError(
                f"{self.name}: `y_true` and `y_pred` must hold as many class ids. "
                f"Received {y_true.shape[0]} and {y_pred.shape[0]} (after argmax "
                "of one-hot inputs and flattening)."
            )
        if sample_weight is None:
            weights = torch.ones((), dtype=dtype, device=device)
        else:
            if not dtype.is_floating_point:
                _warn_float_weights(sample_weight)
            weights = to_tensor(sample_weight, dtype=dtype, device=device)
            if weights.dim() > 1:
                weights = weights.reshape(-1)
        weights = broadcast_weights(weights, y_true.shape, self.name)
        # Ids outside [0, num_classes) and the ignored class count nowhere.
        in_bounds = (
            (y_true >= 0)
            & (y_true < self.num_classes)
            & (y_pred >= 0)
            & (y_pred < self.num_classes)
        )
        if self.ignore_class is not None:
            in_bounds = in_bounds & (y_true != self.ignore_class)
        zero = torch.zeros((), dtype=dtype, device=device)
        y_true = torch.where(in_bounds, y_true, zero).long()
        y_pred = torch.where(in_bounds, y_pred, zero).long()
        weights = torch.where(in_bounds, weights, zero)
        cells = y_true * self.num_classes + y_pred
        self.total_cm.view(-1).index_add_(0, cells, weights)

    def _class_stats(self) -> tuple[torch.Tensor, torch.Tensor]:
        cm = self.total_cm.to(torch.float32)
        true_positives = torch.diagonal(cm)
        denominator = cm.sum(0) + cm.sum(1) - true_positives
        return true_positives, denominator


def _warn_float_weights(sample_weight) -> None:
    # Keras warns only for tensors and arrays of a float dtype, not for lists.
    if isinstance(sample_weight, torch.Tensor):
        is_float = sample_weight.is_floating_point()
    else:
        is_float = getattr(getattr(sample_weight, "dtype", None), "kind", "") == "f"
    if is_float:
        warnings.warn(
            "You are passing weight as `float`, but dtype is `int`. This may result "
            "in an incorrect weight due to type casting Consider using integer "
            "weights.",
            stacklevel=3,
        )


@document_arguments(_ARGUMENTS)
class IoU(_IoUBase):
    """Computes the Intersection-Over-Union metric for specific target classes.

    `IoU = true_positive / (true_positive + false_positive + false_negative)`
    per class, averaged over `target_class_ids` (classes never seen count as
    absent from the average).

    Args:
        {arguments}

    Example:

    >>> m = lamina.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            num_classes, name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis
        )
        target_class_ids = list(target_class_ids)
        if max(target_class_ids) >= num_classes or min(target_class_ids) < 0:
            raise ArgumentError(
                f"Argument `target_class_ids`: class id {max(target_class_ids)} is "
                f"out of range, which is [0, {num_classes})."
            )
        self.target_class_ids = target_class_ids
        self._target_index = torch.tensor(
            target_class_ids, dtype=torch.long, device=self._device
        )

    def result(self) -> torch.Tensor:
        true_positives, denominator = self._class_stats()
        true_positives = true_positives[self._target_index]
        denominator = denominator[self._target_index]
        valid = denominator > 1e-9
        eps = backend.epsilon()
        iou = torch.where(valid, true_positives / (denominator + eps), 0.0)
        return iou.sum() / (valid.to(torch.float32).sum() + eps)

    def get_config(self) -> dict[str, Any]:
        # Keras writes `name` and `dtype` first here, and its other IoU metrics'
        # configs in their constructors' order.
        return {**Metric.get_config(self), **constructor_config(self)}


@document_arguments(_ARGUMENTS)
class BinaryIoU(IoU):
    """Computes the Intersection-Over-Union metric for binary predictions.

    Args:
        {arguments}

    Example:

    >>> m = lamina.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(
        self,
        target_class_ids: Sequence[int] = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=torch.float32, device=self._device)
        super().update_state(
            y_true, (y_pred >= self.threshold).to(self._torch_dtype), sample_weight
        )

    get_config = constructor_config


@document_arguments(_ARGUMENTS)
class MeanIoU(IoU):
    """Computes the mean Intersection-Over-Union over all classes.

    Args:
        {arguments}

    Example:

    >>> m = lamina.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    @keras_signature(
        constructor_signature(
            parameters_of(
                IoU.__init__,
                "num_classes name dtype ignore_class sparse_y_true sparse_y_pred axis",
            )
        )
    )
    def __init__(self, num_classes: int, **kwargs):
        super().__init__(num_classes, list(range(num_classes)), **kwargs)

    get_config = constructor_config


def _one_hot_constructor(sparse_metric: type):
    """The constructor of ``sparse_metric``'s one-hot form (`OneHotIoU`, ...).

    `y_true` is one-hot, so `sparse_y_true` is no argument; `y_pred` holds
    scores by default. The other arguments are ``sparse_metric``'s.
    """
    names = list(inspect.signature(sparse_metric).parameters)
    names.remove("sparse_y_true")
    parameters = parameters_of(sparse_metric, " ".join(names), sparse_y_pred=False)

    @keras_signature(constructor_signature(parameters))
    def __init__(self, **kwargs):  # noqa: N807 (it is an __init__)
        sparse_metric.__init__(self, sparse_y_true=False, **kwargs)

    return __init__


@document_arguments(_ARGUMENTS)
class OneHotIoU(IoU):
    """Computes the IoU of target classes for one-hot `y_true`.

    Args:
        {arguments}

    Example:

    >>> m = lamina.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.8, 0.1, 0.1]])
    >>> round(float(m.result()), 4)
    1.0
    """

    __init__ = _one_hot_constructor(IoU)
    get_config = constructor_config


@document_arguments(_ARGUMENTS)
class OneHotMeanIoU(MeanIoU):
    """Computes the mean IoU over all classes for one-hot `y_true`.

    Args:
        {arguments}

    Example:

    >>> m = lamina.metrics.OneHotMeanIoU(num_classes=3)
    >>> m.update_state([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.8, 0.1, 0.1]])
    >>> round(float(m.result()), 4)
    1.0
    """

    __init__ = _one_hot_constructor(MeanIoU)
