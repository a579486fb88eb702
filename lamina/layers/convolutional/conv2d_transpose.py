"""Conv2DTranspose: the 2-D transposed convolution ("deconvolution")."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2-D transposed convolution: the gradient of a convolution, used to upsample.

    Each input position scatters a ``kernel_size`` window of ``filters``
    outputs, ``strides`` apart. The kernel has Keras's shape ``(*kernel_size,
    filters, input_channels)``. With ``padding="same"`` (and no
    ``output_padding``) the output size is ``input_size * strides``.

    Example:
        >>> layer = lamina.layers.Conv2DTranspose(16, 3, strides=2, padding="same")
        >>> layer(torch.zeros(4, 7, 7, 8)).shape
        torch.Size([4, 14, 14, 16])

    Args:
        filters: positive int, the number of output channels.
        kernel_size: int or tuple of 2 ints, the window size.
        strides: int or tuple of 2 ints (1 by default).
        padding: ``"valid"`` (output ``(n - 1) * stride + max(kernel, stride)``)
            or ``"same"``.
        output_padding: int or tuple of 2 ints, the extra size added at the
            end of each spatial axis (each less than its stride); ``None`` lets
            the output size be inferred.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of 2 ints; > 1 cannot be combined with
            strides > 1.
        activation: activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: initializers
            (``glorot_uniform`` / ``zeros``).
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties.
        kernel_constraint / bias_constraint: constraints applied after updates.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        4-D ``(batch, height, width, channels)`` (channels_first:
        ``(batch, channels, height, width)``).

    Output shape:
        4-D ``(batch, new_height, new_width, filters)`` (channels_first:
        channels second).
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            2,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )
