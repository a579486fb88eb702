"""`keras.utils.bounding_boxes`: the bounding box helpers of the image
preprocessing layers (`lamina.layers.preprocessing.image_preprocessing.bounding_boxes`)."""

from lamina.layers.preprocessing.image_preprocessing.bounding_boxes import (
    SUPPORTED_FORMATS,
    affine_transform,
    clip_to_image_size,
    compute_ciou,
    compute_iou,
    convert_format,
    crop,
    decode_deltas_to_boxes,
    encode_box_to_deltas,
    pad,
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
