"""Convolution layers: Conv1D/2D/3D, transposed, depthwise and separable."""

from __future__ import annotations

import copy
import inspect
import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_convolutional.npz"
    )
)
CASES = [
    c
    for c in json.loads(str(FIXTURE["cases"]))
    if "Conv" in json.loads(str(FIXTURE[f"{c}_spec"]))["class"]
]
CONFIGS = json.loads(str(FIXTURE["configs"]))


def keras_case(name):
    spec = json.loads(str(FIXTURE[f"{name}_spec"]))
    layer = getattr(layers, spec["class"])(**spec["kwargs"])
    x = torch.as_tensor(FIXTURE[f"{name}_x"])
    layer(x)
    weights = [FIXTURE[f"{name}_w{i}"] for i in range(len(layer.weights))]
    layer.set_weights(weights)
    return layer, x, spec


# ---------------------------------------------------------------- numbers vs Keras
@pytest.mark.parametrize("name", CASES)
def test_matches_keras(name):
    layer, x, spec = keras_case(name)
    expected = FIXTURE[f"{name}_y"]
    output = layer(x)
    np.testing.assert_allclose(output.detach().numpy(), expected, rtol=1e-5, atol=1e-5)
    # The symbolic shape (unknown batch) agrees with the computed one.
    fresh = getattr(layers, spec["class"])(**spec["kwargs"])
    symbolic = fresh(lamina.Input(shape=tuple(x.shape[1:])))
    assert tuple(symbolic.shape) == (None, *expected.shape[1:])


@pytest.mark.parametrize("cls", [c for c in CONFIGS if "Conv" in c])
def test_config_is_keras(cls):
    keras = CONFIGS[cls]
    config = getattr(layers, cls)(name="x", **keras["kwargs"]).get_config()
    assert json.loads(json.dumps(config)) == keras["config"]


