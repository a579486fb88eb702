"""`keras.legacy`: Keras 2's way of writing objects as configs (`saving`)."""

from lamina.legacy import saving

__all__ = ["saving"]
