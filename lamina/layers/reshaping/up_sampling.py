"""Shared code of UpSampling1D, UpSampling2D and UpSampling3D."""

from __future__ import annotations

import torch

from lamina.layers.layer import Layer
from lamina.layers.reshaping.base_spatial import check_rank, spatial_axes


def repeat_axes(x: torch.Tensor, axes: list[int], sizes) -> torch.Tensor:
    """Repeat each element ``sizes[i]`` times along ``axes[i]`` (nearest neighbour).

    One broadcast view and one copy, rather than one ``repeat_interleave``
    copy per axis.
    """
    view, expanded, final = [], [], []
    repeats = dict(zip(axes, sizes))
    for axis, size in enumerate(x.shape):
        view.append(size)
        expanded.append(size)
        if axis in repeats:
            view.append(1)
            expanded.append(repeats[axis])
            final.append(size * repeats[axis])
        else:
            final.append(size)
    return x.reshape(view).expand(expanded).reshape(final)


class BaseUpSampling(Layer):
    """Repeats the input along its spatial axes.

    Subclasses set ``_rank`` and, in ``__init__``, ``size`` and
    ``_sizes`` (one factor per spatial axis) and ``_axes``.
    """

    _rank = 3
    _sizes: tuple = ()

    def _set_axes(self, data_format: str) -> None:
        self._axes = spatial_axes(self._rank, data_format)

    def build(self, input_shape) -> None:
        check_rank(self, input_shape, self._rank)
        self.built = True

    def call(self, inputs):
        return repeat_axes(inputs, self._axes, self._sizes)

    def compute_output_shape(self, input_shape):
        check_rank(self, input_shape, self._rank)
        shape = list(input_shape)
        for axis, size in zip(self._axes, self._sizes):
            if shape[axis] is not None:
                shape[axis] *= size
        return tuple(shape)
