"""AdaptiveMaxPooling2D: max pooling to a fixed (height, width) output size."""

from __future__ import annotations

from lamina.layers.pooling import base_adaptive_pooling


class AdaptiveMaxPooling2D(base_adaptive_pooling.BaseAdaptivePooling):
    __doc__ = base_adaptive_pooling.docstring(2, "max")
    rank = 2
    pool_mode = "max"
