"""Keras 2's ``keras.utils.np_utils`` module path."""

from lamina.utils.numerical import normalize, to_categorical

__all__ = ["normalize", "to_categorical"]
