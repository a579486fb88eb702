"""SeparableConv1D: 1-D depthwise separable convolution."""

from __future__ import annotations

from lamina.layers.convolutional import base_separable_conv


class SeparableConv1D(base_separable_conv.BaseSeparableConv):
    __doc__ = base_separable_conv.docstring(
        1, example=("SeparableConv1D(16, 3)", "4, 10, 8", "4, 8, 16")
    )
    rank = 1
