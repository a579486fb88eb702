"""MNIST handwritten digits dataset."""

from __future__ import annotations

import os
from pathlib import Path

from lamina.datasets import _files

_URL = f"{_files.KERAS_ORIGIN}mnist.npz"
_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_ARRAYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path: str | os.PathLike = "mnist.npz"):
    """Loads the MNIST dataset: 60,000 28x28 grayscale digits and 10,000 tests.

    The data comes from Keras's cache file (`~/.keras/datasets/mnist.npz`, or
    `$KERAS_HOME/datasets`), else from the four original IDX files
    (`train-images-idx3-ubyte.gz`, ...) in the cache folder or in
    `$LAMINA_DATA_DIR` (or its `mnist/` subfolder), else it is downloaded from
    Keras's address and checked against Keras's SHA-256.

    Args:
        path: the cache file; a bare name is relative to the Keras cache folder.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes
        `(60000, 28, 28)`, `(60000,)`, `(10000, 28, 28)`, `(10000,)`.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
        >>> x_train.shape
        (60000, 28, 28)
    """
    originals = []
    for folder in _files.data_dirs(("mnist",)):
        paths = _files.idx_paths(folder)
        if paths:
            originals.append(
                (folder, lambda paths=paths: _files.read_idx_set(paths, "mnist"))
            )
    gz_names = [f"{n}.gz" for n in _files.IDX_FILES]
    download = _files.Download(
        _URL, "MNIST", _SHA256, originals=gz_names, subfolder="mnist"
    )
    return _files.load_keras_file(
        path, "mnist.npz", _read_npz, download, originals=originals
    )


def _read_npz(path: Path):
    arrays = _files.read_npz(path, _ARRAYS)
    _files.check_pairs(arrays, x_ndim=3)
    for key, name in zip(_ARRAYS, _files.IDX_FILES):
        _files.check_known_content(arrays[key], name, "mnist")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
