"""Ctrl-C during `fit`: the batch in flight ends, `on_train_end` runs, the model
stays usable, and KeyboardInterrupt is raised again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import lamina as keras

ROOT = Path(__file__).resolve().parents[2]


class Recorder(keras.callbacks.Callback):
    """Records batches and epochs; at batch ``at`` runs ``action``."""

    def __init__(self, at, action, hook="on_train_batch_end"):
        super().__init__()
        self.at, self.action, self.hook = at, action, hook
        self.batches, self.epochs, self.ended = [], [], False

    def on_train_batch_begin(self, batch, logs=None):
        if self.hook == "on_train_batch_begin" and len(self.batches) == self.at:
            self.action()

    def on_train_batch_end(self, batch, logs=None):
        self.batches.append(batch)
        if self.hook == "on_train_batch_end" and len(self.batches) == self.at + 1:
            self.action()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)

    def on_train_end(self, logs=None):
        self.ended = True


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, "relu"), keras.layers.Dense(1)]
    )
    model.compile("adam", "mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 1))


def _raise():
    raise KeyboardInterrupt


def test_keyboard_interrupt_from_a_callback_runs_on_train_end():
    model = _model()
    x, y = _data()
    recorder = Recorder(at=10, action=_raise)  # batch 2 of epoch 1 (8 per epoch)
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=5, callbacks=[recorder], verbose=0)
    assert recorder.ended
    assert len(recorder.batches) == 11
    assert recorder.epochs == [0]  # the partial epoch gets no on_epoch_end
    assert model.history.epoch == [0]
    assert not model.training
    # Usable: predicts finite values, trains and saves again.
    assert np.isfinite(model.predict(x, verbose=0)).all()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="no SIGINT")
def test_sigint_mid_batch_finishes_that_batch_first():
    model = _model()
    x, y = _data()

    def ctrl_c():  # delivered while batch 3 is about to run
        os.kill(os.getpid(), signal.SIGINT)

    recorder = Recorder(at=3, action=ctrl_c, hook="on_train_batch_begin")
    with pytest.raises(KeyboardInterrupt):
        model.fit(x, y, batch_size=8, epochs=3, callbacks=[recorder], verbose=0)
    assert recorder.batches == [0, 1, 2, 3]  # batch 3 completed, no batch 4
    assert recorder.ended and recorder.epochs == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert np.isfinite(model.predict(x, verbose=0)).all()


_SCRIPT = """
import sys, time
import numpy as np
import lamina as keras

class Slow(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        print("batch", flush=True)
        time.sleep(0.02)
    def on_train_end(self, logs=None):
        print("train_end", flush=True)

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")
x, y = np.ones((64, 4), "float32"), np.ones((64, 1), "float32")
try:
    model.fit(x, y, batch_size=8, epochs=1000, callbacks=[Slow()], verbose=0)
except KeyboardInterrupt:
    print("interrupted", flush=True)
w = model.get_weights()[0]
print("finite", bool(np.isfinite(w).all()), flush=True)
model.save(sys.argv[1])
print("saved", keras.models.load_model(sys.argv[1]).count_params(), flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_to_a_training_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(_SCRIPT))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "m.keras")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines = []
    for line in proc.stdout:  # wait until training runs
        lines.append(line.strip())
        if len(lines) == 5:
            break
    proc.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    out, err = proc.communicate(timeout=max(1, deadline - time.monotonic()))
    assert proc.returncode == 0, err
    assert "train_end" in out and "interrupted" in out
    assert "finite True" in out and "saved 5" in out
    assert "Traceback" not in err
