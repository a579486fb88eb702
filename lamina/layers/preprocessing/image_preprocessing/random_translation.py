"""RandomTranslation: shift images by a random offset during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    AFFINE_ARGS_DOC,
    BaseAffineLayer,
    affine_constructor,
    factor_range,
)


class RandomTranslation(BaseAffineLayer):
    """Shifts each image by a random fraction of its size during training.

    Vertical shifts are drawn from ``height_factor * height`` (positive moves
    the image down), horizontal ones from ``width_factor * width`` (positive
    moves it right). Uncovered pixels are filled as ``fill_mode`` says.
    Outside training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomTranslation(0.1, 0.1, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        height_factor: a number ``f`` for shifts in ``[-f, f]`` of the height,
            or a pair ``(lower, upper)``; values in ``[-1, 1]``.
        width_factor: the same for the width.
        {affine_args}
    """

    __doc__ = __doc__.replace("{affine_args}", AFFINE_ARGS_DOC)
    __init__ = affine_constructor("height_factor width_factor")

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        name = type(self).__name__
        self.height_factor = args.height_factor
        self.width_factor = args.width_factor
        self._height_range = factor_range(name, "height_factor", args.height_factor)
        self._width_range = factor_range(name, "width_factor", args.width_factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"translations": (batch, 2)}`` in pixels, ``(dx, dy)`` per image."""
        if not training:
            return None
        batch, height, width = self._image_size(data)
        dy = self._uniform((batch, 1), *self._height_range, data.device, seed) * height
        dx = self._uniform((batch, 1), *self._width_range, data.device, seed) * width
        return {"translations": torch.cat([dx, dy], dim=1)}

    def _matrix(self, transformation, images):
        shift = transformation["translations"].reshape(-1, 2).float()
        ones = torch.ones_like(shift[:, :1])
        zeros = torch.zeros_like(ones)
        matrix = torch.cat(
            [ones, zeros, -shift[:, :1], zeros, ones, -shift[:, 1:], zeros, zeros],
            dim=1,
        )
        return matrix

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"height_factor": self.height_factor, "width_factor": self.width_factor}
        )
        return config
