"""AutoContrast: stretch each image's channels to the full value range."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)


class AutoContrast(BaseImagePreprocessingLayer):
    """Rescales each channel of each image so its darkest pixel is the bottom
    of ``value_range`` and its brightest the top.

    A channel with a single value stays as it is. The layer is deterministic
    and acts in training and inference alike. The output is float.

    Example:
        >>> layer = lamina.layers.AutoContrast(value_range=(0, 1))
        >>> layer(torch.tensor([[[[0.25], [0.5], [0.75]]]]))[0, 0, :, 0]
        tensor([0.0000, 0.5000, 1.0000])

    Args:
        value_range: the ``(min, max)`` range of the pixel values (default
            ``(0, 255)``).

    {shapes}
    """

    _CONFIG_KEYS = ("value_range",)
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor("value_range")
    _TRANSFORMS_AT_INFERENCE = True
    _COLOR_ONLY = True

    def transform_images(self, images, transformation=None, training=True):
        original = self._as_float(images)
        images = self._transform_value_range(original, self.value_range, (0, 255))
        axes = self._spatial_axes(images.dim())
        low = images.amin(dim=axes, keepdim=True)
        high = images.amax(dim=axes, keepdim=True)
        scale = 255.0 / (high - low)
        results = (images * scale - low * scale).clamp(0.0, 255.0)
        results = self._transform_value_range(results, (0, 255), self.value_range)
        # A flat channel divides 0 by 0: it keeps its values.
        return torch.where(torch.isnan(results), original, results)
