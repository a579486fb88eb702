"""MaxPooling3D: maximum pooling over depth, height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class MaxPooling3D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(3, "max")
    rank = 3
    pool_mode = "max"
