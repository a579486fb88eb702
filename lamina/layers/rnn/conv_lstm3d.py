"""ConvLSTM3D: a 3-D convolutional LSTM."""

from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM


class ConvLSTM3D(ConvLSTM):
    """3-D convolutional LSTM: an LSTM whose input and recurrent products are
    3-D convolutions (Shi et al., 2015).

    Example:
        >>> layer = lamina.layers.ConvLSTM3D(4, 3, padding="same")
        >>> layer(torch.zeros(2, 5, 6, 6, 6, 3)).shape
        torch.Size([2, 6, 6, 6, 4])

    Args:
        filters: positive int, the number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides: int or tuple of 3 ints (input convolution only).
        padding: ``"valid"`` or ``"same"`` (input convolution; the recurrent
            one is always "same").
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of 3 ints.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: ``(batch, time, depth, rows, cols, channels)``.
        mask: boolean ``(batch, time)``.
        training: whether dropout is active.
        initial_state: ``[h, c]``, each of the output's per-step shape.

    Input shape:
        ``(batch, time, depth, rows, cols, channels)``;
        ``(batch, time, channels, depth, rows, cols)`` with ``channels_first``.

    Output shape:
        ``(batch, depth, rows, cols, filters)`` with the new spatial sizes
        (time after batch with ``return_sequences``); with ``return_state``
        also the final ``h`` and ``c``.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs,
    ):
        super().__init__(3, locals())
