"""Permute: reorder the axes of each sample."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes of the input (e.g. to connect RNNs and convnets).

    Example:
        >>> x = lamina.Input(shape=(10, 64))
        >>> lamina.layers.Permute((2, 1))(x).shape
        (None, 64, 10)

    Args:
        dims: the permutation, 1-based (the batch axis 0 stays in place):
            ``(2, 1)`` swaps the first two non-batch axes.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, ...)`` of rank ``len(dims) + 1``.

    Output shape:
        the input's sizes reordered by `dims`.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ArgumentError(
                "Invalid permutation argument `dims` for Permute Layer. The set of "
                "indices in `dims` must be consecutive and start from 1. "
                f"Received dims={dims}"
            )
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self) -> dict:
        config = super().get_config()
        config["dims"] = self.dims
        return config
