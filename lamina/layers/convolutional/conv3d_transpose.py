"""Conv3DTranspose: the 3-D transposed convolution ("deconvolution")."""

from __future__ import annotations

from lamina.layers.convolutional import base_conv_transpose, conv_arguments


class Conv3DTranspose(base_conv_transpose.BaseConvTranspose):
    __doc__ = base_conv_transpose.docstring(
        3,
        example=(
            'Conv3DTranspose(16, 3, strides=2, padding="same")',
            "2, 3, 4, 4, 8",
            "2, 6, 8, 8, 16",
        ),
    )
    rank = 3
    __init__ = conv_arguments.conv_constructor(
        base_conv_transpose.TRANSPOSE_3D_ARGUMENTS
    )
