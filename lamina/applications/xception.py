"""Xception.

Reference: [Xception: Deep Learning with Depthwise Separable Convolutions](
https://arxiv.org/abs/1610.02357) (CVPR 2017).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils

WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS_HASHES = (
    "0a58e3b7378bc2990ea3b43d5981f1f6",
    "b0042744bf5b25fce3cb969f33bebb97",
)


@app.application(name="xception")
def Xception(args):
    """Instantiates the Xception architecture.

    Reference: [Xception: Deep Learning with Depthwise Separable Convolutions](
    https://arxiv.org/abs/1610.02357) (CVPR 2017).

    The default input size is 299x299 (at least 71x71 without the head). Call
    `lamina.applications.xception.preprocess_input` on the inputs first: it
    scales pixels to [-1, 1].
    """
    img_input = app.start(args, 299, 71)
    axis = app.channel_axis()
    x = img_input
    for conv, (filters, strides) in enumerate(((32, (2, 2)), (64, (1, 1))), 1):
        x = layers.Conv2D(
            filters, (3, 3), strides=strides, use_bias=False, name=f"block1_conv{conv}"
        )(x)
        x = layers.BatchNormalization(axis=axis, name=f"block1_conv{conv}_bn")(x)
        x = layers.Activation("relu", name=f"block1_conv{conv}_act")(x)
    # Entry flow.
    x = _downsampling_block(x, 128, 128, "block2", activate_first=False)
    x = _downsampling_block(x, 256, 256, "block3")
    x = _downsampling_block(x, 728, 728, "block4")
    # Middle flow: eight residual blocks of three separable convolutions.
    for i in range(8):
        residual = x
        prefix = f"block{i + 5}"
        for conv in range(1, 4):
            x = layers.Activation("relu", name=f"{prefix}_sepconv{conv}_act")(x)
            x = _separable_bn(x, 728, f"{prefix}_sepconv{conv}")
        x = layers.add([x, residual])
    # Exit flow.
    x = _downsampling_block(x, 728, 1024, "block13")
    for conv, filters in enumerate((1536, 2048), 1):
        x = _separable_bn(x, filters, f"block14_sepconv{conv}")
        x = layers.Activation("relu", name=f"block14_sepconv{conv}_act")(x)
    x = app.head(x, args)
    imagenet = app.tf_kernels_file(
        "xception", WEIGHTS_PATH, WEIGHTS_HASHES, args.include_top
    )
    return app.finish(args, img_input, x, imagenet)


def _separable_bn(x, filters, name):
    x = layers.SeparableConv2D(
        filters, (3, 3), padding="same", use_bias=False, name=name
    )(x)
    return layers.BatchNormalization(axis=app.channel_axis(), name=f"{name}_bn")(x)


def _downsampling_block(x, filters, out_filters, block, activate_first=True):
    """Two separable convolutions and a strided max pooling, added to a strided
    1x1 convolution of the input (Keras leaves the latter two layers unnamed)."""
    residual = layers.Conv2D(
        out_filters, (1, 1), strides=(2, 2), padding="same", use_bias=False
    )(x)
    residual = layers.BatchNormalization(axis=app.channel_axis())(residual)
    if activate_first:
        x = layers.Activation("relu", name=f"{block}_sepconv1_act")(x)
    x = _separable_bn(x, filters, f"{block}_sepconv1")
    x = layers.Activation("relu", name=f"{block}_sepconv2_act")(x)
    x = _separable_bn(x, out_filters, f"{block}_sepconv2")
    x = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="same", name=f"{block}_pool"
    )(x)
    return layers.add([x, residual])


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
