"""Reading the CIFAR "python version" batches (shared by cifar10 and cifar100)."""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from lamina.datasets import _files

T = _files.T


def load(
    read: Callable[[Path], T],
    inner: str,
    download: _files.Download,
    subfolders: Iterable[str],
) -> T:
    """What ``read`` gives for the first readable folder or archive of batches.

    Keras's cache first (Keras 3's extracted ``<inner>-target/<inner>`` and its
    download ``<inner>-target_archive``, Keras 2's ``<inner>`` and
    ``<inner>.tar.gz``; extracted folders first, as they are quicker to read),
    then the original archive or its extracted folder in the ``subfolders`` of
    `$LAMINA_DATA_DIR` folders, else the download of the original archive into
    Keras 3's archive name.

    Args:
        read: reads the batches of a folder or archive.
        inner: the folder inside the archive, e.g. `cifar-10-batches-py`.
        download: the original archive's address, hash and name (the only
            entry of its ``originals``).
        subfolders: dataset subfolders searched in `$LAMINA_DATA_DIR` folders.
    """
    archive = f"{inner}-target_archive"
    keras_names = (f"{inner}-target/{inner}", inner, archive, f"{inner}.tar.gz")
    paths = [folder / name for folder in _files.cache_dirs() for name in keras_names]
    for folder in _files.data_dirs(subfolders):
        paths += [folder / download.originals[0], folder / inner]

    def fetch(rejected: list[str]) -> T:
        target = _files.download_dir() / archive
        download.into(target, rejected)
        return read(target)

    return _files.first_readable(_files.readings(paths, read), fetch, stacklevel=4)


def read_batches(source: Path, inner: str, names: list[str]) -> dict[str, dict]:
    """The unpickled batch files `names` from a folder or a tar archive.

    Archives are read in place (nothing is extracted to disk), and every
    pickle goes through `_files.RestrictedUnpickler`.
    """
    if source.is_dir():
        batches = {}
        for name in names:
            try:
                with open(source / name, "rb") as f:
                    batches[name] = _decode(_files.load_pickle(f, encoding="bytes"))
            except _files.READ_ERRORS as exc:
                raise _files.UnusableFileError(
                    f"{source / name}: {type(exc).__name__}: {exc}"
                ) from exc
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
        _files.read_to_end(archive)
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
