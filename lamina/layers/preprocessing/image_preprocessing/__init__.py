"""Image preprocessing: resizing, cropping, colour and geometric augmentation."""

from lamina.layers.preprocessing.image_preprocessing.aug_mix import AugMix
from lamina.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from lamina.layers.preprocessing.image_preprocessing.center_crop import CenterCrop
from lamina.layers.preprocessing.image_preprocessing.clahe import (
    ContrastLimitedAdaptiveHistogramEqualization,
)
from lamina.layers.preprocessing.image_preprocessing.cut_mix import CutMix
from lamina.layers.preprocessing.image_preprocessing.equalization import Equalization
from lamina.layers.preprocessing.image_preprocessing.max_num_bounding_boxes import (
    MaxNumBoundingBoxes,
)
from lamina.layers.preprocessing.image_preprocessing.mix_up import MixUp
from lamina.layers.preprocessing.image_preprocessing.rand_augment import RandAugment
from lamina.layers.preprocessing.image_preprocessing.random_brightness import (
    RandomBrightness,
)
from lamina.layers.preprocessing.image_preprocessing.random_color_degeneration import (
    RandomColorDegeneration,
)
from lamina.layers.preprocessing.image_preprocessing.random_color_jitter import (
    RandomColorJitter,
)
from lamina.layers.preprocessing.image_preprocessing.random_contrast import (
    RandomContrast,
)
from lamina.layers.preprocessing.image_preprocessing.random_crop import RandomCrop
from lamina.layers.preprocessing.image_preprocessing.random_elastic_transform import (
    RandomElasticTransform,
)
from lamina.layers.preprocessing.image_preprocessing.random_erasing import RandomErasing
from lamina.layers.preprocessing.image_preprocessing.random_flip import RandomFlip
from lamina.layers.preprocessing.image_preprocessing.random_gaussian_blur import (
    RandomGaussianBlur,
)
from lamina.layers.preprocessing.image_preprocessing.random_grayscale import (
    RandomGrayscale,
)
from lamina.layers.preprocessing.image_preprocessing.random_hue import RandomHue
from lamina.layers.preprocessing.image_preprocessing.random_invert import RandomInvert
from lamina.layers.preprocessing.image_preprocessing.random_perspective import (
    RandomPerspective,
)
from lamina.layers.preprocessing.image_preprocessing.random_posterization import (
    RandomPosterization,
)
from lamina.layers.preprocessing.image_preprocessing.random_rotation import (
    RandomRotation,
)
from lamina.layers.preprocessing.image_preprocessing.random_saturation import (
    RandomSaturation,
)
from lamina.layers.preprocessing.image_preprocessing.random_sharpness import (
    RandomSharpness,
)
from lamina.layers.preprocessing.image_preprocessing.random_shear import RandomShear
from lamina.layers.preprocessing.image_preprocessing.random_translation import (
    RandomTranslation,
)
from lamina.layers.preprocessing.image_preprocessing.random_zoom import RandomZoom
from lamina.layers.preprocessing.image_preprocessing.resizing import Resizing
from lamina.layers.preprocessing.image_preprocessing.solarization import Solarization

__all__ = [
    "AugMix",
    "AutoContrast",
    "CenterCrop",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "MaxNumBoundingBoxes",
    "MixUp",
    "RandAugment",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Resizing",
    "Solarization",
]
