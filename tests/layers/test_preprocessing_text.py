"""Lookup, text and hashing layers: IntegerLookup, StringLookup,
TextVectorization, Hashing.

Keras runs these layers through TensorFlow, which the oracle venv lacks, so the
expected values here are the ones Keras documents (its docstrings and tests);
FarmHash values come from the reference C library (fixtures/fingerprints.json).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError
from lamina.layers.preprocessing.fingerprints import farmhash_fingerprint64, siphash24
from lamina.serialization import deserialize_keras_object, serialize_keras_object
from tests.layer_test_utils import run_layer_test

VOCAB = [12, 36, 1138, 42]
DATA = torch.tensor([[12, 1138, 42, 42], [42, 7, 36, 7]])
WORDS = ["a", "b", "c", "d"]
TEXT = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]


def round_trip(layer):
    """A copy made from the layer's serialized config (through JSON)."""
    return deserialize_keras_object(
        json.loads(json.dumps(serialize_keras_object(layer)))
    )


# ---------------------------------------------------------------- IntegerLookup
def test_integer_lookup_basics():
    layer = run_layer_test(
        layers.IntegerLookup,
        {"vocabulary": [1, 2, 3, 5]},
        input_shape=(2, 3),
        input_dtype="int64",
        input_high=7,
        expected_output_shape=(2, 3),
    )
    assert layer(torch.tensor([[1, 5, 6]])).dtype == torch.int64
    run_layer_test(
        layers.IntegerLookup,
        {"vocabulary": [1, 2, 3, 5], "output_mode": "multi_hot"},
        input_shape=(2, 3),
        input_dtype="int64",
        input_high=7,
        expected_output_shape=(2, 5),
    )


def test_integer_lookup_keras_examples():
    layer = layers.IntegerLookup(vocabulary=VOCAB)
    assert layer(torch.tensor([[12, 1138, 42], [42, 1000, 36]])).tolist() == [
        [1, 3, 4],
        [4, 0, 2],
    ]
    adapted = layers.IntegerLookup()
    adapted.adapt(np.array([[12, 1138, 42], [42, 1000, 36]]))
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert adapted(np.array([[12, 1138, 42], [42, 1000, 36]])).tolist() == [
        [5, 2, 1],
        [1, 3, 4],
    ]
    two_oov = layers.IntegerLookup(vocabulary=VOCAB, num_oov_indices=2)
    assert two_oov(torch.tensor([[12, 1138, 42], [37, 1000, 36]])).tolist() == [
        [2, 4, 5],
        [1, 0, 3],
    ]
    floormod = layers.IntegerLookup(vocabulary=[10, 20, 30], num_oov_indices=4)
    assert floormod(torch.tensor([100, 300, 700, 1100, 1700, 2000])).tolist() == [0] * 6


def test_integer_lookup_encodings_match_keras_examples():
    one_hot = layers.IntegerLookup(vocabulary=VOCAB, output_mode="one_hot")
    assert one_hot(torch.tensor([12, 36, 1138, 42, 7])).tolist() == [
        [0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0],
    ]
    multi = layers.IntegerLookup(vocabulary=VOCAB, output_mode="multi_hot")
    assert multi(DATA).tolist() == [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    count = layers.IntegerLookup(vocabulary=VOCAB, output_mode="count")
    assert count(DATA).tolist() == [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    tf_idf = layers.IntegerLookup(
        output_mode="tf_idf", vocabulary=VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4]
    )
    torch.testing.assert_close(
        tf_idf(DATA),
        torch.tensor([[0.0, 0.25, 0.0, 0.6, 0.8], [1.0, 0.0, 0.75, 0.0, 0.4]]),
    )
    with_oov = layers.IntegerLookup(
        output_mode="tf_idf",
        vocabulary=[-1, *VOCAB],
        idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4],
    )
    torch.testing.assert_close(
        with_oov(DATA),
        torch.tensor([[0.0, 0.25, 0.0, 0.6, 0.8], [1.8, 0.0, 0.75, 0.0, 0.4]]),
    )


