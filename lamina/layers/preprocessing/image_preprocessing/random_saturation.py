"""RandomSaturation: scale the saturation of images during training."""

from __future__ import annotations

import torch

from lamina import backend
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomSaturation(BaseRandomAdjustment):
    """Scales the saturation of each image by a random amount during training.

    Each image draws ``f`` from ``factor`` and its HSV saturation is multiplied
    by ``f / (1 - f)`` (clipped to ``value_range``): 0.5 keeps the image, 0
    makes it grey, 1 fully saturated. Outside training the layer returns its
    input (as float).

    Example:
        >>> layer = lamina.layers.RandomSaturation((0.5, 0.5))
        >>> x = torch.rand(2, 8, 8, 3) * 255
        >>> bool(torch.allclose(layer(x, training=True), x, atol=1e-3))
        True

    Args:
        factor: a number ``f`` for draws in ``[-f, f]``, or a pair ``(lower,
            upper)``; values in ``[-1, 1]``.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range data_format seed")
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomSaturation", "factor", args.factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"factor": (batch,)}``, the saturation multipliers."""
        images, batch = self._images_of(data)
        factor = self._uniform((batch,), *self.factor, images.device, seed)
        return {"factor": factor / (1 - factor + backend.epsilon())}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        axis = self._channel_axis(images.dim())
        factor = transformation["factor"].to(images.dtype).view(-1, 1, 1)
        hsv = image_ops.rgb_to_hsv(images, data_format=self.data_format)
        hue, saturation, value = hsv.unbind(axis)
        saturation = (saturation * factor).clamp(*self.value_range)
        hsv = torch.stack([hue, saturation, value], dim=axis)
        return image_ops.hsv_to_rgb(hsv, data_format=self.data_format)
