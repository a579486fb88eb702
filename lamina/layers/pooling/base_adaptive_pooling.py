"""BaseAdaptivePooling: pooling to a fixed output size, whatever the input size."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.convolutional import conv_utils
from lamina.layers.layer import Layer

ADAPTIVE_MAX = {
    1: F.adaptive_max_pool1d,
    2: F.adaptive_max_pool2d,
    3: F.adaptive_max_pool3d,
}
ADAPTIVE_AVG = {
    1: F.adaptive_avg_pool1d,
    2: F.adaptive_avg_pool2d,
    3: F.adaptive_avg_pool3d,
}


class BaseAdaptivePooling(Layer):
    """Max or average pooling whose windows adapt to give ``output_size``.

    Output cell ``i`` of an axis of input length ``n`` pools input positions
    ``floor(i * n / out)`` to ``ceil((i + 1) * n / out)`` (exclusive), as torch
    and Keras do; windows may overlap or differ in size.

    Args:
        rank: 1, 2 or 3.
        output_size: int or tuple of ``rank`` ints.
        pool_mode: ``"max"`` or ``"average"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    """

    def __init__(
        self, rank: int, output_size, pool_mode: str, data_format=None, **kwargs
    ):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.rank = rank
        self.output_size = conv_utils.normalize_tuple(
            output_size, rank, "output_size", cls
        )
        self.data_format = conv_utils.normalize_data_format(data_format, cls)
        self._channels_last = self.data_format == "channels_last"
        self._pool = (ADAPTIVE_MAX if pool_mode == "max" else ADAPTIVE_AVG)[rank]
        self.built = True  # no weights

    def call(self, inputs):
        if inputs.shape != self._last_checked_shape:
            conv_utils.check_input_rank(
                self, tuple(inputs.shape), self.rank, self.data_format
            )
            self._last_checked_shape = inputs.shape
        x = inputs.movedim(-1, 1) if self._channels_last else inputs
        x = self._pool(x, self.output_size)
        return x.movedim(1, -1) if self._channels_last else x

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        if self._channels_last:
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"output_size": self.output_size, "data_format": self.data_format}
        )
        return config
