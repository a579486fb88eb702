"""One test routine for every layer: shapes, weights, config, training step.

Each layer's test is then a few lines of data:

    run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 4),
                   expected_output_shape=(2, 3), expected_num_trainable_weights=2)
"""

from __future__ import annotations

import json

import numpy as np
import torch

import lamina
from lamina.serialization import deserialize_keras_object, serialize_keras_object


def _is_shape(x) -> bool:
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def _make_input(shape, dtype: str, rng: np.random.Generator, high: int):
    if dtype.startswith("int"):
        return torch.as_tensor(
            rng.integers(0, high, size=shape), dtype=getattr(torch, dtype)
        )
    return torch.as_tensor(rng.standard_normal(shape).astype(dtype))


def _shapes(x):
    if isinstance(x, (list, tuple)):
        return [_shapes(i) for i in x]
    return tuple(x.shape)


def run_layer_test(
    layer_cls,
    init_kwargs: dict,
    input_shape,
    expected_output_shape,
    expected_num_trainable_weights: int = 0,
    expected_num_non_trainable_weights: int = 0,
    input_dtype: str = "float32",
    input_data=None,
    input_high: int = 10,
    supports_masking: bool | None = None,
    expected_weight_shapes: list[tuple] | None = None,
    run_training_check: bool = True,
    deterministic: bool = True,
):
    """Check a layer class end to end; return the eager-built layer.

    Args:
        layer_cls: the layer class.
        init_kwargs: constructor arguments.
        input_shape: a shape with the batch size, or a list of them for
            layers that take a list of inputs.
        expected_output_shape: the eager output shape (a list for several).
        expected_num_trainable_weights / expected_num_non_trainable_weights:
            weight counts after building.
        input_dtype: dtype of the random inputs (``int64`` for indices).
        input_data: explicit inputs instead of random ones.
        input_high: exclusive upper bound of random integer inputs.
        supports_masking: if given, the expected ``supports_masking``.
        expected_weight_shapes: if given, the shapes of ``layer.weights``.
        run_training_check: also run a backward pass and require a gradient
            for every trainable weight.
        deterministic: whether two layers with the same weights give the same
            outputs in inference (False for random layers).
    """
    rng = np.random.default_rng(0)
    multi = isinstance(input_shape, list)
    if input_data is None:
        shapes = input_shape if multi else [input_shape]
        data = [_make_input(s, input_dtype, rng, input_high) for s in shapes]
        input_data = data if multi else data[0]

    # Config round trip, before and after building.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    json.dumps(config)  # a config must be plain JSON
    assert layer_cls.from_config(config).get_config() == config
    if supports_masking is not None:
        assert layer.supports_masking == supports_masking

    # Eager call: output shape, weights.
    output = layer(input_data)
    assert _shapes(output) == (
        list(expected_output_shape)
        if not _is_shape(expected_output_shape)
        else tuple(expected_output_shape)
    )
    assert layer.built
    assert len(layer.trainable_weights) == expected_num_trainable_weights
    assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    weights = layer.get_weights()
    assert [w.shape for w in weights] == [tuple(v.shape) for v in layer.weights]
    if expected_weight_shapes is not None:
        assert [tuple(w.shape) for w in weights] == [
            tuple(s) for s in expected_weight_shapes
        ]

    # Serialized form (Keras's module/class_name/config) and back, with weights.
    serialized = serialize_keras_object(layer)
    assert serialized["module"] == "keras.layers"
    assert serialized["class_name"] == layer_cls.__name__
    clone = deserialize_keras_object(json.loads(json.dumps(serialized)))
    assert type(clone) is layer_cls
    clone(input_data)
    clone.set_weights(weights)
    for a, b in zip(clone.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    if deterministic:
        with torch.no_grad():
            for a, b in zip(_flat(clone(input_data)), _flat(layer(input_data))):
                torch.testing.assert_close(a, b, rtol=0, atol=0)

    # Symbolic call on lamina.Input: the batch size is unknown.
    symbolic_layer = layer_cls(**init_kwargs)
    in_shapes = input_shape if multi else [input_shape]
    inputs = [lamina.Input(shape=s[1:], dtype=input_dtype) for s in in_shapes]
    symbolic = symbolic_layer(inputs if multi else inputs[0])
    expected = (
        expected_output_shape
        if not _is_shape(expected_output_shape)
        else [expected_output_shape]
    )
    for tensor, shape in zip(_flat(symbolic), expected):
        assert tensor.shape == (None, *tuple(shape)[1:])

    # One training step: every trainable weight gets a gradient.
    if run_training_check and expected_num_trainable_weights:
        train_layer = layer_cls(**init_kwargs)
        kwargs = {"training": True} if train_layer._call_takes_training else {}
        out = train_layer(input_data, **kwargs)
        loss = sum((o.float() ** 2).mean() for o in _flat(out))
        loss.backward()
        for weight in train_layer.trainable_weights:
            assert weight.grad is not None, f"no gradient for {weight.path}"
            assert torch.isfinite(weight.grad).all(), f"bad gradient for {weight.path}"
    return layer


def _flat(x) -> list:
    if isinstance(x, (list, tuple)):
        return [t for i in x for t in _flat(i)]
    return [x]
