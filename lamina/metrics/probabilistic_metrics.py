"""Probabilistic metrics (crossentropies, KL divergence, Poisson) and functions.

The per-sample functions follow Keras's formulas exactly (probabilities are
clipped to `[epsilon, 1 - epsilon]`), so the numbers agree with Keras's.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import (
    check_same_shape,
    float_pair,
    squeeze_or_expand_to_same_rank,
    tensor_like,
    to_float_tensor,
    to_tensor,
)
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper


def _elementwise_bce(target: torch.Tensor, output: torch.Tensor, from_logits: bool):
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = backend.epsilon()
    return F.binary_cross_entropy(
        output.clamp(eps, 1.0 - eps), target, reduction="none"
    )


def binary_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary crossentropy, averaged over `axis` (one value per sample).

    Args:
        y_true: binary targets (0 or 1).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: `y_pred` are logits.
        label_smoothing: moves targets towards 0.5 by this fraction.
        axis: the axis to average over.

    Example:

    >>> round(lamina.metrics.binary_crossentropy([[1.0]], [[0.5]]).item(), 4)
    0.6931
    """
    y_true, y_pred = float_pair(y_true, y_pred, "binary_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return torch.mean(_elementwise_bce(y_true, y_pred, from_logits), dim=axis)


def _check_axis(axis) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ArgumentError(
            f"`axis` must be of type `int`. Received: axis={axis!r} of type "
            f"{type(axis).__name__}"
        )


def categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical crossentropy between one-hot `y_true` and `y_pred`.

    Args:
        y_true: one-hot (or soft) targets.
        y_pred: probabilities (rescaled to sum to 1), or logits with
            `from_logits=True`.
        from_logits: `y_pred` are logits.
        label_smoothing: mixes the targets with the uniform distribution.
        axis: the class axis.

    Example:

    >>> round(lamina.metrics.categorical_crossentropy(
    ...     [[0, 1, 0]], [[0.05, 0.95, 0]]).item(), 4)
    0.0513
    """
    _check_axis(axis)
    y_pred = to_float_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    check_same_shape(y_true, y_pred, "categorical_crossentropy")
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return -torch.sum(y_true * _log_probabilities(y_pred, from_logits, axis), dim=axis)


def _log_probabilities(y_pred: torch.Tensor, from_logits: bool, axis: int):
    if from_logits:
        return F.log_softmax(y_pred, dim=axis)
    eps = backend.epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    return torch.log(output.clamp(eps, 1.0 - eps))


def sparse_categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> torch.Tensor:
    """Crossentropy between integer labels `y_true` and predictions `y_pred`.

    Args:
        y_true: integer class labels, shape `y_pred.shape` without the class
            axis (a trailing axis of size 1 is dropped).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: `y_pred` are logits.
        ignore_class: a label whose entries give 0 (for example padding).
        axis: the class axis.

    Example:

    >>> round(lamina.metrics.sparse_categorical_crossentropy(
    ...     [1], [[0.05, 0.95, 0]]).item(), 4)
    0.0513
    """
    y_pred = to_float_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    labels, valid = _sparse_labels(y_true, y_pred, ignore_class, axis)
    class_axis = axis % y_pred.dim()
    if valid is not None:
        y_pred = torch.where(valid.unsqueeze(class_axis), y_pred, 0.0)
    log_prob = _log_probabilities(y_pred, from_logits, class_axis)
    result = -torch.gather(log_prob, class_axis, labels.unsqueeze(class_axis))
    result = result.squeeze(class_axis)
    if valid is not None:
        result = torch.where(valid, result, 0.0)
    return result


def _sparse_labels(y_true, y_pred, ignore_class, axis):
    """Integer labels shaped like `y_pred` without its class axis, and a valid mask."""
    if y_true.dim() == y_pred.dim() and y_true.shape[axis] == 1:
        y_true = y_true.squeeze(axis)
    expected = list(y_pred.shape)
    del expected[axis]
    if list(y_true.shape) != expected:
        raise ShapeError(
            "sparse_categorical_crossentropy: `y_true` must have the shape of "
            f"`y_pred` without the class axis, {tuple(expected)}. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    valid = None
    if ignore_class is not None:
        valid = y_true != ignore_class
        y_true = torch.where(valid, y_true, torch.zeros_like(y_true))
    return y_true.long(), valid


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """Kullback-Leibler divergence `sum(y_true * log(y_true / y_pred))` per sample.

    Both are clipped to `[epsilon, 1]` first.

    Example:

    >>> round(lamina.metrics.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).item(), 4)
    0.1438
    """
    y_true, y_pred = float_pair(y_true, y_pred, "kl_divergence")
    eps = backend.epsilon()
    y_true = y_true.clamp(eps, 1.0)
    y_pred = y_pred.clamp(eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


kld = kullback_leibler_divergence = kl_divergence  # Keras 2 spellings


def poisson(y_true, y_pred) -> torch.Tensor:
    """Poisson loss `mean(y_pred - y_true * log(y_pred + epsilon))` per sample.

    Example:

    >>> round(lamina.metrics.poisson([[1.0]], [[1.0]]).item(), 4)
    1.0
    """
    y_true, y_pred = float_pair(y_true, y_pred, "poisson")
    return torch.mean(y_pred - y_true * torch.log(y_pred + backend.epsilon()), dim=-1)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary focal crossentropy (Lin et al., 2017), averaged over `axis`.

    Example:

    >>> round(lamina.metrics.binary_focal_crossentropy([[1.0]], [[0.5]]).item(), 4)
    0.1733
    """
    y_true, y_pred = float_pair(y_true, y_pred, "binary_focal_crossentropy")
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    bce = _elementwise_bce(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return torch.mean(focal_bce, dim=axis)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical focal crossentropy (Lin et al., 2017), summed over `axis`.

    Example:

    >>> round(lamina.metrics.categorical_focal_crossentropy(
    ...     [[0, 1, 0]], [[0.05, 0.95, 0]]).item(), 6)
    3.2e-05
    """
    _check_axis(axis)
    y_pred = to_float_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    check_same_shape(y_true, y_pred, "categorical_focal_crossentropy")
    if label_smoothing:
        num_classes = y_true.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = backend.epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = output.clamp(eps, 1.0 - eps)
    cce = -y_true * torch.log(output)
    focal = torch.pow(1.0 - output, gamma) * alpha * cce
    return torch.sum(focal, dim=axis)


class KLDivergence(MeanMetricWrapper):
    """Computes the Kullback-Leibler divergence between `y_true` and `y_pred`.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.KLDivergence()
    >>> m.update_state([[0.5, 0.5]], [[0.25, 0.75]])
    >>> round(float(m.result()), 4)
    0.1438
    """

    def __init__(self, name: str = "kl_divergence", dtype=None):
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class Poisson(MeanMetricWrapper):
    """Computes the Poisson metric between `y_true` and `y_pred`.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Poisson()
    >>> m.update_state([[1.0]], [[1.0]])
    >>> round(float(m.result()), 4)
    1.0
    """

    def __init__(self, name: str = "poisson", dtype=None):
        super().__init__(fn=poisson, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy between binary labels and predictions.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        from_logits: `y_pred` are logits.
        label_smoothing: moves targets towards 0.5 by this fraction.

    Example:

    >>> m = lamina.metrics.BinaryCrossentropy()
    >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    >>> round(float(m.result()), 4)
    0.8149
    """

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


class CategoricalCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy between one-hot labels and predictions.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        from_logits: `y_pred` are logits.
        label_smoothing: mixes the targets with the uniform distribution.
        axis: the class axis.

    Example:

    >>> m = lamina.metrics.CategoricalCrossentropy()
    >>> m.update_state([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> round(float(m.result()), 4)
    1.1769
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ):
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Computes the crossentropy between integer labels and predictions.

    Entries whose label is `ignore_class` contribute 0. As in Keras 3, they
    still count in the mean's denominator unless `sample_weight` is given, in
    which case their weight becomes 0.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        from_logits: `y_pred` are logits.
        ignore_class: a label to leave out (for example padding).
        axis: the class axis.

    Example:

    >>> m = lamina.metrics.SparseCategoricalCrossentropy()
    >>> m.update_state([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    >>> round(float(m.result()), 4)
    1.1769
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype=None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self.ignore_class is None or sample_weight is None:
            return super().update_state(y_true, y_pred, sample_weight)
        # Keras's Mean applies the values' ignore mask only to given weights;
        # done the same way so the numbers agree.
        y_pred = to_float_tensor(y_pred)
        y_true = to_tensor(y_true, device=y_pred.device)
        _, valid = _sparse_labels(y_true, y_pred, self.ignore_class, self.axis)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        mask = valid.to(self._torch_dtype)
        weights = to_tensor(sample_weight, dtype=self._torch_dtype, device=mask.device)
        mask, weights = squeeze_or_expand_to_same_rank(mask, weights)
        Mean.update_state(self, values, sample_weight=weights * mask)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
