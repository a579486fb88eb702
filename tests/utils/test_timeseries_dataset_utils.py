"""lamina.utils.timeseries_dataset_from_array."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.errors import ArgumentError


def test_windows_follow_keras_definition():
    data = np.arange(100).reshape(50, 2)
    targets = np.arange(50) * 10
    ds = lamina.utils.timeseries_dataset_from_array(
        data,
        targets,
        sequence_length=4,
        sequence_stride=3,
        sampling_rate=2,
        batch_size=5,
        start_index=2,
        end_index=40,
    )
    x = np.concatenate([b[0] for b in ds])
    y = np.concatenate([b[1] for b in ds])
    # Window i starts at start_index + 3 i and spans 4 steps, 2 apart; windows
    # must end before end_index: starts 2 + 3i with 3i <= 40 - 2 - 6 - 1.
    starts = 2 + 3 * np.arange(11)
    assert len(x) == len(starts) == 11 and len(ds) == 3
    for window, target, start in zip(x, y, starts, strict=True):
        np.testing.assert_array_equal(window, data[start : start + 8 : 2])
        assert target == targets[start]


def test_keras_docstring_example_and_no_targets():
    data = np.arange(100)
    ds = lamina.utils.timeseries_dataset_from_array(
        data[:-10], data[10:], sequence_length=10, batch_size=16
    )
    x, y = ds[0]
    np.testing.assert_array_equal(x[0], np.arange(10))
    assert y[0] == 10 and x.shape == (16, 10)
    windows = lamina.utils.timeseries_dataset_from_array(data, None, 5, batch_size=None)
    assert len(windows) == 96 and windows[95].tolist() == [95, 96, 97, 98, 99]


def test_shuffle_is_seeded_and_complete():
    data = np.arange(30)
    one = lamina.utils.timeseries_dataset_from_array(
        data, data, 3, shuffle=True, seed=4, batch_size=7
    )
    two = lamina.utils.timeseries_dataset_from_array(
        data, data, 3, shuffle=True, seed=4, batch_size=7
    )
    a = np.concatenate([b[1] for b in one])
    np.testing.assert_array_equal(a, np.concatenate([b[1] for b in two]))
    assert sorted(a.tolist()) == list(range(28)) and a.tolist() != list(range(28))


def test_fit_on_windows():
    series = np.random.default_rng(0).normal(size=(80, 2)).astype("float32")
    ds = lamina.utils.timeseries_dataset_from_array(
        series[:-5], series[5:, 0], 5, batch_size=16
    )
    model = lamina.Sequential(
        [lamina.Input((5, 2)), lamina.layers.Flatten(), lamina.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    assert len(model.fit(ds, epochs=2, verbose=0).history["loss"]) == 2


def test_bad_arguments():
    fn = lamina.utils.timeseries_dataset_from_array
    data = np.zeros(10)
    with pytest.raises(ArgumentError, match="sampling_rate"):
        fn(data, None, 3, sampling_rate=0)
    with pytest.raises(ArgumentError, match="sequence_stride"):
        fn(data, None, 3, sequence_stride=10)
    with pytest.raises(ArgumentError, match="start_index"):
        fn(data, None, 3, start_index=10)
    with pytest.raises(ArgumentError, match="end_index"):
        fn(data, None, 3, start_index=5, end_index=4)
