"""EfficientNetV2B0 to B3, EfficientNetV2S, EfficientNetV2M and EfficientNetV2L.

Reference: [EfficientNetV2: Smaller Models and Faster Training](
https://arxiv.org/abs/2104.00298) (ICML 2021).

The models rescale (and, B0 to B3, normalise) their inputs themselves, unless
``include_preprocessing=False``: pass images with values in [0, 255];
`preprocess_input` is a placeholder that returns its input.
"""

from __future__ import annotations

import copy
import math

from lamina import initializers, layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    residual,
    se_block,
    top,
)
from lamina.errors import ArgumentError

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
)
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters",
         "expand_ratio", "se_ratio", "strides", "conv_type")  # fmt: skip
_B = [
    (3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
    (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
    (3, 8, 112, 192, 6, 0.25, 2, 0),
]  # fmt: skip
_STAGES = {
    "efficientnetv2-s": [
        (3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
        (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
        (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0),
    ],
    "efficientnetv2-m": [
        (3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
        (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
        (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
        (3, 5, 304, 512, 6, 0.25, 1, 0),
    ],
    "efficientnetv2-l": [
        (3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
        (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
        (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
        (3, 7, 384, 640, 6, 0.25, 1, 0),
    ],
    **{f"efficientnetv2-b{i}": _B for i in range(4)},
}  # fmt: skip
DEFAULT_BLOCKS_ARGS = {
    variant: [dict(zip(_KEYS, stage)) for stage in stages]
    for variant, stages in _STAGES.items()
}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """``filters`` scaled by ``width_coefficient``, rounded to ``depth_divisor``."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(
        max(
            minimum_depth,
            int(filters + depth_divisor / 2) // depth_divisor * depth_divisor,
        )
    )


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _conv(filters, kernel_size, strides, name, **kwargs):
    return layers.Conv2D(
        filters,
        kernel_size=kernel_size,
        strides=strides,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        use_bias=False,
        name=name,
        **kwargs,
    )


def _bn_activation(x, bn_momentum, activation, name, bn_name):
    x = layers.BatchNormalization(
        axis=app.bn_axis(), momentum=bn_momentum, name=bn_name
    )(x)
    return layers.Activation(activation, name=name)(x)


def mb_conv_block(
    input_filters,
    output_filters,
    expand_ratio=1,
    kernel_size=3,
    strides=1,
    se_ratio=0.0,
    bn_momentum=0.9,
    activation="swish",
    survival_probability=0.8,
    name=None,
    fused=False,
):
    """An inverted residual block: expand (1x1), depthwise ``kernel_size``,
    squeeze and excite, project (1x1); or, ``fused``, one expanding
    ``kernel_size`` convolution instead of the first two. Added to its input
    when the shapes allow. Returns the function that applies it (Keras's
    ``MBConvBlock`` and ``FusedMBConvBlock``)."""

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            kernel, stride = (kernel_size, strides) if fused else (1, 1)
            x = _conv(filters, kernel, stride, f"{name}expand_conv")(x)
            x = _bn_activation(
                x,
                bn_momentum,
                activation,
                f"{name}expand_activation",
                f"{name}expand_bn",
            )
        if not fused:
            x = layers.DepthwiseConv2D(
                kernel_size=kernel_size,
                strides=strides,
                depthwise_initializer=CONV_KERNEL_INITIALIZER,
                padding="same",
                use_bias=False,
                name=f"{name}dwconv2",
            )(x)
            x = _bn_activation(
                x, bn_momentum, activation, f"{name}activation", f"{name}bn"
            )
        if 0 < se_ratio <= 1:
            x = se_block(x, input_filters, filters, se_ratio, activation, name)
        fused_alone = fused and expand_ratio == 1  # the one convolution
        x = _conv(
            output_filters,
            kernel_size if fused_alone else 1,
            strides if fused_alone else 1,
            f"{name}project_conv",
        )(x)
        x = layers.BatchNormalization(
            axis=app.bn_axis(), momentum=bn_momentum, name=f"{name}project_bn"
        )(x)
        if fused_alone:
            x = layers.Activation(activation, name=f"{name}project_activation")(x)
        if strides == 1 and input_filters == output_filters:
            x = residual(x, inputs, survival_probability, name)
        return x

    return apply


def EfficientNetV2(
    args,
    width_coefficient,
    depth_coefficient,
    default_size,
    variant,
    weights_name,
    dropout_rate=0.2,
    drop_connect_rate=0.2,
    depth_divisor=8,
    min_depth=8,
    bn_momentum=0.9,
    activation="swish",
    blocks_args="default",
):
    """An EfficientNetV2 of ``variant`` (``"efficientnetv2-s"``, ...), scaled by
    ``width_coefficient`` and ``depth_coefficient``.

    Keras picks the stages and the preprocessing by the model's ``name``;
    here by ``variant`` (the default name), so a model renamed with ``name=``
    is the same network.
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[variant]
    img_input = app.start(args, default_size, 32)
    bn_axis = app.bn_axis()

    def scaled(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if args.include_preprocessing:
        num_channels = args.input_shape[bn_axis - 1]
        if variant.split("-")[-1].startswith("b") and num_channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(
                mean=[0.485, 0.456, 0.406],
                variance=[0.229**2, 0.224**2, 0.225**2],
                axis=bn_axis,
            )(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(scaled(blocks_args[0]["input_filters"]), 3, 2, "stem_conv")(x)
    x = _bn_activation(x, bn_momentum, activation, "stem_activation", "stem_bn")

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(stage["num_repeat"] for stage in blocks_args))
    for i, stage in enumerate(blocks_args):
        if stage["num_repeat"] <= 0:
            raise ArgumentError(
                "The number of repeats in `EfficientNetV2` must be > 0. Received: "
                f"num_repeat={stage['num_repeat']}"
            )
        stage["input_filters"] = scaled(stage["input_filters"])
        stage["output_filters"] = scaled(stage["output_filters"])
        fused = stage.pop("conv_type") == 1
        for j in range(round_repeats(stage.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                stage["strides"] = 1
                stage["input_filters"] = stage["output_filters"]
            x = mb_conv_block(
                activation=activation,
                bn_momentum=bn_momentum,
                survival_probability=drop_connect_rate * b / blocks,
                name=f"block{i + 1}{chr(j + 97)}_",
                fused=fused,
                **stage,
            )(x)
            b += 1

    x = _conv(scaled(1280), 1, 1, "top_conv")(x)
    x = _bn_activation(x, bn_momentum, activation, "top_activation", "top_bn")
    x = top(x, args, dropout_rate, bias_initializer=initializers.Constant(0.0))
    imagenet = None
    if args.weights == "imagenet":
        suffix = ".h5" if args.include_top else "_notop.h5"
        imagenet = app.weights_file(
            f"{variant}{suffix}",
            BASE_WEIGHTS_PATH,
            WEIGHTS_HASHES[weights_name][0 if args.include_top else 1],
        )
    return app.finish(args, img_input, x, imagenet)


_DOC = """Instantiates the {} architecture.

    Reference: [EfficientNetV2: Smaller Models and Faster Training](
    https://arxiv.org/abs/2104.00298) (ICML 2021).

    The default input size is {size}x{size} (at least 32x32 without the head).
    The model rescales its inputs itself (unless `include_preprocessing=False`):
    pass images with values in [0, 255].
    """


def _variant(suffix, width, depth, size):
    """EfficientNetV2{suffix}: Keras's signature, docstring and coefficients."""
    key = suffix.lower() if suffix.startswith("B") else f"-{suffix.lower()}"
    variant = f"efficientnetv2-{suffix.lower()}"

    @app.application(
        STANDARD_V2,
        name=variant,
        doc=_DOC.format(f"EfficientNetV2{suffix}", size=size),
    )
    def build(args):
        return EfficientNetV2(args, width, depth, size, variant, key)

    build.__name__ = build.__qualname__ = f"EfficientNetV2{suffix}"
    return build


STANDARD_V2 = app.STANDARD + " classifier_activation include_preprocessing"

EfficientNetV2B0 = _variant("B0", 1.0, 1.0, 224)
EfficientNetV2B1 = _variant("B1", 1.0, 1.1, 240)
EfficientNetV2B2 = _variant("B2", 1.1, 1.2, 260)
EfficientNetV2B3 = _variant("B3", 1.2, 1.4, 300)
EfficientNetV2S = _variant("S", 1.0, 1.0, 384)
EfficientNetV2M = _variant("M", 1.0, 1.0, 480)
EfficientNetV2L = _variant("L", 1.0, 1.0, 480)

preprocess_input = imagenet_utils.preprocessor(None, __name__)
decode_predictions = imagenet_utils.decode_predictions
