"""RandomFlip: flip images horizontally and/or vertically during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    BaseImagePreprocessingLayer,
)

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image with probability 1/2 during training.

    As in Keras, ``"horizontal_and_vertical"`` draws one coin per image: a
    flipped image is flipped along both axes (turned by 180 degrees). Outside
    training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomFlip("horizontal", seed=3)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        mode: ``"horizontal"`` (left-right), ``"vertical"`` (up-down) or
            ``"horizontal_and_vertical"`` (default).
        seed: an int for reproducible flips.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, height, width, channels)`` (channels_last) or
        ``(batch, channels, height, width)``, or one unbatched image.

    Output shape:
        Same as the input.
    """

    def __init__(
        self, mode: str = HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs
    ):
        super().__init__(data_format=data_format, **kwargs)
        image_transforms.validate_choice(
            type(self).__name__,
            "mode",
            mode,
            (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL),
        )
        self.mode = mode
        self._init_seed(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"flips": bool tensor}``, one coin per image, broadcastable to it."""
        if not training:
            return None
        shape = (1, 1, 1) if data.dim() == 3 else (data.shape[0], 1, 1, 1)
        return {"flips": self._uniform(shape, 0.0, 1.0, data.device, seed) <= 0.5}

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        flips = transformation["flips"]
        height_axis, width_axis = self._spatial_axes(images.dim())
        axes = {
            HORIZONTAL: [width_axis],
            VERTICAL: [height_axis],
            HORIZONTAL_AND_VERTICAL: [height_axis, width_axis],
        }[self.mode]
        return torch.where(flips, images.flip(axes), images)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks flip with their images."""
        return self.transform_images(masks, transformation, training)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"seed": self.seed, "mode": self.mode})
        return config
