"""`keras.utils.bounding_boxes`: the bounding box helpers of the image
preprocessing layers (`lamina.layers.preprocessing.image_preprocessing.bounding_boxes`)."""

from lamina.layers.preprocessing.image_preprocessing.bounding_boxes import *  # noqa: F403
from lamina.layers.preprocessing.image_preprocessing.bounding_boxes import (  # noqa: F401
    __all__,
)
