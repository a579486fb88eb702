"""RandomInvert: invert the colours of some images during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseRandomAdjustment,
    factor_range,
    image_constructor,
)


class RandomInvert(BaseRandomAdjustment):
    """Inverts images (``x`` becomes ``max - x``) at random during training.

    Each image draws a probability ``p`` from ``factor`` and is inverted with
    probability ``p``; ``max`` is the top of ``value_range`` (as in Keras, the
    bottom is not added back: ``value_range=(0, 1)`` maps ``x`` to ``1 - x``).
    Outside training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomInvert(factor=(1.0, 1.0), value_range=(0, 1))
        >>> layer(torch.full((1, 2, 2, 3), 0.25), training=True)[0, 0, 0]
        tensor([0.7500, 0.7500, 0.7500])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for probabilities in ``[0, f]``,
            or a pair ``(lower, upper)``; 1 (default) inverts about half the
            images, ``(1, 1)`` all of them.
        {image_args}
    """

    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor("factor value_range seed data_format", factor=1.0)

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomInvert", "factor", args.factor, (0, 1))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"apply_inversion": bool (batch,)}``."""
        if not training:
            return None
        images, batch = self._images_of(data)
        return {"apply_inversion": self._coin_flips(batch, images.device, seed)}

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        apply = transformation["apply_inversion"].view(-1, 1, 1, 1)
        return torch.where(apply, self.value_range[1] - images, images)
