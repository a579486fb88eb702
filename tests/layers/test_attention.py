"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention,
GroupQueryAttention) and EinsumDense against Keras's numbers."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from lamina.serialization import deserialize_keras_object, serialize_keras_object
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "..", "fixtures", "layers_attention.npz")
)
CASES = sorted(k[len("case_") :] for k in FIXTURE.files if k.startswith("case_"))


def close(actual, expected):
    np.testing.assert_allclose(
        np.asarray(actual.detach()), expected, rtol=1e-5, atol=1e-5
    )


def _inputs(case):
    tensors = []
    masks = case.get("keras_masks") or []
    for i, name in enumerate(case["inputs"]):
        t = torch.as_tensor(FIXTURE[name].copy())
        if i < len(masks) and masks[i] is not None:
            t._keras_mask = torch.as_tensor(FIXTURE[masks[i]])
        tensors.append(t)
    return tensors


def _run(layer, case):
    inputs = _inputs(case)
    kwargs = dict(case.get("call", {}))
    if case.get("attention_mask"):
        kwargs["attention_mask"] = torch.as_tensor(FIXTURE[case["attention_mask"]])
    if case["layer"] in ("Attention", "AdditiveAttention"):
        if case.get("mask"):
            kwargs["mask"] = [torch.as_tensor(FIXTURE[m]) for m in case["mask"]]
        return layer(inputs, **kwargs)
    return layer(*inputs, **kwargs)


# ---------------------------------------------------------------- Keras numbers
@pytest.mark.parametrize("name", CASES)
def test_matches_keras(name):
    case = json.loads(str(FIXTURE[f"case_{name}"]))
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    _run(layer, case)
    layer.set_weights([FIXTURE[f"{name}_w{i}"] for i in range(len(layer.weights))])
    with torch.no_grad():
        result = _run(layer, case)
    if f"{name}_scores" in FIXTURE.files:
        output, scores = result
        close(scores, FIXTURE[f"{name}_scores"])
    else:
        output = result
    close(output, FIXTURE[f"{name}_out"])
    masks = case.get("keras_masks") or case.get("mask") or [None]
    query_mask = masks[0]
    if query_mask is not None:
        assert torch.equal(output._keras_mask, torch.as_tensor(FIXTURE[query_mask]))


@pytest.mark.parametrize(
    "name",
    ["Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention"],
)
def test_config_equals_keras(name):
    keras_form = json.loads(str(FIXTURE[f"config_{name}"]))
    layer = deserialize_keras_object(keras_form)
    assert type(layer) is getattr(layers, name)
    q, v = torch.as_tensor(FIXTURE["q"]), torch.as_tensor(FIXTURE["v"])
    if name in ("Attention", "AdditiveAttention"):
        layer([q, v])
    else:
        layer(q, v)
    assert json.loads(json.dumps(serialize_keras_object(layer))) == keras_form
    build = json.loads(str(FIXTURE[f"build_config_{name}"]))
    assert json.loads(json.dumps(layer.get_build_config())) == build


EINSUM_CASES = {
    "ed_bias_de": ("abc,cde->abde", (4, 2, 3), "de"),
    "ed_bias_e": ("abc,cde->abde", (None, 2, 3), "e"),
    "ed_ellipsis": ("...b,bc->...c", 5, "c"),
    "ed_contract2": ("abc,bcd->ad", 3, "d"),
    "ed_kernel_order": ("abc,dce->abde", (4, 2, 3), "de"),
    "ed_right_ellipsis": ("ab...,bc->ac...", 5, "c"),
}


@pytest.mark.parametrize("name", sorted(EINSUM_CASES))
def test_einsum_dense_matches_keras(name):
    args = EINSUM_CASES[name]
    layer = layers.EinsumDense(
        args[0], output_shape=args[1], bias_axes=args[2], activation="tanh"
    )
    x = torch.as_tensor(FIXTURE["ed_x"])
    layer.build(tuple(x.shape))
    layer.set_weights([FIXTURE[f"{name}_w{i}"] for i in range(len(layer.weights))])
    close(layer(x), FIXTURE[f"{name}_out"])


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, input_shape",
    [
        ("abc,cde->abde", (None, 3, 4), "de", (2, 5, 6)),
        ("abc,cde->abde", (None, 3, 4), "e", (2, 5, 6)),
        ("abcd,cde->abe", (None, 7), "e", (2, 5, 3, 4)),
        ("...b,bc->...c", 4, None, (2, 3, 5, 6)),
        ("abc,bcd->ad", 4, "d", (2, 5, 6)),
    ],
)
def test_einsum_dense_matmul_path_equals_einsum(
    equation, output_shape, bias_axes, input_shape
):
    # These equations run as one GEMM; the result must be the einsum's, and
    # gradients must reach the kernel and bias in Keras layout.
    layer = layers.EinsumDense(equation, output_shape=output_shape, bias_axes=bias_axes)
    x = torch.randn(input_shape)
    y = layer(x)
    expected = torch.einsum(equation, x, layer.kernel)
    if layer.bias is not None:
        expected = expected + layer.bias
    torch.testing.assert_close(y, expected, rtol=1e-5, atol=1e-5)
    y.sum().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)


