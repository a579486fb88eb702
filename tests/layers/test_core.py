"""Core and reshaping layers: Dense, Activation, Dropout, Embedding, Lambda, ..."""

from __future__ import annotations

import json
import os
import re
import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.regularization.dropout import scaled_keep_mask
from lamina.serialization import safe_mode_scope
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_core.npz")
)


def close(actual, name):
    expected = FIXTURE[name]
    np.testing.assert_allclose(
        np.asarray(actual.detach()), expected, rtol=1e-6, atol=1e-6
    )


# ---------------------------------------------------------------- Dense
def test_dense_basics():
    run_layer_test(
        layers.Dense,
        {"units": 3, "activation": "relu"},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=2,
        expected_weight_shapes=[(4, 3), (3,)],
        supports_masking=True,
    )
    run_layer_test(
        layers.Dense,
        {"units": 3, "use_bias": False},
        input_shape=(2, 5, 4),
        expected_output_shape=(2, 5, 3),
        expected_num_trainable_weights=1,
    )


@pytest.mark.parametrize(
    "activation",
    ["linear", "relu", "sigmoid", "tanh", "softmax", "gelu", "selu", "elu"],
)
def test_dense_matches_keras(activation):
    dense = layers.Dense(5, activation=activation)
    dense.build((None, 6))
    dense.set_weights([FIXTURE["dense_kernel"], FIXTURE["dense_bias"]])
    close(dense(torch.as_tensor(FIXTURE["x2"])), f"dense_{activation}")
    close(dense(torch.as_tensor(FIXTURE["x3"])), f"dense3d_{activation}")


def test_dense_wrong_trailing_dimension_names_layer_and_shapes():
    dense = layers.Dense(3, name="head")
    dense(torch.zeros(2, 4))
    with pytest.raises(ShapeError, match=r'"head".*axis -1.*value 4.*\(2, 5\)'):
        dense(torch.zeros(2, 5))


@pytest.mark.parametrize("units", [0, -3, 2.5, "3", None])
def test_dense_invalid_units(units):
    with pytest.raises(ArgumentError, match=f"units={units!r}"):
        layers.Dense(units)


def test_set_weights_wrong_count_and_shape():
    dense = layers.Dense(3, name="d")
    dense(torch.zeros(2, 4))
    with pytest.raises(ShapeError, match="expected 2 weights.*received 1"):
        dense.set_weights([np.zeros((4, 3))])
    with pytest.raises(ShapeError, match=r"d/kernel.*\(4, 3\).*\(5, 3\)"):
        dense.set_weights([np.zeros((5, 3)), np.zeros(3)])


# ---------------------------------------------------------------- Activation
def test_activation_layer():
    run_layer_test(
        layers.Activation,
        {"activation": "relu"},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
    )
    x = torch.as_tensor(FIXTURE["x3"])
    close(layers.Activation("gelu")(x), "activation_gelu")
    close(layers.Activation("swish")(x), "activation_swish")
    assert (
        layers.Activation(lamina.activations.tanh).get_config()["activation"] == "tanh"
    )


# ---------------------------------------------------------------- Dropout
def test_dropout_basics():
    run_layer_test(
        layers.Dropout,
        {"rate": 0.5},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
        deterministic=False,
    )
    config = layers.Dropout(0.2, noise_shape=[None, 1], seed=3).get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (
        0.2,
        (None, 1),
        3,
    )


def test_dropout_is_identity_unless_training():
    layer = layers.Dropout(0.5)
    x = torch.randn(8, 16)
    assert layer(x) is x
    assert layer(x, training=False) is x


def test_dropout_distribution_and_scaling():
    torch.manual_seed(0)
    rate = 0.3
    y = layers.Dropout(rate)(torch.ones(400, 500), training=True)
    kept = y != 0
    assert abs(kept.float().mean().item() - (1 - rate)) < 0.005
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / (1 - rate)))


