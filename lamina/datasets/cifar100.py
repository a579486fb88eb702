"""CIFAR-100 small images classification dataset."""

from __future__ import annotations

import functools

import numpy as np

from lamina.datasets import _cifar, _files
from lamina.errors import ArgumentError

_URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
_INNER = "cifar-100-python"


def load_data(label_mode: str = "fine"):
    """Loads the CIFAR-100 dataset: 50,000 32x32 color training images, 10,000 tests.

    The images are labelled over 100 fine classes grouped into 20 coarse ones.
    The files are found as for `cifar10.load_data()`: Keras's cache
    (`cifar-100-python-target/`, `cifar-100-python-target_archive`, Keras 2's
    `cifar-100-python/`), the original `cifar-100-python.tar.gz` in the cache or
    in `$LAMINA_DATA_DIR` (or its `cifar100/` subfolder), else a download
    checked against Keras's SHA-256.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20 superclasses).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 images of shape
        `(50000, 32, 32, 3)` and `(10000, 32, 32, 3)` (channels first if
        `image_data_format()` is `"channels_first"`), int64 labels of shape
        `(50000, 1)` and `(10000, 1)` (Keras's dtype for CIFAR-100).

    Example:
        >>> (x_train, y_train), _ = cifar100.load_data(label_mode="coarse")
        >>> int(y_train.max())
        19
    """
    if label_mode not in ("fine", "coarse"):
        raise ArgumentError(
            '`label_mode` must be one of "fine", "coarse". '
            f"Received: label_mode={label_mode!r}."
        )
    download = _files.Download(
        _URL,
        "CIFAR-100",
        _SHA256,
        originals=["cifar-100-python.tar.gz"],
        subfolder="cifar100",
    )
    read = functools.partial(_read, label_mode=label_mode)
    return _cifar.load(read, _INNER, download, ("cifar100", "cifar-100"))


def _read(source, label_mode):
    batches = _cifar.read_batches(source, _INNER, ["train", "test"])
    result = []
    for name in ("train", "test"):
        x, labels = _cifar.images_and_labels(batches[name], f"{label_mode}_labels")
        # Keras reshapes the label list as it is, which gives int64.
        y = np.reshape(np.asarray(labels, np.int64), (len(labels), 1))
        result.append((_cifar.to_data_format(x), y))
    return tuple(result)
