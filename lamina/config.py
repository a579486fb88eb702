"""`keras.config`: global settings, under Keras 3's names."""

from __future__ import annotations

from lamina.backend.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from lamina.serialization import enable_unsafe_deserialization

__all__ = [
    "backend",
    "enable_unsafe_deserialization",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
]
