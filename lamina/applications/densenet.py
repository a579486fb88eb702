"""DenseNet121, DenseNet169 and DenseNet201.

Reference: [Densely Connected Convolutional Networks](
https://arxiv.org/abs/1608.06993) (CVPR 2017).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.errors import ArgumentError

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
)
# Blocks per dense stage -> (weights key, hash with the head, hash without).
WEIGHTS = {
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}  # fmt: skip
_EPSILON = 1.001e-5


def _batch_norm(name):
    return layers.BatchNormalization(axis=app.bn_axis(), epsilon=_EPSILON, name=name)


def dense_block(x, blocks, name):
    """``blocks`` conv blocks, each concatenating 32 new channels to its input."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """Batch normalization, ReLU, a 1x1 convolution to ``reduction`` of the
    channels, 2x2 average pooling."""
    x = _batch_norm(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(
        int(x.shape[app.bn_axis()] * reduction), 1, use_bias=False, name=f"{name}_conv"
    )(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    """A 1x1 bottleneck and a 3x3 convolution of ``growth_rate`` filters, each
    after batch normalization and ReLU, concatenated to the input."""
    x1 = _batch_norm(f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _batch_norm(f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(
        growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv"
    )(x1)
    return layers.Concatenate(axis=app.bn_axis(), name=f"{name}_concat")([x, x1])


def DenseNet(args, blocks):
    """A DenseNet with ``blocks`` conv blocks in each of its four dense stages."""
    app.channels_last_only("DenseNet")
    img_input = app.start(args, 224, 32)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _batch_norm("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{stage + 2}")
        if stage < 3:
            x = transition_block(x, 0.5, name=f"pool{stage + 2}")
    x = _batch_norm("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = app.head(x, args, named_pooling=True)
    imagenet = None
    if args.weights == "imagenet":
        if tuple(blocks) not in WEIGHTS:
            raise ArgumentError("weights_path undefined")
        family, *hashes = WEIGHTS[tuple(blocks)]
        imagenet = app.tf_kernels_file(
            family, BASE_WEIGHTS_PATH, hashes, args.include_top
        )
    return app.finish(args, img_input, x, imagenet)


_DOC = """Instantiates the {} architecture.

    Reference: [Densely Connected Convolutional Networks](
    https://arxiv.org/abs/1608.06993) (CVPR 2017).

    The default input size is 224x224 (at least 32x32 without the head); only
    the `channels_last` data format is supported. Call
    `lamina.applications.densenet.preprocess_input` on the inputs first: it
    scales pixels to [0, 1] and normalises each channel with ImageNet's mean
    and standard deviation.
    """


@app.application(name="densenet121", doc=_DOC.format("DenseNet121"))
def DenseNet121(args):
    return DenseNet(args, [6, 12, 24, 16])


@app.application(name="densenet169", doc=_DOC.format("DenseNet169"))
def DenseNet169(args):
    return DenseNet(args, [6, 12, 32, 32])


@app.application(name="densenet201", doc=_DOC.format("DenseNet201"))
def DenseNet201(args):
    return DenseNet(args, [6, 12, 48, 32])


preprocess_input = imagenet_utils.preprocessor("torch", __name__)
decode_predictions = imagenet_utils.decode_predictions