@pytest.mark.parametrize("rate", [0.001, 0.2, 0.5, 0.999])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_dropout_mask_rate_in_every_lane(rate, dtype):
    # Each 64-bit draw gives 4 entries: every one of the 4 positions drops at
    # `rate` (to 2**-16), on a shape whose size is not a multiple of 4.
    torch.manual_seed(1)
    like = torch.empty(0, dtype=dtype)
    mask = scaled_keep_mask((1001, 999), rate, like)
    assert mask.dtype == dtype and mask.shape == (1001, 999)
    values = set(mask.unique().tolist())
    assert values <= {0.0, torch.tensor(1 / (1 - rate), dtype=dtype).item()}
    lanes = (mask == 0).flatten()[: 1001 * 999 // 4 * 4].view(-1, 4).double()
    tolerance = 5 * (rate * (1 - rate) / lanes.shape[0]) ** 0.5 + 2**-16
    assert (lanes.mean(0) - rate).abs().max().item() < tolerance


def test_dropout_gradient_uses_same_mask():
    x = torch.randn(64, 32, requires_grad=True)
    y = layers.Dropout(0.5)(x, training=True)
    y.sum().backward()
    torch.testing.assert_close(x.grad, (y.detach() != 0).float() * 2.0)


def test_dropout_noise_shape_and_seed():
    x = torch.ones(4, 6, 8)
    y = layers.Dropout(0.5, noise_shape=(None, 1, 8), seed=7)(x, training=True)
    # The same features are dropped at every timestep.
    assert torch.equal(y, y[:, :1, :].expand_as(y))
    y2 = layers.Dropout(0.5, noise_shape=(None, 1, 8), seed=7)(x, training=True)
    assert torch.equal(y, y2)
    with pytest.raises(ArgumentError, match="noise_shape"):
        layers.Dropout(0.5, noise_shape=(None, 1))(x, training=True)


def test_dropout_rate_edges():
    x = torch.randn(3, 4)
    assert torch.equal(layers.Dropout(1.0)(x, training=True), torch.zeros(3, 4))
    assert layers.Dropout(0.0)(x, training=True) is x


@pytest.mark.parametrize("rate", [1.5, -0.1, "0.5"])
def test_dropout_invalid_rate(rate):
    message = (
        "Invalid value received for argument `rate`. Expected a float value "
        f"between 0 and 1. Received: rate={rate}"
    )
    with pytest.raises(ArgumentError, match=re.escape(message)):
        layers.Dropout(rate)


@pytest.mark.parametrize("noise_shape", ["abc", (None, 0), (2.5,)])
def test_dropout_invalid_noise_shape(noise_shape):
    with pytest.raises(ArgumentError, match="noise_shape"):
        layers.Dropout(0.5, noise_shape=noise_shape)


# ---------------------------------------------------------------- reshaping
def test_flatten():
    run_layer_test(
        layers.Flatten, {}, input_shape=(2, 3, 4), expected_output_shape=(2, 12)
    )
    run_layer_test(layers.Flatten, {}, input_shape=(2,), expected_output_shape=(2, 1))
    x = torch.arange(24.0).reshape(2, 3, 4)
    first = layers.Flatten(data_format="channels_first")(x)
    torch.testing.assert_close(first, x.permute(0, 2, 1).reshape(2, 12))
    assert lamina.layers.Flatten()(lamina.Input((None, 4))).shape == (None, None)
    with pytest.raises(ArgumentError, match="data_format"):
        layers.Flatten(data_format="nchw")


def test_reshape():
    run_layer_test(
        layers.Reshape,
        {"target_shape": (4, 3)},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 4, 3),
    )
    run_layer_test(
        layers.Reshape,
        {"target_shape": (-1, 2)},
        input_shape=(2, 12),
        expected_output_shape=(2, 6, 2),
    )
    x = lamina.Input((None, 4))
    assert layers.Reshape((-1, 2))(x).shape == (None, None, 2)


def test_reshape_errors():
    with pytest.raises(ShapeError, match=r"'r'.*\(12,\).*target_shape=\(5, 2\)"):
        layers.Reshape((5, 2), name="r")(torch.zeros(2, 12))
    with pytest.raises(ShapeError, match="target_shape"):
        layers.Reshape((5, 2))(lamina.Input((12,)))
    for bad in [(-1, -1), (0, 3), "ab", 3]:
        with pytest.raises(ArgumentError, match="target_shape"):
            layers.Reshape(bad)


def test_permute():
    run_layer_test(
        layers.Permute,
        {"dims": (2, 1)},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 4, 3),
    )
    x = torch.randn(2, 3, 4, 5)
    torch.testing.assert_close(layers.Permute((3, 1, 2))(x), x.permute(0, 3, 1, 2))
    with pytest.raises(ArgumentError, match="dims=\\(0, 1\\)"):
        layers.Permute((0, 1))
    with pytest.raises(ShapeError, match="expected ndim=3, found ndim=4"):
        layers.Permute((2, 1))(x)


def test_repeat_vector():
    run_layer_test(
        layers.RepeatVector,
        {"n": 3},
        input_shape=(2, 4),
        expected_output_shape=(2, 3, 4),
    )
    x = torch.randn(2, 4)
    torch.testing.assert_close(layers.RepeatVector(3)(x)[:, 2], x)
    for bad in [0, -1, 2.0, True]:
        with pytest.raises(ArgumentError, match="`n`"):
            layers.RepeatVector(bad)


