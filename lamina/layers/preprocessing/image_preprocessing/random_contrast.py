"""RandomContrast: scale each image's deviation from its mean during training."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseRandomAdjustment,
    factor_range,
)


class RandomContrast(BaseRandomAdjustment):
    """Adjusts the contrast of each image by a random factor during training.

    Each channel of an image becomes ``(x - mean) * c + mean``, where ``mean``
    is the channel's mean over the image and ``c`` is drawn from
    ``[1 - lower, 1 + upper]``; the result is clipped to ``value_range``. As in
    Keras, a single number ``f`` means ``(lower, upper) = (0, f)``, so it only
    raises the contrast; pass a pair for both directions. Outside training
    the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomContrast((0.2, 0.2), seed=0)
        >>> layer(torch.rand(2, 8, 8, 3) * 255, training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number in ``[0, 1]`` or a pair ``(lower, upper)`` of them.
        value_range: the ``(min, max)`` range of the pixel values.
        seed: an int for reproducible draws.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)

    def __init__(
        self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs
    ):
        super().__init__(seed, data_format, **kwargs)
        self.factor = factor_range(type(self).__name__, "factor", factor, bounds=(0, 1))
        self.value_range = _check_value_range(type(self).__name__, value_range)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"contrast_factor": one factor per image, broadcastable to it}``."""
        if not training:
            return None
        shape = (1, 1, 1) if data.dim() == 3 else (data.shape[0], 1, 1, 1)
        return {
            "contrast_factor": self._uniform(
                shape, 1.0 - self.factor[0], 1.0 + self.factor[1], data.device, seed
            )
        }

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        height_axis, width_axis = self._spatial_axes(images.dim())
        mean = images.mean(dim=height_axis, keepdim=True).mean(
            dim=width_axis, keepdim=True
        )
        factor = transformation["contrast_factor"].to(images.dtype)
        outputs = (images - mean) * factor + mean
        return outputs.clamp(self.value_range[0], self.value_range[1])


def _check_value_range(layer_name: str, value_range):
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or value_range[0] > value_range[1]
    ):
        raise ArgumentError(
            f"{layer_name}: `value_range` must be a pair (min, max) with min <= max. "
            f"Received: value_range={value_range!r}"
        )
    return value_range
