"""HashedCrossing: Keras's bins (fixtures from make_hashed_crossing.py, Keras
3.15 on TensorFlow), configs, shapes, errors and its place in a model."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError

with open(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "hashed_crossing.json"),
    encoding="utf-8",
) as _file:
    CASES = json.load(_file)["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_bins_and_config_match_keras(case):
    layer = layers.HashedCrossing(**case["kwargs"])
    out = layer(tuple(np.array(f) for f in case["features"]))
    assert out.tolist() == case["output"]
    assert str(out.dtype).removeprefix("torch.") == case["dtype"]
    config = layer.get_config()
    assert config.pop("name") == layer.name
    assert config == case["config"]
    assert layers.HashedCrossing.from_config(layer.get_config()).get_config() == (
        layer.get_config()
    )


def test_tensors_lists_and_devices():
    ints = torch.tensor([1, 2, 3])
    layer = layers.HashedCrossing(num_bins=5)
    expected = layer((np.array([1, 2, 3]), np.array([4, 5, 6])))
    assert torch.equal(layer([ints, torch.tensor([4, 5, 6])]), expected)
    assert torch.equal(layer((ints.int(), [4, 5, 6])), expected)
    assert layer((ints, ["a", "b", "c"])).device == ints.device


def test_errors():
    layer = layers.HashedCrossing(num_bins=3)
    with pytest.raises(ArgumentError, match="at least two"):
        layer((np.array([1, 2]),))
    with pytest.raises(ShapeError, match="equal shape"):
        layer((np.array([1, 2]), np.array([1, 2, 3])))
    with pytest.raises(ShapeError, match=r"\(batch_size, 1\)"):
        layer((np.ones((2, 2), "int64"), np.ones((2, 2), "int64")))
    with pytest.raises(ArgumentError, match="integer or string"):
        layer((np.array([1.5, 2.0]), np.array([1, 2])))
    with pytest.raises(ArgumentError, match="output_mode"):
        layers.HashedCrossing(3, output_mode="multi_hot")
    with pytest.raises(ArgumentError, match="sparse"):
        layers.HashedCrossing(3, sparse=True)
    with pytest.raises(ArgumentError, match="num_bins"):
        layers.HashedCrossing(0)


def test_in_a_functional_model_and_shapes():
    a = lamina.Input(shape=(1,), dtype="int64")
    b = lamina.Input(shape=(1,), dtype="int64")
    crossed = layers.HashedCrossing(num_bins=8, output_mode="one_hot")((a, b))
    assert crossed.shape == (None, 8)
    model = lamina.Model([a, b], layers.Dense(2)(crossed))
    out = model([torch.tensor([[1], [2]]), torch.tensor([[3], [4]])])
    assert out.shape == (2, 2)
    int_layer = layers.HashedCrossing(num_bins=8)
    assert int_layer.compute_output_shape([(None, 1), (None, 1)]) == (None, 1)
    assert int_layer.compute_output_shape([(None,), (None,)]) == (None,)
