"""Callback behaviour beyond the Keras parity scenarios: lamina's batch-hook
flags and lazy logs, argument validation, Keras 2 spellings, files written."""

from __future__ import annotations

import http.server
import json
import math
import os
import socket
import threading
import urllib.parse
import warnings

import numpy as np
import pytest
import torch

from lamina.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgbarLogger,
    ReduceLROnPlateau,
    RemoteMonitor,
    TerminateOnNaN,
)
from lamina.callbacks.callback_list import pythonify_logs
from lamina.errors import ArgumentError, UnknownObjectError


class Optimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate


class Model:
    """The attributes callbacks use, with saves written as small text files."""

    def __init__(self, metrics=()):
        self.name = "model"
        self.stop_training = False
        self.optimizer = Optimizer()
        self.weights = [np.zeros(2)]
        self.metrics = list(metrics)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath, overwrite=True):
        with open(filepath, "w") as f:
            f.write("model")

    def save_weights(self, filepath, overwrite=True):
        with open(filepath, "w") as f:
            f.write("weights")


def fit(callbacks, epoch_logs, model=None, verbose=0, batch_logs=None):
    """A minimal fit loop: epoch logs given, optional per-batch logs."""
    model = model or Model()
    cbs = CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=len(epoch_logs),
        steps=len(batch_logs or []) or 1,
    )
    cbs.on_train_begin()
    for epoch, logs in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        for batch, blogs in enumerate(batch_logs or []):
            if cbs.calls_on_train_batch_end:
                cbs.on_train_batch_end(batch, blogs)
        cbs.on_epoch_end(epoch, dict(logs))
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model


# --- CallbackList -----------------------------------------------------------


def test_no_batch_hooks_called_without_listeners():
    cbs = CallbackList(
        [EarlyStopping(), History()], model=Model(), verbose=0, epochs=1, steps=10
    )
    assert not cbs.calls_train_batch_hooks
    assert not cbs.calls_test_batch_hooks
    assert not cbs.calls_predict_batch_hooks


def test_progbar_needs_batch_ends_only_for_live_bar_or_unknown_steps():
    live = CallbackList(add_progbar=True, model=Model(), verbose=1, epochs=1, steps=5)
    assert live.calls_on_train_batch_end and not live.calls_on_train_batch_begin
    assert live.calls_on_test_batch_end and live.calls_on_predict_batch_end
    live.on_train_begin()
    # Validation inside fit is silent: its batches need no hook.
    assert live.calls_on_train_batch_end and not live.calls_on_test_batch_end

    known = CallbackList(add_progbar=True, model=Model(), verbose=2, epochs=1, steps=5)
    assert not known.calls_train_batch_hooks
    unknown = CallbackList(
        add_progbar=True, model=Model(), verbose=2, epochs=1, steps=None
    )
    assert unknown.calls_on_train_batch_end


def test_overridden_hooks_are_detected_including_keras2_aliases():
    class OldStyle(Callback):
        def on_batch_end(self, batch, logs=None):
            self.seen = logs

    cb = OldStyle()
    cbs = CallbackList([cb], model=Model(), verbose=0, epochs=1, steps=1)
    assert cbs.calls_on_train_batch_end and not cbs.calls_on_train_batch_begin
    assert not cbs.calls_on_test_batch_end
    cbs.on_train_batch_end(0, {"loss": torch.tensor(0.5)})
    assert cb.seen == {"loss": 0.5} and type(cb.seen["loss"]) is float

    lam = LambdaCallback(on_test_batch_begin=lambda batch, logs: None)
    cbs = CallbackList([lam], model=Model(), verbose=0, epochs=1, steps=1)
    assert cbs.calls_on_test_batch_begin and not cbs.calls_on_train_batch_end


def test_checkpoint_listens_to_batches_only_when_saving_by_batches(tmp_path):
    by_epoch = ModelCheckpoint(str(tmp_path / "a.keras"))
    by_batch = ModelCheckpoint(str(tmp_path / "b.keras"), save_freq=5)
    assert not CallbackList(
        [by_epoch], verbose=0, epochs=1, steps=1
    ).calls_train_batch_hooks
    assert CallbackList(
        [by_batch], verbose=0, epochs=1, steps=1
    ).calls_on_train_batch_end


