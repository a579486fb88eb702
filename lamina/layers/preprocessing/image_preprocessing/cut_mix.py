"""CutMix: paste a box of another image of the batch into each image."""

from __future__ import annotations

import torch

from lamina import random
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    SAME_SHAPE_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
    mix_pairs,
)


class CutMix(BaseImagePreprocessingLayer):
    """Mixes the images of a batch: a random box of each image is replaced by
    the same box of another image (Yun et al., 2019, "CutMix").

    Each image's box covers ``1 - w`` of it, ``w`` drawn from ``Beta(a, a)``
    with one ``a`` per call from ``factor``; the images are paired by a random
    permutation of the batch. Called on ``{"images": ..., "labels": ...}``,
    the labels mix in proportion to the pixels: ``w * y + (1 - w) * y_other``.
    A single image, and any input outside training, passes unchanged (as
    float).

    Example:
        >>> layer = lamina.layers.CutMix(seed=1)
        >>> data = {"images": torch.rand(4, 8, 8, 3), "labels": torch.eye(4)}
        >>> out = layer(data, training=True)
        >>> out["labels"].sum(dim=1)
        tensor([1., 1., 1., 1.])

    Args:
        factor: a number ``f`` in ``[0, 1]`` for concentrations in ``[0, f]``,
            or a pair ``(lower, upper)`` (default 1).
        seed: an int for reproducible draws.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    {shapes}
    """

    _CONFIG_KEYS = ("factor", "seed")
    __doc__ = __doc__.replace("{shapes}", SAME_SHAPE_DOC)
    __init__ = image_constructor("factor seed data_format", factor=1.0)

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.factor = factor_range("CutMix", "factor", args.factor, (0, 1))

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"permutation_order", "batch_masks", "mix_weight"}`` (None for a
        single image)."""
        images, batch = self._images_of(data)
        if not training or images.dim() == 3:
            return None
        device = images.device
        alpha = self._uniform((), *self.factor, device, seed) + 1e-6
        weight = self._draw(
            random.beta, (batch,), alpha, alpha, device=device, seed=seed
        )
        ratio = torch.sqrt(1.0 - weight)
        masks, covered = self._random_boxes(data, torch.stack([ratio, ratio], 1), seed)
        order = torch.arange(batch, dtype=torch.int32, device=device)
        order = self._draw(random.shuffle, order, device=device, seed=seed)
        return {
            "permutation_order": order,
            "batch_masks": masks,
            "mix_weight": 1.0 - covered,
        }

    def transform_images(self, images, transformation=None, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        others = images[transformation["permutation_order"].long()]
        return torch.where(transformation["batch_masks"], others, images)

    def transform_labels(self, labels, transformation, training=True):
        if not training or transformation is None:
            return labels
        return mix_pairs(labels, transformation)

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return self.transform_images(masks, transformation, training)