def test_integer_lookup_invert_and_mask():
    inverse = layers.IntegerLookup(vocabulary=VOCAB, invert=True)
    assert inverse(torch.tensor([[1, 3, 4], [4, 0, 2]])).tolist() == [
        [12, 1138, 42],
        [42, -1, 36],
    ]
    # Layout [mask, oov, tokens...]: 0 -> index 0, unknown 7 -> 1.
    masked = layers.IntegerLookup(vocabulary=VOCAB, mask_token=0)
    assert masked(torch.tensor([[12, 0, 42, 7]])).tolist() == [[2, 0, 5, 1]]
    assert masked.get_vocabulary() == [0, -1, *VOCAB]
    inverse = layers.IntegerLookup(
        vocabulary=masked.get_vocabulary(), mask_token=0, invert=True
    )
    assert inverse(torch.tensor([[2, 0, 5, 1]])).tolist() == [[12, 0, 42, -1]]
    # Outside int mode the mask contributes nothing.
    multi = layers.IntegerLookup(vocabulary=VOCAB, mask_token=0, output_mode="count")
    assert multi(torch.tensor([[12, 0, 0, 7]])).tolist() == [[1, 1, 0, 0, 0]]


def test_integer_lookup_adapt_options():
    data = np.array([[1, 1, 1, 2], [2, 3, 4, 4]])
    layer = layers.IntegerLookup(max_tokens=3)
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 1, 4]  # 1 (x3), then 4 > 2 (x2 each)
    padded = layers.IntegerLookup(
        max_tokens=6, output_mode="multi_hot", pad_to_max_tokens=True
    )
    padded.adapt(data)
    assert padded.get_vocabulary() == [-1, 1, 4, 2, 3]
    assert padded(torch.tensor([[4, 9]])).tolist() == [[1, 0, 1, 0, 0, 0]]
    # A generator of batches; each 1-D batch is one document for TF-IDF.
    tf_idf = layers.IntegerLookup(output_mode="tf_idf")
    tf_idf.adapt(iter([np.array([1, 1, 2]), np.array([2, 3]), np.array([1])]))
    assert tf_idf.get_vocabulary() == [-1, 1, 2, 3]
    idf = [math.log(1 + 3 / (1 + n)) for n in (2, 2, 1)]
    expected = np.array([np.mean(idf), *idf], dtype="float32")
    np.testing.assert_allclose(tf_idf.idf_weights.cpu().numpy(), expected, rtol=1e-6)
    with pytest.raises(ArgumentError, match="after setting a static vocabulary"):
        layers.IntegerLookup(vocabulary=VOCAB).adapt(data)


def test_integer_lookup_inside_a_model():
    inputs = lamina.Input(shape=(3,), dtype="int64")
    outputs = layers.IntegerLookup(vocabulary=VOCAB, output_mode="multi_hot")(inputs)
    assert outputs.shape == (None, 5)
    model = lamina.Model(inputs, outputs)
    assert model(torch.tensor([[12, 7, 36]])).tolist() == [[1, 1, 1, 0, 0]]


def test_integer_lookup_errors():
    with pytest.raises(ArgumentError, match="max_tokens=1"):
        layers.IntegerLookup(max_tokens=1)
    with pytest.raises(ArgumentError, match="num_oov_indices=-1"):
        layers.IntegerLookup(num_oov_indices=-1)
    with pytest.raises(ArgumentError, match="must be 'int' when `invert`"):
        layers.IntegerLookup(vocabulary=VOCAB, invert=True, output_mode="count")
    with pytest.raises(ArgumentError, match="farmhash"):
        layers.IntegerLookup(vocabulary=VOCAB, num_oov_indices=2, oov_method="farmhash")
    with pytest.raises(ArgumentError, match="repeated terms.*12"):
        layers.IntegerLookup(vocabulary=[12, 36, 12])
    with pytest.raises(ArgumentError, match="exceeds max_tokens=3"):
        layers.IntegerLookup(vocabulary=VOCAB, max_tokens=3)
    with pytest.raises(ArgumentError, match="OOV values \\[7\\]"):
        layers.IntegerLookup(vocabulary=VOCAB, num_oov_indices=0)(torch.tensor([12, 7]))
    with pytest.raises(ArgumentError, match="set the vocabulary"):
        layers.IntegerLookup(output_mode="multi_hot")(torch.tensor([[1]]))


