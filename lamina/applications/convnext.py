"""ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge and ConvNeXtXLarge.

Reference: [A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545)
(CVPR 2022).

The models normalise their inputs themselves (unless
``include_preprocessing=False``): pass images with values in [0, 255];
`preprocess_input` is a placeholder that returns its input.
"""

from __future__ import annotations

import numpy as np
import torch

from lamina import initializers, layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.applications.operations import Add
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.models import Sequential
from lamina.ops.function import get_source_inputs
from lamina.random import uniform

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
)
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768]},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768]},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024]},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536]},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048]},
}
for _config in MODEL_CONFIGS.values():
    _config["default_size"] = 224

_KERAS_MODULE = "keras.src.applications.convnext"


class StochasticDepth(Layer):
    """Drops the residual branch of a whole sample with ``drop_path_rate`` while
    training (and scales the kept ones up); the identity at inference.

    Reference: [Deep Networks with Stochastic Depth](
    https://arxiv.org/abs/1603.09382).

    Args:
        drop_path_rate: the probability of dropping a sample's branch.
    """

    _keras_module = _KERAS_MODULE

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        keep = torch.floor(keep_prob + uniform(shape, 0, 1, dtype=self.dtype))
        return x / keep_prob * keep.to(x.device)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}

    def _serialization_extras(self) -> dict:
        return {"registered_name": "StochasticDepth"}


class LayerScale(Layer):
    """Multiplies its input by a learned per-channel scale (``gamma``).

    Reference: [Going deeper with Image Transformers](
    https://arxiv.org/abs/2103.17239).

    Args:
        init_values: the scale's initial value.
        projection_dim: the number of channels.
    """

    _keras_module = _KERAS_MODULE

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, _):
        self.gamma = self.add_weight(
            shape=(self.projection_dim,),
            initializer=initializers.Constant(self.init_values),
            trainable=True,
        )

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "init_values": self.init_values,
            "projection_dim": self.projection_dim,
        }

    def _serialization_extras(self) -> dict:
        return {"registered_name": "LayerScale"}


