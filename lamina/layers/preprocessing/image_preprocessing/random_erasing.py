"""RandomErasing: overwrite a random box of some images during training."""

from __future__ import annotations

import torch

from lamina import random
from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)


class RandomErasing(BaseImagePreprocessingLayer):
    """Erases a random rectangle of some images during training (Zhong et al.,
    2017, "Random Erasing Data Augmentation").

    Each image draws a probability ``p`` from ``factor`` and is erased with
    probability ``p``: a box whose sides are ``sqrt(s)`` of the image's (``s``
    drawn from ``scale`` for each side) is filled with ``fill_value``, or with
    Gaussian noise times ``value_range``'s top when it is None; the fill is
    clipped to ``value_range``. Outside training the layer returns its input
    (as float).

    Example:
        >>> layer = lamina.layers.RandomErasing(factor=(1, 1), fill_value=0.0)
        >>> out = layer(torch.ones(2, 8, 8, 3) * 255, training=True)
        >>> bool((out == 0).any())
        True

    Args:
        factor: a number ``f`` in ``[0, 1]`` for probabilities in ``[0, f]``,
            or a pair ``(lower, upper)`` (default 1).
        scale: a number ``s`` in ``[0, 1]`` for box areas in ``[0, s]``, or a
            pair (default ``(0.02, 0.33)``).
        fill_value: a number, three numbers (one per channel), or None
            (default) for noise.
        {image_args}
    """

    _CONFIG_KEYS = ("factor", "scale", "fill_value", "value_range", "seed")
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "factor scale fill_value value_range seed data_format",
        factor=1.0,
        scale=(0.02, 0.33),
        fill_value=None,
    )

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("RandomErasing", "factor", args.factor, (0, 1))
        self.scale = factor_range("RandomErasing", "scale", args.scale, (0, 1))
        fill_value = args.fill_value
        if not (
            fill_value is None
            or isinstance(fill_value, (int, float))
            or (isinstance(fill_value, (tuple, list)) and len(fill_value) == 3)
        ):
            raise ArgumentError(
                "RandomErasing: the `fill_value` argument should be a number (or a "
                f"list of three numbers). Received: fill_value={fill_value!r}"
            )
        self.fill_value = fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"apply_erasing": (batch,), "batch_masks", "fill_value"}``."""
        if not training:
            return None
        images, batch = self._images_of(data)
        device = images.device
        ratios = self._uniform((batch, 2), *self.scale, device, seed).sqrt()
        masks, _ = self._random_boxes(data, ratios, seed)
        apply = self._coin_flips(batch, device, seed)
        if self.fill_value is None:
            noise = self._draw(random.normal, images.shape, device=device, seed=seed)
            fill = noise * self.value_range[1]
        else:
            fill = torch.tensor(self.fill_value, dtype=torch.float32, device=device)
            if fill.dim() == 1:
                fill = (
                    fill.view(-1, 1, 1)
                    if self.data_format == "channels_first"
                    else fill
                )
        fill = fill.clamp(self.value_range[0], self.value_range[1])
        return {"apply_erasing": apply, "batch_masks": masks, "fill_value": fill}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        fill = transformation["fill_value"].to(images.dtype)
        erased = torch.where(transformation["batch_masks"], fill, images)
        apply = transformation["apply_erasing"].view(-1, 1, 1, 1)
        return torch.where(apply, erased, images)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return masks  # as in Keras: a mask keeps the erased pixels' classes
