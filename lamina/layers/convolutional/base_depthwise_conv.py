"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv, conv_arguments, conv_utils
from lamina.layers.convolutional.base_conv import CONV_FUNCTIONS, store_for_torch
from lamina.layers.layer import Layer


def depthwise_torch_axes(rank: int) -> tuple[int, ...]:
    """Axes turning a depthwise kernel ``(k..., in, mult)`` into ``(in, mult, k...)``.

    Reshaped to ``(in * multiplier, 1, k...)`` this is torch's grouped
    (``groups=in``) weight; output channel ``c * multiplier + m`` comes from input
    channel ``c``, as in Keras.
    """
    return (rank, rank + 1, *range(rank))


DEPTHWISE_ARGUMENTS = (
    "kernel_size strides padding depth_multiplier data_format dilation_rate "
    "activation use_bias depthwise_initializer bias_initializer "
    "depthwise_regularizer bias_regularizer activity_regularizer "
    "depthwise_constraint bias_constraint"
)


def docstring(rank: int, example: tuple[str, str, str]) -> str:
    """The docstring of ``DepthwiseConv{rank}D``."""
    return base_conv.family_docstring(
        rank,
        "{rank}-D depthwise convolution: each input channel gets its own kernels.",
        "Every input channel is convolved with ``depth_multiplier`` kernels of "
        "its own (torch: a grouped convolution with ``groups = channels``), so "
        "there are ``channels * depth_multiplier`` outputs and channels are "
        "never mixed. The kernel has Keras's shape ``(*kernel_size, channels, "
        "depth_multiplier)``.",
        example,
        DEPTHWISE_ARGUMENTS,
        output_channels="channels * depth_multiplier",
    )


class BaseDepthwiseConv(base_conv.BaseConv):
    """N-D depthwise convolution (private base of DepthwiseConv1D/2D).

    Each input channel is convolved with its own ``depth_multiplier`` kernels;
    the channels are not mixed. The kernel has Keras's shape ``(*kernel_size,
    input_channels, depth_multiplier)``. The arguments are Keras's
    (`DEPTHWISE_ARGUMENTS`, documented in `docstring`).
    """

    __init__ = conv_arguments.conv_constructor(DEPTHWISE_ARGUMENTS)

    def _init(self, args, **kwargs) -> None:
        # BaseConv's _init is for `filters`/`kernel_*` arguments; this layer
        # has its own, so it starts from Layer and reuses BaseConv's helpers.
        Layer.__init__(self, activity_regularizer=args.activity_regularizer, **kwargs)
        self.groups = 1
        self.depth_multiplier = conv_utils.positive_int(
            args.depth_multiplier, "depth_multiplier", type(self).__name__
        )
        self._set_window_arguments(args)
        self._set_activation_and_bias(args)
        conv_arguments.set_weight_arguments(self, args, "depthwise", "bias")

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
                **conv_arguments.weight_config(self, "depthwise"),
            }
        )
        return config
