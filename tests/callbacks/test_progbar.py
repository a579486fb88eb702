"""Progbar output against real Keras 3 (tests/fixtures/progbar_keras.json)."""

from __future__ import annotations

import json
import os
import time

import numpy as np
import pytest
import torch

from lamina.callbacks.progbar import Progbar
from lamina.errors import ArgumentError

FIXTURE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "fixtures", "progbar_keras.json"
)
with open(FIXTURE, encoding="utf-8") as _f:
    SCENARIOS = json.load(_f)


def fake_clock(monkeypatch, readings):
    readings = iter(readings)
    monkeypatch.setattr(time, "time", lambda: next(readings))


def replay(spec, convert=lambda v: v):
    bar = Progbar(**spec["kwargs"])
    for op in spec["ops"]:
        values = [(k, convert(v)) for k, v in op[2]] if op[2] else None
        if op[0] == "update":
            bar.update(op[1], values, finalize=op[3])
        else:
            bar.add(op[1], values)
    return bar


@pytest.mark.parametrize("spec", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_output_matches_keras(spec, monkeypatch, capsys):
    fake_clock(monkeypatch, spec["clock"])
    replay(spec)
    assert capsys.readouterr().out == spec["output"]


@pytest.mark.parametrize(
    "convert",
    [
        lambda v: torch.tensor(v, dtype=torch.float64),
        lambda v: np.float64(v),
        lambda v: np.array(v),
    ],
    ids=["torch", "numpy_scalar", "numpy_0d"],
)
@pytest.mark.parametrize("name", ["live_stateful", "live_stateless", "verbose2"])
def test_tensor_and_numpy_values_print_like_floats(name, convert, monkeypatch, capsys):
    spec = next(s for s in SCENARIOS if s["name"] == name)
    fake_clock(monkeypatch, spec["clock"])
    replay(spec, convert)
    assert capsys.readouterr().out == spec["output"]


def test_tensor_values_are_read_only_when_printed(monkeypatch, capsys):
    reads = []

    class CountingTensor(torch.Tensor):
        def __float__(self):
            reads.append(1)
            return super().__float__()

    # Steps 10 ms apart: with the 50 ms interval only every fifth one prints.
    fake_clock(monkeypatch, [i * 0.01 for i in range(100)])
    bar = Progbar(target=50, stateless_metrics=[])
    for step in range(1, 51):
        value = torch.tensor(0.5).as_subclass(CountingTensor)
        bar.update(step, [("loss", value)])
    printed = capsys.readouterr().out.count("loss: 0.5000")
    assert printed < 15
    assert len(reads) == printed


def test_both_metric_lists_is_an_error():
    with pytest.raises(ArgumentError, match="stateful_metrics"):
        Progbar(10, stateful_metrics=["a"], stateless_metrics=["b"])


def test_dynamic_display_off_uses_newlines(monkeypatch, capsys):
    fake_clock(monkeypatch, [0.0, 1.0, 2.0])
    bar = Progbar(target=2)
    bar._dynamic_display = False
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 1.0)])
    out = capsys.readouterr().out
    assert out.startswith("\n\x1b[1m1/2\x1b[0m")
    assert "\b" not in out and "\r" not in out
    assert out.endswith("loss: 1.0000\n")
