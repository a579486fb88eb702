"""MultiOptimizer and OptimizerMap: Keras 3.15's assignment rules and behaviour.

Their numbers against Keras are in test_optimizers_keras3 (and their files in
test_optimizers_files); here, what a variable gets, what is refused, and `fit`.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import lamina
from lamina import optimizers
from lamina.errors import ArgumentError
from tests.optimizer_test_utils import (
    cases,
    flat,
    make,
    start_params,
    step_gradients,
)

VARIABLE_PATHS = ["dense/kernel", "dense/bias", "out/kernel", "out/bias"]


def _variables():
    variables = []
    for path in VARIABLE_PATHS:
        v = torch.nn.Parameter(torch.ones(2, 2) if "kernel" in path else torch.ones(2))
        v.path = path
        variables.append(v)
    return variables


def test_optimizer_map_exact_key_then_one_full_regex_match_then_default():
    sgd, adam, rms = optimizers.SGD(), optimizers.Adam(), optimizers.RMSprop()
    mapping = optimizers.OptimizerMap(rms)
    mapping["encoder/layer_0/dense"] = adam
    mapping["encoder/.*"] = sgd
    mapping["decoder"] = adam
    assert mapping["encoder/layer_0/dense"] is adam  # exact, though the regex matches
    assert mapping["encoder/layer_0/attention/query"] is sgd
    assert mapping["decoder"] is adam
    assert mapping["decoder/layer_0/dense"] is rms  # "decoder" must match it all
    assert mapping.default_optimizer is rms
    assert list(mapping) == ["encoder/layer_0/dense", "encoder/.*", "decoder"]
    assert len(mapping) == 3
    del mapping["decoder"]
    assert mapping["decoder"] is rms
    variable = torch.nn.Parameter(torch.ones(1))
    variable.path = "encoder/x"
    assert mapping(variable) is sgd
    mapping["enc.*"] = adam
    with pytest.raises(ArgumentError, match="Multiple optimizers"):
        mapping["encoder/x"]


def test_optimizer_map_refusals():
    mapping = optimizers.OptimizerMap(optimizers.SGD(), {"a": optimizers.Adam()})
    with pytest.raises(ArgumentError, match="already exists"):
        mapping["a"] = optimizers.SGD()
    with pytest.raises(ArgumentError, match="key must be a string"):
        mapping[3] = optimizers.SGD()
    with pytest.raises(ArgumentError, match="Optimizer instance"):
        mapping["b"] = "adam"
    with pytest.raises(ArgumentError, match="LossScaleOptimizer"):
        mapping["b"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(ArgumentError, match="MultiOptimizer"):
        mapping["b"] = optimizers.MultiOptimizer(mapping)
    with pytest.raises(TypeError, match="default_optimizer"):
        optimizers.OptimizerMap("sgd")
    with pytest.raises(TypeError, match="dictionary"):
        optimizers.OptimizerMap(optimizers.SGD(), [("a", optimizers.Adam())])


def test_inner_optimizers_order_state_and_loss_scale_factor():
    adam = optimizers.Adam(name="adam", loss_scale_factor=8.0)
    sgd = optimizers.SGD(name="sgd", momentum=0.5)
    idle = optimizers.Lion(name="idle")
    mapping = optimizers.OptimizerMap(sgd, {"out/.*": adam, "nothing/.*": idle})
    opt = optimizers.MultiOptimizer(mapping, loss_scale_factor=2.0, name="multi")
    # The mapped ones in order, then the default; each takes this scale factor.
    assert opt.optimizers == [adam, idle, sgd]
    assert [o.loss_scale_factor for o in opt.optimizers] == [2.0, 2.0, 2.0]
    opt.loss_scale_factor = 4.0
    assert [o.loss_scale_factor for o in opt.optimizers] == [4.0, 4.0, 4.0]
    opt.build(_variables())
    # An optimizer with no variables keeps its two own variables, as in Keras.
    assert [v.path for v in opt.variables] == [
        "multi/iteration",
        "multi/learning_rate",
        "adam/iteration",
        "adam/learning_rate",
        "adam/out_kernel_momentum",
        "adam/out_kernel_velocity",
        "adam/out_bias_momentum",
        "adam/out_bias_velocity",
        "idle/iteration",
        "idle/learning_rate",
        "sgd/iteration",
        "sgd/learning_rate",
        "sgd/dense_kernel_momentum",
        "sgd/dense_bias_momentum",
    ]
    variables = opt._params
    opt.apply([torch.full_like(v, 4.0) for v in variables])
    assert int(opt.iterations) == 1
    assert [int(o.iterations) for o in opt.optimizers] == [1, 0, 1]
    # SGD unscales the gradient by 4: w = 1 - 0.01 * 1.
    np.testing.assert_allclose(variables[0].detach().numpy(), 0.99, rtol=1e-6)


def test_learning_rate_is_the_inner_optimizers_own():
    opt = optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD()))
    with pytest.raises(AttributeError, match="sub-optimizers"):
        _ = opt.learning_rate
    with pytest.raises(AttributeError, match="sub-optimizers"):
        opt.learning_rate = 0.1


def test_a_callable_chooses_like_the_map():
    # The fixture's MultiOptimizer case with a map, redone with a function.
    fixture, n, case = next(
        c
        for c in cases("cases")
        if c[2]["class_name"] == "MultiOptimizer"
        and "optimizer_map" in c[2]["kwargs"]["optimizer_map"]
    )
    spec = case["kwargs"]["optimizer_map"]
    mapped = make(case["class_name"], case["kwargs"])._optimizer_map
    choices = [(re.compile(key), mapped[key]) for key in spec["optimizer_map"]]

    def choose(variable):
        for pattern, optimizer in choices:
            if pattern.fullmatch(variable.path):
                return optimizer
        return mapped.default_optimizer

    opt = optimizers.MultiOptimizer(choose, loss_scale_factor=2.0, name="opt")
    params = start_params(fixture)
    for step in range(5):
        opt.apply(step_gradients(fixture, case, step), params)
    np.testing.assert_allclose(
        flat(params), fixture[f"case{n}/steps"][4], rtol=1e-6, atol=1e-6
    )
    # Inner optimizers met only at build get the loss scale factor too.
    assert {o.loss_scale_factor for o in opt.optimizers} == {2.0}


def test_refused_inner_optimizers_at_build():
    for wrong in (
        optimizers.LossScaleOptimizer(optimizers.SGD()),
        optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD())),
        "sgd",
    ):
        opt = optimizers.MultiOptimizer(lambda variable, wrong=wrong: wrong)
        with pytest.raises(ArgumentError, match="optimizer of variable"):
            opt.build(_variables())


def test_finalize_variable_values_reaches_each_inner_optimizer():
    ema = optimizers.SGD(learning_rate=0.5, use_ema=True, ema_momentum=0.5)
    plain = optimizers.SGD(learning_rate=0.5)
    opt = optimizers.MultiOptimizer(optimizers.OptimizerMap(plain, {"dense/.*": ema}))
    variables = _variables()
    for _ in range(2):
        opt.apply([torch.ones_like(v) for v in variables], variables)
    opt.finalize_variable_values(variables)
    # EMA of 0.5 then 0 (momentum 0 on the first step): 0.5 * 0.5 + 0.5 * 0.
    np.testing.assert_allclose(variables[0].detach().numpy(), 0.25)
    np.testing.assert_allclose(variables[2].detach().numpy(), 0.0)


def _model():
    torch.manual_seed(0)
    return lamina.Sequential(
        [
            lamina.Input((4,)),
            lamina.layers.Dense(3, name="dense"),
            lamina.layers.Dense(1, name="out"),
        ]
    )


def test_fit_with_a_multi_optimizer_is_fit_with_its_optimizers():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    reference = _model()
    reference.compile(optimizer=optimizers.SGD(0.05), loss="mse")
    multi = _model()
    opt = optimizers.MultiOptimizer(
        optimizers.OptimizerMap(optimizers.SGD(0.05), {"out/.*": optimizers.SGD(0.05)}),
        loss_scale_factor=4.0,  # fit scales the loss, each inner one unscales
    )
    multi.compile(optimizer=opt, loss="mse")
    reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    multi.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(multi.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(opt.iterations) == 8
    assert [int(o.iterations) for o in opt.optimizers] == [8, 8]


def test_serialize_round_trip_of_map_and_keras_config():
    opt = optimizers.MultiOptimizer(
        optimizers.OptimizerMap(
            optimizers.Lamb(0.05, name="lamb"),
            {".*/kernel": optimizers.Muon(0.02, name="muon")},
        ),
        loss_scale_factor=2.0,
        name="multi",
    )
    config = optimizers.serialize(opt)
    assert config["class_name"] == "MultiOptimizer"
    inner = config["config"]["optimizer_map"]
    assert (inner["module"], inner["class_name"]) == (
        "keras.optimizers",
        "OptimizerMap",
    )
    restored = optimizers.deserialize(config)
    assert restored.get_config() == opt.get_config()
    assert [type(o).__name__ for o in restored.optimizers] == ["Muon", "Lamb"]
    assert restored.optimizers[0].loss_scale_factor == 2.0


def test_keras_config_with_torch_module_names():
    # As Keras on torch writes an inner optimizer's module.
    config = {
        "module": "keras.optimizers",
        "class_name": "MultiOptimizer",
        "config": {
            "optimizer_map": {
                "module": "keras.optimizers",
                "class_name": "OptimizerMap",
                "config": {
                    "default_optimizer": {
                        "module": "keras.src.backend.torch.optimizers.torch_sgd",
                        "class_name": "SGD",
                        "config": {"name": "sgd", "momentum": 0.9},
                        "registered_name": "SGD",
                    },
                    "optimizer_map": {},
                },
                "registered_name": None,
            },
            "loss_scale_factor": None,
            "name": "multi",
        },
        "registered_name": None,
    }
    opt = optimizers.deserialize(config)
    assert isinstance(opt.optimizers[0], optimizers.SGD)
    assert opt.optimizers[0].momentum == 0.9 and opt.name == "multi"
