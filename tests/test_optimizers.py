"""lamina.optimizers against Keras 3's numbers (tests/fixtures/optimizers.npz)."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import torch

import lamina.optimizers.optimizer as optimizer_module
from lamina import optimizers
from lamina.errors import ArgumentError, UnknownObjectError
from lamina.optimizers import schedules
from tests.optimizer_test_utils import no_host_reads

FIXTURE = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "optimizers.npz"))
CASES = json.loads(str(FIXTURE["cases"]))
STEPS = 5


def _params():
    kernel = torch.nn.Parameter(torch.tensor(FIXTURE["kernel0"]))
    bias = torch.nn.Parameter(torch.tensor(FIXTURE["bias0"]))
    kernel.path, bias.path = "dense/kernel", "dense/bias"
    return [kernel, bias]


def _grads(k):
    return [
        torch.tensor(FIXTURE[f"grad{k}/kernel"]),
        torch.tensor(FIXTURE[f"grad{k}/bias"]),
    ]


def _make(case):
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = schedules.deserialize(kwargs["learning_rate"])
    return getattr(optimizers, case["class_name"])(name="opt", **kwargs)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "n", range(len(CASES)), ids=[f"{c['class_name']}-{c['kwargs']}" for c in CASES]
)
@pytest.mark.parametrize("path", ["step", "apply_gradients"])
def test_matches_keras(n, path):
    case = CASES[n]
    params = _params()
    opt = _make(case)
    for k in range(STEPS):
        grads = _grads(k)
        if path == "step":
            for p, g in zip(params, grads):
                p.grad = g
            opt.step(params)
        else:
            opt.apply_gradients(zip(grads, params))
        _close(params[0].detach().numpy(), FIXTURE[f"case{n}/step{k}/kernel"])
        _close(params[1].detach().numpy(), FIXTURE[f"case{n}/step{k}/bias"])
    assert [v.path for v in opt.variables] == case["paths"]
    state = opt.get_weights()
    assert len(state) == len(case["paths"])
    for i, s in enumerate(state):
        expected = FIXTURE[f"case{n}/state{i}"]
        assert s.dtype == expected.dtype
        _close(s, expected)
    config = opt.get_config()
    assert sorted(config) == sorted(case["config"])
    for key, value in case["config"].items():
        if isinstance(value, float):
            assert config[key] == pytest.approx(value, rel=1e-7), key
        elif key != "learning_rate":
            assert config[key] == value, key


@pytest.mark.parametrize(
    "n", [i for i, c in enumerate(CASES) if c["class_name"] in ("Adam", "AdamW")]
)
def test_adam_foreach_path_matches_fused(n, monkeypatch):
    monkeypatch.setattr(optimizers.Adam, "_use_fused", False)
    params = _params()
    opt = _make(CASES[n])
    for k in range(STEPS):
        opt.apply_gradients(zip(_grads(k), params))
    _close(params[0].detach().numpy(), FIXTURE[f"case{n}/step{STEPS - 1}/kernel"])
    _close(params[1].detach().numpy(), FIXTURE[f"case{n}/step{STEPS - 1}/bias"])


def test_non_contiguous_parameter_falls_back_from_fused_kernel():
    base = torch.tensor(FIXTURE["kernel0"]).t().contiguous()
    kernel = torch.nn.Parameter(base.t())  # Keras's values, transposed strides
    assert not kernel.is_contiguous()
    bias = torch.nn.Parameter(torch.tensor(FIXTURE["bias0"]))
    n = next(i for i, c in enumerate(CASES) if c["class_name"] == "Adam")
    opt = _make(CASES[n])
    for k in range(STEPS):
        opt.apply_gradients(zip(_grads(k), [kernel, bias]))
    _close(kernel.detach().numpy(), FIXTURE[f"case{n}/step{STEPS - 1}/kernel"])


def test_step_skips_parameters_without_gradient():
    params = _params()
    opt = optimizers.Adam(learning_rate=0.1)
    params[0].grad = _grads(0)[0]
    bias_before = params[1].detach().clone()
    opt.step(params)
    assert torch.equal(params[1].detach(), bias_before)
    assert not torch.equal(params[0].detach(), torch.tensor(FIXTURE["kernel0"]))
    # Slots of the skipped parameter stay untouched.
    assert float(opt.variables[4].abs().sum()) == 0.0
    assert int(opt.iterations) == 1


def test_unknown_variable_and_no_gradients():
    params = _params()
    opt = optimizers.SGD()
    opt.build(params)
    with pytest.raises(ArgumentError, match="Unknown variable"):
        opt.apply_gradients([(torch.ones(2), torch.nn.Parameter(torch.zeros(2)))])
    with pytest.raises(ArgumentError, match="No gradients"):
        opt.apply([None, None], params)
    with pytest.raises(ArgumentError, match="shape"):
        opt.apply([torch.ones(3, 4), torch.ones(3)], params)


def test_apply_without_variables_uses_built_ones():
    params = _params()
    opt = optimizers.SGD(learning_rate=0.5)
    with pytest.raises(ArgumentError, match="build"):
        opt.apply(_grads(0))
    opt.build(params)
    opt.apply([g.numpy() for g in _grads(0)])  # numpy gradients are accepted
    expected = FIXTURE["kernel0"] - 0.5 * FIXTURE["grad0/kernel"]
    _close(params[0].detach().numpy(), expected)


def test_learning_rate_get_and_set():
    params = _params()
    opt = optimizers.SGD(learning_rate=0.1)
    assert isinstance(opt.learning_rate, torch.Tensor)
    assert float(opt.learning_rate) == pytest.approx(0.1)
    opt.learning_rate = 0.5
    assert float(opt.learning_rate) == pytest.approx(0.5)
    opt.apply(_grads(0), params)
    _close(
        params[0].detach().numpy(), FIXTURE["kernel0"] - 0.5 * FIXTURE["grad0/kernel"]
    )
    # Writing into the tensor (as keras.backend.set_value would) is seen too.
    opt.learning_rate.fill_(0.25)
    before = params[0].detach().numpy().copy()
    opt.apply(_grads(1), params)
    _close(params[0].detach().numpy(), before - 0.25 * FIXTURE["grad1/kernel"])
    # Switching to a schedule drops learning_rate from the state, as Keras does.
    opt.learning_rate = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert [v.path.split("/")[-1] for v in opt.variables] == ["iteration"]
    assert float(opt.learning_rate) == pytest.approx(0.1 * 0.5 ** (2 / 10), rel=1e-6)


def test_learning_rate_of_schedule_is_not_settable():
    opt = optimizers.Adam(learning_rate=schedules.CosineDecay(0.1, 100))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.3


def test_callable_learning_rate():
    params = _params()
    opt = optimizers.SGD(learning_rate=lambda: torch.tensor(0.2))
    opt.apply(_grads(0), params)
    _close(
        params[0].detach().numpy(), FIXTURE["kernel0"] - 0.2 * FIXTURE["grad0/kernel"]
    )


def test_custom_schedule_gets_the_iterations_tensor():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            assert isinstance(step, torch.Tensor)
            return 0.4 * 0.5**step

        def get_config(self):
            return {}

    params = _params()
    opt = optimizers.SGD(learning_rate=Halving())
    expected = FIXTURE["kernel0"].copy()
    for k in range(3):
        opt.apply(_grads(k), params)
        expected = expected - np.float32(0.4 * 0.5**k) * FIXTURE[f"grad{k}/kernel"]
    _close(params[0].detach().numpy(), expected)


def test_keras2_lr_alias_warns_once():
    optimizer_module._warned.discard("lr")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt = optimizers.Adam(lr=0.05)
        optimizers.SGD(lr=0.05)
    assert float(opt.learning_rate) == pytest.approx(0.05)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == 1
    assert "learning_rate" in str(deprecations[0].message)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        assert float(opt.lr) == pytest.approx(0.05)
        opt.lr = 0.01
    assert float(opt.learning_rate) == pytest.approx(0.01)


def test_keras2_decay_is_inverse_time_decay():
    params = _params()
    opt = optimizers.SGD(learning_rate=0.1, decay=0.5)
    expected = FIXTURE["kernel0"].astype(np.float64)
    for k in range(4):
        opt.apply(_grads(k), params)
        expected = expected - 0.1 / (1 + 0.5 * k) * FIXTURE[f"grad{k}/kernel"]
    _close(params[0].detach().numpy(), expected)
    assert opt.get_config()["decay"] == 0.5
    assert "decay" not in optimizers.SGD().get_config()


def test_iterations_tensor_and_writes_into_it():
    params = _params()
    opt = optimizers.Adam(learning_rate=0.01)
    assert opt.iterations.dtype == torch.int32
    for k in range(3):
        opt.apply(_grads(k), params)
    assert int(opt.iterations) == 3
    opt.iterations.zero_()  # a restart of the bias correction, seen by the next step
    opt.apply(_grads(3), params)
    assert int(opt.iterations) == 1


def test_gradient_accumulation_iterations_property():
    params = _params()
    opt = optimizers.SGD(gradient_accumulation_steps=3)
    for k in range(5):
        opt.apply(_grads(k), params)
    assert int(opt.iterations) == 1
    assert int(opt.variables[0]) == 5


def test_ema_finalize_variable_values():
    params = _params()
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    opt.apply(_grads(0), params)
    first = params[0].detach().clone()
    opt.apply(_grads(1), params)
    opt.finalize_variable_values(params)
    expected = 0.5 * first + 0.5 * (first - 0.1 * torch.tensor(FIXTURE["grad1/kernel"]))
    _close(params[0].detach().numpy(), expected.numpy())


def test_exclude_from_weight_decay():
    params = _params()  # named "dense/kernel" and "dense/bias"
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    zero = [torch.zeros(4, 3), torch.zeros(3)]
    opt.apply(zero, params)
    _close(params[0].detach().numpy(), FIXTURE["kernel0"] * (1 - 0.05))
    _close(params[1].detach().numpy(), FIXTURE["bias0"])
    with pytest.raises(ArgumentError, match="before"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_constraint_is_applied_after_update():
    params = _params()
    params[0].constraint = lambda w: torch.clamp(w, min=0.0)
    opt = optimizers.SGD(learning_rate=0.1)
    opt.apply(_grads(0), params)
    assert float(params[0].detach().min()) >= 0.0


def test_state_round_trip_and_positional_names():
    params = [torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(2))]
    opt = optimizers.Nadam(learning_rate=0.01)
    for k in range(3):
        opt.apply([torch.full((2, 2), 0.1 * k), torch.full((2,), -0.2)], params)
    assert opt.variables[2].path.endswith("/variable_0_momentum")
    state = {}
    opt.save_own_variables(state)
    clone_params = [p.detach().clone().requires_grad_() for p in params]
    clone = optimizers.Nadam(learning_rate=0.5)
    clone.build(clone_params)
    clone.load_own_variables(state)
    assert float(clone.learning_rate) == pytest.approx(0.01)
    assert int(clone.iterations) == 3
    g = [torch.full((2, 2), 0.3), torch.full((2,), 0.1)]
    opt.apply(g, params)
    clone.apply(g, clone_params)
    for a, b in zip(params, clone_params):
        _close(b.detach().numpy(), a.detach().numpy())
    with pytest.raises(ArgumentError, match="shape"):
        clone.set_weights([np.zeros(s.shape + (1,)) for s in opt.get_weights()])
    with pytest.raises(ArgumentError, match="built"):
        optimizers.Adam().set_weights([])


def test_load_mismatched_state_warns_and_skips():
    opt = optimizers.Adam()
    opt.build([torch.nn.Parameter(torch.ones(2))])
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        opt.load_own_variables({"0": np.zeros((), np.int32)})


@pytest.mark.parametrize(
    "name,cls",
    [
        ("adam", optimizers.Adam),
        ("Adam", optimizers.Adam),
        ("ADAM", optimizers.Adam),
        ("sgd", optimizers.SGD),
        ("RMSprop", optimizers.RMSprop),
        ("rmsprop", optimizers.RMSprop),
        ("adamw", optimizers.AdamW),
        ("adagrad", optimizers.Adagrad),
        ("adadelta", optimizers.Adadelta),
        ("adamax", optimizers.Adamax),
        ("nadam", optimizers.Nadam),
        ("ftrl", optimizers.Ftrl),
        ("lion", optimizers.Lion),
        ("lamb", optimizers.Lamb),  # Keras 3.15's `get` misses this one
        ("muon", optimizers.Muon),
        ("MUON", optimizers.Muon),
        ("schedulefreeadamw", optimizers.ScheduleFreeAdamW),
        ("ScheduleFreeAdamW", optimizers.ScheduleFreeAdamW),
    ],
)
def test_get_by_name(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_unknown_name_lists_closest():
    with pytest.raises(UnknownObjectError, match="Did you mean: 'adam'"):
        optimizers.get("adamm")
    with pytest.raises(ArgumentError, match="Could not interpret"):
        optimizers.get(42)
    opt = optimizers.SGD()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None


@pytest.mark.parametrize(
    "n", range(len(CASES)), ids=[f"{c['class_name']}-{c['kwargs']}" for c in CASES]
)
def test_serialize_round_trip(n):
    opt = _make(CASES[n])
    config = optimizers.serialize(opt)
    assert config["module"] == "keras.optimizers"
    assert config["class_name"] == CASES[n]["class_name"]
    restored = optimizers.deserialize(config)
    assert type(restored) is type(opt)
    assert restored.get_config() == opt.get_config()


def test_deserialize_keras_config():
    # As written by Keras 3 (torch backend) for a scheduled Adam.
    keras_config = {
        "module": "keras.src.backend.torch.optimizers.torch_adam",
        "class_name": "Adam",
        "config": CASES[
            next(
                i
                for i, c in enumerate(CASES)
                if isinstance(c["kwargs"].get("learning_rate"), dict)
            )
        ]["config"],
        "registered_name": "Adam",
    }
    opt = optimizers.deserialize(keras_config)
    assert isinstance(opt, optimizers.Adam)
    assert isinstance(opt._learning_rate, schedules.ExponentialDecay)


def test_keras2_config_keys_are_accepted():
    opt = optimizers.deserialize(
        {
            "class_name": "Adam",
            "config": {
                "name": "Adam",
                "lr": 0.002,
                "decay": 0.0,
                "beta_1": 0.9,
                "beta_2": 0.999,
                "epsilon": 1e-7,
                "amsgrad": False,
                "jit_compile": False,
                "is_legacy_optimizer": False,
            },
        }
    )
    assert float(opt.learning_rate) == pytest.approx(0.002)


@pytest.mark.parametrize(
    "cls,kwargs,match",
    [
        (optimizers.Adam, {"learning_rate": -0.1}, "learning_rate"),
        (optimizers.Adam, {"learning_rate": "fast"}, "learning_rate"),
        (optimizers.Adam, {"beta_1": 1.0}, "beta_1"),
        (optimizers.Adam, {"beta_2": -0.1}, "beta_2"),
        (optimizers.Nadam, {"beta_2": 1.5}, "beta_2"),
        (optimizers.RMSprop, {"rho": 1.2}, "rho"),
        (optimizers.SGD, {"momentum": 1.5}, "momentum"),
        (optimizers.Lion, {"beta_1": 0.0}, "beta_1"),
        (optimizers.Ftrl, {"learning_rate_power": 0.5}, "learning_rate_power"),
        (optimizers.Ftrl, {"l1_regularization_strength": -1.0}, "l1_regularization"),
        (optimizers.AdamW, {"weight_decay": None}, "weight_decay"),
        (optimizers.SGD, {"clipnorm": 1.0, "clipvalue": 1.0}, "Only one of"),
        (optimizers.SGD, {"gradient_accumulation_steps": 1}, "gradient_accumulation"),
        (optimizers.SGD, {"use_ema": True, "ema_momentum": 2.0}, "ema_momentum"),
        (optimizers.SGD, {"decay": -1.0}, "decay"),
        (optimizers.SGD, {"foo": 1}, "not recognized"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        cls(**kwargs)


def test_auto_names_follow_keras():
    assert optimizers.RMSprop().name.startswith("rm_sprop")
    assert optimizers.AdamW().name.startswith("adam_w")


@pytest.mark.parametrize(
    "n", range(len(CASES)), ids=[f"{c['class_name']}-{c['kwargs']}" for c in CASES]
)
def test_step_reads_no_tensor_value(n, monkeypatch):
    params = _params()
    opt = _make(CASES[n])
    grads = [_grads(k) for k in range(3)]
    opt.build(params)
    no_host_reads(monkeypatch)
    for k in range(3):
        for p, g in zip(params, grads[k]):
            p.grad = g
        opt.step(params)
    monkeypatch.undo()
    _close(params[0].detach().numpy(), FIXTURE[f"case{n}/step2/kernel"])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize(
    "n", range(len(CASES)), ids=[f"{c['class_name']}-{c['kwargs']}" for c in CASES]
)
def test_matches_keras_on_cuda_without_sync(n):
    params = [torch.nn.Parameter(p.detach().cuda()) for p in _params()]
    params[0].path, params[1].path = "dense/kernel", "dense/bias"
    grads = [[g.cuda() for g in _grads(k)] for k in range(STEPS)]
    opt = _make(CASES[n])
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
    _close(params[0].detach().cpu().numpy(), FIXTURE[f"case{n}/step{STEPS - 1}/kernel"])
    _close(params[1].detach().cpu().numpy(), FIXTURE[f"case{n}/step{STEPS - 1}/bias"])


def test_custom_optimizer_written_the_keras_way():
    class MomentumDescent(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables):
            if self.built:
                return
            super().build(variables)
            self.momentums = self.add_optimizer_variables(variables, "momentum")

        def update_step(self, gradient, variable, learning_rate):
            m = self.momentums[self._get_variable_index(variable)]
            self.assign(m, 0.5 * m - learning_rate * gradient)
            self.assign_add(variable, m)

    params = _params()
    opt = MomentumDescent(name="custom")
    m = np.zeros_like(FIXTURE["kernel0"])
    expected = FIXTURE["kernel0"].copy()
    for k in range(3):
        opt.apply_gradients(zip(_grads(k), params))
        m = 0.5 * m - np.float32(0.1) * FIXTURE[f"grad{k}/kernel"]
        expected = expected + m
    _close(params[0].detach().numpy(), expected)
    assert [v.path for v in opt.variables][2:] == [
        "custom/dense_kernel_momentum",
        "custom/dense_bias_momentum",
    ]


@pytest.mark.parametrize("amsgrad", [False, True])
def test_fused_adam_on_channels_last_matches_contiguous(amsgrad):
    torch.manual_seed(0)
    start = torch.randn(4, 3, 5, 5)
    grads = [torch.randn(4, 3, 5, 5) for _ in range(3)]
    results = []
    for fmt in (torch.contiguous_format, torch.channels_last):
        p = torch.nn.Parameter(start.clone().contiguous(memory_format=fmt))
        opt = optimizers.Adam(learning_rate=0.1, amsgrad=amsgrad)
        for g in grads:
            p.grad = g.contiguous(memory_format=fmt)
            opt.step([p])
        results.append(p.detach().contiguous())
    # A gradient laid out unlike its parameter takes the foreach path.
    p = torch.nn.Parameter(start.clone().contiguous(memory_format=torch.channels_last))
    opt = optimizers.Adam(learning_rate=0.1, amsgrad=amsgrad)
    for g in grads:
        p.grad = g.contiguous()
        opt.step([p])
    results.append(p.detach().contiguous())
    _close(results[1].numpy(), results[0].numpy())
    _close(results[2].numpy(), results[0].numpy())
