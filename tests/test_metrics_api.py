"""The metrics API: get/serialize/deserialize, state, configs, errors, accuracy rule."""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import os
import warnings

import numpy as np
import pytest
import torch

import lamina
import lamina.backend as backend
import lamina.losses
import lamina.metrics as metrics
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError

FIXTURE = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "metrics.npz"))
SPECS = json.loads(str(FIXTURE["specs"]))


def _data(kind: str, part: str) -> np.ndarray:
    return FIXTURE[f"data__{kind}__{part}"]


# --- get / serialize / deserialize -------------------------------------------------


@pytest.mark.parametrize(
    "name,cls",
    [
        ("accuracy", metrics.Accuracy),
        ("acc", metrics.Accuracy),
        ("mse", metrics.MeanSquaredError),
        ("MSE", metrics.MeanSquaredError),
        ("mean_squared_error", metrics.MeanSquaredError),
        ("mae", metrics.MeanAbsoluteError),
        ("mape", metrics.MeanAbsolutePercentageError),
        ("msle", metrics.MeanSquaredLogarithmicError),
        ("bce", metrics.BinaryCrossentropy),
        ("AUC", metrics.AUC),
        ("auc", metrics.AUC),
        ("precision", metrics.Precision),
        ("Recall", metrics.Recall),
        ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy),
        ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
        ("binary_accuracy", metrics.BinaryAccuracy),
        ("f1_score", metrics.F1Score),
        ("r2_score", metrics.R2Score),
        ("logcosh", metrics.LogCoshError),
        ("kld", metrics.KLDivergence),
    ],
)
def test_get_by_name_returns_a_new_instance(name, cls):
    first, second = metrics.get(name), metrics.get(name)
    assert type(first) is cls
    assert first is not second


def test_get_passes_through_instances_functions_and_none():
    auc = metrics.AUC()
    assert metrics.get(auc) is auc
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    assert metrics.get(None) is None
    assert type(metrics.get(metrics.Precision)) is metrics.Precision


def test_get_from_config_dict():
    metric = metrics.get(
        {"class_name": "AUC", "config": {"curve": "PR", "num_thresholds": 50}}
    )
    assert isinstance(metric, metrics.AUC)
    assert metric.curve == "PR" and metric.num_thresholds == 50


def test_get_unknown_name_suggests_close_names():
    with pytest.raises(UnknownObjectError, match="accuracy") as info:
        metrics.get("acuracy")
    assert "Did you mean" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_get_rejects_non_metrics():
    with pytest.raises(ArgumentError, match="Could not interpret metric identifier"):
        metrics.get(42)


