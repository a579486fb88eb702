"""`lamina.config`: Keras 3's switches, what `clear_session` resets, the epoch and
step limits on `fit`, interactive logging, `set_backend`. Keras's answers are in
config_scopes_keras.json (made by tests/fixtures/make_config_scopes.py)."""

from __future__ import annotations

import json
import logging
import os
import pathlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import lamina
from lamina import config
from lamina.errors import ArgumentError

KERAS = json.loads(
    (
        pathlib.Path(__file__).parent / "fixtures" / "config_scopes_keras.json"
    ).read_text()
)


@pytest.fixture(autouse=True)
def _restore_settings():
    yield
    lamina.utils.clear_session()
    config.set_floatx("float32")
    config.set_max_epochs(None)
    config.set_max_steps_per_epoch(None)


def _switches() -> dict:
    return {
        "is_interactive_logging_enabled": config.is_interactive_logging_enabled(),
        "is_flash_attention_enabled": config.is_flash_attention_enabled(),
        "is_traceback_filtering_enabled": config.is_traceback_filtering_enabled(),
        "dtype_policy": repr(config.dtype_policy()),
    }


def test_defaults_are_keras():
    expected = KERAS["switches"]["defaults"]
    found = {
        **_switches(),
        "is_nnx_enabled": config.is_nnx_enabled(),
        "max_epochs": config.max_epochs(),
        "max_steps_per_epoch": config.max_steps_per_epoch(),
    }
    assert found == expected


def test_switches_and_what_clear_session_resets():
    config.disable_interactive_logging()
    config.disable_flash_attention()
    config.disable_traceback_filtering()
    config.set_dtype_policy("float64")
    config.set_max_epochs(3)
    config.set_floatx("float16")
    assert _switches() == KERAS["switches"]["changed"]
    lamina.utils.clear_session()
    after = {
        **_switches(),
        "max_epochs": config.max_epochs(),
        "floatx": config.floatx(),
    }
    assert after == KERAS["switches"]["after_clear"]
    config.enable_flash_attention()
    config.enable_traceback_filtering()
    config.enable_interactive_logging()
    assert config.is_flash_attention_enabled() is None
    assert config.is_traceback_filtering_enabled() is True


def test_clear_session_restarts_names_and_takes_free_memory():
    lamina.layers.Dense(1)
    lamina.backend.clear_session(free_memory=False)
    assert lamina.layers.Dense(1).name == "dense"
    lamina.utils.clear_session()
    assert lamina.layers.Dense(1).name == "dense"


def _fit_with_limits():
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((100, 4), "float32")
    y = np.ones((100, 1), "float32")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=5, batch_size=10, verbose=0)
        predicted = model.predict(x, batch_size=10, verbose=0)
    found = {
        "epochs_run": len(history.history["loss"]),
        "iterations": int(model.optimizer.iterations),
        "predict_rows": int(predicted.shape[0]),
        "warnings": sorted(
            {str(w.message) for w in caught if "Limiting" in str(w.message)}
        ),
    }
    model.fit(x, y, epochs=1, batch_size=10, verbose=0, steps_per_epoch=2)
    found["iterations_with_fewer_steps"] = int(model.optimizer.iterations)
    return found, caught


def test_max_epochs_and_steps_cap_fit_evaluate_predict_as_keras():
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    found, caught = _fit_with_limits()
    assert found == KERAS["limits"]
    # The warnings point at the caller's line, not into lamina.
    assert {pathlib.Path(w.filename).name for w in caught} == {"test_config.py"}


def test_limits_validate_and_switch_off():
    with pytest.raises(ArgumentError, match="max_epochs"):
        config.set_max_epochs(-1)
    with pytest.raises(ArgumentError, match="max_steps_per_epoch"):
        config.set_max_steps_per_epoch(1.5)
    config.set_max_epochs(0)  # 0, like None, is no limit (as in Keras)
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3


def test_limits_come_from_the_environment():
    code = (
        "import lamina; print(lamina.config.max_epochs(), "
        "lamina.config.max_steps_per_epoch())"
    )
    env = {**os.environ, "KERAS_MAX_EPOCHS": "4", "KERAS_MAX_STEPS_PER_EPOCH": "7"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=pathlib.Path(__file__).parent.parent,
    )
    assert out.stdout.split() == ["4", "7"]


def test_interactive_logging_switches_the_progress_bar(capsys, caplog):
    model = lamina.Sequential([lamina.Input((2,)), lamina.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((8, 2), "float32"), np.ones((8, 1), "float32")

    model.fit(x, y, epochs=2, verbose=1)
    shown = capsys.readouterr().out
    assert "Epoch 2/2" in shown and "loss" in shown

    config.disable_interactive_logging()
    with caplog.at_level(logging.INFO, logger="lamina"):
        model.fit(x, y, epochs=2, verbose=1)
        model.summary()
    assert capsys.readouterr().out == ""
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "lamina")
    assert "Epoch 2/2" in logged and "loss" in logged
    assert "Total params" in logged

    config.enable_interactive_logging()
    model.fit(x, y, epochs=2, verbose=1)
    assert "Epoch 2/2" in capsys.readouterr().out


def test_interactive_logging_names_in_utils():
    assert (
        lamina.utils.disable_interactive_logging is config.disable_interactive_logging
    )
    lamina.utils.disable_interactive_logging()
    assert not lamina.utils.is_interactive_logging_enabled()
    lamina.utils.enable_interactive_logging()
    assert lamina.utils.is_interactive_logging_enabled()


def test_set_backend_takes_torch_only():
    config.set_backend("torch")
    assert config.backend() == "torch"
    with pytest.raises(ArgumentError, match="torch only"):
        config.set_backend("jax")
    with pytest.raises(ArgumentError, match="Available backends"):
        config.set_backend("theano")
    assert config.is_nnx_enabled() is False
