"""MixUp: blend each image (and its label) with another of the batch."""

from __future__ import annotations

import torch

from lamina import random
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
    mix_pairs,
)


class MixUp(BaseImagePreprocessingLayer):
    """Blends the images of a batch pairwise (Zhang et al., 2017, "mixup").

    Each image becomes ``w * x + (1 - w) * x_other``, ``w`` drawn per image
    from ``Beta(alpha, alpha)``, ``x_other`` the image a random permutation
    pairs it with; called on ``{"images": ..., "labels": ...}`` (and
    ``"segmentation_masks"``) the other entries mix alike. Outside training
    the input passes unchanged (as float).

    Example:
        >>> layer = lamina.layers.MixUp(seed=1)
        >>> data = {"images": torch.rand(4, 8, 8, 3), "labels": torch.eye(4)}
        >>> out = layer(data, training=True)
        >>> bool(torch.allclose(out["labels"].sum(dim=1), torch.ones(4)))
        True

    Args:
        alpha: the concentration of the Beta distribution (default 0.2: most
            weights near 0 or 1).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: an int for reproducible draws.

    {shapes}
    """

    _CONFIG_KEYS = ("alpha", "seed")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor("alpha data_format seed", alpha=0.2)

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.alpha = args.alpha

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"mix_weight": (batch,), "permutation_order": (batch,)}``."""
        images, batch = self._images_of(data)
        device = images.device
        order = torch.arange(batch, dtype=torch.int64, device=device)
        order = self._draw(random.shuffle, order, device=device, seed=seed)
        weight = self._draw(
            random.beta, (batch,), self.alpha, self.alpha, device=device, seed=seed
        )
        return {"mix_weight": weight, "permutation_order": order}

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        return mix_pairs(images, transformation)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        return mix_pairs(labels, transformation)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return self.transform_images(masks, transformation, training)
