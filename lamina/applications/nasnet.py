"""NASNetMobile and NASNetLarge (NASNet-A).

Reference: [Learning Transferable Architectures for Scalable Image
Recognition](https://arxiv.org/abs/1707.07012) (CVPR 2018).

Keras refuses NASNetMobile on its torch backend (a bug of that backend);
lamina builds it as Keras does on its other backends.
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.errors import ArgumentError

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
)
# default size -> Keras's (file name, URL name, hash) with and without the head.
WEIGHTS = {
    224: (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
          ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63")),
    331: (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
          ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5", "d81d89dc07e6e56530c4e77faddd61b5")),
}  # fmt: skip
_BN = {"momentum": 0.9997, "epsilon": 1e-3}


def NASNet(
    args,
    penultimate_filters=4032,
    num_blocks=6,
    stem_block_filters=96,
    skip_reduction=True,
    filter_multiplier=2,
    default_size=None,
):
    """A NASNet-A network: a stem, two stem reduction cells, then three groups
    of ``num_blocks`` normal cells separated by reduction cells.

    Args:
        args: the application's arguments.
        penultimate_filters: the number of filters in the penultimate layer
            (a multiple of 24 * ``filter_multiplier`` ** 2).
        num_blocks: the number of normal cells in each of the three groups.
        stem_block_filters: the filters of the first convolution.
        skip_reduction: whether the cells after a reduction skip back to the
            cell before it (NASNetLarge) rather than to the reduction cell.
        filter_multiplier: the growth of the filters at each reduction.
        default_size: the default input size (331 for NASNetLarge, 224 for
            NASNetMobile).
    """
    app.channels_last_only("NASNet")
    app.check_weights(args.weights, args.include_top, args.classes)
    shape = args.input_shape
    if isinstance(shape, tuple) and None in shape and args.weights == "imagenet":
        raise ArgumentError(
            "When specifying the input shape of a NASNet and loading `ImageNet` "
            "weights, the input_shape argument must be static (no None entries). "
            f"Got: `input_shape={shape}`."
        )
    default_size = default_size or 331
    img_input = app.start(args, default_size, 32)
    if penultimate_filters % (24 * (filter_multiplier**2)) != 0:
        raise ArgumentError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of 24 "
            f"* (`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )
    filters = penultimate_filters // 24
    x = layers.Conv2D(
        stem_block_filters,
        (3, 3),
        strides=(2, 2),
        padding="valid",
        use_bias=False,
        name="stem_conv1",
        kernel_initializer="he_normal",
    )(img_input)
    x = _batch_norm("stem_bn1")(x)
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier**2), "stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, "stem_2")
    for group in range(3):
        group_filters = filters * filter_multiplier**group
        if group:
            reduce_id = f"reduce_{group * num_blocks}"
            x, p0 = _reduction_a_cell(x, p, group_filters, reduce_id)
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block_id = f"{group * num_blocks + i + (1 if group else 0)}"
            x, p = _normal_a_cell(x, p, group_filters, block_id)
    x = layers.Activation("relu")(x)
    x = app.head(x, args, pool_name=None)
    imagenet = None
    if args.weights == "imagenet":
        if default_size not in WEIGHTS:
            raise ArgumentError(
                "ImageNet weights can only be loaded with NASNetLarge or NASNetMobile"
            )
        file_name, url_name, file_hash = WEIGHTS[default_size][
            0 if args.include_top else 1
        ]
        imagenet = (file_name, BASE_WEIGHTS_PATH + url_name, file_hash)
    return app.finish(args, img_input, x, imagenet)


_DOC = """Instantiates a NASNet model in ImageNet mode ({}).

    Reference: [Learning Transferable Architectures for Scalable Image
    Recognition](https://arxiv.org/abs/1707.07012) (CVPR 2018).

    The default input size is {size}x{size} (at least 32x32 without the head;
    ImageNet weights need a static input shape); only the `channels_last` data
    format is supported. Call `lamina.applications.nasnet.preprocess_input` on
    the inputs first: it scales pixels to [-1, 1].
    """
_ARGUMENTS = (
    "input_shape include_top weights input_tensor pooling classes classifier_activation"
)


@app.application(
    _ARGUMENTS,
    name="nasnet_mobile",
    doc=_DOC.format("NASNet-A (4 @ 1056)", size=224),
)
def NASNetMobile(args):
    if not args.include_top and args.input_shape is None:
        args.input_shape = (224, 224, 3)
    return NASNet(args, 1056, 4, 32, skip_reduction=False, default_size=224)


@app.application(
    _ARGUMENTS,
    name="nasnet_large",
    doc=_DOC.format("NASNet-A (6 @ 4032)", size=331),
)
def NASNetLarge(args):
    return NASNet(args, 4032, 6, 96, skip_reduction=True, default_size=331)


def _batch_norm(name):
    return layers.BatchNormalization(axis=app.channel_axis(), name=name, **_BN)


def _conv_bn(x, filters, conv_name, bn_name, strides=(1, 1)):
    """ReLU (unnamed), a 1x1 convolution and batch normalization."""
    x = layers.Activation("relu")(x)
    x = layers.Conv2D(
        filters,
        (1, 1),
        strides=strides,
        padding="same",
        name=conv_name,
        use_bias=False,
        kernel_initializer="he_normal",
    )(x)
    return _batch_norm(bn_name)(x)


def _separable_conv_block(
    ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None
):
    """Two rounds of ReLU, separable convolution and batch normalization; the
    first strided (after TensorFlow-style padding) when ``strides`` is 2."""
    x = layers.Activation("relu")(ip)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size),
            name=f"separable_conv_1_pad_{block_id}",
        )(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.SeparableConv2D(
        filters,
        kernel_size,
        strides=strides,
        name=f"separable_conv_1_{block_id}",
        padding=conv_pad,
        use_bias=False,
    )(x)
    x = _batch_norm(f"separable_conv_1_bn_{block_id}")(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(
        filters,
        kernel_size,
        name=f"separable_conv_2_{block_id}",
        padding="same",
        use_bias=False,
    )(x)
    return _batch_norm(f"separable_conv_2_bn_{block_id}")(x)


def _adjust_block(p, ip, filters, block_id=None):
    """Brings the previous cell's output ``p`` to the shape of ``ip``: a
    factorized reduction when their sizes differ, a projection when their
    channels do."""
    channel_dim = app.channel_axis()
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D(
            (1, 1),
            strides=(2, 2),
            padding="valid",
            name=f"adjust_avg_pool_1_{block_id}",
        )(p)
        p1 = _conv_1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D(
            (1, 1),
            strides=(2, 2),
            padding="valid",
            name=f"adjust_avg_pool_2_{block_id}",
        )(p2)
        p2 = _conv_1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.concatenate([p1, p2], axis=channel_dim)
        return _batch_norm(f"adjust_bn_{block_id}")(p)
    if p.shape[channel_dim] != filters:
        return _conv_bn(
            p, filters, f"adjust_conv_projection_{block_id}", f"adjust_bn_{block_id}"
        )
    return p


def _conv_1x1(x, filters, name):
    return layers.Conv2D(
        filters,
        (1, 1),
        padding="same",
        use_bias=False,
        name=name,
        kernel_initializer="he_normal",
    )(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A normal cell: five branch pairs added, concatenated with ``p``."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _conv_bn(ip, filters, f"normal_conv_1_{block_id}", f"normal_bn_1_{block_id}")
    x1_1 = _separable_conv_block(
        h, filters, (5, 5), block_id=f"normal_left1_{block_id}"
    )
    x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
    x2_1 = _separable_conv_block(
        p, filters, (5, 5), block_id=f"normal_left2_{block_id}"
    )
    x2_2 = _separable_conv_block(
        p, filters, (3, 3), block_id=f"normal_right2_{block_id}"
    )
    x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
    x3 = _average_pool(h, 1, f"normal_left3_{block_id}", padding="same")
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4_1 = _average_pool(p, 1, f"normal_left4_{block_id}", padding="same")
    x4_2 = _average_pool(p, 1, f"normal_right4_{block_id}", padding="same")
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate(
        [p, x1, x2, x3, x4, x5],
        axis=app.channel_axis(),
        name=f"normal_concat_{block_id}",
    )
    return x, ip


def _average_pool(x, stride, name, padding="valid"):
    return layers.AveragePooling2D(
        (3, 3), strides=(stride, stride), padding=padding, name=name
    )(x)


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A reduction cell: halves the size; four branch pairs, concatenated."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _conv_bn(
        ip, filters, f"reduction_conv_1_{block_id}", f"reduction_bn_1_{block_id}"
    )
    h3 = layers.ZeroPadding2D(
        padding=imagenet_utils.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}"
    )(h)
    x1_1 = _separable_conv_block(
        h, filters, (5, 5), strides=(2, 2), block_id=f"reduction_left1_{block_id}"
    )
    x1_2 = _separable_conv_block(
        p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right1_{block_id}"
    )
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
    x2_1 = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}"
    )(h3)
    x2_2 = _separable_conv_block(
        p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right2_{block_id}"
    )
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
    x3_1 = _average_pool(h3, 2, f"reduction_left3_{block_id}")
    x3_2 = _separable_conv_block(
        p, filters, (5, 5), strides=(2, 2), block_id=f"reduction_right3_{block_id}"
    )
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
    x4 = _average_pool(x1, 1, f"reduction_left4_{block_id}", padding="same")
    x4 = layers.add([x2, x4])
    x5_1 = _separable_conv_block(
        x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"
    )
    x5_2 = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}"
    )(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
    x = layers.concatenate(
        [x2, x3, x4, x5], axis=app.channel_axis(), name=f"reduction_concat_{block_id}"
    )
    return x, ip


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
