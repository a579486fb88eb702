"""Small datasets for examples and tests, loaded as `keras.datasets` loads them.

Each module has a `load_data()` with Keras's arguments and return values:
`mnist`, `fashion_mnist`, `cifar10`, `cifar100`, `imdb`, `reuters`,
`boston_housing`, `california_housing`. The data is read from Keras's cache
folder (`$KERAS_HOME/datasets` or `~/.keras/datasets`) in Keras's file
formats, else from the original distribution files in that folder or in the
folders of `$LAMINA_DATA_DIR`, else downloaded from Keras's addresses with a
hash check. See `lamina.datasets._files` for the details.
"""

from __future__ import annotations

import importlib

# Re-exported so `lamina.datasets.DatasetNotFoundError` keeps working; the classes
# live with lamina's other errors.
from lamina.errors import (
    DatasetCacheError,
    DatasetIntegrityError,
    DatasetNotFoundError,
)

_DATASETS = (
    "boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist",
    "imdb", "mnist", "reuters",
)  # fmt: skip


def __getattr__(name: str):
    # Each dataset module loads on first use, so `lamina.datasets.mnist` works
    # without importing the others.
    if name in _DATASETS:
        module = importlib.import_module(f"lamina.datasets.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lamina.datasets' has no attribute {name!r}")


__all__ = [
    "DatasetCacheError",
    "DatasetIntegrityError",
    "DatasetNotFoundError",
    *_DATASETS,
]
