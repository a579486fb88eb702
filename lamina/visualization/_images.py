"""What the drawing functions share: batches as channels-last numpy arrays."""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError


def to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def channels_last_batch(images, data_format: str | None) -> tuple[np.ndarray, str]:
    """``images`` as a ``(batch, height, width, channels)`` array, and the format."""
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            "`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    images = to_numpy(images)
    if images.ndim != 4:
        raise ShapeError(
            f"`images` must be batched 4D tensor. Received: images.shape={images.shape}"
        )
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    return images, data_format
