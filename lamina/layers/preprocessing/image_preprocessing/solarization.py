"""Solarization: invert the pixels above a random threshold during training."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)


class Solarization(BaseImagePreprocessingLayer):
    """Solarizes images: pixels at or above a threshold are inverted.

    Pixel values are mapped to ``[0, 255]``; each image draws an ``addition``
    (added to its pixels, then clipped to ``[0, 255]``) and a ``threshold``;
    pixels at or above the threshold become ``255 - x``; the result is mapped
    back to ``value_range``. With the defaults (0, 0) every pixel is inverted.
    As in Keras 3.15, a factor pair ``(lower, upper)`` draws from ``[lower,
    255 * upper]``: the lower end is not scaled, so only 0 pins a draw.
    Outside training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.Solarization(value_range=(0, 1))
        >>> layer(torch.tensor([[[[0.25, 0.5, 1.0]]]]), training=True)
        tensor([[[[0.7500, 0.5000, 0.0000]]]])

    Args:
        addition_factor: a number ``f`` in ``[0, 1]`` for additions in ``[0,
            255 f]``, or a pair ``(lower, upper)``.
        threshold_factor: the same for the thresholds.
        value_range: the ``(min, max)`` range of the pixel values (default
            ``(0, 255)``).
        seed: an int for reproducible draws.

    {shapes}
    """

    _CONFIG_KEYS = ("value_range", "addition_factor", "threshold_factor", "seed")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor(
        "addition_factor threshold_factor value_range seed",
        addition_factor=0.0,
        threshold_factor=0.0,
    )
    _COLOR_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.addition_factor = _factor("addition_factor", args.addition_factor)
        self.threshold_factor = _factor("threshold_factor", args.threshold_factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"additions", "thresholds"}``, each ``(batch, 1, 1, 1)``."""
        if not training:
            return None
        images, batch = self._images_of(data)
        shape = (batch, 1, 1, 1)
        addition_low, addition_high = self.addition_factor
        threshold_low, threshold_high = self.threshold_factor
        device = images.device
        return {
            "additions": self._uniform(
                shape, addition_low, addition_high * 255, device, seed
            ),
            "thresholds": self._uniform(
                shape, threshold_low, threshold_high * 255, device, seed
            ),
        }

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        images = self._transform_value_range(images, self.value_range, (0, 255))
        results = (images + transformation["additions"]).clamp(0, 255)
        results = torch.where(
            results < transformation["thresholds"], results, 255 - results
        )
        return self._transform_value_range(results, (0, 255), self.value_range)


def _factor(argument: str, factor) -> tuple[float, float]:
    """Keras's reading of Solarization's factors: ``f`` is ``(0, f)``."""
    pair = factor if isinstance(factor, (tuple, list)) else (0, factor)
    if len(pair) != 2 or not all(
        isinstance(f, (int, float)) and not isinstance(f, bool) and 0 <= f <= 1
        for f in pair
    ):
        raise ArgumentError(
            f"Solarization: the `{argument}` argument should be a number (or a "
            f"list of two numbers) in the range [0, 1]. Received: {argument}={factor!r}"
        )
    lower, upper = sorted(pair)
    return lower, upper
