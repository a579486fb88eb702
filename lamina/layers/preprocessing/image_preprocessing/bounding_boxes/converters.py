"""Bounding box formats and geometry, on torch tensors (Keras's converters).

Formats (case-insensitive): ``"xyxy"`` (left, top, right, bottom), ``"yxyx"``,
``"xywh"`` (left, top, width, height), ``"center_xywh"``, ``"center_yxhw"``,
and ``"rel_xyxy"``, ``"rel_yxyx"``, ``"rel_xywh"``, ``"rel_center_xywh"``:
the same as fractions of the image's width and height. Boxes are ``(..., 4)``
tensors or arrays, or a dict whose ``"boxes"`` entry is one.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def _tensor(x, dtype=None) -> torch.Tensor:
    t = x if isinstance(x, torch.Tensor) else torch.as_tensor(np.array(x))
    return t if dtype is None else t.to(backend.to_torch_dtype(dtype))


# Each format <-> xyxy, on the four coordinates (a, b, c, d) and the image size.
def _to_xyxy(fmt, a, b, c, d, h, w):
    if fmt == "xyxy":
        return a, b, c, d
    if fmt == "yxyx":
        return b, a, d, c
    if fmt == "xywh":
        return a, b, a + c, b + d
    if fmt == "center_xywh":
        return a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    if fmt == "center_yxhw":
        return b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0
    x1, y1, x2, y2 = _to_xyxy(fmt[len("rel_") :], a, b, c, d, h, w)
    return x1 * w, y1 * h, x2 * w, y2 * h


def _from_xyxy(fmt, x1, y1, x2, y2, h, w):
    if fmt.startswith("rel_"):
        return _from_xyxy(fmt[len("rel_") :], x1 / w, y1 / h, x2 / w, y2 / h, h, w)
    if fmt == "xyxy":
        return x1, y1, x2, y2
    if fmt == "yxyx":
        return y1, x1, y2, x2
    if fmt == "xywh":
        return x1, y1, x2 - x1, y2 - y1
    cx, cy = x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0
    if fmt == "center_xywh":
        return cx, cy, x2 - x1, y2 - y1
    return cy, cx, y2 - y1, x2 - x1  # center_yxhw


def convert_format(
    boxes, source: str, target: str, height=None, width=None, dtype="float32"
):
    """Converts bounding boxes from one format to another.

    Example:

    >>> boxes = np.array([[10, 20, 30, 40], [50, 60, 70, 80]])
    >>> convert_format(boxes, source="xyxy", target="xywh")
    tensor([[10., 20., 20., 20.],
            [50., 60., 20., 20.]])

    Args:
        boxes: ``(..., 4)`` boxes, or a dict with them under ``"boxes"``
            (returned as a new dict with the boxes converted).
        source: the boxes' format.
        target: the format wanted.
        height: the image height (needed with a relative format).
        width: the image width (needed with a relative format).
        dtype: the result's dtype.
    """
    if isinstance(boxes, dict):
        converted = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return {**boxes, "boxes": converted}
    boxes = _tensor(boxes, dtype)
    if boxes.shape[-1] != 4:
        raise ArgumentError(
            "`boxes` must be a tensor with the last dimension of 4. Received: "
            f"boxes.shape={tuple(boxes.shape)}"
        )
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ArgumentError(
            f"Invalid source or target format. Supported formats: {SUPPORTED_FORMATS}"
        )
    if (source.startswith("rel_") or target.startswith("rel_")) and (
        width is None or height is None
    ):
        raise ArgumentError(
            "convert_format() must receive `height` and `width` transforming "
            f"between relative and absolute formats. convert_format() received "
            f"source=`{source}`, target=`{target}, but height={height} and "
            f"width={width}."
        )
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[len("rel_") :], target[len("rel_") :]
    h = None if height is None else float(height)
    w = None if width is None else float(width)
    xyxy = _to_xyxy(source, *boxes.unbind(-1), h, w)
    return torch.stack(_from_xyxy(target, *xyxy, h, w), dim=-1)


def clip_to_image_size(
    bounding_boxes: dict, height=None, width=None, bounding_box_format="xyxy"
) -> dict:
    """Clips boxes to the image; labels of boxes left with no area become -1.

    Example:

    >>> boxes = {"boxes": np.array([[-10, -20, 150, 160], [50, 40, 50, 80]]),
    ...          "labels": np.array([0, 1])}
    >>> clipped = clip_to_image_size(boxes, height=100, width=120)
    >>> clipped["boxes"].tolist(), clipped["labels"].tolist()
    ([[0, 0, 120, 100], [50, 40, 50, 80]], [0, -1])

    Args:
        bounding_boxes: ``{"boxes": (..., 4), "labels": (...)}`` (labels
            optional).
        height: the image height (for ``"xyxy"``).
        width: the image width (for ``"xyxy"``).
        bounding_box_format: ``"xyxy"`` or ``"rel_xyxy"``.
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            "clip_to_image_size() takes 'xyxy' or 'rel_xyxy' boxes (convert them "
            "with convert_format first)."
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ArgumentError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = _tensor(bounding_boxes["boxes"])
    w, h = (1.0, 1.0) if bounding_box_format == "rel_xyxy" else (width, height)
    x1, y1, x2, y2 = boxes.unbind(-1)
    clipped = torch.stack(
        [x1.clamp(0, w), y1.clamp(0, h), x2.clamp(0, w), y2.clamp(0, h)], dim=-1
    ).to(boxes.dtype)
    result = dict(bounding_boxes)
    result["boxes"] = clipped
    if bounding_boxes.get("labels") is not None:
        labels = _tensor(bounding_boxes["labels"])
        area = (clipped[..., 2] - clipped[..., 0]) * (clipped[..., 3] - clipped[..., 1])
        result["labels"] = torch.where(area > 0, labels, torch.full_like(labels, -1))
    return result


