"""InceptionV3.

Reference: [Rethinking the Inception Architecture for Computer Vision](
http://arxiv.org/abs/1512.00567) (CVPR 2016).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils

WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
)
WEIGHTS_HASHES = (
    "9a0d58056eeedaa3f26cb7ebd46da564",
    "bcbd6486424b2319ff4ef7d526e38f63",
)


@app.application(name="inception_v3")
def InceptionV3(args):
    """Instantiates the Inception v3 architecture.

    Reference: [Rethinking the Inception Architecture for Computer Vision](
    http://arxiv.org/abs/1512.00567) (CVPR 2016).

    The default input size is 299x299 (at least 75x75 without the head). Call
    `lamina.applications.inception_v3.preprocess_input` on the inputs first: it
    scales pixels to [-1, 1].
    """
    img_input = app.start(args, 299, 75)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    # mixed 0, 1, 2: 35 x 35 x 256, 288, 288
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{i}")
    # mixed 3: 17 x 17 x 768
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    branch3x3dbl = _chain(x, [(64, 1, 1), (96, 3, 3)])
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _concat([branch3x3, branch3x3dbl, branch_pool], "mixed3")
    # mixed 4, 5, 6, 7: 17 x 17 x 768
    for i, filters in enumerate((128, 160, 160, 192)):
        x = _block_17(x, filters, f"mixed{4 + i}")
    # mixed 8: 8 x 8 x 1280
    branch3x3 = conv2d_bn(x, 192, 1, 1)
    branch3x3 = conv2d_bn(branch3x3, 320, 3, 3, strides=(2, 2), padding="valid")
    branch7x7x3 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _concat([branch3x3, branch7x7x3, branch_pool], "mixed8")
    # mixed 9, 10: 8 x 8 x 2048
    for i in range(2):
        x = _block_8(x, i)
    x = app.head(x, args)
    imagenet = app.tf_kernels_file(
        "inception_v3", WEIGHTS_PATH, WEIGHTS_HASHES, args.include_top
    )
    return app.finish(args, img_input, x, imagenet)


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """A convolution without bias, batch normalization without scale, ReLU.

    Named ``{name}_conv``, ``{name}_bn`` and ``{name}`` when ``name`` is given;
    Keras's automatic names otherwise.
    """
    x = layers.Conv2D(
        filters,
        (num_row, num_col),
        strides=strides,
        padding=padding,
        use_bias=False,
        name=None if name is None else f"{name}_conv",
    )(x)
    x = layers.BatchNormalization(
        axis=app.bn_axis(), scale=False, name=None if name is None else f"{name}_bn"
    )(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, convs):
    for filters, rows, cols in convs:
        x = conv2d_bn(x, filters, rows, cols)
    return x


def _concat(branches, name=None):
    return layers.concatenate(branches, axis=app.bn_axis(), name=name)


def _average_pool_branch(x, filters):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _block_35(x, pool_filters, name):
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = _chain(x, [(48, 1, 1), (64, 5, 5)])
    branch3x3dbl = _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)])
    branch_pool = _average_pool_branch(x, pool_filters)
    return _concat([branch1x1, branch5x5, branch3x3dbl, branch_pool], name)


def _block_17(x, filters, name):
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = _chain(x, [(filters, 1, 1), (filters, 1, 7), (192, 7, 1)])
    branch7x7dbl = _chain(
        x,
        [
            (filters, 1, 1),
            (filters, 7, 1),
            (filters, 1, 7),
            (filters, 7, 1),
            (192, 1, 7),
        ],
    )
    branch_pool = _average_pool_branch(x, 192)
    return _concat([branch1x1, branch7x7, branch7x7dbl, branch_pool], name)


def _block_8(x, i):
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = conv2d_bn(x, 384, 1, 1)
    branch3x3 = _concat(
        [conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)],
        f"mixed9_{i}",
    )
    branch3x3dbl = _chain(x, [(448, 1, 1), (384, 3, 3)])
    branch3x3dbl = _concat(
        [conv2d_bn(branch3x3dbl, 384, 1, 3), conv2d_bn(branch3x3dbl, 384, 3, 1)]
    )
    branch_pool = _average_pool_branch(x, 192)
    return _concat([branch1x1, branch3x3, branch3x3dbl, branch_pool], f"mixed{9 + i}")


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
