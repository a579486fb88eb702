"""Progbar output against real Keras 3 (tests/fixtures/progbar_keras.json)."""

from __future__ import annotations

import json
import os
import re
import time

import numpy as np
import pytest
import torch

from lamina.callbacks import progbar as progbar_module
from lamina.callbacks.progbar import Progbar
from lamina.errors import ArgumentError

FIXTURE = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "fixtures", "progbar_keras.json"
)
with open(FIXTURE, encoding="utf-8") as _f:
    SCENARIOS = json.load(_f)


@pytest.fixture
def terminal(monkeypatch):
    """stdout as a terminal: the live bar, as Keras draws it (its fixtures)."""
    monkeypatch.setattr(progbar_module, "_is_live_display", lambda: True)


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
def test_output_matches_keras(spec, monkeypatch, capsys, terminal):
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
def test_tensor_and_numpy_values_print_like_floats(
    name, convert, monkeypatch, capsys, terminal
):
    spec = next(s for s in SCENARIOS if s["name"] == name)
    fake_clock(monkeypatch, spec["clock"])
    replay(spec, convert)
    assert capsys.readouterr().out == spec["output"]


def test_tensor_values_are_read_only_when_printed(monkeypatch, capsys, terminal):
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


@pytest.mark.parametrize("name", [s["name"] for s in SCENARIOS])
def test_piped_output_is_one_plain_line_per_bar(name, monkeypatch, capsys):
    """Not a terminal: no escape codes, no redraws, the terminal's final figures."""
    spec = next(s for s in SCENARIOS if s["name"] == name)
    fake_clock(monkeypatch, spec["clock"])
    replay(spec)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\b" not in out
    # Keras's terminal output, each finished bar without its styling.
    live = re.sub(r"\x1b\[[0-9;]*m", "", spec["output"])
    finished = [line.split("\r")[-1].rstrip() for line in live.split("\n")[:-1] if line]
    assert [line.rstrip() for line in out.splitlines()] == finished


def test_logger_gets_plain_lines(monkeypatch, caplog):
    from lamina import io_utils

    fake_clock(monkeypatch, [0.0, 1.0, 2.0, 3.0])
    io_utils.disable_interactive_logging()
    try:
        with caplog.at_level("INFO", logger="lamina"):
            bar = Progbar(target=2)
            bar.update(1, [("loss", 1.0)])
            bar.update(2, [("loss", 1.0)])
    finally:
        io_utils.enable_interactive_logging()
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 1
    assert messages[0].startswith("2/2 ━━━━") and "\x1b" not in messages[0]
    assert messages[0].rstrip().endswith("loss: 1.0000")


def test_fit_verbose_1_into_a_log_file_writes_one_line_per_epoch(capsys):
    import lamina as keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    x, y = np.ones((32, 3), "float32"), np.ones((32, 1), "float32")
    model.fit(x, y, batch_size=8, epochs=3, verbose=1)  # captured: not a tty
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\r" not in out and "\b" not in out
    lines = out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    for line in lines[1::2]:
        assert re.fullmatch(
            r"4/4 ━{20} \d+s \d+[mu]?s/step - loss: \S+ - mae: \S+", line.rstrip()
        ), line
