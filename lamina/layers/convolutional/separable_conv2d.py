"""SeparableConv2D: 2-D depthwise separable convolution."""

from __future__ import annotations

from lamina.layers.convolutional import base_separable_conv


class SeparableConv2D(base_separable_conv.BaseSeparableConv):
    __doc__ = base_separable_conv.docstring(
        2, example=("SeparableConv2D(16, 3)", "4, 9, 9, 8", "4, 7, 7, 16")
    )
    rank = 2
