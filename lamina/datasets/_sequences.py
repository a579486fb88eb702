"""Keras's post-processing of word-index sequences (shared by imdb and reuters)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from lamina.datasets import _files
from lamina.errors import ArgumentError


def legacy_kwargs(kwargs: dict, num_words: int | None) -> int | None:
    """Keras 1's `nb_words` spelling of `num_words`; anything else is an error."""
    if "nb_words" in kwargs:
        warnings.warn(
            "The `nb_words` argument of `load_data` is deprecated; use `num_words`.",
            DeprecationWarning,
            stacklevel=3,
        )
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    return num_words


def offset(sequences, start_char: int | None, index_from: int) -> list[list[int]]:
    """Prepends `start_char` and shifts word ranks by `index_from`, as Keras does."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in sequences]
    if index_from:
        return [[w + index_from for w in x] for x in sequences]
    return [list(x) for x in sequences]


def drop_long(maxlen: int, sequences: list, labels) -> tuple[list, list]:
    """Keeps the sequences strictly shorter than `maxlen` (Keras's rule)."""
    kept = [(x, y) for x, y in zip(sequences, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(
    sequences: list, num_words: int | None, skip_top: int, oov_char: int | None
) -> list[list[int]]:
    """Replaces ranks outside `[skip_top, num_words)` by `oov_char` (or drops them)."""
    if not num_words:
        num_words = max(max(x) for x in sequences)
    if oov_char is not None:
        return [
            [w if skip_top <= w < num_words else oov_char for w in x] for x in sequences
        ]
    return [[w for w in x if skip_top <= w < num_words] for x in sequences]


def object_array(sequences: list) -> np.ndarray:
    """A 1-d object array of lists, even when all lists have the same length."""
    array = np.empty(len(sequences), dtype=object)
    for i, sequence in enumerate(sequences):
        array[i] = sequence
    return array


def check_kept(maxlen, *parts) -> None:
    if any(not part for part in parts):
        raise ArgumentError(
            f"After filtering for sequences shorter than maxlen={maxlen}, no "
            "sequence was kept. Increase `maxlen`."
        )


def load_word_index(
    path,
    default: str,
    url: str,
    md5: str,
    subfolders: tuple[str, ...],
    title: str,
    size: int | None = None,
) -> dict[str, int]:
    """A Keras word-index JSON file from the cache, `$LAMINA_DATA_DIR` or the web.

    A file of the original's ``size`` must have its MD5 (a flipped letter
    still parses as JSON).
    """
    copies = [d / default for d in _files.data_dirs(subfolders)]
    download = _files.Download(url, title, md5=md5, size=size)
    return _files.load_keras_file(path, default, _read_index, download, copies=copies)


def _read_index(path: Path) -> dict[str, int]:
    with open(path, encoding="utf-8") as f:
        index = json.load(f)
    if not isinstance(index, dict) or not all(
        isinstance(rank, int) for rank in index.values()
    ):
        raise _files.UnusableFileError("not a JSON object of word -> rank")
    return index