# ---------------------------------------------------------------- Identity, Masking
def test_identity_passes_input_and_mask():
    run_layer_test(
        layers.Identity,
        {},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        supports_masking=True,
    )
    x = torch.randn(2, 3)
    x._keras_mask = torch.tensor([True, False])
    y = layers.Identity()(x)
    assert torch.equal(y._keras_mask, x._keras_mask)


def test_masking_matches_keras():
    run_layer_test(
        layers.Masking,
        {"mask_value": 0.0},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        supports_masking=True,
    )
    y = layers.Masking()(torch.as_tensor(FIXTURE["masking_input"]))
    close(y, "masking")
    assert torch.equal(y._keras_mask, torch.as_tensor(FIXTURE["masking_mask"]))


# ---------------------------------------------------------------- Embedding
def test_embedding_basics():
    run_layer_test(
        layers.Embedding,
        {"input_dim": 10, "output_dim": 4},
        input_shape=(2, 3),
        input_dtype="int64",
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_weight_shapes=[(10, 4)],
    )
    config = layers.Embedding(10, 4).get_config()
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert config["embeddings_initializer"]["config"]["minval"] == -0.05


def test_embedding_matches_keras_with_mask():
    layer = layers.Embedding(10, 4, mask_zero=True)
    ids = torch.as_tensor(FIXTURE["embedding_ids"])
    layer.build()
    layer.set_weights([FIXTURE["embedding_table"]])
    y = layer(ids)
    close(y, "embedding")
    assert torch.equal(y._keras_mask, torch.as_tensor(FIXTURE["embedding_mask"]))
    # Float indices are cast; the weights= argument builds at once.
    layer2 = layers.Embedding(10, 4, weights=[FIXTURE["embedding_table"]])
    close(layer2(ids.float()), "embedding")


def test_embedding_keras2_input_length_and_errors():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layer = layers.Embedding(100, 8, input_length=12)
    assert layer.input_shape == (None, 12)
    for bad in [0, -2, 3.5]:
        with pytest.raises(ArgumentError, match="input_dim"):
            layers.Embedding(bad, 4)
        with pytest.raises(ArgumentError, match="output_dim"):
            layers.Embedding(4, bad)
    with pytest.raises(ArgumentError, match=r"'emb'.*\[0, 5\)"):
        layers.Embedding(5, 2, name="emb")(torch.tensor([[1, 7]]))


# ---------------------------------------------------------------- Lambda
def test_lambda_basics():
    run_layer_test(
        layers.Lambda,
        {"function": lamina.activations.relu},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
    )
    layer = layers.Lambda(lambda x, k: x * k, arguments={"k": 3.0})
    torch.testing.assert_close(layer(torch.ones(2)), torch.full((2,), 3.0))
    assert layers.Lambda(lambda x: x[:, :2], output_shape=(2,))(
        lamina.Input((5,))
    ).shape == (None, 2)
    assert layers.Lambda(lambda x: x.sum(-1))(lamina.Input((5,))).shape == (None,)


def test_lambda_python_lambda_needs_unsafe_mode():
    layer = layers.Lambda(
        lambda x, scale=2.0: x * scale,
        output_shape=lambda s: s,
        mask=lambda inputs, mask: mask,
    )
    config = json.loads(json.dumps(layer.get_config()))
    assert config["function"]["class_name"] == "__lambda__"
    with pytest.raises(ArgumentError, match="safe_mode=False"):
        layers.Lambda.from_config(config)
    with safe_mode_scope(False):
        restored = layers.Lambda.from_config(config)
    torch.testing.assert_close(restored(torch.ones(3)), torch.full((3,), 2.0))
    assert restored.compute_output_shape((None, 3)) == (None, 3)


def test_lambda_loads_keras_written_config():
    serialized = json.loads(str(FIXTURE["lambda_config_json"]))
    assert serialized["config"]["function"]["class_name"] == "__lambda__"
    with safe_mode_scope(False):
        layer = layers.Lambda.from_config(serialized["config"])
    x = torch.as_tensor(FIXTURE["x2"])
    torch.testing.assert_close(layer(x), x * 2.0 + 1.0)
    assert layer.compute_output_shape((None, 6)) == (None, 6)


