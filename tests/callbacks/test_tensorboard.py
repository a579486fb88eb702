"""`TensorBoard`: event files read back with an independent reader, and served
by the real TensorBoard (when installed)."""

from __future__ import annotations

import glob
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

import numpy as np
import pytest

import lamina as keras
from lamina.callbacks import CallbackList, LambdaCallback, TensorBoard
from lamina.errors import ArgumentError


# ------------------------------------------------- an independent reader
def _crc32c_bitwise(data: bytes) -> int:
    # Bit by bit, unlike the table-driven writer: a shared mistake is unlikely.
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c_bitwise(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _records(path: str) -> list[bytes]:
    """The TFRecords of a file, each frame's two checksums verified."""
    with open(path, "rb") as f:
        raw = f.read()
    records, pos = [], 0
    while pos < len(raw):
        header = raw[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (header_crc,) = struct.unpack("<I", raw[pos + 8 : pos + 12])
        assert header_crc == _masked(header), f"bad length checksum at {pos}"
        data = raw[pos + 12 : pos + 12 + length]
        (data_crc,) = struct.unpack("<I", raw[pos + 12 + length : pos + 16 + length])
        assert data_crc == _masked(data), f"bad data checksum at {pos}"
        records.append(data)
        pos += 16 + length
    assert pos == len(raw)
    return records


def _parse(message: bytes) -> dict[int, list]:
    """Protobuf wire format -> {field number: [raw values]}."""
    fields: dict[int, list] = {}
    pos = 0

    def varint():
        nonlocal pos
        value = shift = 0
        while True:
            byte = message[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while pos < len(message):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            value = varint()
        elif wire == 1:
            value = message[pos : pos + 8]
            pos += 8
        elif wire == 2:
            size = varint()
            value = message[pos : pos + size]
            pos += size
        elif wire == 5:
            value = message[pos : pos + 4]
            pos += 4
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _events(path: str) -> list[dict]:
    """Each event as {wall_time, step, file_version} or {..., tag, plugin, ...}."""
    events = []
    for record in _records(path):
        event = _parse(record)
        base = {
            "wall_time": struct.unpack("<d", event[1][0])[0],
            "step": event.get(2, [0])[0],
        }
        if 3 in event:
            events.append({**base, "file_version": event[3][0].decode()})
        for summary in event.get(5, []):
            for value in _parse(summary)[1]:
                value = _parse(value)
                plugin = _parse(_parse(value[9][0])[1][0])
                tensor = _parse(value[8][0])
                shape = tuple(_parse(d)[1][0] for d in _parse(tensor[2][0]).get(2, []))
                events.append(
                    {
                        **base,
                        "tag": value[1][0].decode(),
                        "plugin": plugin[1][0].decode(),
                        "content": plugin.get(2, [b""])[0],
                        "dtype": tensor[1][0],
                        "shape": shape,
                        "tensor": tensor,
                    }
                )
    return events


def _scalar(event: dict) -> float:
    assert event["dtype"] == 1 and event["shape"] == ()  # DT_FLOAT scalar
    return struct.unpack("<f", event["tensor"][5][0])[0]


def _series(events: list[dict], tag: str) -> tuple[list[int], list[float]]:
    points = [(e["step"], _scalar(e)) for e in events if e.get("tag") == tag]
    return [s for s, _ in points], [v for _, v in points]


def _run_events(log_dir: str, run: str) -> list[dict]:
    paths = sorted(glob.glob(os.path.join(log_dir, run, "events.out.tfevents.*")))
    assert paths, f"no event file in {run}"
    return [e for p in paths for e in _events(p)]


def _png_pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = chunks.get(kind, b"") + data
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 0)  # 8-bit grey
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8)
    rows = rows.reshape(height, width + 1)
    assert not rows[:, 0].any()  # filter "none" on every line
    return rows[:, 1:]


# --------------------------------------------------------------- helpers
def _data(n=64):
    rng = np.random.default_rng(0)
    x = rng.random((n, 4), dtype=np.float32)
    y = (x.sum(axis=1) > 2).astype("float32")
    return x, y


def _model():
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(3, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"]
    )
    return model


def _train(log_dir, epochs=3, validation_split=0.25, **kwargs):
    x, y = _data()
    model = _model()
    callback = TensorBoard(log_dir, **kwargs)
    history = model.fit(
        x,
        y,
        batch_size=16,
        epochs=epochs,
        validation_split=validation_split,
        callbacks=[callback],
        verbose=0,
    )
    return model, history


# ----------------------------------------------------------------- tests
def test_epoch_scalars_match_history(tmp_path):
    model, history = _train(str(tmp_path))
    train = _run_events(str(tmp_path), "train")
    val = _run_events(str(tmp_path), "validation")
    assert train[0]["file_version"] == "brain.Event:2"
    assert val[0]["file_version"] == "brain.Event:2"
    for run, prefix in ((train, ""), (val, "val_")):
        for name in ("loss", "accuracy"):
            steps, values = _series(run, f"epoch_{name}")
            assert steps == [0, 1, 2]
            expected = np.float32(history.history[prefix + name])
            np.testing.assert_array_equal(np.float32(values), expected)
    steps, rates = _series(train, "epoch_learning_rate")
    assert steps == [0, 1, 2]
    np.testing.assert_allclose(rates, 0.01, rtol=1e-6)
    # Each validation also logs against the optimizer step count (3 per epoch).
    steps, losses = _series(val, "evaluation_loss_vs_iterations")
    assert steps == [3, 6, 9]
    np.testing.assert_array_equal(np.float32(losses), history.history["val_loss"])
    # Scalars use TensorBoard's scalars plugin; no batch logs by default.
    tags = {e["tag"] for e in train if "tag" in e}
    assert tags == {"keras", "epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert {e["plugin"] for e in train if e.get("tag", "").startswith("epoch_")} == {
        "scalars"
    }


def test_model_config_is_logged_for_the_graph_view(tmp_path):
    model, _ = _train(str(tmp_path), epochs=1)
    (graph,) = [
        e for e in _run_events(str(tmp_path), "train") if e.get("tag") == "keras"
    ]
    assert (graph["plugin"], graph["content"], graph["step"]) == (
        "graph_keras_model",
        b"1",
        0,
    )
    assert graph["dtype"] == 7  # DT_STRING
    assert json.loads(graph["tensor"][8][0]) == json.loads(model.to_json())


def test_write_graph_false_and_no_validation_writes_no_graph_nor_folder(tmp_path):
    _train(str(tmp_path), epochs=1, validation_split=0.0, write_graph=False)
    assert sorted(os.listdir(tmp_path)) == ["train"]
    tags = {e.get("tag") for e in _run_events(str(tmp_path), "train")} - {None}
    assert "keras" not in tags and "epoch_loss" in tags


def test_batch_scalars_every_update_freq_batches(tmp_path):
    _, history = _train(str(tmp_path), update_freq=2, write_steps_per_second=True)
    train = _run_events(str(tmp_path), "train")
    # 48 training samples in batches of 16: 3 batches per epoch, 9 in all,
    # counted from 1 across epochs; every second one is logged.
    for tag in ("batch_loss", "batch_accuracy", "batch_steps_per_second"):
        steps, values = _series(train, tag)
        assert steps == [2, 4, 6, 8], tag
        assert all(np.isfinite(values))
    # The last batch of epoch 1 (step 6) holds that epoch's running results.
    steps, losses = _series(train, "batch_loss")
    assert np.float32(losses[2]) == np.float32(history.history["loss"][1])
    steps, speeds = _series(train, "epoch_steps_per_second")
    assert steps == [0, 1, 2] and min(speeds) > 0
    assert not [
        e
        for e in _run_events(str(tmp_path), "validation")
        if "batch" in e.get("tag", "")
    ]


def test_update_freq_batch_logs_every_batch(tmp_path):
    _train(str(tmp_path), epochs=1, validation_split=0.0, update_freq="batch")
    steps, _ = _series(_run_events(str(tmp_path), "train"), "batch_loss")
    assert steps == [1, 2, 3, 4]


def test_batch_hooks_are_skipped_unless_batches_are_logged():
    def hooks(callback):
        callbacks = CallbackList([callback])
        return callbacks.calls_on_train_batch_begin, callbacks.calls_on_train_batch_end

    assert hooks(TensorBoard()) == (False, False)
    assert hooks(TensorBoard(write_steps_per_second=True)) == (False, False)
    assert hooks(TensorBoard(update_freq=5)) == (False, True)
    assert hooks(TensorBoard(update_freq=5, write_steps_per_second=True)) == (
        True,
        True,
    )


def test_histograms_and_images_of_weights(tmp_path):
    model, _ = _train(str(tmp_path), epochs=2, histogram_freq=2, write_images=True)
    train = _run_events(str(tmp_path), "train")
    weights = {w.path: w.detach().numpy() for w in model.weights}
    histograms = [e for e in train if e.get("plugin") == "histograms"]
    # histogram_freq=2: epoch 0 only, one per weight. Epoch 1 changed the
    # weights since, so only counts are checked here (values: next test).
    assert sorted(e["tag"] for e in histograms) == sorted(
        f"{p}/histogram" for p in weights
    )
    assert {e["step"] for e in histograms} == {0}
    for event in histograms:
        assert event["dtype"] == 2 and event["shape"] == (30, 3)  # DT_DOUBLE
        table = np.frombuffer(event["tensor"][4][0], "<f8").reshape(30, 3)
        size = weights[event["tag"][: -len("/histogram")]].size
        assert table[:, 2].sum() == size
        np.testing.assert_array_equal(table[1:, 0], table[:-1, 1])  # contiguous
    images = {e["tag"]: e for e in train if e.get("plugin") == "images"}
    # A bias of one value squeezes to a scalar: no image, as in Keras.
    first, second = (layer.name for layer in model.layers)
    assert sorted(images) == sorted(
        [f"{first}/bias/image", f"{first}/kernel/image", f"{second}/kernel/image"]
    )


def test_histogram_and_image_values(tmp_path):
    # After training, log the final weights by hand at epoch 0 and compare.
    model, _ = _train(str(tmp_path / "fit"), epochs=1)
    callback = TensorBoard(str(tmp_path / "logs"), histogram_freq=1, write_images=True)
    callbacks = CallbackList([callback], model=model)
    callbacks.on_train_begin()
    callbacks.on_epoch_end(0, {"loss": 1.0})
    callbacks.on_train_end()
    train = _run_events(str(tmp_path / "logs"), "train")
    kernel = model.layers[0].kernel.detach().numpy().astype(np.float64)  # (4, 3)
    name = model.layers[0].name
    (hist,) = [e for e in train if e.get("tag") == f"{name}/kernel/histogram"]
    table = np.frombuffer(hist["tensor"][4][0], "<f8").reshape(30, 3)
    edges = np.linspace(kernel.min(), kernel.max(), 31)
    np.testing.assert_allclose(table[:, 0], edges[:-1])
    np.testing.assert_allclose(table[:, 1], edges[1:])
    expected, _ = np.histogram(kernel, bins=edges)
    np.testing.assert_array_equal(table[:, 2], expected)
    (image,) = [e for e in train if e.get("tag") == f"{name}/kernel/image"]
    assert image["dtype"] == 7 and image["shape"] == (3,)
    width, height, png = image["tensor"][8]
    # A taller-than-wide kernel is shown transposed: 3 rows of 4 pixels.
    assert (int(width), int(height)) == (4, 3)
    np.testing.assert_array_equal(
        _png_pixels(png), np.clip(kernel.T * 255.5, 0, 255).astype(np.uint8)
    )


def test_events_are_written_at_each_epoch_end(tmp_path):
    seen = []

    def look(epoch, logs):
        seen.append(
            sorted(_series(_run_events(str(tmp_path), "train"), "epoch_loss")[0])
        )

    x, y = _data()
    _model().fit(
        x,
        y,
        epochs=3,
        verbose=0,
        callbacks=[TensorBoard(str(tmp_path)), LambdaCallback(on_epoch_begin=look)],
    )
    assert seen == [[], [0], [0, 1]]


def test_standalone_evaluate_logs_against_iterations(tmp_path):
    x, y = _data()
    model = _model()
    callback = TensorBoard(str(tmp_path))
    model.fit(x, y, batch_size=32, epochs=2, verbose=0, callbacks=[callback])
    loss, accuracy = model.evaluate(x, y, verbose=0, callbacks=[callback])
    val = _run_events(str(tmp_path), "validation")
    steps, losses = _series(val, "evaluation_loss_vs_iterations")
    assert steps == [4] and np.float32(losses[0]) == np.float32(loss)
    # The model config is written once, not again for evaluate.
    train = _run_events(str(tmp_path), "train")
    assert [e.get("tag") for e in train].count("keras") == 1


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"profile_batch": 2}, "profile_batch"),
        ({"profile_batch": (2, 4)}, "profile_batch"),
        ({"embeddings_freq": 1}, "embeddings_freq"),
        ({"embeddings_metadata": "meta.tsv"}, "embeddings_metadata"),
        ({"update_freq": "step"}, "update_freq"),
        ({"update_freq": 0}, "update_freq"),
        ({"histogram_freq": -1}, "histogram_freq"),
        ({"histogram_freq": 0.5}, "histogram_freq"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        TensorBoard(**kwargs)


def test_keras_defaults_and_pathlike_log_dir(tmp_path):
    callback = TensorBoard(tmp_path)
    assert callback.log_dir == str(tmp_path)
    assert (callback.histogram_freq, callback.update_freq) == (0, "epoch")
    assert callback.write_graph and not callback.write_images
    assert TensorBoard(update_freq="batch").update_freq == 1
    assert keras.callbacks.TensorBoard is TensorBoard


def test_tensorboard_own_loader_reads_the_files(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_file_loader import (
        EventFileLoader,
    )
    from tensorboard.util import tensor_util

    _, history = _train(str(tmp_path), epochs=2, histogram_freq=1, write_images=True)
    (path,) = glob.glob(os.path.join(str(tmp_path), "validation", "events.*"))
    losses = [
        (event.step, float(tensor_util.make_ndarray(value.tensor)))
        for event in EventFileLoader(path).Load()
        for value in event.summary.value
        if value.tag == "epoch_loss"
    ]
    assert [s for s, _ in losses] == [0, 1]
    np.testing.assert_array_equal(
        np.float32([v for _, v in losses]), history.history["val_loss"]
    )


# ------------------------------------------------- the real TensorBoard
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_real_tensorboard_serves_the_scalars(tmp_path):
    pytest.importorskip("tensorboard", reason="needs `pip install tensorboard`")
    log_dir = str(tmp_path / "logs")
    _, history = _train(log_dir, update_freq=1, histogram_freq=1)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            log_dir,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--reload_interval",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/data/plugin"

    def scalars(run, tag):
        query = urllib.parse.urlencode({"run": run, "tag": tag})
        return _get_json(f"{base}/scalars/scalars?{query}")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                train = scalars("train", "epoch_loss")
                val = scalars("validation", "epoch_loss")
                if len(train) == 3 and len(val) == 3:
                    break
            except (urllib.error.URLError, ConnectionError, ValueError):
                pass  # not listening or not loaded yet
            assert server.poll() is None, "tensorboard exited"
            assert time.monotonic() < deadline, "tensorboard showed no scalars"
            time.sleep(0.5)
        # Each point is [wall_time, step, value].
        assert [p[1] for p in train] == [0, 1, 2]
        np.testing.assert_array_equal(
            np.float32([p[2] for p in train]), history.history["loss"]
        )
        np.testing.assert_array_equal(
            np.float32([p[2] for p in val]), history.history["val_loss"]
        )
        assert [p[1] for p in scalars("train", "batch_loss")] == list(range(1, 10))
        histograms = _get_json(f"{base}/histograms/tags")["train"]
        assert all(tag.endswith("/histogram") for tag in histograms)
        assert len(histograms) == 4  # two kernels, two biases
        graphs = _get_json(f"{base}/graphs/info")["train"]["tags"]
        assert graphs["keras"]["conceptual_graph"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
