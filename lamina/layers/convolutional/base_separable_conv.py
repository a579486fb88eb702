"""BaseSeparableConv: what SeparableConv1D and SeparableConv2D share."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv, conv_arguments, conv_utils
from lamina.layers.convolutional.base_conv import (
    CONV_FUNCTIONS,
    keras_to_torch_axes,
    store_for_torch,
)
from lamina.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv

SEPARABLE_ARGUMENTS = (
    "filters kernel_size strides padding data_format dilation_rate "
    "depth_multiplier activation use_bias depthwise_initializer "
    "pointwise_initializer bias_initializer depthwise_regularizer "
    "pointwise_regularizer bias_regularizer activity_regularizer "
    "depthwise_constraint pointwise_constraint bias_constraint"
)


def docstring(rank: int, example: tuple[str, str, str]) -> str:
    """The docstring of ``SeparableConv{rank}D``."""
    return base_conv.family_docstring(
        rank,
        "{rank}-D separable convolution: a depthwise, then a pointwise convolution.",
        "First each channel is convolved on its own with ``depth_multiplier`` "
        "kernels (strides, padding and dilation apply here), then a 1x1 "
        "convolution mixes the ``channels * depth_multiplier`` results into "
        "``filters`` outputs. Far fewer weights than a full convolution of the "
        "same window.",
        example,
        SEPARABLE_ARGUMENTS,
    )


class BaseSeparableConv(BaseDepthwiseConv):
    """N-D separable convolution (private base of SeparableConv1D/2D).

    A depthwise convolution (each channel on its own, ``depth_multiplier``
    kernels per channel, with the strides, padding and dilation) followed by a
    pointwise (1x1) convolution to ``filters`` channels, plus bias. Weights:
    ``depthwise_kernel`` ``(*kernel_size, in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, ..., in * depth_multiplier, filters)``, ``bias``.
    The arguments are Keras's (`SEPARABLE_ARGUMENTS`, documented in
    `docstring`).
    """

    __init__ = conv_arguments.conv_constructor(SEPARABLE_ARGUMENTS)

    def _init(self, args, **kwargs) -> None:
        super()._init(args, **kwargs)
        self.filters = conv_utils.positive_int(
            args.filters, "filters", type(self).__name__
        )
        conv_arguments.set_weight_arguments(self, args, "pointwise")

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
                **conv_arguments.weight_config(self, "pointwise"),
            }
        )
        return config
