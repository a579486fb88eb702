"""AveragePooling2D: average pooling over height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class AveragePooling2D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(2, "average")
    rank = 2
    pool_mode = "average"
