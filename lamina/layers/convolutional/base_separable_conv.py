"""BaseSeparableConv: what SeparableConv1D and SeparableConv2D share."""

from __future__ import annotations

from lamina import constraints, initializers, regularizers
from lamina.layers.convolutional import conv_utils
from lamina.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    keras_to_torch_axes,
    store_for_torch,
)
from lamina.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv
from lamina.serialization import serialize_keras_object


class BaseSeparableConv(BaseDepthwiseConv):
    """N-D separable convolution (private base of SeparableConv1D/2D).

    A depthwise convolution (each channel on its own, ``depth_multiplier``
    kernels per channel, with the strides, padding and dilation) followed by a
    pointwise (1x1) convolution to ``filters`` channels, plus bias. Weights:
    ``depthwise_kernel`` ``(*kernel_size, in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, ..., in * depth_multiplier, filters)``, ``bias``.

    Args:
        rank: 1 or 2.
        depth_multiplier: depthwise outputs per input channel.
        filters: the number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate, activation,
        use_bias: as for `Conv2D` (padding ``"valid"`` or ``"same"``).
        depthwise_initializer / pointwise_initializer / bias_initializer,
        depthwise_regularizer / pointwise_regularizer / bias_regularizer /
        activity_regularizer, depthwise_constraint / pointwise_constraint /
        bias_constraint: per-weight initializers, penalties and constraints.
    """

    def __init__(
        self,
        rank: int,
        depth_multiplier=1,
        filters=None,
        kernel_size=3,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias: bool = True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank,
            depth_multiplier=depth_multiplier,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.filters = conv_utils.positive_int(filters, "filters", type(self).__name__)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        self.depthwise_kernel = self._add_depthwise_kernel(channels, "depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(*([1] * self.rank), channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._torch_axes = keras_to_torch_axes(self.rank)
        store_for_torch(self.pointwise_kernel, self._torch_axes)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        x = self._depthwise(self._to_torch(inputs), self.depthwise_kernel)
        x = CONV_FUNCTIONS[self.rank](
            x, self.pointwise_kernel.permute(self._torch_axes), self.bias
        )
        return self._finish(x)

    def compute_output_shape(self, input_shape):
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        return self._output_shape(tuple(input_shape), self.filters)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "pointwise_initializer": serialize_keras_object(
                    self.pointwise_initializer
                ),
                "pointwise_regularizer": serialize_keras_object(
                    self.pointwise_regularizer
                ),
                "pointwise_constraint": serialize_keras_object(
                    self.pointwise_constraint
                ),
            }
        )
        return config
