"""Models with several outputs: per-output losses, weights, metrics and names."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from tests.trainers.trainer_utils import (
    assert_weights_match,
    data,
    fixed_weights,
    keras_numbers,
    two_output_model,
)


def _keras_multi_model():
    model = two_output_model()
    model.set_weights(fixed_weights("multi"))
    model.compile(
        lamina.optimizers.SGD(0.05),
        loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
        loss_weights={"reg": 0.3, "cls": 2.0},
        metrics={"reg": ["mae"], "cls": ["accuracy"]},
    )
    return model


def test_evaluate_matches_keras_with_loss_weights():
    keras = keras_numbers()
    model = _keras_multi_model()
    logs = model.evaluate(
        keras["x"], [keras["y_reg"], keras["y_cls"]], verbose=0, return_dict=True
    )
    expected = {
        k[len("multi/eval/") :]: v
        for k, v in keras.items()
        if k.startswith("multi/eval/")
    }
    assert sorted(logs) == sorted(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(logs[key], value, rtol=1e-5)
    # The total is the weighted sum; the per-output losses are unweighted.
    np.testing.assert_allclose(
        logs["loss"], 0.3 * logs["reg_loss"] + 2.0 * logs["cls_loss"], rtol=1e-5
    )


def test_fit_matches_keras_with_targets_as_a_dict():
    keras = keras_numbers()
    model = _keras_multi_model()
    history = model.fit(
        keras["x"],
        {"reg": keras["y_reg"], "cls": keras["y_cls"]},
        batch_size=8,
        shuffle=False,
        verbose=0,
    )
    for key, values in history.history.items():
        np.testing.assert_allclose(values, keras[f"multi/history/{key}"], rtol=1e-5)
    assert_weights_match(model, "multi")


def test_evaluate_list_order_and_duplicate_names_match_keras():
    keras = keras_numbers()
    model = two_output_model()
    model.set_weights(fixed_weights("order"))
    model.compile(
        "sgd",
        loss=["mse", "sparse_categorical_crossentropy"],
        metrics=[["mae", "mse"], ["accuracy"]],
        weighted_metrics=[["mae"], []],
    )
    targets = [keras["y_reg"], keras["y_cls"]]
    logs = model.evaluate(keras["x"], targets, verbose=0, return_dict=True)
    assert sorted(logs) == keras["order/keys"].tolist()
    values = model.evaluate(keras["x"], targets, verbose=0)
    np.testing.assert_allclose(values, keras["order/values"], rtol=1e-5)


def test_predict_returns_a_list_of_float32_arrays():
    x, _, _, _ = data(10)
    model = two_output_model()
    out = model.predict(x, batch_size=3, verbose=0)
    assert isinstance(out, list) and len(out) == 2
    assert [o.shape for o in out] == [(10, 2), (10, 3)]
    assert all(o.dtype == np.float32 for o in out)
    direct = [t.detach().numpy() for t in model(x, training=False)]
    for a, b in zip(out, direct):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def _targets(n=24):
    x, _, classes, y_reg = data(n)
    return x, np.concatenate([y_reg, -y_reg], axis=1), classes


def test_losses_as_a_list_and_loss_weights_as_a_list():
    x, y_reg, classes = _targets()
    as_list = two_output_model()
    as_list.compile(
        "sgd", ["mse", "sparse_categorical_crossentropy"], loss_weights=[0.5, 1.5]
    )
    as_dict = two_output_model()
    as_dict.compile(
        "sgd",
        {"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 1.5, "reg": 0.5},
    )
    a = as_list.evaluate(x, [y_reg, classes], verbose=0, return_dict=True)
    b = as_dict.evaluate(x, {"cls": classes, "reg": y_reg}, verbose=0, return_dict=True)
    assert a == pytest.approx(b, rel=1e-6)
    assert sorted(a) == ["cls_loss", "loss", "reg_loss"]


def test_one_loss_applies_to_every_output():
    x, y_reg, _ = _targets()
    model = two_output_model()
    model.compile("sgd", "mse")
    y_onehot = np.eye(3, dtype="float32")[np.arange(24) % 3]
    logs = model.evaluate(x, [y_reg, y_onehot], verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    np.testing.assert_allclose(
        logs["reg_loss"], np.mean((pred[0] - y_reg) ** 2), rtol=1e-5
    )
    np.testing.assert_allclose(
        logs["cls_loss"], np.mean((pred[1] - y_onehot) ** 2), rtol=1e-5
    )


def test_an_output_without_loss_is_not_trained_on():
    x, y_reg, _ = _targets()
    model = two_output_model()
    model.compile("sgd", {"reg": "mse"})
    history = model.fit(x, {"reg": y_reg}, verbose=0)
    assert sorted(history.history) == ["loss", "reg_loss"]
    np.testing.assert_allclose(
        history.history["loss"], history.history["reg_loss"], rtol=1e-6
    )


def test_a_flat_metric_list_applies_to_every_output_as_in_keras_2():
    x, y_reg, classes = _targets()
    model = two_output_model()
    model.compile("sgd", ["mse", "mse"], metrics=["mae"])
    y_onehot = np.eye(3, dtype="float32")[classes]
    logs = model.evaluate(x, [y_reg, y_onehot], verbose=0, return_dict=True)
    assert sorted(logs) == ["cls_loss", "cls_mae", "loss", "reg_loss", "reg_mae"]


def test_sample_weight_per_output():
    x, y_reg, classes = _targets()
    weights = np.linspace(0.0, 2.0, 24).astype("float32")
    model = two_output_model()
    model.compile("sgd", ["mse", "sparse_categorical_crossentropy"])
    plain = model.evaluate(x, [y_reg, classes], verbose=0, return_dict=True)
    only_reg = model.evaluate(
        x,
        [y_reg, classes],
        sample_weight={"reg": weights},
        verbose=0,
        return_dict=True,
    )
    as_list = model.evaluate(
        x,
        [y_reg, classes],
        sample_weight=[weights, None],
        verbose=0,
        return_dict=True,
    )
    assert only_reg == pytest.approx(as_list, rel=1e-6)
    np.testing.assert_allclose(only_reg["cls_loss"], plain["cls_loss"], rtol=1e-6)
    assert only_reg["reg_loss"] != pytest.approx(plain["reg_loss"])
    pred = model.predict(x, verbose=0)[0]
    expected = np.mean(np.mean((pred - y_reg) ** 2, axis=1) * weights)
    np.testing.assert_allclose(only_reg["reg_loss"], expected, rtol=1e-5)


def test_validation_split_with_several_outputs():
    x, y_reg, classes = _targets(40)
    model = two_output_model()
    model.compile(
        "sgd", ["mse", "sparse_categorical_crossentropy"], metrics={"cls": "accuracy"}
    )
    history = model.fit(x, [y_reg, classes], validation_split=0.25, verbose=0)
    assert sorted(history.history) == [
        "cls_accuracy",
        "cls_loss",
        "loss",
        "reg_loss",
        "val_cls_accuracy",
        "val_cls_loss",
        "val_loss",
        "val_reg_loss",
    ]
    expected = model.evaluate(
        x[30:], [y_reg[30:], classes[30:]], verbose=0, return_dict=True
    )
    np.testing.assert_allclose(
        history.history["val_cls_loss"], [expected["cls_loss"]], rtol=1e-6
    )


def test_subclassed_model_returning_a_dict():
    class TwoHeads(lamina.Model):
        def __init__(self):
            super().__init__()
            self.a = lamina.layers.Dense(1)
            self.b = lamina.layers.Dense(2)

        def call(self, x):
            return {"a": self.a(x), "b": self.b(x)}

    x, _, _, y = data(16)
    lamina.utils.set_random_seed(0)
    model = TwoHeads()
    model.compile("sgd", {"a": "mse", "b": "mae"})
    # Targets keyed like the outputs; the names follow the dict's sorted keys.
    history = model.fit(x, {"a": y, "b": np.concatenate([y, y], 1)}, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    out = model.predict(x, verbose=0)
    assert isinstance(out, dict) and out["b"].shape == (16, 2)
