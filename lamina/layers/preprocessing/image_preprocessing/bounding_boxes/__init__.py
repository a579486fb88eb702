"""Bounding boxes: format conversions, geometry and IoU (`keras.utils.bounding_boxes`)."""

from lamina.layers.preprocessing.image_preprocessing.bounding_boxes.converters import (
    SUPPORTED_FORMATS,
    affine_transform,
    clip_to_image_size,
    convert_format,
    crop,
    decode_deltas_to_boxes,
    encode_box_to_deltas,
    pad,
)
from lamina.layers.preprocessing.image_preprocessing.bounding_boxes.iou import (
    compute_ciou,
    compute_iou,
)

__all__ = [
    "SUPPORTED_FORMATS",
    "affine_transform",
    "clip_to_image_size",
    "compute_ciou",
    "compute_iou",
    "convert_format",
    "crop",
    "decode_deltas_to_boxes",
    "encode_box_to_deltas",
    "pad",
]
