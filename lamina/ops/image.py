"""Image operations (Keras 3's ``keras.ops.image``) on torch tensors.

Images are ``(height, width, channels)`` or batches ``(batch, height, width,
channels)``, or channels first with ``data_format="channels_first"``;
``data_format=None`` means `lamina.backend.image_data_format()`. Geometric
warps sample the input at computed coordinates (`map_coordinates`'s rules:
nearest or bilinear, and ``constant``, ``nearest``, ``wrap``, ``mirror`` or
``reflect`` filling outside the image), all images and channels at once.

Example:

>>> from lamina import ops
>>> ops.image.resize(torch.zeros(2, 8, 8, 3), (4, 4)).shape
torch.Size([2, 4, 4, 3])
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lamina import backend
from lamina.backend.dtypes import is_float_dtype, is_int_dtype, result_type
from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _tensor, saturate_cast
from lamina.ops.nn import conv

_RESIZE_MODES = {
    "bilinear": "bilinear",
    "nearest": "nearest-exact",
    "bicubic": "bicubic",
}
_INTERPOLATION_ORDER = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _data_format(data_format: str | None) -> str:
    data_format = backend.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            "`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def _images(images: Any, op: str, ranks: tuple[int, ...] = (3, 4)) -> torch.Tensor:
    x = _tensor(images)
    if x.ndim not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        raise ShapeError(
            f"{op}: expected images of rank {wanted} (a single image or a batch), "
            f"received shape {tuple(x.shape)}."
        )
    return x


def _choice(op: str, argument: str, value, allowed) -> None:
    if value not in allowed:
        raise ArgumentError(
            f"{op}: `{argument}` must be one of {tuple(allowed)}, received {value!r}."
        )


def _to_nchw(x: torch.Tensor, data_format: str) -> tuple[torch.Tensor, bool]:
    """A batch in channels-first layout, and whether a batch axis was added."""
    single = x.ndim == 3
    x = x.unsqueeze(0) if single else x
    return (x.permute(0, 3, 1, 2) if data_format == "channels_last" else x), single


def _from_nchw(x: torch.Tensor, data_format: str, single: bool) -> torch.Tensor:
    x = x.permute(0, 2, 3, 1) if data_format == "channels_last" else x
    return x.squeeze(0) if single else x


# ------------------------------------------------------------------ colour


def rgb_to_grayscale(images: Any, data_format: str | None = None) -> torch.Tensor:
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` as one channel (kept as is for
    single-channel input), in the input's dtype.

    Example: ``rgb_to_grayscale(images)``.
    """
    x = _images(images, "rgb_to_grayscale")
    axis = -1 if _data_format(data_format) == "channels_last" else -3
    if x.shape[axis] not in (1, 3):
        raise ShapeError(
            "rgb_to_grayscale: expected 3 (RGB) or 1 (grayscale) channels, "
            f"received shape {tuple(x.shape)}."
        )
    if x.shape[axis] == 1:
        return x.clone()
    red, green, blue = x.unbind(axis)
    gray = 0.2989 * red + 0.587 * green + 0.114 * blue
    return gray.to(x.dtype).unsqueeze(axis)


def _hsv_input(images: Any, data_format: str | None, op: str):
    x = _images(images, op)
    if not is_float_dtype(x.dtype):
        raise ArgumentError(
            f"{op}: expected float images, received dtype {backend.standardize_dtype(x.dtype)}."
        )
    return x, -1 if _data_format(data_format) == "channels_last" else -3


