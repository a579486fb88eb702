"""Keras 3's image augmentation layers: Keras's numbers, configs, training-only
behaviour, dict inputs (labels, masks) and the statistics of the draws.

The fixtures come from make_layers_augmentation.py (real Keras 3.15 on torch):
seeded layers draw Keras's numbers on the CPU, so their outputs are compared
call after call.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from lamina import layers

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(HERE, "layers_augmentation.json")) as _file:
    FIXTURE = json.load(_file)
ARRAYS = np.load(os.path.join(HERE, "layers_augmentation.npz"))
CASES = FIXTURE["cases"]


def _input(name):
    return torch.as_tensor(ARRAYS[f"input/{name}"])


def _tolerance(case) -> float:
    # Pixel values up to 255 in float32; HSV round trips and warps lose a few ulps.
    return 1e-5 if case["input"].startswith("unit") else 1e-3


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_outputs_match_keras(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    data = _input(case["input"])
    for call in range(FIXTURE["calls"]):
        out = layer(data, training=True)
        expected = ARRAYS[f"{case['name']}/{call}"]
        assert out.dtype == torch.float32
        np.testing.assert_allclose(
            out.numpy(),
            expected,
            rtol=1e-5,
            atol=_tolerance(case),
            err_msg=case["name"],
        )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_configs_match_keras(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    config = json.loads(json.dumps(layer.get_config()))
    config.pop("name")
    config.pop("dtype")
    assert config == FIXTURE["configs"][case["name"]]
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
