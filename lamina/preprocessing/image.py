"""Keras 2's `keras.preprocessing.image`: `ImageDataGenerator` and its iterators.

The generator draws its random transforms from numpy's global generator in
the same order as Keras, so a seeded run draws the same parameters. The
affine warp is computed here in numpy (bilinear or nearest sampling with
scipy.ndimage's boundary rules), so scipy is not needed.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Callable, Sequence

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
    save_img,
    smart_resize,
)

__all__ = [
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
    "smart_resize",
]

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
FILL_MODES = ("constant", "nearest", "reflect", "wrap")


# ---------------------------------------------------------------- the affine warp


def _boundary_index(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Integer indices outside ``[0, size)`` mapped back inside."""
    if fill_mode == "reflect":
        # Half-sample symmetric: d c b a | a b c d | d c b a.
        index = np.mod(index, 2 * size)
        return np.where(index >= size, 2 * size - 1 - index, index)
    return np.clip(index, 0, size - 1)


def _wrap_coordinate(coord: np.ndarray, size: int) -> np.ndarray:
    # scipy.ndimage's "wrap" has period size - 1: the first and last samples
    # coincide. Coordinates inside [0, size - 1] are left alone.
    if size <= 1:
        return np.zeros_like(coord)
    period = size - 1
    below = coord + period * (np.trunc(-coord / period) + 1)
    above = coord - period * np.trunc(coord / period)
    return np.where(coord < 0, below, np.where(coord > period, above, coord))


def _sample(
    image: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    order: int,
    fill_mode: str,
    cval: float,
) -> np.ndarray:
    """``image`` (h, w, c) read at float coordinates ``rows``, ``cols`` (h', w')."""
    height, width = image.shape[:2]
    outside = None
    if fill_mode == "constant":
        outside = (rows < 0) | (rows > height - 1) | (cols < 0) | (cols > width - 1)
    elif fill_mode == "wrap":
        rows = _wrap_coordinate(rows, height)
        cols = _wrap_coordinate(cols, width)
    if order == 0:
        r = _boundary_index(np.floor(rows + 0.5).astype(np.int64), height, fill_mode)
        c = _boundary_index(np.floor(cols + 0.5).astype(np.int64), width, fill_mode)
        out = image[r, c].astype(np.float64)
    else:
        r0 = np.floor(rows).astype(np.int64)
        c0 = np.floor(cols).astype(np.int64)
        fr = (rows - r0)[..., None]
        fc = (cols - c0)[..., None]
        r0, r1 = (_boundary_index(i, height, fill_mode) for i in (r0, r0 + 1))
        c0, c1 = (_boundary_index(i, width, fill_mode) for i in (c0, c0 + 1))
        top = image[r0, c0] * (1 - fc) + image[r0, c1] * fc
        bottom = image[r1, c0] * (1 - fc) + image[r1, c1] * fc
        out = top * (1 - fr) + bottom * fr
    if outside is not None:
        out[outside] = cval
    return out


