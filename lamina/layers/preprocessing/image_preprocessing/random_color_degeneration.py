"""RandomColorDegeneration: blend images towards grey during training."""

from __future__ import annotations

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomColorDegeneration(BaseRandomAdjustment):
    """Moves each image towards its grayscale version by a random amount.

    An image becomes ``x + f * (grey(x) - x)``, with ``f`` drawn per image from
    ``factor`` (0 keeps the colours, 1 is fully grey, negative values
    saturate), clipped to ``value_range``. Outside training the layer returns
    its input (as float).

    Example:
        >>> layer = lamina.layers.RandomColorDegeneration((1.0, 1.0))
        >>> out = layer(torch.rand(2, 8, 8, 3) * 255, training=True)
        >>> bool(torch.allclose(out[..., 0], out[..., 1]))
        True

    Args:
        factor: a number ``f`` for blends in ``[-f, f]``, or a pair
            ``(lower, upper)``; values in ``[-1, 1]``.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range data_format seed")
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomColorDegeneration", "factor", args.factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"factor": (batch, 1, 1, 1)}``."""
        images, batch = self._images_of(data)
        shape = (batch, 1, 1, 1)
        return {"factor": self._uniform(shape, *self.factor, images.device, seed)}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        factor = transformation["factor"].to(images.dtype)
        grey = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + factor * (grey - images)
        return images.clamp(self.value_range[0], self.value_range[1])