# ---------------------------------------------------------------- StringLookup
def test_string_lookup_keras_examples():
    layer = layers.StringLookup(vocabulary=WORDS)
    out = layer([["a", "c", "d"], ["d", "z", "b"]])
    assert out.dtype == torch.int64 and out.tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.StringLookup()
    adapted.adapt([["a", "c", "d"], ["d", "z", "b"]])
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert adapted([["a", "c", "d"], ["d", "z", "b"]]).tolist() == [
        [5, 3, 1],
        [1, 2, 4],
    ]
    one_hot = layers.StringLookup(vocabulary=WORDS, output_mode="one_hot")
    assert one_hot(["a", "b", "c", "d", "z"]).tolist() == [
        [0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [1, 0, 0, 0, 0],
    ]
    multi = layers.StringLookup(vocabulary=WORDS, output_mode="multi_hot")
    assert multi(TEXT).tolist() == [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    count = layers.StringLookup(vocabulary=WORDS, output_mode="count")
    assert count(np.array(TEXT)).tolist() == [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]
    tf_idf = layers.StringLookup(output_mode="tf_idf")
    tf_idf.set_vocabulary(WORDS, idf_weights=[0.25, 0.75, 0.6, 0.4])
    torch.testing.assert_close(
        tf_idf(TEXT),
        torch.tensor([[0.0, 0.25, 0.0, 0.6, 0.8], [1.0, 0.0, 0.75, 0.0, 0.4]]),
    )
    tf_idf.set_vocabulary(["[UNK]", *WORDS], idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    torch.testing.assert_close(
        tf_idf(TEXT),
        torch.tensor([[0.0, 0.25, 0.0, 0.6, 0.8], [1.8, 0.0, 0.75, 0.0, 0.4]]),
    )


def test_string_lookup_invert_mask_and_bytes():
    inverse = layers.StringLookup(vocabulary=WORDS, invert=True)
    out = inverse(torch.tensor([[1, 3, 4], [4, 0, 2]]))
    assert isinstance(out, np.ndarray)
    assert out.tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    masked = layers.StringLookup(vocabulary=WORDS, mask_token="")
    assert masked([["a", "", "z"]]).tolist() == [[2, 0, 1]]
    assert masked.get_vocabulary() == ["", "[UNK]", *WORDS]
    assert masked.get_vocabulary(include_special_tokens=False) == WORDS
    assert masked(np.array([[b"a", b"d"]])).tolist() == [[2, 5]]


def test_string_lookup_config_serialization_and_assets(tmp_path):
    layer = layers.StringLookup(vocabulary=WORDS, mask_token="[MASK]", name="lk")
    config = layer.get_config()
    assert "vocabulary_dtype" not in config and config["encoding"] == "utf-8"
    assert config["vocabulary"] == WORDS and config["vocabulary_size"] == 6
    clone = round_trip(layer)
    assert type(clone) is layers.StringLookup
    assert clone([["b", "[MASK]"]]).tolist() == layer([["b", "[MASK]"]]).tolist()
    # An adapted vocabulary travels as Keras's vocabulary.txt asset.
    adapted = layers.StringLookup(output_mode="count")
    adapted.adapt(TEXT)
    adapted.save_assets(str(tmp_path))
    assert (tmp_path / "vocabulary.txt").read_text().splitlines()[0] == "[UNK]"
    restored = round_trip(adapted)
    restored.load_assets(str(tmp_path))
    assert restored.get_vocabulary() == adapted.get_vocabulary()
    torch.testing.assert_close(restored(TEXT), adapted(TEXT))
    # A vocabulary file.
    path = tmp_path / "words.txt"
    path.write_text("a\nb\nc\n")
    assert layers.StringLookup(vocabulary=str(path))(["c", "q"]).tolist() == [3, 0]


def test_string_lookup_errors():
    with pytest.raises(ArgumentError, match="num_oov_indices=2"):
        layers.StringLookup(num_oov_indices=2)
    with pytest.raises(ArgumentError, match="torch tensor"):
        layers.StringLookup(vocabulary=WORDS)(torch.tensor([1, 2]))
    with pytest.raises(ArgumentError, match="dtype float"):
        layers.StringLookup(vocabulary=WORDS)(np.array([1.5]))
    with pytest.raises(ArgumentError, match="reserved mask_token='a'"):
        layers.StringLookup(vocabulary=WORDS, mask_token="a")
    with pytest.raises(ArgumentError, match="`idf_weights` must be set"):
        layers.StringLookup(output_mode="tf_idf").set_vocabulary(WORDS)
    with pytest.raises(ArgumentError, match="cannot be called on a symbolic"):
        layers.StringLookup(vocabulary=WORDS)(lamina.Input(shape=(2,)))


# ---------------------------------------------------------------- TextVectorization
def test_text_vectorization_keras_examples():
    layer = layers.TextVectorization(
        max_tokens=5000, output_mode="int", output_sequence_length=4
    )
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    out = layer([["foo qux bar"], ["qux baz"]])
    assert out.dtype == torch.int64 and out.tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    fixed = layers.TextVectorization(
        max_tokens=5000,
        output_sequence_length=4,
        vocabulary=["earth", "wind", "and", "fire"],
    )
    assert fixed.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def test_text_vectorization_output_modes_match_keras_tests():
    vocab = ["foo", "bar", "baz"]
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=vocab)
    assert multi([["foo bar"], ["baz foo foo"]]).tolist() == [
        [0, 1, 1, 0],
        [0, 1, 0, 1],
    ]
    count = layers.TextVectorization(output_mode="count", vocabulary=vocab)
    assert count(["foo bar", "baz foo foo"]).tolist() == [[0, 1, 1, 0], [0, 2, 0, 1]]
    tf_idf = layers.TextVectorization(
        output_mode="tf_idf", vocabulary=vocab, idf_weights=[0.3, 0.5, 0.2]
    )
    torch.testing.assert_close(
        tf_idf(["foo bar", "baz foo foo"]),
        torch.tensor([[0.0, 0.3, 0.5, 0.0], [0.0, 0.6, 0.0, 0.2]]),
    )


def test_text_vectorization_standardize_and_split_match_keras_tests():
    text = ["Hello, World!. This is just a nice test!"]
    strip = layers.TextVectorization(
        vocabulary=["hello", "world", "this", "is", "nice", "test"]
    )
    assert strip(text).tolist() == [[2, 3, 4, 5, 1, 1, 6, 7]]
    lower = layers.TextVectorization(
        standardize="lower",
        vocabulary=["hello,", "hello", "world", "this", "is", "nice", "test"],
    )
    assert lower(text).tolist() == [[2, 1, 5, 6, 1, 1, 7, 1]]
    chars = layers.TextVectorization(split="character", vocabulary=list("abcde"))
    assert chars(["abcf"]).tolist() == [[2, 3, 4, 1]]
    # The punctuation "|" is stripped before the custom split, as in Keras.
    custom = layers.TextVectorization(
        split=lambda s: s.split("|"), vocabulary=["foo", "bar", "foobar"]
    )
    assert custom(["foo|bar"]).tolist() == [[4]]
    custom = layers.TextVectorization(
        split=lambda s: s.split("|"),
        standardize=None,
        vocabulary=["foo", "bar", "foobar"],
    )
    assert custom(["foo|bar"]).tolist() == [[2, 3]]
    strip_only = layers.TextVectorization(
        standardize="strip_punctuation", vocabulary=["Hello", "World", "Test"]
    )
    assert strip_only(["Hello, World! Test."]).tolist() == [[2, 3, 4]]
    none = layers.TextVectorization(standardize=None, vocabulary=["Hello", "world"])
    assert none(["Hello hello"]).tolist() == [[2, 1]]
    # Only ASCII letters are lowercased, as TensorFlow's lower() does.
    ascii_only = layers.TextVectorization(vocabulary=["émile", "Émile"])
    assert ascii_only(["ÉMILE émile"]).tolist() == [[3, 2]]


def test_text_vectorization_numpy_standardize_callable_and_ngrams():
    seen = []

    def standardize(text):
        seen.append(text.dtype.kind)
        return np.char.replace(np.char.lower(text), ",", "")

    layer = layers.TextVectorization(standardize=standardize)
    layer.adapt(["Hello, world."])
    assert seen and set(seen) == {"U"}
    assert "hello" in layer.get_vocabulary() and "world." in layer.get_vocabulary()
    # Unigrams, then bigrams, as tf.strings.ngrams orders them.
    grams = layers.TextVectorization(ngrams=2, vocabulary=["a", "b", "c", "a b"])
    assert grams(["a b c"]).tolist() == [[2, 3, 4, 5, 1]]
    only_bigrams = layers.TextVectorization(ngrams=(2,), vocabulary=["b c"])
    assert only_bigrams(["a b c"]).tolist() == [[1, 2]]


def test_text_vectorization_adapt_and_tf_idf():
    docs = ["The cat sat.", "the DOG sat!", "cat cat"]
    layer = layers.TextVectorization(output_mode="tf_idf")
    layer.adapt(docs)
    assert layer.get_vocabulary() == ["[UNK]", "cat", "the", "sat", "dog"]
    idf = [math.log(1 + 3 / (1 + n)) for n in (2, 2, 2, 1)]
    expected = torch.tensor(
        [[0.0, 2 * idf[0], idf[1], 0.0, 0.0], [np.mean(idf), 0.0, 0.0, idf[2], idf[3]]],
        dtype=torch.float32,
    )
    torch.testing.assert_close(layer(["the cat cat", "a dog sat"]), expected)
    limited = layers.TextVectorization(max_tokens=4)
    limited.adapt(iter([["The cat sat."], ["the DOG sat!", "cat cat"]]))
    assert limited.get_vocabulary() == ["", "[UNK]", "cat", "the"]
    # Without output_sequence_length, sequences are padded to the longest.
    assert limited(["cat", "the cat dog"]).tolist() == [[2, 0, 0], [3, 2, 1]]


def test_text_vectorization_config_round_trip():
    layer = layers.TextVectorization(
        max_tokens=10,
        ngrams=(1, 2),
        output_sequence_length=3,
        vocabulary=["foo", "bar"],
        name="tv",
    )
    config = layer.get_config()
    assert config["ngrams"] == (1, 2) and config["vocabulary_size"] == 4
    clone = round_trip(layer)
    assert type(clone) is layers.TextVectorization
    assert clone.get_config() == config
    assert clone(["foo bar baz"]).tolist() == layer(["foo bar baz"]).tolist()


def test_text_vectorization_errors():
    with pytest.raises(ArgumentError, match="standardize.*'upper'"):
        layers.TextVectorization(standardize="upper")
    with pytest.raises(ArgumentError, match="split.*'comma'"):
        layers.TextVectorization(split="comma")
    with pytest.raises(ArgumentError, match="output_sequence_length"):
        layers.TextVectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ArgumentError, match="ngrams"):
        layers.TextVectorization(ngrams=0)
    with pytest.raises(ArgumentError, match="ragged"):
        layers.TextVectorization(ragged=True)
    with pytest.raises(ArgumentError, match=r"last dimension of 1.*\(1, 2\)"):
        layers.TextVectorization(vocabulary=["a"])([["a", "b"]])


# ---------------------------------------------------------------- Hashing
FINGERPRINTS = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "fingerprints.json").read_text(
        encoding="utf-8"
    )
)
NAMES = [["omar"], ["stringer"], ["marlo"], ["wire"], ["skywalker"]]


