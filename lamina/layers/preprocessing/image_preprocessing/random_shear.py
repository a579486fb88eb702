"""RandomShear: shear images by random amounts during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    AFFINE_ARGS_DOC,
    AFFINE_DEFAULTS,
    BaseAffineLayer,
    factor_range,
    image_constructor,
)


class RandomShear(BaseAffineLayer):
    """Shears each image along x and y by random amounts during training.

    Output pixel ``(x, y)`` samples the input at ``(x + sx * y, sy * x + y)``
    (about the top-left corner, as in Keras), ``sx`` drawn from ``x_factor``
    and ``sy`` from ``y_factor``, both with one random sign per image. Pixels
    the sheared image does not cover are filled as ``fill_mode`` says. Outside
    training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomShear(x_factor=0.3, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        x_factor: a number ``f`` in ``[0, 1]`` for shears in ``[-f, f]``, or a
            pair ``(lower, upper)`` (default 0: no shear along x).
        y_factor: the same along y.
        {affine_args}
    """

    __doc__ = __doc__.replace("{affine_args}", AFFINE_ARGS_DOC)
    __init__ = image_constructor(
        "x_factor y_factor interpolation fill_mode fill_value data_format seed",
        x_factor=0.0,
        y_factor=0.0,
        **AFFINE_DEFAULTS,
    )

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.x_factor = factor_range("RandomShear", "x_factor", args.x_factor)
        self.y_factor = factor_range("RandomShear", "y_factor", args.y_factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"shear_factor": (batch, 2)}``, ``(sx, sy)`` per image."""
        if not training:
            return None
        images, batch = self._images_of(data)
        device = images.device
        sign = self._uniform((batch, 1), 0.0, 1.0, device, seed)
        sign = torch.where(sign > 0.5, -1.0, 1.0)
        shear_y = self._uniform((batch, 1), *self.y_factor, device, seed)
        shear_x = self._uniform((batch, 1), *self.x_factor, device, seed)
        return {"shear_factor": torch.cat([shear_x, shear_y], dim=1) * sign}

    def _matrix(self, transformation, images):
        shear = transformation["shear_factor"].float()
        ones = torch.ones_like(shear[:, :1])
        zeros = torch.zeros_like(ones)
        shear_x, shear_y = shear[:, :1], shear[:, 1:]
        return torch.cat(
            [ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], dim=1
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"x_factor": self.x_factor, "y_factor": self.y_factor})
        return config
