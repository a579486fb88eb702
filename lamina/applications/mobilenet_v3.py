"""MobileNetV3Small and MobileNetV3Large.

Reference: [Searching for MobileNetV3](https://arxiv.org/pdf/1905.02244.pdf)
(ICCV 2019).

The models rescale their inputs themselves (a `Rescaling` layer first, unless
``include_preprocessing=False``): pass images with values in [0, 255];
`preprocess_input` is a placeholder that returns its input.
"""

from __future__ import annotations

import warnings

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.applications.mobilenet_v2 import make_divisible as _depth
from lamina.applications.operations import Add, Multiply
from lamina.backend import image_data_format
from lamina.backend.keras_tensor import is_keras_tensor
from lamina.errors import ArgumentError

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
)
WEIGHTS_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb", "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7", "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c", "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7", "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862", "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37", "cde8136e733e811080d9fcd8a252f7e4"),
}  # fmt: skip

# The inverted residual blocks: (expansion, filters, kernel, stride, squeeze-
# and-excite, activation), where kernel "k", excite True and activation "act"
# stand for the variant's (5, 0.25 and hard swish, or 3, none and ReLU when
# minimalistic).
_SMALL = [
    (1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"),
    (88.0 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "act"),
    (6, 40, "k", 1, True, "act"), (6, 40, "k", 1, True, "act"),
    (3, 48, "k", 1, True, "act"), (3, 48, "k", 1, True, "act"),
    (6, 96, "k", 2, True, "act"), (6, 96, "k", 1, True, "act"),
    (6, 96, "k", 1, True, "act"),
]  # fmt: skip
_LARGE = [
    (1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
    (3, 24, 3, 1, False, "relu"), (3, 40, "k", 2, True, "relu"),
    (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"),
    (6, 80, 3, 2, False, "act"), (2.5, 80, 3, 1, False, "act"),
    (2.3, 80, 3, 1, False, "act"), (2.3, 80, 3, 1, False, "act"),
    (6, 112, 3, 1, True, "act"), (6, 112, 3, 1, True, "act"),
    (6, 160, "k", 2, True, "act"), (6, 160, "k", 1, True, "act"),
    (6, 160, "k", 1, True, "act"),
]  # fmt: skip

ARGUMENTS = (
    "input_shape alpha minimalistic include_top weights input_tensor classes "
    "pooling dropout_rate classifier_activation include_preprocessing"
)
DOCS = {
    "input_shape": "optional shape of one image, e.g. `(224, 224, 3)`; by default "
    "`(None, None, 3)` (or taken from `input_tensor`). At least 32x32; ImageNet "
    "weights were trained on 224x224 images.",
    "alpha": "the width multiplier: below 1.0 it reduces the number of filters in "
    "each layer, above 1.0 it increases it. ImageNet weights exist for 0.75 and "
    "1.0 (1.0 only when minimalistic).",
    "minimalistic": "whether to use the minimalistic variant: no "
    "squeeze-and-excite blocks, no hard swish and 3x3 convolutions only, for "
    "hardware that does not support them well.",
    "dropout_rate": "the dropout rate before the last convolution of the head "
    "(0 for none).",
}


def MobileNetV3(args, blocks, last_point_ch, model_type):
    """A MobileNetV3 of ``blocks`` (`_SMALL` or `_LARGE`) whose head's
    penultimate convolution has ``last_point_ch`` filters."""
    app.check_weights(args.weights, args.include_top, args.classes)
    input_shape = _input_shape(args.input_tensor, args.input_shape)
    first = image_data_format() == "channels_first"
    rows, cols = input_shape[1:3] if first else input_shape[:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ArgumentError(
            f"Input size must be at least 32x32; Received `input_shape={input_shape}`"
        )
    alpha, minimalistic = args.alpha, args.minimalistic
    if args.weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (
            minimalistic and alpha != 1.0
        ):
            raise ArgumentError(
                "If imagenet weights are being loaded, alpha can be one of `0.75`, "
                "`1.0` for non minimalistic or `1.0` for minimalistic only."
            )
        if rows != cols or rows != 224:
            warnings.warn(
                "`input_shape` is undefined or non-square, or `rows` is not 224. "
                "Weights for input shape (224, 224) will be loaded as the default.",
                stacklevel=5,
            )
    img_input = app.image_input(args.input_tensor, input_shape)
    kernel, se_ratio = (3, None) if minimalistic else (5, 0.25)
    activation = relu if minimalistic else hard_swish
    x = img_input
    if args.include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(
        16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="conv"
    )(x)
    x = _batch_norm("conv_bn")(x)
    x = activation(x)
    for block_id, (expansion, filters, k, stride, excite, act) in enumerate(blocks):
        x = _inverted_res_block(
            x,
            expansion,
            _depth(filters * alpha),
            kernel if k == "k" else k,
            stride,
            se_ratio if excite else None,
            activation if act == "act" else relu,
            block_id,
        )
    last_conv_ch = _depth(x.shape[app.channel_axis()] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(
        last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="conv_1"
    )(x)
    x = _batch_norm("conv_1_bn")(x)
    x = activation(x)
    if args.include_top:
        x = _top(x, args, last_point_ch, activation)
    else:
        x = app.pooling_head(x, args.pooling, "avg_pool", "max_pool")
    imagenet = None
    if args.weights == "imagenet":
        variant = "_minimalistic" if minimalistic else ""
        model_name = f"{model_type}{variant}_224_{alpha}_float"
        tail = "" if args.include_top else "_no_top_v2"
        imagenet = app.weights_file(
            f"weights_mobilenet_v3_{model_name}{tail}.h5",
            BASE_WEIGHT_PATH,
            WEIGHTS_HASHES[model_name][0 if args.include_top else 1],
        )
    return app.finish(args, img_input, x, imagenet)


def _top(x, args, last_point_ch, activation):
    """Pooling, a 1x1 convolution, dropout, the 1x1 ``logits`` convolution."""
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(
        last_point_ch, kernel_size=1, padding="same", use_bias=True, name="conv_2"
    )(x)
    x = activation(x)
    if args.dropout_rate > 0:
        x = layers.Dropout(args.dropout_rate)(x)
    x = layers.Conv2D(args.classes, kernel_size=1, padding="same", name="logits")(x)
    x = layers.Flatten()(x)
    imagenet_utils.validate_activation(args.classifier_activation, args.weights)
    return layers.Activation(args.classifier_activation, name="predictions")(x)


def _input_shape(input_tensor, input_shape):
    """Keras's checks of ``input_tensor`` and ``input_shape``, and the shape."""
    first = image_data_format() == "channels_first"
    if input_tensor is not None and not is_keras_tensor(input_tensor):
        raise ArgumentError(
            f"input_tensor specified: {input_tensor} is not a keras tensor"
        )
    if input_shape is not None and input_tensor is not None:
        if input_tensor.shape[1 if first else 2] != input_shape[1]:
            raise ArgumentError(
                f"input_shape[1] must equal input_tensor.shape[{1 if first else 2}].  "
                f"Received input_shape={input_shape}, "
                f"input_tensor.shape={input_tensor.shape}"
            )
    if input_shape is None and input_tensor is not None:
        # Keras's order: (3, cols, rows) or (cols, rows, 3).
        rows, cols = input_tensor.shape[2:4] if first else input_tensor.shape[1:3]
        return (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        return (3, None, None) if first else (None, None, 3)
    return input_shape


_DOC = """Instantiates the {} architecture.

    Reference: [Searching for MobileNetV3](https://arxiv.org/pdf/1905.02244.pdf)
    (ICCV 2019).

    The model rescales its inputs itself (unless `include_preprocessing=False`):
    pass images with values in [0, 255]. Any input size of at least 32x32 works;
    ImageNet weights were trained on 224x224 images.
    """
_DEFAULTS = {"alpha": 1.0, "minimalistic": False, "dropout_rate": 0.2}


@app.application(
    ARGUMENTS,
    name="MobileNetV3Small",
    doc=_DOC.format("MobileNetV3Small"),
    docs=DOCS,
    **_DEFAULTS,
)
def MobileNetV3Small(args):
    return MobileNetV3(args, _SMALL, 1024, "small")


@app.application(
    ARGUMENTS,
    name="MobileNetV3Large",
    doc=_DOC.format("MobileNetV3Large"),
    docs=DOCS,
    **_DEFAULTS,
)
def MobileNetV3Large(args):
    return MobileNetV3(args, _LARGE, 1280, "large")


def relu(x):
    return layers.ReLU()(x)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``, written as Keras writes it: operations around a ReLU."""
    return Multiply()(layers.ReLU(6.0)(Add()(x, 3.0)), 1.0 / 6.0)


def hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _batch_norm(name):
    return layers.BatchNormalization(
        axis=app.channel_axis(), epsilon=1e-3, momentum=0.999, name=name
    )


def _se_block(inputs, filters, se_ratio, prefix):
    """Squeeze and excite: the channels scaled by a gate computed from their means."""
    x = layers.GlobalAveragePooling2D(
        keepdims=True, name=f"{prefix}squeeze_excite_avg_pool"
    )(inputs)
    x = layers.Conv2D(
        _depth(filters * se_ratio),
        kernel_size=1,
        padding="same",
        name=f"{prefix}squeeze_excite_conv",
    )(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv_1"
    )(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(
    x, expansion, filters, kernel_size, stride, se_ratio, activation, block_id
):
    """Expand (1x1; not in block 0), depthwise ``kernel_size``, squeeze and
    excite (with ``se_ratio``), project (1x1); added to the input when the
    shapes allow."""
    shortcut = x
    prefix = "expanded_conv_"
    infilters = x.shape[app.channel_axis()]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(
            _depth(infilters * expansion),
            kernel_size=1,
            padding="same",
            use_bias=False,
            name=f"{prefix}expand",
        )(x)
        x = _batch_norm(f"{prefix}expand_bn")(x)
        x = activation(x)
    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"{prefix}depthwise_pad",
        )(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=f"{prefix}depthwise",
    )(x)
    x = _batch_norm(f"{prefix}depthwise_bn")(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project"
    )(x)
    x = _batch_norm(f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


preprocess_input = imagenet_utils.preprocessor(None, __name__)
decode_predictions = imagenet_utils.decode_predictions
