"""AdaptiveMaxPooling3D: max pooling to a fixed (depth, height, width) output size."""

from __future__ import annotations

from lamina.layers.pooling import base_adaptive_pooling


class AdaptiveMaxPooling3D(base_adaptive_pooling.BaseAdaptivePooling):
    __doc__ = base_adaptive_pooling.docstring(3, "max")
    rank = 3
    pool_mode = "max"
