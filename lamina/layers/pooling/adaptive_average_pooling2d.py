"""AdaptiveAveragePooling2D: average pooling to a fixed (height, width) output size."""

from __future__ import annotations

from lamina.layers.pooling import base_adaptive_pooling


class AdaptiveAveragePooling2D(base_adaptive_pooling.BaseAdaptivePooling):
    __doc__ = base_adaptive_pooling.docstring(2, "average")
    rank = 2
    pool_mode = "average"
