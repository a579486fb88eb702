"""`draw_segmentation_masks`: class masks painted over a batch of images."""

from __future__ import annotations

import numpy as np

from lamina.visualization._images import channels_last_batch, to_numpy


def draw_segmentation_masks(
    images,
    segmentation_masks,
    num_classes: int | None = None,
    color_mapping: dict | None = None,
    alpha: float = 0.8,
    blend: bool = True,
    ignore_index: int = -1,
    data_format: str | None = None,
) -> np.ndarray:
    """Paints each class of a segmentation mask in its color over the images.

    Example:

    >>> images = np.zeros((1, 2, 2, 3), "uint8")
    >>> masks = np.array([[[[0], [1]], [[1], [-1]]]])
    >>> draw_segmentation_masks(images, masks, num_classes=2, alpha=1.0)[0, :, :, 0]
    array([[  0, 255],
           [255,   0]], dtype=uint8)

    Args:
        images: ``(batch, height, width, channels)`` images (channels first
            with ``data_format="channels_first"``).
        segmentation_masks: ``(batch, height, width, 1)`` integer class ids.
        num_classes: the number of classes; by default the largest id plus one.
        color_mapping: ``{class_id: (r, g, b)}``; Keras's palette by default.
        alpha: the colors' opacity when blending.
        blend: blend the colors with the images (uint8 result); otherwise the
            colored images alone (float32), pixels of ``ignore_index`` as they
            were.
        ignore_index: the id of pixels left unpainted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (images and
            masks).

    Returns:
        A numpy array shaped as ``images`` (channels last, or first as given).
    """
    images, data_format = channels_last_batch(images, data_format)
    masks = to_numpy(segmentation_masks)
    if data_format == "channels_first":
        masks = masks.transpose(0, 2, 3, 1)
    if masks.dtype.kind not in "iu":
        raise TypeError(
            "`segmentation_masks` must be in integer dtype. Received: "
            f"segmentation_masks.dtype={masks.dtype}"
        )
    masks = masks[..., 0]
    if num_classes is None:
        num_classes = int(masks.max()) + 1
    if color_mapping is None:
        colors = _palette(num_classes)
    else:
        colors = [color_mapping[i] for i in range(num_classes)]
    images = images.astype("float32")
    painted = images.copy()
    for class_id, color in enumerate(colors):
        painted[masks == class_id] = np.asarray(color, "float32")[: images.shape[-1]]
    if blend:
        mixed = images * (1 - alpha) + painted * alpha
        valid = (masks != ignore_index)[..., None]
        painted = np.where(valid, mixed, images).astype("uint8")
    return painted.transpose(0, 3, 1, 2) if data_format == "channels_first" else painted


def _palette(num_classes: int) -> list[list[int]]:
    """Keras's colors: distinct, repeatable, from three large primes' residues."""
    base = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((i * base) % 255).tolist() for i in range(num_classes)]
