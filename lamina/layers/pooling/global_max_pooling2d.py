"""GlobalMaxPooling2D: the maximum over all height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_global_pooling


class GlobalMaxPooling2D(base_global_pooling.BaseGlobalPooling):
    __doc__ = base_global_pooling.docstring(2, "max")
    rank = 2
    pool_mode = "max"
