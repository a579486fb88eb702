"""Keras 3's image augmentation layers: Keras's numbers, configs, training-only
behaviour, dict inputs (labels, masks) and the statistics of the draws.

The fixtures come from make_layers_augmentation.py (real Keras 3.15 on torch):
seeded layers draw Keras's numbers on the CPU, so their outputs are compared
call after call.
"""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest
import torch

from lamina import layers

HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
with open(os.path.join(HERE, "layers_augmentation.json")) as _file:
    FIXTURE = json.load(_file)
ARRAYS = np.load(os.path.join(HERE, "layers_augmentation.npz"))
CASES = FIXTURE["cases"]
# RandomElasticTransform draws from torch's global generator in Keras (its seed
# is not used): only its configs are compared.
OUTPUT_CASES = [case for case in CASES if case["outputs"]]
# Config entries lamina adds: Keras's MaxNumBoundingBoxes loses its fill_value
# in a round trip.
EXTRA_CONFIG = {"MaxNumBoundingBoxes": ("fill_value",)}


def _input(names):
    """The fixture input called ``names``, or a dict of them (Keras's dict form)."""
    if isinstance(names, dict):
        return {key: _input(value) for key, value in names.items()}
    return torch.as_tensor(ARRAYS[f"input/{names}"])


def _flat(outputs, prefix=""):
    if not isinstance(outputs, dict):
        return {prefix: outputs}
    flat = {}
    for key, value in outputs.items():
        flat.update(_flat(value, f"{prefix}/{key}"))
    return flat


def _tolerance(case) -> float:
    # Pixel values up to 255 in float32: HSV round trips and warps lose ulps.
    unit = str(case["input"]).startswith("unit")
    return 1e-5 if unit else 1e-3


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=lambda case: case["name"])
def test_outputs_match_keras(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    random.seed(0)  # AugMix picks its chains with Python's random, as in Keras
    for call in range(FIXTURE["calls"]):
        outputs = _flat(layer(_input(case["input"]), training=True))
        for key, out in outputs.items():
            expected = ARRAYS[f"{case['name']}/{call}{key}"]
            np.testing.assert_allclose(
                out.numpy(),
                expected,
                rtol=1e-5,
                atol=_tolerance(case),
                err_msg=f"{case['name']} call {call} {key}",
            )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_configs_match_keras(case):
    layer = getattr(layers, case["layer"])(**case["kwargs"])
    config = json.loads(json.dumps(layer.get_config()))
    config.pop("name")
    config.pop("dtype")
    for key in EXTRA_CONFIG.get(case["layer"], ()):
        config.pop(key)
    assert config == FIXTURE["configs"][case["name"]]
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
