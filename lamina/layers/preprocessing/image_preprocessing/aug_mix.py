"""AugMix: mix several chains of random augmentations with the original."""

from __future__ import annotations

import random as python_random

import torch

from lamina import random
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)
from lamina.layers.preprocessing.image_preprocessing.rand_augment import (
    augmentation_layers,
)

# The augmentations without colour changes that could mimic test-set
# corruptions (AugMix's paper leaves brightness, colour, contrast and
# sharpness out; ``all_ops=True`` puts them back).
_BASIC = (
    "random_shear random_translation random_rotation random_posterization "
    "solarization auto_contrast equalization"
).split()
_ALL = (
    _BASIC
    + (
        "random_brightness random_color_degeneration random_contrast random_sharpness"
    ).split()
)


class AugMix(BaseImagePreprocessingLayer):
    """Mixes ``num_chains`` randomly augmented copies of each batch with the
    batch itself (Hendrycks et al., 2020, "AugMix").

    Each chain applies up to ``chain_depth`` augmentations picked at random
    (Python's `random`, as in Keras) from shear, translation, rotation,
    posterization, solarization, auto-contrast and equalization (and
    brightness, colour, contrast and sharpness with ``all_ops``), each of
    strength ``factor``. The chains are averaged with Dirichlet(``alpha``)
    weights and blended with the input by a Beta(``alpha``, ``alpha``) weight;
    the result is clipped to ``value_range``. Outside training the layer
    returns its input (as float).

    Example:
        >>> layer = lamina.layers.AugMix(seed=0)
        >>> layer(torch.rand(2, 16, 16, 3) * 255, training=True).shape
        torch.Size([2, 16, 16, 3])

    Args:
        num_chains: how many augmented copies are mixed (default 3).
        chain_depth: the most augmentations in a chain (default 3).
        factor: a number ``f`` in ``[0, 1]`` for strengths in ``[0, f]``, or a
            pair ``(lower, upper)`` (default 0.3).
        alpha: the concentration of the mixing weights (default 1).
        all_ops: whether the colour augmentations take part (default True).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``, for the
            geometric augmentations.
        {image_args}
    """

    _CONFIG_KEYS = (
        "value_range",
        "num_chains",
        "chain_depth",
        "factor",
        "alpha",
        "all_ops",
        "interpolation",
        "seed",
    )
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "value_range num_chains chain_depth factor alpha all_ops interpolation "
        "seed data_format",
        num_chains=3,
        chain_depth=3,
        factor=0.3,
        alpha=1.0,
        all_ops=True,
        interpolation="bilinear",
    )
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.num_chains = args.num_chains
        self.chain_depth = args.chain_depth
        self.factor = factor_range("AugMix", "factor", args.factor, (0, 1))
        self.alpha = args.alpha
        self.all_ops = args.all_ops
        self.interpolation = args.interpolation
        augmentations = augmentation_layers(self, self.factor, args.interpolation)
        self._names = _ALL if args.all_ops else _BASIC
        self._augmentations = {name: augmentations[name] for name in self._names}
        for name, layer in self._augmentations.items():
            setattr(self, name, layer)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"chain_mixing_weights", "weight_sample", "chain_transforms"}``,
        the last a list per chain of ``{"layer_name", "transformation"}``."""
        if not training:
            return None
        images, _ = self._images_of(data)
        seed = self.generator if seed is None else seed
        device = images.device
        gammas = self._draw(
            random.gamma, (self.num_chains,), self.alpha, device=device, seed=seed
        )
        weight = self._draw(
            random.beta, (), self.alpha, self.alpha, device=device, seed=seed
        )
        chains = []
        for _ in range(self.num_chains):
            chain = []
            for _ in range(self.chain_depth):
                name = python_random.choice([*self._names, None])
                if name is not None:
                    layer = self._augmentations[name]
                    transformation = layer.get_random_transformation(data, seed=seed)
                    chain.append({"layer_name": name, "transformation": transformation})
            chains.append(chain)
        return {
            "chain_mixing_weights": gammas / gammas.sum(dim=-1, keepdim=True),
            "weight_sample": weight,
            "chain_transforms": chains,
        }

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        weights = transformation["chain_mixing_weights"].to(images.dtype)
        mixed = torch.zeros_like(images)
        for weight, chain in zip(weights, transformation["chain_transforms"]):
            augmented = images
            for step in chain:
                layer = self._augmentations[step["layer_name"]]
                augmented = layer.transform_images(augmented, step["transformation"])
            mixed = mixed + augmented * weight
        blend = transformation["weight_sample"].to(images.dtype)
        images = blend * images + (1 - blend) * mixed
        return images.clamp(self.value_range[0], self.value_range[1])