@pytest.mark.parametrize("key,class_name,kwargs,kind", SPECS, ids=[s[0] for s in SPECS])
def test_serialize_round_trip(key, class_name, kwargs, kind):
    metric = getattr(metrics, class_name)(**kwargs)
    config = metrics.serialize(metric)
    assert config["module"] == "keras.metrics"
    assert config["class_name"] == class_name
    assert config["registered_name"] is None
    rebuilt = metrics.deserialize(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(metric)
    assert rebuilt.get_config() == metric.get_config()
    assert rebuilt.name == metric.name


def test_mean_metric_wrapper_config_round_trip_keeps_fn_and_kwargs():
    metric = metrics.MeanMetricWrapper(metrics.huber, name="hub", delta=0.5)
    config = metric.get_config()
    assert config == {"name": "hub", "dtype": "float32", "fn": "huber", "delta": 0.5}
    rebuilt = metrics.MeanMetricWrapper.from_config(config)
    y_true, y_pred = _data("regression", "yt1"), _data("regression", "yp1")
    torch.testing.assert_close(rebuilt(y_true, y_pred), metric(y_true, y_pred))
    assert rebuilt._fn is metrics.huber


def test_mean_metric_wrapper_reads_keras_function_config():
    # Keras writes built-in functions as module "builtins", registered "function".
    config = {
        "module": "keras.metrics",
        "class_name": "MeanMetricWrapper",
        "config": {
            "name": "mean_metric_wrapper",
            "dtype": "float32",
            "fn": {
                "module": "builtins",
                "class_name": "function",
                "config": "mean_squared_error",
                "registered_name": "function",
            },
        },
        "registered_name": None,
    }
    metric = metrics.deserialize(config)
    assert metric._fn is metrics.mean_squared_error
    assert float(metric([[0.0, 2.0]], [[1.0, 1.0]])) == pytest.approx(1.0)


def test_functions_serialize_by_name_and_come_back_as_functions():
    assert metrics.serialize(metrics.binary_accuracy) == "binary_accuracy"
    keras_form = {
        "module": "builtins",
        "class_name": "function",
        "config": "binary_accuracy",
        "registered_name": "function",
    }
    assert metrics.deserialize(keras_form) is metrics.binary_accuracy


# --- names, dtype, state -----------------------------------------------------------


def test_default_names_follow_keras():
    backend.clear_session()
    assert metrics.Accuracy().name == "accuracy"
    assert metrics.BinaryAccuracy().name == "binary_accuracy"
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.FBetaScore().name == "fbeta_score"
    assert metrics.TruePositives().name == "true_positives"
    assert metrics.TruePositives().name == "true_positives_1"
    assert metrics.AUC().name == "auc"
    assert metrics.MeanIoU(num_classes=2).name == "mean_io_u"
    assert metrics.AUC(name="my_auc").name == "my_auc"


def test_dtype_and_state_tensors():
    metric = metrics.AUC(num_thresholds=10)
    assert metric.dtype == "float32"
    assert metrics.MeanIoU(num_classes=3).dtype == "int32"
    assert metrics.Mean(dtype="float64").dtype == "float64"
    variables = metric.variables
    assert len(variables) == 4
    for v in variables:
        assert type(v) is torch.Tensor  # plain tensors, not nn.Parameters
        assert not v.requires_grad
        assert v.device.type == backend.device().type
        assert v.shape == (10,)
    assert metric._variable_names == [
        "true_positives",
        "false_positives",
        "true_negatives",
        "false_negatives",
    ]


def test_updates_are_in_place_and_reset_zeroes():
    metric = metrics.Precision(thresholds=[0.3, 0.7])
    before = [v.data_ptr() for v in metric.variables]
    metric.update_state([0, 1, 1, 0], [0.9, 0.8, 0.4, 0.1])
    assert [v.data_ptr() for v in metric.variables] == before
    assert any(float(v.sum()) > 0 for v in metric.variables)
    metric.reset_state()
    assert all(float(v.abs().sum()) == 0 for v in metric.variables)
    assert [v.data_ptr() for v in metric.variables] == before


def test_state_stays_out_of_autograd():
    # A metric fed the loss tensor every step must not chain the steps' graphs.
    weights = torch.tensor([1.0, 2.0], requires_grad=True)

    class Custom(metrics.Metric):
        def __init__(self):
            super().__init__(name="custom")
            self.total = self.add_variable(shape=(), initializer="zeros")

        def update_state(self, values):
            self.total.add_(values.sum())

        def result(self):
            return self.total.clone()

    for metric in (metrics.Mean(), metrics.AUC(), Custom()):
        args = (
            (weights * 2,)
            if not isinstance(metric, metrics.AUC)
            else (torch.tensor([0.0, 1.0]), weights.sigmoid())
        )
        metric.update_state(*args)
        for v in metric.variables:
            assert not v.requires_grad and v.grad_fn is None


def test_result_is_a_fresh_tensor_not_the_state():
    metric = metrics.Sum()
    metric.update_state([1.0, 2.0])
    value = metric.result()
    metric.update_state([10.0])
    assert float(value) == 3.0
    assert float(metric.result()) == 13.0


def test_results_before_any_update_are_zero():
    assert float(metrics.Mean().result()) == 0.0
    assert float(metrics.AUC(multi_label=True).result()) == 0.0
    assert float(metrics.R2Score().result()) == 0.0


def test_call_updates_then_returns_result():
    metric = metrics.Mean()
    assert float(metric([1.0, 3.0])) == 2.0
    assert float(metric([5.0])) == 3.0


def test_update_state_never_reads_device_values():
    # On the meta device every read of a value (.item(), bool(), float()) fails,
    # so this proves update_state is free of host synchronisation.
    old = backend.device()
    backend.set_device("meta")
    try:
        for _key, class_name, kwargs, kind in SPECS:
            metric = getattr(metrics, class_name)(**kwargs)
            y_true = torch.from_numpy(_data(kind, "yt1")).to("meta")
            y_pred = torch.from_numpy(_data(kind, "yp1")).to("meta")
            weights = torch.from_numpy(_data(kind, "sw2")).to("meta")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                metric.update_state(y_true, y_pred)
                metric.update_state(y_true, y_pred, sample_weight=weights)
    finally:
        backend.set_device(old)


def test_multi_label_auc_builds_on_first_update_or_from_num_labels():
    lazy = metrics.AUC(multi_label=True)
    assert lazy.variables == []
    lazy.update_state(_data("multilabel", "yt1"), _data("multilabel", "yp1"))
    assert [tuple(v.shape) for v in lazy.variables] == [(200, 4)] * 4
    eager = metrics.AUC(multi_label=True, num_labels=3)
    assert [tuple(v.shape) for v in eager.variables] == [(200, 3)] * 4


def test_custom_metric_subclass():
    class BinaryTruePositives(metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(
                shape=(), initializer="zeros", name="true_positives"
            )

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true, y_pred = torch.as_tensor(y_true), torch.as_tensor(y_pred)
            self.true_positives.add_((y_true.bool() & y_pred.bool()).sum())

        def result(self):
            return self.true_positives.clone()

    metric = BinaryTruePositives()
    assert float(metric([1, 1, 0, 1], [1, 0, 0, 1])) == 2.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    assert metric.get_config() == {"name": "binary_true_positives", "dtype": "float32"}


def test_metric_holding_metrics_exposes_their_state():
    class Pair(metrics.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.mean = metrics.Mean()
            self.total = metrics.Sum()

    assert len(Pair().variables) == 3


def test_add_variable_without_super_init_fails_clearly():
    class Broken(metrics.Metric):
        def __init__(self):
            self.v = self.add_variable(shape=(), initializer="zeros")

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()


def test_reset_states_is_a_deprecated_alias():
    metric = metrics.Sum()
    metric.update_state([1.0])
    with pytest.warns(DeprecationWarning, match="reset_state"):
        metric.reset_states()
    assert float(metric.result()) == 0.0


# --- rank handling and sample weights ----------------------------------------------


def test_labels_of_shape_n_match_predictions_of_shape_n_1():
    y_true = np.array([1.0, 0.0, 1.0, 1.0])
    y_pred = np.array([[0.9], [0.2], [0.4], [0.8]])
    assert float(metrics.BinaryAccuracy()(y_true, y_pred)) == 0.75
    assert float(metrics.MeanSquaredError()(y_true, y_pred)) == pytest.approx(
        np.mean((y_true - y_pred[:, 0]) ** 2), rel=1e-6
    )


def test_per_sample_weights_weigh_whole_rows():
    metric = metrics.MeanAbsoluteError()
    metric.update_state(
        [[0.0, 0.0], [0.0, 0.0]], [[1.0, 3.0], [5.0, 5.0]], sample_weight=[3.0, 1.0]
    )
    assert float(metric.result()) == pytest.approx((2.0 * 3 + 5.0 * 1) / 4)


def test_prediction_mask_leaves_masked_entries_out():
    y_true = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    y_pred = torch.tensor([[1.0, 2.0, 0.0], [2.0, 2.0, 2.0]])
    y_pred._keras_mask = torch.tensor([[True, True, False], [True, False, False]])
    metric = metrics.MeanMetricWrapper(lambda t, p: (t - p) ** 2)
    # Unmasked squared errors: 0, 0 (row 1) and 1 (row 2).
    assert float(metric(y_true, y_pred)) == pytest.approx(1 / 3)


def test_loss_functions_are_lamina_losses_own():
    assert metrics.mean_squared_error is lamina.losses.mean_squared_error
    assert metrics.mse is lamina.losses.mse
    assert metrics.MeanSquaredError()._direction == "down"
    assert metrics.Accuracy()._direction == "up"


# --- bad input ---------------------------------------------------------------------


def test_mismatched_shapes_raise_shape_error_with_both_shapes():
    with pytest.raises(
        ShapeError, match=r"y_true.shape=\(4, 3\).*y_pred.shape=\(4, 2\)"
    ):
        metrics.RootMeanSquaredError().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ShapeError, match="y_pred"):
        metrics.AUC().update_state(np.zeros((4,)), np.zeros((5,)))
    with pytest.raises(ShapeError, match="labels"):
        metrics.SparseCategoricalAccuracy().update_state(
            np.zeros((3,)), np.zeros((4, 5))
        )


def test_unbroadcastable_sample_weight_raises_shape_error():
    with pytest.raises(ShapeError, match=r"sample_weight.*\(3,\).*\(4,\)"):
        metrics.MeanSquaredError().update_state(
            np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3)
        )
    with pytest.raises(ShapeError, match="categorical_accuracy"):
        metrics.CategoricalAccuracy().update_state(np.zeros((4, 3)), np.zeros((5, 3)))


@pytest.mark.parametrize(
    "factory,match",
    [
        (lambda: metrics.Precision(thresholds=[0.5, 1.5]), "thresholds"),
        (lambda: metrics.AUC(num_thresholds=1), "num_thresholds"),
        (lambda: metrics.AUC(curve="ROCK"), "curve"),
        (lambda: metrics.AUC(summation_method="mean"), "summation_method"),
        (lambda: metrics.AUC(num_labels=3), "num_labels"),
        (lambda: metrics.SensitivityAtSpecificity(1.5), "specificity"),
        (lambda: metrics.PrecisionAtRecall(-0.1), "recall"),
        (lambda: metrics.RecallAtPrecision(0.5, num_thresholds=0), "num_thresholds"),
        (lambda: metrics.FBetaScore(beta=2), "beta"),
        (lambda: metrics.FBetaScore(average="mean"), "average"),
        (lambda: metrics.F1Score(threshold=1.5), "threshold"),
        (lambda: metrics.R2Score(class_aggregation="mean"), "class_aggregation"),
        (lambda: metrics.R2Score(num_regressors=-1), "num_regressors"),
        (lambda: metrics.IoU(num_classes=3, target_class_ids=[3]), "target_class_ids"),
    ],
)
def test_bad_arguments_raise_argument_error_naming_them(factory, match):
    with pytest.raises(ArgumentError, match=match):
        factory()


def test_rank_requirements_raise_shape_errors():
    with pytest.raises(ShapeError, match="2D"):
        metrics.R2Score().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ShapeError, match="2D"):
        metrics.F1Score().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ShapeError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ShapeError, match="class_id"):
        metrics.Precision(class_id=1).update_state(np.zeros(4), np.zeros(4))


