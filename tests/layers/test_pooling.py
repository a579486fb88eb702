"""Pooling layers: max, average, global and adaptive pooling over 1-3 axes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_convolutional.npz"
    )
)
CASES = [
    c
    for c in json.loads(str(FIXTURE["cases"]))
    if "Pooling" in json.loads(str(FIXTURE[f"{c}_spec"]))["class"]
]
CONFIGS = json.loads(str(FIXTURE["configs"]))


@pytest.mark.parametrize("name", CASES)
def test_matches_keras(name):
    spec = json.loads(str(FIXTURE[f"{name}_spec"]))
    layer = getattr(layers, spec["class"])(**spec["kwargs"])
    x = torch.as_tensor(FIXTURE[f"{name}_x"])
    kwargs = {}
    if f"{name}_mask" in FIXTURE:
        kwargs["mask"] = torch.as_tensor(FIXTURE[f"{name}_mask"])
    expected = FIXTURE[f"{name}_y"]
    output = layer(x, **kwargs)
    np.testing.assert_allclose(output.numpy(), expected, rtol=1e-5, atol=1e-6)
    fresh = getattr(layers, spec["class"])(**spec["kwargs"])
    symbolic = fresh(lamina.Input(shape=tuple(x.shape[1:])))
    assert tuple(symbolic.shape) == (None, *expected.shape[1:])


def test_same_average_pooling_counts_only_real_elements():
    # TensorFlow pads one at the end: windows [0, 1, 2], [2, 3, 4], [4, 5, pad].
    x = torch.arange(6.0).reshape(1, 6, 1)
    y = layers.AveragePooling1D(3, strides=2, padding="same")(x)
    np.testing.assert_allclose(y.flatten().numpy(), [1.0, 3.0, 4.5])
    # Padding on both sides (n=5): [pad, 0, 1], [1, 2, 3], [3, 4, pad].
    y = layers.AveragePooling1D(3, strides=2, padding="same")(x[:, :5])
    np.testing.assert_allclose(y.flatten().numpy(), [0.5, 2.0, 3.5])


@pytest.mark.parametrize("cls", [c for c in CONFIGS if "Pool" in c])
def test_config_is_keras(cls):
    keras = CONFIGS[cls]
    kwargs = keras["kwargs"]
    config = getattr(layers, cls)(name="x", **kwargs).get_config()
    assert json.loads(json.dumps(config)) == keras["config"]


@pytest.mark.parametrize(
    "cls, kwargs, shape, out_shape",
    [
        (
            layers.MaxPooling1D,
            {"pool_size": 3, "padding": "same"},
            (2, 7, 3),
            (2, 3, 3),
        ),
        (layers.MaxPooling2D, {}, (2, 5, 5, 3), (2, 2, 2, 3)),
        (layers.MaxPooling3D, {"strides": 1}, (1, 3, 3, 3, 2), (1, 2, 2, 2, 2)),
        (layers.AveragePooling1D, {"pool_size": 2}, (2, 7, 3), (2, 3, 3)),
        (
            layers.AveragePooling2D,
            {"pool_size": 2, "padding": "same"},
            (2, 5, 5, 3),
            (2, 3, 3, 3),
        ),
        (
            layers.AveragePooling3D,
            {"pool_size": 2, "data_format": "channels_first"},
            (1, 2, 4, 4, 4),
            (1, 2, 2, 2, 2),
        ),
        (layers.GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3)),
        (layers.GlobalMaxPooling2D, {"keepdims": True}, (2, 5, 5, 3), (2, 1, 1, 3)),
        (layers.GlobalMaxPooling3D, {}, (1, 3, 3, 3, 2), (1, 2)),
        (
            layers.GlobalAveragePooling1D,
            {"data_format": "channels_first"},
            (2, 5, 3),
            (2, 5),
        ),
        (layers.GlobalAveragePooling2D, {}, (2, 5, 5, 3), (2, 3)),
        (
            layers.GlobalAveragePooling3D,
            {"keepdims": True},
            (1, 3, 3, 3, 2),
            (1, 1, 1, 1, 2),
        ),
        (layers.AdaptiveMaxPooling1D, {"output_size": 2}, (2, 5, 3), (2, 2, 3)),
        (
            layers.AdaptiveMaxPooling2D,
            {"output_size": (2, 3)},
            (2, 5, 5, 3),
            (2, 2, 3, 3),
        ),
        (
            layers.AdaptiveMaxPooling3D,
            {"output_size": 2},
            (1, 3, 3, 3, 2),
            (1, 2, 2, 2, 2),
        ),
        (layers.AdaptiveAveragePooling1D, {"output_size": 2}, (2, 5, 3), (2, 2, 3)),
        (
            layers.AdaptiveAveragePooling2D,
            {"output_size": 2},
            (2, 5, 5, 3),
            (2, 2, 2, 3),
        ),
        (
            layers.AdaptiveAveragePooling3D,
            {"output_size": (1, 2, 3)},
            (1, 3, 3, 3, 2),
            (1, 1, 2, 3, 2),
        ),
    ],
)
def test_layer_contract(cls, kwargs, shape, out_shape):
    run_layer_test(cls, kwargs, input_shape=shape, expected_output_shape=out_shape)


def test_aliases_are_keras_names():
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D


def test_strides_default_to_pool_size():
    layer = layers.MaxPooling2D(pool_size=(3, 2))
    assert layer.strides == (3, 2)
    assert layer(torch.zeros(1, 9, 6, 1)).shape == (1, 3, 3, 1)


def test_channels_last_pooling_keeps_nhwc_contiguous():
    conv = layers.Conv2D(4, 3, padding="same")
    y = layers.MaxPooling2D()(conv(torch.randn(2, 8, 8, 3)))
    assert y.shape == (2, 4, 4, 4) and y.is_contiguous()


def test_global_average_pooling1d_mask_from_embedding():
    embed = layers.Embedding(10, 3, mask_zero=True)
    tokens = torch.tensor([[1, 2, 0, 0], [3, 4, 5, 6]])
    vectors = embed(tokens)
    pooled = layers.GlobalAveragePooling1D()(vectors)
    expected = vectors[0, :2].mean(0)
    torch.testing.assert_close(pooled[0], expected)
    torch.testing.assert_close(pooled[1], vectors[1].mean(0))
    assert getattr(pooled, "_keras_mask", None) is None


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (layers.MaxPooling2D, {"pool_size": 0}, "pool_size=0"),
        (layers.MaxPooling2D, {"pool_size": (2, -1)}, r"pool_size=\(2, -1\)"),
        (layers.AveragePooling1D, {"pool_size": -2}, "pool_size=-2"),
        (layers.MaxPooling3D, {"pool_size": (2, 2)}, "tuple of 3"),
        (layers.MaxPooling2D, {"strides": 0}, "strides=0"),
        (layers.AveragePooling2D, {"pool_size": 2, "strides": -1}, "strides=-1"),
        (layers.MaxPooling2D, {"padding": "causal"}, "padding='causal'"),
        (layers.MaxPooling2D, {"data_format": "NCHW"}, "data_format='NCHW'"),
        (layers.GlobalMaxPooling2D, {"data_format": "last"}, "data_format='last'"),
        (layers.AdaptiveAveragePooling2D, {"output_size": 0}, "output_size=0"),
        (layers.AdaptiveMaxPooling1D, {"output_size": (2, 2)}, "tuple of 1"),
    ],
)
def test_invalid_arguments(cls, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        cls(**kwargs)


def test_wrong_rank_and_too_small_input():
    with pytest.raises(
        ShapeError,
        match=r"'p'.*MaxPooling2D expects a 4-D input "
        r"\(batch, height, width, channels\), received shape "
        r"\(2, 8, 3\)",
    ):
        layers.MaxPooling2D(name="p")(torch.zeros(2, 8, 3))
    with pytest.raises(
        ShapeError,
        match=r"GlobalAveragePooling2D expects a 4-D.*"
        r"\(None, 8, 3\)",
    ):
        layers.GlobalAveragePooling2D()(lamina.Input(shape=(8, 3)))
    with pytest.raises(ShapeError, match=r"pool window.*larger than the input"):
        layers.MaxPooling2D(pool_size=3)(torch.zeros(1, 2, 5, 1))
    with pytest.raises(ShapeError, match=r"pool window.*larger than the input"):
        layers.AveragePooling1D(4)(lamina.Input(shape=(3, 2)))
    assert layers.MaxPooling2D(3, padding="same")(torch.zeros(1, 2, 5, 1)).shape == (
        1,
        1,
        2,
        1,
    )


def test_keras_1_argument_names_warn_and_work():
    with pytest.warns(DeprecationWarning):
        pool = layers.MaxPooling1D(pool_length=3, stride=1, border_mode="same")
    assert (pool.pool_size, pool.strides, pool.padding) == ((3,), (1,), "same")
    with pytest.warns(DeprecationWarning):
        pool = layers.GlobalAveragePooling2D(dim_ordering="th")
    assert pool(torch.ones(2, 3, 4, 5)).shape == (2, 3)
