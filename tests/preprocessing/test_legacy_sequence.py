"""keras.preprocessing.sequence: pad_sequences, TimeseriesGenerator, skipgrams."""

from __future__ import annotations

import random

import numpy as np
import pytest

import lamina
from lamina.errors import ArgumentError, ShapeError
from lamina.preprocessing import sequence
from tests.preprocessing.legacy_fixture import cases, keras_json, keras_numbers


def test_pad_sequences_matches_keras():
    c = cases()
    for kwargs, expected in zip(c["PAD_CASES"], keras_json("pad"), strict=True):
        out = sequence.pad_sequences(c["SEQS"], **kwargs)
        assert out.dtype == np.dtype(kwargs.get("dtype", "int32"))
        np.testing.assert_array_equal(out, np.array(expected), err_msg=str(kwargs))


def test_pad_sequences_is_one_function_in_two_places():
    assert sequence.pad_sequences is lamina.utils.pad_sequences


def test_pad_sequences_items_with_features_and_strings():
    seqs = [np.ones((2, 3)), np.full((4, 3), 2.0)]
    out = sequence.pad_sequences(seqs, maxlen=3, dtype="float32")
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[0, 0], 0)
    np.testing.assert_array_equal(out[1], 2)
    words = sequence.pad_sequences([["a"], ["b", "c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["<pad>", "a"], ["b", "c"]]


def test_pad_sequences_bad_input_names_the_argument():
    with pytest.raises(ArgumentError, match="padding"):
        sequence.pad_sequences([[1]], padding="middle")
    with pytest.raises(ArgumentError, match="truncating"):
        sequence.pad_sequences([[1]], truncating="both")
    with pytest.raises(ArgumentError, match="position 1"):
        sequence.pad_sequences([[1], 5])
    with pytest.raises(ArgumentError, match="dtype=object"):
        sequence.pad_sequences([[1]], value="x")
    with pytest.raises(ShapeError, match=r"position 1.*\(2,\)"):
        sequence.pad_sequences([np.ones((2, 3)), np.ones((2, 2))])


def test_timeseries_generator_matches_keras():
    k = keras_numbers()
    series = np.arange(60, dtype="float32").reshape(30, 2)
    gen = sequence.TimeseriesGenerator(
        series,
        series[:, 0],
        length=5,
        sampling_rate=2,
        stride=3,
        batch_size=4,
        start_index=2,
        end_index=27,
    )
    assert len(gen) == int(k["tsgen/len"])
    for i in range(len(gen)):
        x, y = gen[i]
        np.testing.assert_array_equal(x, k[f"tsgen/x{i}"])
        np.testing.assert_array_equal(y, k[f"tsgen/y{i}"])
    rev = sequence.TimeseriesGenerator(
        series, series, length=4, reverse=True, batch_size=8
    )
    x, y = rev[0]
    np.testing.assert_array_equal(x, k["tsgen/rev_x0"])
    np.testing.assert_array_equal(y, k["tsgen/rev_y0"])
    assert isinstance(gen, lamina.utils.PyDataset)


def test_timeseries_generator_trains_a_model():
    series = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    gen = sequence.TimeseriesGenerator(series, series[:, :1], length=6, batch_size=16)
    model = lamina.Sequential(
        [lamina.Input((6, 3)), lamina.layers.Flatten(), lamina.layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(gen, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_timeseries_generator_bad_lengths():
    with pytest.raises(ArgumentError, match="same length"):
        sequence.TimeseriesGenerator(np.zeros(10), np.zeros(9), length=2)
    with pytest.raises(ArgumentError, match="end_index"):
        sequence.TimeseriesGenerator(np.zeros(10), np.zeros(10), length=12)


def test_skipgrams_and_sampling_table_match_keras():
    c = cases()
    random.seed(3)
    couples, labels = sequence.skipgrams(c["SKIPGRAM_SEQ"], 7, window_size=2, seed=11)
    assert [couples, labels] == keras_json("skipgrams")
    np.testing.assert_allclose(
        sequence.make_sampling_table(50), keras_numbers()["sampling_table"], rtol=1e-12
    )


def test_skipgrams_categorical_labels_follow_their_pairs():
    couples, labels = sequence.skipgrams(
        [1, 2, 3, 4], 10, window_size=1, categorical=True, seed=0
    )
    positives = {(1, 2), (2, 1), (2, 3), (3, 2), (3, 4), (4, 3)}
    assert len(couples) == 12
    for pair, label in zip(couples, labels, strict=True):
        if label == [0, 1]:
            assert tuple(pair) in positives
        else:
            assert label == [1, 0] and 1 <= pair[1] <= 9
