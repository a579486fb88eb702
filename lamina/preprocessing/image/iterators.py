"""The iterators `ImageDataGenerator.flow*` return: batches for `fit` or `next()`."""

from __future__ import annotations

import os
import threading
import warnings

import numpy as np

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.trainers.py_dataset import PyDataset
from lamina.utils.dataset_utils import list_files
from lamina.utils.image_utils import (
    array_to_img,
    img_to_array,
    load_img,
    pil_image,
)

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")


class Iterator(PyDataset):
    """Base of the image iterators: batches of sample indices, reshuffled each epoch.

    Indexing (``it[i]``, what ``model.fit`` uses) and Keras 2's endless
    ``next(it)`` both work. Subclasses define
    ``_get_batches_of_transformed_samples(index_array)``.

    Args:
        n: the number of samples.
        batch_size: samples per batch.
        shuffle: reshuffle every epoch.
        seed: seeds numpy's generator before each batch.
        **kwargs: ``workers`` and ``max_queue_size`` of PyDataset.
    """

    white_list_formats = IMAGE_EXTENSIONS

    def __init__(
        self, n: int, batch_size: int, shuffle: bool, seed: int | None, **kwargs
    ):
        super().__init__(**kwargs)
        if batch_size < 1:
            raise ArgumentError(f"`batch_size` must be >= 1, received {batch_size}.")
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = (
            np.random.permutation(self.n) if self.shuffle else np.arange(self.n)
        )

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def __getitem__(self, idx: int):
        if idx >= len(self):
            raise ArgumentError(
                f"{type(self).__name__}: batch {idx} asked for, but there are only "
                f"{len(self)} batches."
            )
        with self.lock:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            self.total_batches_seen += 1
            if self.index_array is None:
                self._set_index_array()
            indices = self.index_array[
                self.batch_size * idx : self.batch_size * (idx + 1)
            ]
        return self._get_batches_of_transformed_samples(indices)

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self):
        # Keras 2's endless iteration: wraps around, reshuffling at each start.
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            start = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            if self.n > start + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[start : start + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            indices = next(self.index_generator)
        return self._get_batches_of_transformed_samples(indices)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        raise NotImplementedError(
            f"{type(self).__name__} must define _get_batches_of_transformed_samples."
        )


def _save_batch(batch_x, index_array, data_format, directory, prefix, file_format):
    for image, index in zip(batch_x, index_array):
        img = array_to_img(image, data_format, scale=True)
        name = f"{prefix}_{index}_{np.random.randint(10_000_000)}.{file_format}"
        img.save(os.path.join(directory, name))


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from arrays (``ImageDataGenerator.flow``).

    Args:
        x: images (rank 4), or ``[images, other_array, ...]``.
        y: labels, or None.
        image_data_generator: the ImageDataGenerator.
        batch_size: images per batch.
        shuffle: reshuffle every epoch.
        sample_weight: per-image weights, or None.
        seed: seeds numpy's generator before each batch.
        data_format: the images' layout.
        save_to_dir: a directory to save the augmented images to.
        save_prefix: their file name prefix.
        save_format: their file format.
        subset: ``"training"``, ``"validation"`` or None.
        ignore_class_split: skip the check that both subsets hold every class.
        dtype: the images' dtype.
    """

    def __init__(
        self,
        x,
        y,
        image_data_generator,
        batch_size: int = 32,
        shuffle: bool = False,
        sample_weight=None,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        subset: str | None = None,
        ignore_class_split: bool = False,
        dtype: str | None = None,
        **kwargs,
    ):
        data_format = data_format or backend.image_data_format()
        self.dtype = dtype or backend.floatx()
        if isinstance(x, (tuple, list)):
            extra = x[1] if isinstance(x[1], list) else [x[1]]
            x_misc = [np.asarray(a) for a in extra]
            x = x[0]
            for a in x_misc:
                if len(a) != len(x):
                    raise ShapeError(
                        f"ImageDataGenerator.flow: all arrays in `x` must have the "
                        f"same length, received {len(x)} images and an array of "
                        f"length {len(a)}."
                    )
        else:
            x_misc = []
        for name, other in (("y", y), ("sample_weight", sample_weight)):
            if other is not None and len(other) != len(x):
                raise ShapeError(
                    f"ImageDataGenerator.flow: `x` and `{name}` must have the same "
                    f"length, received x.shape={np.shape(x)} and "
                    f"{name}.shape={np.shape(other)}."
                )
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ArgumentError(
                    f'ImageDataGenerator.flow: `subset` must be "training" or '
                    f'"validation", received {subset!r}.'
                )
            split = int(len(x) * image_data_generator._validation_split)
            if (
                y is not None
                and not ignore_class_split
                and not np.array_equal(np.unique(y[:split]), np.unique(y[split:]))
            ):
                raise ArgumentError(
                    "ImageDataGenerator.flow: the training and validation subsets "
                    "hold different classes after the split; if the arrays are "
                    "sorted by label, shuffle them first (or pass "
                    "ignore_class_split=True)."
                )
            part = slice(None, split) if subset == "validation" else slice(split, None)
            x = x[part]
            x_misc = [a[part] for a in x_misc]
            y = None if y is None else y[part]
            if sample_weight is not None:
                sample_weight = sample_weight[part]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ShapeError(
                f"ImageDataGenerator.flow: `x` must be images of rank 4, received "
                f"shape {self.x.shape}."
            )
        channel_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channel_axis] not in (1, 3, 4):
            warnings.warn(
                f"ImageDataGenerator.flow: with data_format={data_format!r} the "
                f"channels are on axis {channel_axis}, which holds "
                f"{self.x.shape[channel_axis]} values (shape {self.x.shape}); "
                "expected 1, 3 or 4.",
                stacklevel=3,
            )
        self.x_misc = x_misc
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = (
            None if sample_weight is None else np.asarray(sample_weight)
        )
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(len(self.x), batch_size, shuffle, seed, **kwargs)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            image = self.x[j]
            params = generator.get_random_transform(image.shape)
            # astype copies: standardize works in place.
            image = generator.apply_transform(image.astype(self.dtype), params)
            batch_x[i] = generator.standardize(image)
        if self.save_to_dir:
            _save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
            )
        inputs = batch_x
        if self.x_misc:
            inputs = [batch_x] + [a[index_array] for a in self.x_misc]
        if self.y is None:
            return inputs
        if self.sample_weight is None:
            return inputs, self.y[index_array]
        return inputs, self.y[index_array], self.sample_weight[index_array]


class DirectoryIterator(Iterator):
    """Batches of augmented images read from class subfolders (``flow_from_directory``).

    Attributes:
        filenames: the files, relative to ``directory``.
        filepaths: the files' full paths.
        classes: each file's class index.
        class_indices: class name to index.

    Args:
        directory: the folder holding one subfolder per class.
        image_data_generator: the ImageDataGenerator (None: no augmentation).
        target_size: ``(height, width)``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        classes: the class subfolders, in label order.
        class_mode: ``"categorical"``, ``"binary"``, ``"sparse"``, ``"input"``
            or None.
        batch_size: images per batch.
        shuffle: reshuffle every epoch.
        seed: seeds numpy's generator before each batch.
        data_format: the images' layout.
        save_to_dir: a directory to save the augmented images to.
        save_prefix: their file name prefix.
        save_format: their file format.
        follow_links: follow symbolic links to folders.
        subset: ``"training"``, ``"validation"`` or None.
        interpolation: PIL's resizing filter.
        keep_aspect_ratio: centre-crop to the target aspect ratio first.
        dtype: the images' dtype.
    """

    allowed_class_modes = ("categorical", "binary", "sparse", "input", None)

    def __init__(
        self,
        directory: str | os.PathLike,
        image_data_generator,
        target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        data_format: str | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
        dtype: str | None = None,
        **kwargs,
    ):
        pil_image()  # fail now, not at the first batch, when Pillow is missing
        directory = os.fspath(directory)
        if not os.path.isdir(directory):
            raise ArgumentError(
                f"flow_from_directory: `directory` {directory!r} is not a directory."
            )
        channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
        if channels is None:
            raise ArgumentError(
                f'flow_from_directory: `color_mode` must be "rgb", "rgba" or '
                f'"grayscale", received {color_mode!r}.'
            )
        if class_mode not in self.allowed_class_modes:
            raise ArgumentError(
                f"flow_from_directory: `class_mode` must be one of "
                f"{self.allowed_class_modes}, received {class_mode!r}."
            )
        data_format = data_format or backend.image_data_format()
        self.directory = directory
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.color_mode = color_mode
        self.data_format = data_format
        self.image_shape = (
            self.target_size + (channels,)
            if data_format == "channels_last"
            else (channels,) + self.target_size
        )
        self.class_mode = class_mode
        self.dtype = dtype or backend.floatx()
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        self.keep_aspect_ratio = keep_aspect_ratio
        self.subset = subset
        if subset is None:
            split = None
        elif subset in ("training", "validation"):
            fraction = image_data_generator._validation_split
            split = (0, fraction) if subset == "validation" else (fraction, 1)
        else:
            raise ArgumentError(
                f'flow_from_directory: `subset` must be "training" or "validation", '
                f"received {subset!r}."
            )
        self.split = split
        if not classes:
            classes = sorted(
                name
                for name in os.listdir(directory)
                if os.path.isdir(os.path.join(directory, name))
            )
        self.num_classes = len(classes)
        self.class_indices = {name: i for i, name in enumerate(classes)}
        self.filenames = []
        labels = []
        for name in classes:
            class_dir = os.path.join(directory, name)
            files = list_files(class_dir, follow_links, IMAGE_EXTENSIONS)
            if split is not None:
                # Per class: the first `validation_split` of the files validate.
                files = files[int(split[0] * len(files)) : int(split[1] * len(files))]
            for path in files:
                self.filenames.append(
                    os.path.join(name, os.path.relpath(path, class_dir))
                )
                labels.append(self.class_indices[name])
        self.classes = np.array(labels, dtype="int32")
        self.samples = len(self.filenames)
        self._filepaths = [os.path.join(directory, f) for f in self.filenames]
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed, **kwargs)

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self) -> None:
        return None

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            img = load_img(
                self._filepaths[j],
                color_mode=self.color_mode,
                target_size=self.target_size,
                interpolation=self.interpolation,
                keep_aspect_ratio=self.keep_aspect_ratio,
            )
            x = img_to_array(img, data_format=self.data_format, dtype=self.dtype)
            img.close()
            if generator is not None:
                params = generator.get_random_transform(x.shape)
                x = generator.apply_transform(x, params)
                x = generator.standardize(x)
            batch_x[i] = x
        if self.save_to_dir:
            _save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
            )
        if self.class_mode == "input":
            return batch_x, batch_x.copy()
        labels = self.classes[index_array]
        if self.class_mode in ("binary", "sparse"):
            return batch_x, labels.astype(self.dtype)
        if self.class_mode == "categorical":
            batch_y = np.zeros((len(batch_x), self.num_classes), dtype=self.dtype)
            batch_y[np.arange(len(batch_x)), labels] = 1.0
            return batch_x, batch_y
        return batch_x
