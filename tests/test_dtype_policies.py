"""`lamina.DTypePolicy` and `lamina.dtype_policies` against Keras 3's answers
(config_scopes_keras.json, made by tests/fixtures/make_config_scopes.py), and
layers under the global policy: weights and computation in its dtype."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina import config, dtype_policies
from lamina.errors import ArgumentError

KERAS = json.loads(
    (
        pathlib.Path(__file__).parent / "fixtures" / "config_scopes_keras.json"
    ).read_text()
)["policies"]
NAMES = [name for name in KERAS if name[0].islower() and "_layer" not in name]


@pytest.fixture(autouse=True)
def _restore_policy():
    yield
    lamina.utils.clear_session()


@pytest.mark.parametrize("name", NAMES)
def test_policies_are_keras(name):
    policy = lamina.DTypePolicy(name)
    expected = KERAS[name]
    assert repr(policy) == expected["repr"]
    assert policy.compute_dtype == expected["compute_dtype"]
    assert policy.variable_dtype == expected["variable_dtype"]
    assert policy.quantization_mode == expected["quantization_mode"]
    assert dtype_policies.serialize(policy) == expected["config"]
    assert dtype_policies.deserialize(expected["config"]) == policy
    assert dtype_policies.get(expected["config"]) == policy


def test_float_dtype_policy_is_keras():
    expected = KERAS["FloatDTypePolicy"]
    policy = lamina.FloatDTypePolicy("float64")
    assert repr(policy) == expected["repr"]
    assert dtype_policies.serialize(policy) == expected["config"]
    assert (policy == lamina.DTypePolicy("float64")) is expected["equal"]
    assert isinstance(
        dtype_policies.deserialize(expected["config"]), lamina.FloatDTypePolicy
    )


def test_global_policy_makes_layers_in_its_dtype():
    config.set_dtype_policy("bfloat16")
    layer = lamina.layers.Dense(2)
    layer.build((None, 3))
    out = layer(np.ones((1, 3), "float32"))
    expected = KERAS["global_bfloat16_layer"]
    assert repr(layer.dtype_policy) == expected["dtype_policy"]
    assert (
        lamina.backend.standardize_dtype(layer.kernel.dtype) == expected["kernel_dtype"]
    )
    assert layer.get_config()["dtype"] == expected["config_dtype"]
    assert str(out.dtype) == expected["output_dtype"]


def test_global_policy_trains_a_model_in_float64():
    config.set_dtype_policy(lamina.DTypePolicy("float64"))
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), verbose=0)
    assert all(w.dtype == torch.float64 for w in model.weights)
    assert model.predict(np.ones((2, 3), "float32"), verbose=0).dtype == np.float64


def test_explicit_policy_and_dtype_agree():
    layer = lamina.layers.Dense(2, dtype=lamina.DTypePolicy("float64"))
    expected = KERAS["explicit_float64_layer"]
    assert repr(layer.dtype_policy) == expected["dtype_policy"]
    assert (layer.dtype, layer.compute_dtype, layer.variable_dtype) == (
        expected["dtype"],
        expected["compute_dtype"],
        expected["variable_dtype"],
    )
    layer.dtype_policy = "bfloat16"
    assert layer.dtype == "bfloat16"


def test_global_policy_follows_floatx_until_set():
    config.set_floatx("float64")
    try:
        assert config.dtype_policy() == lamina.DTypePolicy("float64")
        assert lamina.layers.Dense(1).dtype == "float64"
    finally:
        config.set_floatx("float32")
    assert dtype_policies.get(None) == lamina.DTypePolicy("float32")
    assert lamina.DTypePolicy().name == "float32"


def test_mixed_policies_are_set_globally():
    config.set_dtype_policy("mixed_float16")
    assert config.dtype_policy().name == "mixed_float16"
    layer = lamina.layers.Dense(2)
    assert (layer.dtype, layer.compute_dtype) == ("float32", "float16")


def test_bad_policies():
    with pytest.raises(TypeError, match="must be a string"):
        lamina.DTypePolicy(3)
    with pytest.raises(ArgumentError, match="Cannot convert"):
        lamina.DTypePolicy("float128")
    with pytest.raises(ArgumentError, match="Invalid `policy`"):
        config.set_dtype_policy(32)
    assert dtype_policies.get(torch.float64).name == "float64"
