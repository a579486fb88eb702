"""Reshape: give each sample a new shape with the same number of values."""

from __future__ import annotations

import math

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Example:
        >>> x = lamina.Input(shape=(12,))
        >>> lamina.layers.Reshape((3, 4))(x).shape
        (None, 3, 4)
        >>> lamina.layers.Reshape((-1, 2, 2))(x).shape
        (None, 3, 2, 2)

    Args:
        target_shape: the shape of one sample, without the batch size; one
            entry may be ``-1``, inferred from the input's size.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, ...)`` with known sizes after the batch axis.

    Output shape:
        ``(batch, *target_shape)``.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(target_shape)
        except TypeError:
            raise ArgumentError(
                "Reshape: `target_shape` must be a tuple of integers. Received: "
                f"target_shape={target_shape!r}"
            ) from None
        bad = [
            d
            for d in target_shape
            if not isinstance(d, int) or isinstance(d, bool) or (d <= 0 and d != -1)
        ]
        if bad or target_shape.count(-1) > 1:
            raise ArgumentError(
                "Reshape: `target_shape` must hold positive integers and at most one "
                f"-1. Received: target_shape={target_shape}"
            )
        self.target_shape = target_shape
        self.built = True

    def _resolve(self, sample_shape: tuple) -> tuple:
        """`target_shape` with its -1 filled in, checked against ``sample_shape``."""
        known = math.prod(d for d in self.target_shape if d != -1)
        if None in sample_shape:
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(sample_shape)
        if -1 in self.target_shape:
            if known == 0 or total % known:
                self._raise(sample_shape)
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if total != known:
            self._raise(sample_shape)
        return self.target_shape

    def _raise(self, sample_shape: tuple):
        raise ShapeError(
            f"Layer '{self.name}': cannot reshape a sample of shape {sample_shape} "
            f"({math.prod(sample_shape)} values) into target_shape="
            f"{self.target_shape}."
        )

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], *self._resolve(tuple(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(tuple(input_shape[1:])))

    def get_config(self) -> dict:
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config
