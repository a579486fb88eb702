"""InceptionResNetV2.

Reference: [Inception-v4, Inception-ResNet and the Impact of Residual
Connections on Learning](https://arxiv.org/abs/1602.07261) (AAAI 2017).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer

BASE_WEIGHT_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
)
WEIGHTS_HASHES = (
    "e693bd0210a403b3192acc6073ad2e96",
    "d19885ff4a710c122648d3b5c3b684e4",
)

# The branches of each block type: lists of (filters, kernel size) convolutions.
_BRANCHES = {
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, [1, 7]), (192, [7, 1])]],
    "block8": [[(192, 1)], [(192, 1), (224, [1, 3]), (256, [3, 1])]],
}


@app.application(name="inception_resnet_v2")
def InceptionResNetV2(args):
    """Instantiates the Inception-ResNet v2 architecture.

    Reference: [Inception-v4, Inception-ResNet and the Impact of Residual
    Connections on Learning](https://arxiv.org/abs/1602.07261) (AAAI 2017).

    The default input size is 299x299 (at least 75x75 without the head). Call
    `lamina.applications.inception_resnet_v2.preprocess_input` on the inputs
    first: it scales pixels to [-1, 1].
    """
    img_input = app.start(args, 299, 75)
    # Stem: 35 x 35 x 192
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    # Mixed 5b (Inception-A block): 35 x 35 x 320
    branches = [
        conv2d_bn(x, 96, 1),
        _chain(x, [(48, 1), (64, 5)]),
        _chain(x, [(64, 1), (96, 3), (96, 3)]),
        conv2d_bn(layers.AveragePooling2D(3, strides=1, padding="same")(x), 64, 1),
    ]
    x = layers.Concatenate(axis=app.bn_axis(), name="mixed_5b")(branches)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, 0.17, "block35", block_idx)
    # Mixed 6a (Reduction-A block): 17 x 17 x 1088
    branches = [
        conv2d_bn(x, 384, 3, strides=2, padding="valid"),
        _chain(x, [(256, 1), (256, 3)], (384, 3)),
        layers.MaxPooling2D(3, strides=2, padding="valid")(x),
    ]
    x = layers.Concatenate(axis=app.bn_axis(), name="mixed_6a")(branches)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, 0.1, "block17", block_idx)
    # Mixed 7a (Reduction-B block): 8 x 8 x 2080
    branches = [
        _chain(x, [(256, 1)], (384, 3)),
        _chain(x, [(256, 1)], (288, 3)),
        _chain(x, [(256, 1), (288, 3)], (320, 3)),
        layers.MaxPooling2D(3, strides=2, padding="valid")(x),
    ]
    x = layers.Concatenate(axis=app.bn_axis(), name="mixed_7a")(branches)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, 0.2, "block8", block_idx)
    x = inception_resnet_block(x, 1.0, "block8", 10, activation=None)
    # Final convolution block: 8 x 8 x 1536
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    x = app.head(x, args)
    imagenet = app.tf_kernels_file(
        "inception_resnet_v2", BASE_WEIGHT_URL, WEIGHTS_HASHES, args.include_top
    )
    return app.finish(args, img_input, x, imagenet)


def conv2d_bn(
    x,
    filters,
    kernel_size,
    strides=1,
    padding="same",
    activation="relu",
    use_bias=False,
    name=None,
):
    """A convolution, then (without bias) batch normalization without scale,
    then ``activation``; named ``{name}``, ``{name}_bn``, ``{name}_ac``."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        name=name,
    )(x)
    if not use_bias:
        x = layers.BatchNormalization(
            axis=app.bn_axis(), scale=False, name=None if name is None else f"{name}_bn"
        )(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(
            x
        )
    return x


def _chain(x, convs, reduction=None):
    """Same-padded convolutions, then a stride-2 "valid" one if ``reduction``."""
    for filters, kernel_size in convs:
        x = conv2d_bn(x, filters, kernel_size)
    if reduction is not None:
        x = conv2d_bn(x, reduction[0], reduction[1], strides=2, padding="valid")
    return x


class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: a residual added with a scale."""

    _keras_module = "keras.src.applications.inception_resnet_v2"

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def _serialization_extras(self) -> dict:
        return {"registered_name": "CustomScaleLayer"}


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """An Inception-ResNet block: branches concatenated (``{block}_mixed``), a
    1x1 convolution with bias back to the input's channels (``{block}_conv``),
    added to the input with ``scale``, then ``activation`` (``{block}_ac``).

    Args:
        x: the input tensor.
        scale: the weight of the residual branch.
        block_type: ``"block35"``, ``"block17"`` or ``"block8"``.
        block_idx: the block's number, for its layers' names.
        activation: the activation at the end, or None.
    """
    if block_type not in _BRANCHES:
        raise ArgumentError(
            'Unknown Inception-ResNet block type. Expects "block35", "block17" or '
            f'"block8", but got: {block_type}'
        )
    branches = [_chain(x, convs) for convs in _BRANCHES[block_type]]
    block_name = f"{block_type}_{block_idx}"
    channel_axis = app.bn_axis()
    mixed = layers.Concatenate(axis=channel_axis, name=f"{block_name}_mixed")(branches)
    up = conv2d_bn(
        mixed,
        x.shape[channel_axis],
        1,
        activation=None,
        use_bias=True,
        name=f"{block_name}_conv",
    )
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
