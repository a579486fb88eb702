"""`plot_image_gallery`: a grid of images (with labels) drawn with matplotlib."""

from __future__ import annotations

import math

import numpy as np

from lamina.errors import ArgumentError
from lamina.visualization._images import channels_last_batch, to_numpy


def plot_image_gallery(
    images,
    y_true=None,
    y_pred=None,
    label_map: dict | None = None,
    rows: int | None = None,
    cols: int | None = None,
    value_range=(0, 255),
    scale: float = 2,
    path=None,
    show: bool | None = None,
    transparent: bool = True,
    dpi: int = 60,
    legend_handles=None,
    data_format: str | None = None,
):
    """Shows a batch of images in a grid, or saves the grid to ``path``.

    Example:

    ```python
    plot_image_gallery(images, y_true=labels, label_map={0: "cat", 1: "dog"},
                       path="gallery.png")
    ```

    Args:
        images: ``(batch, height, width, channels)`` images.
        y_true: class ids, written over the images as ``Label: <name>``.
        y_pred: predicted ids, written as ``Pred: <name>``.
        label_map: ``{class_id: name}``; needed with ``y_true``/``y_pred``.
        rows: grid rows; by default the square root of the batch, rounded up.
        cols: grid columns; by default the batch over ``rows``.
        value_range: the images' value range, mapped to [0, 255].
        scale: the size of each image, in inches.
        path: a file to save the figure to (then it is not shown).
        show: show the figure (default: when no ``path`` is given).
        transparent: a transparent background for the saved file.
        dpi: the saved file's resolution.
        legend_handles: matplotlib handles for a legend under the grid.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """
    plt = _pyplot()
    if path is not None and show:
        raise ArgumentError(
            "plot_gallery() expects either `path` to be set, or `show` to be true."
        )
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ArgumentError(
            "If `y_true` or `y_pred` are provided, a `label_map` must also be provided."
        )
    show = show if show is not None else path is None
    images, _ = channels_last_batch(images, data_format)
    batch_size = images.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch_size)))
    cols = cols or int(math.ceil(batch_size // rows))
    images = images[: min(rows * cols, batch_size)]
    low, high = value_range
    images = (images.astype("float32") - low) / (high - low) * 255.0
    images = np.clip(images, 0, 255).astype("uint8")
    fig, axes = plt.subplots(
        nrows=rows,
        ncols=cols,
        figsize=(cols * scale, rows * scale),
        frameon=False,
        layout="tight",
        squeeze=False,
        sharex="row",
        sharey="col",
    )
    fig.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    y_true = None if y_true is None else to_numpy(y_true)
    y_pred = None if y_pred is None else to_numpy(y_pred)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(images):
            continue
        image = images[index]
        axis.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray")
        axis.margins(x=0, y=0)
        title = []
        if y_true is not None and index < len(y_true):
            title.append(f"Label: {label_map.get(_key(y_true[index]), 'Unknown')}")
        if y_pred is not None and index < len(y_pred):
            title.append(f"Pred: {label_map.get(_key(y_pred[index]), 'Unknown')}")
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        plt.savefig(
            fname=path,
            pad_inches=0,
            bbox_inches="tight",
            transparent=transparent,
            dpi=dpi,
        )
        plt.close(fig)
    elif show:
        plt.show()
        plt.close(fig)
    return fig


def _key(value):
    return value.item() if hasattr(value, "item") else value


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            "The gallery functions need matplotlib: pip install matplotlib"
        ) from err
    return plt
