"""RandomZoom: zoom images in or out by a random amount during training."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    AFFINE_ARGS_DOC,
    BaseAffineLayer,
    affine_constructor,
    factor_range,
)


class RandomZoom(BaseAffineLayer):
    """Zooms each image about its centre by a random factor during training.

    A factor ``z`` drawn from ``height_factor`` samples a window ``1 + z``
    times the image height: positive values zoom out, negative values zoom in
    (as in Keras 3). Without ``width_factor`` the aspect ratio is kept. Pixels
    outside the image are filled as ``fill_mode`` says. Outside training the
    layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomZoom(0.2, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        height_factor: a number ``f`` for zooms in ``[-f, f]``, or a pair
            ``(lower, upper)``; values in ``(-1, 1]``.
        width_factor: the same for the width, or None to zoom both alike.
        {affine_args}
    """

    __doc__ = __doc__.replace("{affine_args}", AFFINE_ARGS_DOC)
    __init__ = affine_constructor("height_factor width_factor", width_factor=None)

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        name = type(self).__name__
        self.height_factor = args.height_factor
        self.width_factor = args.width_factor
        self._height_range = _zoom_range(name, "height_factor", args.height_factor)
        self._width_range = (
            None
            if args.width_factor is None
            else _zoom_range(name, "width_factor", args.width_factor)
        )

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"height_zoom": (batch, 1), "width_zoom": (batch, 1)}``."""
        if not training:
            return None
        batch = self._image_size(data)[0]
        low, high = self._height_range
        height_zoom = self._uniform(
            (batch, 1), 1.0 + low, 1.0 + high, data.device, seed
        )
        width_zoom = height_zoom
        if self._width_range is not None:
            low, high = self._width_range
            width_zoom = self._uniform(
                (batch, 1), 1.0 + low, 1.0 + high, data.device, seed
            )
        return {"height_zoom": height_zoom, "width_zoom": width_zoom}

    def _matrix(self, transformation, images):
        _, height, width = self._image_size(images)
        width_zoom = transformation["width_zoom"].reshape(-1, 1).float()
        height_zoom = transformation["height_zoom"].reshape(-1, 1).float()
        zeros = torch.zeros_like(width_zoom)
        x_offset = (width - 1.0) / 2.0 * (1.0 - width_zoom)
        y_offset = (height - 1.0) / 2.0 * (1.0 - height_zoom)
        matrix = torch.cat(
            [width_zoom, zeros, x_offset, zeros, height_zoom, y_offset, zeros, zeros],
            dim=1,
        )
        return matrix

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"height_factor": self.height_factor, "width_factor": self.width_factor}
        )
        return config


def _zoom_range(layer_name: str, argument: str, factor) -> tuple[float, float]:
    lower, upper = factor_range(layer_name, argument, factor)
    if isinstance(factor, (tuple, list)) and lower <= -1:
        raise ArgumentError(
            f"{layer_name}: `{argument}` values must be greater than -1 (a zoom of "
            f"-1 samples an empty window). Received: {argument}={factor!r}"
        )
    return lower, upper
