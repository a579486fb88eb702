"""Boston housing price regression dataset."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lamina.datasets import _files

_URL = f"{_files.KERAS_ORIGIN}boston_housing.npz"
_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(
    path: str | os.PathLike = "boston_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """Loads the Boston Housing dataset (506 samples, 13 features).

    **Warning:** the "B" feature encodes a racial assumption; prefer
    `california_housing` except to illustrate ethical issues in data science.

    The data comes from Keras's cache file (`boston_housing.npz`), else from
    the original UCI file `housing.data` in the cache folder or in
    `$LAMINA_DATA_DIR` (or its `boston_housing/` subfolder), else it is
    downloaded from Keras's address and checked against Keras's SHA-256.
    The samples are shuffled with `np.random.RandomState(seed)` and split as
    Keras splits them.

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.
        test_split: fraction of the data kept for testing, in `[0, 1)`.
        seed: random seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays; with the
        defaults `x_train` is `(404, 13)` and `x_test` is `(102, 13)`; targets
        are median home values in k$.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
        >>> x_train.shape, x_test.shape
        ((404, 13), (102, 13))
    """
    _files.check_test_split(test_split)
    folders = _files.data_dirs(("boston_housing",))
    originals = _files.readings([d / "housing.data" for d in folders], _read_uci)
    download = _files.Download(
        _URL,
        "Boston Housing",
        _SHA256,
        originals=["housing.data"],
        subfolder="boston_housing",
    )
    x, y = _files.load_keras_file(
        path, "boston_housing.npz", _read_npz, download, originals=originals
    )
    return _files.shuffle_and_split(x, y, test_split, seed)


def _read_npz(path: Path):
    arrays = _files.read_npz(path, ("x", "y"))
    return _checked(arrays["x"], arrays["y"])


def _read_uci(path: Path):
    table = np.loadtxt(path, ndmin=2)  # whitespace separated, MEDV last
    if table.shape[1] != 14:
        raise _files.UnusableFileError(f"{table.shape[1]} columns, expected 14")
    return _checked(table[:, :13], table[:, 13])


def _checked(x: np.ndarray, y: np.ndarray):
    if x.ndim != 2 or x.shape[1] != 13 or y.shape != (len(x),):
        raise _files.UnusableFileError(
            f"x has shape {x.shape} and y {y.shape}; expected (n, 13) and (n,)"
        )
    return x, y
