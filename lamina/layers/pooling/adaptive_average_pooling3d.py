"""AdaptiveAveragePooling3D: average pooling to a fixed (depth, height, width) output size."""

from __future__ import annotations

from lamina.layers.pooling import base_adaptive_pooling


class AdaptiveAveragePooling3D(base_adaptive_pooling.BaseAdaptivePooling):
    __doc__ = base_adaptive_pooling.docstring(3, "average")
    rank = 3
    pool_mode = "average"
