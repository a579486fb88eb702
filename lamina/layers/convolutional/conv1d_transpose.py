"""Conv1DTranspose: the 1-D transposed convolution ("deconvolution")."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv_transpose


class Conv1DTranspose(base_conv_transpose.BaseConvTranspose):
    __doc__ = base_conv_transpose.docstring(
        1,
        example=(
            'Conv1DTranspose(16, 3, strides=2, padding="same")',
            "4, 10, 8",
            "4, 20, 16",
        ),
    )
    rank = 1
