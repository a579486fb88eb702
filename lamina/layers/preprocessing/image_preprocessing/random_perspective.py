"""RandomPerspective: warp some images by random perspective transforms."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomPerspective(BaseImagePreprocessingLayer):
    """Applies a random perspective warp to some images during training.

    Each image draws a probability ``p`` from ``factor`` and is warped with
    probability ``p``: its four corners move by up to ``scale / 2`` of their
    coordinates (the top-left corner stays) and the image follows; uncovered
    pixels get ``fill_value``. Outside training the layer returns its input
    (as float).

    Example:
        >>> layer = lamina.layers.RandomPerspective(scale=0.4, seed=0)
        >>> layer(torch.rand(2, 8, 8, 3), training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for probabilities in ``[0, f]``,
            or a pair ``(lower, upper)`` (default 1).
        scale: how far the corners may move, in ``[0, 1]`` (default 1).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_value: the value of the pixels outside the warped image.
        seed: an int for reproducible draws.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    _CONFIG_KEYS = ("factor", "scale", "interpolation", "fill_value", "seed")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor(
        "factor scale interpolation fill_value seed data_format",
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_value=0.0,
    )

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        name = "RandomPerspective"
        self.factor = factor_range(name, "factor", args.factor, (0, 1))
        if isinstance(args.scale, bool) or not (
            isinstance(args.scale, (int, float)) and 0 <= args.scale <= 1
        ):
            raise ArgumentError(
                f"{name}: the `scale` argument should be a number in the range "
                f"[0, 1]. Received: scale={args.scale!r}"
            )
        image_transforms.validate_choice(
            name,
            "interpolation",
            args.interpolation,
            image_transforms.AFFINE_INTERPOLATIONS,
        )
        self.scale = args.scale
        self.interpolation = args.interpolation
        self.fill_value = args.fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"apply_perspective": (batch,), "start_points", "end_points"}``,
        the corners ``(batch, 4, 2)`` as ``(x, y)`` before and after."""
        if not training:
            return None
        batch, height, width = self._image_size(data)
        device = self._images_of(data)[0].device
        apply = self._coin_flips(batch, device, seed)
        reach = 0.5 * self.scale
        moves = self._uniform((batch, 4, 2), -reach, reach, device, seed)
        corners = [[0.0, 0.0], [width - 1, 0.0], [0.0, height - 1]]
        corners.append([width - 1, height - 1])
        start = torch.tensor(corners, device=device).expand(batch, 4, 2)
        return {
            "apply_perspective": apply,
            "start_points": start,
            "end_points": start + start * moves,
        }

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        return self._warp(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks move with the images, sampled at the nearest pixel."""
        if not training or transformation is None:
            return masks
        return self._warp(self._as_float(masks), transformation, "nearest")

    def _warp(self, images, transformation, interpolation):
        warped = image_ops.perspective_transform(
            images,
            transformation["start_points"],
            transformation["end_points"],
            interpolation=interpolation,
            fill_value=self.fill_value,
            data_format=self.data_format,
        )
        apply = transformation["apply_perspective"].view(-1, 1, 1, 1)
        return torch.where(apply, warped, images)
