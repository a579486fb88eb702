"""BaseGlobalPooling: what the global max/average pooling layers share."""

from __future__ import annotations

from lamina.layers.convolutional import conv_utils
from lamina.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Reduce all spatial axes with a max or a mean (private base).

    Args:
        pool_dimensions: 1, 2 or 3, the number of spatial axes.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        keepdims: keep the spatial axes with size 1 (as ``np.mean(...,
            keepdims=True)``).
    """

    def __init__(
        self, pool_dimensions: int, data_format=None, keepdims: bool = False, **kwargs
    ):
        legacy = conv_utils.keras_1_arguments(type(self).__name__, kwargs)
        data_format = legacy.pop("data_format", data_format)
        kwargs.update(legacy)
        super().__init__(**kwargs)
        self.rank = pool_dimensions
        self.data_format = conv_utils.normalize_data_format(
            data_format, type(self).__name__
        )
        self.keepdims = bool(keepdims)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + pool_dimensions))
        self.built = True  # no weights

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
