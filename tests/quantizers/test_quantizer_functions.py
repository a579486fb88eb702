"""lamina.quantizers' functions, quantizers and configs against Keras 3.15's numbers
(tests/fixtures/quantizers.npz and .json, written by make_quantizers.py)."""

from __future__ import annotations

import doctest
import json
import os

import numpy as np
import pytest
import torch

from lamina import quantizers
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.quantizers import quantization_config

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURE = np.load(os.path.join(HERE, "quantizers.npz"))
with open(os.path.join(HERE, "quantizers.json")) as f:
    INFO = json.load(f)


def _cases(prefix: str) -> list[str]:
    return sorted(k for k in INFO if k.startswith(prefix))


def _get(key: str) -> np.ndarray:
    return FIXTURE[key]


def _same(actual, expected):
    actual = (
        actual.detach().cpu().numpy() if isinstance(actual, torch.Tensor) else actual
    )
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("key", _cases("fn/abs_max/"))
def test_abs_max_quantize(key):
    kwargs = dict(INFO[key])
    if isinstance(kwargs.get("axis"), list):
        kwargs["axis"] = tuple(kwargs["axis"])
    if "value_range" in kwargs:
        kwargs["value_range"] = tuple(kwargs["value_range"])
    q, scale = quantizers.abs_max_quantize(_get(f"{key}/x"), **kwargs)
    _same(q, _get(f"{key}/q"))
    _same(scale, _get(f"{key}/scale"))


@pytest.mark.parametrize("key", _cases("fn/grouped/"))
def test_grouped_with_zero_point(key):
    q, scale, zero = quantizers.abs_max_quantize_grouped_with_zero_point(
        _get(f"{key}/x"), **INFO[key]
    )
    _same(q, _get(f"{key}/q"))
    _same(scale, _get(f"{key}/scale"))
    _same(zero, _get(f"{key}/zero"))


@pytest.mark.parametrize("margin", [0, 2])
def test_compute_float8_scale(margin):
    key = f"fn/float8_scale/margin{margin}"
    out = quantizers.compute_float8_scale(
        torch.tensor(_get(f"{key}/amax")),
        torch.tensor(_get(f"{key}/scale")),
        torch.tensor(448.0),
        margin,
    )
    _same(out, _get(f"{key}/out"))


def test_compute_float8_amax_history():
    history = torch.tensor(_get("fn/amax_history/history"))
    out = quantizers.compute_float8_amax_history(
        torch.tensor(_get("fn/amax_history/x")), history
    )
    _same(out, _get("fn/amax_history/out"))
    _same(history, _get("fn/amax_history/history"))  # not modified


@pytest.mark.parametrize("key", _cases("fn/qdq/"))
def test_quantize_and_dequantize(key):
    info = INFO[key]
    out = quantizers.quantize_and_dequantize(
        torch.tensor(_get(f"{key}/x")),
        torch.tensor(info["scale"]),
        info["dtype"],
        "float32",
    )
    _same(out, _get(f"{key}/out"))


@pytest.mark.parametrize("key", _cases("fn/fake_quant/"))
def test_fake_quant_with_min_max_vars_and_its_gradients(key):
    x = torch.tensor(_get(f"{key}/x"), requires_grad=True)
    low = torch.tensor(_get(f"{key}/min"), requires_grad=True)
    high = torch.tensor(_get(f"{key}/max"), requires_grad=True)
    out = quantizers.fake_quant_with_min_max_vars(x, low, high, **INFO[key])
    (out * torch.tensor(_get(f"{key}/upstream"))).sum().backward()
    for name, actual in (
        ("out", out),
        ("dx", x.grad),
        ("dmin", low.grad),
        ("dmax", high.grad),
    ):
        np.testing.assert_allclose(
            actual.detach().numpy(), _get(f"{key}/{name}"), rtol=1e-6, atol=1e-6
        )


def test_fake_quant_of_symbolic_inputs_is_symbolic():
    out = quantizers.fake_quant_with_min_max_vars(KerasTensor((None, 3)), -1.0, 1.0)
    assert isinstance(out, KerasTensor) and out.shape == (None, 3)


@pytest.mark.parametrize("key", _cases("fn/int4/"))
def test_pack_and_unpack_int4(key):
    info = INFO[key]
    packed, shape, length = quantizers.pack_int4(
        torch.tensor(_get(f"{key}/arr")), axis=info["axis"], dtype=info["dtype"]
    )
    _same(packed, _get(f"{key}/packed"))
    assert list(shape) == info["shape"] and length == info["length"]
    unpacked = quantizers.unpack_int4(
        packed, length, axis=info["axis"], dtype=info["dtype"]
    )
    _same(unpacked, _get(f"{key}/unpacked"))


def test_int4_packing_refuses_other_dtypes():
    with pytest.raises(TypeError, match="Expected int8 tensor for packing"):
        quantizers.pack_int4(torch.zeros(2, 2, dtype=torch.int32))
    with pytest.raises(ArgumentError, match="'int8' or 'uint8'"):
        quantizers.unpack_int4(torch.zeros(2, 2, dtype=torch.int8), 4, dtype="int16")