# ---------------------------------------------------------------- Attention
def test_attention_layer_test():
    run_layer_test(
        layers.Attention,
        {"use_scale": True, "score_mode": "concat", "dropout": 0.1, "seed": 1},
        input_shape=[(2, 3, 4), (2, 5, 4)],
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=2,
        expected_weight_shapes=[(), ()],
        supports_masking=True,
    )
    run_layer_test(
        layers.Attention,
        {},
        input_shape=[(2, 3, 4), (2, 5, 6), (2, 5, 4)],
        expected_output_shape=(2, 3, 6),
    )
    run_layer_test(
        layers.AdditiveAttention,
        {"dropout": 0.2},
        input_shape=[(2, 3, 4), (2, 5, 4)],
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_weight_shapes=[(4,)],
    )


def test_attention_scores_and_masks_in_a_model():
    tokens = lamina.Input((None,), dtype="int64")
    embedded = layers.Embedding(10, 4, mask_zero=True)(tokens)
    out, scores = layers.Attention()([embedded, embedded], return_attention_scores=True)
    assert out.shape == (None, None, 4) and scores.shape == (None, None, None)
    model = lamina.Model(tokens, [out, scores])
    ids = torch.tensor([[3, 4, 0], [5, 0, 0]])
    with torch.no_grad():
        y, w = model(ids)
    # Padded keys get no weight; padded query rows are zero.
    assert torch.all(w[0, :, 2] == 0) and torch.all(w[1, :, 1:] == 0)
    assert torch.all(y[1, 1:] == 0)
    assert torch.equal(y._keras_mask, ids != 0)


def test_attention_dropout_and_seed():
    q, v = torch.randn(2, 3, 4), torch.randn(2, 6, 4)
    layer = layers.Attention(dropout=0.5, seed=7)
    inference = layer([q, v])
    torch.testing.assert_close(layer([q, v], training=False), inference)
    a = layers.Attention(dropout=0.5, seed=7)([q, v], training=True)
    b = layers.Attention(dropout=0.5, seed=7)([q, v], training=True)
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, inference)
    unseeded = layers.Attention(dropout=0.5)
    assert not torch.allclose(unseeded([q, v], training=True), inference)


def test_attention_bad_input():
    with pytest.raises(ArgumentError, match="score_mode"):
        layers.Attention(score_mode="add")
    with pytest.raises(ArgumentError, match="dropout"):
        layers.Attention(dropout=1.5)
    with pytest.raises(ArgumentError, match=r"list of inputs.*\(2, 3, 4\)"):
        layers.Attention(name="att")(torch.zeros(2, 3, 4))
    with pytest.raises(ShapeError, match=r"'att'.*query \(4\).*value \(5\)"):
        layers.Attention(name="att")([torch.zeros(2, 3, 4), torch.zeros(2, 6, 5)])
    with pytest.raises(ShapeError, match="same number of steps"):
        layers.AdditiveAttention()(
            [torch.zeros(2, 3, 4), torch.zeros(2, 6, 4), torch.zeros(2, 5, 4)]
        )
    with pytest.raises(ArgumentError, match="mask"):
        layers.Attention()(
            [torch.zeros(2, 3, 4), torch.zeros(2, 6, 4)],
            mask=torch.ones(2, 3, dtype=torch.bool),
        )


# ---------------------------------------------------------------- MHA and GQA
def check_two_input_layer(
    cls, kwargs, query_shape, value_shape, output_shape, weight_shapes
):
    """run_layer_test for layers called as ``layer(query, value)``."""
    layer = cls(**kwargs)
    config = layer.get_config()
    json.dumps(config)
    assert cls.from_config(config).get_config() == config
    q, v = torch.randn(query_shape), torch.randn(value_shape)
    out = layer(q, v)
    assert tuple(out.shape) == output_shape
    assert [tuple(w.shape) for w in layer.weights] == weight_shapes
    assert len(layer.trainable_weights) == len(weight_shapes)

    serialized = json.loads(json.dumps(serialize_keras_object(layer)))
    clone = deserialize_keras_object(serialized)
    assert type(clone) is cls
    clone.build_from_config(json.loads(json.dumps(layer.get_build_config())))
    clone.set_weights(layer.get_weights())
    with torch.no_grad():
        torch.testing.assert_close(clone(q, v), layer(q, v))

    symbolic = cls(**kwargs)(
        lamina.Input(query_shape[1:]), lamina.Input(value_shape[1:])
    )
    assert symbolic.shape == (None, *output_shape[1:])

    trained = cls(**kwargs)
    loss = (trained(q, v, training=True) ** 2).mean()
    loss.backward()
    for weight in trained.trainable_weights:
        assert weight.grad is not None and torch.isfinite(weight.grad).all()
    return layer


