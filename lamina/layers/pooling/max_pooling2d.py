"""MaxPooling2D: maximum pooling over height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class MaxPooling2D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(2, "max")
    rank = 2
    pool_mode = "max"
