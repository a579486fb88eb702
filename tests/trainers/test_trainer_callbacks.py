"""The training loop and callbacks together: which hooks run, with which logs."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import lamina
from tests.trainers.trainer_utils import binary_model, data

X, Y, _, Y_REG = data(40)


class Recorder(lamina.callbacks.Callback):
    """Records every hook call as (hook, index, sorted log keys)."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.logs = {}

    def _record(self, hook, index=None, logs=None):
        self.calls.append((hook, index))
        self.logs.setdefault(hook, []).append(dict(logs or {}))


for _hook in (
    "on_train_begin",
    "on_train_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
):
    setattr(
        Recorder, _hook, lambda self, logs=None, _h=_hook: self._record(_h, None, logs)
    )
for _hook in (
    "on_epoch_begin",
    "on_epoch_end",
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
):
    setattr(
        Recorder, _hook, lambda self, i, logs=None, _h=_hook: self._record(_h, i, logs)
    )


def _binary():
    model = binary_model()
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_calls_the_hooks_in_keras_order():
    recorder = Recorder()
    model = _binary()
    model.fit(
        X,
        Y,
        batch_size=20,
        epochs=2,
        validation_data=(X, Y),
        validation_batch_size=40,
        verbose=0,
        callbacks=[recorder],
    )
    epoch = [
        ("on_epoch_begin", None),
        ("on_train_batch_begin", 0),
        ("on_train_batch_end", 0),
        ("on_train_batch_begin", 1),
        ("on_train_batch_end", 1),
        ("on_test_begin", None),
        ("on_test_batch_begin", 0),
        ("on_test_batch_end", 0),
        ("on_test_end", None),
        ("on_epoch_end", None),
    ]
    expected = [("on_train_begin", None)]
    for i in range(2):
        expected += [(h, i if h.startswith("on_epoch") else n) for h, n in epoch]
    expected.append(("on_train_end", None))
    assert recorder.calls == expected
    assert recorder.model is model
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 2}


def test_batch_logs_are_running_means_and_epoch_logs_carry_validation():
    recorder = Recorder()
    history = _binary().fit(
        X,
        Y,
        batch_size=10,
        epochs=1,
        validation_data=(X, Y),
        verbose=0,
        callbacks=[recorder],
    )
    batch_logs = recorder.logs["on_train_batch_end"]
    assert len(batch_logs) == 4
    assert all(sorted(logs) == ["accuracy", "loss"] for logs in batch_logs)
    assert all(isinstance(logs["loss"], float) for logs in batch_logs)
    # The last batch's running mean is the epoch's value.
    assert batch_logs[-1]["loss"] == pytest.approx(history.history["loss"][0])
    epoch_logs = recorder.logs["on_epoch_end"][0]
    assert sorted(epoch_logs) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    test_end = recorder.logs["on_test_end"][0]
    assert test_end["loss"] == pytest.approx(epoch_logs["val_loss"])


def test_evaluate_and_predict_call_their_hooks():
    recorder = Recorder()
    model = _binary()
    logs = model.evaluate(
        X, Y, batch_size=20, verbose=0, callbacks=[recorder], return_dict=True
    )
    assert recorder.calls == [
        ("on_test_begin", None),
        ("on_test_batch_begin", 0),
        ("on_test_batch_end", 0),
        ("on_test_batch_begin", 1),
        ("on_test_batch_end", 1),
        ("on_test_end", None),
    ]
    assert recorder.logs["on_test_end"][0] == pytest.approx(logs)
    recorder = Recorder()
    model.predict(X, batch_size=30, verbose=0, callbacks=[recorder])
    hooks = [h for h, _ in recorder.calls]
    assert hooks == [
        "on_predict_begin",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
        "on_predict_end",
    ]
    outputs = recorder.logs["on_predict_batch_end"][1]["outputs"]
    assert tuple(outputs.shape) == (10, 1)


def test_early_stopping_stops_and_restores_the_best_weights():
    model = binary_model()
    model.compile(lamina.optimizers.SGD(0.5), "mse")
    best = {}

    class Track(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best.setdefault("loss", np.inf)
            if logs["val_loss"] < best["loss"]:
                best["loss"] = logs["val_loss"]
                best["weights"] = self.model.get_weights()

    stop = lamina.callbacks.EarlyStopping(
        monitor="val_loss", patience=1, restore_best_weights=True
    )
    # Validation on shuffled targets: it stops improving almost at once.
    rng = np.random.default_rng(0)
    history = model.fit(
        X,
        Y_REG,
        epochs=50,
        batch_size=8,
        verbose=0,
        validation_data=(X, rng.permutation(Y_REG)),
        callbacks=[Track(), stop],
    )
    assert len(history.epoch) < 50
    for a, b in zip(model.get_weights(), best["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_terminate_on_nan_stops_a_diverging_fit():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(1)])
    model.compile(lamina.optimizers.SGD(1e3), "mse")
    history = model.fit(
        X,
        Y_REG * 1e3,
        epochs=20,
        batch_size=4,
        verbose=0,
        callbacks=[lamina.callbacks.TerminateOnNaN()],
    )
    assert len(history.epoch) == 1
    assert not np.isfinite(history.history["loss"][-1])


def test_learning_rate_scheduler_and_reduce_lr_on_plateau_reach_the_optimizer():
    model = _binary()
    seen = []

    class LR(lamina.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(float(self.model.optimizer.learning_rate))

    schedule = lamina.callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[schedule, LR()])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    reduce = lamina.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=0, min_delta=10.0
    )
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[reduce])
    assert "learning_rate" in history.history
    assert float(model.optimizer.learning_rate) < 0.1 / 3


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    history = _binary().fit(
        X,
        Y,
        epochs=3,
        verbose=0,
        validation_split=0.25,
        callbacks=[lamina.callbacks.CSVLogger(str(path))],
    )
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    assert set(rows[0]) == {"epoch", "accuracy", "loss", "val_accuracy", "val_loss"}
    np.testing.assert_allclose(
        [float(r["val_loss"]) for r in rows], history.history["val_loss"], rtol=1e-5
    )


def test_lambda_callback_and_a_history_given_by_hand():
    ends = []
    history = lamina.callbacks.History()
    returned = _binary().fit(
        X,
        Y,
        epochs=2,
        verbose=0,
        callbacks=[
            history,
            lamina.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: ends.append(epoch)
            ),
        ],
    )
    assert returned is history
    assert ends == [0, 1]
    assert len(history.history["loss"]) == 2


def test_progbar_logger_given_explicitly_prints_once(capsys):
    _binary().fit(
        X, Y, epochs=2, verbose=2, callbacks=[lamina.callbacks.ProgbarLogger()]
    )
    out = capsys.readouterr().out
    assert out.count("Epoch 1/2") == 1
