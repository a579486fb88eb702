"""RandomColorJitter: random brightness, contrast, saturation and hue, in turn."""

from __future__ import annotations

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    IMAGE_ARGS_DOC,
    BaseImagePreprocessingLayer,
    image_constructor,
)
from lamina.layers.preprocessing.image_preprocessing.random_brightness import (
    RandomBrightness,
)
from lamina.layers.preprocessing.image_preprocessing.random_contrast import (
    RandomContrast,
)
from lamina.layers.preprocessing.image_preprocessing.random_hue import RandomHue
from lamina.layers.preprocessing.image_preprocessing.random_saturation import (
    RandomSaturation,
)

# The adjustments, in the order they run: (argument, attribute, layer).
_ADJUSTMENTS = (
    ("brightness_factor", "random_brightness", RandomBrightness),
    ("contrast_factor", "random_contrast", RandomContrast),
    ("saturation_factor", "random_saturation", RandomSaturation),
    ("hue_factor", "random_hue", RandomHue),
)


class RandomColorJitter(BaseImagePreprocessingLayer):
    """Adjusts brightness, contrast, saturation and hue at random in training.

    Each factor given makes one adjustment, run in that order with the
    factor's meaning in `RandomBrightness`, `RandomContrast`,
    `RandomSaturation` and `RandomHue`; a factor left None skips its
    adjustment. All draws come from this layer's seed. Outside training the
    layer returns its input (as float).

    Example:
        >>> layer = lamina.layers.RandomColorJitter(
        ...     brightness_factor=0.2, hue_factor=0.1, seed=0
        ... )
        >>> layer(torch.rand(2, 8, 8, 3) * 255, training=True).shape
        torch.Size([2, 8, 8, 3])

    Args:
        brightness_factor: `RandomBrightness`'s ``factor``, or None.
        contrast_factor: `RandomContrast`'s ``factor``, or None.
        saturation_factor: `RandomSaturation`'s ``factor``, or None.
        hue_factor: `RandomHue`'s ``factor``, or None.
        {image_args}
    """

    _CONFIG_KEYS = (
        "value_range",
        "brightness_factor",
        "contrast_factor",
        "saturation_factor",
        "hue_factor",
        "seed",
    )
    __doc__ = __doc__.replace("{image_args}", IMAGE_ARGS_DOC)
    __init__ = image_constructor(
        "value_range brightness_factor contrast_factor saturation_factor "
        "hue_factor seed data_format",
        **{argument: None for argument, _, _ in _ADJUSTMENTS},
    )
    _COLOR_ONLY = True
    _RGB_ONLY = True

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self._adjustments = []
        for argument, attribute, layer_class in _ADJUSTMENTS:
            factor = getattr(args, argument)
            setattr(self, argument, factor)
            layer = None
            if factor is not None:
                layer = layer_class(
                    factor=factor,
                    value_range=self.value_range,
                    seed=self.seed,
                    data_format=self.data_format,
                )
                self._adjustments.append(layer)
            setattr(self, attribute, layer)

    def get_random_transformation(self, data, training=True, seed=None):
        """One transformation per adjustment, all drawn from this layer's seed."""
        if not training:
            return None
        seed = self.generator if seed is None else seed
        return [
            layer.get_random_transformation(data, seed=seed)
            for layer in self._adjustments
        ]

    def transform_images(self, images, transformation, training=True):
        images = self._as_float(images)
        if not training or transformation is None:
            return images
        for layer, layer_transformation in zip(self._adjustments, transformation):
            images = layer.transform_images(images, layer_transformation)
        return images
