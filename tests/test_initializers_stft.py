"""`initializers.STFT` against Keras 3's kernels (initializers_stft.npz, made by
tests/fixtures/make_initializers_stft.py with the Keras oracle)."""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

from lamina import initializers
from lamina.errors import ArgumentError, ShapeError

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "initializers_stft.npz")
CASES = sorted({key.split("_")[0] for key in FIXTURE.files})


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_stft_kernels_match_keras(case, dtype):
    config = json.loads(str(FIXTURE[f"{case}_config"]))
    shape = tuple(int(d) for d in FIXTURE[f"{case}_shape"])
    kernel = initializers.STFT(**config)(shape, dtype=dtype)
    assert kernel.dtype == getattr(torch, dtype)
    expected = FIXTURE[f"{case}_{dtype}"]
    atol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(kernel.cpu().numpy(), expected, atol=atol, rtol=0)


@pytest.mark.parametrize("case", CASES)
def test_stft_config_is_keras(case):
    config = json.loads(str(FIXTURE[f"{case}_config"]))
    keras_config = json.loads(str(FIXTURE[f"{case}_keras_config"]))
    assert initializers.serialize(initializers.STFT(**config)) == keras_config
    rebuilt = initializers.deserialize(keras_config)
    assert isinstance(rebuilt, initializers.STFT)
    assert rebuilt.get_config() == keras_config["config"]


def test_stft_names():
    assert initializers.stft is initializers.STFT
    assert initializers.STFTInitializer is initializers.STFT
    assert isinstance(initializers.get("STFTInitializer"), initializers.STFT)
    assert isinstance(initializers.get("stft"), initializers.STFT)


def test_stft_bad_arguments():
    with pytest.raises(ArgumentError, match="side"):
        initializers.STFT(side="both")
    with pytest.raises(ArgumentError, match="Scaling"):
        initializers.STFT(scaling="l3")
    with pytest.raises(ShapeError, match="frame_length"):
        initializers.STFT(window=[1.0, 1.0])((4, 1, 3))
    with pytest.raises(ShapeError, match="bins"):
        initializers.STFT()((4, 3))


def test_stft_unknown_window_name():
    with pytest.raises(ArgumentError, match="window"):
        initializers.STFT(window="not_a_window")