def test_append_updates_flags_model_and_params():
    model = Model()
    cbs = CallbackList([], model=model, verbose=0, epochs=3, steps=2)
    assert not cbs.calls_train_batch_hooks
    seen = []
    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(logs))
    cbs.append(lam)
    assert cbs.calls_on_train_batch_end
    assert lam.model is model and lam.params["epochs"] == 3
    assert list(cbs) == [lam]


def test_user_callbacks_get_floats_builtins_get_tensors_read_lazily():
    reads = []

    class Counting(torch.Tensor):
        def __float__(self):
            reads.append(1)
            return super().__float__()

    class Spy(Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.logs = logs

    spy = Spy()
    cbs = CallbackList([spy], model=Model(), verbose=0, epochs=1, steps=3)
    cbs.on_train_batch_end(0, {"loss": torch.tensor(2.0).as_subclass(Counting)})
    assert spy.logs == {"loss": 2.0} and len(reads) == 1

    # A live progress bar over 200 fast steps reads values only when it redraws.
    reads.clear()
    cbs = CallbackList(add_progbar=True, model=Model(), verbose=1, epochs=1, steps=200)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for step in range(200):
        cbs.on_train_batch_end(step, {"loss": torch.tensor(1.0).as_subclass(Counting)})
    assert len(reads) < 20


def test_pythonify_logs_flattens_sorts_and_keeps_non_scalars():
    logs = {
        "b": torch.tensor(1.5),
        "a": np.float32(0.5),
        "nested": {"z": 1, "c": "text"},
        "vec": np.array([1.0, 2.0]),
        "many": torch.ones(3),
    }
    out = pythonify_logs(logs)
    assert list(out) == ["a", "b", "many", "c", "z", "vec"]
    assert out["a"] == 0.5 and out["b"] == 1.5 and out["z"] == 1.0
    assert type(out["z"]) is float
    assert out["c"] == "text" and out["vec"] is logs["vec"]
    assert out["many"] is logs["many"]


def test_history_is_attached_to_model_and_not_duplicated():
    history = History()
    model = Model()
    cbs = CallbackList(
        [history], add_history=True, model=model, verbose=0, epochs=1, steps=1
    )
    assert [type(c) for c in cbs] == [History]
    assert model.history is history
    cbs.on_train_begin()
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_epoch_end(1, {"loss": 0.5})
    assert history.history == {"loss": [1.0, 0.5]} and history.epoch == [0, 1]
    assert history.params == {"verbose": 0, "epochs": 1, "steps": 1}


def test_model_property_unwraps_distributed_data_parallel():
    class DistributedDataParallel:
        def __init__(self, module):
            self.module = module

    inner = Model()
    cb = Callback()
    cb.set_model(DistributedDataParallel(inner))
    assert cb.model is inner


# --- monitor modes -------------------------------------------------------------


@pytest.mark.parametrize(
    "monitor, improving",
    [
        ("val_acc", [0.1, 0.2, 0.3]),
        ("accuracy", [0.1, 0.2, 0.3]),
        ("val_auc", [0.1, 0.2, 0.3]),
        ("val_loss", [0.3, 0.2, 0.1]),
    ],
)
def test_auto_mode_from_names(monitor, improving):
    stopper = EarlyStopping(monitor=monitor, patience=0)
    model = fit([stopper], [{monitor: v} for v in improving])
    assert not model.stop_training
    stopper = EarlyStopping(monitor=monitor, patience=0)
    model = fit([stopper], [{monitor: v} for v in improving[::-1]])
    assert model.stop_training and stopper.stopped_epoch == 1


def test_auto_mode_from_model_metric_direction():
    class Metric:
        def __init__(self, name, direction):
            self.name = name
            self._direction = direction

    class Container:
        def __init__(self):
            self.name = "compile_metrics"
            self.metrics = [Metric("precision", "up"), Metric("mae", "down")]

    model = Model(metrics=[Container()])
    up = EarlyStopping(monitor="val_precision")
    fit([up], [{"val_precision": 0.1}, {"val_precision": 0.2}], model=model)
    assert not model.stop_training
    down = EarlyStopping(monitor="mae")
    model = fit([down], [{"mae": 0.1}, {"mae": 0.2}], model=Model([Container()]))
    assert model.stop_training


def test_auto_mode_unknown_metric_is_an_error():
    with pytest.raises(ArgumentError, match="mode='max'"):
        fit([EarlyStopping(monitor="val_f00")], [{"val_f00": 1.0}])


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'up' is unknown"):
        stopper = EarlyStopping(mode="up")
    assert stopper.mode == "auto"


# --- ModelCheckpoint ---------------------------------------------------------------


def test_checkpoint_path_rules(tmp_path):
    with pytest.raises(ArgumentError, match=r"must end in `\.keras`.*model\.txt"):
        ModelCheckpoint(str(tmp_path / "model.txt"))
    with pytest.raises(ArgumentError, match=r"`\.weights\.h5`.*w\.keras"):
        ModelCheckpoint(str(tmp_path / "w.keras"), save_weights_only=True)
    # Legacy Keras 2 names are accepted.
    ModelCheckpoint(str(tmp_path / "model.h5"))
    ModelCheckpoint(str(tmp_path / "w.h5"), save_weights_only=True)
    ModelCheckpoint(tmp_path / "path_like.keras")
    with pytest.raises(ArgumentError, match="save_freq"):
        ModelCheckpoint(str(tmp_path / "m.keras"), save_freq="batch")


def test_checkpoint_writes_files_and_creates_folders(tmp_path):
    path = tmp_path / "runs" / "w-{epoch:02d}-{loss:.2f}.weights.h5"
    fit(
        [ModelCheckpoint(str(path), save_weights_only=True)],
        [{"loss": 0.5}, {"loss": 0.25}],
    )
    assert sorted(os.listdir(tmp_path / "runs")) == [
        "w-01-0.50.weights.h5",
        "w-02-0.25.weights.h5",
    ]
    assert (tmp_path / "runs" / "w-01-0.50.weights.h5").read_text() == "weights"


def test_checkpoint_errors(tmp_path):
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        fit([ModelCheckpoint(str(tmp_path / "{val_auc}.keras"))], [{"loss": 1.0}])
    (tmp_path / "d.keras").mkdir()
    with pytest.raises(IsADirectoryError, match="non-directory filepath"):
        fit([ModelCheckpoint(str(tmp_path / "d.keras"))], [{"loss": 1.0}])


def test_checkpoint_period_is_deprecated_but_works(tmp_path):
    with pytest.warns(DeprecationWarning, match="period"):
        checkpoint = ModelCheckpoint(str(tmp_path / "m-{epoch}.keras"), period=2)
    fit([checkpoint], [{"loss": 1.0}] * 5)
    assert sorted(os.listdir(tmp_path)) == ["m-2.keras", "m-4.keras"]


def test_checkpoint_by_batches_reads_tensor_logs(tmp_path):
    checkpoint = ModelCheckpoint(
        str(tmp_path / "b{batch}-{loss:.1f}.keras"), save_freq=2
    )
    batch_logs = [{"loss": torch.tensor(float(i))} for i in range(4)]
    fit([checkpoint], [{"loss": 1.0}], batch_logs=batch_logs)
    assert sorted(os.listdir(tmp_path)) == ["b2-1.0.keras", "b4-3.0.keras"]


# --- ReduceLROnPlateau / LearningRateScheduler -------------------------------------


def test_reduce_lr_arguments():
    with pytest.raises(ArgumentError, match="factor >= 1.0.*factor=1.5"):
        ReduceLROnPlateau(factor=1.5)
    with pytest.warns(DeprecationWarning, match="epsilon"):
        reducer = ReduceLROnPlateau(epsilon=0.01)
    assert reducer.min_delta == 0.01
    with pytest.raises(ArgumentError, match="patiense"):
        ReduceLROnPlateau(patiense=3)


def test_reduce_lr_respects_min_lr_and_logs_rate():
    model = Model()
    model.optimizer.learning_rate = 0.1
    reducer = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=0.03)
    fit([reducer], [{"loss": 1.0}] * 5, model=model)
    assert model.optimizer.learning_rate == 0.03
    # Logged at each epoch end before that epoch's reduction, as Keras does.
    assert model.history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.03, 0.03]


