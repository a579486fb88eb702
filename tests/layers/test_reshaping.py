"""Cropping, ZeroPadding and UpSampling layers: Keras's numbers, configs, errors."""

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
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_reshaping.npz")
)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


# {key: (layer class, kwargs, input name)}, as the fixture script recorded them.
CASES = {
    key: (getattr(layers, name), {k: _tuples(v) for k, v in kwargs.items()}, x_name)
    for key, (name, kwargs, x_name) in json.loads(str(FIXTURE["cases"])).items()
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_matches_keras(key):
    cls, kwargs, x_name = CASES[key]
    x = torch.as_tensor(FIXTURE[x_name])
    layer = cls(**kwargs)
    y = layer(x)
    np.testing.assert_allclose(y.numpy(), FIXTURE[key], rtol=1e-5, atol=1e-5)
    # The symbolic shape agrees with the eager one.
    symbolic = cls(**kwargs)(lamina.Input(shape=tuple(x.shape[1:])))
    assert symbolic.shape == (None, *y.shape[1:])
    # Gradients flow back to the input.
    xg = x.clone().requires_grad_(True)
    cls(**kwargs)(xg).sum().backward()
    assert xg.grad is not None and xg.grad.shape == x.shape


@pytest.mark.parametrize(
    "cls, kwargs, input_shape, output_shape",
    [
        (layers.Cropping1D, {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3)),
        (layers.Cropping2D, {"cropping": ((1, 1), (2, 0))}, (2, 5, 5, 3), (2, 3, 3, 3)),
        (layers.Cropping3D, {}, (1, 4, 4, 4, 2), (1, 2, 2, 2, 2)),
        (layers.ZeroPadding1D, {"padding": 2}, (2, 3, 4), (2, 7, 4)),
        (layers.ZeroPadding2D, {"padding": (1, 2)}, (2, 3, 3, 4), (2, 5, 7, 4)),
        (layers.ZeroPadding3D, {}, (1, 2, 2, 2, 3), (1, 4, 4, 4, 3)),
        (layers.UpSampling1D, {}, (2, 3, 4), (2, 6, 4)),
        (
            layers.UpSampling2D,
            {"interpolation": "bilinear"},
            (2, 3, 3, 4),
            (2, 6, 6, 4),
        ),
        (layers.UpSampling3D, {"size": (1, 2, 1)}, (1, 2, 2, 2, 3), (1, 2, 4, 2, 3)),
    ],
)
def test_layer_basics(cls, kwargs, input_shape, output_shape):
    run_layer_test(
        cls, kwargs, input_shape=input_shape, expected_output_shape=output_shape
    )


def test_configs_match_keras():
    assert layers.Cropping1D().get_config()["cropping"] == (1, 1)
    assert layers.Cropping2D(2).get_config()["cropping"] == ((2, 2), (2, 2))
    assert layers.Cropping3D().get_config()["cropping"] == ((1, 1),) * 3
    config = layers.UpSampling2D().get_config()
    assert (config["size"], config["data_format"], config["interpolation"]) == (
        (2, 2),
        "channels_last",
        "nearest",
    )
    assert layers.UpSampling1D().get_config()["size"] == 2
    assert layers.UpSampling3D().get_config()["size"] == (2, 2, 2)
    assert layers.ZeroPadding1D().get_config()["padding"] == (1, 1)
    assert layers.ZeroPadding2D().get_config()["padding"] == ((1, 1), (1, 1))
    assert layers.ZeroPadding3D(2).get_config()["padding"] == ((2, 2),) * 3
    assert "data_format" not in layers.Cropping1D().get_config()
    assert "data_format" in layers.ZeroPadding1D().get_config()


def test_cropping_is_a_view():
    x = torch.randn(2, 6, 3)
    y = layers.Cropping1D((1, 2))(x)
    assert y.data_ptr() == x[:, 1:].data_ptr()


def test_errors():
    with pytest.raises(ArgumentError, match="cropping"):
        layers.Cropping1D(cropping=(-1, 1))
    with pytest.raises(ArgumentError, match="cropping"):
        layers.Cropping2D(cropping=(1, 2, 3))
    with pytest.raises(ArgumentError, match="padding"):
        layers.ZeroPadding2D(padding=-1)
    with pytest.raises(ArgumentError, match="padding"):
        layers.ZeroPadding3D(padding=((1, 1), (1, -1), (0, 0)))
    with pytest.raises(ArgumentError, match="size=0"):
        layers.UpSampling1D(size=0)
    with pytest.raises(ArgumentError, match="size"):
        layers.UpSampling2D(size=(2, 0))
    with pytest.raises(ArgumentError, match="interpolation"):
        layers.UpSampling2D(interpolation="lanczos5")
    with pytest.raises(ArgumentError, match="data_format"):
        layers.ZeroPadding2D(data_format="NHWC")
    with pytest.raises(ShapeError, match=r"cropping.*\(2, 3, 3\)"):
        layers.Cropping1D((2, 1))(torch.zeros(2, 3, 3))
    with pytest.raises(ShapeError, match="cropping"):
        layers.Cropping2D(2)(lamina.Input(shape=(4, 8, 3)))
    with pytest.raises(ShapeError, match=r"expected ndim=4|4-D"):
        layers.UpSampling2D()(torch.zeros(2, 3, 3))