def _check_xyxy(bounding_box_format: str, who: str) -> None:
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"{who}() takes 'xyxy' boxes (convert them with convert_format first)."
        )


def affine_transform(
    boxes,
    angle,
    translate_x,
    translate_y,
    scale,
    shear_x,
    shear_y,
    height,
    width,
    center_x=None,
    center_y=None,
    bounding_box_format="xyxy",
):
    """The boxes around the corners of ``(batch, n, 4)`` boxes moved by an
    affine transform per image (the one Keras's random affine layers apply).

    Args:
        boxes: ``(batch, n, 4)`` boxes.
        angle: ``(batch,)`` rotation angles, degrees.
        translate_x: ``(batch,)`` horizontal shifts, fractions of the width.
        translate_y: ``(batch,)`` vertical shifts, fractions of the height.
        scale: ``(batch,)`` zoom factors.
        shear_x: ``(batch,)`` horizontal shear angles, degrees.
        shear_y: ``(batch,)`` vertical shear angles, degrees.
        height: the image height.
        width: the image width.
        center_x: the transform's center, a fraction of the width (0.5).
        center_y: the transform's center, a fraction of the height (0.5).
        bounding_box_format: ``"xyxy"``.
    """
    _check_xyxy(bounding_box_format, "affine_transform")
    angle = _tensor(angle)
    dtype = angle.dtype if angle.is_floating_point() else torch.float32
    angle, translate_x, translate_y, scale, shear_x, shear_y = (
        _tensor(v).to(dtype)
        for v in (angle, translate_x, translate_y, scale, shear_x, shear_y)
    )
    cx = (0.5 if center_x is None else center_x) * (width - 1)
    cy = (0.5 if center_y is None else center_y) * (height - 1)
    # The inverse of the image transform, as Keras builds it.
    rot = -angle * (math.pi / 180.0)
    sx, sy = -shear_x * (math.pi / 180.0), -shear_y * (math.pi / 180.0)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = a * torch.tan(sx) + torch.sin(rot)
    c = -torch.sin(rot - sy) / torch.cos(sy)
    d = torch.cos(rot) - c * torch.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    matrix = torch.stack([a0, a1, a2, b0, b1, b2], dim=-1).reshape(-1, 2, 3)
    boxes = _tensor(boxes).to(dtype)
    x1, y1, x2, y2 = boxes.unbind(-1)
    corners = torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1).reshape(
        *boxes.shape[:-1], 4, 2
    )
    corners = torch.cat([corners, torch.ones_like(corners[..., :1])], dim=-1)
    moved = torch.einsum("bnxy,bzy->bnxz", corners, matrix)
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes in the frame of a crop ``(top, left, height, width)``, clipped to it.

    Example:

    >>> crop(np.array([[10., 20, 50, 60]]), top=10, left=20, height=40, width=30)
    tensor([[ 0., 10., 30., 40.]])
    """
    _check_xyxy(bounding_box_format, "crop")
    x1, y1, x2, y2 = _tensor(boxes).unbind(-1)
    return torch.stack(
        [
            (x1 - left).clamp(0, width),
            (y1 - top).clamp(0, height),
            (x2 - left).clamp(0, width),
            (y2 - top).clamp(0, height),
        ],
        dim=-1,
    )


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes in the frame of an image padded by ``top`` and ``left`` pixels.

    Example:

    >>> pad(np.array([[10., 20, 50, 60]]), top=5, left=1)
    tensor([[11., 25., 51., 65.]])
    """
    _check_xyxy(bounding_box_format, "pad")
    x1, y1, x2, y2 = _tensor(boxes).unbind(-1)
    return torch.stack([x1 + left, y1 + top, x2 + left, y2 + top], dim=-1)


