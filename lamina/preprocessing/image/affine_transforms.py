"""The random transforms of Keras 2's image preprocessing, on numpy arrays.

`apply_affine_transform` warps an image (bilinear or nearest sampling with
scipy.ndimage's boundary rules, computed in numpy so scipy is not needed); the
``random_*`` functions draw their parameters from numpy's global generator in
Keras's order, so a seeded run draws the same parameters.
"""

from __future__ import annotations

import inspect

import numpy as np

from lamina import signatures
from lamina.errors import ArgumentError, ShapeError
from lamina.utils.image_utils import (
    array_to_img,
    img_to_array,
    pil_image,
)

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


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


# The arguments every ``random_*`` warp takes after its own, in Keras's order.
_WARP_ARGUMENTS = {
    "row_axis": 1,
    "col_axis": 2,
    "channel_axis": 0,
    "fill_mode": "nearest",
    "cval": 0.0,
    "interpolation_order": 1,
}


def _random_warp(draw):
    """A ``random_*`` function with Keras's signature from ``draw(x, *own, **warp)``.

    ``draw`` names only its own arguments; the warp arguments (`_WARP_ARGUMENTS`)
    join its signature, so ``inspect.signature`` and positional calls are as in
    Keras, and reach ``draw`` by keyword with their defaults filled in.
    """
    own = list(inspect.signature(draw).parameters.values())[:-1]
    warp = signatures.parameters(_WARP_ARGUMENTS)
    return signatures.keras_signature(inspect.Signature(own + warp))(draw)


def _apply_warp(x, interpolation_order, **params):
    return apply_affine_transform(x, order=interpolation_order, **params)


@_random_warp
def random_rotation(x, rg, **warp):
    """Rotates an image by a uniform random angle in ``[-rg, rg]`` degrees.

    Example:
        >>> out = random_rotation(img, 30, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        rg: the largest angle, degrees.
        row_axis, col_axis, channel_axis, fill_mode, cval: as in
            `apply_affine_transform`.
        interpolation_order: its ``order``: 1 (bilinear) or 0 (nearest).
    """
    return _apply_warp(x, theta=np.random.uniform(-rg, rg), **warp)


@_random_warp
def random_shift(x, wrg, hrg, **warp):
    """Shifts an image by uniform random fractions of its height and width.

    Example:
        >>> out = random_shift(img, 0.1, 0.2, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        wrg: the largest shift, as a fraction of the width.
        hrg: the largest shift, as a fraction of the height.
        row_axis, col_axis, channel_axis, fill_mode, cval: as in
            `apply_affine_transform`.
        interpolation_order: its ``order``: 1 (bilinear) or 0 (nearest).
    """
    tx = np.random.uniform(-hrg, hrg) * x.shape[warp["row_axis"]]
    ty = np.random.uniform(-wrg, wrg) * x.shape[warp["col_axis"]]
    return _apply_warp(x, tx=tx, ty=ty, **warp)


@_random_warp
def random_shear(x, intensity, **warp):
    """Shears an image by a uniform random angle in ``[-intensity, intensity]``.

    Example:
        >>> out = random_shear(img, 20, row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        intensity: the largest shear angle, degrees.
        row_axis, col_axis, channel_axis, fill_mode, cval: as in
            `apply_affine_transform`.
        interpolation_order: its ``order``: 1 (bilinear) or 0 (nearest).
    """
    return _apply_warp(x, shear=np.random.uniform(-intensity, intensity), **warp)


@_random_warp
def random_zoom(x, zoom_range, **warp):
    """Zooms an image by two uniform random factors in ``zoom_range``.

    Example:
        >>> out = random_zoom(img, (0.8, 1.2), row_axis=0, col_axis=1, channel_axis=2)

    Args:
        x: a 3D image.
        zoom_range: ``(low, high)`` zoom factors (``> 1`` shrinks the content).
        row_axis, col_axis, channel_axis, fill_mode, cval: as in
            `apply_affine_transform`.
        interpolation_order: its ``order``: 1 (bilinear) or 0 (nearest).
    """
    if len(zoom_range) != 2:
        raise ArgumentError(
            f"random_zoom: `zoom_range` must be two floats, received {zoom_range}."
        )
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return _apply_warp(x, zx=zx, zy=zy, **warp)


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
