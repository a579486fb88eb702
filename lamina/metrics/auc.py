"""`AUC`: the area under the ROC or precision-recall curve, as Keras computes it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend.tensor_ops import divide_no_nan
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import to_tensor
from lamina.metrics.confusion_matrix import (
    add_count_variables,
    is_evenly_distributed,
    parse_thresholds,
    thresholds_tensor,
    update_confusion_matrix_variables,
)
from lamina.metrics.metric import Metric

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
            thresholds = sorted(parse_thresholds(list(thresholds), default=0.5))
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = is_evenly_distributed(
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
        self._thresholds_tensor = thresholds_tensor(self._thresholds, self)
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
        self._counts = add_count_variables(self, "tp fp tn fn", variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = to_tensor(y_pred, dtype=self._torch_dtype, device=self._device)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        update_confusion_matrix_variables(
            self._counts,
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
