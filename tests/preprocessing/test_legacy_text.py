"""keras.preprocessing.text: Tokenizer, text_to_word_sequence, hashing_trick."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lamina.errors import ArgumentError
from lamina.preprocessing import text
from tests.preprocessing.legacy_fixture import cases, keras_json, keras_numbers


@pytest.mark.parametrize("name", ["plain", "num_words", "oov", "char", "nolower"])
def test_tokenizer_matches_keras(name):
    c = cases()
    expected = keras_json(f"tok/{name}")
    tok = text.Tokenizer(**c["TOKENIZER_CASES"][name])
    tok.fit_on_texts(c["TEXTS"])
    assert tok.word_index == expected["word_index"]
    assert list(tok.word_index) == list(expected["word_index"])  # the ranking
    assert dict(tok.word_counts) == expected["word_counts"]
    assert dict(tok.word_docs) == expected["word_docs"]
    assert tok.document_count == expected["document_count"]
    seqs = tok.texts_to_sequences(c["NEW_TEXTS"] + c["TEXTS"])
    assert seqs == expected["sequences"]
    assert tok.sequences_to_texts(seqs) == expected["texts"]
    for mode in c["MATRIX_MODES"]:
        matrix = tok.texts_to_matrix(c["NEW_TEXTS"] + c["TEXTS"], mode=mode)
        np.testing.assert_allclose(
            matrix,
            keras_numbers()[f"tok/matrix/{name}/{mode}"],
            rtol=1e-12,
            err_msg=mode,
        )


def test_tokenizer_json_round_trips_with_keras():
    c = cases()
    keras_json_text = str(keras_numbers()["json/tok/oov/to_json"])
    restored = text.tokenizer_from_json(keras_json_text)
    assert restored.oov_token == "<OOV>" and restored.num_words == 6
    expected = keras_json("tok/oov")
    assert (
        restored.texts_to_sequences(c["NEW_TEXTS"] + c["TEXTS"])
        == (expected["sequences"])
    )
    tok = text.Tokenizer(**c["TOKENIZER_CASES"]["oov"])
    tok.fit_on_texts(c["TEXTS"])
    ours, theirs = json.loads(tok.to_json()), json.loads(keras_json_text)
    assert ours["class_name"] == theirs["class_name"] == "Tokenizer"
    assert ours["config"].keys() == theirs["config"].keys()
    for key, value in theirs["config"].items():
        # Dicts are JSON strings; word_docs' order follows set() iteration.
        if isinstance(value, str) and value.startswith("{"):
            assert json.loads(ours["config"][key]) == json.loads(value), key
        else:
            assert ours["config"][key] == value, key
    # A restored tokenizer keeps counting.
    restored.fit_on_texts(["zebra zebra"])
    assert restored.word_counts["zebra"] == 2 and "zebra" in restored.word_index


def test_word_sequence_and_md5_hashing_match_keras():
    c = cases()
    assert [text.text_to_word_sequence(t) for t in c["TEXTS"]] == keras_json("words")
    hashed = [text.hashing_trick(t, 37, hash_function="md5") for t in c["TEXTS"]]
    assert hashed == keras_json("hash")


def test_one_hot_indices_are_in_range_and_consistent():
    out = text.one_hot("the cat and the hat", 20)
    assert len(out) == 5 and all(1 <= i <= 19 for i in out)
    assert out[0] == out[3]


def test_tokenizer_bad_arguments():
    tok = text.Tokenizer()
    with pytest.raises(ArgumentError, match="num_words"):
        tok.texts_to_matrix(["a b"])
    tok.fit_on_texts(["a b"])
    with pytest.raises(ArgumentError, match="'onehot'"):
        tok.texts_to_matrix(["a"], mode="onehot")
    with pytest.raises(TypeError, match="bogus"):
        text.Tokenizer(bogus=1)
    with pytest.warns(DeprecationWarning, match="num_words"):
        assert text.Tokenizer(nb_words=3).num_words == 3
    with pytest.raises(ArgumentError, match="hash_function"):
        text.hashing_trick("a", 10, hash_function="sha1")
