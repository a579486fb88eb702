"""BaseAdaptivePooling: pooling to a fixed output size, whatever the input size."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.convolutional import conv_utils, rank_docs
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


# Per mode: the class name's start and torch's functions, by rank.
_MODES = {
    "max": ("AdaptiveMaxPooling", ADAPTIVE_MAX),
    "average": ("AdaptiveAveragePooling", ADAPTIVE_AVG),
}
# Per rank: the docstring example's input and output shapes (``output_size=3``).
_EXAMPLES = {
    1: ("4, 10, 8", "4, 3, 8"),
    2: ("4, 28, 28, 3", "4, 3, 3, 3"),
    3: ("2, 6, 8, 8, 3", "2, 3, 3, 3, 3"),
}


def docstring(rank: int, pool_mode: str) -> str:
    """The docstring of ``AdaptiveMaxPooling{rank}D`` or ``AdaptiveAveragePooling{rank}D``."""
    name = _MODES[pool_mode][0]
    return rank_docs.docstring(
        rank,
        f"Adaptive {{rank}}-D {pool_mode} pooling: the output has ``output_size`` "
        "whatever the input.",
        "Output cell ``i`` of an axis of input length ``n`` pools positions "
        "``floor(i * n / out)`` up to ``ceil((i + 1) * n / out)``.",
        (f"{name}{rank}D(3)", *_EXAMPLES[rank]),
        [
            (
                "output_size",
                "int or tuple of {rank} positive ints, the output's ({axes}).",
            ),
            ("data_format", rank_docs.DATA_FORMAT_DOC),
        ],
        "{ndim}-D ``(batch, {axes}, channels)`` (channels_first: channels second).",
        "{ndim}-D ``(batch, *output_size, channels)`` (channels_first: channels "
        "second).",
    )


class BaseAdaptivePooling(Layer):
    """Max or average pooling whose windows adapt to give ``output_size``.

    Output cell ``i`` of an axis of input length ``n`` pools input positions
    ``floor(i * n / out)`` to ``ceil((i + 1) * n / out)`` (exclusive), as torch
    and Keras do; windows may overlap or differ in size. A subclass sets
    ``rank`` (1, 2 or 3) and ``pool_mode`` (``"max"`` or ``"average"``); the
    arguments are documented in `docstring`.
    """

    rank: int
    pool_mode: str

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.output_size = conv_utils.normalize_tuple(
            output_size, self.rank, "output_size", cls
        )
        self.data_format = conv_utils.normalize_data_format(data_format, cls)
        self._channels_last = self.data_format == "channels_last"
        self._pool = _MODES[self.pool_mode][1][self.rank]
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
