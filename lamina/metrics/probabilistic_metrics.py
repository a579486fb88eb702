"""Probabilistic metrics: crossentropies, KL divergence, Poisson.

Each averages the per-sample function of the same name from `lamina.losses`,
as Keras's metrics do with `keras.losses`.
"""

from __future__ import annotations

from lamina.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from lamina.metrics.reduction_metrics import FunctionMetric, comparison_doc


class KLDivergence(FunctionMetric, fn=kl_divergence, name="kl_divergence"):
    __doc__ = comparison_doc(
        "KLDivergence",
        "Kullback-Leibler divergence",
        "[[0.5, 0.5]], [[0.25, 0.75]]",
        0.1438,
    )


class Poisson(FunctionMetric, fn=poisson, name="poisson"):
    __doc__ = comparison_doc("Poisson", "Poisson metric", "[[1.0]], [[1.0]]", 1.0)


class BinaryCrossentropy(FunctionMetric):
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
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(FunctionMetric):
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
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(FunctionMetric):
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
            name,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
