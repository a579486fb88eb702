"""GlobalMaxPooling1D: the maximum over all steps."""

from __future__ import annotations

from lamina.layers.pooling import base_global_pooling


class GlobalMaxPooling1D(base_global_pooling.BaseGlobalPooling):
    __doc__ = base_global_pooling.docstring(1, "max")
    rank = 1
    pool_mode = "max"
