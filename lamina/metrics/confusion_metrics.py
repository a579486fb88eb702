"""Metrics built on confusion-matrix counts at thresholds.

`TruePositives`, `FalsePositives`, `TrueNegatives`, `FalseNegatives`,
`Precision`, `Recall`, `SensitivityAtSpecificity`, `SpecificityAtSensitivity`,
`PrecisionAtRecall`, `RecallAtPrecision` and `AUC`, with Keras's thresholds,
bucketing and interpolation, so the numbers agree with Keras's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend.tensor_ops import divide_no_nan, squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import (
    broadcast_weights,
    to_tensor,
)
from lamina.metrics.metric import Metric

# The threshold used with `top_k`: every kept score is above it.
NEG_INF = -1e10


def _parse_thresholds(thresholds, default: float) -> list[float]:
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ArgumentError(
            f"Argument `thresholds`: values must be in [0, 1]. Received: {invalid}"
        )
    return values


def _is_evenly_distributed(thresholds: Sequence[float]) -> bool:
    # Evenly spaced thresholds let one bucketing pass replace a (thresholds x
    # samples) comparison; Keras takes the same shortcut.
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    indices = torch.topk(x, k, dim=-1).indices
    mask = torch.zeros_like(x).scatter_(-1, indices, 1.0)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix_variables(
    variables: dict[str, torch.Tensor],
    y_true,
    y_pred,
    thresholds: torch.Tensor,
    *,
    evenly_distributed: bool,
    with_epsilon: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight=None,
    multi_label: bool = False,
    label_weights: torch.Tensor | None = None,
    where: str = "metric",
) -> None:
    """Add this batch's confusion counts at each threshold to ``variables``.

    ``variables`` maps any of ``"tp"``, ``"fp"``, ``"tn"``, ``"fn"`` to a state
    tensor of shape ``(num_thresholds,)`` (or ``(num_thresholds, num_labels)``
    with ``multi_label``). A prediction counts as positive when it is strictly
    above the threshold. ``with_epsilon`` says the outer thresholds lie just
    outside ``[0, 1]`` (AUC's), so no prediction falls below them all. Only
    in-place torch ops: no host synchronisation.
    """
    dtype, device = thresholds.dtype, thresholds.device
    y_true = to_tensor(y_true, dtype=dtype, device=device)
    y_pred = to_tensor(y_pred, dtype=dtype, device=device)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"{where}: `y_true` and `y_pred` must have the same shape. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=device)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight.unsqueeze(-1), expand_rank_1=False
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ShapeError(
                f"{where}: when `class_id` is given, `y_pred` must have shape "
                "(num_samples, num_classes). Received: "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id : class_id + 1]
        y_pred = y_pred[..., class_id : class_id + 1]

    weights = None
    if sample_weight is not None:
        weights = broadcast_weights(sample_weight, y_pred.shape, where)
    if label_weights is not None and not multi_label:
        lw = label_weights.unsqueeze(0).broadcast_to(y_pred.shape)
        weights = lw if weights is None else weights * lw
    labels = y_true != 0
    if not multi_label:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)

    if evenly_distributed:
        counts = _bucketed_counts(
            labels,
            y_pred,
            weights,
            thresholds.shape[0],
            with_epsilon,
            multi_label,
            need_negatives=("tn" in variables or "fn" in variables),
        )
    else:
        counts = _compared_counts(
            labels, y_pred, weights, thresholds, multi_label, variables.keys()
        )
    for key, variable in variables.items():
        variable.add_(counts[key])


def _bucketed_counts(
    labels, y_pred, weights, num_thresholds, with_epsilon, multi_label, need_negatives
):
    # Each prediction falls in one bucket between evenly spaced thresholds; a
    # reversed cumulative sum of the bucket totals gives the count above each
    # threshold. O(samples + thresholds) instead of O(samples x thresholds).
    dtype = y_pred.dtype
    true_labels = labels.to(dtype)
    false_labels = 1.0 - true_labels
    if weights is not None:
        true_labels = true_labels * weights
        false_labels = false_labels * weights
    y_pred = y_pred.clamp(0.0, 1.0)
    buckets = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    if with_epsilon:
        buckets = torch.relu(buckets)
    buckets = buckets.long()
    # Predictions below every threshold (bucket -1) go to an extra slot that is
    # dropped afterwards; index_add_ cannot take negative indices.
    slots = num_thresholds + 1
    buckets = torch.where(buckets >= 0, buckets, num_thresholds)
    if multi_label:
        num_labels = y_pred.shape[-1]
        offsets = torch.arange(num_labels, device=y_pred.device) * slots
        flat = (buckets + offsets).reshape(-1)
        shape = (num_labels, slots)
    else:
        flat = buckets
        shape = (slots,)

    def above_each_threshold(values):
        totals = torch.zeros(shape, dtype=dtype, device=y_pred.device).view(-1)
        totals.index_add_(0, flat, values.reshape(-1))
        totals = totals.view(shape)[..., :num_thresholds]
        cumulative = totals.flip(-1).cumsum(-1).flip(-1)
        return cumulative.T if multi_label else cumulative

    tp = above_each_threshold(true_labels)
    fp = above_each_threshold(false_labels)
    counts = {"tp": tp, "fp": fp}
    if need_negatives:
        total_true = true_labels.sum(0) if multi_label else true_labels.sum()
        total_false = false_labels.sum(0) if multi_label else false_labels.sum()
        counts["fn"] = total_true - tp
        counts["tn"] = total_false - fp
    return counts


def _compared_counts(labels, y_pred, weights, thresholds, multi_label, keys):
    # Compare every prediction with every threshold: (thresholds, samples[, labels]).
    extra = (1, 1) if multi_label else (1,)
    pred_is_pos = y_pred.unsqueeze(0) > thresholds.view(-1, *extra)
    label_is_pos = labels.unsqueeze(0)
    dtype = y_pred.dtype

    def count(label_mask, pred_mask):
        both = label_mask & pred_mask
        if weights is None:
            return both.to(dtype).sum(1)
        return torch.where(both, weights.unsqueeze(0), 0.0).sum(1)

    counts = {}
    if "tp" in keys:
        counts["tp"] = count(label_is_pos, pred_is_pos)
    if "fp" in keys:
        counts["fp"] = count(~label_is_pos, pred_is_pos)
    if "fn" in keys:
        counts["fn"] = count(label_is_pos, ~pred_is_pos)
    if "tn" in keys:
        counts["tn"] = count(~label_is_pos, ~pred_is_pos)
    return counts


def _thresholds_tensor(thresholds: Sequence[float], metric: Metric) -> torch.Tensor:
    return torch.tensor(
        np.asarray(thresholds, dtype=np.float64),
        dtype=metric._torch_dtype,
        device=metric._device,
    )


class _ConfusionMatrixConditionCount(Metric):
    """Counts one confusion-matrix cell (``"tp"``, ...) at each threshold."""

    _condition = ""

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, default=0.5)
        self._thresholds_distributed_evenly = _is_evenly_distributed(self.thresholds)
        self._thresholds_tensor = _thresholds_tensor(self.thresholds, self)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            {self._condition: self.accumulator},
            y_true,
            y_pred,
            self._thresholds_tensor,
            evenly_distributed=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            where=self.name,
        )

    def result(self) -> torch.Tensor:
        if len(self.thresholds) == 1:
            return self.accumulator[0].clone()
        return self.accumulator.clone()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class FalsePositives(_ConfusionMatrixConditionCount):
    """Calculates the (weighted) number of false positives.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5. With several
            thresholds `result()` has one value per threshold.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.FalsePositives()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _condition = "fp"


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Calculates the (weighted) number of false negatives.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.FalseNegatives()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _condition = "fn"


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Calculates the (weighted) number of true negatives.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.TrueNegatives()
    >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _condition = "tn"


class TruePositives(_ConfusionMatrixConditionCount):
    """Calculates the (weighted) number of true positives.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _condition = "tp"


class _PrecisionRecallBase(Metric):
    """Shared state of `Precision` and `Recall`: true positives and one more cell."""

    _other = ""

    def __init__(
        self,
        thresholds=None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = _parse_thresholds(thresholds, default=default)
        self._thresholds_distributed_evenly = _is_evenly_distributed(self.thresholds)
        self._thresholds_tensor = _thresholds_tensor(self.thresholds, self)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(
            shape=(n,), initializer="zeros", name="true_positives"
        )
        other_name = {"fp": "false_positives", "fn": "false_negatives"}[self._other]
        setattr(
            self,
            other_name,
            self.add_variable(shape=(n,), initializer="zeros", name=other_name),
        )
        self._other_variable = getattr(self, other_name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            {"tp": self.true_positives, self._other: self._other_variable},
            y_true,
            y_pred,
            self._thresholds_tensor,
            evenly_distributed=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            where=self.name,
        )

    def result(self) -> torch.Tensor:
        value = divide_no_nan(
            self.true_positives, self.true_positives + self._other_variable
        )
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecallBase):
    """Computes the precision of the predictions with respect to the labels.

    Precision is `true_positives / (true_positives + false_positives)`.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5 (or, with `top_k`,
            every top-k prediction counts).
        top_k: only the `top_k` highest predictions of each row count.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _other = "fp"


class Recall(_PrecisionRecallBase):
    """Computes the recall of the predictions with respect to the labels.

    Recall is `true_positives / (true_positives + false_negatives)`.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5 (or, with `top_k`,
            every top-k prediction counts).
        top_k: only the `top_k` highest predictions of each row count.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()),4)
    0.6667
    """

    _other = "fn"


class SensitivitySpecificityBase(Metric):
    """Base of the metrics that hold one rate fixed and report another.

    Keeps all four confusion counts at `num_thresholds` evenly spaced
    thresholds in `[0, 1]`.
    """

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ArgumentError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [
                (i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)
            ]
            self.thresholds = [0.0, *inner, 1.0]
            self._thresholds_distributed_evenly = True
        self._thresholds_tensor = _thresholds_tensor(self.thresholds, self)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        self.false_positives = self.add_variable((n,), "zeros", name="false_positives")
        self.true_negatives = self.add_variable((n,), "zeros", name="true_negatives")
        self.false_negatives = self.add_variable((n,), "zeros", name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds_tensor,
            evenly_distributed=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
            where=self.name,
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}

    def _find_max_under_constraint(self, constrained, dependent) -> torch.Tensor:
        feasible = constrained >= self.value
        return torch.where(feasible, dependent, 0.0).amax().clamp_min(0.0)

    def _sensitivities(self) -> torch.Tensor:
        return divide_no_nan(
            self.true_positives, self.true_positives + self.false_negatives
        )

    def _specificities(self) -> torch.Tensor:
        return divide_no_nan(
            self.true_negatives, self.true_negatives + self.false_positives
        )

    def _precisions(self) -> torch.Tensor:
        return divide_no_nan(
            self.true_positives, self.true_positives + self.false_positives
        )


def _check_rate(argument: str, value: float) -> None:
    if value < 0 or value > 1:
        raise ArgumentError(
            f"Argument `{argument}` must be in the range [0, 1]. "
            f"Received: {argument}={value}"
        )


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """Computes the best sensitivity where specificity is >= `specificity`.

    Args:
        specificity: a float in `[0, 1]`.
        num_thresholds: number of thresholds used to match the specificity.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(
            specificity,
            num_thresholds=num_thresholds,
            class_id=class_id,
            name=name,
            dtype=dtype,
        )

    def result(self) -> torch.Tensor:
        return self._find_max_under_constraint(
            self._specificities(), self._sensitivities()
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "specificity": self.specificity,
        }


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """Computes the best specificity where sensitivity is >= `sensitivity`.

    Args:
        sensitivity: a float in `[0, 1]`.
        num_thresholds: number of thresholds used to match the sensitivity.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.SpecificityAtSensitivity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(
            sensitivity,
            num_thresholds=num_thresholds,
            class_id=class_id,
            name=name,
            dtype=dtype,
        )

    def result(self) -> torch.Tensor:
        return self._find_max_under_constraint(
            self._sensitivities(), self._specificities()
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "sensitivity": self.sensitivity,
        }


class PrecisionAtRecall(SensitivitySpecificityBase):
    """Computes the best precision where recall is >= `recall`.

    Args:
        recall: a float in `[0, 1]`.
        num_thresholds: number of thresholds used to match the recall.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.PrecisionAtRecall(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(
            recall,
            num_thresholds=num_thresholds,
            class_id=class_id,
            name=name,
            dtype=dtype,
        )

    def result(self) -> torch.Tensor:
        return self._find_max_under_constraint(
            self._sensitivities(), self._precisions()
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "recall": self.recall,
        }


class RecallAtPrecision(SensitivitySpecificityBase):
    """Computes the best recall where precision is >= `precision`.

    Args:
        precision: a float in `[0, 1]`.
        num_thresholds: number of thresholds used to match the precision.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.RecallAtPrecision(0.8)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.5
    """

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype=None,
    ):
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(
            precision,
            num_thresholds=num_thresholds,
            class_id=class_id,
            name=name,
            dtype=dtype,
        )

    def result(self) -> torch.Tensor:
        return self._find_max_under_constraint(
            self._precisions(), self._sensitivities()
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "precision": self.precision,
        }


_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = {
    "interpolation": "interpolation",
    "majoring": "majoring",
    "minoring": "minoring",
}


def _parse_choice(argument: str, value, table: dict[str, str]) -> str:
    value = getattr(value, "value", value)  # accept Keras's enum members too
    key = str(value).lower()
    if key not in table:
        raise ArgumentError(
            f'Invalid `{argument}` argument value "{value}". Expected one of: '
            f"{list(table.values())}"
        )
    return table[key]


class AUC(Metric):
    """Approximates the area under the ROC or precision-recall curve.

    The curve is sampled at `num_thresholds` evenly spaced thresholds (or at
    `thresholds`), and the area is a Riemann sum, as in Keras; PR curves use
    the interpolation of Davis & Goadrich (2006) by default.

    Args:
        num_thresholds: number of thresholds (> 1) used to sample the curve.
        curve: `"ROC"` (default), `"PR"` (precision-recall) or `"PRGAIN"`.
        summation_method: `"interpolation"` (default), `"minoring"` or
            `"majoring"`.
        name: name of the metric instance.
        dtype: dtype of the metric result.
        thresholds: explicit thresholds in `[0, 1]`, instead of
            `num_thresholds`; `0 - epsilon` and `1 + epsilon` are added.
        multi_label: treat each column of 2D data as its own label and average
            the per-label AUCs, instead of flattening the data.
        num_labels: number of labels, with `multi_label`, to create the state
            now instead of at the first update.
        label_weights: weights of the labels (averaging weights with
            `multi_label`, else weights of the flattened values).
        from_logits: `y_pred` are logits; a sigmoid is applied first.

    Example:

    >>> m = lamina.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.75
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype=None,
        thresholds: Sequence[float] | None = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Sequence[float] | None = None,
        from_logits: bool = False,
    ):
        self.curve = _parse_choice("curve", curve, _CURVES)
        self.summation_method = _parse_choice(
            "summation_method", summation_method, _SUMMATIONS
        )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(_parse_thresholds(list(thresholds), default=0.5))
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = _is_evenly_distributed(
                [0.0, *thresholds, 1.0]
            )
        else:
            if num_thresholds <= 1:
                raise ArgumentError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            thresholds = [
                (i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)
            ]
            self._thresholds_distributed_evenly = True
        eps = backend.epsilon()
        self._thresholds = np.array([0.0 - eps, *thresholds, 1.0 + eps])
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self._thresholds_tensor = _thresholds_tensor(self._thresholds, self)
        self.multi_label = multi_label
        self.num_labels = num_labels
        if label_weights is not None:
            self.label_weights = to_tensor(
                label_weights, dtype=self._torch_dtype, device=self._device
            )
        else:
            self.label_weights = None
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ArgumentError(
                    "Argument `num_labels` is needed only when `multi_label` is "
                    f"True. Received: num_labels={num_labels}, multi_label=False"
                )
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including the added `0 - epsilon` and `1 + epsilon`."""
        return [float(t) for t in self._thresholds]

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ShapeError(
                    f"{self.name}: `y_pred` must have rank 2 when `multi_label=True`. "
                    f"Found rank {len(shape)}. Full shape received for `y_pred`: "
                    f"{tuple(shape)}"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(
            variable_shape, "zeros", name="true_positives"
        )
        self.false_positives = self.add_variable(
            variable_shape, "zeros", name="false_positives"
        )
        self.true_negatives = self.add_variable(
            variable_shape, "zeros", name="true_negatives"
        )
        self.false_negatives = self.add_variable(
            variable_shape, "zeros", name="false_negatives"
        )
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype, device=self._device)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        update_confusion_matrix_variables(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds_tensor,
            evenly_distributed=self._thresholds_distributed_evenly,
            with_epsilon=True,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            where=self.name,
        )

    def _average_over_labels(self, terms: torch.Tensor) -> torch.Tensor:
        if not self.multi_label:
            return terms.sum()
        by_label = terms.sum(0)
        if self.label_weights is None:
            return by_label.mean()
        return divide_no_nan(
            (by_label * self.label_weights).sum(), self.label_weights.sum()
        )

    def interpolate_pr_auc(self) -> torch.Tensor:
        """PR-AUC with Davis & Goadrich's interpolation between thresholds."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, dp.clamp_min(0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where(
            (p[: n - 1] > 0) & (p[1:] > 0),
            divide_no_nan(p[: n - 1], p[1:].clamp_min(0)),
            torch.ones_like(p[1:]),
        )
        increments = divide_no_nan(
            prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
            (tp[1:] + fn[1:]).clamp_min(0),
        )
        return self._average_over_labels(increments)

    def result(self) -> torch.Tensor:
        if not self._built:
            return torch.zeros((), dtype=self._torch_dtype, device=self._device)
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * divide_no_nan(fp, tp)
            recall_gain = torch.where(tp == 0, 0.0, recall_gain).clamp_min(0.0)
            precision_gain = torch.where(tp == 0, 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        return self._average_over_labels((x[: n - 1] - x[1:]) * heights)

    def get_config(self) -> dict[str, Any]:
        label_weights = self.label_weights
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None
            if label_weights is None
            else label_weights.detach().cpu().tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
