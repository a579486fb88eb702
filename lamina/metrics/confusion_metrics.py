"""Metrics read from confusion-matrix counts at thresholds.

`TruePositives`, `FalsePositives`, `TrueNegatives`, `FalseNegatives`,
`Precision`, `Recall`, `SensitivityAtSpecificity`, `SpecificityAtSensitivity`,
`PrecisionAtRecall` and `RecallAtPrecision`. The counting itself, with Keras's
thresholds and bucketing, is in `confusion_matrix`; `AUC` is in `auc`.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch

from lamina.backend.tensor_ops import divide_no_nan
from lamina.errors import ArgumentError
from lamina.metrics.confusion_matrix import (
    NEG_INF,
    add_count_variables,
    is_evenly_distributed,
    parse_thresholds,
    thresholds_tensor,
    update_confusion_matrix_variables,
)
from lamina.metrics.metric import Metric
from lamina.signatures import constructor_signature, keras_signature

# ---------------------------------------------------------------- counts


class _ConfusionMatrixConditionCount(Metric):
    """Counts one confusion-matrix cell (``"tp"``, ...) at each threshold."""

    _condition = ""

    def __init__(self, thresholds=None, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(thresholds, default=0.5)
        self._thresholds_distributed_evenly = is_evenly_distributed(self.thresholds)
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self)
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


_COUNT_DOC = """Calculates the (weighted) number of {what}.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5. With several
            thresholds `result()` has one value per threshold.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.{cls}()
    >>> m.update_state({data})
    >>> float(m.result())
    2.0
    """


class FalsePositives(_ConfusionMatrixConditionCount):
    __doc__ = _COUNT_DOC.format(
        what="false positives", cls="FalsePositives", data="[0, 1, 0, 0], [0, 0, 1, 1]"
    )
    _condition = "fp"


class FalseNegatives(_ConfusionMatrixConditionCount):
    __doc__ = _COUNT_DOC.format(
        what="false negatives", cls="FalseNegatives", data="[0, 1, 1, 1], [0, 1, 0, 0]"
    )
    _condition = "fn"


class TrueNegatives(_ConfusionMatrixConditionCount):
    __doc__ = _COUNT_DOC.format(
        what="true negatives", cls="TrueNegatives", data="[0, 1, 0, 0], [1, 1, 0, 0]"
    )
    _condition = "tn"


class TruePositives(_ConfusionMatrixConditionCount):
    __doc__ = _COUNT_DOC.format(
        what="true positives", cls="TruePositives", data="[0, 1, 1, 1], [1, 0, 1, 1]"
    )
    _condition = "tp"


# ------------------------------------------------------ precision, recall


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
        self.thresholds = parse_thresholds(thresholds, default=default)
        self._thresholds_distributed_evenly = is_evenly_distributed(self.thresholds)
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self)
        self._counts = add_count_variables(
            self, f"tp {self._other}", (len(self.thresholds),)
        )

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            self._counts,
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
        tp, other = self._counts["tp"], self._counts[self._other]
        value = divide_no_nan(tp, tp + other)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


_PRECISION_RECALL_DOC = """Computes the {what} of the predictions with respect to the labels.

    {cls} is `true_positives / (true_positives + {other})`.

    Args:
        thresholds: a float or list of floats in `[0, 1]`; a prediction above
            a threshold counts as positive. Defaults to 0.5 (or, with `top_k`,
            every top-k prediction counts).
        top_k: only the `top_k` highest predictions of each row count.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.{cls}()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """


class Precision(_PrecisionRecallBase):
    __doc__ = _PRECISION_RECALL_DOC.format(
        what="precision", cls="Precision", other="false_positives"
    )
    _other = "fp"


class Recall(_PrecisionRecallBase):
    __doc__ = _PRECISION_RECALL_DOC.format(
        what="recall", cls="Recall", other="false_negatives"
    )
    _other = "fn"


# ------------------------------------------- one rate at another's bound

# The rates read from the four counts at each threshold.
_RATES = {
    "sensitivity": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fn),
    "recall": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fn),
    "specificity": lambda tp, fp, tn, fn: divide_no_nan(tn, tn + fp),
    "precision": lambda tp, fp, tn, fn: divide_no_nan(tp, tp + fp),
}


class SensitivitySpecificityBase(Metric):
    """Base of the metrics that hold one rate fixed and report another.

    Keeps all four confusion counts at `num_thresholds` evenly spaced
    thresholds in `[0, 1]`. A subclass names the rate it bounds and the one
    it reports in its header, and gets Keras's constructor, whose first
    argument is the bound, named after its rate:

    ```python
    class SensitivityAtSpecificity(
        SensitivitySpecificityBase, bound="specificity", reports="sensitivity"
    ): ...
    ```
    """

    _bound = ""  # the rate held at `value` or above
    _reports = ""  # the rate reported

    def __init_subclass__(cls, bound: str = "", reports: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if bound:
            cls._bound, cls._reports = bound, reports
            cls.__init__ = _bounded_rate_constructor(bound)

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
        self._thresholds_tensor = thresholds_tensor(self.thresholds, self)
        self._counts = add_count_variables(self, "tp fp tn fn", (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        update_confusion_matrix_variables(
            self._counts,
            y_true,
            y_pred,
            self._thresholds_tensor,
            evenly_distributed=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
            where=self.name,
        )

    def result(self) -> torch.Tensor:
        if not self._bound:
            return super().result()  # not implemented: a subclass says what
        return self._find_max_under_constraint(
            self._rate(self._bound), self._rate(self._reports)
        )

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config(), "class_id": self.class_id}
        if self._bound:
            config["num_thresholds"] = self.num_thresholds
            config[self._bound] = self.value
        return config

    def _find_max_under_constraint(self, constrained, dependent) -> torch.Tensor:
        feasible = constrained >= self.value
        return torch.where(feasible, dependent, 0.0).amax().clamp_min(0.0)

    def _rate(self, rate: str) -> torch.Tensor:
        counts = self._counts
        return _RATES[rate](counts["tp"], counts["fp"], counts["tn"], counts["fn"])


def _bounded_rate_constructor(bound: str):
    """``(<bound>, num_thresholds=200, class_id=None, name=None, dtype=None)``."""
    parameters = list(inspect.signature(SensitivitySpecificityBase).parameters.values())
    parameters[0] = parameters[0].replace(name=bound)

    @keras_signature(constructor_signature(parameters))
    def __init__(self, num_thresholds: int, **kwargs):  # noqa: N807
        value = kwargs.pop(bound)
        if value < 0 or value > 1:
            raise ArgumentError(
                f"Argument `{bound}` must be in the range [0, 1]. "
                f"Received: {bound}={value}"
            )
        setattr(self, bound, value)
        self.num_thresholds = num_thresholds
        SensitivitySpecificityBase.__init__(self, value, num_thresholds, **kwargs)

    return __init__


_BOUNDED_RATE_DOC = """Computes the best {reports} where {bound} is >= `{bound}`.

    Args:
        {bound}: a float in `[0, 1]`.
        num_thresholds: number of thresholds used to match the {bound}.
        class_id: compute the metric for this class only.
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.{call}
    >>> m.update_state({data})
    >>> round(float(m.result()), 4)
    {result}
    """


def _bounded_rate_doc(
    reports: str, bound: str, call: str, result: float, data: str = ""
) -> str:
    data = data or "[0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8]"
    return _BOUNDED_RATE_DOC.format(
        reports=reports, bound=bound, call=call, data=data, result=result
    )


class SensitivityAtSpecificity(
    SensitivitySpecificityBase, bound="specificity", reports="sensitivity"
):
    __doc__ = _bounded_rate_doc(
        "sensitivity", "specificity", "SensitivityAtSpecificity(0.5)", 0.5
    )


class SpecificityAtSensitivity(
    SensitivitySpecificityBase, bound="sensitivity", reports="specificity"
):
    __doc__ = _bounded_rate_doc(
        "specificity", "sensitivity", "SpecificityAtSensitivity(0.5)", 0.6667
    )


class PrecisionAtRecall(
    SensitivitySpecificityBase, bound="recall", reports="precision"
):
    __doc__ = _bounded_rate_doc("precision", "recall", "PrecisionAtRecall(0.5)", 0.5)


class RecallAtPrecision(
    SensitivitySpecificityBase, bound="precision", reports="recall"
):
    __doc__ = _bounded_rate_doc(
        "recall",
        "precision",
        "RecallAtPrecision(0.8)",
        0.5,
        data="[0, 0, 1, 1], [0, 0.5, 0.3, 0.9]",
    )
