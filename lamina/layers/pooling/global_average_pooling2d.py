"""GlobalAveragePooling2D: the mean over all height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_global_pooling


class GlobalAveragePooling2D(base_global_pooling.BaseGlobalPooling):
    __doc__ = base_global_pooling.docstring(2, "average")
    rank = 2
    pool_mode = "average"
