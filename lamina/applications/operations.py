"""The arithmetic Keras's MobileNetV3 and ConvNeXt write between layers.

Keras builds ``relu6(x + 3) / 6`` (MobileNetV3's hard sigmoid) and ConvNeXt's
residual ``inputs + block(inputs)`` with Python operators on symbolic tensors:
each becomes a `keras.ops` operation in the model's graph, listed in its config
(``keras.src.ops.numpy`` ``Add``/``Multiply``) but not among ``model.layers``
and without weights. These two classes are those nodes: layers to lamina's
graph, marked as operations so that ``model.layers`` leaves them out as Keras
does, and written in Keras's config form.
"""

from __future__ import annotations

from lamina.layers.layer import Layer


class _Operation(Layer):
    """A weightless node of ``op(x1, x2)``; ``x2`` may be a Python number."""

    _keras_operation = True  # not listed in Functional.layers (Keras's operations)
    _keras_module = "keras.src.ops.numpy"

    def __init__(self, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)

    def compute_output_shape(self, input_shape):
        # Both operands have the first one's shape (or the second is a number).
        return input_shape

    def get_config(self) -> dict:
        return {"name": self.name}

    def _serialization_extras(self) -> dict:
        return {"registered_name": type(self).__name__}


class Add(_Operation):
    """``x1 + x2`` (Keras's ``keras.ops.add`` node)."""

    _keras_module = "keras.src.ops.numpy"

    def call(self, x1, x2):
        return x1 + x2


class Multiply(_Operation):
    """``x1 * x2`` (Keras's ``keras.ops.multiply`` node)."""

    _keras_module = "keras.src.ops.numpy"

    def call(self, x1, x2):
        return x1 * x2
