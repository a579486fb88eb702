"""DepthwiseConv2D: 2-D depthwise convolution (each channel convolved on its own)."""

from __future__ import annotations

from lamina.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution: each input channel gets its own kernels.

    Every input channel is convolved with ``depth_multiplier`` kernels of its
    own (torch: a grouped convolution with ``groups = channels``), so there
    are ``channels * depth_multiplier`` outputs and channels are never mixed.
    The kernel has Keras's shape ``(*kernel_size, channels, depth_multiplier)``.

    Example:
        >>> layer = lamina.layers.DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(torch.zeros(4, 9, 9, 8)).shape
        torch.Size([4, 7, 7, 16])

    Args:
        kernel_size: int or tuple of 2 ints, the window size.
        strides: int or tuple of 2 ints (1 by default).
        padding: ``"valid"`` or ``"same"`` (TensorFlow's placement).
        depth_multiplier: outputs per input channel.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of 2 ints; > 1 cannot be combined with
            strides > 1.
        activation: activation name or function (none by default).
        use_bias: whether to add a bias vector.
        depthwise_initializer / bias_initializer: initializers
            (``glorot_uniform`` / ``zeros``).
        depthwise_regularizer / bias_regularizer / activity_regularizer: penalties.
        depthwise_constraint / bias_constraint: constraints applied after updates.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        ``(batch, height, width, channels)`` (channels_first: channels second).

    Output shape:
        ``(batch, new_height, new_width,
        channels * depth_multiplier)`` (channels_first: channels second).
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
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
        super().__init__(
            2,
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
