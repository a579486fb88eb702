"""BasePooling: what the max and average pooling layers (1-D, 2-D, 3-D) share."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina.layers.convolutional import conv_utils
from lamina.layers.layer import Layer

MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Max or average pooling over ``pool_dimensions`` spatial axes (private base).

    Channels-last inputs go to torch as a permuted view (torch's channels_last
    memory format, which its pooling kernels handle natively), so nothing is
    copied. ``"same"`` padding is TensorFlow's (extra at the end); padded
    positions never win a max and are not counted in an average: the average
    divides by the number of real elements in each window.

    Args:
        pool_size: int or tuple of ``pool_dimensions`` ints, the window size.
        strides: int or tuple, the step between windows; ``None`` means
            ``pool_size``.
        pool_dimensions: 1, 2 or 3.
        pool_mode: ``"max"`` or ``"average"``.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
    """

    def __init__(
        self,
        pool_size,
        strides,
        pool_dimensions: int,
        pool_mode="max",
        padding="valid",
        data_format=None,
        **kwargs,
    ):
        legacy = conv_utils.keras_1_arguments(type(self).__name__, kwargs)
        pool_size = legacy.pop("pool_size", pool_size)
        strides = legacy.pop("strides", strides)
        padding = legacy.pop("padding", padding)
        data_format = legacy.pop("data_format", data_format)
        kwargs.update(legacy)  # anything left is not a pooling argument
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.rank = pool_dimensions
        self.pool_size = conv_utils.normalize_tuple(
            pool_size, pool_dimensions, "pool_size", cls
        )
        self.strides = (
            self.pool_size
            if strides is None
            else conv_utils.normalize_tuple(strides, pool_dimensions, "strides", cls)
        )
        self.pool_mode = pool_mode
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
