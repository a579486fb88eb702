"""AveragePooling1D: average pooling over steps."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class AveragePooling1D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(1, "average")
    rank = 1
    pool_mode = "average"
