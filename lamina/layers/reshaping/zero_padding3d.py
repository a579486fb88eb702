"""ZeroPadding3D: pad the spatial axes of 3-D feature maps with zeros."""

from __future__ import annotations

from lamina.layers.reshaping.base_spatial import edges_docstring
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    __doc__ = edges_docstring("padding", 3, ((1, 1), (1, 1), (1, 1)))
    _rank = 5

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
