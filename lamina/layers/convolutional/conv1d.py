"""Conv1D: 1-D convolution (temporal convolution)."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv


class Conv1D(base_conv.BaseConv):
    __doc__ = base_conv.docstring(
        1,
        "1-D convolution (temporal convolution).",
        example=("Conv1D(16, 3)", "4, 10, 8", "4, 8, 16"),
    )
    rank = 1
