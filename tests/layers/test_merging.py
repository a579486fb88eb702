"""Merging layers and their functional forms, against Keras."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_core.npz")
)
X3, Y3, Z3 = (torch.as_tensor(FIXTURE[k]) for k in ("x3", "y3", "z3"))


def close(actual, name):
    np.testing.assert_allclose(
        np.asarray(actual.detach()), FIXTURE[name], rtol=1e-6, atol=1e-6
    )


def masked(x, key):
    x = x.clone()
    x._keras_mask = torch.as_tensor(FIXTURE[key])
    return x


@pytest.mark.parametrize(
    "cls", [layers.Add, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum]
)
def test_elementwise_basics(cls):
    run_layer_test(
        cls,
        {},
        input_shape=[(2, 3, 4), (2, 3, 4)],
        expected_output_shape=(2, 3, 4),
        supports_masking=True,
    )


def test_other_basics():
    run_layer_test(
        layers.Subtract, {}, input_shape=[(2, 4), (2, 4)], expected_output_shape=(2, 4)
    )
    run_layer_test(
        layers.Concatenate,
        {"axis": 1},
        input_shape=[(2, 3, 4), (2, 5, 4)],
        expected_output_shape=(2, 8, 4),
    )
    run_layer_test(
        layers.Dot,
        {"axes": (1, 2)},
        input_shape=[(2, 3, 5), (2, 4, 3)],
        expected_output_shape=(2, 5, 4),
    )
    run_layer_test(
        layers.Dot,
        {"axes": 1, "normalize": True},
        input_shape=[(2, 4), (2, 4)],
        expected_output_shape=(2, 1),
    )


@pytest.mark.parametrize(
    "name, fn, inputs",
    [
        ("add", layers.add, [X3, Y3, Z3]),
        ("add_broadcast", layers.add, [X3, torch.as_tensor(FIXTURE["v2"])]),
        ("subtract", layers.subtract, [X3, Y3]),
        ("multiply", layers.multiply, [X3, Y3, Z3]),
        ("average", layers.average, [X3, Y3, Z3]),
        ("maximum", layers.maximum, [X3, Y3, Z3]),
        ("minimum", layers.minimum, [X3, Y3, Z3]),
        ("concatenate", layers.concatenate, [X3, Y3]),
        ("concatenate_axis1", lambda i: layers.concatenate(i, axis=1), [X3, Y3]),
        (
            "dot_2d",
            lambda i: layers.dot(i, axes=1),
            [torch.as_tensor(FIXTURE["x2"]), torch.as_tensor(FIXTURE["w2"])],
        ),
        ("dot_axes2", lambda i: layers.dot(i, axes=2), [X3, Y3]),
        ("dot_axes11", lambda i: layers.dot(i, axes=(1, 1)), [X3, Y3]),
        ("dot_normalize", lambda i: layers.dot(i, axes=2, normalize=True), [X3, Y3]),
    ],
)
def test_matches_keras(name, fn, inputs):
    close(fn(inputs), name)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("maximum", layers.Maximum),
        ("minimum", layers.Minimum),
        ("multiply", layers.Multiply),
        ("add", layers.Add),
    ],
)
def test_masked_merges_match_keras(name, cls):
    y = cls()([masked(X3, "mask_a"), masked(Y3, "mask_b")])
    close(y, f"{name}_masked")
    assert torch.equal(y._keras_mask, torch.as_tensor(FIXTURE[f"{name}_masked_mask"]))


def test_concatenate_mask_matches_keras():
    y = layers.Concatenate(axis=1)([masked(X3, "mask_a"), masked(Y3, "mask_b")])
    assert torch.equal(
        y._keras_mask, torch.as_tensor(FIXTURE["concatenate_masked_mask"])
    )


def test_symbolic_shapes_and_config():
    a, b = lamina.Input((16,)), lamina.Input((16,))
    assert layers.add([a, b]).shape == (None, 16)
    assert layers.concatenate([a, lamina.Input((4,))]).shape == (None, 20)
    assert layers.dot([a, b], axes=1).shape == (None, 1)
    assert layers.Add()([lamina.Input((3, 4)), lamina.Input((4,))]).shape == (
        None,
        3,
        4,
    )
    assert layers.Concatenate(axis=1).get_config()["axis"] == 1
    config = layers.Dot(axes=(1, 2), normalize=True).get_config()
    assert (config["axes"], config["normalize"]) == ((1, 2), True)
    assert layers.Concatenate(axis=1)(
        [lamina.Input((None, 3)), lamina.Input((2, 3))]
    ).shape == (None, None, 3)


def test_incompatible_shapes_name_layer_and_shapes():
    with pytest.raises(ShapeError, match=r"'plus'.*\(3,\) and \(4,\)"):
        layers.Add(name="plus")([torch.zeros(2, 3), torch.zeros(2, 4)])
    with pytest.raises(ShapeError, match=r"'plus2'.*\(3,\) and \(4,\)"):
        layers.Add(name="plus2")([lamina.Input((3,)), lamina.Input((4,))])
    with pytest.raises(ShapeError, match="different batch sizes"):
        layers.Maximum()([torch.zeros(2, 3), torch.zeros(5, 3)])
    with pytest.raises(
        ShapeError, match=r"'cat'.*axis 1.*\[\(2, 3, 1\), \(2, 4, 2\)\]"
    ):
        layers.Concatenate(name="cat")([torch.zeros(2, 3, 1), torch.zeros(2, 4, 2)])
    with pytest.raises(ShapeError, match="same rank"):
        layers.Concatenate()([torch.zeros(2, 3), torch.zeros(2, 3, 1)])
    with pytest.raises(ShapeError, match=r"'d'.*axis values 3.*!= 4"):
        layers.Dot(axes=1, name="d")([torch.zeros(2, 3), torch.zeros(2, 4)])
    # Shapes are also checked on later calls of a built layer.
    add = layers.Add(name="later")
    add([torch.zeros(2, 3), torch.zeros(2, 3)])
    with pytest.raises(ShapeError, match=r"'later'.*\(3,\) and \(5,\)"):
        add([torch.zeros(2, 3), torch.zeros(2, 5)])


def test_bad_arguments():
    with pytest.raises(ArgumentError, match="list of inputs"):
        layers.Add()(torch.zeros(2, 3))
    with pytest.raises(ArgumentError, match="exactly 2 inputs"):
        layers.Subtract()([torch.zeros(2, 3)] * 3)
    with pytest.raises(ArgumentError, match="axes"):
        layers.Dot(axes="1")
    with pytest.raises(ArgumentError, match="axes"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ArgumentError, match="batch axis"):
        layers.Dot(axes=0)([torch.zeros(2, 3), torch.zeros(2, 3)])
    with pytest.raises(ArgumentError, match="axis"):
        layers.Concatenate(axis="last")


def test_merge_in_a_functional_model_trains():
    a, b = lamina.Input((4,)), lamina.Input((4,))
    h = layers.concatenate([layers.Dense(3)(a), layers.Dense(3)(b)])
    out = layers.Dense(1)(layers.add([h, h]))
    model = lamina.Model([a, b], out)
    y = model([torch.randn(5, 4), torch.randn(5, 4)])
    assert tuple(y.shape) == (5, 1)
    y.sum().backward()
    assert all(w.grad is not None for w in model.trainable_weights)
