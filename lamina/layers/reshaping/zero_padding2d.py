"""ZeroPadding2D: pad the spatial axes of 2-D feature maps with zeros."""

from __future__ import annotations

from lamina.layers.reshaping.base_spatial import edges_docstring
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    __doc__ = edges_docstring("padding", 2, (1, 1))
    _rank = 4

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)