# --- constructors: Keras's signatures, by position or keyword -----------------------


@pytest.mark.parametrize(
    "cls,parameters",
    [
        (metrics.Hinge, "name dtype"),
        (metrics.BinaryAccuracy, "name dtype threshold"),
        (metrics.TopKCategoricalAccuracy, "k name dtype"),
        (
            metrics.IoU,
            "num_classes target_class_ids name dtype ignore_class sparse_y_true "
            "sparse_y_pred axis",
        ),
        (
            metrics.MeanIoU,
            "num_classes name dtype ignore_class sparse_y_true sparse_y_pred axis",
        ),
        (
            metrics.OneHotIoU,
            "num_classes target_class_ids name dtype ignore_class sparse_y_pred axis",
        ),
        (
            metrics.OneHotMeanIoU,
            "num_classes name dtype ignore_class sparse_y_pred axis",
        ),
        (metrics.BinaryIoU, "target_class_ids threshold name dtype"),
        (
            metrics.SensitivityAtSpecificity,
            "specificity num_thresholds class_id name dtype",
        ),
        (
            metrics.SpecificityAtSensitivity,
            "sensitivity num_thresholds class_id name dtype",
        ),
        (metrics.PrecisionAtRecall, "recall num_thresholds class_id name dtype"),
        (metrics.RecallAtPrecision, "precision num_thresholds class_id name dtype"),
    ],
)
def test_constructors_have_keras_signatures(cls, parameters):
    assert list(inspect.signature(cls).parameters) == parameters.split()
    assert "Args:" in cls.__doc__ and "{" not in cls.__doc__.split("Example:")[0]


