"""Random regularization layers (tested statistically) and ActivityRegularization."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.errors import ArgumentError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_reshaping.npz")
)

SELU_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


@pytest.mark.parametrize(
    "cls, kwargs, shape",
    [
        (layers.GaussianNoise, {"stddev": 0.5}, (2, 3)),
        (layers.GaussianDropout, {"rate": 0.3}, (2, 3)),
        (layers.AlphaDropout, {"rate": 0.3, "noise_shape": (None, 1)}, (2, 3)),
        (layers.SpatialDropout1D, {"rate": 0.3}, (2, 3, 4)),
        (layers.SpatialDropout2D, {"rate": 0.3}, (2, 3, 3, 4)),
        (
            layers.SpatialDropout3D,
            {"rate": 0.3, "data_format": "channels_first"},
            (2, 3, 2, 2, 2),
        ),
        (layers.ActivityRegularization, {"l1": 0.1}, (2, 3)),
    ],
)
def test_layer_basics(cls, kwargs, shape):
    layer = run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        supports_masking=True,
        deterministic=False,
    )
    x = torch.randn(shape)
    # Outside training every one of them is the identity.
    assert layer(x) is x or torch.equal(layer(x), x)
    assert torch.equal(layer(x, training=False), x)


def test_configs_match_keras():
    config = layers.SpatialDropout2D(0.2, seed=3).get_config()
    assert config == {
        "rate": 0.2,
        "seed": 3,
        "name": config["name"],
        "dtype": "float32",
        "data_format": "channels_last",
    }
    assert list(layers.SpatialDropout1D(0.2).get_config()) == [
        "rate",
        "seed",
        "name",
        "dtype",
    ]
    config = layers.GaussianNoise(0.1).get_config()
    assert (config["stddev"], config["seed"]) == (0.1, None)
    config = layers.AlphaDropout(0.1, noise_shape=[None, 1]).get_config()
    assert (config["rate"], config["noise_shape"]) == (0.1, (None, 1))
    config = layers.ActivityRegularization(l1=0.1).get_config()
    assert (config["l1"], config["l2"]) == (0.1, 0.0)
    assert "activity_regularizer" not in config
    # A Keras 2 config of a spatial dropout carries noise_shape and trainable.
    layer = layers.SpatialDropout2D.from_config(
        {
            "name": "s",
            "trainable": True,
            "dtype": "float32",
            "rate": 0.5,
            "noise_shape": None,
            "seed": None,
            "data_format": "channels_first",
        }
    )
    assert layer.data_format == "channels_first"


def test_gaussian_noise_distribution():
    layer = layers.GaussianNoise(0.3)
    x = torch.full((200_000,), 2.0)
    noise = layer(x, training=True) - x
    assert abs(noise.mean().item()) < 0.003
    assert abs(noise.std().item() - 0.3) < 0.003
    # Seeded layers draw the same noise.
    a = layers.GaussianNoise(0.3, seed=7)(x[:10], training=True)
    b = layers.GaussianNoise(0.3, seed=7)(x[:10], training=True)
    torch.testing.assert_close(a, b)


def test_gaussian_dropout_distribution():
    rate = 0.3
    y = layers.GaussianDropout(rate)(torch.ones(200_000), training=True)
    assert abs(y.mean().item() - 1.0) < 0.005
    assert abs(y.var().item() - rate / (1 - rate)) < 0.01


def test_alpha_dropout_distribution():
    rate = 0.2
    x = torch.randn(400_000)
    y = layers.AlphaDropout(rate, seed=1)(x, training=True)
    # It keeps the mean and variance of unit-normal (SELU) activations.
    assert abs(y.mean().item()) < 0.01
    assert abs(y.var().item() - 1.0) < 0.01
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P**2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    dropped = torch.isclose(y, torch.tensor(a * SELU_ALPHA_P + b))
    assert abs(dropped.float().mean().item() - rate) < 0.005
    torch.testing.assert_close(y[~dropped], a * x[~dropped] + b)


def test_alpha_dropout_noise_shape_broadcasts():
    y = layers.AlphaDropout(0.5, noise_shape=(None, 1), seed=0)(
        torch.zeros(64, 5), training=True
    )
    assert (y == y[:, :1]).all()
    assert len(torch.unique(y[:, 0])) == 2


@pytest.mark.parametrize(
    "cls, kwargs, shape, channel_axis",
    [
        (layers.SpatialDropout1D, {}, (400, 6, 8), 2),
        (layers.SpatialDropout2D, {}, (400, 3, 3, 8), 3),
        (layers.SpatialDropout2D, {"data_format": "channels_first"}, (400, 8, 3, 3), 1),
        (layers.SpatialDropout3D, {}, (400, 2, 2, 2, 8), 4),
        (
            layers.SpatialDropout3D,
            {"data_format": "channels_first"},
            (400, 8, 2, 2, 2),
            1,
        ),
    ],
)
def test_spatial_dropout_drops_whole_channels(cls, kwargs, shape, channel_axis):
    rate = 0.25
    y = cls(rate, **kwargs)(torch.ones(shape), training=True)
    # Every (example, channel) map is all zeros or all 1 / (1 - rate).
    spatial = [d for d in range(1, len(shape)) if d != channel_axis]
    first = y.amin(dim=spatial)
    torch.testing.assert_close(y.amax(dim=spatial), first)
    values = torch.unique(first)
    torch.testing.assert_close(values, torch.tensor([0.0, 1 / (1 - rate)]))
    assert abs((first == 0).float().mean().item() - rate) < 0.03


def test_activity_regularization_matches_keras():
    layer = layers.ActivityRegularization(l1=0.01, l2=0.02)
    x = torch.as_tensor(FIXTURE["x4"])
    assert torch.equal(layer(x), x)
    (loss,) = layer.losses
    np.testing.assert_allclose(
        loss.item(), FIXTURE["activity_regularization_loss"], rtol=1e-6
    )


@pytest.mark.parametrize(
    "cls, arg",
    [
        (layers.GaussianNoise, "stddev"),
        (layers.GaussianDropout, "rate"),
        (layers.AlphaDropout, "rate"),
        (layers.SpatialDropout1D, "rate"),
    ],
)
def test_invalid_fractions(cls, arg):
    for value in (-0.1, 1.5, "0.5"):
        with pytest.raises(ArgumentError, match=arg):
            cls(value)


def test_invalid_arguments():
    with pytest.raises(ArgumentError, match="below 1"):
        layers.GaussianDropout(1.0)
    with pytest.raises(ArgumentError, match="below 1"):
        layers.AlphaDropout(1.0)
    with pytest.raises(ArgumentError, match="seed"):
        layers.GaussianNoise(0.1, seed="x")
    with pytest.raises(ArgumentError, match="data_format"):
        layers.SpatialDropout2D(0.1, data_format="channels_middle")
    with pytest.raises(ArgumentError, match="noise_shape"):
        layers.AlphaDropout(0.5, noise_shape=(None, 2))(
            torch.zeros(2, 3, 4), training=True
        )
    assert math.isfinite(
        layers.GaussianDropout(0.999)(torch.ones(3), training=True).sum().item()
    )
