"""Metrics: stateful `Metric` classes and the per-sample functions behind them.

As in Keras 3, a metric accumulates with `update_state(y_true, y_pred,
sample_weight=None)`, reports with `result()` and starts over with
`reset_state()`. lamina keeps the state in torch tensors on the device and
updates it in place, so updating costs no host synchronisation.
"""

from __future__ import annotations

import inspect
from typing import Any

from lamina.backend.naming import to_snake_case
from lamina.errors import ArgumentError, UnknownObjectError
from lamina.metrics import metric_functions
from lamina.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    resolve_accuracy,
)
from lamina.metrics.auc import AUC
from lamina.metrics.confusion_metrics import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from lamina.metrics.correlation_metrics import (
    ConcordanceCorrelation,
    PearsonCorrelation,
)
from lamina.metrics.f_score_metrics import F1Score, FBetaScore
from lamina.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from lamina.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from lamina.metrics.metric import Metric
from lamina.metrics.metric_functions import (
    ACC,
    BCE,
    KLD,
    MAE,
    MAPE,
    MSE,
    MSLE,
    acc,
    accuracy,
    bce,
    binary_accuracy,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_accuracy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    concordance_correlation,
    cosine_similarity,
    hinge,
    huber,
    kl_divergence,
    kld,
    kullback_leibler_divergence,
    log_cosh,
    logcosh,
    mae,
    mape,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    mse,
    msle,
    pearson_correlation,
    poisson,
    sparse_categorical_accuracy,
    sparse_categorical_crossentropy,
    sparse_top_k_categorical_accuracy,
    squared_hinge,
    top_k_categorical_accuracy,
)
from lamina.metrics.probabilistic_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from lamina.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from lamina.metrics.regression_metrics import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from lamina.serialization import (
    deserialize_keras_object,
    get_registered_object,
    serialize_keras_object,
)

# Every metric class exported above (Keras's ALL_OBJECTS).
ALL_OBJECTS = {
    obj
    for obj in list(globals().values())
    if isinstance(obj, type) and issubclass(obj, Metric)
}

# Names `get` and `deserialize` understand: class names, their snake-case forms
# and Keras's short aliases (all of these map to classes, as in Keras 3), plus
# the Keras 2 aliases lamina also accepts.
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update(
    {
        "bce": BinaryCrossentropy,
        "BCE": BinaryCrossentropy,
        "mse": MeanSquaredError,
        "MSE": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "MAE": MeanAbsoluteError,
        "mape": MeanAbsolutePercentageError,
        "MAPE": MeanAbsolutePercentageError,
        "msle": MeanSquaredLogarithmicError,
        "MSLE": MeanSquaredLogarithmicError,
        # Keras 2 spellings.
        "acc": Accuracy,
        "ACC": Accuracy,
        "logcosh": LogCoshError,
        "log_cosh": LogCoshError,
        "kld": KLDivergence,
        "KLD": KLDivergence,
        "kullback_leibler_divergence": KLDivergence,
    }
)


def serialize(metric) -> Any:
    """Serialize a `Metric` or a metric function to Keras's config format.

    Example:

    >>> lamina.metrics.serialize(lamina.metrics.AUC())["class_name"]
    'AUC'
    """
    return serialize_keras_object(metric)


def deserialize(config, custom_objects: dict[str, Any] | None = None):
    """Rebuild a metric from `serialize()`'s output or a name.

    Args:
        config: a config dict (`{"class_name": ..., "config": ...}`) or a name.
        custom_objects: extra `{name: class_or_function}` to look in first.

    Example:

    >>> lamina.metrics.deserialize("mse")
    <MeanSquaredError name=mean_squared_error>
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize_keras_object(
            config,
            custom_objects=custom_objects,
            module_objects=metric_functions.FUNCTIONS,
            printable_module_name="metric function",
        )
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="metric",
    )


def get(identifier):
    """Retrieve a metric from a name, config dict, class, instance or function.

    Names map to new instances (`"mse"` and `"mean_squared_error"` give a
    `MeanSquaredError()`, `"AUC"` and `"auc"` an `AUC()`); functions and
    `Metric` instances are returned as they are. `"accuracy"` alone gives
    `Accuracy()`; `compile()` resolves it to the right accuracy with
    `resolve_accuracy()` before getting here.

    Args:
        identifier: `None`, a name, a config dict, a `Metric` class or
            instance, or a function `fn(y_true, y_pred)`.

    Returns:
        A `Metric` instance or a function (or `None`).

    Example:

    >>> lamina.metrics.get("mae")
    <MeanAbsoluteError name=mean_absolute_error>
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            obj = get_registered_object(identifier)
        if obj is None:
            raise UnknownObjectError.for_name("metric", identifier, ALL_OBJECTS_DICT)
    else:
        obj = identifier
    if inspect.isclass(obj):
        return obj()
    if callable(obj):
        return obj
    raise ArgumentError(
        f"Could not interpret metric identifier: {identifier!r}. Expected a name, "
        "a config dict, a Metric class or instance, or a function."
    )


__all__ = [
    "ACC",
    "ALL_OBJECTS",
    "ALL_OBJECTS_DICT",
    "AUC",
    "Accuracy",
    "BCE",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "BinaryIoU",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "IoU",
    "KLD",
    "KLDivergence",
    "LogCoshError",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanIoU",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "acc",
    "accuracy",
    "bce",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "concordance_correlation",
    "cosine_similarity",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "kld",
    "kullback_leibler_divergence",
    "log_cosh",
    "logcosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "pearson_correlation",
    "poisson",
    "resolve_accuracy",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]