def test_scheduler_output_must_be_a_float():
    with pytest.raises(ArgumentError, match="should be a float. Got: 1"):
        fit([LearningRateScheduler(lambda epoch, lr: 1)], [{"loss": 1.0}])
    model = fit(
        [LearningRateScheduler(lambda epoch, lr: torch.tensor(0.5))], [{"loss": 1.0}]
    )
    assert model.optimizer.learning_rate == 0.5
    assert model.history.history["learning_rate"] == [0.5]


# --- TerminateOnNaN ----------------------------------------------------------------


def test_terminate_on_nan_with_tensor_loss_and_raise_error(capsys):
    model = fit(
        [TerminateOnNaN()],
        [{"loss": 1.0}] * 3,
        batch_logs=[{"loss": torch.tensor(math.inf)}],
    )
    assert model.stop_training
    assert capsys.readouterr().out == "Batch 0: Invalid loss, terminating training\n"
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 1"):
        fit(
            [TerminateOnNaN(raise_error=True)],
            [{"loss": 1.0}],
            batch_logs=[{"loss": 1.0}, {"loss": math.nan}],
        )


# --- CSVLogger ---------------------------------------------------------------------


def test_csv_logger_appends_without_repeating_header(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(path)], [{"loss": 0.5, "val_loss": 0.75}])
    fit([CSVLogger(str(path), append=True)], [{"loss": 0.25, "val_loss": 0.5}])
    assert path.read_bytes() == (b"epoch,loss,val_loss\r\n0,0.5,0.75\r\n0,0.25,0.5\r\n")


