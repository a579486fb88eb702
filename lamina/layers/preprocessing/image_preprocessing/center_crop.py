"""CenterCrop: cut the central ``height x width`` window out of images."""

from __future__ import annotations

from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    BaseImagePreprocessingLayer,
)
from lamina.layers.preprocessing.image_preprocessing.resizing import check_size


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the centre of images to ``(height, width)``.

    An image smaller than the target in either dimension is instead cropped to
    the target aspect ratio and resized (bilinear), as Keras's ``smart_resize``
    does, so the output always has the target size. The output is float.

    Example:
        >>> layer = lamina.layers.CenterCrop(24, 24)
        >>> layer(torch.rand(2, 32, 32, 3)).shape
        torch.Size([2, 24, 24, 3])

    Args:
        height: output height, a positive integer.
        width: output width, a positive integer.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, height, width, channels)`` (channels_last) or
        ``(batch, channels, height, width)``, or one unbatched image.

    Output shape:
        The same with the height and width replaced.
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        check_size(type(self).__name__, height, width)
        self.height = height
        self.width = width

    def call(self, inputs):
        images, unbatched = self._to_nchw(self._as_float(inputs))
        return self._from_nchw(center_crop(images, self.height, self.width), unbatched)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        height_axis, width_axis = self._spatial_axes(len(shape))
        shape[height_axis], shape[width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width})
        return config


def center_crop(images, height: int, width: int):
    """The centred window of NCHW ``images``; smaller images are resized instead."""
    in_height, in_width = images.shape[-2], images.shape[-1]
    if in_height >= height and in_width >= width:
        top, left = (in_height - height) // 2, (in_width - width) // 2
        return images[..., top : top + height, left : left + width]
    return image_transforms.resize(images, (height, width), crop_to_aspect_ratio=True)
