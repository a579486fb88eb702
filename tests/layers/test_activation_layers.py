"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, against Keras."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch

from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_core.npz")
)
X3 = torch.as_tensor(FIXTURE["x3"])


def close(actual, name):
    np.testing.assert_allclose(
        np.asarray(actual.detach()), FIXTURE[name], rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.ReLU, {}),
        (layers.ReLU, {"max_value": 6.0, "negative_slope": 0.1}),
        (layers.LeakyReLU, {"negative_slope": 0.2}),
        (layers.ELU, {"alpha": 0.5}),
        (layers.Softmax, {"axis": 1}),
    ],
)
def test_stateless_activation_layers(cls, kwargs):
    layer = run_layer_test(
        cls,
        kwargs,
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        supports_masking=True,
    )
    for key, value in kwargs.items():
        assert layer.get_config()[key] == value


@pytest.mark.parametrize(
    "name, layer",
    [
        ("relu_default", layers.ReLU()),
        ("relu_custom", layers.ReLU(max_value=1.0, negative_slope=0.1, threshold=0.5)),
        ("leaky_relu_default", layers.LeakyReLU()),
        ("leaky_relu_0.1", layers.LeakyReLU(negative_slope=0.1)),
        ("elu_default", layers.ELU()),
        ("elu_0.5", layers.ELU(alpha=0.5)),
        ("softmax_default", layers.Softmax()),
        ("softmax_axis1", layers.Softmax(axis=1)),
        ("softmax_axis12", layers.Softmax(axis=(1, 2))),
    ],
)
def test_matches_keras(name, layer):
    close(layer(X3), name)


def test_config_defaults_match_keras():
    assert layers.LeakyReLU().get_config()["negative_slope"] == 0.3
    config = layers.ReLU().get_config()
    assert (config["max_value"], config["negative_slope"], config["threshold"]) == (
        None,
        0.0,
        0.0,
    )
    assert layers.ELU().get_config()["alpha"] == 1.0
    assert layers.Softmax().get_config()["axis"] == -1
    assert layers.ReLU().name.startswith("re_lu")


def test_leaky_relu_keras2_alpha_warns_once():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.LeakyReLU(alpha=0.1)
        layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.1
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) <= 1  # once per process (another test may come first)
    close(layer(X3), "leaky_relu_0.1")


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: layers.ReLU(max_value=-1.0), "max_value=-1.0"),
        (lambda: layers.ReLU(negative_slope=-0.1), "negative_slope=-0.1"),
        (lambda: layers.ReLU(threshold=None), "threshold=None"),
        (lambda: layers.LeakyReLU(negative_slope=None), "negative_slope=None"),
        (lambda: layers.LeakyReLU(negative_slope=-1), "negative_slope=-1"),
    ],
)
def test_invalid_arguments(make, match):
    with pytest.raises(ArgumentError, match=match):
        make()


def test_prelu():
    run_layer_test(
        layers.PReLU,
        {},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_weight_shapes=[(3, 4)],
        supports_masking=True,
    )
    run_layer_test(
        layers.PReLU,
        {"shared_axes": [1, 2]},
        input_shape=(2, 5, 5, 3),
        expected_output_shape=(2, 5, 5, 3),
        expected_num_trainable_weights=1,
        expected_weight_shapes=[(1, 1, 3)],
    )
    layer = layers.PReLU()
    layer.build((None, 5, 6))
    assert layer.weights[0].name == "alpha"
    layer.set_weights([FIXTURE["prelu_alpha"]])
    close(layer(X3), "prelu")
    shared = layers.PReLU(shared_axes=1)
    shared.build((None, 5, 6))
    shared.set_weights([FIXTURE["prelu_shared_alpha"]])
    close(shared(X3), "prelu_shared")
    with pytest.raises(ShapeError, match="expected axis 2"):
        layer(torch.zeros(2, 5, 7))
    with pytest.raises(ShapeError, match="shared_axes"):
        layers.PReLU(shared_axes=[3])(torch.zeros(2, 5, 6))


def test_softmax_mask():
    mask = torch.as_tensor(FIXTURE["mask_3"])
    close(layers.Softmax()(X3, mask=mask), "softmax_masked")
    # A mask on the input tensor is used too; fully masked rows are all zero.
    x = torch.randn(2, 3)
    x._keras_mask = torch.tensor([[True, False, True], [False, False, False]])
    y = layers.Softmax()(x)
    assert y[0, 1] == 0 and torch.all(y[1] == 0)
    torch.testing.assert_close(y[0].sum(), torch.tensor(1.0))
    with pytest.raises(ShapeError, match=r"broadcastable.*\(1, 3\).*\(2, 3\)"):
        layers.Softmax()(torch.randn(1, 3), mask=torch.ones(2, 3))
