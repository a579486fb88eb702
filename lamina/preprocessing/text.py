"""Keras 2's `keras.preprocessing.text`: the legacy `Tokenizer` and word hashing."""

from __future__ import annotations

import collections
import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from lamina.errors import ArgumentError

__all__ = [
    "Tokenizer",
    "hashing_trick",
    "one_hot",
    "text_to_word_sequence",
    "tokenizer_from_json",
]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(
    input_text: str,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
) -> list[str]:
    """Splits a text into words, dropping the characters in ``filters``.

    Example:
        >>> text_to_word_sequence("Hello, world!")
        ['hello', 'world']

    Args:
        input_text: the text.
        filters: characters replaced by ``split`` before splitting.
        lower: lowercase the text first.
        split: the word separator.

    Returns:
        The non-empty words, in order.
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def _md5(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def hashing_trick(
    text: str,
    n: int,
    hash_function: Callable[[str], int] | str | None = None,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
    analyzer: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """Maps each word of a text to an index in ``[1, n - 1]`` by hashing it.

    Python's ``hash`` (the default) changes between runs unless
    ``PYTHONHASHSEED`` is set; ``hash_function="md5"`` is stable.

    Example:
        >>> hashing_trick("the cat", 100, hash_function="md5")
        [...]

    Args:
        text: the text.
        n: the hashing space size (index 0 is never produced).
        hash_function: ``None`` (Python's ``hash``), ``"md5"`` or a callable
            from a word to an int.
        filters: characters removed before splitting.
        lower: lowercase the text first.
        split: the word separator.
        analyzer: a callable splitting the text into words (replaces the
            three arguments above).

    Returns:
        One index per word.
    """
    if n < 2:
        raise ArgumentError(f"hashing_trick: `n` must be >= 2, received {n}.")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5
    elif not callable(hash_function):
        raise ArgumentError(
            f'hashing_trick: `hash_function` must be None, "md5" or a callable, '
            f"received {hash_function!r}."
        )
    if analyzer is None:
        words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    else:
        words = analyzer(text)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(
    input_text: str,
    n: int,
    filters: str = DEFAULT_FILTERS,
    lower: bool = True,
    split: str = " ",
    analyzer: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """``hashing_trick`` with Python's ``hash`` (the name is Keras's, not one-hot).

    Example:
        >>> one_hot("the cat sat", 50)   # three indices in [1, 49]

    Args:
        input_text: the text.
        n: the hashing space size.
        filters: characters removed before splitting.
        lower: lowercase the text first.
        split: the word separator.
        analyzer: a callable splitting the text into words.

    Returns:
        One index per word.
    """
    return hashing_trick(
        input_text,
        n,
        hash_function=hash,
        filters=filters,
        lower=lower,
        split=split,
        analyzer=analyzer,
    )


class Tokenizer:
    """Keras 2's text tokenizer: words (or characters) to indices by frequency.

    ``fit_on_texts`` ranks words by count (1 is the most frequent; 0 is never
    used); ``texts_to_sequences`` and ``texts_to_matrix`` then keep only the
    ``num_words - 1`` most frequent words.

    Example:
        >>> tok = Tokenizer(num_words=100, oov_token="<unk>")
        >>> tok.fit_on_texts(["the cat sat", "the dog"])
        >>> tok.texts_to_sequences(["the bird"])
        [[2, 1]]

    Args:
        num_words: keep the ``num_words - 1`` most frequent words when
            converting (None: all).
        filters: characters removed from the texts.
        lower: lowercase the texts.
        split: the word separator.
        char_level: every character is a token.
        oov_token: a token (index 1) replacing out-of-vocabulary words.
        analyzer: a callable splitting a text into words.
    """

    def __init__(
        self,
        num_words: int | None = None,
        filters: str = DEFAULT_FILTERS,
        lower: bool = True,
        split: str = " ",
        char_level: bool = False,
        oov_token: str | None = None,
        analyzer: Callable[[str], list[str]] | None = None,
        **kwargs,
    ):
        if "nb_words" in kwargs:
            warnings.warn(
                "Tokenizer: `nb_words` is deprecated, use `num_words`.",
                DeprecationWarning,
                stacklevel=2,
            )
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Tokenizer: unrecognized keyword arguments: {kwargs}.")
        self.word_counts: dict[str, int] = collections.OrderedDict()
        self.word_docs: dict[str, int] = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs: dict[int, int] = collections.defaultdict(int)
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}
        self.analyzer = analyzer

    def _tokens(self, text: str | list[str]) -> list[str] | str:
        # A list is taken as already tokenized; char_level keeps the string.
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = (
                    [t.lower() for t in text]
                    if isinstance(text, list)
                    else (text.lower())
                )
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(
            text, filters=self.filters, lower=self.lower, split=self.split
        )

    def fit_on_texts(self, texts: Iterable[str | list[str]]) -> None:
        """Counts the words of ``texts`` and ranks them by frequency.

        Args:
            texts: strings, or lists of tokens.
        """
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1
        # A stable sort: ties keep their first-seen order, as in Keras.
        ranked = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary.extend(word for word, _ in ranked)
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        for word, count in self.word_docs.items():
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences: Iterable[Iterable[int]]) -> None:
        """Counts document frequencies of indices (for ``tfidf`` on sequences).

        Args:
            sequences: lists of word indices.
        """
        sequences = list(sequences)
        self.document_count += len(sequences)
        for seq in sequences:
            for index in set(seq):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts: Iterable[str | list[str]]) -> list[list[int]]:
        """Each text as a list of word indices (unknown words dropped or OOV).

        Args:
            texts: strings, or lists of tokens.

        Returns:
            One list of indices per text.
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(
        self, texts: Iterable[str | list[str]]
    ) -> Iterator[list[int]]:
        """``texts_to_sequences``, one text at a time."""
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            indices = []
            for token in self._tokens(text):
                index = self.word_index.get(token)
                if index is not None and not (num_words and index >= num_words):
                    indices.append(index)
                elif oov_index is not None:
                    indices.append(oov_index)
            yield indices

    def sequences_to_texts(self, sequences: Iterable[Iterable[int]]) -> list[str]:
        """Each list of indices back to a space-joined text.

        Args:
            sequences: lists of word indices.

        Returns:
            One string per sequence.
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(
        self, sequences: Iterable[Iterable[int]]
    ) -> Iterator[str]:
        """``sequences_to_texts``, one sequence at a time."""
        num_words = self.num_words
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for index in seq:
                word = self.index_word.get(index)
                if word is not None and not (num_words and index >= num_words):
                    words.append(word)
                elif oov_index is not None:
                    words.append(self.index_word[oov_index])
            yield " ".join(words)

    def texts_to_matrix(
        self, texts: Iterable[str | list[str]], mode: str = "binary"
    ) -> np.ndarray:
        """Texts as a ``(len(texts), num_words)`` matrix of word scores.

        Args:
            texts: strings, or lists of tokens.
            mode: ``"binary"``, ``"count"``, ``"tfidf"`` or ``"freq"``.

        Returns:
            A float64 array.
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(
        self, sequences: list[list[int]], mode: str = "binary"
    ) -> np.ndarray:
        """Sequences as a ``(len(sequences), num_words)`` matrix of word scores.

        Args:
            sequences: lists of word indices.
            mode: ``"binary"`` (1 if present), ``"count"``, ``"freq"`` (count
                over length) or ``"tfidf"`` (``(1 + log(count)) *
                log(1 + documents / (1 + document frequency))``).

        Returns:
            A float64 array.
        """
        if mode not in MATRIX_MODES:
            raise ArgumentError(
                f"Tokenizer: `mode` must be one of {', '.join(MATRIX_MODES)}, "
                f"received {mode!r}."
            )
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ArgumentError(
                "Tokenizer: pass `num_words`, or fit on some texts first, to set the "
                "matrix width."
            )
        if mode == "tfidf" and not self.document_count:
            raise ArgumentError(
                "Tokenizer: fit on some data before using mode='tfidf'."
            )
        matrix = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if not seq:
                continue
            counts = collections.Counter(j for j in seq if j < num_words)
            for j, count in counts.items():
                if mode == "count":
                    matrix[row, j] = count
                elif mode == "freq":
                    matrix[row, j] = count / len(seq)
                elif mode == "binary":
                    matrix[row, j] = 1
                else:
                    tf = 1 + np.log(count)
                    idf = np.log(
                        1 + self.document_count / (1 + self.index_docs.get(j, 0))
                    )
                    matrix[row, j] = tf * idf
        return matrix

    def get_config(self) -> dict:
        """The tokenizer's settings and vocabulary (dicts as JSON strings, as Keras)."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as a JSON string (``tokenizer_from_json`` reads it).

        Args:
            **kwargs: passed to ``json.dumps``.
        """
        return json.dumps(
            {"class_name": type(self).__name__, "config": self.get_config()}, **kwargs
        )


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """A Tokenizer from ``Tokenizer.to_json()``'s output (Keras's or lamina's).

    Example:
        >>> restored = tokenizer_from_json(tok.to_json())

    Args:
        json_string: the JSON text.

    Returns:
        The Tokenizer, with its vocabulary.
    """
    config = dict(json.loads(json_string)["config"])
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    # Counting containers again, so that fitting on more texts keeps working.
    tokenizer.word_counts = collections.OrderedDict(word_counts)
    tokenizer.word_docs = collections.defaultdict(int, word_docs)
    tokenizer.index_docs = collections.defaultdict(int, index_docs)
    tokenizer.word_index = word_index
    tokenizer.index_word = index_word
    return tokenizer
