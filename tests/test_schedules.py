"""lamina.optimizers.schedules against Keras 3's numbers."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import torch

from lamina.errors import ArgumentError, UnknownObjectError
from lamina.optimizers import schedules

FIXTURE = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "optimizers.npz"))
SCHEDULES = json.loads(str(FIXTURE["schedules"]))
STEPS = FIXTURE["schedule_steps"]
IDS = [f"{s['class_name']}-{n}" for n, s in enumerate(SCHEDULES)]


def _make(n):
    spec = SCHEDULES[n]
    return getattr(schedules, spec["class_name"])(**spec["kwargs"])


@pytest.mark.parametrize("n", range(len(SCHEDULES)), ids=IDS)
def test_call_matches_keras(n):
    schedule = _make(n)
    values = [schedule(int(t)) for t in STEPS]
    assert all(isinstance(v, torch.Tensor) and v.dtype == torch.float32 for v in values)
    np.testing.assert_allclose(
        [float(v) for v in values], FIXTURE[f"schedule{n}"], rtol=1e-6, atol=1e-7
    )
    # A tensor step (the optimizer's `iterations`) gives the same numbers.
    tensor_values = schedule(torch.tensor(STEPS, dtype=torch.int32))
    np.testing.assert_allclose(
        tensor_values.numpy(), FIXTURE[f"schedule{n}"], rtol=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("n", range(len(SCHEDULES)), ids=IDS)
def test_optimizer_fast_path_matches_keras(n):
    schedule = _make(n)
    values = [schedule._value(int(t)) for t in STEPS]
    assert all(isinstance(v, float) for v in values)
    np.testing.assert_allclose(values, FIXTURE[f"schedule{n}"], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("n", range(len(SCHEDULES)), ids=IDS)
def test_serialize_matches_keras(n):
    schedule = _make(n)
    config = schedules.serialize(schedule)
    assert config == SCHEDULES[n]["serialized"]
    restored = schedules.deserialize(SCHEDULES[n]["serialized"])
    assert type(restored) is type(schedule)
    assert restored.get_config() == schedule.get_config()


def test_unknown_schedule_name():
    with pytest.raises(UnknownObjectError, match="CosineDecay"):
        schedules.deserialize({"class_name": "CosineDecayy", "config": {}})


@pytest.mark.parametrize(
    "cls,kwargs,match",
    [
        (
            schedules.ExponentialDecay,
            {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.9},
            "decay_steps",
        ),
        (
            schedules.PolynomialDecay,
            {"initial_learning_rate": 0.1, "decay_steps": -1},
            "decay_steps",
        ),
        (
            schedules.InverseTimeDecay,
            {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.9},
            "decay_steps",
        ),
        (
            schedules.CosineDecay,
            {"initial_learning_rate": 0.1, "decay_steps": 0},
            "decay_steps",
        ),
        (
            schedules.CosineDecayRestarts,
            {"initial_learning_rate": 0.1, "first_decay_steps": 0},
            "first_decay_steps",
        ),
        (
            schedules.PiecewiseConstantDecay,
            {"boundaries": [1, 2], "values": [1.0]},
            "length of boundaries",
        ),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        cls(**kwargs)


def test_base_class_must_be_overridden():
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule()(0)
    with pytest.raises(NotImplementedError):
        schedules.LearningRateSchedule().get_config()
