"""EfficientNetB0 to EfficientNetB7.

Reference: [EfficientNet: Rethinking Model Scaling for Convolutional Neural
Networks](https://arxiv.org/abs/1905.11946) (ICML 2019).

The models rescale and normalise their inputs themselves: pass images with
values in [0, 255]; `preprocess_input` is a placeholder that returns its input.
"""

from __future__ import annotations

import copy
import math

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.errors import ArgumentError

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

DEFAULT_BLOCKS_ARGS = [
    {"kernel_size": k, "repeats": r, "filters_in": fi, "filters_out": fo,
     "expand_ratio": e, "id_skip": True, "strides": s, "se_ratio": 0.25}
    for k, r, fi, fo, e, s in [
        (3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
        (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
        (3, 1, 192, 320, 6, 1),
    ]
]  # fmt: skip

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def EfficientNet(
    args,
    width_coefficient,
    depth_coefficient,
    default_size,
    dropout_rate=0.2,
    drop_connect_rate=0.2,
    depth_divisor=8,
    activation="swish",
    blocks_args="default",
    weights_name=None,
):
    """An EfficientNet scaled by ``width_coefficient`` (filters) and
    ``depth_coefficient`` (blocks per stage), with ``default_size`` inputs.

    Args:
        args: the application's arguments.
        dropout_rate: the dropout rate before the classifier.
        drop_connect_rate: the largest dropout rate of the residual blocks
            (increasing linearly along the network).
        depth_divisor: the unit the number of filters is rounded to.
        activation: the activation of the blocks.
        blocks_args: the stages' arguments of `block` (`DEFAULT_BLOCKS_ARGS`).
        weights_name: the key of Keras's ImageNet weights (``"b0"``, ...).
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    img_input = app.start(args, default_size, 32)
    bn_axis = app.bn_axis()

    def round_filters(filters, divisor=depth_divisor):
        filters *= width_coefficient
        new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
        if new_filters < 0.9 * filters:  # not more than 10% fewer
            new_filters += divisor
        return int(new_filters)

    def round_repeats(repeats):
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=bn_axis)(x)
    if args.weights == "imagenet":
        # Keras's published weights expect this (1 / sqrt(stddev)) scaling.
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(
        padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad"
    )(x)
    x = layers.Conv2D(
        round_filters(32),
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(round_repeats(stage["repeats"]) for stage in blocks_args))
    for i, stage in enumerate(blocks_args):
        if stage["repeats"] <= 0:
            raise ArgumentError(
                "The number of repeats in `EfficientNet` must be > 0. Received: "
                f"repeats={stage['repeats']}"
            )
        stage["filters_in"] = round_filters(stage["filters_in"])
        stage["filters_out"] = round_filters(stage["filters_out"])
        for j in range(round_repeats(stage.pop("repeats"))):
            if j > 0:  # only the first block of a stage strides and widens
                stage["strides"] = 1
                stage["filters_in"] = stage["filters_out"]
            x = block(
                x,
                activation,
                drop_connect_rate * b / blocks,
                name=f"block{i + 1}{chr(j + 97)}_",
                **stage,
            )
            b += 1

    x = layers.Conv2D(
        round_filters(1280),
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    x = top(x, args, dropout_rate)
    imagenet = None
    if args.weights == "imagenet":
        suffix = ".h5" if args.include_top else "_notop.h5"
        imagenet = app.weights_file(
            f"efficientnet{weights_name}{suffix}",
            BASE_WEIGHTS_PATH,
            WEIGHTS_HASHES[weights_name][0 if args.include_top else 1],
        )
    return app.finish(args, img_input, x, imagenet)


def top(x, args, dropout_rate, **dense_kwargs):
    """The head (average pooling, dropout, classifier) or the pooling."""
    if not args.include_top:
        return app.pooling_head(x, args.pooling, "avg_pool", "max_pool")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    return app.dense_predictions(
        x, args, kernel_initializer=DENSE_KERNEL_INITIALIZER, **dense_kwargs
    )


def se_block(x, filters_in, filters, se_ratio, activation, name):
    """Squeeze and excite: the channels scaled by a gate computed from their means."""
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se_shape = (filters, 1, 1) if app.bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(
        filters_se,
        1,
        padding="same",
        activation=activation,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_reduce",
    )(se)
    se = layers.Conv2D(
        filters,
        1,
        padding="same",
        activation="sigmoid",
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_expand",
    )(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def residual(x, inputs, drop_rate, name):
    """``x + inputs``, ``x`` first dropped per sample when ``drop_rate`` > 0."""
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(
            x
        )
    return layers.add([x, inputs], name=f"{name}add")


def block(
    inputs,
    activation="swish",
    drop_rate=0.0,
    name="",
    filters_in=32,
    filters_out=16,
    kernel_size=3,
    strides=1,
    expand_ratio=1,
    se_ratio=0.0,
    id_skip=True,
):
    """An inverted residual block: expand (1x1), depthwise ``kernel_size``,
    squeeze and excite, project (1x1); added to the input when the shapes
    allow (and ``id_skip``)."""
    bn_axis = app.bn_axis()
    filters = filters_in * expand_ratio
    if expand_ratio != 1:
        x = layers.Conv2D(
            filters,
            1,
            padding="same",
            use_bias=False,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}expand_conv",
        )(inputs)
        x = layers.BatchNormalization(axis=bn_axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    else:
        x = inputs
    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{name}dwconv_pad"
        )(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding=conv_pad,
        use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}dwconv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = se_block(x, filters_in, filters, se_ratio, activation, name)
    x = layers.Conv2D(
        filters_out,
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}project_conv",
    )(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        x = residual(x, inputs, drop_rate, name)
    return x


_DOC = """Instantiates the {} architecture.

    Reference: [EfficientNet: Rethinking Model Scaling for Convolutional Neural
    Networks](https://arxiv.org/abs/1905.11946) (ICML 2019).

    The default input size is {size}x{size} (at least 32x32 without the head).
    The model rescales and normalises its inputs itself: pass images with
    values in [0, 255].
    """


def _variant(key, width, depth, size, dropout):
    """EfficientNetB{key}: Keras's signature, docstring and coefficients."""

    @app.application(
        name=f"efficientnet{key}",
        doc=_DOC.format(f"EfficientNet{key.upper()}", size=size),
    )
    def build(args):
        return EfficientNet(args, width, depth, size, dropout, weights_name=key)

    build.__name__ = build.__qualname__ = f"EfficientNet{key.upper()}"
    return build


EfficientNetB0 = _variant("b0", 1.0, 1.0, 224, 0.2)
EfficientNetB1 = _variant("b1", 1.0, 1.1, 240, 0.2)
EfficientNetB2 = _variant("b2", 1.1, 1.2, 260, 0.3)
EfficientNetB3 = _variant("b3", 1.2, 1.4, 300, 0.3)
EfficientNetB4 = _variant("b4", 1.4, 1.8, 380, 0.4)
EfficientNetB5 = _variant("b5", 1.6, 2.2, 456, 0.4)
EfficientNetB6 = _variant("b6", 1.8, 2.6, 528, 0.5)
EfficientNetB7 = _variant("b7", 2.0, 3.1, 600, 0.5)

preprocess_input = imagenet_utils.preprocessor(None, __name__)
decode_predictions = imagenet_utils.decode_predictions