def rgb_to_hsv(images: Any, data_format: str | None = None) -> torch.Tensor:
    """RGB to hue, saturation, value, each in ``[0, 1]`` (float images).

    Example: ``rgb_to_hsv(images)``.
    """
    x, axis = _hsv_input(images, data_format, "rgb_to_hsv")
    x = torch.where(x.abs() < torch.finfo(x.dtype).eps, 0.0, x)
    red, green, blue = x.unbind(axis)
    value = torch.maximum(torch.maximum(red, green), blue)
    spread = value - torch.minimum(torch.minimum(red, green), blue)
    saturation = torch.where(
        value > 0, spread / torch.where(value > 0, value, 1.0), 0.0
    )
    norm = 1.0 / (6.0 * torch.where(spread > 0, spread, 1.0))
    hue = torch.where(
        value == green,
        norm * (blue - red) + 2.0 / 6.0,
        norm * (red - green) + 4.0 / 6.0,
    )
    hue = torch.where(value == red, norm * (green - blue), hue)
    hue = torch.where(spread > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return torch.stack([hue, saturation, value], dim=axis)


def hsv_to_rgb(images: Any, data_format: str | None = None) -> torch.Tensor:
    """Hue, saturation, value (each in ``[0, 1]``) back to RGB (float images).

    Example: ``hsv_to_rgb(rgb_to_hsv(images))``.
    """
    x, axis = _hsv_input(images, data_format, "hsv_to_rgb")
    hue, saturation, value = x.unbind(axis)
    sector = torch.remainder(hue, 1.0) * 6.0
    red = torch.clip(torch.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = torch.clip(2.0 - torch.abs(sector - 2.0), 0.0, 1.0)
    blue = torch.clip(2.0 - torch.abs(sector - 4.0), 0.0, 1.0)
    grey = 1.0 - saturation
    channels = [value * (grey + saturation * c) for c in (red, green, blue)]
    return torch.stack(channels, dim=axis)


# ------------------------------------------------------------------ resize


def resize(
    images: Any,
    size: Sequence[int],
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Resize images to ``size = (height, width)``.

    Args:
        images: One image or a batch.
        size: The output height and width.
        interpolation: ``"bilinear"``, ``"nearest"`` or ``"bicubic"`` (pixel
            centres, as TensorFlow's ``half_pixel_centers``).
        antialias: Low-pass filter when downsampling (bilinear and bicubic).
        crop_to_aspect_ratio: First cut the largest centred window of the
            target aspect ratio.
        pad_to_aspect_ratio: First pad the image, centred, to the target
            aspect ratio with ``fill_value``.
        fill_mode: Only ``"constant"``.
        fill_value: The padding value for ``pad_to_aspect_ratio``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Integer images are resized in float32, rounded and saturated back to
    their dtype.

    Example: ``resize(images, (224, 224))``.
    """
    if interpolation in ("lanczos3", "lanczos5"):
        raise ArgumentError(
            "resize: Lanczos interpolation is not supported on torch (nor by "
            "Keras's torch backend); use scale_and_translate(method='lanczos3')."
        )
    _choice("resize", "interpolation", interpolation, _RESIZE_MODES)
    _choice("resize", "fill_mode", fill_mode, ("constant",))
    if len(size) != 2 or size[0] <= 0 or size[1] <= 0:
        raise ArgumentError(
            f"resize: `size` must be two positive ints (height, width), received {size!r}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ArgumentError(
            "resize: only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` "
            "can be True."
        )
    data_format = _data_format(data_format)
    original = _images(images, "resize")
    x, single = _to_nchw(original, data_format)
    if x.dtype not in (torch.float32, torch.float64):
        x = x.to(torch.float32)
    target_height, target_width = int(size[0]), int(size[1])
    height, width = x.shape[-2:]
    if crop_to_aspect_ratio:
        crop_height = max(min(height, int(width * target_height / target_width)), 1)
        crop_width = max(min(width, int(height * target_width / target_height)), 1)
        top, left = int((height - crop_height) / 2), int((width - crop_width) / 2)
        x = x[..., top : top + crop_height, left : left + crop_width]
    elif pad_to_aspect_ratio:
        top = int((max(height, int(width * target_height / target_width)) - height) / 2)
        left = int((max(width, int(height * target_width / target_height)) - width) / 2)
        x = F.pad(x, (left, left, top, top), value=float(fill_value))
    mode = _RESIZE_MODES[interpolation]
    smooth = mode in ("bilinear", "bicubic")
    out = F.interpolate(
        x,
        size=(target_height, target_width),
        mode=mode,
        align_corners=False if smooth else None,
        antialias=bool(antialias) and smooth,
    )
    if mode == "bicubic" and original.dtype == torch.uint8:
        out = out.clamp(0, 255)
    out = _from_nchw(out, data_format, single)
    if out.dtype == original.dtype:
        return out
    if is_int_dtype(original.dtype):
        out = torch.round(out)
    return saturate_cast(out, original.dtype)


# --------------------------------------------------------------- sampling


def _nodes(coordinate: torch.Tensor, order: int) -> list[tuple[torch.Tensor, Any]]:
    """(integer index, weight) pairs interpolating at ``coordinate``."""
    if order == 0:
        index = (
            coordinate
            if not coordinate.is_floating_point()
            else torch.round(coordinate)
        )
        return [(index.long(), None)]
    lower = torch.floor(coordinate)
    upper_weight = coordinate - lower
    return [(lower.long(), 1 - upper_weight), (lower.long() + 1, upper_weight)]


def _mirror(index: torch.Tensor, size: int) -> torch.Tensor:
    # A triangle wave of period 2 * (size - 1): ... 2 1 | 0 1 2 ... n-1 | n-2 ...
    period = size - 1
    if period == 0:
        return torch.zeros_like(index)
    return torch.abs(torch.remainder(index + period, 2 * period) - period)


def _fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    """Indices outside ``[0, size)`` mapped back in, as ``fill_mode`` says."""
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        return _mirror(index, size)
    if fill_mode == "reflect":
        # Half-sample symmetric: ... 1 0 | 0 1 ... n-1 | n-1 n-2 ...
        return torch.div(
            _mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor"
        )
    return index.clamp(0, size - 1)  # "nearest", and "constant" before masking


def _check_sampling(order: int, fill_mode: str, op: str) -> None:
    if order not in (0, 1):
        raise ArgumentError(
            f"{op}: `order` must be 0 (nearest) or 1 (linear), received {order!r}."
        )
    _choice(op, "fill_mode", fill_mode, _FILL_MODES)


def map_coordinates(
    inputs: Any,
    coordinates: Any,
    order: int,
    fill_mode: str = "constant",
    fill_value: float = 0,
) -> torch.Tensor:
    """``inputs`` sampled at fractional ``coordinates`` (scipy's
    ``ndimage.map_coordinates`` for orders 0 and 1).

    Args:
        inputs: An N-D tensor.
        coordinates: One coordinate array per axis of ``inputs`` (a sequence,
            or a tensor whose first axis has ``inputs.ndim`` entries), all of
            the output's shape.
        order: 0 (nearest, halves to even) or 1 (linear).
        fill_mode: How points outside the input are read: ``"constant"``
            (``fill_value``), ``"nearest"`` (the edge), ``"wrap"`` (periodic),
            ``"mirror"`` (``... 2 1 | 0 1 2 ...``) or ``"reflect"``
            (``... 1 0 | 0 1 ...``).
        fill_value: The value outside the input for ``"constant"``.

    Returns:
        The samples, of the coordinates' shape and the input's dtype
        (integers rounded).

    Example:

    >>> map_coordinates(torch.tensor([[0.0, 1.0], [2.0, 3.0]]), [[0.5], [0.5]], 1)
    tensor([1.5000])
    """
    x = _tensor(inputs)
    coords = [_tensor(c, device=x.device) for c in coordinates]
    if len(coords) != x.ndim:
        raise ShapeError(
            f"map_coordinates: the coordinates' first axis ({len(coords)}) must equal "
            f"the input's rank ({x.ndim})."
        )
    if coords[0].ndim < 1:
        raise ShapeError("map_coordinates: the coordinates must have rank >= 2.")
    _check_sampling(order, fill_mode, "map_coordinates")
    per_axis = []
    for coordinate, size in zip(coords, x.shape):
        per_axis.append(
            [
                (_fix_index(i, size, fill_mode), (i >= 0) & (i < size), w)
                for i, w in _nodes(coordinate, order)
            ]
        )
    integer = not x.is_floating_point() and not x.is_complex()
    fill = (
        int(fill_value)
        if integer and isinstance(fill_value, (int, float))
        else fill_value
    )
    result = None
    for corner in _corners(per_axis):
        indices, valid, weight = corner
        value = x[tuple(indices)]
        if fill_mode == "constant":
            value = torch.where(
                valid, value, torch.as_tensor(fill, dtype=x.dtype, device=x.device)
            )
        term = value if weight is None else weight * value
        result = term if result is None else result + term
    if integer and result.is_floating_point():
        result = torch.round(result)
    return result.to(x.dtype)


def _corners(per_axis):
    """Every combination of one node per axis: (indices, all valid, weight)."""
    combos = [([], None, None)]
    for nodes in per_axis:
        combos = [
            (
                indices + [index],
                valid if so_far is None else so_far & valid,
                w if weight is None else (weight if w is None else weight * w),
            )
            for indices, so_far, weight in combos
            for index, valid, w in nodes
        ]
    return combos


def _sample_images(images, rows, cols, order: int, fill_mode: str, fill_value):
    """``(N, H, W, C)`` images sampled at ``(N, H', W')`` float coordinates:
    one gather of all channels per interpolation corner."""
    n, height, width, channels = images.shape
    flat = images.reshape(n, height * width, channels)
    out_shape = rows.shape
    result = None
    row_nodes = _nodes(rows, order)
    col_nodes = _nodes(cols, order)
    for r, row_weight in row_nodes:
        for c, col_weight in col_nodes:
            index = _fix_index(r, height, fill_mode) * width + _fix_index(
                c, width, fill_mode
            )
            index = index.reshape(n, -1, 1).expand(n, index[0].numel(), channels)
            value = flat.gather(1, index).reshape(out_shape + (channels,))
            if fill_mode == "constant":
                inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
                fill = torch.as_tensor(
                    fill_value, dtype=images.dtype, device=images.device
                )
                value = torch.where(inside.unsqueeze(-1), value, fill)
            weight = None
            if row_weight is not None:
                weight = (row_weight * col_weight).unsqueeze(-1)
            term = value if weight is None else weight * value
            result = term if result is None else result + term
    if not images.is_floating_point() and result.is_floating_point():
        result = torch.round(result)
    return result.to(images.dtype)


def _warp(images, transforms, interpolation, fill_mode, fill_value, data_format, op):
    """Images sampled where 8-parameter projective ``transforms`` send each
    output pixel ``(x, y)``: ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``
    with ``k = c0 x + c1 y + 1``."""
    _choice(op, "interpolation", interpolation, _INTERPOLATION_ORDER)
    _choice(op, "fill_mode", fill_mode, _FILL_MODES)
    data_format = _data_format(data_format)
    x = _images(images, op)
    single = x.ndim == 3
    x = x.unsqueeze(0) if single else x
    if data_format == "channels_first":
        x = x.permute(0, 2, 3, 1)
    n, height, width, _ = x.shape
    t = transforms.to(x.device)
    t = t.expand(n, 8) if t.shape[0] == 1 else t
    dtype = t.dtype
    ys = torch.arange(height, dtype=dtype, device=x.device).view(1, height, 1)
    xs = torch.arange(width, dtype=dtype, device=x.device).view(1, 1, width)
    a0, a1, a2, b0, b1, b2, c0, c1 = t.reshape(n, 8, 1, 1).unbind(1)
    k = c0 * xs + c1 * ys + 1.0
    cols = (a0 * xs + a1 * ys + a2) / k
    rows = (b0 * xs + b1 * ys + b2) / k
    order = _INTERPOLATION_ORDER[interpolation]
    out = _sample_images(x, rows, cols, order, fill_mode, fill_value)
    if data_format == "channels_first":
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


def affine_transform(
    images: Any,
    transform: Any,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: float = 0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Warp images by projective transforms (affine when ``c0 = c1 = 0``).

    Args:
        images: One image or a batch.
        transform: ``(8,)`` or ``(batch, 8)``: ``[a0, a1, a2, b0, b1, b2, c0,
            c1]`` maps each output pixel ``(x, y)`` to the input point
            ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x +
            c1 y + 1``.
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"wrap"``, ``"mirror"`` or
            ``"reflect"`` (see `map_coordinates`).
        fill_value: The value outside the image for ``"constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example: ``affine_transform(images, [1, 0, -2, 0, 1, 0, 0, 0])`` (shift).
    """
    t = _tensor(transform)
    if t.ndim not in (1, 2):
        raise ShapeError(
            "affine_transform: `transform` must be (8,) or (batch, 8), received "
            f"shape {tuple(t.shape)}."
        )
    t = t.reshape(-1, 8)
    if not t.is_floating_point():
        t = t.to(backend.to_torch_dtype(backend.floatx()))
    return _warp(
        images, t, interpolation, fill_mode, fill_value, data_format, "affine_transform"
    )


def _homography(start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """The 8 projective parameters sending each ``end`` corner to its ``start``
    corner (``(N, 4, 2)`` points each), from the 8x8 linear system."""
    dtype = backend.to_torch_dtype(result_type(start.dtype, end.dtype, float))
    compute = torch.promote_types(dtype, torch.float32)
    start, end = start.to(compute), end.to(compute)
    sx, sy = start[..., 0], start[..., 1]
    ex, ey = end[..., 0], end[..., 1]
    zeros, ones = torch.zeros_like(ex), torch.ones_like(ex)
    x_rows = torch.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], -1)
    y_rows = torch.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], -1)
    system = torch.stack([x_rows, y_rows], dim=2).reshape(-1, 8, 8)
    targets = torch.stack([sx, sy], dim=2).reshape(-1, 8, 1)
    return torch.linalg.solve(system, targets).reshape(-1, 8).to(dtype)


def perspective_transform(
    images: Any,
    start_points: Any,
    end_points: Any,
    interpolation: str = "bilinear",
    fill_value: float = 0,
    data_format: str | None = None,
) -> torch.Tensor:
    """Warp images so that the four ``start_points`` land on the four
    ``end_points`` (a projective transform; outside pixels are
    ``fill_value``).

    Args:
        images: One image or a batch.
        start_points: ``(4, 2)`` or ``(batch, 4, 2)`` ``(x, y)`` corners in the
            input.
        end_points: Where those corners go in the output, the same shape.
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_value: The value outside the input image.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example: ``perspective_transform(images, corners, moved_corners)``.
    """
    x = _images(images, "perspective_transform")
    start = _tensor(
        start_points, dtype=x.dtype if x.is_floating_point() else None, device=x.device
    )
    end = _tensor(end_points, dtype=start.dtype, device=x.device)
    for points in (start, end):
        if points.ndim not in (2, 3) or tuple(points.shape[-2:]) != (4, 2):
            raise ShapeError(
                "perspective_transform: the points must be (4, 2) or (batch, 4, 2), "
                f"received shape {tuple(points.shape)}."
            )
    if start.shape != end.shape:
        raise ShapeError(
            "perspective_transform: `start_points` and `end_points` must have one "
            f"shape, received {tuple(start.shape)} and {tuple(end.shape)}."
        )
    transforms = _homography(start.reshape(-1, 4, 2), end.reshape(-1, 4, 2))
    return _warp(
        x,
        transforms,
        interpolation,
        "constant",
        fill_value,
        data_format,
        "perspective_transform",
    )


# -------------------------------------------------------------- filtering


def _gaussian_1d(size: int, sigma, dtype, device) -> torch.Tensor:
    position = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    weights = torch.exp(-0.5 * (position / sigma) ** 2)
    return weights / weights.sum()


def _depthwise_2d(x: torch.Tensor, kernel: torch.Tensor, padding) -> torch.Tensor:
    """Each channel of NCHW ``x`` filtered by the 2-D ``kernel``."""
    channels = x.shape[1]
    weight = kernel.to(x.dtype).expand(channels, 1, *kernel.shape)
    return F.conv2d(x, weight, padding=padding, groups=channels)


def gaussian_blur(
    images: Any,
    kernel_size: tuple[int, int] = (3, 3),
    sigma: tuple[float, float] = (1.0, 1.0),
    data_format: str | None = None,
) -> torch.Tensor:
    """Gaussian blur with a ``kernel_size = (height, width)`` kernel of standard
    deviations ``sigma = (height, width)``; zero padding keeps the size (for
    odd kernels).

    Example: ``gaussian_blur(images, (5, 5), (2.0, 2.0))``.
    """
    data_format = _data_format(data_format)
    x, single = _to_nchw(_images(images, "gaussian_blur"), data_format)
    kh, kw = (int(k) for k in kernel_size)
    sh, sw = (_tensor(s, dtype=x.dtype, device=x.device) for s in sigma)
    kernel = torch.outer(
        _gaussian_1d(kh, sh, x.dtype, x.device), _gaussian_1d(kw, sw, x.dtype, x.device)
    )
    out = _depthwise_2d(x, kernel, padding=(kh // 2, kw // 2))
    return _from_nchw(out, data_format, single)


def sobel_edges(images: Any, data_format: str | None = None) -> torch.Tensor:
    """Sobel gradients of a batch of images: ``(..., 2)`` holding the vertical
    (``dy``) and horizontal (``dx``) responses per channel, zero padded.

    Example: ``sobel_edges(images).shape  # (batch, height, width, channels, 2)``.
    """
    data_format = _data_format(data_format)
    x, _ = _to_nchw(_images(images, "sobel_edges", ranks=(4,)), data_format)
    dx = torch.tensor(
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=x.dtype, device=x.device
    )
    edges = torch.stack([_depthwise_2d(x, dx.T, 1), _depthwise_2d(x, dx, 1)], dim=-1)
    return edges.permute(0, 2, 3, 1, 4) if data_format == "channels_last" else edges


def ssim(
    image1: Any,
    image2: Any,
    max_val: float = 1.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
    data_format: str | None = None,
) -> torch.Tensor:
    """Structural similarity of two images (per image of a batch), averaged
    over the valid Gaussian windows and the channels.

    Args:
        image1: One image or a batch.
        image2: The same shape.
        max_val: The value range (1 for images in [0, 1], 255 for uint8).
        filter_size: The Gaussian window size.
        filter_sigma: The Gaussian window's standard deviation.
        k1: The luminance stabilizer (``c1 = (k1 * max_val) ** 2``).
        k2: The contrast stabilizer (``c2 = (k2 * max_val) ** 2``).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        A scalar for one image, ``(batch,)`` for a batch, in ``image1``'s dtype.

    Example: ``ssim(images, noisy_images)``.
    """
    data_format = _data_format(data_format)
    first = _images(image1, "ssim")
    second = _images(image2, "ssim")
    compute = backend.to_torch_dtype(result_type(first.dtype, float))
    a, single = _to_nchw(first.to(compute), data_format)
    b, _ = _to_nchw(second.to(compute), data_format)
    window = _gaussian_1d(filter_size, filter_sigma, compute, a.device)
    kernel = torch.outer(window, window)
    mean = functools.partial(_depthwise_2d, kernel=kernel, padding=0)
    mu_a, mu_b = mean(a), mean(b)
    var_a = mean(a * a) - mu_a * mu_a
    var_b = mean(b * b) - mu_b * mu_b
    covar = mean(a * b) - mu_a * mu_b
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * covar + c2)) / (
        (mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2)
    )
    result = ssim_map.mean(dim=(2, 3)).mean(dim=1)
    result = result.squeeze(0) if single else result
    return result.to(first.dtype)


# --------------------------------------------------------- padding, patches


def _margins(before, after, target, size: int, names, grow: bool, op: str):
    """One axis's (before, after, target size) from two of them: padding
    (``grow``: ``target = before + size + after``) or cropping (``target =
    size - before - after``)."""
    if [before, after, target].count(None) != 1:
        raise ArgumentError(
            f"{op}: give exactly two of `{names[0]}`, `{names[1]}` and `{names[2]}`, "
            f"received {names[0]}={before}, {names[1]}={after}, {names[2]}={target}."
        )
    for name, value in zip(names, (before, after, target)):
        if value is not None and value < 0:
            raise ArgumentError(f"{op}: `{name}` must be >= 0, received {value}.")
    if target is None:
        target = size + before + after if grow else size - before - after
    total = target - size if grow else size - target
    before = total - after if before is None else before
    after = total - before if after is None else after
    for name, value in zip(names, (before, after, target)):
        if value < 0:
            raise ArgumentError(
                f"{op}: the arguments do not fit an axis of size {size}: `{name}` "
                f"would be {value}."
            )
    return before, after, target


def _image_margins(op, images, data_format, vertical, horizontal, grow: bool):
    """The images, their data format and height axis, and (before, after,
    target) for the height and for the width."""
    data_format = _data_format(data_format)
    x = _images(images, op)
    word = "padding" if grow else "cropping"
    h_axis = x.ndim - 3 if data_format == "channels_last" else x.ndim - 2
    rows = _margins(
        *vertical,
        x.shape[h_axis],
        (f"top_{word}", f"bottom_{word}", "target_height"),
        grow,
        op,
    )
    cols = _margins(
        *horizontal,
        x.shape[h_axis + 1],
        (f"left_{word}", f"right_{word}", "target_width"),
        grow,
        op,
    )
    return x, data_format, h_axis, rows, cols


# fmt: off
def pad_images(
    images: Any, top_padding: int | None = None, left_padding: int | None = None,
    bottom_padding: int | None = None, right_padding: int | None = None,
    target_height: int | None = None, target_width: int | None = None,
    data_format: str | None = None,
) -> torch.Tensor:
    # fmt: on
    """Pad images with zeros: per side, or up to a target size (two of each
    axis's padding before, padding after and target size).

    Example: ``pad_images(images, 2, 2, target_height=32, target_width=32)``.
    """
    x, data_format, _, (top, bottom, _), (left, right, _) = _image_margins(
        "pad_images",
        images,
        data_format,
        (top_padding, bottom_padding, target_height),
        (left_padding, right_padding, target_width),
        grow=True,
    )
    channels = (0, 0) if data_format == "channels_last" else ()
    return F.pad(x, channels + (left, right, top, bottom))


# fmt: off
def crop_images(
    images: Any, top_cropping: int | None = None, left_cropping: int | None = None,
    bottom_cropping: int | None = None, right_cropping: int | None = None,
    target_height: int | None = None, target_width: int | None = None,
    data_format: str | None = None,
) -> torch.Tensor:
    # fmt: on
    """Crop images: per side, or to a target size (two of each axis's
    cropping before, cropping after and target size).

    Example: ``crop_images(images, 4, 4, target_height=24, target_width=24)``.
    """
    x, _, h_axis, (top, _, height), (left, _, width) = _image_margins(
        "crop_images",
        images,
        data_format,
        (top_cropping, bottom_cropping, target_height),
        (left_cropping, right_cropping, target_width),
        grow=False,
    )
    return x.narrow(h_axis, top, height).narrow(h_axis + 1, left, width)


def _patches(x, size, strides, dilation_rate, padding, data_format, rank: int, op: str):
    """Patches as channels, by a convolution with an identity kernel: each
    output position holds its window's values in (row, column, channel)
    order, as Keras lays them out."""
    data_format = _data_format(data_format)
    size = (size,) * rank if isinstance(size, int) else tuple(size)
    if len(size) != rank:
        raise ArgumentError(
            f"{op}: `size` must be an int or {rank} ints, received {size!r}."
        )
    strides = size if not strides else strides
    channels = x.shape[-1] if data_format == "channels_last" else x.shape[-rank - 1]
    features = math.prod(size) * channels
    kernel = torch.eye(features, dtype=x.dtype, device=x.device).reshape(
        size + (channels, features)
    )
    single = x.ndim == rank + 1
    out = conv(
        x.unsqueeze(0) if single else x,
        kernel,
        strides,
        padding,
        data_format,
        dilation_rate,
    )
    return out.squeeze(0) if single else out


def extract_patches(
    images: Any,
    size: int | tuple[int, int] | tuple[int, int, int],
    strides: int | Sequence[int] | None = None,
    dilation_rate: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Patches of ``size`` from images, flattened into the channel axis:
    ``(batch, rows, cols, size_h * size_w * channels)`` (3-D patches of volumes
    when ``size`` has three entries).

    Args:
        images: One image or a batch (or volumes for 3-D ``size``).
        size: The patch size, an int or a tuple.
        strides: The step between patches; ``size`` by default.
        dilation_rate: Spacing between the sampled pixels.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example: ``extract_patches(images, 4)``.
    """
    if not isinstance(size, int) and (
        not isinstance(size, (tuple, list)) or len(size) not in (2, 3)
    ):
        raise ArgumentError(
            f"extract_patches: `size` must be an int or a tuple of 2 or 3, received {size!r}."
        )
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d(
            images, size, strides, dilation_rate, padding, data_format
        )
    x = _images(images, "extract_patches")
    return _patches(
        x, size, strides, dilation_rate, padding, data_format, 2, "extract_patches"
    )


def extract_patches_3d(
    volumes: Any,
    size: int | tuple[int, int, int],
    strides: int | Sequence[int] | None = None,
    dilation_rate: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """3-D patches of ``size`` from volumes ``(batch, depth, height, width,
    channels)``, flattened into the channel axis.

    Example: ``extract_patches_3d(volumes, 2)``.
    """
    x = _images(volumes, "extract_patches_3d", ranks=(4, 5))
    return _patches(
        x, size, strides, dilation_rate, padding, data_format, 3, "extract_patches_3d"
    )


# ------------------------------------------------------------------ random


def _generator(seed: Any, device: torch.device) -> torch.Generator | None:
    """A generator for ``seed``: None (torch's global one), an int, or an object
    with ``next()`` returning seed values (a ``SeedGenerator``)."""
    if seed is None:
        return None
    if not isinstance(seed, int):
        values = seed.next() if hasattr(seed, "next") else seed
        seed = int(sum(int(v) for v in _tensor(values).reshape(-1).tolist()))
    generator = torch.Generator(device=device)
    generator.manual_seed(seed & 0xFFFFFFFFFFFF)
    return generator


def elastic_transform(
    images: Any,
    alpha: float = 20.0,
    sigma: float = 5.0,
    interpolation: str = "bilinear",
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    seed: Any = None,
    data_format: str | None = None,
) -> torch.Tensor:
    """Elastic deformation (Simard et al., 2003): each pixel is displaced by
    Gaussian noise smoothed with a ``sigma`` Gaussian and scaled by ``alpha``.

    Args:
        images: One image or a batch.
        alpha: The displacement scale, in pixels.
        sigma: The smoothing Gaussian's standard deviation (its kernel is
            ``int(6 * sigma) | 1`` wide).
        interpolation: ``"nearest"`` or ``"bilinear"``.
        fill_mode: How points outside the image are read (see
            `map_coordinates`).
        fill_value: The value outside the image for ``"constant"``.
        seed: None, an int, or a seed generator, for the noise.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example: ``elastic_transform(images, alpha=10.0, sigma=3.0, seed=1)``.
    """
    _choice("elastic_transform", "interpolation", interpolation, _INTERPOLATION_ORDER)
    _choice("elastic_transform", "fill_mode", fill_mode, _FILL_MODES)
    data_format = _data_format(data_format)
    x = _images(images, "elastic_transform")
    single = x.ndim == 3
    batch = x.unsqueeze(0) if single else x
    if data_format == "channels_first":
        batch = batch.permute(0, 2, 3, 1)
    n, height, width, _ = batch.shape
    dtype = (
        batch.dtype
        if batch.is_floating_point()
        else backend.to_torch_dtype(backend.floatx())
    )
    generator = _generator(seed, batch.device)
    noise = torch.randn(
        (2 * n, 1, height, width), generator=generator, dtype=dtype, device=batch.device
    )
    size = int(6 * float(sigma)) | 1
    smooth = _gaussian_1d(size, float(sigma), dtype, batch.device)
    displacement = _depthwise_2d(
        noise * float(sigma), torch.outer(smooth, smooth), size // 2
    )
    dx, dy = displacement[:, 0].split(n)
    ys = torch.arange(height, dtype=dtype, device=batch.device).view(1, height, 1)
    xs = torch.arange(width, dtype=dtype, device=batch.device).view(1, 1, width)
    rows, cols = ys + float(alpha) * dy, xs + float(alpha) * dx
    order = _INTERPOLATION_ORDER[interpolation]
    out = _sample_images(batch, rows, cols, order, fill_mode, fill_value)
    if data_format == "channels_first":
        out = out.permute(0, 3, 1, 2)
    return out.squeeze(0) if single else out


# ------------------------------------------------------- scale and translate


def _triangle(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(1 - torch.abs(x), min=0)


def _keys_cubic(x: torch.Tensor) -> torch.Tensor:
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far, near))


def _lanczos(radius: float, x: torch.Tensor) -> torch.Tensor:
    y = radius * torch.sin(np.pi * x) * torch.sin(np.pi * x / radius)
    safe = torch.where(x != 0, np.pi**2 * x**2, 1.0)
    out = torch.where(x > 1e-3, y / safe, 1.0)
    return torch.where(x > radius, 0.0, out)


_KERNELS = {
    "linear": _triangle,
    "bilinear": _triangle,
    "trilinear": _triangle,
    "cubic": _keys_cubic,
    "bicubic": _keys_cubic,
    "tricubic": _keys_cubic,
    "lanczos3": functools.partial(_lanczos, 3.0),
    "lanczos5": functools.partial(_lanczos, 5.0),
}


def _resampling_weights(in_size, out_size, scale, translation, kernel, antialias):
    """The ``(in_size, out_size)`` matrix resampling one axis (JAX's
    ``scale_and_translate`` rule: output sample ``i`` reads input position
    ``(i + 0.5 - translation) / scale - 0.5``)."""
    dtype = scale.dtype
    inv_scale = 1.0 / scale
    width = torch.clamp(inv_scale, min=1.0) if antialias else 1.0
    positions = (
        (torch.arange(out_size, dtype=dtype, device=scale.device) + 0.5) * inv_scale
        - translation * inv_scale
        - 0.5
    )
    grid = torch.arange(in_size, dtype=dtype, device=scale.device)[:, None]
    weights = kernel(torch.abs(positions[None, :] - grid) / width)
    totals = weights.sum(dim=0, keepdim=True)
    usable = torch.abs(totals) > 1000.0 * float(np.finfo(np.float32).eps)
    weights = torch.where(usable, weights / torch.where(totals != 0, totals, 1.0), 0.0)
    inside = (positions >= -0.5) & (positions <= in_size - 0.5)
    return torch.where(inside[None, :], weights, 0.0)


def scale_and_translate(
    images: Any,
    output_shape: Sequence[int],
    scale: Any,
    translation: Any,
    spatial_dims: Sequence[int],
    method: str,
    antialias: bool = True,
) -> torch.Tensor:
    """Resample ``spatial_dims`` of ``images`` to ``output_shape`` with a scale
    and translation per axis (JAX's ``jax.image.scale_and_translate``).

    Args:
        images: Any tensor.
        output_shape: The full output shape.
        scale: One scale factor per spatial dimension.
        translation: One translation (in output pixels) per spatial dimension.
        spatial_dims: The axes to resample.
        method: ``"linear"``/``"bilinear"``/``"trilinear"``,
            ``"cubic"``/``"bicubic"``/``"tricubic"`` (Keys, a = -0.5),
            ``"lanczos3"`` or ``"lanczos5"``.
        antialias: Widen the kernel when downsampling.

    Integer images are resampled in float32, rounded and clipped to their
    input range.

    Example: ``scale_and_translate(x, (1, 8, 8, 3), [2.0, 2.0], [0.0, 0.0], (1, 2), "linear")``.
    """
    _choice("scale_and_translate", "method", method, _KERNELS)
    x = _tensor(images)
    scale, translation = (
        _tensor(scale, device=x.device),
        _tensor(translation, device=x.device),
    )
    common = backend.to_torch_dtype(result_type(scale.dtype, translation.dtype))
    scale, translation = scale.to(common), translation.to(common)
    integer = is_int_dtype(x.dtype)
    out = x.to(torch.float32) if integer else x.clone()
    for i, dim in enumerate(spatial_dims):
        dim = dim % x.ndim
        weights = _resampling_weights(
            x.shape[dim],
            int(output_shape[dim]),
            scale[i],
            translation[i],
            _KERNELS[method],
            antialias,
        ).to(out.dtype)
        out = torch.movedim(torch.tensordot(out, weights, dims=([dim], [0])), -1, dim)
    if integer:
        out = torch.clip(torch.round(out), x.min(), x.max()).to(x.dtype)
    return out


__all__ = [
    "affine_transform",
    "crop_images",
    "elastic_transform",
    "extract_patches",
    "extract_patches_3d",
    "gaussian_blur",
    "hsv_to_rgb",
    "map_coordinates",
    "pad_images",
    "perspective_transform",
    "resize",
    "rgb_to_grayscale",
    "rgb_to_hsv",
    "scale_and_translate",
    "sobel_edges",
    "ssim",
]
