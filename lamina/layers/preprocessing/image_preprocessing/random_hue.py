"""RandomHue: rotate the hue of images during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomHue(BaseRandomAdjustment):
    """Shifts the hue of each image by a random amount during training.

    Each image draws ``f`` from ``factor`` and a random sign; its HSV hue moves
    by ``f / 2`` of the colour circle in that direction (``f = 1`` reaches the
    complementary colours). Outside training the layer returns its input (as
    float).

    Example:
        >>> layer = lamina.layers.RandomHue(0.3, value_range=(0, 1), seed=1)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for shifts in ``[0, f]``, or a
            pair ``(lower, upper)``.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range data_format seed")
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomHue", "factor", args.factor, (0, 1))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"factor": (batch,)}``: the hue shifts, as fractions of a turn."""
        images, batch = self._images_of(data)
        sign = self._uniform((batch,), 0.0, 1.0, images.device, seed)
        sign = torch.where(sign > 0.5, -1.0, 1.0)
        factor = self._uniform((batch,), *self.factor, images.device, seed)
        return {"factor": sign * factor * 0.5}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        images = self._transform_value_range(images, self.value_range, (0, 1))
        axis = self._channel_axis(images.dim())
        shift = transformation["factor"].to(images.dtype).view(-1, 1, 1)
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = hsv.unbind(axis)
        hue = hue + shift
        hue = torch.where(hue > 1.0, hue - 1.0, hue)
        hue = torch.where(hue < 0.0, hue + 1.0, hue)
        hsv = torch.stack([hue, saturation, value], dim=axis)
        images = image_ops.hsv_to_rgb(hsv, data_format=self.data_format).clamp(0, 1)
        return self._transform_value_range(images, (0, 1), self.value_range)