def test_multi_head_attention_layer_test():
    layer = check_two_input_layer(
        layers.MultiHeadAttention,
        {"num_heads": 2, "key_dim": 3, "value_dim": 5, "dropout": 0.1},
        (2, 4, 6),
        (2, 5, 7),
        (2, 4, 6),
        [(6, 2, 3), (2, 3), (7, 2, 3), (2, 3), (7, 2, 5), (2, 5), (2, 5, 6), (6,)],
    )
    assert [w.path for w in layer.weights][::2] == [
        "query/kernel",
        "key/kernel",
        "value/kernel",
        "attention_output/kernel",
    ]
    check_two_input_layer(
        layers.MultiHeadAttention,
        {
            "num_heads": 2,
            "key_dim": 3,
            "use_bias": False,
            "output_shape": (2, 4),
            "use_gate": True,
        },
        (2, 4, 6),
        (2, 5, 6),
        (2, 4, 2, 4),
        [(6, 2, 3), (6, 2, 3), (6, 2, 3), (6, 2, 3), (2, 3, 2, 4)],
    )


def test_grouped_query_attention_layer_test():
    assert layers.GroupedQueryAttention is layers.GroupQueryAttention
    assert layers.GroupQueryAttention(2, 2, 1).name.startswith(
        "grouped_query_attention"
    )
    layer = check_two_input_layer(
        layers.GroupQueryAttention,
        {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2, "dropout": 0.1},
        (2, 4, 6),
        (2, 5, 6),
        (2, 4, 6),
        [(6, 4, 3), (4, 3), (6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (4, 3, 6), (6,)],
    )
    assert serialize_keras_object(layer)["class_name"] == "GroupQueryAttention"


def test_multi_head_attention_symbolic_scores_and_model_round_trip():
    query = lamina.Input((4, 6))
    value = lamina.Input((None, 6))
    mha = layers.MultiHeadAttention(2, 3, name="mha")
    out, scores = mha(query, value, use_causal_mask=True, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, None)
    model = lamina.Model([query, value], [out, scores])
    clone = lamina.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    q, v = torch.randn(2, 4, 6), torch.randn(2, 3, 6)
    with torch.no_grad():
        for a, b in zip(model([q, v]), clone([q, v])):
            torch.testing.assert_close(a, b)
    # 2-D attention: scores over (x, y) query axes and (x, y) key axes.
    layer = layers.MultiHeadAttention(2, 3, attention_axes=(1, 2))
    _, scores = layer(
        lamina.Input((3, 4, 6)), lamina.Input((3, 4, 6)), return_attention_scores=True
    )
    assert scores.shape == (None, 2, 3, 4, 3, 4)


def test_multi_head_attention_masks_from_embedding():
    tokens = lamina.Input((None,), dtype="int64")
    x = layers.Embedding(10, 6, mask_zero=True)(tokens)
    y = layers.MultiHeadAttention(2, 3)(x, x)
    model = lamina.Model(tokens, y)
    ids = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
    with torch.no_grad():
        full = model(ids)
        # Padding must not change the unpadded positions' outputs.
        short = model(ids[1:, :2])
    assert torch.equal(full._keras_mask, ids != 0)
    torch.testing.assert_close(full[1:, :2], short, rtol=1e-5, atol=1e-6)


def test_multi_head_attention_dropout():
    q = torch.randn(2, 4, 6)
    layer = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    inference = layer(q, q)
    torch.testing.assert_close(layer(q, q, training=False), inference)
    assert not torch.allclose(layer(q, q, training=True), inference)
    # With a seed the draws repeat (same weights, same seed, same outputs).
    other = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    other(q, q)
    other.set_weights(layer.get_weights())
    fresh = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    fresh(q, q)
    fresh.set_weights(layer.get_weights())
    torch.testing.assert_close(other(q, q, training=True), fresh(q, q, training=True))
    unseeded = layers.MultiHeadAttention(2, 3, dropout=0.5)
    unseeded(q, q)
    unseeded.set_weights(layer.get_weights())
    assert not torch.allclose(unseeded(q, q, training=True), inference)


def test_multi_head_attention_regularizers_and_build():
    layer = layers.MultiHeadAttention(
        2, 3, kernel_regularizer="l2", activity_regularizer="l1"
    )
    layer.build((None, 4, 6))  # the value shape comes with the first call
    assert layer.weights == []
    layer(torch.randn(2, 4, 6), torch.randn(2, 5, 6))
    # 4 kernel penalties + 4 activity penalties (one per projection), as Keras.
    assert len(layer.losses) == 8
    built = layers.MultiHeadAttention(2, 3)
    built.build((None, 4, 6), (None, 5, 7))
    # query (6, 2, 3) + (2, 3); key and value (7, 2, 3) + (2, 3); output
    # (2, 3, 6) + (6,).
    assert built.count_params() == (36 + 6) + 2 * (42 + 6) + (36 + 6)


def test_multi_head_attention_bad_input():
    with pytest.raises(ArgumentError, match=r"num_heads.*num_heads=0"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ArgumentError, match=r"key_dim.*key_dim=-1"):
        layers.MultiHeadAttention(num_heads=2, key_dim=-1)
    with pytest.raises(ArgumentError, match="value_dim"):
        layers.MultiHeadAttention(num_heads=2, key_dim=2, value_dim=0)
    with pytest.raises(ArgumentError, match="output_shape"):
        layers.MultiHeadAttention(2, 2, output_shape=(0,))
    with pytest.raises(ArgumentError, match="dropout"):
        layers.MultiHeadAttention(2, 2, dropout=-0.1)
    with pytest.raises(ArgumentError, match="attention_axes"):
        layers.MultiHeadAttention(2, 2, attention_axes=(2,))(
            torch.zeros(1, 3, 4), torch.zeros(1, 3, 4)
        )
    with pytest.raises(ShapeError, match=r"'m'.*value.*key.*\(1, 5, 4\).*\(1, 6, 4\)"):
        layers.MultiHeadAttention(2, 2, name="m")(
            torch.zeros(1, 3, 4), torch.zeros(1, 5, 4), torch.zeros(1, 6, 4)
        )
    with pytest.raises(ShapeError, match="same rank"):
        layers.MultiHeadAttention(2, 2)(torch.zeros(1, 3, 4), torch.zeros(1, 2, 3, 4))
    with pytest.raises(ShapeError, match="rank 3 or more"):
        layers.MultiHeadAttention(2, 2)(torch.zeros(3, 4), torch.zeros(3, 4))
    with pytest.raises(ShapeError, match=r"attention mask.*\(1, 1, 3, 7\)"):
        layers.MultiHeadAttention(2, 2)(
            torch.zeros(1, 3, 4),
            torch.zeros(1, 5, 4),
            attention_mask=torch.ones(1, 3, 7, dtype=torch.bool),
        )
    layer = layers.MultiHeadAttention(2, 2, flash_attention=True)
    with pytest.raises(ArgumentError, match="flash attention"):
        layer(torch.zeros(1, 3, 4), torch.zeros(1, 5, 4), return_attention_scores=True)


def test_grouped_query_attention_bad_input():
    with pytest.raises(ArgumentError, match="num_query_heads"):
        layers.GroupQueryAttention(2, 0, 1)
    with pytest.raises(ArgumentError, match="head_dim"):
        layers.GroupQueryAttention(0, 4, 2)
    with pytest.raises(ArgumentError, match="divisible"):
        layers.GroupQueryAttention(2, 4, 3)
    with pytest.raises(ShapeError, match=r"'g'.*last dimension.*6, 5"):
        layers.GroupQueryAttention(2, 4, 2, name="g")(
            torch.zeros(1, 3, 6), torch.zeros(1, 4, 5)
        )
    with pytest.raises(ShapeError, match=r"last dimension.*6, 5"):
        layers.GroupQueryAttention(2, 4, 2)(lamina.Input((3, 6)), lamina.Input((4, 5)))


# ---------------------------------------------------------------- Keras 2 configs
def test_keras_2_configs():
    q, v = torch.randn(2, 4, 6), torch.randn(2, 5, 6)
    with pytest.warns(DeprecationWarning, match="use_causal_mask"):
        old = layers.Attention.from_config({"causal": True, "dropout": 0.0})
    expected = layers.Attention()([q, v], use_causal_mask=True)
    torch.testing.assert_close(old([q, v]), expected)
    assert "causal" not in old.get_config()
    # Keras 2's MultiHeadAttention config carries the input shapes.
    layer = layers.MultiHeadAttention.from_config(
        {
            "num_heads": 2,
            "key_dim": 3,
            "query_shape": [None, 4, 6],
            "value_shape": [None, 5, 6],
            "key_shape": [None, 5, 6],
        }
    )
    assert [tuple(w.shape) for w in layer.weights][:3:2] == [(6, 2, 3), (6, 2, 3)]
    assert layer(q, v).shape == (2, 4, 6)


def test_loads_keras_file():
    path = os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_attention_model.keras"
    )
    model = lamina.models.load_model(path)
    with torch.no_grad():
        close(model(torch.as_tensor(FIXTURE["q"])), FIXTURE["model_out"])
