"""Correlation metrics: `PearsonCorrelation` and `ConcordanceCorrelation`."""

from __future__ import annotations

from lamina.metrics.metric_functions import (
    concordance_correlation,
    pearson_correlation,
)
from lamina.metrics.reduction_metrics import FunctionMetric

_DOC = """Calculates {what}, averaged over samples.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.
        axis: the axis along which the correlation is computed.

    Example:

    >>> m = lamina.metrics.{cls}()
    >>> m.update_state([[0.0, 1.0, 2.0]], [[0.0, 2.0, 4.0]])
    >>> round(float(m.result()), 4)
    {result}
    """


class PearsonCorrelation(FunctionMetric):
    __doc__ = _DOC.format(
        what="the Pearson correlation coefficient", cls="PearsonCorrelation", result=1.0
    )

    _direction = "up"

    def __init__(self, name: str = "pearson_correlation", dtype=None, axis: int = -1):
        super().__init__(pearson_correlation, name, dtype, axis=axis)


class ConcordanceCorrelation(FunctionMetric):
    __doc__ = _DOC.format(
        what="Lin's concordance correlation coefficient",
        cls="ConcordanceCorrelation",
        result=0.6154,
    )

    _direction = "up"

    def __init__(
        self, name: str = "concordance_correlation", dtype=None, axis: int = -1
    ):
        super().__init__(concordance_correlation, name, dtype, axis=axis)
