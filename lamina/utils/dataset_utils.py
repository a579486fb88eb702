"""In-memory datasets of batches, directory indexing, and `split_dataset`.

Keras builds `tf.data.Dataset`s here; lamina builds `BatchDataset`s, a
`PyDataset` that loads each batch on demand as numpy arrays, which
`model.fit`, `evaluate` and `predict` take directly.
"""

from __future__ import annotations

import copy
import os
import random
from collections.abc import Callable, Sequence

import numpy as np
import torch.utils.data

from lamina.errors import ArgumentError, ShapeError
from lamina.trainers.py_dataset import PyDataset


def _map_structure(fn: Callable, structure):
    if isinstance(structure, (tuple, list)):
        return type(structure)(_map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def _flatten(structure) -> list:
    if isinstance(structure, (tuple, list)):
        return [leaf for s in structure for leaf in _flatten(s)]
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in _flatten(v)]
    return [structure]


class BatchDataset(PyDataset):
    """Samples ``0 .. num_samples - 1``, read a batch at a time by ``load_batch``.

    ``load_batch(indices)`` returns the samples at ``indices`` stacked: an
    array, or a tuple ``(x, y)`` of arrays. With ``shuffle`` the sample order
    is drawn again before every epoch (from its own generator, seeded by
    ``seed``). With ``batch_size=None`` each item is one sample, as an
    unbatched ``tf.data.Dataset`` (``.batch(n)`` batches it).

    Example:
        >>> x, y = np.zeros((100, 4)), np.arange(100)
        >>> ds = BatchDataset.from_arrays((x, y), batch_size=32)
        >>> len(ds), ds[0][0].shape
        (4, (32, 4))

    Args:
        num_samples: the number of samples.
        load_batch: a function from an index array to a batch.
        batch_size: samples per batch, or None for single samples.
        shuffle: reshuffle before every epoch.
        seed: the shuffling seed.
    """

    def __init__(
        self,
        num_samples: int,
        load_batch: Callable[[np.ndarray], object],
        batch_size: int | None = 32,
        shuffle: bool = False,
        seed: int | None = None,
    ):
        super().__init__()
        if batch_size is not None and batch_size < 1:
            raise ArgumentError(
                f"`batch_size` must be a positive integer or None, received "
                f"{batch_size}."
            )
        self.num_samples = num_samples
        self.load_batch = load_batch
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self._rng = np.random.RandomState(seed)
        self._order = np.arange(num_samples)
        if shuffle:
            self._rng.shuffle(self._order)
        self.class_names: list[str] | None = None
        self.file_paths: list[str] | None = None

    @classmethod
    def from_arrays(
        cls,
        data,
        batch_size: int | None = 32,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> BatchDataset:
        """A dataset over arrays (one array, or a tuple/list/dict of them).

        Args:
            data: the arrays, all of the same length.
            batch_size: samples per batch, or None.
            shuffle: reshuffle before every epoch.
            seed: the shuffling seed.
        """
        data = _map_structure(np.asarray, data)
        lengths = {len(a) for a in _flatten(data)}
        if len(lengths) != 1:
            raise ShapeError(
                f"All arrays of a dataset must have the same length, received "
                f"lengths {sorted(lengths)}."
            )
        return cls(
            lengths.pop(),
            lambda indices: _map_structure(lambda a: a[indices], data),
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
        )

    def __len__(self) -> int:
        if self.batch_size is None:
            return self.num_samples
        return -(-self.num_samples // self.batch_size)

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"batch index {index} out of range for {len(self)} batches"
            )
        index %= len(self)
        if self.batch_size is None:
            batch = self.load_batch(self._order[index : index + 1])
            return _map_structure(lambda a: a[0], batch)
        start = index * self.batch_size
        return self.load_batch(self._order[start : start + self.batch_size])

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self._order)

    def batch(self, batch_size: int) -> BatchDataset:
        """The same samples in batches of ``batch_size`` (tf.data's ``.batch``)."""
        if batch_size < 1:
            raise ArgumentError(f"`batch_size` must be >= 1, received {batch_size}.")
        out = copy.copy(self)
        out.batch_size = batch_size
        return out

    def unbatch(self) -> BatchDataset:
        """The same samples one at a time."""
        out = copy.copy(self)
        out.batch_size = None
        return out

    def take_samples(self, indices: Sequence[int]) -> BatchDataset:
        """A dataset of the samples at ``indices`` (in the unshuffled order)."""
        indices = np.asarray(indices, dtype=np.int64)
        parent = self.load_batch
        out = BatchDataset(
            len(indices),
            lambda idx: parent(indices[idx]),
            batch_size=self.batch_size,
            shuffle=self.shuffle,
            seed=self.seed,
        )
        out.class_names = self.class_names
        if self.file_paths is not None:
            out.file_paths = [self.file_paths[i] for i in indices]
        return out


