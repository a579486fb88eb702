"""RandomGrayscale: turn some images grey during training."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomGrayscale(BaseImagePreprocessingLayer):
    """Converts each image to grayscale with probability ``factor`` in training.

    A converted image keeps its three channels, each the luma ``0.2989 R +
    0.587 G + 0.114 B``. Outside training the layer returns its input (as
    float).

    Example:
        >>> layer = lamina.layers.RandomGrayscale(factor=1.0)
        >>> out = layer(torch.rand(2, 8, 8, 3), training=True)
        >>> bool((out[..., 0] == out[..., 2]).all())
        True

    Args:
        factor: the probability, in ``[0, 1]``, that an image is converted
            (default 0.5).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: an int for reproducible draws. (As in Keras, the config does not
            keep it.)

    {shapes}
    """

    _CONFIG_KEYS = ("factor",)
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor("factor data_format seed", factor=0.5)
    _COLOR_ONLY = True
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        factor = args.factor
        if isinstance(factor, bool) or not isinstance(factor, (int, float)):
            factor = None
        if factor is None or not 0 <= factor <= 1:
            raise ArgumentError(
                "RandomGrayscale: `factor` should be a number between 0 and 1. "
                f"Received: factor={args.factor!r}"
            )
        self.factor = args.factor

    def get_random_transformation(self, data, training=True, seed=None):
        """A bool tensor ``(batch, 1, 1, 1)``: which images to convert."""
        images, batch = self._images_of(data)
        draws = self._uniform((batch,), 0.0, 1.0, images.device, seed)
        return (draws < self.factor).view(batch, 1, 1, 1)

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training:
            return images
        if transformation is None:
            transformation = self.get_random_transformation(images)
        grey = image_ops.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(transformation, grey, images)
