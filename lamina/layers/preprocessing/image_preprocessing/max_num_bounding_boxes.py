"""MaxNumBoundingBoxes: pad or cut bounding boxes to a fixed number per image."""

from __future__ import annotations

import torch

from lamina.layers.preprocessing.image_preprocessing.base_image_preprocessing import (
    BaseImagePreprocessingLayer,
)


class MaxNumBoundingBoxes(BaseImagePreprocessingLayer):
    """Gives every image of a batch exactly ``max_number`` bounding boxes.

    Called on ``{"images": ..., "bounding_boxes": {"boxes": (batch, n, 4),
    "labels": (batch, n)}}`` (with the layer's ``bounding_box_format`` set),
    it keeps the first ``max_number`` boxes and labels, or pads them with
    ``fill_value``; the images and other entries pass unchanged. This is what
    batching images with different numbers of boxes needs.

    Example:
        >>> layer = lamina.layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")
        >>> boxes = {"boxes": torch.ones(2, 1, 4), "labels": torch.ones(2, 1)}
        >>> out = layer({"images": torch.rand(2, 8, 8, 3), "bounding_boxes": boxes})
        >>> out["bounding_boxes"]["labels"]
        tensor([[ 1., -1., -1.],
                [ 1., -1., -1.]])

    Args:
        max_number: the number of boxes per image.
        fill_value: the value of padded boxes and labels (default -1).
    """

    _CONFIG_KEYS = ("max_number", "fill_value")
    _TRANSFORMS_AT_INFERENCE = True

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)

    def transform_images(self, images, transformation=None, training=True):
        return images

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return masks

    def transform_bounding_boxes(self, bounding_boxes, transformation, training=True):
        boxes = _fit(torch.as_tensor(bounding_boxes["boxes"]), self)
        labels = _fit(torch.as_tensor(bounding_boxes["labels"]), self)
        return {**bounding_boxes, "boxes": boxes, "labels": labels}

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, dict) and "bounding_boxes" in input_shape:
            boxes = dict(input_shape["bounding_boxes"])
            for key in ("boxes", "labels"):
                shape = list(boxes[key])
                shape[1] = self.max_number
                boxes[key] = tuple(shape)
            return {**input_shape, "bounding_boxes": boxes}
        return super().compute_output_shape(input_shape)


def _fit(values: torch.Tensor, layer: MaxNumBoundingBoxes) -> torch.Tensor:
    """``values`` cut or padded (with the layer's fill value) along axis 1."""
    values = values[:, : layer.max_number]
    missing = layer.max_number - values.shape[1]
    if missing > 0:
        padding = values.new_full(
            (values.shape[0], missing, *values.shape[2:]), layer.fill_value
        )
        values = torch.cat([values, padding], dim=1)
    return values