# ------------------------------------------------------------ directory indexing


def check_validation_split_arg(validation_split, subset, shuffle, seed) -> None:
    """Keras's checks of ``validation_split`` / ``subset`` / ``seed``."""
    if validation_split and not 0 < validation_split < 1:
        raise ArgumentError(
            f"`validation_split` must be between 0 and 1, received {validation_split}."
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ArgumentError(
            "If `subset` is set, `validation_split` must be set, and inversely; "
            f"received validation_split={validation_split}, subset={subset!r}."
        )
    if subset not in ("training", "validation", "both", None):
        raise ArgumentError(
            f'`subset` must be "training", "validation" or "both", received {subset!r}.'
        )
    if validation_split and shuffle and seed is None:
        raise ArgumentError(
            "With `validation_split` and `shuffle=True`, pass a `seed`, so that the "
            "training and validation subsets do not overlap."
        )


def list_files(
    directory: str, follow_links: bool, formats: tuple[str, ...]
) -> list[str]:
    """Files under ``directory`` (recursively) whose names end in ``formats``.

    Sorted as Keras sorts them: folders by path, then files by name within
    each; the ending is compared case-insensitively. Shared by
    ``index_directory`` and ``ImageDataGenerator.flow_from_directory``.

    Args:
        directory: Folder to walk.
        follow_links: Whether to descend into symbolic links to folders.
        formats: Lower-case name endings to keep, e.g. ``(".png", ".jpg")``
            (compared as plain string endings).

    Returns:
        The files' paths, each joined onto ``directory``.
    """
    paths = []
    for root, _, files in sorted(
        os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0]
    ):
        for name in sorted(files):
            if name.lower().endswith(formats):
                paths.append(os.path.join(root, name))
    return paths


