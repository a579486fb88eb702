"""Reading the CIFAR "python version" batches (shared by cifar10 and cifar100)."""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lamina.datasets import _files


def candidates(
    keras_names: Iterable[str], inner: str, original: str, subfolders: Iterable[str]
) -> list[Path]:
    """Existing folders or archives that may hold the batches, in search order.

    Args:
        keras_names: cache names Keras 3 and Keras 2 use, e.g.
            `cifar-10-batches-py-target/cifar-10-batches-py` (Keras 3's
            extracted folder), `cifar-10-batches-py-target_archive` (its
            download), `cifar-10-batches-py` and `cifar-10-batches-py.tar.gz`
            (Keras 2).
        inner: the folder inside the archive, `cifar-10-batches-py`.
        original: the name of the original archive, `cifar-10-python.tar.gz`.
        subfolders: dataset subfolders searched in `$LAMINA_DATA_DIR` folders.
    """
    paths = [folder / name for folder in _files.cache_dirs() for name in keras_names]
    for folder in _files.data_dirs(subfolders):
        paths += [folder / original, folder / inner]
    return list(_files.existing(paths))


def read_batches(source: Path, inner: str, names: list[str]) -> dict[str, dict]:
    """The unpickled batch files `names` from a folder or a tar archive.

    Archives are read in place (nothing is extracted to disk), and every
    pickle goes through `_files.RestrictedUnpickler`.
    """
    if source.is_dir():
        batches = {}
        for name in names:
            with open(source / name, "rb") as f:
                batches[name] = _decode(_files.load_pickle(f, encoding="bytes"))
        return batches
    batches = {}
    with tarfile.open(source, "r:*") as archive:
        for member in archive:
            folder, name = posixpath.split(posixpath.normpath(member.name))
            if (
                member.isfile()
                and name in names
                and posixpath.basename(folder) == inner
            ):
                with archive.extractfile(member) as f:
                    batches[name] = _decode(_files.load_pickle(f, encoding="bytes"))
    missing = [n for n in names if n not in batches]
    if missing:
        raise _files.UnusableFileError(f"no {inner}/{missing[0]} in the archive")
    return batches


def _decode(batch) -> dict:
    if not isinstance(batch, dict):
        raise _files.UnusableFileError(
            f"a batch is a {type(batch).__name__}, not a dict"
        )
    return {
        k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()
    }


def images_and_labels(batch: dict, label_key: str) -> tuple[np.ndarray, list]:
    """`(data (N, 3, 32, 32) uint8, labels)` from one decoded batch."""
    data, labels = batch.get("data"), batch.get(label_key)
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3072:
        raise _files.UnusableFileError("'data' is not an (N, 3072) array")
    if labels is None or len(labels) != len(data):
        raise _files.UnusableFileError(
            f"{label_key!r} does not have one label per image ({len(data)})"
        )
    return data.reshape(len(data), 3, 32, 32), labels


def to_data_format(x: np.ndarray) -> np.ndarray:
    """Channels-first batches in the layout `image_data_format()` asks for."""
    from lamina.backend.config import image_data_format

    if image_data_format() == "channels_last":
        # Contiguous, so torch.from_numpy and batching need no further copy.
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x
