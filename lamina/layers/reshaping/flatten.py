"""Flatten: collapse every axis but the batch axis into one."""

from __future__ import annotations

import math

from lamina import backend
from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


def standardize_data_format(data_format, layer: str) -> str:
    """``data_format`` or the global default, checked."""
    if data_format is None:
        return backend.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ArgumentError(
            f"{layer}: the `data_format` argument must be one of 'channels_first', "
            f"'channels_last'. Received: data_format={data_format!r}"
        )
    return value


class Flatten(Layer):
    """Flattens the input to ``(batch, -1)``; the batch axis is untouched.

    Example:
        >>> x = lamina.Input(shape=(10, 64))
        >>> lamina.layers.Flatten()(x).shape
        (None, 640)

    Args:
        data_format: ``"channels_last"`` (default) or ``"channels_first"``; with
            ``channels_first`` the channels axis is moved last first, so the
            order of the flattened features is that of a channels-last model.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, ...)``, rank >= 1.

    Output shape:
        ``(batch, product of the other sizes)``.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, "Flatten")
        self.input_spec = InputSpec(min_ndim=1)
        self._channels_first = self.data_format == "channels_first"

    def call(self, inputs):
        if self._channels_first and inputs.dim() > 2:
            inputs = inputs.movedim(1, -1)
        # An explicit size (not -1) keeps an empty batch well defined.
        return inputs.reshape(inputs.shape[0], math.prod(inputs.shape[1:]))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        config = super().get_config()
        config["data_format"] = self.data_format
        return config