def transform_matrix_offset_center(matrix: np.ndarray, x: int, y: int) -> np.ndarray:
    """``matrix`` conjugated so that it acts around the image centre."""
    o_x = float(x) / 2 - 0.5
    o_y = float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def apply_affine_transform(
    x: np.ndarray,
    theta: float = 0,
    tx: float = 0,
    ty: float = 0,
    shear: float = 0,
    zx: float = 1,
    zy: float = 1,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    order: int = 1,
) -> np.ndarray:
    """Rotates, shifts, shears and zooms one image (Keras 2's conventions).

    The matrix, its centring and the meaning of ``tx``/``ty`` are Keras 2's
    (``tx`` comes from ``height_shift_range``); angles are in degrees and
    shifts in pixels.

    Example:
        >>> out = apply_affine_transform(img, theta=30, row_axis=0, col_axis=1,
        ...                              channel_axis=2)

    Args:
        x: a 3D image.
        theta: rotation angle, degrees.
        tx: the first shift, pixels.
        ty: the second shift, pixels.
        shear: shear angle, degrees.
        zx: zoom of the rows (``> 1`` shrinks the content).
        zy: zoom of the columns.
        row_axis: the rows' axis in ``x``.
        col_axis: the columns' axis.
        channel_axis: the channels' axis (0 or 2).
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``
            (scipy.ndimage's boundary rules).
        cval: the fill value of ``"constant"``.
        order: 1 (bilinear) or 0 (nearest neighbour).

    Returns:
        The transformed image, same shape and dtype.
    """
    if sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2]:
        raise ArgumentError(
            f"apply_affine_transform: `row_axis`, `col_axis` and `channel_axis` must "
            f"be 0, 1 and 2 in some order, received {row_axis}, {col_axis}, "
            f"{channel_axis}."
        )
    if channel_axis not in (0, 2):
        raise ArgumentError(
            f"apply_affine_transform: `channel_axis` must be 0 or 2, received "
            f"{channel_axis}."
        )
    if x.ndim != 3:
        raise ShapeError(
            f"apply_affine_transform: expected one 3D image, received shape {x.shape}."
        )
    if fill_mode not in FILL_MODES:
        raise ArgumentError(
            f"apply_affine_transform: `fill_mode` must be one of "
            f"{', '.join(FILL_MODES)}, received {fill_mode!r}."
        )
    if order not in (0, 1):
        raise ArgumentError(
            f"apply_affine_transform: `order` (interpolation order) must be 0 or 1, "
            f"received {order}."
        )
    if theta == 0 and tx == 0 and ty == 0 and shear == 0 and zx == 1 and zy == 1:
        return x
    matrix = np.eye(3)
    if theta != 0:
        angle = np.deg2rad(theta)
        cos, sin = np.cos(angle), np.sin(angle)
        matrix = matrix @ np.array([[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        matrix = matrix @ np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    if shear != 0:
        angle = np.deg2rad(shear)
        matrix = matrix @ np.array(
            [[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]]
        )
    if zx != 1 or zy != 1:
        matrix = matrix @ np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    height, width = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, height, width)
    if col_axis > row_axis:
        # Keras builds the matrix in (x, y) order and swaps it to act on the
        # array's (row, col) axes: M' = P M P. The centring above stays
        # Keras's, so the numbers match Keras's for non-square images too.
        matrix = matrix[[1, 0, 2]][:, [1, 0, 2]]
    # Channels last; the two image axes keep their order in the array.
    image = np.moveaxis(x, channel_axis, 2)
    out_0, out_1 = np.meshgrid(
        np.arange(image.shape[0], dtype=np.float64),
        np.arange(image.shape[1], dtype=np.float64),
        indexing="ij",
    )
    # The matrix maps each output position to the input position it samples.
    in_0 = matrix[0, 0] * out_0 + matrix[0, 1] * out_1 + matrix[0, 2]
    in_1 = matrix[1, 0] * out_0 + matrix[1, 1] * out_1 + matrix[1, 2]
    out = _sample(image, in_0, in_1, order, fill_mode, cval).astype(x.dtype)
    return np.moveaxis(out, 2, channel_axis)


def apply_channel_shift(x: np.ndarray, intensity: float, channel_axis: int = 0):
    """Adds ``intensity`` to every channel, clipped to the image's value range.

    Example:
        >>> out = apply_channel_shift(img, 20.0, channel_axis=2)

    Args:
        x: a 3D image.
        intensity: the value added.
        channel_axis: the channels' axis.

    Returns:
        The shifted image.
    """
    return np.clip(x + intensity, np.min(x), np.max(x))


def apply_brightness_shift(x: np.ndarray, brightness: float, scale: bool = True):
    """Scales an image's brightness with PIL's ``ImageEnhance.Brightness``.

    Example:
        >>> out = apply_brightness_shift(img, 1.2)

    Args:
        x: a 3D channels-last image.
        brightness: the factor (1: unchanged).
        scale: stretch the image to ``[0, 255]`` first; images outside
            ``[0, 255]`` are always stretched, and stretched back when
            ``scale`` is False.

    Returns:
        The image, float32, in ``[0, 255]`` (or the original range).
    """
    pil_image()
    from PIL import ImageEnhance

    low, high = np.min(x), np.max(x)
    out_of_range = low < 0 or high > 255
    img = array_to_img(x, scale=out_of_range or scale)
    out = img_to_array(ImageEnhance.Brightness(img).enhance(brightness))
    if out_of_range and not scale:
        out = out / 255 * (high - low) + low
    return out


def random_rotation(
    x,
    rg,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Rotates an image by a uniform random angle in ``[-rg, rg]`` degrees.

    Example:
        >>> out = random_rotation(img, 30, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        rg: the largest angle, degrees.
        row_axis: the rows' axis in ``x``.
        col_axis: the columns' axis.
        channel_axis: the channels' axis (0 or 2).
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        interpolation_order: 1 (bilinear) or 0 (nearest).
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(
        x,
        theta=theta,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shift(
    x,
    wrg,
    hrg,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Shifts an image by uniform random fractions of its height and width.

    Example:
        >>> out = random_shift(img, 0.1, 0.2, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        wrg: the largest shift, as a fraction of the width.
        hrg: the largest shift, as a fraction of the height.
        row_axis: the rows' axis in ``x``.
        col_axis: the columns' axis.
        channel_axis: the channels' axis (0 or 2).
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        interpolation_order: 1 (bilinear) or 0 (nearest).
    """
    tx = np.random.uniform(-hrg, hrg) * x.shape[row_axis]
    ty = np.random.uniform(-wrg, wrg) * x.shape[col_axis]
    return apply_affine_transform(
        x,
        tx=tx,
        ty=ty,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shear(
    x,
    intensity,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Shears an image by a uniform random angle in ``[-intensity, intensity]``.

    Example:
        >>> out = random_shear(img, 20, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        intensity: the largest shear angle, degrees.
        row_axis: the rows' axis in ``x``.
        col_axis: the columns' axis.
        channel_axis: the channels' axis (0 or 2).
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        interpolation_order: 1 (bilinear) or 0 (nearest).
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(
        x,
        shear=shear,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_zoom(
    x,
    zoom_range,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Zooms an image by two uniform random factors in ``zoom_range``.

    Example:
        >>> out = random_zoom(img, (0.8, 1.2), row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        zoom_range: ``(low, high)`` zoom factors (``> 1`` shrinks the content).
        row_axis: the rows' axis in ``x``.
        col_axis: the columns' axis.
        channel_axis: the channels' axis (0 or 2).
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        cval: the fill value of ``"constant"``.
        interpolation_order: 1 (bilinear) or 0 (nearest).
    """
    if len(zoom_range) != 2:
        raise ArgumentError(
            f"random_zoom: `zoom_range` must be two floats, received {zoom_range}."
        )
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(
        x,
        zx=zx,
        zy=zy,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_channel_shift(x, intensity_range, channel_axis=0):
    """``apply_channel_shift`` by a uniform random intensity.

    Example:
        >>> out = random_channel_shift(img, 0.2, channel_axis=2)

    Args:
        x: a 3D image.
        intensity_range: the largest shift.
        channel_axis: the channels' axis.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    """``apply_brightness_shift`` by a uniform random factor in the range.

    Example:
        >>> out = random_brightness(img, (0.5, 1.5))

    Args:
        x: a 3D channels-last image.
        brightness_range: ``(low, high)`` brightness factors.
        scale: stretch the image to ``[0, 255]`` first.
    """
    if len(brightness_range) != 2:
        raise ArgumentError(
            f"random_brightness: `brightness_range` must be two floats, received "
            f"{brightness_range}."
        )
    factor = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, factor, scale)


# ---------------------------------------------------------------- the generator


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
        return NumpyArrayIterator(
            x,
            y,
            self,
            batch_size=batch_size,
            shuffle=shuffle,
            sample_weight=sample_weight,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            ignore_class_split=ignore_class_split,
            subset=subset,
            dtype=self.dtype,
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
        return DirectoryIterator(
            directory,
            self,
            target_size=target_size,
            color_mode=color_mode,
            classes=classes,
            class_mode=class_mode,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            follow_links=follow_links,
            subset=subset,
            interpolation=interpolation,
            keep_aspect_ratio=keep_aspect_ratio,
            dtype=self.dtype,
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


# ---------------------------------------------------------------- the iterators


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
        image_data_generator: ImageDataGenerator,
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
        image_data_generator: ImageDataGenerator | None,
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
