"""RandAugment: a few augmentations picked at random for each batch."""

from __future__ import annotations

from lamina import random
from lamina.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    factor_range,
    image_constructor,
)
from lamina.layers.preprocessing.image_preprocessing.equalization import Equalization
from lamina.layers.preprocessing.image_preprocessing.random_brightness import (
    RandomBrightness,
)
from lamina.layers.preprocessing.image_preprocessing.random_color_degeneration import (
    RandomColorDegeneration,
)
from lamina.layers.preprocessing.image_preprocessing.random_contrast import (
    RandomContrast,
)
from lamina.layers.preprocessing.image_preprocessing.random_posterization import (
    RandomPosterization,
)
from lamina.layers.preprocessing.image_preprocessing.random_rotation import (
    RandomRotation,
)
from lamina.layers.preprocessing.image_preprocessing.random_sharpness import (
    RandomSharpness,
)
from lamina.layers.preprocessing.image_preprocessing.random_shear import RandomShear
from lamina.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation,
)
from lamina.layers.preprocessing.image_preprocessing.solarization import Solarization


def augmentation_layers(layer, factor, interpolation="bilinear") -> dict:
    """RandAugment's and AugMix's augmentations, named as in Keras and in
    RandAugment's order, each set up with ``layer``'s value range, seed and
    data format and with strength ``factor`` (a ``(lower, upper)`` pair)."""
    common = {"seed": layer.seed, "data_format": layer.data_format}
    colour = {"value_range": layer.value_range, **common}
    geometric = {"interpolation": interpolation, **common}
    return {
        "random_shear": RandomShear(factor, factor, **geometric),
        "random_translation": RandomTranslation(factor, factor, **geometric),
        "random_rotation": RandomRotation(factor, **geometric),
        "random_brightness": RandomBrightness(factor, **colour),
        "random_color_degeneration": RandomColorDegeneration(factor, **colour),
        "random_contrast": RandomContrast(factor, **colour),
        "random_sharpness": RandomSharpness(factor, **colour),
        "random_posterization": RandomPosterization(
            max(1, int(8 * factor[1])), **colour
        ),
        "solarization": Solarization(factor, factor, **colour),
        "auto_contrast": AutoContrast(layer.value_range, data_format=layer.data_format),
        "equalization": Equalization(layer.value_range, data_format=layer.data_format),
    }


class RandAugment(BaseImagePreprocessingLayer):
    """Applies ``num_ops`` augmentations, each picked at random from eleven,
    to every image of a batch (Cubuk et al., 2019, "RandAugment").

    The eleven are shear, translation, rotation, brightness, colour
    degeneration, contrast, sharpness, posterization, solarization,
    auto-contrast and equalization, each with strength ``factor``; one call
    picks the same operations for the whole batch (with repeats), and draws
    each operation's own parameters per image. Outside training the layer
    returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandAugment(num_ops=2, factor=0.3, seed=0)
        >>> layer(torch.rand(2, 16, 16, 3) * 255, training=True).shape
        torch.Size([2, 16, 16, 3])

    Args:
        num_ops: how many operations each call applies (default 2).
        factor: a number ``f`` in ``[0, 1]`` for strengths in ``[0, f]``, or a
            pair ``(lower, upper)`` (default 0.5).
        interpolation: ``"bilinear"`` (default) or ``"nearest"``, for the
            geometric operations.
        {image_args}
    """

    _CONFIG_KEYS = ("value_range", "num_ops", "factor", "interpolation", "seed")
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "value_range num_ops factor interpolation seed data_format",
        num_ops=2,
        factor=0.5,
        interpolation="bilinear",
    )
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.num_ops = args.num_ops
        self.factor = factor_range("RandAugment", "factor", args.factor, (0, 1))
        self.interpolation = args.interpolation
        self._augmentations = augmentation_layers(self, self.factor, args.interpolation)
        for name, layer in self._augmentations.items():
            setattr(self, name, layer)

    def get_random_transformation(self, data, training=True, seed=None):
        """``{"layer_idxes": (num_ops,), "transforms": {name: transformation}}``:
        every operation draws (as in Keras), the picked ones are applied."""
        if not training:
            return None
        images, _ = self._images_of(data)
        seed = self.generator if seed is None else seed
        picks = self._draw(
            random.randint,
            (self.num_ops,),
            0,
            len(self._augmentations),
            device=images.device,
            seed=seed,
        )
        transforms = {
            name: layer.get_random_transformation(data, training=True, seed=seed)
            for name, layer in self._augmentations.items()
        }
        return {"transforms": transforms, "layer_idxes": picks}

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        return self._apply(images, transformation, "transform_images")

    def transform_segmentation_masks(self, masks, transformation, training=True):
        """Masks follow the picked geometric operations (nearest pixels)."""
        if not training or transformation is None:
            return masks
        return self._apply(masks, transformation, "transform_segmentation_masks")

    def _apply(self, values, transformation, method: str):
        names = list(self._augmentations)
        for index in transformation["layer_idxes"].tolist():
            name = names[index]
            transform = getattr(self._augmentations[name], method)
            values = transform(values, transformation["transforms"][name])
        return values