def index_directory(
    directory: str | os.PathLike,
    labels,
    formats: tuple[str, ...],
    class_names: list[str] | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> tuple[list[str], np.ndarray | None, list[str] | None]:
    """The files of ``directory`` and their labels, in Keras's order.

    With ``labels="inferred"`` each subfolder (sorted, hidden ones skipped)
    is a class; otherwise the files are listed recursively and ``labels`` is
    None or one label per file. With ``shuffle`` the files are permuted by
    ``np.random.RandomState(seed)``, as Keras does.

    Returns:
        ``(file_paths, labels, class_names)``.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ArgumentError(f"`directory` {directory!r} is not a directory.")
    if labels == "inferred":
        subdirs = [
            name
            for name in sorted(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, name)) and not name.startswith(".")
        ]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ArgumentError(
                    f"`class_names` must name subdirectories of {directory!r}: "
                    f"expected some of {subdirs}, received {class_names}."
                )
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ArgumentError(
                "`class_names` can only be given with labels='inferred', received "
                f"labels={labels!r}."
            )
        subdirs = [""]
    file_paths: list[str] = []
    inferred: list[int] = []
    for label, subdir in enumerate(subdirs):
        found = list_files(os.path.join(directory, subdir), follow_links, formats)
        file_paths += found
        inferred += [label] * len(found)
    if labels == "inferred":
        class_names = subdirs
        labels = np.array(inferred, dtype="int32")
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(file_paths):
            raise ArgumentError(
                f"`labels` must have one label per file: received {len(labels)} "
                f"labels for {len(file_paths)} files in {directory!r}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(file_paths)} files.")
        else:
            print(
                f"Found {len(file_paths)} files belonging to {len(class_names)} "
                "classes."
            )
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The training (first) or validation (last) part of the samples."""
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        part = slice(None, len(samples) - num_val)
    elif subset == "validation":
        print(f"Using {num_val} files for validation.")
        part = slice(len(samples) - num_val, None)
    else:
        raise ArgumentError(
            f'`subset` must be "training" or "validation", received {subset!r}.'
        )
    return samples[part], None if labels is None else labels[part]


def encode_labels(labels: np.ndarray, label_mode: str, num_classes: int) -> np.ndarray:
    """Integer labels as Keras's datasets give them for ``label_mode``."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels]
    return labels.astype("int32")


def check_label_args(labels, label_mode, class_names, kind: str):
    """Keras's checks of ``labels``/``label_mode``; returns the effective pair."""
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ArgumentError(
                f"`labels` must be 'inferred', None, or a list of integer labels, one "
                f"per {kind} file; received {labels!r}."
            )
        if class_names:
            raise ArgumentError(
                "`class_names` can only be given with labels='inferred', received "
                f"labels={labels!r} and class_names={class_names}."
            )
    if label_mode not in ("int", "categorical", "binary", None):
        raise ArgumentError(
            f'`label_mode` must be "int", "categorical", "binary" or None, received '
            f"{label_mode!r}."
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def files_dataset(
    file_paths: list[str],
    labels,
    label_mode: str | None,
    class_names: list[str] | None,
    load_batch: Callable[[list[str]], np.ndarray],
    batch_size: int | None,
    shuffle: bool,
    seed: int | None,
) -> BatchDataset:
    """A BatchDataset reading ``file_paths`` with ``load_batch`` (plus labels)."""
    paths = list(file_paths)
    encoded = None
    if label_mode is not None:
        encoded = encode_labels(labels, label_mode, len(class_names or ()))

    def load(indices: np.ndarray):
        x = load_batch([paths[i] for i in indices])
        return x if encoded is None else (x, encoded[indices])

    dataset = BatchDataset(
        len(paths), load, batch_size=batch_size, shuffle=shuffle, seed=seed
    )
    dataset.class_names = class_names
    dataset.file_paths = paths
    return dataset


def directory_dataset(
    directory: str | os.PathLike,
    labels,
    label_mode: str | None,
    class_names: list[str] | None,
    formats: tuple[str, ...],
    load_batch: Callable[[list[str]], np.ndarray],
    batch_size: int | None,
    shuffle: bool,
    seed: int | None,
    validation_split: float | None,
    subset: str | None,
    follow_links: bool,
    verbose: bool,
    what: str,
    allowed: str,
) -> BatchDataset | list[BatchDataset]:
    """Index ``directory``, split it and batch it, as Keras's ``*_from_directory``.

    The part that `image_dataset_from_directory` and
    `text_dataset_from_directory` share once each has checked its own
    arguments: the validation-split checks, `index_directory`, the
    ``label_mode="binary"`` class count, and one `files_dataset` per subset.

    Args:
        directory: The folder (one subfolder per class with
            ``labels="inferred"``).
        labels: As checked by `check_label_args`.
        label_mode: As checked by `check_label_args`.
        class_names: The subfolders to use, in label order.
        formats: File name endings to keep.
        load_batch: Reads a list of paths into one batch array.
        batch_size: Files per batch, or None for single files.
        shuffle: Shuffle the files (and the training batches every epoch).
        seed: The shuffling seed; drawn at random when None.
        validation_split: The fraction kept for validation (the last files).
        subset: ``"training"``, ``"validation"``, ``"both"`` or None.
        follow_links: Follow symbolic links to folders.
        verbose: Print how many files were found.
        what: The files' name in the "none found" error, e.g. ``"images"``.
        allowed: The sentence on allowed formats closing that error.

    Returns:
        A ``BatchDataset``, or ``[training, validation]`` with
        ``subset="both"``.
    """
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory,
        labels,
        formats=formats,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
        verbose=verbose,
    )
    if label_mode == "binary" and len(class_names) != 2:
        raise ArgumentError(
            f'label_mode="binary" needs exactly 2 classes, found {len(class_names)}: '
            f"{class_names}."
        )

    def make(part: str | None, shuffle_part: bool) -> BatchDataset:
        part_paths, part_labels = get_training_or_validation_split(
            paths, labels, validation_split, part
        )
        if not part_paths:
            raise ArgumentError(
                f"No {part + ' ' if part else ''}{what} found in directory "
                f"{os.fspath(directory)!r}. {allowed}"
            )
        return files_dataset(
            part_paths,
            part_labels,
            label_mode,
            class_names,
            load_batch,
            batch_size,
            shuffle_part,
            seed,
        )

    if subset == "both":
        return [make("training", shuffle), make("validation", False)]
    return make(subset, shuffle)


# ------------------------------------------------------------------ split_dataset


def _sizes(left_size, right_size, total: int) -> tuple[int, int]:
    # Keras's rules: ints count samples, floats are fractions, None the rest.
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(
                f"split_dataset: `{name}` must be an int, a float or None, received "
                f"{type(size).__name__}."
            )
        if (type(size) is int and not 0 < size < total) or (
            type(size) is float and not 0 < size < 1
        ):
            raise ArgumentError(
                f"split_dataset: `{name}` must be an integer in (0, {total}) or a "
                f"fraction in (0, 1), received {size}."
            )
    if left_size is None and right_size is None:
        raise ArgumentError(
            "split_dataset: give `left_size` or `right_size` (or both)."
        )
    if (
        type(left_size) is float
        and type(right_size) is float
        and (left_size + right_size > 1)
    ):
        raise ArgumentError(
            f"split_dataset: `left_size` + `right_size` must be <= 1, received "
            f"{left_size} + {right_size}."
        )
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ArgumentError(
            f"split_dataset: `left_size` + `right_size` ({left} + {right}) exceeds "
            f"the {total} samples."
        )
    if left == 0 or right == 0:
        raise ArgumentError(
            f"split_dataset: with {total} samples, left_size={left_size} and "
            f"right_size={right_size} leave one side empty."
        )
    return int(left), int(right)


def split_dataset(
    dataset,
    left_size: int | float | None = None,
    right_size: int | float | None = None,
    shuffle: bool = False,
    seed: int | None = None,
) -> tuple[BatchDataset, BatchDataset]:
    """Splits a dataset into a left part and a right part (e.g. train and test).

    With ``shuffle`` the samples are permuted first (the same permutation
    Keras draws from ``random.seed(seed)``); the left part is then the first
    ``left_size`` samples and the right part the last ``right_size``.

    Example:
        >>> data = np.random.random((1000, 4))
        >>> left, right = lamina.utils.split_dataset(data, left_size=0.8)
        >>> len(left), len(right)
        (800, 200)

    Args:
        dataset: an array, a tuple/list of arrays of the same length, a
            torch ``Dataset``, or a lamina ``BatchDataset`` (such as
            ``image_dataset_from_directory``'s).
        left_size: samples (int) or fraction (float) on the left; None:
            the rest.
        right_size: the same for the right.
        shuffle: shuffle before splitting.
        seed: the shuffling seed.

    Returns:
        Two BatchDatasets: unbatched for arrays and torch datasets (as Keras's
        ``tf.data`` splits; ``.batch(n)`` batches them), with the input's
        batch size for a BatchDataset.
    """
    source = _as_batch_dataset(dataset)
    total = source.num_samples
    left, right = _sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10**6)
        random.Random(seed).shuffle(order)
    return source.take_samples(order[:left]), source.take_samples(
        order[total - right :]
    )


