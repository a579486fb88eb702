"""AveragePooling3D: average pooling over depth, height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class AveragePooling3D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(3, "average")
    rank = 3
    pool_mode = "average"