def test_csv_logger_writes_arrays_as_lists(tmp_path):
    path = tmp_path / "log.csv"
    fit([CSVLogger(str(path))], [{"loss": 0.5, "val_vec": np.array([1, 2])}])
    assert path.read_text().splitlines()[1] == '0,0.5,"""[1, 2]"""'


# --- LambdaCallback / ProgbarLogger ------------------------------------------------


def test_lambda_callback_hooks_and_unknown_names():
    events = []
    lam = LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_end=lambda epoch, logs: events.append((epoch, logs["loss"])),
        on_batch_end=lambda batch, logs: events.append(("batch", batch)),
    )
    fit([lam], [{"loss": 1.0}], batch_logs=[{"loss": 1.0}])
    assert events == ["begin", ("batch", 0), (0, 1.0)]
    with pytest.raises(UnknownObjectError, match="on_epoch_end"):
        LambdaCallback(on_epoch_ends=print)


def test_progbar_logger_keras2_arguments():
    with pytest.warns(DeprecationWarning, match="count_mode"):
        ProgbarLogger(count_mode="samples")
    with pytest.raises(ArgumentError, match="count_mode='batches'"):
        ProgbarLogger(count_mode="batches")


def test_progbar_logger_auto_verbose_means_live_bar():
    cbs = CallbackList(
        add_progbar=True, model=Model(), verbose="auto", epochs=1, steps=2
    )
    assert cbs.calls_on_train_batch_end


# --- RemoteMonitor -----------------------------------------------------------------


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", received
    httpd.shutdown()
    httpd.server_close()


def test_remote_monitor_posts_form_and_json(server):
    root, received = server
    fit([RemoteMonitor(root=root)], [{"loss": np.float32(0.5)}])
    fit(
        [
            RemoteMonitor(
                root=root, path="/j", send_as_json=True, headers={"X-Run": "1"}
            )
        ],
        [{"loss": 0.25}],
    )
    path, content_type, body = received[0]
    assert path == "/publish/epoch/end/"
    assert content_type == "application/x-www-form-urlencoded"
    form = urllib.parse.parse_qs(body.decode())
    assert json.loads(form["data"][0]) == {"epoch": 0, "loss": 0.5}
    assert received[1] == (
        "/j",
        "application/json",
        json.dumps({"epoch": 0, "loss": 0.25}).encode(),
    )


def test_remote_monitor_warns_when_unreachable():
    with socket.socket() as s:  # a free port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit([RemoteMonitor(root=f"http://127.0.0.1:{port}")], [{"loss": 1.0}])
    assert any("Could not reach RemoteMonitor" in str(w.message) for w in caught)


def test_checkpoint_best_only_by_batches_before_first_epoch_end(tmp_path):
    checkpoint = ModelCheckpoint(
        str(tmp_path / "b{batch}.keras"),
        monitor="loss",
        save_best_only=True,
        save_freq=1,
    )
    batch_logs = [{"loss": torch.tensor(v)} for v in (3.0, 2.0, 2.5, 1.0)]
    fit([checkpoint], [{"loss": 1.0}], batch_logs=batch_logs)
    assert sorted(os.listdir(tmp_path)) == ["b1.keras", "b2.keras", "b4.keras"]
