"""DepthwiseConv1D: 1-D depthwise convolution (each channel convolved on its own)."""

from __future__ import annotations

from lamina.layers.convolutional import base_depthwise_conv


class DepthwiseConv1D(base_depthwise_conv.BaseDepthwiseConv):
    __doc__ = base_depthwise_conv.docstring(
        1, example=("DepthwiseConv1D(3, depth_multiplier=2)", "4, 10, 8", "4, 8, 16")
    )
    rank = 1
