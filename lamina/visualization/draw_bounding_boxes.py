"""`draw_bounding_boxes`: boxes (and class names) drawn onto a batch of images."""

from __future__ import annotations

import numpy as np

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.image_preprocessing.bounding_boxes import (
    convert_format,
)
from lamina.visualization._images import channels_last_batch, to_numpy


def draw_bounding_boxes(
    images,
    bounding_boxes: dict,
    bounding_box_format: str,
    class_mapping: dict | None = None,
    color=(128, 128, 128),
    line_thickness: int = 2,
    text_thickness: int = 1,
    font_scale: float = 1.0,
    data_format: str | None = None,
) -> np.ndarray:
    """Draws bounding boxes, with class names, on a batch of images.

    Drawn with Pillow (Keras uses OpenCV): each box is an outline
    ``line_thickness`` pixels wide inside its corners; boxes labelled -1
    (padding) are skipped; with ``class_mapping``, the class name (and the
    confidence, when given) is written above the box, or inside it at the top
    of the image.

    Example:

    >>> images = np.zeros((1, 16, 16, 3), "uint8")
    >>> boxes = {"boxes": np.array([[[2, 2, 10, 10]]]), "labels": np.array([[0]])}
    >>> drawn = draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0))
    >>> drawn.shape, drawn[0, 2, 5].tolist(), drawn[0, 6, 6].tolist()
    ((1, 16, 16, 3), [255, 0, 0], [0, 0, 0])

    Args:
        images: ``(batch, height, width, channels)`` images (channels first
            with ``data_format="channels_first"``); floats in [0, 1] or [0,
            255], or integers in [0, 255].
        bounding_boxes: ``{"boxes": (batch, n, 4), "labels": (batch, n)}``,
            and optionally ``"confidences": (batch, n)``.
        bounding_box_format: the boxes' format (see
            `lamina.utils.bounding_boxes.convert_format`).
        class_mapping: ``{class_id: name}`` for the labels written.
        color: the RGB color of boxes and text.
        line_thickness: the width of the box outlines, in pixels.
        text_thickness: the stroke width of the text.
        font_scale: the text's size, relative to a 12-pixel font.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Returns:
        A uint8 numpy array shaped as ``images``.
    """
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as err:
        raise ImportError(
            "draw_bounding_boxes() draws with Pillow: pip install pillow"
        ) from err
    class_mapping = class_mapping or {}
    images, data_format = channels_last_batch(images, data_format)
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            "`bounding_boxes` should be a dict. Received: "
            f"bounding_boxes={bounding_boxes} of type {type(bounding_boxes)}"
        )
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ArgumentError(
            "`bounding_boxes` should be a dict containing 'boxes' and 'labels' "
            f"keys. Received: bounding_boxes={bounding_boxes}"
        )
    height, width = images.shape[1:3]
    boxes = to_numpy(
        convert_format(
            bounding_boxes["boxes"], bounding_box_format, "xyxy", height, width
        )
    )
    labels = to_numpy(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else to_numpy(confidences)
    images = _as_uint8(images)
    color = tuple(int(c) for c in color)
    font = _font(ImageFont, font_scale)
    result = []
    for i, image in enumerate(images):
        gray = image.shape[-1] == 1
        canvas = Image.fromarray(image[..., 0] if gray else image)
        fill = color[0] if gray else color
        draw = ImageDraw.Draw(canvas)
        for j, box in enumerate(boxes[i]):
            label = int(labels[i][j])
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box.astype("int32"))
            draw.rectangle(
                (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)),
                outline=fill,
                width=max(1, int(line_thickness)),
            )
            if label in class_mapping:
                text = str(class_mapping[label])
                if confidences is not None:
                    text = f"{text} | {float(confidences[i][j]):.2f}"
                draw.text(
                    _text_location(x1, y1, font_scale, text_thickness),
                    text,
                    fill=fill,
                    font=font,
                    stroke_width=max(0, int(text_thickness or 1) - 1),
                    stroke_fill=fill,
                )
        drawn = np.asarray(canvas)
        result.append(drawn[..., None] if gray else drawn)
    out = np.stack(result, axis=0)
    return out.transpose(0, 3, 1, 2) if data_format == "channels_first" else out


def _as_uint8(images: np.ndarray) -> np.ndarray:
    """Keras's rule: floats up to 1 are scaled by 255, others clipped to [0, 255]."""
    if images.dtype.kind == "f" and images.size > 0:
        if images.max() <= 1.0:
            images = np.clip(images, 0, 1) * 255
        else:
            images = np.clip(images, 0, 255)
    return np.ascontiguousarray(images.astype("uint8"))


def _font(image_font, font_scale: float):
    size = max(6, int(round(12 * font_scale)))
    try:
        return image_font.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has one size
        return image_font.load_default()


def _text_location(x: int, y: int, font_scale: float, thickness: int):
    """Above the box, or inside it when the box touches the top (Keras's rule)."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8 - font_height
    return x + 3, y + font_height + (thickness or 1) + 3
