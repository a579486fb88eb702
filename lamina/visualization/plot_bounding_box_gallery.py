"""`plot_bounding_box_gallery`: images with true and predicted boxes, in a grid."""

from __future__ import annotations

import numpy as np

from lamina.errors import ArgumentError
from lamina.visualization._images import channels_last_batch
from lamina.visualization.draw_bounding_boxes import draw_bounding_boxes
from lamina.visualization.plot_image_gallery import plot_image_gallery


def plot_bounding_box_gallery(
    images,
    bounding_box_format: str,
    y_true=None,
    y_pred=None,
    value_range=(0, 255),
    true_color=(0, 188, 212),
    pred_color=(255, 235, 59),
    line_thickness: int = 2,
    font_scale: float = 1.0,
    text_thickness: int | None = None,
    class_mapping: dict | None = None,
    ground_truth_mapping: dict | None = None,
    prediction_mapping: dict | None = None,
    legend: bool = False,
    legend_handles=None,
    rows: int | None = None,
    cols: int | None = None,
    data_format: str | None = None,
    **kwargs,
):
    """Draws true and predicted boxes on images and shows them in a grid.

    Example:

    ```python
    plot_bounding_box_gallery(images, "xyxy", y_true=boxes, y_pred=predicted,
                              class_mapping={0: "cat"}, legend=True,
                              path="boxes.png")
    ```

    Args:
        images: ``(batch, height, width, channels)`` images.
        bounding_box_format: the boxes' format.
        y_true: ``{"boxes", "labels"}`` drawn in ``true_color``.
        y_pred: ``{"boxes", "labels"[, "confidences"]}`` in ``pred_color``.
        value_range: the images' value range.
        true_color: RGB of the true boxes.
        pred_color: RGB of the predicted boxes.
        line_thickness: the boxes' outline width.
        font_scale: the labels' size.
        text_thickness: the labels' stroke width (``line_thickness`` if None).
        class_mapping: ``{class_id: name}`` for both.
        ground_truth_mapping: names for ``y_true`` (``class_mapping`` if None).
        prediction_mapping: names for ``y_pred`` (``class_mapping`` if None).
        legend: add a legend of the two colors.
        legend_handles: matplotlib handles for the legend instead.
        rows: grid rows.
        cols: grid columns.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: `plot_image_gallery`'s (``path``, ``show``, ``scale``, ...).
    """
    images, _ = channels_last_batch(images, data_format)
    low, high = value_range
    plotted = np.clip((images.astype("float32") - low) / (high - low), 0, 1)

    def draw(drawn, boxes, color, mapping):
        return draw_bounding_boxes(
            drawn,
            boxes,
            bounding_box_format,
            class_mapping=mapping,
            color=color,
            line_thickness=line_thickness,
            text_thickness=text_thickness or line_thickness,
            font_scale=font_scale,
            data_format="channels_last",
        )

    if y_true is not None:
        plotted = draw(
            plotted, y_true, true_color, ground_truth_mapping or class_mapping
        )
    if y_pred is not None:
        plotted = draw(plotted, y_pred, pred_color, prediction_mapping or class_mapping)
    if legend:
        if legend_handles:
            raise ArgumentError(
                "Only pass `legend` OR `legend_handles` to "
                "`lamina.visualization.plot_bounding_box_gallery()`."
            )
        from matplotlib import patches

        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    if plotted.dtype != np.uint8:  # nothing drawn: still in [0, 1]
        plotted = (plotted * 255).astype("uint8")
    return plot_image_gallery(
        plotted,
        value_range=(0, 255),
        legend_handles=legend_handles,
        rows=rows,
        cols=cols,
        data_format="channels_last",
        **kwargs,
    )
