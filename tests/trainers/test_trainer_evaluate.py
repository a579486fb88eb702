"""`evaluate`, `predict`, the `*_on_batch` methods and calling the model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from tests.trainers.trainer_utils import (
    binary_model,
    data,
    fixed_weights,
    keras_numbers,
    softmax_model,
)


def _keras_binary_model():
    model = binary_model()
    model.set_weights(fixed_weights("binary"))
    model.compile(
        lamina.optimizers.SGD(0.1),
        "binary_crossentropy",
        metrics=["accuracy", "mse"],
        weighted_metrics=["mae"],
    )
    return model


def _expected(prefix: str) -> dict:
    keras = keras_numbers()
    return {
        key[len(prefix) :]: float(value)
        for key, value in keras.items()
        if key.startswith(prefix)
    }


def test_evaluate_matches_keras():
    keras = keras_numbers()
    model = _keras_binary_model()
    logs = model.evaluate(keras["x"], keras["y_bin"], verbose=0, return_dict=True)
    expected = _expected("binary/eval/")
    assert sorted(logs) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(logs[key], value, rtol=1e-5)


def test_evaluate_with_sample_weight_matches_keras():
    keras = keras_numbers()
    model = _keras_binary_model()
    logs = model.evaluate(
        keras["x"],
        keras["y_bin"],
        sample_weight=keras["sw"],
        verbose=0,
        return_dict=True,
    )
    for key, value in _expected("binary/eval_sw/").items():
        np.testing.assert_allclose(logs[key], value, rtol=1e-5)


def test_evaluate_returns_a_list_loss_first_then_metrics_in_compile_order():
    keras = keras_numbers()
    model = _keras_binary_model()
    values = model.evaluate(keras["x"], keras["y_bin"], verbose=0)
    logs = model.evaluate(keras["x"], keras["y_bin"], verbose=0, return_dict=True)
    assert isinstance(values, list)
    assert values == [logs["loss"], logs["accuracy"], logs["mse"], logs["mae"]]
    assert model.metrics_names == ["loss", "accuracy", "mse", "mae"]


def test_evaluate_returns_a_float_when_there_is_only_the_loss():
    x, _, _, y = data(20)
    model = binary_model()
    model.compile("sgd", "mse")
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    expected = np.mean((model.predict(x, verbose=0) - y) ** 2)
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss}


def test_evaluate_does_not_depend_on_batch_size():
    x, y, _, _ = data(30)
    model = _keras_binary_model()
    a = model.evaluate(x, y, batch_size=7, verbose=0)
    b = model.evaluate(x, y, batch_size=30, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_evaluate_steps_reads_only_that_many_batches():
    x, y, _, _ = data(40)
    model = _keras_binary_model()
    partial = model.evaluate(x, y, batch_size=10, steps=2, verbose=0, return_dict=True)
    first_20 = model.evaluate(x[:20], y[:20], verbose=0, return_dict=True)
    np.testing.assert_allclose(partial["loss"], first_20["loss"], rtol=1e-6)


def test_evaluate_does_not_change_the_weights():
    x, y, _, _ = data(16)
    model = _keras_binary_model()
    before = model.get_weights()
    model.evaluate(x, y, verbose=0)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_matches_keras_as_float32_numpy():
    keras = keras_numbers()
    model = _keras_binary_model()
    out = model.predict(keras["x"], batch_size=5, verbose=0)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, keras["binary/predict"], rtol=1e-5, atol=1e-7)


def test_predict_works_without_compile_and_on_float64_input():
    x, _, _, _ = data(10)
    model = binary_model()
    out = model.predict(x.astype("float64"), verbose=0)
    assert out.shape == (10, 1) and out.dtype == np.float32


def test_predict_on_batch_train_on_batch_and_test_on_batch():
    keras = keras_numbers()
    x, y = keras["x"], keras["y_bin"]
    model = _keras_binary_model()
    np.testing.assert_allclose(
        model.predict_on_batch(x), keras["binary/predict"], rtol=1e-5, atol=1e-7
    )
    tested = model.test_on_batch(x, y, return_dict=True)
    for key, value in _expected("binary/eval/").items():
        np.testing.assert_allclose(tested[key], value, rtol=1e-5)
    before = model.get_weights()
    trained = model.train_on_batch(x, y)
    # The returned values are those of the batch before the update.
    np.testing.assert_allclose(trained[0], tested["loss"], rtol=1e-5)
    assert len(trained) == 4
    assert not np.allclose(before[0], model.get_weights()[0])
    after = model.test_on_batch(x, y)
    assert after[0] < tested["loss"]


def test_on_batch_returns_a_float_for_the_loss_alone():
    x, _, _, y = data(8)
    model = binary_model()
    model.compile("sgd", "mse")
    assert isinstance(model.train_on_batch(x, y), float)
    assert isinstance(model.test_on_batch(x, y), float)


def test_train_on_batch_with_class_weight_and_sample_weight():
    x, _, y, _ = data(12)
    losses = []
    for kwargs in (
        {},
        {"class_weight": {0: 3.0, 1: 1.0, 2: 1.0}},
        {"sample_weight": np.where(y == 0, 3.0, 1.0)},
    ):
        model = softmax_model(seed=2)
        model.compile("sgd", "sparse_categorical_crossentropy")
        losses.append(model.train_on_batch(x, y, **kwargs))
    assert losses[1] != pytest.approx(losses[0])
    np.testing.assert_allclose(losses[1], losses[2], rtol=1e-6)


def test_calling_the_model_with_training_flag():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential(
        [lamina.Input((4,)), lamina.layers.Dropout(0.5), lamina.layers.Dense(2)]
    )
    x = torch.ones(64, 4)
    inference = model(x, training=False)
    np.testing.assert_allclose(
        inference.detach().numpy(), model.predict(x.numpy(), verbose=0), rtol=1e-6
    )
    assert not torch.allclose(model(x, training=True), inference)


@pytest.mark.parametrize(
    "loss, y_shape, metric_class",
    [
        ("binary_crossentropy", (None, 1), "BinaryAccuracy"),
        ("mse", (None, 1), "BinaryAccuracy"),
        ("sparse_categorical_crossentropy", (None,), "SparseCategoricalAccuracy"),
        ("sparse_categorical_crossentropy", (None, 1), "SparseCategoricalAccuracy"),
        ("categorical_crossentropy", (None, 3), "CategoricalAccuracy"),
    ],
)
def test_accuracy_is_resolved_from_the_shapes(loss, y_shape, metric_class):
    x, _, classes, _ = data(12)
    units = 1 if y_shape[-1] == 1 and "sparse" not in loss else 3
    if y_shape == (None, 3):
        y = np.eye(3, dtype="float32")[classes]
    elif units == 1:
        y = (classes[:, None] > 0).astype("float32")
    else:
        y = classes.reshape((12,) + y_shape[1:])
    model = softmax_model(units) if units > 1 else binary_model()
    model.compile("sgd", loss, metrics=["accuracy", "acc"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["acc", "accuracy", "loss"]
    kinds = {type(m).__name__ for m in model.metrics if m.name in ("acc", "accuracy")}
    assert kinds == {metric_class}
    predicted = model.predict(x, verbose=0)
    if units == 1:
        expected = np.mean((predicted > 0.5) == (y > 0.5))
    else:
        expected = np.mean(predicted.argmax(-1) == classes)
    np.testing.assert_allclose(logs["accuracy"], expected, rtol=1e-6)


@pytest.mark.parametrize("name", ["crossentropy", "ce"])
@pytest.mark.parametrize(
    "units, target, expected",
    [
        (1, "binary", "binary_crossentropy"),
        (3, "sparse", "sparse_categorical_crossentropy"),
        (3, "onehot", "categorical_crossentropy"),
    ],
)
def test_crossentropy_loss_is_resolved_from_the_shapes(name, units, target, expected):
    x, y_bin, classes, _ = data(12)
    y = {
        "binary": y_bin,
        "sparse": classes,
        "onehot": np.eye(3, dtype="float32")[classes],
    }[target]
    model = softmax_model(units) if units > 1 else binary_model()
    model.compile("sgd", name, metrics=[name])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    reference = lamina.losses.get(expected)(
        torch.as_tensor(y), torch.as_tensor(model.predict(x, verbose=0))
    )
    np.testing.assert_allclose(logs["loss"], float(reference.mean()), rtol=1e-5)
    np.testing.assert_allclose(logs[name], logs["loss"], rtol=1e-5)


def test_metric_log_names_follow_the_strings_given():
    x, y, _, _ = data(12)
    model = binary_model()
    model.compile(
        "sgd",
        "mse",
        metrics=[
            "mse",
            "mean_absolute_error",
            lamina.metrics.AUC(name="my_auc"),
            lamina.losses.mean_squared_logarithmic_error,
        ],
    )
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == sorted(
        [
            "loss",
            "mse",
            "mean_absolute_error",
            "my_auc",
            "mean_squared_logarithmic_error",
        ]
    )


def _custom_mse(y_true, y_pred):
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@pytest.mark.parametrize(
    "loss",
    [
        "mse",
        "mean_squared_error",
        lamina.losses.MeanSquaredError(),
        lamina.losses.mean_squared_error,
        _custom_mse,
    ],
)
def test_loss_as_a_string_an_object_or_a_function(loss):
    x, _, _, y = data(20)
    model = binary_model()
    model.compile("sgd", loss)
    expected = np.mean((model.predict(x, verbose=0) - y) ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-5)


def test_metrics_as_objects_and_functions():
    x, _, _, y = data(20)
    model = binary_model()
    model.compile(
        "sgd",
        "mse",
        metrics=[lamina.metrics.MeanAbsoluteError(), _custom_mse],
    )
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert sorted(logs) == ["_custom_mse", "loss", "mean_absolute_error"]
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(
        logs["mean_absolute_error"], np.mean(np.abs(pred - y)), rtol=1e-5
    )
    np.testing.assert_allclose(logs["_custom_mse"], logs["loss"], rtol=1e-5)


class _ActivityLoss(lamina.layers.Layer):
    def call(self, inputs):
        self.add_loss(torch.mean(torch.square(inputs)))
        return inputs


def test_compile_without_loss_trains_on_add_loss_alone():
    x, _, _, _ = data(16)
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential(
        [lamina.Input((4,)), lamina.layers.Dense(3), _ActivityLoss()]
    )
    model.compile(lamina.optimizers.SGD(0.1))
    expected = np.mean(model.predict(x, verbose=0) ** 2)
    np.testing.assert_allclose(model.evaluate(x, verbose=0), expected, rtol=1e-5)
    history = model.fit(x, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_compile_without_loss_and_without_add_loss_is_refused():
    x, y, _, _ = data(8)
    model = binary_model()
    model.compile("sgd")
    with pytest.raises(lamina.errors.ArgumentError, match="no loss"):
        model.fit(x, y, verbose=0)


def test_compile_records_its_arguments():
    model = binary_model()
    model.compile(
        "adam", "mse", run_eagerly=True, jit_compile=False, steps_per_execution=4
    )
    assert model.compiled
    assert isinstance(model.optimizer, lamina.optimizers.Adam)
    assert model.loss == "mse"
    assert model.run_eagerly is True and model.jit_compile is False
    assert model.steps_per_execution == 4
