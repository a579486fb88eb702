"""Keras 2's `keras.preprocessing.image`: `ImageDataGenerator` and its iterators.

The generator draws its random transforms from numpy's global generator in
the same order as Keras, so a seeded run draws the same parameters. The
affine warp is computed here in numpy (bilinear or nearest sampling with
scipy.ndimage's boundary rules), so scipy is not needed.
"""

from lamina.preprocessing.image.affine_transforms import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
)
from lamina.preprocessing.image.image_data_generator import ImageDataGenerator
from lamina.preprocessing.image.iterators import (
    DirectoryIterator,
    Iterator,
    NumpyArrayIterator,
)
from lamina.utils.image_utils import (
    array_to_img,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)

__all__ = [
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
    "smart_resize",
]
