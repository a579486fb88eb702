"""InputLayer and `Input`: the entry points of a layer graph."""

from __future__ import annotations

import numpy as np

from lamina import backend
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.ops.node import Node


class InputLayer(Layer):
    """The layer behind `Input`: it holds the model's input placeholder.

    Args:
        shape: the shape of one sample, without the batch size.
        batch_size: an optional fixed batch size.
        dtype: the input's dtype (floatx by default).
        sparse: accepted for Keras compatibility; inputs are dense here.
        batch_shape: the full shape, batch size included (instead of ``shape``).
        name: the layer's (and tensor's) name; ``input_layer``, ``input_layer_1``...
        input_tensor: an existing KerasTensor to use as the input.
        optional: whether the input may be None.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        ragged=None,
        **kwargs,
    ):
        # Keras 2 spellings
        if "input_shape" in kwargs:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        if "input_dtype" in kwargs:
            dtype = kwargs.pop("input_dtype")
        kwargs.pop("trainable", None)
        super().__init__(name=name, dtype=dtype, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ArgumentError(
                "You cannot pass both `shape` and `batch_shape` at the same time."
            )
        if batch_size is not None and batch_shape is not None:
            raise ArgumentError(
                "You cannot pass both `batch_size` and `batch_shape` at the same time."
            )
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ArgumentError(
                    "Argument `input_tensor` must be a KerasTensor. "
                    f"Received invalid type: input_tensor={input_tensor} "
                    f"(of type {type(input_tensor)})"
                )
            batch_shape = input_tensor.shape
        elif shape is None and batch_shape is None:
            raise ArgumentError("You must pass a `shape` argument.")
        if batch_shape is None:
            if isinstance(shape, int):
                shape = (shape,)
            try:
                batch_shape = (batch_size, *tuple(shape))
            except TypeError as err:
                raise ArgumentError(
                    f"`shape` must be a tuple of integers, received {shape!r}."
                ) from err
        for d in batch_shape:
            if d is not None and (
                isinstance(d, bool) or not isinstance(d, (int, np.integer))
            ):
                raise ArgumentError(
                    "`shape` (a layer's `input_shape`) must hold integers or None: "
                    f"cannot convert {shape if shape is not None else batch_shape!r} "
                    f"to a shape, found the invalid dimension {d!r} of type "
                    f"{type(d).__name__}."
                )
        batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        for d in batch_shape:
            if d is not None and d < 0:
                raise ArgumentError(
                    f"`shape` sizes must be positive, got {batch_shape}."
                )
        self.batch_shape = batch_shape
        self.sparse = bool(sparse)
        self.optional = optional
        self.built = True
        if input_tensor is None:
            input_tensor = KerasTensor(
                batch_shape, self.dtype, sparse=self.sparse, name=self.name
            )
        Node(self, (), {}, input_tensor)
        self._input_tensor = input_tensor

    @property
    def output(self):
        return self._input_tensor

    def call(self, inputs=None):
        return inputs

    def get_config(self) -> dict:
        return {
            "batch_shape": list(self.batch_shape),
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("ragged", None)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = backend.standardize_dtype(config["dtype"])
        return cls(**config)


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    batch_shape=None,  # noqa: N802
    name=None,
    tensor=None,
    optional=False,
    **kwargs,
) -> KerasTensor:
    """A symbolic input of a functional model.

    Example:
        >>> x = lamina.Input(shape=(8,), name="features")
        >>> x.shape
        (None, 8)

    Args:
        shape: the shape of one sample, e.g. ``(28, 28)``; no batch size.
        batch_size: optional fixed batch size.
        dtype: dtype name (floatx by default).
        sparse: accepted for Keras compatibility.
        batch_shape: full shape with the batch size, instead of ``shape``.
        name: a name, unique in the model.
        tensor: an existing KerasTensor to wrap.
        optional: whether the input may be None.

    Returns:
        a KerasTensor.
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        input_tensor=tensor,
        optional=optional,
        **kwargs,
    )
    return layer.output
