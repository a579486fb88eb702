"""Shared code of ZeroPadding1D, ZeroPadding2D and ZeroPadding3D."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.layer import Layer
from lamina.layers.reshaping.base_spatial import check_rank, spatial_axes


class BaseZeroPadding(Layer):
    """Pads each spatial axis with ``(before, after)`` zeros (one ``F.pad``).

    Subclasses set ``_rank``, ``_layout`` and, in ``__init__``, ``padding``,
    ``data_format`` and ``_pairs`` (one pair per spatial axis).
    """

    _rank = 3
    _layout = ""
    _pairs: tuple = ()

    def _finish_init(self) -> None:
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
        check_rank(self, input_shape, self._rank, self._layout)
        self.built = True

    def call(self, inputs):
        return F.pad(inputs, self._torch_pad)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self._rank, self._layout)
        shape = list(input_shape)
        for axis, (before, after) in zip(self._axes, self._pairs):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)
