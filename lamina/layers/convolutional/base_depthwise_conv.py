"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share."""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.layers.convolutional import conv_utils
from lamina.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    BaseConv,
    store_for_torch,
)
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object


def depthwise_torch_axes(rank: int) -> tuple[int, ...]:
    """Axes turning a depthwise kernel ``(k..., in, mult)`` into ``(in, mult, k...)``.

    Reshaped to ``(in * multiplier, 1, k...)`` this is torch's grouped
    (``groups=in``) weight; output channel ``c * multiplier + m`` comes from input
    channel ``c``, as in Keras.
    """
    return (rank, rank + 1, *range(rank))


class BaseDepthwiseConv(BaseConv):
    """N-D depthwise convolution (private base of DepthwiseConv1D/2D).

    Each input channel is convolved with its own ``depth_multiplier`` kernels;
    the channels are not mixed. The kernel has Keras's shape ``(*kernel_size,
    input_channels, depth_multiplier)``.

    Args:
        rank: 1 or 2.
        depth_multiplier: outputs per input channel (output channels =
            ``input_channels * depth_multiplier``).
        kernel_size, strides, padding, data_format, dilation_rate, activation,
        use_bias: as for `Conv2D` (padding ``"valid"`` or ``"same"``).
        depthwise_initializer / bias_initializer: initializers.
        depthwise_regularizer / bias_regularizer / activity_regularizer: penalties.
        depthwise_constraint / bias_constraint: constraints.
    """

    def __init__(
        self,
        rank: int,
        depth_multiplier=1,
        kernel_size=3,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        # BaseConv's __init__ is for `filters`/`kernel_*` arguments; this layer
        # has its own, so it starts from Layer and reuses BaseConv's helpers.
        Layer.__init__(self, activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.groups = 1
        self.depth_multiplier = conv_utils.positive_int(
            depth_multiplier, "depth_multiplier", type(self).__name__
        )
        self._set_window_arguments(
            rank, kernel_size, strides, padding, data_format, dilation_rate
        )
        self._set_activation(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _add_depthwise_kernel(self, channels: int, name: str):
        kernel = self.add_weight(
            name=name,
            shape=(*self.kernel_size, channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        store_for_torch(kernel, depthwise_torch_axes(self.rank))
        return kernel

    def _depthwise(self, x, kernel, bias=None):
        """The grouped torch convolution on a channels-first ``x``."""
        x, padding = self._pad(x)
        channels = kernel.shape[-2]
        weight = kernel.permute(depthwise_torch_axes(self.rank)).reshape(
            channels * self.depth_multiplier, 1, *self.kernel_size
        )
        return CONV_FUNCTIONS[self.rank](
            x, weight, bias, self.strides, padding, self.dilation_rate, channels
        )

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.kernel = self._add_depthwise_kernel(channels, "kernel")
        self._add_bias(channels * self.depth_multiplier)
        self.built = True

    def call(self, inputs):
        return self._finish(
            self._depthwise(self._to_torch(inputs), self.kernel, self.bias)
        )

    def compute_output_shape(self, input_shape):
        channels = conv_utils.check_input_rank(
            self, input_shape, self.rank, self.data_format
        )
        return self._output_shape(
            tuple(input_shape),
            None if channels is None else channels * self.depth_multiplier,
        )

    def get_config(self) -> dict:
        config = Layer.get_config(self)
        config.update(
            {
                "depth_multiplier": self.depth_multiplier,
                **self._window_config(),
                **self._common_config(),
                "depthwise_initializer": serialize_keras_object(
                    self.depthwise_initializer
                ),
                "depthwise_regularizer": serialize_keras_object(
                    self.depthwise_regularizer
                ),
                "depthwise_constraint": serialize_keras_object(
                    self.depthwise_constraint
                ),
            }
        )
        return config
