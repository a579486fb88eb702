"""Fashion-MNIST dataset: Zalando's 28x28 grayscale images of clothing."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from lamina.datasets import _files

# Debian's `dataset-fashion-mnist` package installs the original files here.
_SYSTEM_DIRS = (Path("/usr/share/datasets/fashion-mnist"),)
_SUBFOLDER = "fashion-mnist"  # Keras's cache subfolder
# Keras pins no hash for these files; the decompressed IDX payloads are checked
# instead (the gzip wrappers differ between mirrors, the payloads do not).
_PAYLOAD_SHA256 = _files.IDX_PAYLOAD_SHA256["fashion_mnist"]


def load_data():
    """Loads the Fashion-MNIST dataset: 60,000 training and 10,000 test images.

    Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot.

    The four IDX files (`train-images-idx3-ubyte.gz`, ...) are read from
    Keras's cache subfolder `fashion-mnist/`, else from a `fashion_mnist/` or
    `fashion-mnist/` subfolder of a `$LAMINA_DATA_DIR` folder, else from
    Debian's `/usr/share/datasets/fashion-mnist`, else they are downloaded
    from Keras's address into the cache (their content is checked by SHA-256).

    Returns:
        `(x_train, y_train), (x_test, y_test)`: uint8 arrays of shapes
        `(60000, 28, 28)`, `(60000,)`, `(10000, 28, 28)`, `(10000,)`.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
        >>> y_train[:3]
        array([9, 0, 0], dtype=uint8)
    """
    folders = _files.data_dirs((_SUBFOLDER, "fashion_mnist"), roots=False)
    folders += [d for d in _SYSTEM_DIRS if d.is_dir()]
    attempts = []
    for folder in folders:
        paths = _files.idx_paths(folder)
        if paths:
            attempts.append(
                (folder, lambda p=paths: _files.read_idx_set(p, "fashion_mnist"))
            )
    return _files.first_readable(attempts, _fetch)


def _fetch(rejected):
    folder = _files.download_dir() / _SUBFOLDER
    paths = []
    for name, ndim in zip(_files.IDX_FILES, (3, 1, 3, 1)):
        target = folder / f"{name}.gz"
        url = f"{_files.KERAS_ORIGIN}{name}.gz"
        try:
            _files.read_idx(target, ndim, "fashion_mnist")
        except _files.READ_ERRORS:
            _files.download_or_explain(
                url,
                target,
                "Fashion-MNIST",
                rejected,
                originals=[f"{n}.gz" for n in _files.IDX_FILES],
                subfolder="fashion_mnist",
                check=_payload_check(name),
            )
        paths.append(target)
    return _files.read_idx_set(paths, "fashion_mnist")


def _payload_check(name: str):
    def check(path: Path) -> None:
        with gzip.open(path, "rb") as f:
            actual = hashlib.sha256(f.read()).hexdigest()
        if actual != _PAYLOAD_SHA256[name]:
            raise _files.UnusableFileError(
                f"decompressed content has sha256 {actual}, expected "
                f"{_PAYLOAD_SHA256[name]}"
            )

    return check
