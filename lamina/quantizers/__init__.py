"""Keras's ``keras.quantizers``: weight quantization of Dense, EinsumDense and
Embedding (``model.quantize("int8" | "int4" | "float8")``) and its building blocks.

Example:
    >>> layer = lamina.layers.Dense(8)
    >>> layer.build((None, 16))
    >>> layer.quantize("int8")
    >>> [(w.name, w.dtype) for w in layer.weights]
    [('bias', torch.float32), ('kernel', torch.int8), ('kernel_scale', torch.float32)]
"""

from __future__ import annotations

from lamina.backend.naming import to_snake_case
from lamina.errors import ArgumentError
from lamina.quantizers.float8 import (
    compute_float8_amax_history,
    compute_float8_scale,
    quantize_and_dequantize,
)
from lamina.quantizers.quantization_config import (
    Float8QuantizationConfig,
    Int4QuantizationConfig,
    Int8QuantizationConfig,
    QuantizationConfig,
)
from lamina.quantizers.quantizers import (
    AbsMaxQuantizer,
    Quantizer,
    abs_max_quantize,
    abs_max_quantize_grouped_with_zero_point,
    fake_quant_with_min_max_vars,
    pack_int4,
    unpack_int4,
)
from lamina.serialization import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS = (
    Quantizer,
    AbsMaxQuantizer,
    QuantizationConfig,
    Int8QuantizationConfig,
    Int4QuantizationConfig,
    Float8QuantizationConfig,
)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})


def serialize(initializer) -> dict:
    """A quantizer's (or config's) Keras config dict."""
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The quantizer or config a `serialize` output stands for."""
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="quantizer",
    )


def get(identifier, **kwargs):
    """A quantizer from a name (made with ``kwargs``), a config dict or an object.

    Example:
        >>> get("abs_max_quantizer", axis=0).axis
        (0,)
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if isinstance(obj, type):
        return obj(**kwargs)
    if callable(obj):
        return obj
    raise ArgumentError(f"Could not interpret quantizer identifier: {identifier}")


__all__ = [
    "AbsMaxQuantizer",
    "Float8QuantizationConfig",
    "Int4QuantizationConfig",
    "Int8QuantizationConfig",
    "QuantizationConfig",
    "Quantizer",
    "abs_max_quantize",
    "abs_max_quantize_grouped_with_zero_point",
    "compute_float8_amax_history",
    "compute_float8_scale",
    "deserialize",
    "fake_quant_with_min_max_vars",
    "get",
    "pack_int4",
    "quantize_and_dequantize",
    "serialize",
    "unpack_int4",
]
