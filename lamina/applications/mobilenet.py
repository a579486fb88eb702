"""MobileNet (v1).

Reference: [MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications](https://arxiv.org/abs/1704.04861).
"""

from __future__ import annotations

import warnings

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.backend import image_data_format
from lamina.errors import ArgumentError

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
# The 13 depthwise separable blocks: (pointwise filters, strides).
_BLOCKS = [
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
    (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
]  # fmt: skip

DOCS = {
    "alpha": "the width multiplier: below 1.0 it reduces the number of filters in "
    "each layer, above 1.0 it increases it, 1.0 keeps the paper's numbers. "
    "ImageNet weights exist for 0.25, 0.5, 0.75 and 1.0.",
    "depth_multiplier": "the depth multiplier of the depthwise convolutions "
    "(the resolution multiplier of the paper); 1 with ImageNet weights.",
    "dropout": "the dropout rate before the classifier.",
}


def square_default_size(input_shape, sizes) -> int:
    """The default size: ``input_shape``'s when square and one of ``sizes``
    (the sizes ImageNet weights exist for), else 224."""
    if input_shape is None:
        return 224
    if image_data_format() == "channels_first":
        rows, cols = input_shape[1], input_shape[2]
    else:
        rows, cols = input_shape[0], input_shape[1]
    return rows if rows == cols and rows in sizes else 224


def imagenet_rows(args, sizes) -> int:
    """The image size of the ImageNet weights to load: the input's when it is
    square and one of ``sizes``; else 224, with Keras's warning when loading."""
    first = image_data_format() == "channels_first"
    rows, cols = args.input_shape[1:3] if first else args.input_shape[:2]
    if args.weights == "imagenet" and (rows != cols or rows not in sizes):
        warnings.warn(
            "`input_shape` is undefined or non-square, or `rows` is not in "
            f"{list(sizes)}. Weights for input shape (224, 224) will be loaded as "
            "the default.",
            stacklevel=5,
        )
        return 224
    return rows


@app.application(
    "input_shape alpha depth_multiplier dropout include_top weights input_tensor "
    "pooling classes classifier_activation",
    name=None,
    alpha=1.0,
    depth_multiplier=1,
    dropout=0.001,
    docs={**DOCS, "name": "the model's name; by default `mobilenet_{alpha}_{rows}`."},
)
def MobileNet(args):
    """Instantiates the MobileNet architecture.

    Reference: [MobileNets: Efficient Convolutional Neural Networks for Mobile
    Vision Applications](https://arxiv.org/abs/1704.04861).

    The default input size is 224x224 (at least 32x32 without the head);
    ImageNet weights exist for square inputs of 128, 160, 192 and 224 pixels.
    Call `lamina.applications.mobilenet.preprocess_input` on the inputs first:
    it scales pixels to [-1, 1].
    """
    sizes = (128, 160, 192, 224)
    app.check_arguments(args, square_default_size(args.input_shape, sizes), 32)
    if args.weights == "imagenet":
        if args.depth_multiplier != 1:
            raise ArgumentError(
                "If imagenet weights are being loaded, depth multiplier must be 1.  "
                f"Received depth_multiplier={args.depth_multiplier}"
            )
        if args.alpha not in _ALPHA_TEXT:
            raise ArgumentError(
                "If imagenet weights are being loaded, alpha can be one of`0.25`, "
                f"`0.50`, `0.75` or `1.0` only.  Received alpha={args.alpha}"
            )
    rows = imagenet_rows(args, sizes)
    img_input = app.image_input(args.input_tensor, args.input_shape)
    alpha = args.alpha
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, 1):
        x = _depthwise_conv_block(
            x, filters, alpha, args.depth_multiplier, (stride, stride), block_id
        )
    if args.include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(args.dropout, name="dropout")(x)
        x = layers.Conv2D(args.classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((args.classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(args.classifier_activation, args.weights)
        x = layers.Activation(args.classifier_activation, name="predictions")(x)
    else:
        x = app.pooling_head(x, args.pooling)
    if args.name is None:
        args.name = f"mobilenet_{alpha:0.2f}_{rows}"
    imagenet = None
    if args.weights == "imagenet":
        tail = "tf" if args.include_top else "tf_no_top"
        imagenet = app.weights_file(
            f"mobilenet_{_ALPHA_TEXT[alpha]}_{rows}_{tail}.h5", BASE_WEIGHT_PATH
        )
    return app.finish(args, img_input, x, imagenet)


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """The first convolution (``conv1``), batch normalization and ReLU6."""
    x = layers.Conv2D(
        int(filters * alpha),
        kernel,
        padding="same",
        use_bias=False,
        strides=strides,
        name="conv1",
    )(inputs)
    x = layers.BatchNormalization(axis=app.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(
    inputs,
    pointwise_conv_filters,
    alpha,
    depth_multiplier=1,
    strides=(1, 1),
    block_id=1,
):
    """A 3x3 depthwise convolution and a 1x1 pointwise one, each followed by
    batch normalization and ReLU6; a strided block pads its input first."""
    axis = app.channel_axis()
    if strides == (1, 1):
        x = inputs
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(inputs)
    x = layers.DepthwiseConv2D(
        (3, 3),
        padding="same" if strides == (1, 1) else "valid",
        depth_multiplier=depth_multiplier,
        strides=strides,
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(
        int(pointwise_conv_filters * alpha),
        (1, 1),
        padding="same",
        use_bias=False,
        strides=(1, 1),
        name=f"conv_pw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
