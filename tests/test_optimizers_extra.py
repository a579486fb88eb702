"""Adafactor and LossScaleOptimizer against Keras 3 (tests/fixtures/optimizers_extra.npz)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

import lamina
from lamina import optimizers
from lamina.errors import ArgumentError
from lamina.optimizers import schedules

FIXTURE = np.load(
    os.path.join(os.path.dirname(__file__), "fixtures", "optimizers_extra.npz")
)
ADAFACTOR_CASES = json.loads(str(FIXTURE["adafactor_cases"]))
LSO_CASES = json.loads(str(FIXTURE["lso_cases"]))
NAMES = ("bias", "kernel", "k3")
STEPS = 5
LSO_STEPS = 7


def _params(device="cpu"):
    params = []
    for name in NAMES:
        p = torch.nn.Parameter(torch.tensor(FIXTURE[f"start/{name}"], device=device))
        p.path = name  # as the Keras variables of the fixture
        params.append(p)
    return params


def _grads(key, device="cpu"):
    return [torch.tensor(FIXTURE[f"{key}/{name}"], device=device) for name in NAMES]


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


def _numpy(t):
    return t.detach().cpu().numpy()


def _adafactor(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    return optimizers.Adafactor(name="opt", **kwargs)


def _check_config(config, expected):
    assert sorted(config) == sorted(expected)
    for key, value in expected.items():
        if isinstance(value, float):
            assert config[key] == pytest.approx(value, rel=1e-7), key
        elif key != "learning_rate":
            assert config[key] == value, key


def _no_host_reads(monkeypatch, allowed_bool_reads=None):
    def fail(*args, **kwargs):
        raise AssertionError("the optimizer step read a tensor value on the host")

    for attr in ("item", "tolist", "__float__", "__int__", "numpy"):
        monkeypatch.setattr(torch.Tensor, attr, fail)
    if allowed_bool_reads is None:
        monkeypatch.setattr(torch.Tensor, "__bool__", fail)
    else:
        real_bool = torch.Tensor.__bool__

        def counted(self):
            allowed_bool_reads.append(1)
            return real_bool(self)

        monkeypatch.setattr(torch.Tensor, "__bool__", counted)


# ---------------------------------------------------------------- Adafactor
@pytest.mark.parametrize(
    "n", range(len(ADAFACTOR_CASES)), ids=[str(c["kwargs"]) for c in ADAFACTOR_CASES]
)
@pytest.mark.parametrize("path", ["step", "apply_gradients"])
def test_adafactor_matches_keras(n, path):
    case = ADAFACTOR_CASES[n]
    params = _params()
    opt = _adafactor(case)
    for k in range(STEPS):
        grads = _grads(f"grad{k}")
        if path == "step":
            for p, g in zip(params, grads):
                p.grad = g
            opt.step(params)
        else:
            opt.apply_gradients(zip(grads, params))
        for p, name in zip(params, NAMES):
            _close(_numpy(p), FIXTURE[f"adafactor{n}/step{k}/{name}"])
    # Keras's state: per variable two factored slots (int32 placeholders for
    # rank < 2) and a velocity, in Keras's order, names and dtypes.
    assert [v.path for v in opt.variables] == case["paths"]
    state = opt.get_weights()
    assert len(state) == len(case["paths"])
    for i, s in enumerate(state):
        expected = FIXTURE[f"adafactor{n}/state{i}"]
        assert s.dtype == expected.dtype
        assert s.shape == expected.shape
        _close(s, expected)
    _check_config(opt.get_config(), case["config"])


def test_adafactor_skips_variables_without_gradient():
    params = _params()
    opt = optimizers.Adafactor(learning_rate=0.5)
    others = [p.detach().clone().requires_grad_() for p in params[1:]]
    reference = optimizers.Adafactor(learning_rate=0.5)
    opt.apply(_grads("grad0"), params)
    reference.apply(_grads("grad0")[1:], others)
    bias_after_first = params[0].detach().clone()
    opt.apply([None, *_grads("grad1")[1:]], params)
    reference.apply(_grads("grad1")[1:], others)
    assert torch.equal(params[0].detach(), bias_after_first)
    for p, q in zip(params[1:], others):
        _close(_numpy(p), _numpy(q))


def test_adafactor_state_round_trip():
    params = _params()
    opt = optimizers.Adafactor(learning_rate=0.5)
    for k in range(2):
        opt.apply(_grads(f"grad{k}"), params)
    store = {}
    opt.save_own_variables(store)
    clone_params = [p.detach().clone().requires_grad_() for p in params]
    clone = optimizers.Adafactor(learning_rate=0.5)
    clone.build(clone_params)
    clone.load_own_variables(store)
    assert int(clone.iterations) == 2
    opt.apply(_grads("grad2"), params)
    clone.apply(_grads("grad2"), clone_params)
    for p, q in zip(params, clone_params):
        _close(_numpy(q), _numpy(p))


def test_adafactor_step_reads_no_tensor_value(monkeypatch):
    params = _params()
    opt = _adafactor(ADAFACTOR_CASES[1])
    opt.build(params)
    grads = [_grads(f"grad{k}") for k in range(3)]
    _no_host_reads(monkeypatch)
    for k in range(3):
        for p, g in zip(params, grads[k]):
            p.grad = g
        opt.step(params)
    monkeypatch.undo()
    for p, name in zip(params, NAMES):
        _close(_numpy(p), FIXTURE[f"adafactor1/step2/{name}"])


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"epsilon_1": -1.0}, "epsilon_1"),
        ({"epsilon_2": "small"}, "epsilon_2"),
        ({"clip_threshold": 0.0}, "clip_threshold"),
        ({"beta_2_decay": None}, "beta_2_decay"),
        ({"learning_rate": -0.1}, "learning_rate"),
    ],
)
def test_adafactor_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        optimizers.Adafactor(**kwargs)


# ------------------------------------------------------- LossScaleOptimizer
def _lso(case):
    inner = getattr(optimizers, case["inner"])(name="inner", **case["inner_kwargs"])
    return optimizers.LossScaleOptimizer(inner, name="lso", **case["kwargs"])


@pytest.mark.parametrize(
    "n", range(len(LSO_CASES)), ids=[c["inner"] for c in LSO_CASES]
)
@pytest.mark.parametrize("path", ["step", "apply"])
def test_loss_scale_optimizer_matches_keras(n, path):
    case = LSO_CASES[n]
    params = _params()
    opt = _lso(case)
    opt.build(params)
    for k in range(LSO_STEPS):
        # The gradients Keras got: the loss scale of the step times fixed ones,
        # some with a NaN or an inf.
        grads = _grads(f"lso{n}/grad{k}")
        if path == "step":
            for p, g in zip(params, grads):
                p.grad = g
            opt.step(params)
        else:
            opt.apply(grads, params)
        for p, name in zip(params, NAMES):
            _close(_numpy(p), FIXTURE[f"lso{n}/step{k}/{name}"])
        for name in ("dynamic_scale", "step_counter", "iterations"):
            actual = _numpy(getattr(opt, name))
            expected = FIXTURE[f"lso{n}/step{k}/{name}"]
            assert actual.dtype == expected.dtype, name
            assert actual == expected, (k, name)
    assert [v.path for v in opt.variables] == case["paths"]
    state = opt.get_weights()
    assert len(state) == len(case["paths"])
    for i, s in enumerate(state):
        expected = FIXTURE[f"lso{n}/state{i}"]
        assert s.dtype == expected.dtype
        _close(s, expected)
    config = opt.get_config()
    expected = case["config"]
    assert sorted(config) == sorted(expected)
    assert config["initial_scale"] == expected["initial_scale"]
    assert config["dynamic_growth_steps"] == expected["dynamic_growth_steps"]
    inner, keras_inner = config["inner_optimizer"], expected["inner_optimizer"]
    assert inner["module"] == "keras.optimizers"
    assert inner["class_name"] == keras_inner["class_name"]
    _check_config(inner["config"], keras_inner["config"])


def test_loss_scale_optimizer_reads_one_flag_per_step(monkeypatch):
    case = LSO_CASES[1]  # Adam inner, an inf gradient at step 1
    params = _params()
    opt = _lso(case)
    opt.build(params)
    grads = [_grads(f"lso1/grad{k}") for k in range(3)]
    reads = []
    _no_host_reads(monkeypatch, reads)
    for k in range(3):
        for p, g in zip(params, grads[k]):
            p.grad = g
        opt.step(params)
    monkeypatch.undo()
    assert len(reads) == 3
    for p, name in zip(params, NAMES):
        _close(_numpy(p), FIXTURE[f"lso1/step2/{name}"])


def test_loss_scale_optimizer_deserializes_keras_config():
    config = dict(LSO_CASES[1]["config"])  # inner module as Keras on torch writes it
    opt = optimizers.deserialize(
        {
            "module": "keras.optimizers",
            "class_name": "LossScaleOptimizer",
            "config": config,
            "registered_name": None,
        }
    )
    assert isinstance(opt, optimizers.LossScaleOptimizer)
    assert isinstance(opt.inner_optimizer, optimizers.Adam)
    assert opt.inner_optimizer.name == "inner"
    assert opt.initial_scale == 1024.0 and opt.dynamic_growth_steps == 3
    assert float(opt.learning_rate) == pytest.approx(0.01)
    # Keras wrote older configs with the (unused) base arguments at defaults.
    config["clipnorm"] = None
    config["use_ema"] = False
    restored = optimizers.LossScaleOptimizer.from_config(config)
    assert restored.get_config() == opt.get_config()


def test_loss_scale_optimizer_delegates_to_inner():
    inner = optimizers.SGD(learning_rate=0.1, loss_scale_factor=8.0)
    opt = optimizers.LossScaleOptimizer(inner, initial_scale=4.0)
    assert inner.loss_scale_factor is None  # else the gradients unscale twice
    assert float(opt.scale_loss(torch.tensor(1.5))) == 6.0
    opt.learning_rate = 0.5
    assert float(inner.learning_rate) == 0.5
    assert float(opt.learning_rate) == 0.5
    params = _params()
    opt.apply([4.0 * g for g in _grads("grad0")], params)
    assert int(opt.iterations) == 1
    assert int(inner.iterations) == 1
    expected = FIXTURE["start/kernel"] - np.float32(0.5) * FIXTURE["grad0/kernel"]
    _close(_numpy(params[1]), expected)


def test_loss_scale_optimizer_state_round_trip():
    case = LSO_CASES[1]
    params = _params()
    opt = _lso(case)
    for k in range(4):
        opt.apply(_grads(f"lso1/grad{k}"), params)
    store = {}
    opt.save_own_variables(store)
    clone_params = [p.detach().clone().requires_grad_() for p in params]
    clone = _lso(case)
    clone.build(clone_params)
    clone.load_own_variables(store)
    for name in ("dynamic_scale", "step_counter", "iterations"):
        assert _numpy(getattr(clone, name)) == FIXTURE[f"lso1/step3/{name}"]
    grads = _grads("lso1/grad4")
    opt.apply(grads, params)
    clone.apply(grads, clone_params)
    for q, name in zip(clone_params, NAMES):
        _close(_numpy(q), FIXTURE[f"lso1/step4/{name}"])


def _dense_model(seed):
    torch.manual_seed(seed)
    model = lamina.Sequential(
        [lamina.layers.Input((4,)), lamina.layers.Dense(3), lamina.layers.Dense(1)]
    )
    return model


def test_loss_scale_optimizer_through_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = rng.normal(size=(24, 1)).astype("float32")
    plain = _dense_model(0)
    scaled = _dense_model(1)
    scaled.set_weights(plain.get_weights())
    plain.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss="mse")
    opt = optimizers.LossScaleOptimizer(
        optimizers.SGD(learning_rate=0.1), initial_scale=2.0**10, dynamic_growth_steps=2
    )
    scaled.compile(optimizer=opt, loss="mse")
    plain.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    history = scaled.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    # A power-of-two scale unscales exactly: the same weights as without it.
    for a, b in zip(scaled.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert np.isfinite(history.history["loss"][0])
    assert int(opt.iterations) == 3
    assert float(opt.dynamic_scale) == 2.0**11  # grew once, after two steps
    assert int(opt.step_counter) == 1


def test_loss_scale_optimizer_skips_overflowing_step_in_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = rng.normal(size=(8, 1)).astype("float32") + 100.0
    model = _dense_model(0)
    opt = optimizers.LossScaleOptimizer(
        optimizers.SGD(learning_rate=0.1), initial_scale=2.0**126
    )
    model.compile(optimizer=opt, loss="mse")
    before = model.get_weights()
    model.train_on_batch(x, y)  # loss ~1e4 times 2**126 overflows float32
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert float(opt.dynamic_scale) == 2.0**125
    assert int(opt.iterations) == 0 and int(opt.step_counter) == 0


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"dynamic": False}, "dynamic=False"),
        ({"clipnorm": 1.0}, "clipnorm"),
        ({"foo": 1}, "foo"),
        ({"initial_scale": 0.0}, "initial_scale"),
        ({"initial_scale": "big"}, "initial_scale"),
        ({"dynamic_growth_steps": 0}, "dynamic_growth_steps"),
        ({"dynamic_growth_steps": 2.5}, "dynamic_growth_steps"),
    ],
)
def test_loss_scale_optimizer_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        optimizers.LossScaleOptimizer(optimizers.SGD(), **kwargs)


def test_loss_scale_optimizer_rejects_bad_inner_and_loss_scale_factor():
    with pytest.raises(ArgumentError, match="inner_optimizer"):
        optimizers.LossScaleOptimizer("sgd")
    opt = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(ArgumentError, match="loss_scale_factor"):
        opt.loss_scale_factor = 2.0
    with pytest.raises(ArgumentError, match="No gradients"):
        opt.apply([None], [torch.nn.Parameter(torch.ones(2))])


# ------------------------------------------------------------- registration
def test_get_and_serialize_round_trip():
    assert type(optimizers.get("adafactor")) is optimizers.Adafactor
    assert type(optimizers.get("Adafactor")) is optimizers.Adafactor
    for opt in (
        optimizers.Adafactor(learning_rate=0.01, clip_threshold=0.5),
        optimizers.LossScaleOptimizer(optimizers.Adafactor(), initial_scale=8.0),
    ):
        config = optimizers.serialize(opt)
        assert config["module"] == "keras.optimizers"
        assert config["class_name"] == type(opt).__name__
        restored = optimizers.deserialize(config)
        assert type(restored) is type(opt)
        assert restored.get_config() == opt.get_config()
    assert optimizers.LossScaleOptimizer(optimizers.SGD()).name.startswith(
        "loss_scale_optimizer"
    )


# -------------------------------------------------------------------- CUDA
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("n", range(len(ADAFACTOR_CASES)))
def test_adafactor_on_cuda_without_sync(n):
    params = _params("cuda")
    grads = [_grads(f"grad{k}", "cuda") for k in range(STEPS)]
    opt = _adafactor(ADAFACTOR_CASES[n])
    opt.build(params)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for k in range(STEPS):
            for p, g in zip(params, grads[k]):
                p.grad = g
            opt.step(params)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for p, name in zip(params, NAMES):
        _close(_numpy(p), FIXTURE[f"adafactor{n}/step{STEPS - 1}/{name}"])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("n", range(len(LSO_CASES)))
def test_loss_scale_optimizer_on_cuda(n):
    params = _params("cuda")
    opt = _lso(LSO_CASES[n])
    scale = opt.loss_scale_factor
    opt.build(params)
    assert opt.loss_scale_factor is scale and scale.device.type == "cuda"
    for k in range(LSO_STEPS):
        for p, g in zip(params, _grads(f"lso{n}/grad{k}", "cuda")):
            p.grad = g
        opt.step(params)
    for p, name in zip(params, NAMES):
        _close(_numpy(p), FIXTURE[f"lso{n}/step{LSO_STEPS - 1}/{name}"])
    assert (
        _numpy(opt.dynamic_scale)
        == FIXTURE[f"lso{n}/step{LSO_STEPS - 1}/dynamic_scale"]
    )
