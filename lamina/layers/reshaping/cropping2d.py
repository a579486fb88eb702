"""Cropping2D: crop the spatial axes of 2-D feature maps."""

from __future__ import annotations

from lamina.layers.reshaping.base_spatial import edges_docstring
from lamina.layers.reshaping.cropping import BaseCropping


class Cropping2D(BaseCropping):
    __doc__ = edges_docstring("cropping", 2, ((0, 0), (0, 0)))
    _rank = 4

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
