"""`text_dataset_from_directory`: a folder of .txt files as batches of strings."""

from __future__ import annotations

import os

import numpy as np

from lamina.errors import ArgumentError
from lamina.utils import dataset_utils


def _read_texts(paths: list[str], max_length: int | None) -> np.ndarray:
    texts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        texts.append(text if max_length is None else text[:max_length])
    # An object array of str: no padding to the longest text's width.
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def text_dataset_from_directory(
    directory: str | os.PathLike,
    labels="inferred",
    label_mode: str | None = "int",
    class_names: list[str] | None = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",
    verbose: bool = True,
):
    """A dataset of ``(texts, labels)`` batches from a folder of .txt files.

    With ``labels="inferred"`` the folder holds one subfolder per class
    (sorted names give the class indices). Each text is a Python ``str``;
    a batch is a numpy object array of them. Files are listed and shuffled as
    Keras does, so the validation split matches Keras's.

    Example:
        >>> train = lamina.utils.text_dataset_from_directory(
        ...     "aclImdb/train", batch_size=32, validation_split=0.2,
        ...     subset="training", seed=1337)
        >>> texts, labels = train[0]

    Args:
        directory: the text folder.
        labels: ``"inferred"``, None, or one integer label per file.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None.
        class_names: the subfolders to use, in label order.
        batch_size: texts per batch, or None for single texts.
        max_length: keep only the first ``max_length`` characters.
        shuffle: shuffle the files (and every epoch).
        seed: the shuffling seed (needed with ``validation_split``).
        validation_split: the fraction kept for validation (the last files).
        subset: ``"training"``, ``"validation"`` or ``"both"``.
        follow_links: follow symbolic links to folders.
        format: ``"tf"`` (accepted for compatibility).
        verbose: print how many files were found.

    Returns:
        A ``BatchDataset`` with ``class_names`` and ``file_paths``; a list of
        two with ``subset="both"``.
    """
    labels, label_mode = dataset_utils.check_label_args(
        labels, label_mode, class_names, "text"
    )
    if format not in ("tf", "grain"):
        raise ArgumentError(f'`format` must be "tf" or "grain", received {format!r}.')
    return dataset_utils.directory_dataset(
        directory,
        labels,
        label_mode,
        class_names,
        (".txt",),
        lambda batch_paths: _read_texts(batch_paths, max_length),
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        what="text files",
        allowed="Allowed format: .txt",
    )
