"""ConvLSTM3D: a 3-D convolutional LSTM."""

from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM, conv_lstm_docstring


class ConvLSTM3D(ConvLSTM):
    __doc__ = conv_lstm_docstring(3, "depth, rows, cols")

    _spatial_rank = 3
