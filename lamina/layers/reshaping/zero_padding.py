"""Shared code of ZeroPadding1D, ZeroPadding2D and ZeroPadding3D."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.reshaping.base_spatial import (
    BaseEdges,
    check_rank,
    spatial_axes,
)


class BaseZeroPadding(BaseEdges):
    """Pads each spatial axis with ``(before, after)`` zeros (one ``F.pad``).

    Subclasses set ``_rank`` (see `BaseEdges`).
    """

    _argument = "padding"

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
        axes = spatial_axes(self._rank, self.data_format)
        pad = [0, 0] * self._rank
        for axis, (before, after) in zip(axes, self._pairs):
            # F.pad lists (before, after) from the last axis backwards.
            index = 2 * (self._rank - 1 - axis)
            pad[index], pad[index + 1] = before, after
        while pad and pad[-1] == 0 and pad[-2] == 0:
            del pad[-2:]
        self._torch_pad = tuple(pad)
        self._axes = axes

    def build(self, input_shape) -> None:
        check_rank(self, input_shape, self._rank)
        self.built = True

    def call(self, inputs):
        return F.pad(inputs, self._torch_pad)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self._rank)
        shape = list(input_shape)
        for axis, (before, after) in zip(self._axes, self._pairs):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)
