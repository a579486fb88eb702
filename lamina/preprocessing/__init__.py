"""Keras's `keras.preprocessing`: Keras 2's sequence, text and image helpers,
and Keras 3's dataset builders."""

from lamina.preprocessing import image, sequence, text
from lamina.utils.image_dataset_utils import image_dataset_from_directory
from lamina.utils.text_dataset_utils import text_dataset_from_directory
from lamina.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = [
    "image",
    "image_dataset_from_directory",
    "sequence",
    "text",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
]
