"""Files that tf-keras 2.21 writes load in lamina and train on as in tf-keras.

Fixtures come from tests/fixtures/make_tf_keras_files.py (run by hand with tf-keras):
each ``<name>.keras2.npz`` holds the inputs, tf-keras's predictions, and the weights
and predictions after one more ``train_on_batch`` on fixed data.
"""

from __future__ import annotations

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.errors import ArgumentError
from lamina.saving import load_model
from lamina.saving.keras_state import optimizer_state

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")


def _npz(name: str):
    return np.load(os.path.join(FIXTURES, f"{name}.keras2.npz"))


def _check_one_more_step(model, data) -> None:
    """One more train_on_batch lands on tf-keras's weights and predictions."""
    model.train_on_batch(data["batch_x"], data["batch_y"])
    weights = model.get_weights()
    assert len(weights) == len([k for k in data.files if k.startswith("after_w")])
    for i, got in enumerate(weights):
        np.testing.assert_allclose(got, data[f"after_w{i}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        model.predict(data["x0"], verbose=0), data["after_y0"], rtol=1e-5, atol=1e-6
    )
    assert int(model.optimizer.iterations) == int(data["after_iterations"])


def _datasets(path) -> dict[str, tuple]:
    found = {}
    with h5py.File(path, "r") as f:
        f.visititems(
            lambda name, obj: (
                found.__setitem__(name, (obj.shape, obj.dtype.str))
                if isinstance(obj, h5py.Dataset)
                else None
            )
        )
    return found


@pytest.mark.parametrize("name", ["compiled_adam", "nested_graph", "attention_seq"])
def test_tf_keras_keras_files_predict_and_train_on(name):
    data = _npz(name)
    model = load_model(os.path.join(FIXTURES, f"{name}.k2.keras"))
    np.testing.assert_allclose(
        model.predict(data["x0"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6
    )
    _check_one_more_step(model, data)


def test_tf_keras_adam_state_is_restored():
    data = _npz("compiled_adam")
    model = load_model(os.path.join(FIXTURES, "compiled_adam.k2.keras"))
    optimizer = model.optimizer
    assert type(optimizer).__name__ == "Adam"
    assert float(optimizer.learning_rate) == pytest.approx(0.01)
    # tf-keras's state is iterations then (m, v) per variable, with no learning rate.
    state = optimizer_state(optimizer, keras2=True)
    stored = [data[f"opt{i}"] for i in range(len(state))]
    assert len(stored) == len([k for k in data.files if k.startswith("opt")])
    assert int(optimizer.iterations) == int(stored[0]) == 6
    for got, want in zip(state[1:], stored[1:]):
        np.testing.assert_allclose(got.detach().cpu().numpy(), want, rtol=1e-6)


def test_keras2_layout_of_a_tf_keras_attention_model(tmp_path):
    # tf-keras keeps MultiHeadAttention's projections as `_query_dense`, ...
    path = os.path.join(FIXTURES, "attention_seq.k2.keras")
    model = load_model(path)
    model.save_weights(tmp_path / "k2.weights.h5", layout="keras2")
    with zipfile.ZipFile(path) as zf:
        (tmp_path / "tf.weights.h5").write_bytes(zf.read("model.weights.h5"))
    expected = _datasets(tmp_path / "tf.weights.h5")
    assert "layers/multi_head_attention/_query_dense/vars/0" in expected
    assert _datasets(tmp_path / "k2.weights.h5") == {
        k: v for k, v in expected.items() if not k.startswith("metrics/")
    }


def _rewrite_archive(src: str, dst, edit_config, keep_metadata: bool) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "config.json":
                config = json.loads(data)
                edit_config(config)
                data = json.dumps(config).encode()
            if info.filename == "metadata.json" and not keep_metadata:
                continue
            zout.writestr(info.filename, data)


def test_tf_keras_nested_models_keep_their_calls():
    # Keras 3.15 fails on this file: tf-keras numbers a nested model's calls from 1.
    model = load_model(os.path.join(FIXTURES, "nested_graph.k2.keras"))
    assert isinstance(model.get_layer("block"), lamina.Sequential)
    assert isinstance(model.get_layer("head"), lamina.Model)
    # The Sequential is called twice in the graph, the functional model once.
    calls = {e["name"]: len(e["inbound_nodes"]) for e in model.get_config()["layers"]}
    assert (calls["block"], calls["head"]) == (2, 1)


@pytest.mark.parametrize("keep_metadata", [True, False])
def test_tf_keras_nested_models_rebuild_in_graph_order(tmp_path, keep_metadata):
    # The same file with its layers listed from the output back to the input, and
    # (without metadata.json) recognised as tf-keras's by its Keras 2 graph nodes.
    def reverse(config):
        config["config"]["layers"].reverse()

    path = tmp_path / "reversed.keras"
    _rewrite_archive(
        os.path.join(FIXTURES, "nested_graph.k2.keras"), path, reverse, keep_metadata
    )
    data = _npz("nested_graph")
    model = load_model(path)
    np.testing.assert_allclose(
        model.predict(data["x0"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6
    )


def test_shared_layer_calls_keep_their_numbers_in_any_config_order():
    # `shared` is first called on a deep tensor (node 0), then on the input (node 1):
    # rebuilt from a config listed backwards, node 1's input is ready first, yet
    # it must stay the layer's second call.
    x = lamina.Input((3,))
    shared = layers.Dense(3, name="shared")
    first = shared(layers.Dense(3, name="deep")(x))
    second = layers.Dense(2)(shared(x))
    model = lamina.Model(x, layers.Concatenate()([first, second]))
    config = model.get_config()
    config["layers"].reverse()
    again = lamina.Model.from_config(config)
    again.set_weights(model.get_weights())
    v = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(
        again.predict(v, verbose=0), model.predict(v, verbose=0), rtol=1e-6
    )


class _Subclassed(lamina.Model):
    """tests/fixtures/make_tf_keras_files.py's model, attribute for attribute."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.proj = layers.Dense(5, activation="relu")
        self.bn = layers.BatchNormalization()
        self.head = layers.Dense(2)

    def call(self, x, training=None):
        return self.head(self.bn(self.proj(x), training=training))


def _subclassed(data):
    model = _Subclassed()
    model(data["x0"])
    model.compile(optimizer=lamina.optimizers.Adam(learning_rate=0.02), loss="mse")
    return model


def test_tf_keras_subclassed_weights_load_and_train():
    data = _npz("subclassed_bn")
    model = _subclassed(data)
    model.load_weights(os.path.join(FIXTURES, "subclassed_bn.k2.weights.h5"))
    np.testing.assert_allclose(
        model.predict(data["x0"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6
    )
    assert int(model.optimizer.iterations) == 4
    _check_one_more_step(model, data)


def test_keras2_layout_writes_tf_keras_paths(tmp_path):
    data = _npz("subclassed_bn")
    model = _subclassed(data)
    source = os.path.join(FIXTURES, "subclassed_bn.k2.weights.h5")
    model.load_weights(source)
    model.save_weights(tmp_path / "k2.weights.h5", layout="keras2")
    model.save_weights(tmp_path / "k3.weights.h5")
    written = _datasets(tmp_path / "k2.weights.h5")
    # tf-keras's names, shapes and dtypes (int64 iterations), less metric states.
    expected = {
        k: v for k, v in _datasets(source).items() if not k.startswith("metrics/")
    }
    assert written == expected
    with h5py.File(source) as want, h5py.File(tmp_path / "k2.weights.h5") as got:
        for name in expected:
            np.testing.assert_array_equal(got[name][()], want[name][()])
    # The default stays Keras 3's layout (as Keras 3.15 writes this model: forward
    # order, `proj` reached through `layers`), with the learning rate stored.
    assert {"bn/vars/0", "head/vars/0", "layers/dense/vars/0", "optimizer/vars/13"} <= (
        set(_datasets(tmp_path / "k3.weights.h5"))
    )
    # Both layouts load back (the file's layout is recognised) and resume alike.
    for name in ("k2.weights.h5", "k3.weights.h5"):
        again = _subclassed(data)
        again.load_weights(tmp_path / name)
        _check_one_more_step(again, data)


def test_keras2_layout_of_graph_models_and_unbuilt_optimizers(tmp_path):
    model = lamina.Sequential(
        [layers.Input((3,)), layers.Dense(4), layers.BatchNormalization()]
    )
    model.compile(optimizer="adam", loss="mse")
    model.save_weights(tmp_path / "k2.weights.h5", layout="keras2")
    model.save_weights(tmp_path / "k3.weights.h5")
    k2, k3 = (
        _datasets(tmp_path / "k2.weights.h5"),
        _datasets(tmp_path / "k3.weights.h5"),
    )
    # A graph model's layers sit under `layers/` in both; an unbuilt optimizer
    # stores only `iterations` in tf-keras (Keras 3 adds its learning rate).
    assert {k for k in k2 if k.startswith("layers/")} == {
        k for k in k3 if k.startswith("layers/")
    }
    assert k2["optimizer/vars/0"] == ((), "<i8")
    assert "optimizer/vars/1" not in k2 and "optimizer/vars/1" in k3


def test_save_weights_layout_argument(tmp_path):
    model = lamina.Sequential([layers.Input((2,)), layers.Dense(1)])
    with pytest.raises(ArgumentError, match="layout must be"):
        model.save_weights(tmp_path / "w.weights.h5", layout="keras4")
    with pytest.raises(ArgumentError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.h5", layout="keras3")
    # layout="keras2" with a legacy `.h5` name is Keras 2's legacy layout, as before.
    model.save_weights(tmp_path / "w.h5", layout="keras2")
    with h5py.File(tmp_path / "w.h5") as f:
        assert "layer_names" in f.attrs
