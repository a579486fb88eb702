"""Every Keras 3.15 optimizer against Keras's numbers (tests/fixtures/optimizers_keras3*).

Each optimizer runs five steps with its defaults and with non-default sets of
its own and the base arguments (weight_decay, clipnorm, clipvalue,
global_clipnorm, use_ema with ema_overwrite_frequency,
gradient_accumulation_steps, loss_scale_factor, a schedule), on six variables
of ranks 0 to 3; LossScaleOptimizer and MultiOptimizer wrap the new ones.
ScheduleFreeAdamW's numbers come from Keras on jax (see the fixture script).
"""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
import torch

from lamina import optimizers
from lamina.optimizers import schedules

HERE = os.path.join(os.path.dirname(__file__), "fixtures")
FIXTURES = [
    np.load(os.path.join(HERE, name))
    for name in ("optimizers_keras3.npz", "optimizers_keras3_jax.npz")
]
VARIABLES = json.loads(str(FIXTURES[0]["variables"]))
CASES = [
    (fixture, n, case)
    for fixture in FIXTURES
    for n, case in enumerate(json.loads(str(fixture["cases"])))
]
IDS = [f"{case['class_name']}-{k}" for k, (_, _, case) in enumerate(CASES)]
STEPS = 5


def unflatten(flat: np.ndarray, shapes, dtypes=None) -> list[np.ndarray]:
    """Arrays of ``shapes`` (and ``dtypes``) from one flat float64 array."""
    arrays, at = [], 0
    for k, shape in enumerate(shapes):
        size = int(np.prod(shape, dtype=np.int64))
        array = flat[at : at + size].reshape(shape)
        arrays.append(array.astype(dtypes[k] if dtypes else "float32"))
        at += size
    assert at == flat.size
    return arrays


def _params(fixture, device="cpu") -> list[torch.Tensor]:
    values = unflatten(fixture["start"], [s for _, s in VARIABLES])
    params = []
    for (path, _), value in zip(VARIABLES, values):
        p = torch.nn.Parameter(torch.tensor(value, device=device))
        p.path = path  # as the Keras variables of the fixture
        params.append(p)
    return params


def _grads(fixture, case, k, device="cpu") -> list[torch.Tensor]:
    grads = unflatten(fixture[f"grad{k}"], [s for _, s in VARIABLES])
    if case["class_name"] == "LossScaleOptimizer":
        # What Keras was fed: the loss scale of the step times the gradients.
        grads = [g * np.float32(case["scales"][k]) for g in grads]
        poison = case["poison"].get(str(k))
        if poison:
            grads[0][1, 2] = np.nan if poison == "nan" else np.inf
    return [torch.tensor(g, device=device) for g in grads]


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


def _flat(tensors) -> np.ndarray:
    return np.concatenate(
        [np.ravel(t.detach().cpu().numpy()).astype("float64") for t in tensors]
    )


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


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


@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
@pytest.mark.parametrize("path", ["step", "apply_gradients"])
def test_matches_keras(k, path):
    fixture, n, case = CASES[k]
    params = _params(fixture)
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    expected_steps = fixture[f"case{n}/steps"]
    for step in range(STEPS):
        grads = _grads(fixture, case, step)
        if path == "step":
            for p, g in zip(params, grads):
                p.grad = g
            opt.step(params)
        else:
            opt.apply_gradients(zip(grads, params))
        _close(_flat(params), expected_steps[step])
    # Keras numbers its unnamed variables per session (Nadam's "opt/variable_3").
    keras_paths = [re.sub(r"/variable_\d+$", "/variable", p) for p in case["paths"]]
    assert [v.path for v in opt.variables] == keras_paths
    assert [list(v.shape) for v in opt.variables] == case["shapes"]
    assert [str(v.detach().cpu().numpy().dtype) for v in opt.variables] == case[
        "dtypes"
    ]
    _close(_flat(opt.variables), fixture[f"case{n}/state"])
    check_config(opt.get_config(), case["config"])


@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
def test_serialize_round_trip(k):
    _, _, case = CASES[k]
    opt = make(case["class_name"], case["kwargs"])
    config = optimizers.serialize(opt)
    assert config["module"] == "keras.optimizers"
    assert config["class_name"] == case["class_name"]
    restored = optimizers.deserialize(json.loads(json.dumps(config)))
    assert type(restored) is type(opt)
    assert restored.get_config() == opt.get_config()


def _no_host_reads(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the optimizer step read a tensor value on the host")

    for attr in ("item", "tolist", "__float__", "__int__", "__bool__", "numpy"):
        monkeypatch.setattr(torch.Tensor, attr, fail)


NO_SYNC = [
    k
    for k, (_, _, case) in enumerate(CASES)
    if case["class_name"] in ("Lamb", "Muon", "ScheduleFreeAdamW", "MultiOptimizer")
]


@pytest.mark.parametrize("k", NO_SYNC, ids=[IDS[k] for k in NO_SYNC])
def test_step_reads_no_tensor_value(k, monkeypatch):
    fixture, n, case = CASES[k]
    params = _params(fixture)
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    grads = [_grads(fixture, case, step) for step in range(3)]
    _no_host_reads(monkeypatch)
    for step in range(3):
        for p, g in zip(params, grads[step]):
            p.grad = g
        opt.step(params)
    monkeypatch.undo()
    _close(_flat(params), fixture[f"case{n}/steps"][2])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
def test_matches_keras_on_cuda(k):
    torch.backends.cuda.matmul.allow_tf32 = False  # Muon's products in float32
    fixture, n, case = CASES[k]
    params = _params(fixture, "cuda")
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    for step in range(STEPS):
        for p, g in zip(params, _grads(fixture, case, step, "cuda")):
            p.grad = g
        opt.step(params)
    np.testing.assert_allclose(
        _flat(params), fixture[f"case{n}/steps"][STEPS - 1], rtol=1e-5, atol=1e-5
    )
