"""TextVectorization: turn raw strings into token indices or bag-of-words vectors."""

from __future__ import annotations

import re

import numpy as np

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing.encoding import validate_output_mode
from lamina.layers.preprocessing.index_lookup import _is_batch_iterable
from lamina.layers.preprocessing.string_lookup import StringLookup, to_string_array

# Keras's (TensorFlow's) punctuation set and whitespace, applied to each string.
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\r\v\f]+")
# tf.strings.lower lowercases ASCII letters only.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class TextVectorization(Layer):
    """Maps text to sequences of token indices or to dense token vectors.

    Each string is standardized (by default lowercased and stripped of
    punctuation), split into tokens (by default on whitespace), optionally
    joined into n-grams, and looked up in a vocabulary given as
    ``vocabulary`` or learned with `adapt`. The vocabulary starts with the
    padding token ``""`` (index 0, ``int`` mode only) and the OOV token
    ``"[UNK]"``.

    torch has no string tensors: the layer takes a Python list or a numpy array
    of ``str`` (shape ``(batch,)`` or ``(batch, 1)``), works on the host, and
    returns a tensor on lamina's device. Use it on data before the model (for
    example in a dataset pipeline), not inside a model's graph.

    Example:
        >>> layer = lamina.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer([["foo qux bar"], ["qux baz"]]).tolist()
        [[4, 1, 3, 0], [1, 2, 0, 0]]

    Args:
        max_tokens: the largest vocabulary size (padding and OOV included)
            for `adapt`; None for no limit.
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, None, or a callable taking and returning a
            numpy array of str. ``lower`` lowercases ASCII letters, as Keras.
        split: ``"whitespace"`` (default), ``"character"``, None (inputs are
            already tokens, shape ``(batch, tokens)``) or a callable taking one
            string and returning its tokens.
        ngrams: None, an int ``n`` (all n-grams up to ``n``) or a tuple of
            n-gram sizes; tokens of an n-gram are joined by a space.
        output_mode: ``"int"`` (default), ``"multi_hot"``, ``"count"`` or
            ``"tf_idf"``.
        output_sequence_length: in ``int`` mode, pad or cut every sequence to
            this length (otherwise to the longest in the batch).
        pad_to_max_tokens: in the vector modes, encode to ``max_tokens`` columns.
        vocabulary: the tokens (a list, array, or a text file path).
        idf_weights: with ``"tf_idf"``, one weight per vocabulary entry.
        sparse / ragged: must be False (TensorFlow-only in Keras).
        encoding: the text encoding of ``bytes`` inputs.

    Output shape:
        ``(batch, output_sequence_length)`` (int64) in ``int`` mode;
        ``(batch, vocabulary size)`` (float32) otherwise.
    """

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode: str = "int",
        output_sequence_length=None,
        pad_to_max_tokens: bool = False,
        vocabulary=None,
        idf_weights=None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        **kwargs,
    ):
        name = "TextVectorization"
        has_input_vocabulary = kwargs.pop(
            "has_input_vocabulary", vocabulary is not None
        )
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        if not (
            standardize is None
            or callable(standardize)
            or standardize
            in ("lower_and_strip_punctuation", "lower", "strip_punctuation")
        ):
            raise ArgumentError(
                f"{name}: invalid value for argument `standardize`. Expected one of "
                "'lower_and_strip_punctuation', 'lower', 'strip_punctuation', None or "
                f"a callable. Received: standardize={standardize!r}"
            )
        if not (
            split is None or callable(split) or split in ("whitespace", "character")
        ):
            raise ArgumentError(
                f"{name}: invalid value for argument `split`. Expected one of "
                f"'whitespace', 'character', None or a callable. Received: "
                f"split={split!r}"
            )
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        validate_output_mode(name, output_mode)
        if not (
            ngrams is None
            or (isinstance(ngrams, int) and ngrams > 0)
            or (
                isinstance(ngrams, tuple)
                and ngrams
                and all(isinstance(n, int) and n > 0 for n in ngrams)
            )
        ):
            raise ArgumentError(
                f"{name}: `ngrams` must be None, a positive integer, or a tuple of "
                f"them. Received: ngrams={ngrams!r}"
            )
        if output_sequence_length is not None and (
            output_mode != "int"
            or not isinstance(output_sequence_length, int)
            or output_sequence_length <= 0
        ):
            raise ArgumentError(
                f"{name}: `output_sequence_length` must be None or a positive "
                "integer, and only with output_mode='int'. Received: "
                f"output_sequence_length={output_sequence_length!r}, "
                f"output_mode={output_mode!r}"
            )
        if ragged:
            raise ArgumentError(
                f"{name}: `ragged=True` is not supported (torch has no ragged tensors)."
            )
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = (
            tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        )
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = ragged
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            sparse=sparse,
            has_input_vocabulary=has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )
        self.built = True

    # ------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data`` (most frequent tokens first).

        Args:
            data: a list or numpy array of strings, or an iterable of batches.
            batch_size: unused (Keras's argument).
            steps: with an iterable, the number of batches to read.
        """
        lookup = self._lookup_layer
        if lookup._has_input_vocabulary:
            raise ArgumentError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary "
                "via the `vocabulary` argument or `set_vocabulary()`."
            )
        lookup._reset_counts()
        if _is_batch_iterable(data):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                lookup._update_counts(self._tokenize(batch))
        else:
            lookup._update_counts(self._tokenize(data))
        lookup._finalize_counts()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary in index order (``""`` and ``"[UNK]"`` first)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The vocabulary size, padding and OOV tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and TF-IDF weights); see `StringLookup`."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------ text processing
    def _tokenize(self, inputs) -> list[list[str]]:
        """Standardize, split and n-gram: one token list per input row."""
        strings = to_string_array(
            inputs, self._encoding, f"TextVectorization '{self.name}'"
        )
        if self._split is not None:
            if strings.ndim > 1:
                if strings.shape[-1] != 1:
                    raise ArgumentError(
                        f"TextVectorization '{self.name}': to split strings the "
                        "input must have rank 1 or a last dimension of 1. Received "
                        f"shape {strings.shape}"
                    )
                strings = strings[..., 0]
            strings = strings.reshape(-1) if strings.ndim else strings.reshape(1)
        elif strings.ndim < 2:
            strings = strings.reshape(-1, 1)
        strings = self._standardized(strings)
        if self._split is None:
            rows = [list(row) for row in strings.reshape(len(strings), -1).tolist()]
        else:
            rows = [self._split_one(s) for s in strings.tolist()]
        if self._ngrams is not None:
            rows = [_ngrams(row, self._ngrams) for row in rows]
        return rows

    def _standardized(self, strings: np.ndarray) -> np.ndarray:
        mode = self._standardize
        if mode is None:
            return strings
        if callable(mode):
            return to_string_array(
                mode(strings),
                self._encoding,
                f"TextVectorization '{self.name}' standardize",
            )
        flat = strings.reshape(-1).tolist()
        if mode in ("lower", "lower_and_strip_punctuation"):
            flat = [s.translate(_ASCII_LOWER) for s in flat]
        if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
            flat = [_PUNCTUATION.sub("", s) for s in flat]
        return np.array(flat, dtype=str).reshape(strings.shape)

    def _split_one(self, text: str) -> list[str]:
        if self._split == "whitespace":
            return [t for t in _WHITESPACE.split(text) if t]
        if self._split == "character":
            return list(text)
        return [str(t) for t in self._split(text)]

    # ------------------------------------------------------------ calling
    def _convert_inputs(self, inputs):
        # Strings stay on the host, as a numpy array of str.
        return to_string_array(
            inputs, self._encoding, f"TextVectorization '{self.name}'"
        )

    def call(self, inputs):
        scalar = np.ndim(inputs) == 0
        rows = self._tokenize(inputs)
        lookup = self._lookup_layer
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None:
                length = max((len(r) for r in rows), default=0)
            # Pad with the padding token "" (index 0), cut to the length.
            padded = np.full((len(rows), length), "", dtype=object)
            for i, row in enumerate(rows):
                row = row[:length]
                padded[i, : len(row)] = row
            out = lookup(padded.astype(str))
            return out[0] if scalar and self._output_sequence_length is None else out
        # Ragged rows: pad with the mask token "", which encodes to nothing.
        width = max((len(r) for r in rows), default=0)
        padded = np.full((len(rows), max(width, 1)), "", dtype=object)
        for i, row in enumerate(rows):
            padded[i, : len(row)] = row
        out = lookup(padded.astype(str))
        return out[0] if scalar else out

    def compute_output_spec(self, inputs):
        raise ArgumentError(
            f"TextVectorization '{self.name}' runs on the host on lists or numpy "
            "arrays of strings; it cannot be called on a symbolic model input."
        )

    def compute_output_shape(self, input_shape):
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        depth = (
            self._lookup_layer.max_tokens
            if self._lookup_layer.pad_to_max_tokens
            else self._lookup_layer._frozen_vocab_size
        )
        return (input_shape[0], depth)

    # ------------------------------------------------------------ saving
    def get_config(self) -> dict:
        from lamina.serialization import serialize_keras_object

        lookup = self._lookup_layer
        config = super().get_config()
        config.update(
            {
                "max_tokens": lookup.max_tokens,
                "standardize": self._standardize
                if not callable(self._standardize)
                else serialize_keras_object(self._standardize),
                "split": self._split
                if not callable(self._split)
                else serialize_keras_object(self._split),
                "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": lookup.sparse,
                "ragged": self._ragged,
                "vocabulary": lookup.get_config()["vocabulary"],
                "idf_weights": lookup.get_config()["idf_weights"],
                "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size(),
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        from lamina.serialization import deserialize_keras_object

        config = dict(config)
        for key in ("standardize", "split"):
            if config.get(key) is not None and not isinstance(config[key], str):
                config[key] = deserialize_keras_object(config[key])
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return super().from_config(config)

    def save_own_variables(self, store) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)


def _ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """All n-grams of each width in turn, as tf.strings.ngrams produces them."""
    grams = []
    for width in widths:
        grams.extend(
            " ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1)
        )
    return grams
