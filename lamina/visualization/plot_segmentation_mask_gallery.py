"""`plot_segmentation_mask_gallery`: images beside their true and predicted masks."""

from __future__ import annotations

import numpy as np

from lamina.visualization._images import channels_last_batch, to_numpy
from lamina.visualization.draw_segmentation_masks import draw_segmentation_masks
from lamina.visualization.plot_image_gallery import plot_image_gallery


def plot_segmentation_mask_gallery(
    images,
    num_classes: int,
    value_range=(0, 255),
    y_true=None,
    y_pred=None,
    color_mapping: dict | None = None,
    blend: bool = True,
    alpha: float = 0.8,
    ignore_index: int = -1,
    data_format: str | None = None,
    **kwargs,
):
    """One row per image: the image, its true mask and its predicted mask.

    Example:

    ```python
    plot_segmentation_mask_gallery(images, num_classes=3, y_true=masks,
                                   y_pred=predicted, path="masks.png")
    ```

    Args:
        images: ``(batch, height, width, channels)`` images.
        num_classes: the number of classes.
        value_range: the images' value range.
        y_true: ``(batch, height, width, 1)`` true class ids.
        y_pred: ``(batch, height, width, 1)`` predicted class ids.
        color_mapping: ``{class_id: (r, g, b)}``.
        blend: blend the masks with the images.
        alpha: the masks' opacity.
        ignore_index: the id of pixels left unpainted.
        data_format: ``"channels_last"`` or ``"channels_first"`` (images and
            masks).
        **kwargs: `plot_image_gallery`'s (``path``, ``show``, ``scale``, ...).
    """
    images, data_format = channels_last_batch(images, data_format)
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is None:
            continue
        masks = to_numpy(masks).astype("int32")
        if data_format == "channels_first":
            masks = masks.transpose(0, 2, 3, 1)
        columns.append(
            draw_segmentation_masks(
                images,
                masks,
                num_classes=num_classes,
                color_mapping=color_mapping,
                alpha=alpha,
                blend=blend,
                ignore_index=ignore_index,
                data_format="channels_last",
            ).astype(images.dtype)
        )
    gallery = np.stack([column[i] for i in range(len(images)) for column in columns])
    return plot_image_gallery(
        gallery,
        value_range=value_range,
        rows=len(images),
        cols=len(columns),
        data_format="channels_last",
        **kwargs,
    )
