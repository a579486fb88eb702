"""Hinge metrics: `Hinge`, `SquaredHinge`, `CategoricalHinge` (over `lamina.losses`)."""

from __future__ import annotations

from lamina.losses import categorical_hinge, hinge, squared_hinge
from lamina.metrics.reduction_metrics import FunctionMetric, comparison_doc

_DATA = "[[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]"


class Hinge(FunctionMetric, fn=hinge, name="hinge"):
    __doc__ = comparison_doc("Hinge", "hinge metric", _DATA, 1.3)


class SquaredHinge(FunctionMetric, fn=squared_hinge, name="squared_hinge"):
    __doc__ = comparison_doc("SquaredHinge", "squared hinge metric", _DATA, 1.86)


class CategoricalHinge(FunctionMetric, fn=categorical_hinge, name="categorical_hinge"):
    __doc__ = comparison_doc("CategoricalHinge", "categorical hinge metric", _DATA, 1.4)
