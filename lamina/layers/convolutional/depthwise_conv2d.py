"""DepthwiseConv2D: 2-D depthwise convolution (each channel convolved on its own)."""

from __future__ import annotations

from lamina.layers.convolutional import base_depthwise_conv


class DepthwiseConv2D(base_depthwise_conv.BaseDepthwiseConv):
    __doc__ = base_depthwise_conv.docstring(
        2,
        example=("DepthwiseConv2D(3, depth_multiplier=2)", "4, 9, 9, 8", "4, 7, 7, 16"),
    )
    rank = 2
