"""Resizing: resize a batch of images to a fixed height and width."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    BaseImagePreprocessingLayer,
)


def check_size(layer_name: str, height, width) -> None:
    """Raise an ArgumentError unless height and width are positive integers."""
    for argument, value in (("height", height), ("width", width)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ArgumentError(
                f"{layer_name}: `{argument}` must be a positive integer. "
                f"Received: {argument}={value!r}"
            )


# Resizing's own config entries, in Keras's order: its constructor arguments,
# stored under their names.
_CONFIG_KEYS = (
    "height width interpolation crop_to_aspect_ratio pad_to_aspect_ratio "
    "fill_mode fill_value antialias"
).split()


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to ``(height, width)``, as Keras's torch backend does.

    The arithmetic is torch's ``F.interpolate`` with Keras's choices
    (``bilinear`` and ``bicubic`` without corner alignment, ``nearest`` with
    pixel centres), so the numbers equal Keras's. Integer images come back
    rounded, in their own dtype.

    Example:
        >>> layer = lamina.layers.Resizing(16, 16)
        >>> layer(torch.rand(2, 32, 24, 3)).shape
        torch.Size([2, 16, 16, 3])

    Args:
        height: output height, a positive integer.
        width: output width, a positive integer.
        interpolation: ``"bilinear"`` (default), ``"nearest"`` or ``"bicubic"``.
        crop_to_aspect_ratio: first cut the largest centred window with the
            target aspect ratio, so the image is not distorted.
        pad_to_aspect_ratio: first pad the image evenly on both sides with
            ``fill_value`` to the target aspect ratio.
        fill_mode: how padding is filled; only ``"constant"``.
        fill_value: the padding value.
        antialias: low-pass filter when downsampling (bilinear, bicubic).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, height, width, channels)`` (channels_last) or
        ``(batch, channels, height, width)``, or one unbatched image.

    Output shape:
        The same with the height and width replaced.
    """

    def __init__(
        self,
        height,
        width,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        check_size(type(self).__name__, height, width)
        image_transforms.validate_choice(
            type(self).__name__,
            "interpolation",
            interpolation,
            image_transforms.RESIZE_MODES,
        )
        image_transforms.validate_choice(
            type(self).__name__, "fill_mode", fill_mode, ("constant",)
        )
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ArgumentError(
                "Resizing: only one of `pad_to_aspect_ratio` and "
                "`crop_to_aspect_ratio` can be True."
            )
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def call(self, inputs):
        images, unbatched = self._to_nchw(inputs)
        dtype = images.dtype
        if not images.is_floating_point():
            images = images.to(torch.float32)
        resized = image_transforms.resize(
            images,
            (self.height, self.width),
            self.interpolation,
            self.antialias,
            self.crop_to_aspect_ratio,
            self.pad_to_aspect_ratio,
            self.fill_value,
        )
        if resized.dtype != dtype:
            info = torch.iinfo(dtype)
            resized = resized.round().clamp(info.min, info.max).to(dtype)
        return self._from_nchw(resized, unbatched)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        height_axis, width_axis = self._spatial_axes(len(shape))
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({key: getattr(self, key) for key in _CONFIG_KEYS})
        return config