def test_lambda_mask_and_bad_function():
    layer = layers.Lambda(lambda x: x, mask=lambda inputs, mask: inputs[:, 0] > 0)
    y = layer(torch.tensor([[1.0, 2.0], [-1.0, 0.0]]))
    assert y._keras_mask.tolist() == [True, False]
    with pytest.raises(ArgumentError, match="callable"):
        layers.Lambda(3)


# ---------------------------------------------------------------- EinsumDense
def test_einsum_dense_basics():
    run_layer_test(
        layers.EinsumDense,
        {"equation": "abc,cde->abde", "output_shape": (3, 2, 4), "bias_axes": "de"},
        input_shape=(2, 3, 5),
        expected_output_shape=(2, 3, 2, 4),
        expected_num_trainable_weights=2,
        expected_weight_shapes=[(5, 2, 4), (2, 4)],
    )
    run_layer_test(
        layers.EinsumDense,
        {"equation": "ab,bc->ac", "output_shape": 4},
        input_shape=(2, 3),
        expected_output_shape=(2, 4),
        expected_num_trainable_weights=1,
    )
    # As in Keras, a None in output_shape stays unknown symbolically.
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 4))
    assert layer(lamina.Input((3, 5))).shape == (None, None, 2, 4)


def test_einsum_dense_matches_keras():
    x = torch.as_tensor(FIXTURE["x3"])
    layer = layers.EinsumDense(
        "abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de", activation="relu"
    )
    layer.build((None, 5, 6))
    layer.set_weights([FIXTURE["einsum_kernel"], FIXTURE["einsum_bias"]])
    close(layer(x), "einsum_abde")
    layer = layers.EinsumDense("...b,bc->...c", output_shape=4)
    layer.build((None, 5, 6))
    layer.set_weights([FIXTURE["einsum_kernel2"]])
    close(layer(x), "einsum_ellipsis")


def test_einsum_dense_errors():
    with pytest.raises(ArgumentError, match="Invalid einsum equation 'ab->b'"):
        layers.EinsumDense("ab->b", output_shape=3)
    with pytest.raises(ShapeError, match=r"'ed'.*shared dimension 'b'.*3.*7"):
        layers.EinsumDense("abc,cd->abd", output_shape=(7, 4), name="ed")(
            torch.zeros(2, 3, 5)
        )
    with pytest.raises(ShapeError, match="Bias dimension 'x'"):
        layers.EinsumDense("ab,bc->ac", output_shape=4, bias_axes="x")(
            torch.zeros(2, 3)
        )


# ---------------------------------------------------------------- ReversibleEmbedding
def test_reversible_embedding():
    run_layer_test(
        layers.ReversibleEmbedding,
        {"input_dim": 10, "output_dim": 4, "tie_weights": False},
        input_shape=(2, 3),
        input_dtype="int64",
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=2,
        expected_weight_shapes=[(10, 4), (4, 10)],
        run_training_check=False,  # the reverse weight is used only by reverse calls
    )
    layer = layers.ReversibleEmbedding(10, 4, tie_weights=False)
    layer(layer(torch.tensor([[1, 2]])), reverse=True).square().mean().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)
    x = torch.as_tensor(FIXTURE["x3"])
    tied = layers.ReversibleEmbedding(10, 6, logit_soft_cap=2.0)
    tied.build()
    tied.set_weights([FIXTURE["reversible_table"]])
    close(tied(x, reverse=True), "reversible_tied")
    untied = layers.ReversibleEmbedding(10, 6, tie_weights=False)
    untied.build()
    untied.set_weights([FIXTURE["reversible_table"], FIXTURE["reversible_reverse"]])
    close(untied(x, reverse=True), "reversible_untied")
    close(untied(torch.as_tensor(FIXTURE["embedding_ids"])), "reversible_forward")
    hidden = tied(lamina.Input((7,), dtype="int64"))
    assert tied(hidden, reverse=True).shape == (None, 7, 10)


# ---------------------------------------------------------------- Wrapper
class _Twice(layers.Wrapper):
    def call(self, inputs):
        return self.layer(self.layer(inputs))


def test_wrapper_tracks_and_serializes_the_wrapped_layer():
    wrapper = _Twice(layers.Dense(4, name="inner"))
    assert tuple(wrapper(torch.ones(2, 4)).shape) == (2, 4)
    assert [w.path for w in wrapper.weights] == ["inner/kernel", "inner/bias"]
    config = wrapper.get_config()
    assert config["layer"]["class_name"] == "Dense"
    restored = _Twice.from_config(json.loads(json.dumps(config)))
    assert restored.layer.units == 4 and restored.layer.name == "inner"
    with pytest.raises(ArgumentError, match="valid Keras layer"):
        _Twice(torch.nn.Linear(2, 2))
