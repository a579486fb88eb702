"""Intersection over union of bounding boxes: `compute_iou` and `compute_ciou`."""

from __future__ import annotations

import math

import torch

from lamina import backend
from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.bounding_boxes.converters import (
    convert_format,
)


def _size(image_shape):
    return (None, None) if image_shape is None else tuple(image_shape[:2])


def compute_iou(
    boxes1,
    boxes2,
    bounding_box_format: str,
    use_masking: bool = False,
    mask_val: float = -1,
    image_shape=None,
):
    """The IoU of every box of ``boxes1`` with every box of ``boxes2``.

    Example:

    >>> compute_iou(np.array([[0., 0, 2, 2]]), np.array([[1., 1, 3, 3], [0, 0, 2, 2]]), "xyxy")
    tensor([[0.1429, 1.0000]])

    Args:
        boxes1: ``(m, 4)`` or ``(batch, m, 4)`` boxes.
        boxes2: ``(n, 4)`` or ``(batch, n, 4)`` boxes.
        bounding_box_format: both's format.
        use_masking: give ``mask_val`` to pairs where a box has only negative
            coordinates (padding).
        mask_val: the value of masked pairs.
        image_shape: ``(height, width, channels)``, for relative formats.

    Returns:
        ``(m, n)``, or ``(batch, m, n)`` when either is batched.
    """
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if len(boxes.shape) not in (2, 3):
            raise ArgumentError(
                f"compute_iou() expects {name} to be batched, or to be unbatched. "
                f"Received len({name}.shape)={len(boxes.shape)}. Expected either "
                f"len({name}.shape)=2 or len({name}.shape)=3."
            )
    if "rel" in bounding_box_format and image_shape is None:
        raise ArgumentError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the "
            f"`image_shape` argument must be provided. Received `image_shape`: "
            f"{image_shape}"
        )
    height, width = _size(image_shape)
    a = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    a1, b1 = a.unsqueeze(-2), b.unsqueeze(-3)  # (..., m, 1, 4) and (..., 1, n, 4)
    inter_w = (
        torch.minimum(a1[..., 2], b1[..., 2]) - torch.maximum(a1[..., 0], b1[..., 0])
    ).clamp_min(0)
    inter_h = (
        torch.minimum(a1[..., 3], b1[..., 3]) - torch.maximum(a1[..., 1], b1[..., 1])
    ).clamp_min(0)
    intersection = inter_w * inter_h
    area_a = (a1[..., 2] - a1[..., 0]) * (a1[..., 3] - a1[..., 1])
    area_b = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])
    iou = intersection / (area_a + area_b - intersection + backend.epsilon())
    if not use_masking:
        return iou
    background = (a1.amax(dim=-1) < 0) | (b1.amax(dim=-1) < 0)
    return torch.where(background, torch.full_like(iou, mask_val), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format: str, image_shape=None):
    """Complete IoU of boxes paired one to one: IoU minus the normalized distance
    of the centers and an aspect-ratio term (the CIoU loss's similarity).

    Args:
        boxes1: ``(..., 4)`` boxes.
        boxes2: ``(..., 4)`` boxes, paired with ``boxes1``.
        bounding_box_format: both's format.
        image_shape: ``(height, width, channels)``, for relative formats.

    Returns:
        ``(...)``: one value per pair.
    """
    if "rel" in bounding_box_format and image_shape is None:
        raise ArgumentError(
            "When using relative bounding box formats (e.g. `rel_yxyx`) the "
            f"`image_shape` argument must be provided. Received `image_shape`: "
            f"{image_shape}"
        )
    eps = backend.epsilon()
    height, width = _size(image_shape)
    x1a, y1a, x2a, y2a = convert_format(
        boxes1, bounding_box_format, "xyxy", height, width
    ).unbind(-1)
    x1b, y1b, x2b, y2b = convert_format(
        boxes2, bounding_box_format, "xyxy", height, width
    ).unbind(-1)
    wa, ha = x2a - x1a, y2a - y1a + eps
    wb, hb = x2b - x1b, y2b - y1b + eps
    intersection = (torch.minimum(x2a, x2b) - torch.maximum(x1a, x1b)).clamp_min(0) * (
        torch.minimum(y2a, y2b) - torch.maximum(y1a, y1b)
    ).clamp_min(0)
    union = wa * ha + wb * hb - intersection + eps
    iou = intersection / (union + eps)
    hull_w = torch.maximum(x2a, x2b) - torch.minimum(x1a, x1b)
    hull_h = torch.maximum(y2a, y2b) - torch.minimum(y1a, y1b)
    diagonal = hull_w**2 + hull_h**2 + eps
    distance = ((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + (
        (y1a + y2a) / 2 - (y1b + y2b) / 2
    ) ** 2
    v = (4 / math.pi**2) * (torch.atan(wb / hb) - torch.atan(wa / ha)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (distance / diagonal + v * alpha)
