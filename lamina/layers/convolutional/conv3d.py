"""Conv3D: 3-D convolution (over volumes)."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv


class Conv3D(base_conv.BaseConv):
    __doc__ = base_conv.docstring(
        3,
        "3-D convolution (over volumes).",
        example=("Conv3D(16, 3)", "2, 6, 8, 8, 3", "2, 4, 6, 6, 16"),
    )
    rank = 3