def _variance(variance) -> torch.Tensor | None:
    if variance is None:
        return None
    variance = _tensor(variance, "float32")
    if variance.shape[-1] != 4:
        raise ArgumentError(f"`variance` must be length 4, got {variance}")
    return variance


def _check_encoding(encoding: str, name: str) -> None:
    if encoding not in ("center_xywh", "center_yxhw"):
        raise ArgumentError(
            f"`{name}` should be one of 'center_xywh' or 'center_yxhw', got {encoding}"
        )


def encode_box_to_deltas(
    anchors,
    boxes,
    anchor_format: str,
    box_format: str,
    encoding_format: str = "center_yxhw",
    variance=None,
    image_shape=None,
):
    """Boxes as offsets from anchors: center shifts over anchor sizes, log size ratios.

    Args:
        anchors: ``(n, 4)`` anchor boxes.
        boxes: ``(n, 4)`` or ``(batch, n, 4)`` boxes.
        anchor_format: the anchors' format.
        box_format: the boxes' format.
        encoding_format: ``"center_yxhw"`` or ``"center_xywh"``.
        variance: four factors the deltas are divided by.
        image_shape: ``(height, width, channels)``, for relative formats.
    """
    variance = _variance(variance)
    _check_encoding(encoding_format, "encoding_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_sizes = anchors[..., 2:].clamp_min(backend.epsilon())
    box_sizes = boxes[..., 2:].clamp_min(backend.epsilon())
    deltas = torch.cat(
        [
            (boxes[..., :2] - anchors[..., :2]) / anchor_sizes,
            torch.log(box_sizes / anchor_sizes),
        ],
        dim=-1,
    )
    return deltas if variance is None else deltas / variance.to(deltas.device)


def decode_deltas_to_boxes(
    anchors,
    boxes_delta,
    anchor_format: str,
    box_format: str,
    encoded_format: str = "center_yxhw",
    variance=None,
    image_shape=None,
):
    """The boxes that deltas (from `encode_box_to_deltas`) describe.

    Args:
        anchors: ``(n, 4)`` anchors, or a dict of them per feature level.
        boxes_delta: deltas shaped as ``anchors`` (with a batch axis or not),
            or a dict like ``anchors``.
        anchor_format: the anchors' format.
        box_format: the format of the boxes returned.
        encoded_format: ``"center_yxhw"`` or ``"center_xywh"``.
        variance: four factors the deltas are multiplied by.
        image_shape: ``(height, width, channels)``, for relative formats.
    """
    variance = _variance(variance)
    _check_encoding(encoded_format, "encoded_format")
    height, width = (None, None) if image_shape is None else image_shape[:2]

    def decode(anchor: Any, delta: Any) -> torch.Tensor:
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = _tensor(delta, "float32")
        if variance is not None:
            delta = delta * variance.to(delta.device)
        box = torch.cat(
            [
                delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                torch.exp(delta[..., 2:]) * anchor[..., 2:],
            ],
            dim=-1,
        )
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(a, boxes_delta[level]) for level, a in anchors.items()}
    return decode(anchors, boxes_delta)
