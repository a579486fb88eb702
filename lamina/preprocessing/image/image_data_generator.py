"""Keras 2's `ImageDataGenerator`: random transforms, then normalisation."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.preprocessing.image.affine_transforms import (
    FILL_MODES,
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
)
from lamina.preprocessing.image.iterators import DirectoryIterator, NumpyArrayIterator


def _check_range(name: str, value) -> None:
    ok = isinstance(value, (int, float)) or (
        isinstance(value, (list, tuple, np.ndarray)) and len(value) > 0
    )
    if not ok:
        raise ArgumentError(
            f"ImageDataGenerator: `{name}` must be a number or a list of numbers, "
            f"received {value!r}."
        )


class ImageDataGenerator:
    """Keras 2's real-time image augmentation: random transforms, then normalisation.

    ``flow(x, y)`` and ``flow_from_directory(path)`` return iterators
    (``lamina.utils.PyDataset`` subclasses) that ``model.fit`` takes as is.
    Each image is transformed (rotation, shifts, shear, zoom, channel shift,
    flips, brightness), then standardised (``preprocessing_function``,
    ``rescale``, sample-wise then feature-wise centring and scaling, ZCA).

    Example:
        >>> gen = ImageDataGenerator(rescale=1 / 255, horizontal_flip=True,
        ...                          validation_split=0.2)
        >>> model.fit(gen.flow(x, y, batch_size=32, subset="training"),
        ...           validation_data=gen.flow(x, y, subset="validation"))

    Args:
        featurewise_center: subtract the data set's per-channel mean (``fit``).
        samplewise_center: subtract each image's mean.
        featurewise_std_normalization: divide by the data set's per-channel
            std (``fit``).
        samplewise_std_normalization: divide each image by its std.
        zca_whitening: apply ZCA whitening (``fit``).
        zca_epsilon: ZCA's epsilon.
        rotation_range: random rotations in ``[-range, range]`` degrees.
        width_shift_range: a fraction of the width (< 1), pixels (>= 1), or a
            list of allowed values; the shift is drawn in ``[-r, r]``.
        height_shift_range: the same for the height.
        brightness_range: two floats: the brightness factor's range.
        shear_range: shear angle range, degrees.
        zoom_range: a float ``z`` (range ``[1 - z, 1 + z]``) or two floats.
        channel_shift_range: random channel shifts in ``[-range, range]``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        horizontal_flip: flip half of the images left-right.
        vertical_flip: flip half of the images upside down.
        rescale: a factor multiplying the images (after the transforms).
        preprocessing_function: a function of one 3D image, run first in
            ``standardize``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        validation_split: the fraction held out for ``subset="validation"``.
        interpolation_order: 1 (bilinear) or 0 (nearest).
        dtype: the images' dtype; default: ``floatx()``.
    """

    def __init__(
        self,
        featurewise_center: bool = False,
        samplewise_center: bool = False,
        featurewise_std_normalization: bool = False,
        samplewise_std_normalization: bool = False,
        zca_whitening: bool = False,
        zca_epsilon: float = 1e-6,
        rotation_range: float = 0,
        width_shift_range: float | Sequence[float] = 0.0,
        height_shift_range: float | Sequence[float] = 0.0,
        brightness_range: Sequence[float] | None = None,
        shear_range: float = 0.0,
        zoom_range: float | Sequence[float] = 0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = False,
        vertical_flip: bool = False,
        rescale: float | None = None,
        preprocessing_function: Callable[[np.ndarray], np.ndarray] | None = None,
        data_format: str | None = None,
        validation_split: float = 0.0,
        interpolation_order: int = 1,
        dtype: str | None = None,
    ):
        data_format = data_format or backend.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ArgumentError(
                f"ImageDataGenerator: `data_format` must be 'channels_last' or "
                f"'channels_first', received {data_format!r}."
            )
        if fill_mode not in FILL_MODES:
            raise ArgumentError(
                f"ImageDataGenerator: `fill_mode` must be one of "
                f"{', '.join(FILL_MODES)}, received {fill_mode!r}."
            )
        if interpolation_order not in (0, 1):
            raise ArgumentError(
                f"ImageDataGenerator: `interpolation_order` must be 0 or 1, received "
                f"{interpolation_order}."
            )
        if validation_split and not 0 < validation_split < 1:
            raise ArgumentError(
                f"ImageDataGenerator: `validation_split` must be strictly between 0 "
                f"and 1, received {validation_split}."
            )
        _check_range("width_shift_range", width_shift_range)
        _check_range("height_shift_range", height_shift_range)
        if isinstance(zoom_range, (int, float)):
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(
            isinstance(v, (int, float)) for v in zoom_range
        ):
            zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ArgumentError(
                f"ImageDataGenerator: `zoom_range` must be a float or two floats, "
                f"received {zoom_range!r}."
            )
        if brightness_range is not None and (
            not isinstance(brightness_range, (tuple, list))
            or len(brightness_range) != 2
        ):
            raise ArgumentError(
                f"ImageDataGenerator: `brightness_range` must be two floats, received "
                f"{brightness_range!r}."
            )
        # Options that imply others, as Keras (with its warnings).
        if zca_whitening:
            if not featurewise_center:
                featurewise_center = True
                warnings.warn(
                    "ImageDataGenerator: `zca_whitening` turns on "
                    "`featurewise_center`.",
                    stacklevel=2,
                )
            if featurewise_std_normalization:
                featurewise_std_normalization = False
                warnings.warn(
                    "ImageDataGenerator: `zca_whitening` turns off "
                    "`featurewise_std_normalization`.",
                    stacklevel=2,
                )
        if featurewise_std_normalization and not featurewise_center:
            featurewise_center = True
            warnings.warn(
                "ImageDataGenerator: `featurewise_std_normalization` "
                "turns on `featurewise_center`.",
                stacklevel=2,
            )
        if samplewise_std_normalization and not samplewise_center:
            samplewise_center = True
            warnings.warn(
                "ImageDataGenerator: `samplewise_std_normalization` "
                "turns on `samplewise_center`.",
                stacklevel=2,
            )
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = zoom_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = data_format
        self.interpolation_order = interpolation_order
        self.dtype = dtype or backend.floatx()
        self._validation_split = validation_split
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None

    def flow(
        self,
        x,
        y=None,
        batch_size: int = 32,
        shuffle: bool = True,
        sample_weight=None,
        seed: int | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        ignore_class_split: bool = False,
        subset: str | None = None,
    ) -> NumpyArrayIterator:
        """Batches of augmented images from arrays.

        Args:
            x: images, rank 4; or a list ``[images, other_array, ...]`` whose
                other arrays are batched along unchanged.
            y: labels (optional).
            batch_size: images per batch.
            shuffle: reshuffle every epoch.
            sample_weight: per-image weights (optional).
            seed: seeds numpy's generator before each batch (reproducible).
            save_to_dir: a directory to save the augmented images to.
            save_prefix: their file name prefix.
            save_format: their file format.
            ignore_class_split: skip the check that both subsets hold every
                class.
            subset: ``"training"`` or ``"validation"`` (with
                ``validation_split``: the first fraction is validation).

        Returns:
            A NumpyArrayIterator yielding ``x``, ``(x, y)`` or ``(x, y, w)``.
        """
        options = {k: v for k, v in locals().items() if k not in ("self", "x", "y")}
        return NumpyArrayIterator(
            x, y, self, data_format=self.data_format, dtype=self.dtype, **options
        )

    def flow_from_directory(
        self,
        directory: str | os.PathLike,
        target_size: tuple[int, int] = (256, 256),
        color_mode: str = "rgb",
        classes: list[str] | None = None,
        class_mode: str | None = "categorical",
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        save_to_dir: str | None = None,
        save_prefix: str = "",
        save_format: str = "png",
        follow_links: bool = False,
        subset: str | None = None,
        interpolation: str = "nearest",
        keep_aspect_ratio: bool = False,
    ) -> DirectoryIterator:
        """Batches of augmented images read from one subfolder per class.

        Args:
            directory: the folder holding one subfolder per class.
            target_size: ``(height, width)`` every image is resized to.
            color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
            classes: the class subfolders, in label order (default: all
                subfolders, sorted).
            class_mode: ``"categorical"`` (one-hot), ``"binary"``,
                ``"sparse"`` (int labels), ``"input"`` (y is x) or None (x
                only).
            batch_size: images per batch.
            shuffle: reshuffle every epoch.
            seed: seeds numpy's generator before each batch.
            save_to_dir: a directory to save the augmented images to.
            save_prefix: their file name prefix.
            save_format: their file format.
            follow_links: follow symbolic links to folders.
            subset: ``"training"`` or ``"validation"`` (with
                ``validation_split``; per class, the first files are
                validation).
            interpolation: PIL's resizing filter.
            keep_aspect_ratio: centre-crop to the target aspect ratio first.

        Returns:
            A DirectoryIterator.
        """
        options = {k: v for k, v in locals().items() if k not in ("self", "directory")}
        return DirectoryIterator(
            directory, self, data_format=self.data_format, dtype=self.dtype, **options
        )

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Normalises an image or a batch (in place where possible, as Keras).

        Args:
            x: one image or a batch.

        Returns:
            The normalised array.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is None:
                self._warn_not_fit("featurewise_center")
            else:
                x -= self.mean
        if self.featurewise_std_normalization:
            if self.std is None:
                self._warn_not_fit("featurewise_std_normalization")
            else:
                x /= self.std + 1e-6
        if self.zca_whitening:
            if self.zca_whitening_matrix is None:
                self._warn_not_fit("zca_whitening")
            else:
                flat = x.reshape(-1, math.prod(x.shape[-3:]))
                x = np.reshape(flat @ self.zca_whitening_matrix, x.shape)
        return x

    @staticmethod
    def _warn_not_fit(option: str) -> None:
        warnings.warn(
            f"ImageDataGenerator: `{option}` is set but the generator has not been "
            "fit on any data: call `.fit(x_train)` first.",
            stacklevel=3,
        )

    def _random_shift(self, shift_range, size: int) -> float:
        if not shift_range:
            return 0
        if isinstance(shift_range, (int, float)):
            shift = np.random.uniform(-shift_range, shift_range)
        else:
            # A list: one of its values, with a random sign.
            shift = np.random.choice(shift_range) * np.random.choice([-1, 1])
        if np.max(shift_range) < 1:
            shift *= size
        return shift

    def get_random_transform(self, img_shape: tuple, seed: int | None = None) -> dict:
        """Draws the parameters of one random transform.

        Args:
            img_shape: the image's shape (3D).
            seed: seeds numpy's global generator first.

        Returns:
            A dict with ``theta``, ``tx``, ``ty``, ``shear``, ``zx``, ``zy``,
            ``flip_horizontal``, ``flip_vertical``,
            ``channel_shift_intensity`` and ``brightness``.
        """
        row_axis, col_axis = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        theta = (
            np.random.uniform(-self.rotation_range, self.rotation_range)
            if self.rotation_range
            else 0
        )
        tx = self._random_shift(self.height_shift_range, img_shape[row_axis])
        ty = self._random_shift(self.width_shift_range, img_shape[col_axis])
        shear = (
            np.random.uniform(-self.shear_range, self.shear_range)
            if self.shear_range
            else 0
        )
        if self.zoom_range[0] == 1 and self.zoom_range[1] == 1:
            zx, zy = 1, 1
        else:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(
                -self.channel_shift_range, self.channel_shift_range
            )
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(*self.brightness_range)
        return {
            "theta": theta,
            "tx": tx,
            "ty": ty,
            "shear": shear,
            "zx": zx,
            "zy": zy,
            "flip_horizontal": flip_horizontal,
            "flip_vertical": flip_vertical,
            "channel_shift_intensity": channel_shift_intensity,
            "brightness": brightness,
        }

    def apply_transform(self, x: np.ndarray, transform_parameters: dict) -> np.ndarray:
        """Applies the transform ``get_random_transform`` described to one image.

        Args:
            x: a 3D image.
            transform_parameters: the dict (missing keys: no change).

        Returns:
            The transformed image.
        """
        row_axis = self.row_axis - 1
        col_axis = self.col_axis - 1
        channel_axis = self.channel_axis - 1
        p = transform_parameters
        x = apply_affine_transform(
            x,
            p.get("theta", 0),
            p.get("tx", 0),
            p.get("ty", 0),
            p.get("shear", 0),
            p.get("zx", 1),
            p.get("zy", 1),
            row_axis=row_axis,
            col_axis=col_axis,
            channel_axis=channel_axis,
            fill_mode=self.fill_mode,
            cval=self.cval,
            order=self.interpolation_order,
        )
        if p.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, p["channel_shift_intensity"], channel_axis)
        if p.get("flip_horizontal", False):
            x = np.flip(x, col_axis)
        if p.get("flip_vertical", False):
            x = np.flip(x, row_axis)
        if p.get("brightness") is not None:
            x = apply_brightness_shift(x, p["brightness"], False)
        return x

    def random_transform(self, x: np.ndarray, seed: int | None = None) -> np.ndarray:
        """Applies a random transform to one image.

        Args:
            x: a 3D image.
            seed: seeds numpy's global generator first.
        """
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment: bool = False, rounds: int = 1, seed: int | None = None):
        """Computes the data set statistics of the feature-wise options.

        Needed for ``featurewise_center``, ``featurewise_std_normalization``
        and ``zca_whitening``; ``rescale`` is applied first.

        Args:
            x: images, rank 4.
            augment: fit on randomly augmented copies.
            rounds: how many augmented copies of each image.
            seed: seeds numpy's global generator.
        """
        x = np.array(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ShapeError(
                f"ImageDataGenerator.fit: expected images of rank 4, received shape "
                f"{x.shape}."
            )
        if seed is not None:
            np.random.seed(seed)
        if self.rescale:
            x *= self.rescale
        if augment:
            augmented = np.zeros((rounds * len(x),) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i in range(len(x)):
                    augmented[i + r * len(x)] = self.random_transform(x[i])
            x = augmented
        axes = (0, self.row_axis, self.col_axis)
        shape = [1, 1, 1]
        shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            n = len(x)
            u, s, _ = np.linalg.svd(np.reshape(x, (n, -1)).T, full_matrices=False)
            self.zca_whitening_matrix = (
                u * (np.sqrt(n) / (s + self.zca_epsilon))
            ) @ u.T
