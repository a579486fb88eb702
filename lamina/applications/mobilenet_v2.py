"""MobileNetV2.

Reference: [MobileNetV2: Inverted Residuals and Linear Bottlenecks](
https://arxiv.org/abs/1801.04381) (CVPR 2018).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.applications.mobilenet import imagenet_rows, square_default_size
from lamina.backend import image_data_format
from lamina.backend.keras_tensor import is_keras_tensor
from lamina.errors import ArgumentError

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
)
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
# The 17 inverted residual blocks: (filters, stride, expansion).
_BLOCKS = [
    (16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6),
    (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6),
    (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6),
]  # fmt: skip


def check_input_tensor(input_tensor, input_shape) -> None:
    """Keras's checks of an ``input_tensor`` given with an ``input_shape``."""
    if input_shape is None or input_tensor is None:
        return
    if not is_keras_tensor(input_tensor):
        raise ArgumentError(
            f"input_tensor is not a Keras tensor; Received `input_tensor={input_tensor}`"
        )
    first = image_data_format() == "channels_first"
    if input_tensor.shape[1 if first else 2] != input_shape[1]:
        raise ArgumentError(
            f"input_shape[1] must equal input_tensor.shape[{1 if first else 2}]; "
            f"Received `input_tensor.shape={input_tensor.shape}`, "
            f"`input_shape={input_shape}`"
        )


def image_shape(input_tensor, input_shape):
    """The shape of one image: ``input_shape``, else ``input_tensor``'s."""
    if input_shape is None and is_keras_tensor(input_tensor):
        return tuple(input_tensor.shape[1:])
    return input_shape


@app.application(
    "input_shape alpha include_top weights input_tensor pooling classes "
    "classifier_activation",
    name=None,
    alpha=1.0,
    docs={
        "alpha": "the width multiplier: below 1.0 it reduces the number of "
        "filters in each layer, above 1.0 it increases it. ImageNet weights "
        "exist for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4.",
        "name": "the model's name; by default `mobilenetv2_{alpha}_{rows}`.",
    },
)
def MobileNetV2(args):
    """Instantiates the MobileNetV2 architecture.

    Reference: [MobileNetV2: Inverted Residuals and Linear Bottlenecks](
    https://arxiv.org/abs/1801.04381) (CVPR 2018).

    The default input size is 224x224 (at least 32x32 without the head);
    ImageNet weights exist for square inputs of 96, 128, 160, 192 and 224
    pixels. Call `lamina.applications.mobilenet_v2.preprocess_input` on the
    inputs first: it scales pixels to [-1, 1].
    """
    check_input_tensor(args.input_tensor, args.input_shape)
    shape = image_shape(args.input_tensor, args.input_shape)
    app.check_arguments(args, square_default_size(shape, _SIZES), 32)
    alpha = args.alpha
    if args.weights == "imagenet" and alpha not in _ALPHAS:
        raise ArgumentError(
            "If imagenet weights are being loaded, alpha must be one of `0.35`, "
            f"`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received `alpha={alpha}`"
        )
    rows = imagenet_rows(args, _SIZES)
    img_input = app.image_input(args.input_tensor, args.input_shape)
    x = layers.Conv2D(
        make_divisible(32 * alpha, 8),
        kernel_size=3,
        strides=(2, 2),
        padding="same",
        use_bias=False,
        name="Conv1",
    )(img_input)
    x = _batch_norm("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters, block_id)
    last_block_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(
        x
    )
    x = _batch_norm("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    x = app.head(x, args, pool_name=None)
    if args.name is None:
        args.name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    imagenet = None
    if args.weights == "imagenet":
        tail = "" if args.include_top else "_no_top"
        imagenet = app.weights_file(
            "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_"
            f"{float(alpha)}_{rows}{tail}.h5",
            BASE_WEIGHT_PATH,
        )
    return app.finish(args, img_input, x, imagenet)


def _batch_norm(name):
    return layers.BatchNormalization(
        axis=app.channel_axis(), epsilon=1e-3, momentum=0.999, name=name
    )


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1, ReLU6; not in block 0), depthwise 3x3 (ReLU6), project
    (1x1, linear); added to the input when the shapes allow."""
    in_channels = inputs.shape[app.channel_axis()]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(
            expansion * in_channels,
            kernel_size=1,
            padding="same",
            use_bias=False,
            activation=None,
            name=f"{prefix}expand",
        )(x)
        x = _batch_norm(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad"
        )(x)
    x = layers.DepthwiseConv2D(
        kernel_size=3,
        strides=stride,
        activation=None,
        use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=f"{prefix}depthwise",
    )(x)
    x = _batch_norm(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(
        pointwise_filters,
        kernel_size=1,
        padding="same",
        use_bias=False,
        activation=None,
        name=f"{prefix}project",
    )(x)
    x = _batch_norm(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def make_divisible(v, divisor=8, min_value=None):
    """``v`` rounded to a multiple of ``divisor``, not below 90% of ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
