"""MelSpectrogram and STFTSpectrogram: Keras's numbers (fixtures from
make_layers_signal.py, real Keras 3.15 on torch), configs, weights, shapes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError
from tests.layer_test_utils import run_layer_test

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(HERE, "layers_signal.json")) as _file:
    FIXTURE = json.load(_file)
ARRAYS = np.load(os.path.join(HERE, "layers_signal.npz"))
CASES = FIXTURE["cases"]


def _layer(case):
    return getattr(layers, case["layer"])(**case["kwargs"])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_outputs_match_keras(case):
    layer = _layer(case)
    out = layer(torch.as_tensor(ARRAYS[f"input/{case['input']}"]))
    expected = ARRAYS[case["name"]]
    assert out.dtype == torch.float32
    # STFTSpectrogram runs Keras's arithmetic; MelSpectrogram's FFT (torch.stft
    # in both) and mel filters differ by ulps, a few 1e-4 dB out of 50.
    mel = case["layer"] == "MelSpectrogram"
    np.testing.assert_allclose(
        out.detach().numpy(),
        expected,
        rtol=1e-4 if mel else 1e-6,
        atol=5e-4 if mel else 1e-6,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_configs_and_weights_match_keras(case):
    layer = _layer(case)
    layer(torch.as_tensor(ARRAYS[f"input/{case['input']}"]))
    config = json.loads(json.dumps(layer.get_config()))
    config.pop("name")
    config.pop("dtype")
    expected = FIXTURE["configs"][case["name"]]
    assert config == expected["config"]
    assert [w.name for w in layer.weights] == expected["weights"]
    for weight in layer.weights:
        np.testing.assert_allclose(
            weight.detach().numpy(), ARRAYS[f"{case['name']}/{weight.name}"], atol=1e-6
        )
    assert (
        type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    )


def test_basics_and_symbolic_shapes():
    run_layer_test(
        layers.STFTSpectrogram,
        {"frame_length": 32, "frame_step": 8},
        input_shape=(2, 100, 3),
        expected_output_shape=(2, 9, 3 * 17),
        expected_num_trainable_weights=2,
    )
    run_layer_test(
        layers.STFTSpectrogram,
        {
            "mode": "real",
            "frame_length": 16,
            "expand_dims": True,
            "padding": "same",
            "data_format": "channels_first",
        },
        input_shape=(2, 3, 40),
        expected_output_shape=(2, 3, 5, 9),
        expected_num_trainable_weights=1,
    )
    run_layer_test(
        layers.MelSpectrogram,
        {
            "fft_length": 64,
            "sequence_stride": 16,
            "num_mel_bins": 8,
            "sampling_rate": 8000,
        },
        input_shape=(2, 100),
        expected_output_shape=(2, 8, 7),
    )
    frozen = layers.STFTSpectrogram(frame_length=16, trainable=False)
    frozen.build((None, 50, 1))
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2


def test_stft_kernels_train_in_a_model():
    model = lamina.Sequential(
        [
            lamina.Input(shape=(64, 1)),
            layers.STFTSpectrogram(mode="magnitude", frame_length=16),
            layers.GlobalAveragePooling1D(),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    kernel = model.layers[0].real_kernel.detach().clone()
    x = np.random.default_rng(0).standard_normal((8, 64, 1)).astype("float32")
    model.fit(x, np.ones((8, 1), "float32"), verbose=0)
    assert not torch.equal(model.layers[0].real_kernel.detach(), kernel)


def test_errors():
    with pytest.raises(ArgumentError, match="frame_step"):
        layers.STFTSpectrogram(frame_length=16, frame_step=32)
    with pytest.raises(ArgumentError, match="fft_length"):
        layers.STFTSpectrogram(frame_length=64, fft_length=32)
    with pytest.warns(UserWarning, match="power of two"):
        layers.STFTSpectrogram(frame_length=16, fft_length=48)
    with pytest.raises(ArgumentError, match="mode"):
        layers.STFTSpectrogram(mode="phase")
    with pytest.raises(ArgumentError, match="window"):
        layers.STFTSpectrogram(window="no_such_window")
    with pytest.raises(TypeError, match="float"):
        layers.STFTSpectrogram(frame_length=8)(torch.ones(1, 20, 1, dtype=torch.int64))
    with pytest.raises(ArgumentError, match="fft_length"):
        layers.MelSpectrogram(fft_length=256, sequence_length=512)
