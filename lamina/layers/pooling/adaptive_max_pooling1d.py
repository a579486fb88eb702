"""AdaptiveMaxPooling1D: max pooling to a fixed (steps) output size."""

from __future__ import annotations

from lamina.layers.pooling import base_adaptive_pooling


class AdaptiveMaxPooling1D(base_adaptive_pooling.BaseAdaptivePooling):
    __doc__ = base_adaptive_pooling.docstring(1, "max")
    rank = 1
    pool_mode = "max"