def test_farmhash_fingerprint64_matches_reference_library():
    for text, expected in FINGERPRINTS:
        assert farmhash_fingerprint64(text.encode("utf-8")) == int(expected), text


def test_siphash24_matches_paper_test_vector():
    key = bytes(range(16))
    key0, key1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:], "little")
    assert siphash24(key0, key1, bytes(range(15))) == 0xA129CA6149BE45E5


def test_hashing_basics():
    run_layer_test(
        layers.Hashing,
        {"num_bins": 4},
        input_shape=(2, 3),
        input_dtype="int64",
        expected_output_shape=(2, 3),
    )
    run_layer_test(
        layers.Hashing,
        {"num_bins": 4, "output_mode": "multi_hot"},
        input_shape=(2, 3),
        input_dtype="int64",
        expected_output_shape=(2, 4),
    )
    layer = layers.Hashing(num_bins=3, salt=133, name="h")
    assert layer.get_config()["salt"] == [133, 133]
    assert (
        layers.Hashing.from_config(layer.get_config()).get_config()
        == layer.get_config()
    )
    assert layers.Hashing(3)([[7]]).dtype == torch.int64
    assert layers.Hashing(3, dtype="int32")([[7]]).dtype == torch.int32


def test_hashing_matches_keras_farmhash():
    abcde = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert layers.Hashing(3)(abcde).tolist() == [[1], [0], [1], [1], [2]]
    assert layers.Hashing(3, mask_value="")(
        [["A"], ["B"], [""], ["C"], ["D"]]
    ).tolist() == [[1], [1], [0], [2], [2]]
    assert layers.Hashing(1)(np.asarray(abcde)).tolist() == [[0]] * 5
    assert layers.Hashing(2)(np.asarray(NAMES)).tolist() == [[0], [0], [1], [0], [0]]
    assert layers.Hashing(2)([n[0] for n in NAMES]).tolist() == [0, 0, 1, 0, 0]
    assert layers.Hashing(3, mask_value="")(NAMES).tolist() == [[1], [1], [2], [1], [1]]
    assert layers.Hashing(3, mask_value="omar")(NAMES).tolist() == [
        [0],
        [1],
        [2],
        [1],
        [1],
    ]
    assert layers.Hashing(3)(np.asarray([[0], [1], [2], [3], [4]])).tolist() == [
        [1],
        [0],
        [1],
        [0],
        [2],
    ]
    assert layers.Hashing(3)(torch.tensor([0, 1, 2, 3, 4])).tolist() == [1, 0, 1, 0, 2]
    # Floats are truncated to integers first.
    assert layers.Hashing(3)(torch.tensor([0.7, 1.2, 2.9])).tolist() == [1, 0, 1]


