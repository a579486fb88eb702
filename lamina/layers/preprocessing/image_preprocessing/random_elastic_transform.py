"""RandomElasticTransform: distort some images elastically during training."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing import image_transforms
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops
from lamina.random.seed_generator import draw_seed

# ops.image.elastic_transform's fill modes ("mirror" too).
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


class RandomElasticTransform(BaseImagePreprocessingLayer):
    """Applies a random elastic distortion to some images during training
    (Simard et al., 2003).

    Each image draws a probability ``p`` from ``factor`` and is distorted with
    probability ``p``. One call draws a strength ``d`` from ``scale``; pixels
    move along smoothed Gaussian noise by up to about ``0.1 d`` of the larger
    side (smoothing ``0.05 d`` of the smaller side). The result is clipped to
    ``value_range``. Outside training the layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomElasticTransform(scale=0.5, seed=0)
        >>> layer(torch.rand(2, 16, 16, 3) * 255, training=True).shape
        torch.Size([2, 16, 16, 3])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for probabilities in ``[0, f]``,
            or a pair ``(lower, upper)`` (default 1).
        scale: a number ``s`` in ``[0, 1]`` for strengths in ``[0, s]``, or a
            pair (default 1).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        fill_mode: ``"reflect"`` (default), ``"mirror"``, ``"wrap"``,
            ``"nearest"`` or ``"constant"``.
        fill_value: the value outside the image with ``fill_mode="constant"``.
        {image_args}
    """

    _CONFIG_KEYS = (
        "factor",
        "scale",
        "interpolation",
        "fill_mode",
        "fill_value",
        "value_range",
        "seed",
    )
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "factor scale interpolation fill_mode fill_value value_range seed data_format",
        factor=1.0,
        scale=1.0,
        interpolation="bilinear",
        fill_mode="reflect",
        fill_value=0.0,
    )

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        name = "RandomElasticTransform"
        self.factor = factor_range(name, "factor", args.factor, (0, 1))
        self.scale = factor_range(name, "scale", args.scale, (0, 1))
        image_transforms.validate_choice(
            name,
            "interpolation",
            args.interpolation,
            image_transforms.AFFINE_INTERPOLATIONS,
        )
        image_transforms.validate_choice(name, "fill_mode", args.fill_mode, _FILL_MODES)
        self.interpolation = args.interpolation
        self.fill_mode = args.fill_mode
        self.fill_value = args.fill_value

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"apply_transform": (batch,), "distortion_factor", "seed"}``, the
        int seed of the noise (so masks move as their images do)."""
        if not training or self.scale[1] == 0 or self.factor[1] == 0:
            return None
        images, batch = self._images_of(data)
        apply = self._coin_flips(batch, images.device, seed)
        strength = self._uniform((), *self.scale, images.device, seed)
        noise_seed = draw_seed(self.generator if seed is None else seed)
        return {
            "apply_transform": apply,
            "distortion_factor": strength,
            "seed": noise_seed,
        }

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        return self._distort(images, transformation, self.interpolation).clamp(
            self.value_range[0], self.value_range[1]
        )

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks move with the images, sampled at the nearest pixel."""
        if not training or transformation is None:
            return masks
        return self._distort(self._as_float(masks), transformation, "nearest")

    def _distort(self, images, transformation, interpolation):
        _, height, width = self._image_size(images)
        strength = transformation["distortion_factor"]
        distorted = image_ops.elastic_transform(
            images,
            alpha=max(height, width) * 0.1 * strength,
            sigma=min(height, width) * 0.05 * strength,
            interpolation=interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            seed=transformation["seed"],
            data_format=self.data_format,
        )
        apply = transformation["apply_transform"].view(-1, 1, 1, 1)
        return torch.where(apply, distorted, images)
