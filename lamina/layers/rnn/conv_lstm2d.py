"""ConvLSTM2D: a 2-D convolutional LSTM."""

from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM, conv_lstm_docstring


class ConvLSTM2D(ConvLSTM):
    __doc__ = conv_lstm_docstring(2, "rows, cols")

    _spatial_rank = 2