def test_abs_max_quantizer():
    quantizer = quantizers.AbsMaxQuantizer(axis=0, value_range=(-100, 100))
    x = _get("fn/quantizer/x")
    q, scale = quantizer(x)
    _same(q, _get("fn/quantizer/q"))
    _same(scale, _get("fn/quantizer/scale"))
    q, scale = quantizer(x, axis=1)
    _same(q, _get("fn/quantizer/q_axis1"))
    _same(scale, _get("fn/quantizer/scale_axis1"))
    with pytest.raises(ArgumentError, match="within the interval"):
        quantizers.AbsMaxQuantizer(value_range=(-200, 200))


@pytest.mark.parametrize("name", sorted(INFO["configs"]))
def test_configs_serialize_as_keras_and_round_trip(name):
    expected = INFO["configs"][name]
    obj = quantizers.deserialize(expected)
    assert quantizers.serialize(obj) == expected
    assert json.loads(json.dumps(quantizers.serialize(obj))) == expected


def test_config_defaults_and_checks():
    assert isinstance(
        quantizers.Int8QuantizationConfig().activation_quantizer,
        quantizers.AbsMaxQuantizer,
    )
    assert quantizers.Int4QuantizationConfig().activation_quantizer is None
    assert quantizers.Int4QuantizationConfig().block_size == 128
    with pytest.raises(ArgumentError, match="output_dtype='int8'"):
        quantizers.Int8QuantizationConfig(
            weight_quantizer=quantizers.AbsMaxQuantizer(output_dtype="int16")
        )
    with pytest.raises(ArgumentError, match="does not support custom quantizers"):
        quantizers.Int4QuantizationConfig(
            weight_quantizer=quantizers.AbsMaxQuantizer(value_range=(-8, 7))
        )
    with pytest.raises(ArgumentError, match="value_range=\\(-8, 7\\)"):
        quantizers.Int4QuantizationConfig(
            weight_quantizer=quantizers.AbsMaxQuantizer(), block_size=None
        )
    with pytest.raises(ArgumentError, match="block_size must be"):
        quantizers.Int4QuantizationConfig(block_size=0)
    with pytest.raises(NotImplementedError):
        _ = quantizers.QuantizationConfig().mode


def test_mode_and_config_resolution():
    resolve = quantization_config.validate_and_resolve_config
    assert isinstance(resolve("int8", None), quantizers.Int8QuantizationConfig)
    assert resolve(None, quantizers.Float8QuantizationConfig()).mode == "float8"
    assert (
        resolve(None, "int4").mode == "int4"
    )  # Keras reads a string config as the mode
    with pytest.raises(ArgumentError, match="Contradictory arguments"):
        resolve("int8", quantizers.Int4QuantizationConfig())
    with pytest.raises(ArgumentError, match="Invalid quantization mode"):
        resolve("int2", None)
    with pytest.raises(ArgumentError, match="either `mode` or `config`"):
        resolve(None, None)
    with pytest.raises(ArgumentError, match="GPTQ"):
        resolve("gptq", None)
    with pytest.raises(ArgumentError, match="must be an instance"):
        resolve(None, {"mode": "int8"})


def test_get():
    assert quantizers.get(None) is None
    assert quantizers.get("AbsMaxQuantizer", axis=0).axis == (0,)
    assert quantizers.get("abs_max_quantizer").value_range == (-127, 127)
    quantizer = quantizers.AbsMaxQuantizer()
    assert quantizers.get(quantizer) is quantizer
    config = quantizers.serialize(quantizers.AbsMaxQuantizer(axis=1))
    assert quantizers.get(config).axis == (1,)
    with pytest.raises(ArgumentError, match="Could not interpret"):
        quantizers.get("nope")


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        ("int8_from_float32", ("int8", "float32", None)),
        ("int4/64_from_float32", ("int4", "float32", 64)),
        ("int4/-1_from_bfloat16", ("int4", "bfloat16", None)),
        ("float8_from_mixed_bfloat16", ("float8", "mixed_bfloat16", None)),
        ("float32", None),
        (None, None),
        ({"class_name": "DTypePolicy", "config": {"name": "float32"}}, None),
    ],
)
def test_quantized_dtype_policies(dtype, expected):
    policy = quantization_config.quantized_policy(dtype)
    if expected is None:
        assert policy is None
        return
    assert (policy.mode, policy.source, policy.block_size) == expected
    config = quantization_config.quantized_policy_config(policy)
    assert quantization_config.quantized_policy(config) == policy


def test_quantized_dtype_policies_lamina_cannot_run_are_refused():
    with pytest.raises(ArgumentError, match="not supported by lamina"):
        quantization_config.quantized_policy("gptq/4/128_from_float32")


def test_docstring_examples():
    for module in (quantizers.quantizers, quantizers.float8, quantizers):
        result = doctest.testmod(
            module,
            extraglobs={"torch": torch, "lamina": __import__("lamina")},
            optionflags=doctest.NORMALIZE_WHITESPACE,
            report=False,
        )
        assert result.failed == 0 and result.attempted > 0, module.__name__