# ---------------------------------------------------------------- layer contract
@pytest.mark.parametrize(
    "cls, kwargs, shape, out_shape, weight_shapes",
    [
        (
            layers.Conv1D,
            {"filters": 4, "kernel_size": 3, "padding": "causal"},
            (2, 6, 3),
            (2, 6, 4),
            [(3, 3, 4), (4,)],
        ),
        (
            layers.Conv2D,
            {"filters": 4, "kernel_size": (3, 2), "strides": 2},
            (2, 7, 6, 3),
            (2, 3, 3, 4),
            [(3, 2, 3, 4), (4,)],
        ),
        (
            layers.Conv2D,
            {"filters": 6, "kernel_size": 3, "groups": 3, "use_bias": False},
            (2, 5, 5, 3),
            (2, 3, 3, 6),
            [(3, 3, 1, 6)],
        ),
        (
            layers.Conv3D,
            {"filters": 2, "kernel_size": 2, "data_format": "channels_first"},
            (1, 3, 4, 4, 4),
            (1, 2, 3, 3, 3),
            [(2, 2, 2, 3, 2), (2,)],
        ),
        (
            layers.Conv1DTranspose,
            {"filters": 4, "kernel_size": 3, "strides": 2},
            (2, 5, 3),
            (2, 11, 4),
            [(3, 4, 3), (4,)],
        ),
        (
            layers.Conv2DTranspose,
            {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"},
            (2, 4, 5, 3),
            (2, 8, 10, 4),
            [(3, 3, 4, 3), (4,)],
        ),
        (
            layers.Conv3DTranspose,
            {"filters": 2, "kernel_size": 2, "strides": 2},
            (1, 2, 2, 2, 3),
            (1, 4, 4, 4, 2),
            [(2, 2, 2, 2, 3), (2,)],
        ),
        (
            layers.DepthwiseConv1D,
            {"kernel_size": 3, "depth_multiplier": 2},
            (2, 6, 3),
            (2, 4, 6),
            [(3, 3, 2), (6,)],
        ),
        (
            layers.DepthwiseConv2D,
            {"kernel_size": 3, "padding": "same"},
            (2, 5, 5, 3),
            (2, 5, 5, 3),
            [(3, 3, 3, 1), (3,)],
        ),
        (
            layers.SeparableConv1D,
            {"filters": 4, "kernel_size": 3},
            (2, 6, 3),
            (2, 4, 4),
            [(3, 3, 1), (1, 3, 4), (4,)],
        ),
        (
            layers.SeparableConv2D,
            {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
            (2, 5, 5, 3),
            (2, 3, 3, 4),
            [(3, 3, 3, 2), (1, 1, 6, 4), (4,)],
        ),
    ],
)
def test_layer_contract(cls, kwargs, shape, out_shape, weight_shapes):
    run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_num_trainable_weights=len(weight_shapes),
        expected_weight_shapes=weight_shapes,
    )


def test_aliases_are_keras_names():
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


# ---------------------------------------------------------------- speed-related layout
def test_channels_last_runs_without_copies():
    conv = layers.Conv2D(8, 3, padding="same")
    x = torch.randn(2, 6, 6, 4)
    y = conv(x)
    # The output is a permuted view of torch's channels_last result: plain NHWC.
    assert y.is_contiguous()
    # The kernel keeps Keras's shape but torch's (out, in, kh, kw) memory order.
    assert tuple(conv.kernel.shape) == (3, 3, 4, 8)
    assert conv.kernel.permute(3, 2, 0, 1).is_contiguous()
    # The layout survives set_weights and deepcopy, and gradients follow it.
    conv.set_weights([np.ones((3, 3, 4, 8), "float32"), np.zeros(8, "float32")])
    assert conv.kernel.permute(3, 2, 0, 1).is_contiguous()
    assert copy.deepcopy(conv).kernel.permute(3, 2, 0, 1).is_contiguous()
    conv(x).sum().backward()
    assert conv.kernel.grad.shape == conv.kernel.shape
    np.testing.assert_allclose(conv.get_weights()[0], np.ones((3, 3, 4, 8)))


def test_kernel_regularizer_and_constraint_see_keras_layout():
    conv = layers.Conv2D(
        3,
        2,
        kernel_regularizer=lamina.regularizers.L2(0.5),
        kernel_constraint=lamina.constraints.MaxNorm(1.0, axis=[0, 1, 2]),
    )
    conv(torch.zeros(1, 4, 4, 2))
    kernel = np.arange(24, dtype="float32").reshape(2, 2, 2, 3) / 10
    conv.set_weights([kernel, np.zeros(3, "float32")])
    (penalty,) = conv.losses
    np.testing.assert_allclose(
        float(penalty.detach()), 0.5 * (kernel**2).sum(), rtol=1e-6
    )
    projected = conv.kernel.constraint(conv.kernel).detach().numpy()
    norms = np.sqrt((kernel**2).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(
        projected, kernel / np.maximum(norms, 1.0) * 1.0, rtol=1e-5
    )


# ---------------------------------------------------------------- models
def test_cifar_cnn_parameter_count_and_shapes():
    model = lamina.Sequential(
        [
            layers.Conv2D(32, (3, 3), padding="same", input_shape=(32, 32, 3)),
            layers.Activation("relu"),
            layers.Conv2D(32, (3, 3)),
            layers.Activation("relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Conv2D(64, (3, 3), padding="same"),
            layers.Activation("relu"),
            layers.Conv2D(64, (3, 3)),
            layers.Activation("relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(512),
            layers.Activation("relu"),
            layers.Dropout(0.5),
            layers.Dense(10),
            layers.Activation("softmax"),
        ]
    )
    assert model.count_params() == 1250858
    shapes = [tuple(layer.output.shape) for layer in model.layers]
    assert shapes[1] == (None, 32, 32, 32)
    assert shapes[3] == (None, 30, 30, 32)
    assert shapes[4] == (None, 15, 15, 32)
    assert shapes[10] == (None, 6, 6, 64)
    assert shapes[12] == (None, 2304)
    assert model(torch.zeros(2, 32, 32, 3)).shape == (2, 10)


def test_utkface_cnn_parameter_count():
    model = lamina.Sequential(
        [
            layers.Conv2D(
                input_shape=(48, 48, 3),
                filters=24,
                kernel_size=(3, 3),
                activation="relu",
            ),
            layers.Conv2D(filters=24, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(filters=48, kernel_size=(3, 3), activation="relu"),
            layers.Conv2D(filters=48, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            *[layers.Dense(units=250, activation="relu") for _ in range(3)],
            layers.Dense(units=5, activation="softmax"),
        ]
    )
    assert model.count_params() == 1136085


def test_conv_model_trains():
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 8, 8, 2)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > 0).astype("float32")
    model = lamina.Sequential(
        [
            lamina.Input(shape=(8, 8, 2)),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.SeparableConv2D(8, 3, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------- bad input
def test_conv2d_on_3d_input_names_layer_and_shapes():
    conv = layers.Conv2D(8, 3, name="c")
    with pytest.raises(
        ShapeError,
        match=r"'c'.*Conv2D expects a 4-D input \(batch, "
        r"height, width, channels\), received shape \(2, 28, 28\)",
    ):
        conv(torch.zeros(2, 28, 28))
    with pytest.raises(ShapeError, match=r"Conv2D expects a 4-D.*\(None, 28, 28\)"):
        layers.Conv2D(8, 3)(lamina.Input(shape=(28, 28)))
    with pytest.raises(
        ShapeError,
        match=r"Conv1D expects a 3-D input \(batch, "
        r"channels, steps\)",
    ):
        layers.Conv1D(2, 3, data_format="channels_first")(torch.zeros(2, 3, 4, 5))


def test_kernel_larger_than_input_with_valid_padding():
    with pytest.raises(
        ShapeError,
        match=r"kernel \(size \(5, 5\).*larger than the "
        r"input's spatial shape \(4, 6\)",
    ):
        layers.Conv2D(2, 5)(torch.zeros(1, 4, 6, 3))
    with pytest.raises(ShapeError, match="larger than the input"):
        layers.Conv1D(2, 3, dilation_rate=3)(lamina.Input(shape=(6, 2)))
    # With "same" padding the same sizes are fine.
    assert layers.Conv2D(2, 5, padding="same")(torch.zeros(1, 4, 6, 3)).shape == (
        1,
        4,
        6,
        2,
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": 0, "kernel_size": 3}, "filters=0"),
        ({"filters": -2, "kernel_size": 3}, "filters=-2"),
        ({"filters": 2.5, "kernel_size": 3}, "filters=2.5"),
        ({"filters": 2, "kernel_size": 0}, "kernel_size=0"),
        ({"filters": 2, "kernel_size": (3, -1)}, r"kernel_size=\(3, -1\)"),
        ({"filters": 2, "kernel_size": (3, 3, 3)}, "tuple of 2"),
        ({"filters": 2, "kernel_size": 3, "strides": 0}, "strides=0"),
        ({"filters": 2, "kernel_size": 3, "strides": (1, -2)}, "strides"),
        ({"filters": 2, "kernel_size": 3, "dilation_rate": 0}, "dilation_rate=0"),
        ({"filters": 2, "kernel_size": 3, "padding": "causal"}, "padding='causal'"),
        ({"filters": 2, "kernel_size": 3, "padding": "full"}, "padding='full'"),
        ({"filters": 2, "kernel_size": 3, "data_format": "NHWC"}, "data_format='NHWC'"),
        (
            {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
            "dilation_rate > 1",
        ),
        ({"filters": 3, "kernel_size": 3, "groups": 2}, "groups=2, filters=3"),
        ({"filters": 2, "kernel_size": 3, "groups": 0}, "groups=0"),
    ],
)
def test_conv2d_invalid_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        layers.Conv2D(**kwargs)


def test_other_invalid_arguments():
    with pytest.raises(ArgumentError, match="output_padding"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ArgumentError, match="padding"):
        layers.Conv1DTranspose(2, 3, padding="causal")
    with pytest.raises(ArgumentError, match="depth_multiplier=0"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ArgumentError, match="filters=-1"):
        layers.SeparableConv2D(-1, 3)
    with pytest.raises(ArgumentError, match="lora_rank"):
        layers.Conv2D(2, 3, lora_rank=4)
    with pytest.raises(ShapeError, match="groups=2.*3 channels"):
        layers.Conv2D(4, 3, groups=2)(torch.zeros(1, 5, 5, 3))
    conv = layers.Conv2D(4, 3, name="c2")
    conv(torch.zeros(1, 5, 5, 3))
    with pytest.raises(ShapeError, match=r'"c2".*axis -1.*value 3'):
        conv(torch.zeros(1, 5, 5, 2))


def test_keras_1_argument_names_warn_and_work():
    with pytest.warns(DeprecationWarning):
        conv = layers.Convolution1D(
            nb_filter=4,
            filter_length=3,
            border_mode="same",
            subsample_length=2,
            init="zeros",
        )
    assert (conv.filters, conv.kernel_size, conv.padding, conv.strides) == (
        4,
        (3,),
        "same",
        (2,),
    )
    assert not conv(torch.ones(1, 6, 2)).any()
    with pytest.warns(DeprecationWarning):
        conv = layers.Convolution2D(
            nb_filter=2,
            nb_row=3,
            nb_col=1,
            dim_ordering="th",
            W_regularizer="l2",
            bias=False,
        )
    assert (conv.kernel_size, conv.data_format, conv.use_bias) == (
        (3, 1),
        "channels_first",
        False,
    )
    assert conv.get_config()["kernel_regularizer"]["class_name"] == "L2"


# ---------------------------------------------------------------- signatures
# Keras 3's constructor arguments (before **kwargs), in its order.
_CONV = (
    "filters kernel_size strides padding data_format dilation_rate groups "
    "activation use_bias kernel_initializer bias_initializer kernel_regularizer "
    "bias_regularizer activity_regularizer kernel_constraint bias_constraint"
)
_TRANSPOSE = _CONV.replace("padding data_format", "padding output_padding data_format")
_TRANSPOSE = _TRANSPOSE.replace(" groups", "")
_DEPTHWISE = (
    "kernel_size strides padding depth_multiplier data_format dilation_rate "
    "activation use_bias depthwise_initializer bias_initializer "
    "depthwise_regularizer bias_regularizer activity_regularizer "
    "depthwise_constraint bias_constraint"
)
_SEPARABLE = (
    "filters kernel_size strides padding data_format dilation_rate "
    "depth_multiplier activation use_bias depthwise_initializer "
    "pointwise_initializer bias_initializer depthwise_regularizer "
    "pointwise_regularizer bias_regularizer activity_regularizer "
    "depthwise_constraint pointwise_constraint bias_constraint"
)
KERAS_ARGUMENTS = {
    **{f"Conv{r}D": _CONV for r in (1, 2, 3)},
    "Conv1DTranspose": _TRANSPOSE,
    "Conv2DTranspose": _TRANSPOSE,
    "Conv3DTranspose": _TRANSPOSE.replace(
        "output_padding data_format", "data_format output_padding"
    ),
    **{f"DepthwiseConv{r}D": _DEPTHWISE for r in (1, 2)},
    **{f"SeparableConv{r}D": _SEPARABLE for r in (1, 2)},
}


@pytest.mark.parametrize("cls", sorted(KERAS_ARGUMENTS))
def test_signature_and_help_are_keras(cls):
    layer_class = getattr(layers, cls)
    parameters = inspect.signature(layer_class).parameters
    assert list(parameters) == [*KERAS_ARGUMENTS[cls].split(), "kwargs"]
    doc = inspect.getdoc(layer_class)
    for section in ("Example:", "Args:", "Input shape:", "Output shape:"):
        assert section in doc
    for name in parameters:
        assert f"    {name}: " in doc or name == "kwargs"


def test_arguments_bind_by_position_in_keras_order():
    layer = layers.Conv3DTranspose(4, 3, 2, "same", "channels_first", 1)
    assert (layer.data_format, layer.output_padding) == ("channels_first", (1, 1, 1))
    layer = layers.SeparableConv1D(4, 3, 1, "valid", None, 1, 2, "relu", False)
    assert (layer.depth_multiplier, layer.use_bias) == (2, False)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: layers.Conv2D(*range(17)), "takes from 1 to 17 positional"),
        (lambda: layers.Conv2D(4, filters=3), "multiple values for argument 'filters'"),
        (
            lambda: layers.Conv2DTranspose(),
            "missing 2 required positional arguments: 'filters' and 'kernel_size'",
        ),
    ],
)
def test_bad_calls_raise_python_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()
