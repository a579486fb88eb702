"""RandomRotation: rotate images by a random angle during training."""

from __future__ import annotations

from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    AFFINE_ARGS_DOC,
    BaseAffineLayer,
    affine_constructor,
    factor_range,
)


class RandomRotation(BaseAffineLayer):
    """Rotates each image about its centre by a random angle during training.

    The angle is drawn uniformly from ``factor * 2pi`` (a fraction of a full
    turn); positive angles turn counter-clockwise. Pixels the rotated image
    does not cover are filled as ``fill_mode`` says. Outside training the
    layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomRotation(0.1, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number ``f`` for angles in ``[-f, f]`` turns, or a pair
            ``(lower, upper)``; values in ``[-1, 1]``.
        {affine_args}
    """

    __doc__ = __doc__.replace("{affine_args}", AFFINE_ARGS_DOC)
    __init__ = affine_constructor("factor")

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range(type(self).__name__, "factor", args.factor)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"angle": degrees per image, "rotation_matrix": (batch, 8)}``."""
        if not training:
            return None
        batch, height, width = self._image_size(data)
        low, high = self.factor[0] * 360.0, self.factor[1] * 360.0
        angle = self._uniform((batch,), low, high, data.device, seed)
        return {
            "angle": angle,
            "rotation_matrix": image_transforms.rotation_matrix(angle, height, width),
        }

    def _matrix(self, transformation, images):
        return transformation["rotation_matrix"]

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config
