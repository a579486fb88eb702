"""Shared code of Cropping1D, Cropping2D and Cropping3D."""

from __future__ import annotations

from lamina.errors import ShapeError
from lamina.layers.reshaping.base_spatial import (
    BaseEdges,
    check_rank,
    spatial_axes,
)


class BaseCropping(BaseEdges):
    """Crops ``(before, after)`` from each spatial axis; the output is a view.

    Subclasses set ``_rank`` (see `BaseEdges`).
    """

    _argument = "cropping"

    def _axes(self) -> list[int]:
        return spatial_axes(self._rank, getattr(self, "data_format", "channels_last"))

    def build(self, input_shape) -> None:
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self._rank)
        shape = list(input_shape)
        for axis, (before, after) in zip(self._axes(), self._pairs):
            if shape[axis] is None:
                continue
            if before + after >= shape[axis]:
                raise ShapeError(
                    f"Layer '{self.name}': `cropping` must leave at least one "
                    f"element on each cropped axis. Received: input_shape="
                    f"{tuple(input_shape)}, cropping={self.cropping}"
                )
            shape[axis] -= before + after
        return tuple(shape)

    def call(self, inputs):
        index = [slice(None)] * inputs.dim()
        for axis, (before, after) in zip(self._axes(), self._pairs):
            size = inputs.shape[axis]
            if before + after >= size:
                raise ShapeError(
                    f"Layer '{self.name}': `cropping` must leave at least one "
                    f"element on each cropped axis. Received: inputs.shape="
                    f"{tuple(inputs.shape)}, cropping={self.cropping}"
                )
            index[axis] = slice(before, size - after)
        return inputs[tuple(index)]
