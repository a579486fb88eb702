"""BaseGlobalPooling: what the global max/average pooling layers share."""

from __future__ import annotations

import torch

from lamina.layers.convolutional import conv_utils, rank_docs
from lamina.layers.layer import Layer

# Per mode: the class name's start, the word for the result, the reduction.
_MODES = {
    "max": ("GlobalMaxPooling", "maximum", torch.amax),
    "average": ("GlobalAveragePooling", "mean", torch.mean),
}
# Per rank: the docstring example's input and output shapes.
_EXAMPLES = {
    1: ("4, 10, 8", "4, 8"),
    2: ("4, 28, 28, 3", "4, 3"),
    3: ("2, 6, 8, 8, 3", "2, 3"),
}


def docstring(rank: int, pool_mode: str, call_args=()) -> str:
    """The docstring of ``GlobalMaxPooling{rank}D`` or ``GlobalAveragePooling{rank}D``."""
    name, result, _ = _MODES[pool_mode]
    return rank_docs.docstring(
        rank,
        f"Global {result} pooling over the {{axes}} of {{rank}}-D data.",
        "",
        (f"{name}{rank}D()", *_EXAMPLES[rank]),
        [
            ("data_format", rank_docs.DATA_FORMAT_DOC),
            ("keepdims", "keep the spatial axes, with size 1."),
        ],
        "{ndim}-D ``(batch, {axes}, channels)`` (channels_first: channels second).",
        "``(batch, channels)``; with ``keepdims`` the spatial axes stay, as 1.",
        call_args,
    )


class BaseGlobalPooling(Layer):
    """Reduce all spatial axes with a max or a mean (private base).

    A subclass sets ``rank`` (1, 2 or 3, the number of spatial axes) and
    ``pool_mode`` (``"max"`` or ``"average"``); the arguments are documented
    in `docstring`.
    """

    rank: int
    pool_mode: str

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        legacy = conv_utils.keras_1_arguments(type(self).__name__, kwargs)
        data_format = legacy.pop("data_format", data_format)
        kwargs.update(legacy)
        super().__init__(**kwargs)
        self.data_format = conv_utils.normalize_data_format(
            data_format, type(self).__name__
        )
        self.keepdims = bool(keepdims)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + self.rank))
        self._reduce = _MODES[self.pool_mode][2]
        self.built = True  # no weights

    def call(self, inputs):
        self._check(inputs)
        return self._reduce(inputs, dim=self._axes, keepdim=self.keepdims)

    def _check(self, inputs) -> None:
        if inputs.shape != self._last_checked_shape:
            conv_utils.check_input_rank(
                self, tuple(inputs.shape), self.rank, self.data_format
            )
            self._last_checked_shape = inputs.shape

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        if self.data_format == "channels_last":
            if self.keepdims:
                return (input_shape[0], *(1,) * self.rank, input_shape[-1])
            return (input_shape[0], input_shape[-1])
        if self.keepdims:
            return (input_shape[0], input_shape[1], *(1,) * self.rank)
        return (input_shape[0], input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