def test_constructor_arguments_pass_by_position_or_keyword():
    assert metrics.Hinge("h").name == "h"
    one_hot = metrics.OneHotIoU(3, [0], "o", None, None, True)
    assert (one_hot.name, one_hot.sparse_y_true, one_hot.sparse_y_pred) == (
        "o",
        False,
        True,
    )
    mean_iou = metrics.OneHotMeanIoU(3, axis=1)
    assert (mean_iou.target_class_ids, mean_iou.sparse_y_pred) == ([0, 1, 2], False)
    at = metrics.SensitivityAtSpecificity(0.25, 11, name="s")
    assert (at.specificity, at.num_thresholds, at.name) == (0.25, 11, "s")
    assert metrics.RecallAtPrecision(precision=0.5).precision == 0.5
    with pytest.raises(TypeError, match="specificity"):
        metrics.SensitivityAtSpecificity()
    with pytest.raises(TypeError, match="MeanIoU.*unexpected keyword argument 'foo'"):
        metrics.MeanIoU(2, foo=1)


def test_iou_configs_keep_keras_key_order():
    assert list(metrics.IoU(3, [0]).get_config()) == [
        "name",
        "dtype",
        "num_classes",
        "target_class_ids",
        "ignore_class",
        "sparse_y_true",
        "sparse_y_pred",
        "axis",
    ]
    assert list(metrics.OneHotMeanIoU(3).get_config()) == [
        "num_classes",
        "name",
        "dtype",
        "ignore_class",
        "sparse_y_pred",
        "axis",
    ]


