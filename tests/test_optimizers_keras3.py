"""Every Keras 3.15 optimizer against Keras's numbers (fixtures/optimizers_keras3*).

Each optimizer runs five steps with its defaults and with non-default sets of
its own and the base arguments (weight_decay, clipnorm, clipvalue,
global_clipnorm, use_ema with ema_overwrite_frequency,
gradient_accumulation_steps, loss_scale_factor, a schedule), on six variables
of ranks 0 to 3; LossScaleOptimizer and MultiOptimizer wrap the new ones.
ScheduleFreeAdamW's numbers come from Keras on jax (see the fixture script).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch

from lamina import optimizers
from lamina.errors import ArgumentError
from tests.optimizer_test_utils import (
    cases,
    check_config,
    flat,
    make,
    no_host_reads,
    start_params,
    step_gradients,
)

CASES = cases("cases")
IDS = [f"{case['class_name']}-{k}" for k, (_, _, case) in enumerate(CASES)]
STEPS = 5


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
@pytest.mark.parametrize("path", ["step", "apply_gradients"])
def test_matches_keras(k, path):
    fixture, n, case = CASES[k]
    params = start_params(fixture)
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    expected_steps = fixture[f"case{n}/steps"]
    for step in range(STEPS):
        grads = step_gradients(fixture, case, step)
        if path == "step":
            for p, g in zip(params, grads):
                p.grad = g
            opt.step(params)
        else:
            opt.apply_gradients(zip(grads, params))
        _close(flat(params), expected_steps[step])
    # Keras numbers its unnamed variables per session (Nadam's "opt/variable_3").
    keras_paths = [re.sub(r"/variable_\d+$", "/variable", p) for p in case["paths"]]
    assert [v.path for v in opt.variables] == keras_paths
    assert [list(v.shape) for v in opt.variables] == case["shapes"]
    assert [str(v.detach().cpu().numpy().dtype) for v in opt.variables] == case[
        "dtypes"
    ]
    _close(flat(opt.variables), fixture[f"case{n}/state"])
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


NO_SYNC = [
    k
    for k, (_, _, case) in enumerate(CASES)
    if case["class_name"] in ("Lamb", "Muon", "ScheduleFreeAdamW", "MultiOptimizer")
]


@pytest.mark.parametrize("k", NO_SYNC, ids=[IDS[k] for k in NO_SYNC])
def test_step_reads_no_tensor_value(k, monkeypatch):
    fixture, n, case = CASES[k]
    params = start_params(fixture)
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    grads = [step_gradients(fixture, case, step) for step in range(3)]
    no_host_reads(monkeypatch)
    for step in range(3):
        for p, g in zip(params, grads[step]):
            p.grad = g
        opt.step(params)
    monkeypatch.undo()
    _close(flat(params), fixture[f"case{n}/steps"][2])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("k", range(len(CASES)), ids=IDS)
def test_matches_keras_on_cuda(k):
    torch.backends.cuda.matmul.allow_tf32 = False  # Muon's products in float32
    fixture, n, case = CASES[k]
    params = start_params(fixture, "cuda")
    opt = make(case["class_name"], case["kwargs"])
    opt.build(params)
    for step in range(STEPS):
        for p, g in zip(params, step_gradients(fixture, case, step, "cuda")):
            p.grad = g
        opt.step(params)
    np.testing.assert_allclose(
        flat(params), fixture[f"case{n}/steps"][STEPS - 1], rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    "cls,kwargs,match",
    [
        (optimizers.Lamb, {"beta_1": 1.0}, "beta_1"),
        (optimizers.Lamb, {"epsilon": -1.0}, "epsilon"),
        (optimizers.ScheduleFreeAdamW, {"beta_2": 1.5}, "beta_2"),
        (optimizers.ScheduleFreeAdamW, {"warmup_steps": -1}, "warmup_steps"),
        (optimizers.Muon, {"adam_beta_1": 1.0}, "adam_beta_1"),
        (optimizers.Muon, {"momentum": 1.5}, "momentum"),
        (optimizers.Muon, {"ns_steps": -1}, "ns_steps"),
        (optimizers.Muon, {"ns_steps": 2.5}, "ns_steps"),
        (optimizers.Muon, {"rms_rate": "big"}, "rms_rate"),
        (optimizers.Muon, {"adam_weight_decay": -0.1}, "adam_weight_decay"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        cls(**kwargs)


def test_muon_assigns_variables_as_keras():
    # Rank 2 takes Muon's step unless its path names an embedding or matches
    # `exclude_layers`; ranks 0, 1 and 3 take AdamW's (a velocity slot each).
    variables = {
        path: torch.nn.Parameter(torch.ones(shape))
        for path, shape in [
            ("dense/kernel", (4, 3)),
            ("dense/bias", (3,)),
            ("conv/kernel", (2, 3, 3, 4)),
            ("token_Embedding/embeddings", (9, 4)),
            ("head/kernel", (4, 2)),
        ]
    }
    for path, v in variables.items():
        v.path = path
    opt = optimizers.Muon(exclude_layers=["^head/"], name="muon")
    opt.build(list(variables.values()))
    velocities = [v.path for v in opt.variables if v.path.endswith("_velocity")]
    assert velocities == [
        "muon/dense_bias_velocity",
        "muon/conv_kernel_velocity",
        "muon/token_Embedding_embeddings_velocity",
        "muon/head_kernel_velocity",
    ]
    kept = optimizers.Muon(exclude_embeddings=False)
    kept.build([variables["token_Embedding/embeddings"]])
    assert not any(v.path.endswith("_velocity") for v in kept.variables)


def test_muon_batches_matrices_of_one_shape_with_the_same_result():
    torch.manual_seed(0)
    starts = [torch.randn(6, 4), torch.randn(6, 4), torch.randn(4, 6)]
    grads = [[torch.randn_like(s) for s in starts] for _ in range(3)]
    together = [torch.nn.Parameter(s.clone()) for s in starts]
    opt = optimizers.Muon(learning_rate=0.1)
    for step in grads:
        opt.apply(step, together)
    for k, start in enumerate(starts):
        alone = torch.nn.Parameter(start.clone())
        single = optimizers.Muon(learning_rate=0.1)
        for step in grads:
            single.apply([step[k]], [alone])
        np.testing.assert_allclose(
            together[k].detach().numpy(), alone.detach().numpy(), rtol=1e-6, atol=1e-6
        )
