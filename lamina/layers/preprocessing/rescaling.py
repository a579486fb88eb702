"""Rescaling: ``inputs * scale + offset``."""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.layers.layer import Layer


class Rescaling(Layer):
    """Multiplies inputs by ``scale`` and adds ``offset`` (in training and inference).

    ``scale=1/255`` maps ``[0, 255]`` images to ``[0, 1]``;
    ``scale=1/127.5, offset=-1`` maps them to ``[-1, 1]``. Integer inputs come
    out as floats. ``scale`` and ``offset`` may be per-channel lists, which
    broadcast against the last axis (against the channel axis of a
    ``(channels, height, width)`` image when the global image data format is
    ``channels_first``, as in Keras).

    Example:
        >>> layer = lamina.layers.Rescaling(1 / 255)
        >>> layer(torch.tensor([[0, 255]])).tolist()
        [[0.0, 1.0]]

    Args:
        scale: a float (or per-channel list), the factor.
        offset: a float (or per-channel list) added after scaling.

    Input shape:
        Any.

    Output shape:
        Same as the input.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        dtype = self._compute_dtype
        scale = self._constant(self.scale, inputs.device)
        offset = self._constant(self.offset, inputs.device)
        return inputs.to(dtype) * scale + offset

    def _constant(self, value, device) -> torch.Tensor | float:
        if isinstance(value, (int, float)):
            return float(value)
        tensor = torch.as_tensor(
            np.asarray(value), dtype=self._compute_dtype, device=device
        )
        if tensor.dim() > 0 and backend.image_data_format() == "channels_first":
            tensor = tensor.reshape(*tensor.shape, *([1] * (3 - tensor.dim())))
        return tensor

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"scale": _plain(self.scale), "offset": _plain(self.offset)})
        return config


def _plain(value):
    """Numbers stay numbers; arrays and tensors become lists (JSON)."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value