def ConvNeXtBlock(
    projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None
):
    """A ConvNeXt block: a 7x7 depthwise convolution, layer normalization, an
    inverted bottleneck of two Dense layers (GELU between), a layer scale,
    added to the input. Returns the function that applies it."""

    def apply(inputs):
        x = layers.Conv2D(
            filters=projection_dim,
            kernel_size=7,
            padding="same",
            groups=projection_dim,
            name=f"{name}_depthwise_conv",
        )(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(
                layer_scale_init_value, projection_dim, name=f"{name}_layer_scale"
            )(x)
        if drop_path_rate:
            layer = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            layer = layers.Activation("linear", name=f"{name}_identity")
        # Keras writes `inputs + layer(x)`: an operation node, not a layer.
        return Add()(inputs, layer(x))

    return apply


def PreStem(name=None):
    """Normalises [0, 255] images with ImageNet's mean and standard deviation."""

    def apply(x):
        return layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization",
        )(x)

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Global average pooling, layer normalization and the classifier."""

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(
            num_classes, activation=classifier_activation, name=f"{name}_head_dense"
        )(x)

    return apply


def ConvNeXt(
    args,
    depths,
    projection_dims,
    drop_path_rate=0.0,
    layer_scale_init_value=1e-6,
    default_size=224,
    weights_name=None,
):
    """A ConvNeXt: a patchify stem, four stages of ``depths`` blocks with
    ``projection_dims`` channels, downsampling between them.

    Args:
        args: the application's arguments.
        drop_path_rate: the largest stochastic depth rate (increasing
            linearly along the blocks).
        layer_scale_init_value: the initial layer scale (None: no scale).
        weights_name: the key of Keras's ImageNet weights (``"convnext_tiny"``).
    """
    app.channels_last_only("ConvNeXt")
    name = args.name
    img_input = app.start(args, default_size, 32)
    if args.input_tensor is not None:
        inputs = get_source_inputs(args.input_tensor)[0]
        x = args.input_tensor
    else:
        inputs = x = img_input
    if args.include_preprocessing and args.input_shape[app.bn_axis() - 1] == 3:
        x = PreStem(name=name)(x)
    stem = Sequential(
        [
            layers.Conv2D(
                projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"
            ),
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
        ],
        name=f"{name}_stem",
    )
    downsample_layers = [stem] + [
        Sequential(
            [
                layers.LayerNormalization(
                    epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"
                ),
                layers.Conv2D(
                    projection_dims[i + 1],
                    kernel_size=2,
                    strides=2,
                    name=f"{name}_downsampling_conv_{i}",
                ),
            ],
            name=f"{name}_downsampling_block_{i}",
        )
        for i in range(3)
    ]
    depth_drop_rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i in range(4):
        x = downsample_layers[i](x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(
                projection_dim=projection_dims[i],
                drop_path_rate=depth_drop_rates[cur + j],
                layer_scale_init_value=layer_scale_init_value,
                name=f"{name}_stage_{i}_block_{j}",
            )(x)
        cur += depths[i]
    if args.include_top:
        imagenet_utils.validate_activation(args.classifier_activation, args.weights)
        x = Head(args.classes, args.classifier_activation, name=name)(x)
    else:
        x = app.pooling_head(x, args.pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    imagenet = None
    if args.weights == "imagenet":
        _check_imagenet_variant(depths, projection_dims, name, weights_name)
        suffix = ".h5" if args.include_top else "_notop.h5"
        imagenet = app.weights_file(
            f"{name}{suffix}",
            BASE_WEIGHTS_PATH,
            WEIGHTS_HASHES[weights_name][0 if args.include_top else 1],
        )
    # The model starts at the input's source: `finish` needs no input_tensor.
    args.input_tensor = None
    return app.finish(args, inputs, x, imagenet)


def _check_imagenet_variant(depths, projection_dims, name, weights_name) -> None:
    expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if depths != expected["depths"] or projection_dims != expected["projection_dims"]:
        raise ArgumentError(
            f"Architecture configuration does not match {weights_name} variant. When "
            "using pre-trained weights, the model architecture must match the "
            f"pre-trained configuration exactly. Expected depths: {expected['depths']}, "
            f"got: {depths}. Expected projection_dims: {expected['projection_dims']}, "
            f"got: {projection_dims}."
        )
    if weights_name not in name:
        raise ArgumentError(
            f'Model name "{name}" does not match weights variant "{weights_name}". '
            "When using imagenet weights, model name must contain the weights variant "
            f'(e.g., "convnext_{weights_name.split("convnext_")[-1]}").'
        )


_DOC = """Instantiates the {} architecture.

    Reference: [A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545)
    (CVPR 2022).

    The default input size is 224x224 (at least 32x32 without the head); only
    the `channels_last` data format is supported. The model normalises its
    inputs itself (unless `include_preprocessing=False`): pass images with
    values in [0, 255].
    """
_ARGUMENTS = (
    "include_top include_preprocessing weights input_tensor input_shape pooling "
    "classes classifier_activation"
)


def _variant(size: str):
    """ConvNeXt{Size}: Keras's signature, docstring and configuration."""
    key = f"convnext_{size}"
    title = "ConvNeXt" + ("XLarge" if size == "xlarge" else size.capitalize())
    config = MODEL_CONFIGS[size]

    @app.application(_ARGUMENTS, name=key, doc=_DOC.format(title))
    def build(args):
        return ConvNeXt(
            args,
            config["depths"],
            config["projection_dims"],
            default_size=config["default_size"],
            weights_name=key,
        )

    build.__name__ = build.__qualname__ = title
    return build


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")

preprocess_input = imagenet_utils.preprocessor(None, __name__)
decode_predictions = imagenet_utils.decode_predictions
