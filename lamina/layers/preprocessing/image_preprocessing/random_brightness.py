"""RandomBrightness: add a random offset to each image during training."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseRandomAdjustment,
    factor_range,
)


class RandomBrightness(BaseRandomAdjustment):
    """Brightens or darkens each image by a random amount during training.

    Each image gets ``delta * (max - min)`` added, with ``delta`` drawn from
    ``factor`` and ``(min, max) = value_range``; the result is clipped to
    ``value_range``. Outside training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomBrightness(0.2, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3) * 255, training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for deltas in ``[-f, f]``, or a
            pair ``(lower, upper)`` with values in ``[-1, 1]``.
        value_range: the ``(min, max)`` range of the pixel values (either order).
        seed: an int for reproducible draws.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)

    def __init__(
        self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs
    ):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(type(self).__name__, "factor", factor)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ArgumentError(
                "RandomBrightness: `value_range` must be a list of two numbers. "
                f"Received: value_range={value_range!r}"
            )
        self.value_range = sorted(value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"rgb_delta": one offset per image, broadcastable to it}``."""
        if not training:
            return None
        shape = (1, 1, 1) if data.dim() == 3 else (data.shape[0], 1, 1, 1)
        delta = self._uniform(shape, self.factor[0], self.factor[1], data.device, seed)
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        images = images + transformation["rgb_delta"].to(images.dtype)
        return images.clamp(self.value_range[0], self.value_range[1])
