"""`Model.quantize` against Keras 3.15: training in float8 and through int8 layers,
a quantized `.keras` file written by Keras, and lamina's own files
(tests/fixtures/quantizers.npz, .json and quantizers_model.keras, written by
make_quantizers.py)."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import layers, quantizers
from lamina.errors import ArgumentError

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURE = np.load(os.path.join(HERE, "quantizers.npz"))
with open(os.path.join(HERE, "quantizers.json")) as f:
    INFO = json.load(f)
KERAS_FILE = os.path.join(HERE, "quantizers_model.keras")


def _quantize(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # InputLayer has no `quantize` (as in Keras)
        model.quantize(*args, **kwargs)


def _set_floats(key: str, model) -> None:
    for layer in model.layers:
        prefix = f"{key}/float/{layer.name}/"
        count = sum(k.startswith(prefix) for k in FIXTURE.files)
        layer.set_weights([FIXTURE[f"{prefix}{i}"] for i in range(count)])


def _assert_step(key: str, model, step: int) -> None:
    for layer in model.layers:
        for w in layer.weights:
            np.testing.assert_allclose(
                w.detach().numpy(),
                FIXTURE[f"{key}/step{step}/{layer.name}/{w.name}"],
                rtol=1e-6,
                atol=1e-7,
                err_msg=f"step {step}, {w.path}",
            )


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("dense_float8", lambda: layers.Dense(6, name="f8")),
        (
            "einsum_float8",
            lambda: layers.EinsumDense("ab,bc->ac", 6, bias_axes="c", name="f8"),
        ),
    ],
)
def test_float8_training_is_keras(name, make):
    """Three SGD steps: kernel, bias, and every scale and amax history."""
    key = f"train/{name}"
    model = lamina.Sequential([lamina.Input((10,)), make()])
    _set_floats(key, model)
    _quantize(model, "float8")
    assert [w.path for w in model.weights] == INFO[key]["names"]
    model.compile(lamina.optimizers.SGD(0.1), "mse")
    x, y = FIXTURE[f"{key}/x"], FIXTURE[f"{key}/y"]
    _assert_step(key, model, 0)
    for step in range(1, 4):
        model.train_on_batch(x, y)
        _assert_step(key, model, step)
    np.testing.assert_allclose(
        model.predict(x, verbose=0), FIXTURE[f"{key}/predict"], rtol=1e-6, atol=1e-6
    )
    # The scales are Keras-trainable but no optimizer updates them.
    layer = model.layers[0]
    assert any(w is layer.inputs_scale for w in layer.trainable_weights)
    assert len(model.optimizer.variables) == 2  # iterations, learning rate


def test_training_through_an_int8_layer_is_keras():
    key = "train/int8_after_float"
    model = lamina.Sequential(
        [
            lamina.Input((10,)),
            layers.Dense(7, activation="relu", name="float"),
            layers.Dense(6, name="q8"),
        ]
    )
    _set_floats(key, model)
    model.quantize("int8", filters="q8")
    assert [w.path for w in model.weights] == INFO[key]["names"]
    model.compile(lamina.optimizers.SGD(0.1), "mse")
    for step in range(1, 3):
        model.train_on_batch(FIXTURE[f"{key}/x"], FIXTURE[f"{key}/y"])
        _assert_step(key, model, step)


def test_a_quantized_keras_file_loads_with_keras_predictions():
    model = lamina.models.load_model(KERAS_FILE)
    x = FIXTURE["model/x"]
    np.testing.assert_array_equal(model.predict(x, verbose=0), FIXTURE["model/predict"])
    assert sorted(w.path for w in model.weights) == sorted(INFO["model"]["paths"])
    for w in model.weights:
        np.testing.assert_array_equal(
            w.detach().numpy(), FIXTURE[f"model/var/{w.path}"]
        )
    assert [v.path for v in model.optimizer.variables] == INFO["model"][
        "optimizer_variables"
    ]
    lines = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines).strip() == "\n".join(INFO["model"]["summary"]).strip()
    # The optimizer state resumes: one more step gives Keras's model.
    model.train_on_batch(x[:4], FIXTURE["model/y"][:4])
    np.testing.assert_allclose(
        model.predict(x, verbose=0), FIXTURE["model/after_step"], rtol=1e-5, atol=1e-6
    )


def _mixed_model():
    torch.manual_seed(0)
    inputs = lamina.Input((5,), dtype="int32")
    x = layers.Embedding(20, 8, name="emb")(inputs)
    x = layers.EinsumDense("abc,cd->abd", (5, 6), bias_axes="d", name="ein")(x)
    x = layers.Dense(4, name="dense_f8")(x)
    outputs = layers.Dense(3, name="dense_q")(x)
    return lamina.Model(inputs, outputs)


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_quantized_models_round_trip_through_files(tmp_path, suffix):
    model = _mixed_model()
    model.quantize("int8", filters=["emb", "dense_q"])
    model.quantize(
        config=quantizers.Int4QuantizationConfig(block_size=4), filters="ein"
    )
    model.quantize("float8", filters=lambda layer: layer.name == "dense_f8")
    model.compile(lamina.optimizers.Adam(0.01), "mse")
    x = np.random.default_rng(0).integers(0, 20, size=(6, 5))
    model.fit(x, np.ones((6, 5, 3), "float32"), epochs=1, batch_size=3, verbose=0)
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / f"model{suffix}")
    if suffix == ".keras":
        model.save(path)
        loaded = lamina.models.load_model(path)
    else:
        model.save_weights(path)
        loaded = _mixed_model()
        _quantize(loaded, "int8", filters=["emb", "dense_q"])
        _quantize(
            loaded,
            config=quantizers.Int4QuantizationConfig(block_size=4),
            filters="ein",
        )
        _quantize(loaded, "float8", filters="dense_f8")
        loaded.load_weights(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
    modes = {layer.name: layer.quantization_mode for layer in loaded.layers[1:]}
    assert modes == {
        "emb": "int8",
        "ein": "int4",
        "dense_f8": "float8",
        "dense_q": "int8",
    }


def test_quantize_arguments():
    model = _mixed_model()
    with pytest.raises(ArgumentError, match="Unrecognized keyword arguments"):
        model.quantize("int8", colour="blue")
    with pytest.raises(ArgumentError, match="`filters` argument must be"):
        model.quantize("int8", filters=3)
    with pytest.warns(UserWarning, match="InputLayer does not have a `quantize`"):
        model.quantize("int8", filters="^(emb|input.*)$")
    assert [layer.quantization_mode for layer in model.layers[1:]] == [
        "int8",
        None,
        None,
        None,
    ]


def test_float8_scales_stay_out_of_the_optimizer_and_frozen_layers_keep_them():
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3)])
    _quantize(model, "float8")
    layer = model.layers[0]
    model.trainable = False
    model.trainable = True
    assert not layer.inputs_scale.requires_grad and layer.kernel.requires_grad
    model.compile(lamina.optimizers.Adam(), "mse")
    x, y = np.ones((4, 4), "float32"), np.zeros((4, 3), "float32")
    model.fit(x, y, epochs=2, verbose=0)  # the 2nd step's scale: 1st step's amax
    assert float(layer.inputs_scale) == pytest.approx(1 / 448)
    paths = [v.path for v in model.optimizer.variables]
    assert len(paths) == 2 + 2 * 2, paths  # momentum and velocity: kernel, bias
    assert not any("scale" in p or "history" in p for p in paths)
    layer.trainable = False
    before = layer.inputs_amax_history.detach().clone()
    out = model(torch.full((2, 4), 5.0, requires_grad=True), training=True)
    out.sum().backward()
    torch.testing.assert_close(layer.inputs_amax_history.detach(), before)
