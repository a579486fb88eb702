"""Conv2D: 2-D convolution (spatial convolution over images)."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv


class Conv2D(base_conv.BaseConv):
    __doc__ = base_conv.docstring(
        2,
        "2-D convolution (spatial convolution over images).",
        example=("Conv2D(16, (3, 3))", "4, 28, 28, 3", "4, 26, 26, 16"),
    )
    rank = 2