# --- the "accuracy" rule -----------------------------------------------------------


def test_resolve_accuracy_matches_keras_compile():
    shapes, expected = json.loads(str(FIXTURE["accuracy_resolution"]))
    for (true_shape, pred_shape), name in zip(shapes, expected):
        chosen = metrics.resolve_accuracy("mse", tuple(true_shape), tuple(pred_shape))
        assert chosen.__name__ == name, (true_shape, pred_shape)


def test_resolve_accuracy_with_unknown_batch_and_no_shapes():
    assert metrics.resolve_accuracy(None, (None,), (None, 1)) is metrics.BinaryAccuracy
    assert (
        metrics.resolve_accuracy(None, (None, 1), (None, None))
        is metrics.CategoricalAccuracy
    )
    assert metrics.resolve_accuracy("binary_crossentropy") is metrics.BinaryAccuracy
    assert (
        metrics.resolve_accuracy(metrics.sparse_categorical_crossentropy)
        is metrics.SparseCategoricalAccuracy
    )
    assert (
        metrics.resolve_accuracy(metrics.BinaryCrossentropy()) is metrics.BinaryAccuracy
    )
    assert (
        metrics.resolve_accuracy("categorical_crossentropy")
        is metrics.CategoricalAccuracy
    )


# --- docstring examples ------------------------------------------------------------

MODULES = [
    "metric",
    "reduction_metrics",
    "metric_functions",
    "accuracy_metrics",
    "confusion_matrix",
    "confusion_metrics",
    "auc",
    "regression_metrics",
    "probabilistic_metrics",
    "hinge_metrics",
    "iou_metrics",
    "f_score_metrics",
    "correlation_metrics",
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    module = importlib.import_module(f"lamina.metrics.{module_name}")
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, globs={"lamina": lamina}):
        runner.run(test)
    assert runner.failures == 0
