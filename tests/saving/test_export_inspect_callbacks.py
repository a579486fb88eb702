"""Model.export, `python -m lamina inspect`, and the callbacks that save files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.saving import load_model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")


def _fixture(name: str):
    data = np.load(os.path.join(FIXTURES, f"{name}.keras3.npz"))
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
    return load_model(os.path.join(FIXTURES, f"{name}.keras")), xs, ys


# ---------------------------------------------------------------- export
def test_export_torch_program_predicts_like_keras(tmp_path):
    model, xs, ys = _fixture("wide_deep")
    model.export(tmp_path / "m.pt2", format="torch")
    program = torch.export.load(str(tmp_path / "m.pt2")).module()
    # The batch axis is dynamic: a different batch size than the example works.
    outputs = program(*[torch.tensor(x) for x in xs])
    for got, want in zip(outputs, ys):
        np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "name", ["wide_deep", pytest.param("cnn_bn", marks=pytest.mark.slow)]
)
def test_export_onnx_runs_in_onnxruntime(name, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    ort = pytest.importorskip("onnxruntime")
    model, xs, ys = _fixture(name)
    model.export(tmp_path / "m.onnx", format="onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    outputs = session.run(None, {i.name: x for i, x in zip(session.get_inputs(), xs)})
    for got, want in zip(outputs, ys):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_export_rejects_unknown_format(tmp_path):
    model, _, _ = _fixture("mlp")
    with pytest.raises(lamina.errors.ArgumentError, match="format='tf_lite'"):
        model.export(tmp_path / "m.x", format="tf_lite")


# ---------------------------------------------------------------- inspect
def _inspect(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lamina", "inspect", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def test_inspect_keras2_h5():
    result = _inspect(os.path.join(FIXTURES, "nested.k2.h5"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "legacy HDF5 model" in out and "keras_version: 2.21.0" in out
    assert "Sequential" in out and "(4, 6)" in out
    assert "8 arrays, 91 values" in out


def test_inspect_keras_archive_and_bad_file(tmp_path):
    out = _inspect(os.path.join(FIXTURES, "compiled.keras")).stdout
    assert "Keras 3 .keras archive" in out and "compiled: yes" in out
    assert "optimizer/vars/0" in out
    (tmp_path / "x.keras").write_bytes(b"junk")
    result = _inspect(tmp_path / "x.keras")
    assert result.returncode == 1 and "error:" in result.stderr


# ---------------------------------------------------------------- callbacks
def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")


def _compiled():
    model = lamina.Sequential(
        [layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer=lamina.optimizers.Adam(0.01), loss="mse")
    return model


@pytest.mark.parametrize(
    "filename,weights_only",
    [("best.keras", False), ("best.h5", False), ("best.weights.h5", True)],
)
def test_model_checkpoint_writes_loadable_files(filename, weights_only, tmp_path):
    x, y = _data()
    model = _compiled()
    path = tmp_path / filename
    callback = lamina.callbacks.ModelCheckpoint(
        str(path), save_best_only=True, save_weights_only=weights_only, monitor="loss"
    )
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    if weights_only:
        other = _compiled()
        other.load_weights(path)
    else:
        other = load_model(path)
    np.testing.assert_allclose(
        other.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )


def test_backup_and_restore_resumes_after_interruption(tmp_path):
    x, y = _data()
    start = _compiled()
    initial = start.get_weights()

    straight = _compiled()
    straight.set_weights(initial)
    straight.fit(x, y, epochs=4, batch_size=16, verbose=0, shuffle=False)

    class Interrupt(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    backup = tmp_path / "backup"
    first = _compiled()
    first.set_weights(initial)
    with pytest.raises(KeyboardInterrupt):
        first.fit(
            x,
            y,
            epochs=4,
            batch_size=16,
            verbose=0,
            shuffle=False,
            callbacks=[lamina.callbacks.BackupAndRestore(backup), Interrupt()],
        )
    with open(backup / "training_metadata.json") as f:
        assert json.load(f)["epoch"] == 2

    resumed = _compiled()  # a fresh process would start from new weights
    callback = lamina.callbacks.BackupAndRestore(backup)
    history = resumed.fit(
        x, y, epochs=4, batch_size=16, verbose=0, shuffle=False, callbacks=[callback]
    )
    # Keras's History would hold epochs 2 and 3 only; lamina's backup carries
    # the record of the epochs before the interruption.
    assert history.epoch == [0, 1, 2, 3]
    np.testing.assert_allclose(
        history.history["loss"], straight.history.history["loss"], rtol=1e-6
    )
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert not backup.exists()  # removed after a finished run


def _seeded_random_model(kind: str):
    inputs = lamina.Input((4, 8))
    if kind == "dropout":
        h = lamina.layers.Dropout(0.5, seed=3)(inputs)
    elif kind == "lstm":
        h = lamina.layers.LSTM(
            5, dropout=0.5, recurrent_dropout=0.3, seed=3, return_sequences=True
        )(inputs)
    else:
        h = lamina.layers.Attention(dropout=0.5, seed=3)([inputs, inputs])
    outputs = lamina.layers.Dense(1)(lamina.layers.Flatten()(h))
    model = lamina.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("kind", ["dropout", "lstm", "attention"])
def test_a_resumed_run_continues_each_seeded_layers_draws(kind, tmp_path):
    # A layer's own seeded generator (Dropout, an RNN cell's masks, Attention's
    # dropout) is saved with the backup and taken back: the resumed run ends
    # with the uninterrupted run's weights, bit for bit.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4, 8)).astype("float32")
    y = rng.normal(size=(32, 1)).astype("float32")
    initial = _seeded_random_model(kind).get_weights()
    fit = {"epochs": 4, "batch_size": 8, "verbose": 0, "shuffle": False}

    straight = _seeded_random_model(kind)
    straight.set_weights(initial)
    straight.fit(x, y, **fit)

    class Interrupt(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    backup = tmp_path / "backup"
    first = _seeded_random_model(kind)
    first.set_weights(initial)
    with pytest.raises(KeyboardInterrupt):
        first.fit(
            x,
            y,
            callbacks=[lamina.callbacks.BackupAndRestore(backup), Interrupt()],
            **fit,
        )
    resumed = _seeded_random_model(kind)
    resumed.fit(x, y, callbacks=[lamina.callbacks.BackupAndRestore(backup)], **fit)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_backup_and_restore_restores_weights_and_optimizer(tmp_path):
    x, y = _data()
    model = _compiled()
    callback = lamina.callbacks.BackupAndRestore(
        tmp_path / "b", delete_checkpoint=False
    )
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[callback])
    assert (tmp_path / "b" / "latest.weights.h5").exists()
    other = _compiled()
    other.build((None, 4))
    lamina.callbacks.BackupAndRestore(tmp_path / "b").set_model(other)
    restorer = lamina.callbacks.BackupAndRestore(tmp_path / "b")
    restorer.set_model(other)
    restorer.on_train_begin()
    assert int(other.optimizer.iterations) == 8
    assert other._initial_epoch == 2
    for a, b in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_backup_and_restore_validates_arguments():
    with pytest.raises(lamina.errors.ArgumentError, match="backup_dir"):
        lamina.callbacks.BackupAndRestore("")
    with pytest.raises(lamina.errors.ArgumentError, match="save_freq"):
        lamina.callbacks.BackupAndRestore("/tmp/x", save_freq="batch")


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _compiled()
    stop = lamina.callbacks.EarlyStopping(
        monitor="loss", patience=1, restore_best_weights=True
    )
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[stop])
    best = int(np.argmin(history.history["loss"]))
    assert stop.best == pytest.approx(history.history["loss"][best])
