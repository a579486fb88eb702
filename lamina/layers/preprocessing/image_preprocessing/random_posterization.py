"""RandomPosterization: keep fewer bits per colour during training."""

from __future__ import annotations

import torch

from lamina import random
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)


class RandomPosterization(BaseRandomAdjustment):
    """Reduces each image to a random number of bits per channel in training.

    Pixel values are mapped to ``[0, 255]``, truncated to 8-bit integers and
    keep their ``b`` highest bits, ``b`` drawn per image from ``[lower,
    upper)`` (as in Keras, the upper end is excluded unless ``lower ==
    upper``), then mapped back to ``value_range``. Outside training the layer
    returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomPosterization((1, 1))
        >>> layer(torch.tensor([[[[10.0, 130.0, 250.0]]]]), training=True)
        tensor([[[[  0., 128., 128.]]]])

    Args:
        factor: an integer ``b`` in ``[1, 8]`` for bit counts in ``[1, b)``, or
            a pair ``(lower, upper)``.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range data_format seed")

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomPosterization", "factor", args.factor, (1, 8))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"shift_factor": uint8 (batch,)}``: the bits each image drops."""
        images, batch = self._images_of(data)
        low, high = self.factor
        if low != high:
            bits = self._draw(
                random.randint,
                (batch,),
                low,
                high,
                dtype="uint8",
                device=images.device,
                seed=seed,
            )
        else:
            bits = torch.full((batch,), low, dtype=torch.uint8, device=images.device)
        return {"shift_factor": 8 - bits}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training:
            return images
        dtype = images.dtype
        shift = transformation["shift_factor"].view(-1, 1, 1, 1)
        images = self._transform_value_range(images, self.value_range, (0, 255))
        pixels = images.to(torch.uint8)
        images = ((pixels >> shift) << shift).to(dtype)
        return self._transform_value_range(images, (0, 255), self.value_range)
