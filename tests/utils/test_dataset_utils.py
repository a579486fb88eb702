"""lamina.utils.split_dataset and the BatchDataset it returns."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import lamina
from lamina.errors import ArgumentError
from lamina.utils.dataset_utils import BatchDataset


def test_split_arrays_in_order_and_sizes():
    data = np.arange(20).reshape(10, 2)
    left, right = lamina.utils.split_dataset(data, left_size=0.7)
    assert len(left) == 7 and len(right) == 3
    np.testing.assert_array_equal(left[0], data[0])
    np.testing.assert_array_equal(right[2], data[9])
    left, right = lamina.utils.split_dataset(data, left_size=3, right_size=4)
    np.testing.assert_array_equal(np.stack(list(right)), data[6:])  # the last four
    assert len(left) == 3


def test_split_shuffles_as_keras_and_keeps_pairs():
    x = np.arange(12)
    y = x * 10
    left, right = lamina.utils.split_dataset(
        (x, y), right_size=0.25, shuffle=True, seed=5
    )
    order = list(range(12))
    random.seed(5)  # Keras: random.seed(seed); random.shuffle(samples)
    random.shuffle(order)
    assert [int(s[0]) for s in left] == order[:9]
    assert [int(s[0]) for s in right] == order[9:]
    assert all(s[1] == s[0] * 10 for s in left)
    batched = left.batch(4)
    assert len(batched) == 3 and batched[0][0].shape == (4,)


def test_split_torch_and_lamina_datasets():
    tensors = torch.utils.data.TensorDataset(torch.arange(8.0), torch.arange(8))
    left, right = lamina.utils.split_dataset(tensors, left_size=6)
    assert len(left) == 6 and right[0][1] == 6
    batches = BatchDataset.from_arrays((np.arange(10.0), np.arange(10)), batch_size=4)
    batches.class_names = ["a"]
    left, right = lamina.utils.split_dataset(batches, left_size=0.5)
    assert len(left) == 2 and left.batch_size == 4 and left.class_names == ["a"]
    assert right[0][1].tolist() == [5, 6, 7, 8]


def test_split_dataset_bad_sizes():
    data = np.zeros((10, 2))
    with pytest.raises(ArgumentError, match="left_size"):
        lamina.utils.split_dataset(data)
    with pytest.raises(ArgumentError, match="left_size"):
        lamina.utils.split_dataset(data, left_size=10)
    with pytest.raises(ArgumentError, match="<= 1"):
        lamina.utils.split_dataset(data, left_size=0.6, right_size=0.6)
    with pytest.raises(TypeError, match="right_size"):
        lamina.utils.split_dataset(data, right_size="half")
    with pytest.raises(TypeError, match="dataset"):
        lamina.utils.split_dataset("abc", left_size=1)


def test_batch_dataset_reshuffles_each_epoch_and_fits():
    x = np.arange(32, dtype="float32").reshape(16, 2)
    y = (x[:, :1] > 15).astype("float32")
    ds = BatchDataset.from_arrays((x, y), batch_size=4, shuffle=True, seed=0)
    first = np.concatenate([b[0] for b in ds])
    ds.on_epoch_end()
    second = np.concatenate([b[0] for b in ds])
    assert sorted(first[:, 0]) == sorted(x[:, 0]) and not np.array_equal(first, second)
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert len(model.fit(ds, epochs=2, verbose=0).history["loss"]) == 2
    with pytest.raises(IndexError):
        ds[4]
