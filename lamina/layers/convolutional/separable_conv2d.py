"""SeparableConv2D: 2-D depthwise separable convolution."""

from __future__ import annotations

from lamina.layers.convolutional.base_separable_conv import BaseSeparableConv


class SeparableConv2D(BaseSeparableConv):
    """2-D separable convolution: a depthwise, then a pointwise convolution.

    First each channel is convolved on its own with ``depth_multiplier``
    kernels (strides, padding and dilation apply here), then a 1x1 convolution
    mixes the ``channels * depth_multiplier`` results into ``filters`` outputs.
    Far fewer weights than a full convolution of the same window.

    Example:
        >>> layer = lamina.layers.SeparableConv2D(16, 3)
        >>> layer(torch.zeros(4, 9, 9, 8)).shape
        torch.Size([4, 7, 7, 16])

    Args:
        filters: positive int, the number of output channels.
        kernel_size: int or tuple of 2 ints, the depthwise window size.
        strides: int or tuple of 2 ints (1 by default).
        padding: ``"valid"`` or ``"same"`` (TensorFlow's placement).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of 2 ints; > 1 cannot be combined with
            strides > 1.
        depth_multiplier: depthwise outputs per input channel.
        activation: activation name or function (none by default).
        use_bias: whether to add a bias vector.
        depthwise_initializer / pointwise_initializer / bias_initializer:
            initializers (``glorot_uniform`` / ``glorot_uniform`` / ``zeros``).
        depthwise_regularizer / pointwise_regularizer / bias_regularizer /
            activity_regularizer: penalties.
        depthwise_constraint / pointwise_constraint / bias_constraint:
            constraints applied after updates.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        ``(batch, height, width, channels)`` (channels_first: channels second).

    Output shape:
        ``(batch, new_height, new_width, filters)`` (channels_first: channels second).
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
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
            2,
            depth_multiplier=depth_multiplier,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
