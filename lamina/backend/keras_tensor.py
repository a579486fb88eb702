"""Symbolic tensors: what `Input` returns and layers produce in the functional API."""

from __future__ import annotations

from lamina.backend.config import standardize_dtype
from lamina.backend.naming import unique_name


class KerasTensor:
    """A placeholder with a shape and dtype but no values.

    Calling a layer on KerasTensors records the call in the layer graph (a
    `Node`) and returns new KerasTensors; `Model(inputs, outputs)` then turns
    that graph into a model.

    Attributes:
        shape: a tuple of ints, with ``None`` for unknown sizes (the batch).
        dtype: the Keras dtype name, e.g. ``"float32"``.
        name: a unique name (``keras_tensor``, ``keras_tensor_1``, ...).
    """

    def __init__(
        self,
        shape,
        dtype="float32",
        sparse: bool = False,
        name: str | None = None,
        record_history: tuple | None = None,
    ):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.sparse = sparse
        self.name = name or unique_name("keras_tensor")
        # (layer, node_index, tensor_index) of the call that made this tensor.
        self._keras_history = record_history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError(
            "A symbolic KerasTensor has no length; use `tensor.shape` instead."
        )

    def __iter__(self):
        raise TypeError(
            "A symbolic KerasTensor cannot be iterated over; index it or "
            "use `tensor.shape`."
        )

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic KerasTensor has no values: it cannot be converted to a "
            "numpy array. Build a Model from it and call the model on real data."
        )


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)