def _as_batch_dataset(dataset) -> BatchDataset:
    if isinstance(dataset, BatchDataset):
        return dataset
    if isinstance(dataset, (np.ndarray, tuple, list, dict)):
        return BatchDataset.from_arrays(dataset, batch_size=None)
    if isinstance(dataset, torch.utils.data.Dataset):

        def load(indices):
            samples = [dataset[int(i)] for i in indices]
            first = samples[0]
            if isinstance(first, (tuple, list)):
                return tuple(
                    np.stack([np.asarray(s[k]) for s in samples])
                    for k in range(len(first))
                )
            return np.stack([np.asarray(s) for s in samples])

        return BatchDataset(len(dataset), load, batch_size=None)
    if isinstance(dataset, PyDataset):
        # Any other PyDataset: read its batches once, then split the samples.
        batches = [dataset[i] for i in range(len(dataset))]
        if isinstance(batches[0], (tuple, list)):
            data = tuple(
                np.concatenate([b[k] for b in batches]) for k in range(len(batches[0]))
            )
        else:
            data = np.concatenate(batches)
        return BatchDataset.from_arrays(data, batch_size=None)
    raise TypeError(
        "split_dataset: `dataset` must be an array, a tuple/list of arrays, a torch "
        f"Dataset or a lamina dataset, received {type(dataset).__name__}."
    )
