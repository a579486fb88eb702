"""ConvLSTM1D: a 1-D convolutional LSTM."""

from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM, conv_lstm_docstring


class ConvLSTM1D(ConvLSTM):
    __doc__ = conv_lstm_docstring(1, "steps")

    _spatial_rank = 1
