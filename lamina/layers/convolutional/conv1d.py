"""Conv1D: 1-D convolution (temporal convolution)."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution (temporal convolution).

    Convolves ``filters`` kernels over the input, adds a bias and applies
    ``activation``. The kernel has Keras's shape ``(*kernel_size,
    input_channels // groups, filters)`` in `get_weights`/`set_weights`.

    Example:
        >>> layer = lamina.layers.Conv1D(16, 3)
        >>> layer(torch.zeros(4, 10, 8)).shape
        torch.Size([4, 8, 16])

    Args:
        filters: positive int, the number of output channels (required).
        kernel_size: (required) int or tuple of 1 ints, the window size.
        strides: int or tuple of 1 ints (1 by default).
        padding: ``"valid"``, ``"same"`` or ``"causal"`` (left padding only, so
            output ``t`` sees inputs up to ``t``: for temporal models).
        data_format: ``"channels_last"`` (default,
            ``lamina.backend.image_data_format()``) or ``"channels_first"``.
        dilation_rate: int or tuple of 1 ints, for dilated (atrous)
            convolution; > 1 cannot be combined with strides > 1.
        groups: positive int dividing the input channels and ``filters``; each
            group of channels is convolved with its own ``filters // groups``
            kernels.
        activation: activation name or function (none by default).
        use_bias: whether to add a bias vector.
        kernel_initializer / bias_initializer: initializers
            (``glorot_uniform`` / ``zeros``).
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties.
        kernel_constraint / bias_constraint: constraints applied after updates.
        **kwargs: standard layer arguments (``name``, ``dtype``, ``input_shape``).

    Input shape:
        3-D ``(batch, steps, channels)`` (channels_first: ``(batch, channels, steps)``).

    Output shape:
        3-D ``(batch, new_steps, filters)`` (channels_first:
        ``(batch, filters, new_steps)``).
    """

    def __init__(
        self,
        filters=None,
        kernel_size=None,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
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
            1,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            groups=groups,
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
