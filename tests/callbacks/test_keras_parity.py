"""Callbacks driven as `fit`/`evaluate`/`predict` do, against real Keras 3.

tests/fixtures/callbacks_keras.json holds what Keras's own callbacks printed,
warned, saved and recorded for each scenario (see make_callbacks.py, whose
driver and fake model are reused here); lamina must do exactly the same.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os

import pytest
import torch

import lamina.callbacks as lamina_callbacks
from lamina.callbacks import progbar

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
_spec = importlib.util.spec_from_file_location(
    "make_callbacks", os.path.join(FIXTURES, "make_callbacks.py")
)
driver = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(driver)

with open(os.path.join(FIXTURES, "callbacks_keras.json"), encoding="utf-8") as _f:
    SCENARIOS = json.load(_f)
IDS = [s["name"] for s in SCENARIOS]


@pytest.fixture(autouse=True)
def live_progress_bar(monkeypatch):
    """Keras's fixtures hold its live bar (redrawn in place, as on a terminal)."""
    monkeypatch.setattr(progbar, "_is_live_display", lambda: True)


def run_lamina(scenario, use_flags):
    return driver.run(
        scenario, lamina_callbacks, lamina_callbacks.CallbackList, use_flags
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_same_as_keras(scenario):
    assert run_lamina(scenario, use_flags=False) == scenario["keras"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_same_as_keras_when_loop_skips_unused_batch_hooks(scenario):
    # lamina's loop calls batch hooks only when `calls_on_*` says someone
    # listens; skipping them must not change anything observable.
    assert run_lamina(scenario, use_flags=True) == scenario["keras"]


LAZY_SCENARIOS = [
    s
    for s in SCENARIOS
    if s["kind"] == "fit"
    and (
        s["name"].startswith("progbar")
        or s["name"] in ("checkpoint_batches", "terminate_on_nan")
    )
]


def with_tensor_batch_logs(scenario):
    """The scenario with batch logs as 0-d tensors, as lamina's loop reports."""
    scenario = copy.deepcopy(scenario)
    for epoch in scenario["epochs"]:
        for key in ("batches", "val_batches"):
            epoch[key] = [
                {k: torch.tensor(v, dtype=torch.float64) for k, v in logs.items()}
                for logs in epoch.get(key, [])
            ]
    return scenario


@pytest.mark.parametrize("scenario", LAZY_SCENARIOS, ids=lambda s: s["name"])
def test_tensor_batch_logs_give_the_same_result(scenario):
    lazy = with_tensor_batch_logs(scenario)
    assert run_lamina(lazy, use_flags=True) == scenario["keras"]
