"""Image preprocessing layers: resizing, cropping and random augmentation."""

from lamina.layers.preprocessing.image_preprocessing.center_crop import CenterCrop
from lamina.layers.preprocessing.image_preprocessing.random_brightness import (
    RandomBrightness,
)
from lamina.layers.preprocessing.image_preprocessing.random_contrast import (
    RandomContrast,
)
from lamina.layers.preprocessing.image_preprocessing.random_crop import RandomCrop
from lamina.layers.preprocessing.image_preprocessing.random_flip import RandomFlip
from lamina.layers.preprocessing.image_preprocessing.random_rotation import (
    RandomRotation,
)
from lamina.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation,
)
from lamina.layers.preprocessing.image_preprocessing.random_zoom import RandomZoom
from lamina.layers.preprocessing.image_preprocessing.resizing import Resizing

__all__ = [
    "CenterCrop",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
]
