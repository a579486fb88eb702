"""ResNet50, ResNet101 and ResNet152, and the ResNet builder ResNetV2 shares.

References: [Deep Residual Learning for Image Recognition](
https://arxiv.org/abs/1512.03385) (CVPR 2015); for the V2 blocks, [Identity
Mappings in Deep Residual Networks](https://arxiv.org/abs/1603.05027) (CVPR 2016).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
)
# Keras's MD5s of each model's weights files, with and without the head.
WEIGHTS_HASHES = dict(
    resnet50=("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    resnet101=("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    resnet152=("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    resnet50v2=("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    resnet101v2=("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    resnet152v2=("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
)  # fmt: skip

_EPSILON = 1.001e-5


def _batch_norm(name):
    return layers.BatchNormalization(axis=app.bn_axis(), epsilon=_EPSILON, name=name)


def ResNet(args, stack_fn, preact, use_bias, weights_name=None):
    """A ResNet: the stem, ``stack_fn``'s residual stacks, and the head.

    Args:
        args: the application's arguments.
        stack_fn: builds the residual stacks on the stem's output.
        preact: whether the blocks use pre-activation (ResNetV2): the stem
            then has no batch normalization, and the last stack is followed
            by ``post_bn``/``post_relu``.
        use_bias: whether the stem's convolution has a bias.
        weights_name: the key of Keras's ImageNet weights (``"resnet50"``, ...).
    """
    img_input = app.start(args, 224, 32)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _batch_norm("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = _batch_norm("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = app.head(x, args, named_pooling=True)
    imagenet = None
    if weights_name in WEIGHTS_HASHES:
        imagenet = app.tf_kernels_file(
            weights_name,
            BASE_WEIGHTS_PATH,
            WEIGHTS_HASHES[weights_name],
            args.include_top,
        )
    return app.finish(args, img_input, x, imagenet)


def residual_block_v1(
    x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None
):
    """A bottleneck block: 1x1, ``kernel_size``, 1x1 (4 * ``filters``) convolutions
    each followed by batch normalization, added to the shortcut, then ReLU."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(
            x
        )
        shortcut = _batch_norm(f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = _batch_norm(f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """``blocks`` V1 blocks; the first has the convolution shortcut and stride."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(
    x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None
):
    """A pre-activation bottleneck block (ResNetV2): batch normalization and ReLU
    first, the stride on the 3x3 convolution, no activation after the add."""
    preact = _batch_norm(f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(
            preact
        )
    else:
        # Keras leaves this pooling unnamed: max_pooling2d, max_pooling2d_1, ...
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(
        preact
    )
    x = _batch_norm(f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(
        filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv"
    )(x)
    x = _batch_norm(f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """``blocks`` V2 blocks; the first has the convolution shortcut, the last the
    stride."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def stacks(block_stack, blocks, last_stride1=2, first_stride1=2):
    """The four stacks of 64, 128, 256 and 512 filters with ``blocks`` blocks."""

    def stack_fn(x):
        for i, (filters, count) in enumerate(zip((64, 128, 256, 512), blocks)):
            stride1 = first_stride1 if i == 0 else last_stride1 if i == 3 else 2
            x = block_stack(x, filters, count, stride1=stride1, name=f"conv{i + 2}")
        return x

    return stack_fn


_V1_DOC = """Instantiates the {} architecture.

    Reference: [Deep Residual Learning for Image Recognition](
    https://arxiv.org/abs/1512.03385) (CVPR 2015).

    The default input size is 224x224 (at least 32x32 without the head). Call
    `lamina.applications.resnet.preprocess_input` on the inputs first: it
    converts RGB to BGR and zero-centres each channel on ImageNet's mean,
    without scaling.
    """


def variant(title: str, blocks: tuple, version: int, doc: str, module: str = __name__):
    """ResNet{50,101,152}[V2]: Keras's signature and docstring, and the model
    with ``blocks`` residual blocks in each of its four stacks."""
    key = title.lower()

    @app.application(name=key, doc=doc.format(title))
    def build(args):
        if version == 1:
            stack_fn = stacks(stack_residual_blocks_v1, blocks, first_stride1=1)
        else:
            stack_fn = stacks(stack_residual_blocks_v2, blocks, last_stride1=1)
        return ResNet(args, stack_fn, version == 2, True, weights_name=key)

    build.__name__ = build.__qualname__ = title
    build.__module__ = module
    return build


ResNet50 = variant("ResNet50", (3, 4, 6, 3), 1, _V1_DOC)
ResNet101 = variant("ResNet101", (3, 4, 23, 3), 1, _V1_DOC)
ResNet152 = variant("ResNet152", (3, 8, 36, 3), 1, _V1_DOC)

preprocess_input = imagenet_utils.preprocessor("caffe", __name__)
decode_predictions = imagenet_utils.decode_predictions
