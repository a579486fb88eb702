"""CIFAR-10 small images classification dataset."""

from __future__ import annotations

import numpy as np

from lamina.datasets import _cifar, _files

_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_INNER = "cifar-10-batches-py"
_BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def load_data():
    """Loads the CIFAR-10 dataset: 50,000 32x32 color training images, 10,000 tests.

    Labels: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog,
    7 horse, 8 ship, 9 truck.

    The batches are read from Keras's cache (the extracted
    `cifar-10-batches-py-target/` folder or the downloaded
    `cifar-10-batches-py-target_archive`, or Keras 2's `cifar-10-batches-py/`),
    else from the original `cifar-10-python.tar.gz` in the cache or in
    `$LAMINA_DATA_DIR` (or its `cifar10/` subfolder), else the original archive
    is downloaded and checked against Keras's SHA-256. Archives are read in
    place, and the pickled batches with a restricted unpickler.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)` (channels first if
        `image_data_format()` is `"channels_first"`), uint8 labels of shape
        `(50000, 1)` and `(10000, 1)`.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = cifar10.load_data()
        >>> y_train.shape
        (50000, 1)
    """
    download = _files.Download(
        _URL,
        "CIFAR-10",
        _SHA256,
        originals=["cifar-10-python.tar.gz"],
        subfolder="cifar10",
    )
    return _cifar.load(_read, _INNER, download, ("cifar10", "cifar-10"))


def _read(source):
    batches = _cifar.read_batches(source, _INNER, _BATCHES)
    parts = [_cifar.images_and_labels(batches[name], "labels") for name in _BATCHES]
    x_train = np.concatenate([x for x, _ in parts[:-1]])
    y_train = np.concatenate([np.asarray(y, np.uint8) for _, y in parts[:-1]])
    x_test, y_test = parts[-1][0], np.asarray(parts[-1][1], np.uint8)
    return (
        (_cifar.to_data_format(x_train), y_train.reshape(-1, 1)),
        (_cifar.to_data_format(x_test), y_test.reshape(-1, 1)),
    )
