"""Images as files, PIL images and numpy arrays: load, save, convert, resize."""

from __future__ import annotations

import io
import os
import pathlib
import warnings

import numpy as np
import torch
import torch.nn.functional as F

from lamina import backend
from lamina.errors import ArgumentError, ShapeError

# Keras's names for PIL's resampling filters.
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
# Array resizing (smart_resize, the image datasets) runs in torch.
TORCH_INTERPOLATIONS = {
    "nearest": "nearest",
    "bilinear": "bilinear",
    "bicubic": "bicubic",
    "area": "area",
}


def pil_image():
    """The ``PIL.Image`` module, or an ImportError saying how to install it."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "lamina's image utilities need the Pillow package: pip install pillow"
        ) from error
    return Image


def standardize_data_format(data_format: str | None) -> str:
    """``data_format``, or ``image_data_format()`` when None; anything else raises.

    Args:
        data_format: ``"channels_last"``, ``"channels_first"`` or None.

    Returns:
        ``"channels_last"`` or ``"channels_first"``.

    Example:

    >>> standardize_data_format("channels_first")
    'channels_first'
    """
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            f"`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def load_img(
    path: str | os.PathLike | bytes | io.BytesIO,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
):
    """Loads an image file into a PIL image.

    Example:
        >>> img = lamina.utils.load_img("cat.jpg", target_size=(224, 224))
        >>> x = lamina.utils.img_to_array(img)   # (224, 224, 3) float32

    Args:
        path: a file path or an ``io.BytesIO``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to (None: keep the size).
        interpolation: PIL's filter: ``"nearest"``, ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: crop the largest centred box of the target aspect
            ratio before resizing, instead of stretching.

    Returns:
        A ``PIL.Image.Image``.
    """
    Image = pil_image()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        # Read the bytes first so that the file is closed at once.
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(
            f"load_img: `path` must be a path or io.BytesIO, received "
            f"{type(path).__name__}."
        )
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode in ("rgb", "rgba"):
        if img.mode != color_mode.upper():
            img = img.convert(color_mode.upper())
    else:
        raise ArgumentError(
            f'load_img: `color_mode` must be "grayscale", "rgb" or "rgba", received '
            f"{color_mode!r}."
        )
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    if interpolation not in PIL_INTERPOLATIONS:
        raise ArgumentError(
            "load_img: `interpolation` must be one of "
            f"{', '.join(PIL_INTERPOLATIONS)}, "
            f"received {interpolation!r}."
        )
    resample = getattr(Image.Resampling, interpolation.upper())
    if not keep_aspect_ratio:
        return img.resize(size, resample)
    width, height = img.size
    crop_height = min(height, (width * size[1]) // size[0])
    crop_width = min(width, (height * size[0]) // size[1])
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    box = (left, top, left + crop_width, top + crop_height)
    return img.resize(size, resample, box=box)


def img_to_array(img, data_format: str | None = None, dtype=None) -> np.ndarray:
    """A PIL image as a 3D numpy array.

    Example:
        >>> x = lamina.utils.img_to_array(lamina.utils.load_img("cat.jpg"))

    Args:
        img: a PIL image.
        data_format: ``"channels_last"`` (height, width, channels) or
            ``"channels_first"``; default: ``image_data_format()``.
        dtype: default: ``floatx()``.

    Returns:
        A 3D array (grayscale images get a channel axis of size 1).
    """
    data_format = standardize_data_format(data_format)
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 2:
        x = x[None] if data_format == "channels_first" else x[..., None]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ShapeError(
            f"img_to_array: expected a 2D or 3D image, received shape {x.shape}."
        )
    return x


def array_to_img(x, data_format: str | None = None, scale: bool = True, dtype=None):
    """A 3D array as a PIL image (1, 3 or 4 channels).

    Example:
        >>> img = lamina.utils.array_to_img(np.random.rand(32, 32, 3))

    Args:
        x: a 3D array.
        data_format: its layout; default: ``image_data_format()``.
        scale: stretch the values to fill ``[0, 255]``.
        dtype: the working dtype; default: ``floatx()``.

    Returns:
        A ``PIL.Image.Image`` (mode L, I, RGB or RGBA).
    """
    data_format = standardize_data_format(data_format)
    Image = pil_image()
    x = np.array(x, dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ShapeError(
            f"array_to_img: expected a 3D array (one image), received shape {x.shape}."
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        peak = np.max(x)
        if peak != 0:
            x /= peak
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ShapeError(
        f"array_to_img: an image needs 1, 3 or 4 channels, received {channels} "
        f"(shape {x.shape})."
    )


def save_img(
    path: str | os.PathLike | io.IOBase,
    x,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs,
) -> None:
    """Saves a 3D array as an image file.

    Example:
        >>> lamina.utils.save_img("out.png", np.random.rand(32, 32, 3))

    Args:
        path: a file path or a file object (then give ``file_format``).
        x: a 3D array.
        data_format: its layout; default: ``image_data_format()``.
        file_format: e.g. ``"png"``; default: the path's extension.
        scale: stretch the values to fill ``[0, 255]``.
        **kwargs: passed to ``PIL.Image.Image.save``.
    """
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("JPEG cannot store RGBA images: converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def resize_images(
    images: np.ndarray, size: tuple[int, int], interpolation: str = "bilinear"
) -> np.ndarray:
    """Resizes channels-last images (``(h, w, c)`` or ``(n, h, w, c)``), as float32.

    Half-pixel centres without antialiasing: the numbers of
    ``tf.image.resize`` that Keras's image datasets use.
    """
    if interpolation not in TORCH_INTERPOLATIONS:
        raise ArgumentError(
            f"`interpolation` must be one of {', '.join(TORCH_INTERPOLATIONS)}, "
            f"received {interpolation!r}."
        )
    batch = torch.as_tensor(np.asarray(images, dtype=np.float32))
    single = batch.ndim == 3
    if single:
        batch = batch[None]
    if tuple(batch.shape[1:3]) == tuple(size):
        out = batch
    else:
        mode = TORCH_INTERPOLATIONS[interpolation]
        extra = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
        if mode == "nearest":
            mode = "nearest-exact"  # half-pixel centres, as TensorFlow
        out = F.interpolate(
            batch.permute(0, 3, 1, 2), size=tuple(size), mode=mode, **extra
        ).permute(0, 2, 3, 1)
    out = out.numpy()
    return out[0] if single else out


def smart_resize(
    x,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    data_format: str = "channels_last",
) -> np.ndarray:
    """Resizes images to ``size`` without distortion: centre-crop, then resize.

    The largest centred crop with the target aspect ratio is taken, then
    resized to ``size``.

    Example:
        >>> lamina.utils.smart_resize(np.zeros((340, 500, 3)), (200, 200)).shape
        (200, 200, 3)

    Args:
        x: an image ``(height, width, channels)`` or a batch of them.
        size: ``(height, width)``.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"`` or ``"area"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        A float32 array with the new height and width.
    """
    if len(size) != 2:
        raise ArgumentError(
            f"smart_resize: `size` must be (height, width), received {size}."
        )
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ShapeError(
            f"smart_resize: expected (height, width, channels) or (batch, height, "
            f"width, channels), received shape {x.shape}."
        )
    channels_first = standardize_data_format(data_format) == "channels_first"
    if channels_first:
        x = np.moveaxis(x, -3, -1)
    height, width = x.shape[-3], x.shape[-2]
    target_height, target_width = size
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    x = x[..., top : top + crop_height, left : left + crop_width, :]
    out = resize_images(x, size, interpolation)
    return np.moveaxis(out, -1, -3) if channels_first else out
