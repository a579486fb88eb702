"""Shared by the optimizer tests that read Keras's numbers (optimizers_keras3*)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from lamina import optimizers
from lamina.optimizers import schedules

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
# Keras on torch for every optimizer but ScheduleFreeAdamW, on jax for that one
# (see tests/fixtures/make_optimizers_keras3.py).
FIXTURES = [
    np.load(os.path.join(HERE, name))
    for name in ("optimizers_keras3.npz", "optimizers_keras3_jax.npz")
]
VARIABLES = json.loads(str(FIXTURES[0]["variables"]))


def cases(key: str) -> list[tuple]:
    """``(fixture, position, case)`` for each case listed under ``key``."""
    return [
        (fixture, n, case)
        for fixture in FIXTURES
        for n, case in enumerate(json.loads(str(fixture[key])))
    ]


def unflatten(flat: np.ndarray, shapes) -> list[np.ndarray]:
    """float32 arrays of ``shapes`` from one flat float64 array."""
    arrays, at = [], 0
    for shape in shapes:
        size = int(np.prod(shape, dtype=np.int64))
        array = flat[at : at + size].reshape(shape)
        arrays.append(array.astype("float32"))
        at += size
    assert at == flat.size
    return arrays


def make(class_name: str, kwargs: dict, name: str = "opt") -> optimizers.Optimizer:
    """The lamina optimizer a fixture case describes (as the script builds Keras's)."""
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    if class_name == "LossScaleOptimizer":
        spec = kwargs.pop("inner_optimizer")
        inner = make(spec["class_name"], spec["config"], "inner")
        return optimizers.LossScaleOptimizer(inner, name=name, **kwargs)
    if class_name == "MultiOptimizer":
        spec = kwargs.pop("optimizer_map")
        default = spec["default_optimizer"]
        mapping = {
            key: make(s["class_name"], s["config"], s["config"]["name"])
            for key, s in spec.get("optimizer_map", {}).items()
        }
        optimizer_map = optimizers.OptimizerMap(
            make(default["class_name"], default["config"]), mapping
        )
        return optimizers.MultiOptimizer(optimizer_map, name=name, **kwargs)
    kwargs.setdefault("name", name)
    return getattr(optimizers, class_name)(**kwargs)


def check_config(config, expected, where="config"):
    """``config`` equals Keras's, floats to float32 precision; Keras's module
    names for its torch classes and its registered names aside."""
    if isinstance(expected, dict):
        assert isinstance(config, dict), where
        keys = set(expected) - {"module", "registered_name"}
        assert set(config) - {"module", "registered_name"} == keys, where
        for key in keys:
            check_config(config[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, float):
        assert config == pytest.approx(expected, rel=1e-7), where
    else:
        assert config == expected, where


def start_params(fixture, device="cpu") -> list[torch.Tensor]:
    """The fixture's variables at their start, with Keras's paths."""
    values = unflatten(fixture["start"], [s for _, s in VARIABLES])
    params = []
    for (path, _), value in zip(VARIABLES, values):
        p = torch.nn.Parameter(torch.tensor(value, device=device))
        p.path = path  # as the Keras variables of the fixture
        params.append(p)
    return params


def step_gradients(fixture, case, k, device="cpu") -> list[torch.Tensor]:
    """The gradients Keras got at step ``k`` of ``case``."""
    grads = unflatten(fixture[f"grad{k}"], [s for _, s in VARIABLES])
    if case["class_name"] == "LossScaleOptimizer":
        # What Keras was fed: the loss scale of the step times the gradients.
        grads = [g * np.float32(case["scales"][k]) for g in grads]
        poison = case["poison"].get(str(k))
        if poison:
            grads[0][1, 2] = np.nan if poison == "nan" else np.inf
    return [torch.tensor(g, device=device) for g in grads]


def flat(tensors) -> np.ndarray:
    """Tensors flattened into one float64 array, as the fixtures store them."""
    return np.concatenate(
        [np.ravel(t.detach().cpu().numpy()).astype("float64") for t in tensors]
    )


def no_host_reads(monkeypatch) -> None:
    """Make any read of a tensor's value on the host fail (until `monkeypatch.undo`)."""

    def fail(*args, **kwargs):
        raise AssertionError("the optimizer step read a tensor value on the host")

    for attr in ("item", "tolist", "__float__", "__int__", "__bool__", "numpy"):
        monkeypatch.setattr(torch.Tensor, attr, fail)
