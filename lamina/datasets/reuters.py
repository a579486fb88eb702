"""Reuters newswire topic classification dataset."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lamina.datasets import _files, _sequences

_URL = f"{_files.KERAS_ORIGIN}reuters.npz"
_SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
_INDEX_URL = f"{_files.KERAS_ORIGIN}reuters_word_index.json"
_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
_INDEX_SIZE = None  # not known here: a cached index is checked by format only

_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
    "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc",
    "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path: str | os.PathLike = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Loads the Reuters newswire dataset: 11,228 newswires over 46 topics.

    Each newswire is a list of word ranks (1 is the most frequent word),
    shifted by `index_from`. The data comes from Keras's cache file
    (`reuters.npz`, read without unsafe unpickling), else from
    `reuters.npz` in `$LAMINA_DATA_DIR` (or its `reuters/` subfolder), else it
    is downloaded from Keras's address and checked against Keras's SHA-256.
    (Keras's preprocessing of the original Reuters-21578 text is not
    published, so there is no route from the raw text.)

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.
        num_words: keep only the words whose index (after `index_from`) is
            below `num_words`; the others become `oov_char`. With None the
            bound is the largest index, so, as in Keras, that one word also
            becomes `oov_char`.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: drop newswires of `maxlen` words or more; None keeps all.
        test_split: fraction of the data kept for testing, in `[0, 1)`.
        seed: seed of the shuffle before the split.
        start_char: marks the start of every newswire (None for no marker).
        oov_char: replaces the words cut by `num_words` or `skip_top` (None
            removes them).
        index_from: added to every word rank.
        **kwargs: `nb_words`, Keras 1's name for `num_words` (deprecated).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of int
        and integer topic labels (see `get_label_names`).

    Example:
        >>> (x_train, y_train), _ = reuters.load_data(num_words=10000)
        >>> reuters.get_label_names()[y_train[0]]
        'earn'
    """
    num_words = _sequences.legacy_kwargs(kwargs, num_words)
    _files.check_test_split(test_split)
    copies = [d / "reuters.npz" for d in _files.data_dirs(("reuters",))]
    download = _files.Download(_URL, "Reuters", _SHA256)
    xs, labels = _files.load_keras_file(
        path, "reuters.npz", _read_npz, download, copies=copies
    )

    # Keras's exact sequence of operations, so equal files give equal results.
    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs, labels = xs[indices], labels[indices]
    xs = _sequences.offset(xs, start_char, index_from)
    if maxlen:
        xs, labels = _sequences.drop_long(maxlen, xs, labels)
        _sequences.check_kept(maxlen, xs)
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return (
        (_sequences.object_array(xs[:cut]), np.array(labels[:cut])),
        (_sequences.object_array(xs[cut:]), np.array(labels[cut:])),
    )


def get_word_index(path: str | os.PathLike = "reuters_word_index.json") -> dict:
    """Retrieves the dict mapping each Reuters word to its rank (1 = most frequent).

    Read from Keras's cache file, else from `reuters_word_index.json` in
    `$LAMINA_DATA_DIR` (or its `reuters/` subfolder), else downloaded and
    checked against Keras's MD5.

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.

    Returns:
        The word index: `{"the": 1, ...}`. In `load_data()`'s sequences a word
        of rank `r` appears as `r + index_from`.

    Example:
        >>> index = reuters.get_word_index()
    """
    return _sequences.load_word_index(
        path,
        "reuters_word_index.json",
        _INDEX_URL,
        _INDEX_MD5,
        ("reuters",),
        "Reuters word index",
        _INDEX_SIZE,
    )


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed by label.

    Returns:
        A tuple of strings; `get_label_names()[y]` names label `y`.

    Example:
        >>> reuters.get_label_names()[3]
        'earn'
    """
    return _LABEL_NAMES


def _read_npz(path: Path):
    arrays = _files.read_npz_objects(path, ("x", "y"))
    xs, labels = arrays["x"], arrays["y"]
    if xs.ndim != 1 or labels.shape != (len(xs),):
        raise _files.UnusableFileError(
            f"x has shape {xs.shape} and y {labels.shape}; expected (n,) and (n,)"
        )
    return xs, labels
