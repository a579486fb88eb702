"""BasePooling: what the max and average pooling layers (1-D, 2-D, 3-D) share."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina.layers.convolutional import conv_utils, rank_docs
from lamina.layers.layer import Layer

MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


# Per mode: the class name's start, what a window gives, and what to add.
_MODES = {
    "max": ("MaxPooling", "maximum", ""),
    "average": (
        "AveragePooling",
        "average",
        'With ``padding="same"`` each window\'s average is over its real '
        "elements only (padding is not counted), as in Keras with TensorFlow.",
    ),
}
# Per rank: the docstring example's input and output shapes (``pool_size=2``).
_EXAMPLES = {
    1: ("4, 10, 8", "4, 5, 8"),
    2: ("4, 28, 28, 3", "4, 14, 14, 3"),
    3: ("2, 6, 8, 8, 3", "2, 3, 4, 4, 3"),
}


def docstring(rank: int, pool_mode: str) -> str:
    """The docstring of ``MaxPooling{rank}D`` or ``AveragePooling{rank}D``."""
    name, result, description = _MODES[pool_mode]
    return rank_docs.docstring(
        rank,
        f"{{rank}}-D {result} pooling: the {result} of each ``pool_size`` window.",
        description,
        (f"{name}{rank}D(2)", *_EXAMPLES[rank]),
        [
            ("pool_size", "int or tuple of {rank} ints, the window size (2)."),
            (
                "strides",
                "int or tuple of {rank} ints; ``None`` (default) means ``pool_size``.",
            ),
            (
                "padding",
                '``"valid"`` (windows inside the input) or ``"same"`` (output '
                "size ``ceil(size / strides)``, extra padding at the end).",
            ),
            ("data_format", rank_docs.DATA_FORMAT_DOC),
        ],
        "{ndim}-D ``(batch, {axes}, channels)`` (channels_first: channels second).",
        "{ndim}-D ``(batch, {new_axes}, channels)`` (channels_first: channels second).",
    )


class BasePooling(Layer):
    """Max or average pooling over ``rank`` spatial axes (private base).

    Channels-last inputs go to torch as a permuted view (torch's channels_last
    memory format, which its pooling kernels handle natively), so nothing is
    copied. ``"same"`` padding is TensorFlow's (extra at the end); padded
    positions never win a max and are not counted in an average: the average
    divides by the number of real elements in each window.

    A subclass sets ``rank`` (1, 2 or 3) and ``pool_mode`` (``"max"`` or
    ``"average"``); the arguments are documented in `docstring`.
    """

    rank: int
    pool_mode: str

    def __init__(
        self,
        pool_size=2,
        strides=None,
        padding="valid",
        data_format=None,
        name=None,
        **kwargs,
    ):
        legacy = conv_utils.keras_1_arguments(type(self).__name__, kwargs)
        pool_size = legacy.pop("pool_size", pool_size)
        strides = legacy.pop("strides", strides)
        padding = legacy.pop("padding", padding)
        data_format = legacy.pop("data_format", data_format)
        kwargs.update(legacy)  # anything left is not a pooling argument
        super().__init__(name=name, **kwargs)
        cls, rank = type(self).__name__, self.rank
        self.pool_size = conv_utils.normalize_tuple(pool_size, rank, "pool_size", cls)
        self.strides = (
            self.pool_size
            if strides is None
            else conv_utils.normalize_tuple(strides, rank, "strides", cls)
        )
        self.padding = conv_utils.normalize_padding(padding, cls)
        self.data_format = conv_utils.normalize_data_format(data_format, cls)
        self._channels_last = self.data_format == "channels_last"
        self._divisors: dict = {}
        self.built = True  # no weights: shapes are checked on each new input shape

    def _check_shape(self, input_shape) -> None:
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        if self.padding == "valid":
            conv_utils.check_window_fits(
                self, input_shape, self.pool_size, self.data_format, what="pool window"
            )

    def call(self, inputs):
        if inputs.shape != self._last_checked_shape:
            self._check_shape(tuple(inputs.shape))
            self._last_checked_shape = inputs.shape
        x = inputs.movedim(-1, 1) if self._channels_last else inputs
        x = self._max(x) if self.pool_mode == "max" else self._average(x)
        return x.movedim(1, -1) if self._channels_last else x

    def _max(self, x: torch.Tensor) -> torch.Tensor:
        padding = 0
        if self.padding == "same":
            ones = (1,) * self.rank
            x, padding = conv_utils.pad_for_same(
                x, self.pool_size, self.strides, ones, value=-math.inf
            )
        return MAX_POOL[self.rank](x, self.pool_size, self.strides, padding)

    def _average(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding == "valid":
            return AVG_POOL[self.rank](x, self.pool_size, self.strides, 0)
        ones = (1,) * self.rank
        padded, padding = conv_utils.pad_for_same(x, self.pool_size, self.strides, ones)
        if padded is x:  # even padding: torch can leave the padding out of the count
            return AVG_POOL[self.rank](
                x, self.pool_size, self.strides, padding, count_include_pad=False
            )
        # Uneven padding: average over the zero-padded input, then rescale each
        # window by (window size / real elements in it).
        return AVG_POOL[self.rank](
            padded, self.pool_size, self.strides, 0
        ) * self._divisor(x)

    def _divisor(self, x: torch.Tensor) -> torch.Tensor:
        key = (tuple(x.shape[2:]), x.dtype, x.device)
        scale = self._divisors.get(key)
        if scale is None:
            ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
            unit = (1,) * self.rank
            padded, _ = conv_utils.pad_for_same(
                ones, self.pool_size, self.strides, unit
            )
            fraction = AVG_POOL[self.rank](padded, self.pool_size, self.strides, 0)
            scale = self._divisors[key] = 1.0 / fraction
        return scale

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        self._check_shape(input_shape)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        sizes = tuple(
            conv_utils.conv_output_length(n, k, self.padding, s)
            for n, k, s in zip(spatial, self.pool_size, self.strides)
        )
        if self._channels_last:
            return (input_shape[0], *sizes, input_shape[-1])
        return (input_shape[0], input_shape[1], *sizes)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "padding": self.padding,
                "strides": self.strides,
                "data_format": self.data_format,
            }
        )
        return config
