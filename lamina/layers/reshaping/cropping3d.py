"""Cropping3D: crop the spatial axes of 3-D feature maps."""

from __future__ import annotations

from lamina.layers.reshaping.base_spatial import edges_docstring
from lamina.layers.reshaping.cropping import BaseCropping


class Cropping3D(BaseCropping):
    __doc__ = edges_docstring("cropping", 3, ((1, 1), (1, 1), (1, 1)))
    _rank = 5

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
