"""RandomGaussianBlur: blur some images with a random Gaussian during training."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)
from lamina.ops import image as image_ops


class RandomGaussianBlur(BaseImagePreprocessingLayer):
    """Blurs images with a Gaussian kernel of random width during training.

    Each image draws a probability ``p`` from ``factor`` and is blurred with
    probability ``p``; one call draws the kernel's two standard deviations
    (height, width) from ``sigma`` for the whole batch. The result is clipped
    to ``value_range``. Outside training the layer returns its input (as
    float).

    Example:
        >>> layer = lamina.layers.RandomGaussianBlur(factor=(1, 1), sigma=(1, 1))
        >>> out = layer(torch.rand(2, 8, 8, 3) * 255, training=True)
        >>> out.shape
        torch.Size([2, 8, 8, 3])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for probabilities in ``[0, f]``,
            or a pair ``(lower, upper)`` (default 1).
        kernel_size: the kernel's size, an odd integer or a pair of them
            (height, width) (default 3).
        sigma: a number ``s`` in ``[0, 1]`` for standard deviations in ``[0,
            s]``, or a pair (default 1).
        {image_args}
    """

    _CONFIG_KEYS = ("factor", "kernel_size", "sigma", "value_range", "seed")
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "factor kernel_size sigma value_range data_format seed",
        factor=1.0,
        kernel_size=3,
        sigma=1.0,
    )
    _COLOR_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        name = "RandomGaussianBlur"
        self.factor = factor_range(name, "factor", args.factor, (0, 1))
        self.kernel_size = _kernel_size(args.kernel_size)
        self.sigma = factor_range(name, "sigma", args.sigma, (0, 1))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"should_apply_blur": bool (batch,), "blur_factor": (2,)}``."""
        if not training:
            return None
        images, batch = self._images_of(data)
        apply = self._coin_flips(batch, images.device, seed)
        sigma = self._uniform((2,), *self.sigma, images.device, seed) + 1e-6
        return {"should_apply_blur": apply, "blur_factor": sigma}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        # Keras's kernels (on every backend) spread the first drawn sigma
        # along the width, though ops.image.gaussian_blur documents (height,
        # width): flipped, the draws give Keras's numbers.
        blurred = image_ops.gaussian_blur(
            images,
            kernel_size=self.kernel_size,
            sigma=transformation["blur_factor"].flip(0),
            data_format=self.data_format,
        )
        apply = transformation["should_apply_blur"].view(-1, 1, 1, 1)
        images = torch.where(apply, blurred, images)
        return images.clamp(self.value_range[0], self.value_range[1])


def _kernel_size(size) -> tuple[int, int]:
    sizes = tuple(size) if isinstance(size, (tuple, list)) else (size, size)
    if len(sizes) != 2 or not all(
        isinstance(k, int) and not isinstance(k, bool) and k > 0 and k % 2 == 1
        for k in sizes
    ):
        raise ArgumentError(
            "RandomGaussianBlur: `kernel_size` must be an odd positive integer or "
            f"a pair of them. Received: kernel_size={size!r}"
        )
    return sizes
