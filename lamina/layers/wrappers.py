"""Keras 2's ``keras.layers.wrappers`` module path."""

from lamina.layers.rnn import Bidirectional, TimeDistributed

__all__ = ["Bidirectional", "TimeDistributed"]
