"""IMDB movie review sentiment classification dataset."""

from __future__ import annotations

import os
import posixpath
import string
import tarfile
from pathlib import Path

import numpy as np

from lamina.datasets import _files, _sequences

_URL = f"{_files.KERAS_ORIGIN}imdb.npz"
_SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
_INDEX_URL = f"{_files.KERAS_ORIGIN}imdb_word_index.json"
_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"
_INDEX_SIZE = 1_641_221
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")
# The original Stanford text: the official archive, the labelled-only repack
# some mirrors ship, or the extracted folder.
_TEXT_SOURCES = ("aclImdb", "aclImdb_v1.tar.gz", "aclImdb_labeled.tar.gz")

# How Keras's word index was built from the text: ASCII letters lowercased,
# the default `text_to_word_sequence` filter characters turned into spaces (so
# "<br />" gives the word "br"), then a split on single spaces. On
# aclImdb/train this yields exactly the index's 88,584 words.
_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TABLE = str.maketrans(
    string.ascii_uppercase + _FILTERS,
    string.ascii_lowercase + " " * len(_FILTERS),
)


def load_data(
    path: str | os.PathLike = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    **kwargs,
):
    """Loads the IMDB dataset: 25,000 training and 25,000 test movie reviews.

    Each review is a list of word ranks (1 is the most frequent word in the
    training reviews), shifted by `index_from`; label 1 is positive.

    The data comes from Keras's cache file (`imdb.npz`, read without unsafe
    unpickling), else from the original review text (`aclImdb/`,
    `aclImdb_v1.tar.gz` or `aclImdb_labeled.tar.gz` in the cache folder or in
    `$LAMINA_DATA_DIR` or its `imdb/` subfolder) tokenized with Keras's word
    index (see `get_word_index`), else `imdb.npz` is downloaded from Keras's
    address and checked against Keras's SHA-256.

    From the text, the reviews are ordered as in Keras's file (positive then
    negative, each by file name) and every word of the index keeps its rank;
    words that are not in the index (test-only words) are skipped, as in
    Keras's file.

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.
        num_words: keep only the words whose index (after `index_from`) is
            below `num_words`; the others become `oov_char`. With None the
            bound is the largest index, so, as in Keras, that one word also
            becomes `oov_char`.
        skip_top: also replace the `skip_top` most frequent words by `oov_char`.
        maxlen: drop reviews of `maxlen` words or more; None keeps all.
        seed: seed of the shuffle of each split.
        start_char: marks the start of every review (None for no marker).
        oov_char: replaces the words cut by `num_words` or `skip_top` (None
            removes them).
        index_from: added to every word rank.
        **kwargs: `nb_words`, Keras 1's name for `num_words` (deprecated).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of int
        and int64 label arrays.

    Example:
        >>> (x_train, y_train), _ = imdb.load_data(num_words=10000)
        >>> x_train[0][0]  # start_char
        1
    """
    num_words = _sequences.legacy_kwargs(kwargs, num_words)
    texts = [d / name for d in _files.data_dirs(("imdb",)) for name in _TEXT_SOURCES]
    download = _files.Download(
        _URL,
        "IMDB",
        _SHA256,
        originals=["aclImdb_v1.tar.gz", "imdb_word_index.json"],
        subfolder="imdb",
    )
    arrays = _files.load_keras_file(
        path,
        "imdb.npz",
        _read_npz,
        download,
        originals=_files.readings(texts, _read_text),
    )
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]

    # Keras's exact sequence of operations, so equal files give equal results.
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train, labels_train = x_train[indices], labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test, labels_test = x_test[indices], labels_test[indices]

    x_train = _sequences.offset(x_train, start_char, index_from)
    x_test = _sequences.offset(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _sequences.drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = _sequences.drop_long(maxlen, x_test, labels_test)
        _sequences.check_kept(maxlen, x_train, x_test)
    xs = _sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return (
        (_sequences.object_array(xs[:cut]), labels[:cut]),
        (_sequences.object_array(xs[cut:]), labels[cut:]),
    )


def get_word_index(path: str | os.PathLike = "imdb_word_index.json") -> dict[str, int]:
    """Retrieves the dict mapping each IMDB word to its rank (1 = most frequent).

    Read from Keras's cache file, else from `imdb_word_index.json` in
    `$LAMINA_DATA_DIR` (or its `imdb/` subfolder), else downloaded and checked
    against Keras's MD5.

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.

    Returns:
        The word index: `{"the": 1, "and": 2, ...}`. In `load_data()`'s
        sequences a word of rank `r` appears as `r + index_from`.

    Example:
        >>> index = imdb.get_word_index()
        >>> words = {rank + 3: word for word, rank in index.items()}
    """
    return _sequences.load_word_index(
        path,
        "imdb_word_index.json",
        _INDEX_URL,
        _INDEX_MD5,
        ("imdb",),
        "IMDB word index",
        _INDEX_SIZE,
    )


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    arrays = _files.read_npz_objects(path, _ARRAYS)
    _files.check_pairs(arrays, x_ndim=1)
    return arrays


def _read_text(source: Path) -> dict[str, np.ndarray]:
    """Keras-format arrays (word ranks, no offset) from the aclImdb reviews."""
    index = get_word_index()
    reviews = {}  # (split, label, file name) -> text
    if source.is_dir():
        for split in ("train", "test"):
            for label in ("pos", "neg"):
                folder = source / split / label
                for name in os.listdir(folder):
                    if name.endswith(".txt"):
                        reviews[split, label, name] = (folder / name).read_bytes()
    else:
        # Streaming mode ("|*"): no seeks back, so gzip is decompressed once.
        with tarfile.open(source, "r|*") as archive:
            for member in archive:
                parts = posixpath.normpath(member.name).split("/")
                if (
                    member.isfile()
                    and len(parts) >= 4
                    and parts[-4] == "aclImdb"
                    and parts[-3] in ("train", "test")
                    and parts[-2] in ("pos", "neg")
                    and parts[-1].endswith(".txt")
                ):
                    with archive.extractfile(member) as f:
                        reviews[tuple(parts[-3:])] = f.read()
    arrays = {}
    for split in ("train", "test"):
        keys = [
            key
            for label in ("pos", "neg")
            for key in sorted(k for k in reviews if k[:2] == (split, label))
        ]
        if not keys:
            raise _files.UnusableFileError(f"no aclImdb/{split}/pos or neg reviews")
        arrays[f"x_{split}"] = _sequences.object_array(
            [_encode(reviews[key], index) for key in keys]
        )
        arrays[f"y_{split}"] = np.array([int(k[1] == "pos") for k in keys], np.int64)
    return arrays


def _encode(raw: bytes, index: dict[str, int]) -> list[int]:
    words = raw.decode("utf-8", errors="replace").translate(_TABLE).split(" ")
    # One dict lookup per word (this loop runs over ~12 million words).
    return [rank for rank in map(index.get, words) if rank is not None]
