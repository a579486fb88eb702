"""Conv2DTranspose: the 2-D transposed convolution ("deconvolution")."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv_transpose


class Conv2DTranspose(base_conv_transpose.BaseConvTranspose):
    __doc__ = base_conv_transpose.docstring(
        2,
        example=(
            'Conv2DTranspose(16, 3, strides=2, padding="same")',
            "4, 7, 7, 8",
            "4, 14, 14, 16",
        ),
    )
    rank = 2
