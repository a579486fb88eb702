"""California housing price regression dataset."""

from __future__ import annotations

import io
import os
import posixpath
import tarfile
from pathlib import Path

import numpy as np

from lamina.datasets import _files
from lamina.errors import ArgumentError

_URL = f"{_files.KERAS_ORIGIN}california_housing.npz"
_SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
_SUBFOLDERS = ("california_housing", "CaliforniaHousing")


def load_data(
    version: str = "large",
    path: str | os.PathLike = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
):
    """Loads the California Housing dataset (20,640 census block groups).

    The 8 features are StatLib's columns in their order: longitude, latitude,
    housing median age, total rooms, total bedrooms, population, households,
    median income; the target is the median house value in dollars.

    The data comes from Keras's cache file (`california_housing.npz`), else
    from StatLib's `cal_housing.data` (or its archive `cal_housing.tgz`) in the
    cache folder or in `$LAMINA_DATA_DIR` (or its `california_housing/`
    subfolder), else it is downloaded from Keras's address and checked against
    Keras's SHA-256. The samples are shuffled with
    `np.random.RandomState(seed)` and split as Keras splits them.

    Args:
        version: `"large"` (all 20,640 samples) or `"small"` (the first 600, a
            stand-in for the Boston dataset).
        path: the cache file; a bare name is relative to the Keras cache folder.
        test_split: fraction of the data kept for testing, in `[0, 1)`.
        seed: random seed of the shuffle before the split.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: float64 arrays of shapes
        `(n, 8)` and `(n,)`.

    Example:
        >>> (x_train, y_train), _ = california_housing.load_data(version="small")
        >>> x_train.shape
        (480, 8)
    """
    if version not in ("small", "large"):
        raise ArgumentError(
            "Argument `version` must be one of 'small', 'large'. "
            f"Received: version={version!r}"
        )
    _files.check_test_split(test_split)
    folders = _files.data_dirs(_SUBFOLDERS)
    tables = [d / "cal_housing.data" for d in folders]
    archives = [d / "cal_housing.tgz" for d in folders]
    originals = _files.readings(tables, _read_statlib)
    originals += _files.readings(archives, _read_archive)
    download = _files.Download(
        _URL,
        "California Housing",
        _SHA256,
        originals=["cal_housing.data"],
        subfolder="california_housing",
    )
    x, y = _files.load_keras_file(
        path, "california_housing.npz", _read_npz, download, originals=originals
    )
    if version == "small":
        x, y = x[:600], y[:600]
    return _files.shuffle_and_split(x, y, test_split, seed)


def _read_npz(path: Path):
    arrays = _files.read_npz(path, ("x", "y"))
    return _checked(arrays["x"], arrays["y"])


def _read_statlib(source) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(source, delimiter=",", ndmin=2)
    if table.shape[1] != 9:
        raise _files.UnusableFileError(f"{table.shape[1]} columns, expected 9")
    return _checked(table[:, :8], table[:, 8])


def _read_archive(path: Path):
    # StatLib's cal_housing.tgz holds CaliforniaHousing/cal_housing.data.
    table = None
    with tarfile.open(path, "r:*") as archive:
        for member in archive:
            if (
                member.isfile()
                and posixpath.basename(member.name) == "cal_housing.data"
            ):
                with archive.extractfile(member) as f:
                    table = f.read()
                break
        _files.read_to_end(archive)
    if table is None:
        raise _files.UnusableFileError("no cal_housing.data in the archive")
    return _read_statlib(io.BytesIO(table))


def _checked(x: np.ndarray, y: np.ndarray):
    if x.ndim != 2 or x.shape[1] != 8 or y.shape != (len(x),):
        raise _files.UnusableFileError(
            f"x has shape {x.shape} and y {y.shape}; expected (n, 8) and (n,)"
        )
    return x, y