def test_hashing_matches_keras_siphash():
    abcde = [["A"], ["B"], ["C"], ["D"], ["E"]]
    assert layers.Hashing(3, salt=[133, 137])(abcde).tolist() == [
        [1],
        [2],
        [1],
        [0],
        [2],
    ]
    assert layers.Hashing(3, salt=133)(abcde).tolist() == [[0], [0], [2], [1], [0]]
    assert layers.Hashing(2, salt=[133, 137])(NAMES).tolist() == [
        [0],
        [1],
        [0],
        [1],
        [0],
    ]
    assert layers.Hashing(2, salt=[211, 137])(NAMES).tolist() == [
        [1],
        [0],
        [1],
        [0],
        [1],
    ]
    ints = np.asarray([[0], [1], [2], [3], [4]])
    assert layers.Hashing(3, salt=[133, 137])(ints).tolist() == [
        [1],
        [1],
        [2],
        [0],
        [1],
    ]


def test_hashing_output_modes_match_keras_tests():
    inputs = lamina.Input(shape=(1,), dtype="int32")
    outputs = layers.Hashing(num_bins=3, output_mode="one_hot")(inputs)
    assert outputs.shape == (None, 3)
    model = lamina.Model(inputs, outputs)
    assert model(torch.tensor([[0], [1], [2], [3], [4]])).tolist() == [
        [0, 1, 0],
        [1, 0, 0],
        [0, 1, 0],
        [1, 0, 0],
        [0, 0, 1],
    ]
    multi = layers.Hashing(num_bins=3, output_mode="multi_hot")
    assert multi(np.array([[0, 1, 2, 3, 4]])).tolist() == [[1, 1, 1]]
    count = layers.Hashing(num_bins=3, output_mode="count")
    assert count(np.array([0, 1, 2, 3, 4])).tolist() == [2, 2, 1]
    assert count(np.array([[0, 1, 2, 3, 4]])).tolist() == [[2, 2, 1]]
    for mode in ("int", "one_hot", "multi_hot", "count"):
        for shape in ((4,), (4, 1), (3, 4)):
            layer = layers.Hashing(num_bins=5, output_mode=mode)
            symbolic = layer(lamina.Input(shape=shape, dtype="int64"))
            eager = layer(torch.zeros((2, *shape), dtype=torch.int64))
            assert symbolic.shape[1:] == tuple(eager.shape[1:]), (mode, shape)


def test_hashing_errors():
    with pytest.raises(ArgumentError, match="num_bins=0"):
        layers.Hashing(0)
    with pytest.raises(ArgumentError, match=r"salt=\[133, 137, 177\]"):
        layers.Hashing(1, salt=[133, 137, 177])
    with pytest.raises(ArgumentError, match="output_mode.*'tf_idf'"):
        layers.Hashing(3, output_mode="tf_idf")
    with pytest.raises(ArgumentError, match="dtype.*'float32'"):
        layers.Hashing(3, dtype="float32")
