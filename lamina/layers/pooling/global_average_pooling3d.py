"""GlobalAveragePooling3D: the mean over all depth, height, width."""

from __future__ import annotations

from lamina.layers.pooling import base_global_pooling


class GlobalAveragePooling3D(base_global_pooling.BaseGlobalPooling):
    __doc__ = base_global_pooling.docstring(3, "average")
    rank = 3
    pool_mode = "average"
