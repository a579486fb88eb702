"""MaxPooling1D: maximum pooling over steps."""

from __future__ import annotations

from lamina.layers.pooling import base_pooling


class MaxPooling1D(base_pooling.BasePooling):
    __doc__ = base_pooling.docstring(1, "max")
    rank = 1
    pool_mode = "max"
