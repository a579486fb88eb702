"""One model used from several threads, and many fit/save/load cycles in a row.

- `predict` from 8 threads at once gives exactly the serial results.
- `fit` in one thread while another calls `predict` works: the weights end up
  bit-identical to a `fit` alone (predict only reads them and draws no random
  numbers; `training=` is passed to every layer call, so the module's
  train/eval flag that one thread sets does not change what the other computes).
  Predictions made meanwhile see the weights of some step of the fit.
- benchmarks/soak.py (slow, 500 cycles): RSS flat after warm-up, no descriptor left open.
"""

from __future__ import annotations

import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import lamina as keras

ROOT = Path(__file__).resolve().parents[2]


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((16,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dropout(0.3),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=256):
    rng = np.random.default_rng(1)
    return rng.normal(size=(n, 16)).astype("float32"), rng.integers(0, 3, n)


def test_predict_from_8_threads_matches_serial():
    model = _model()
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    chunks = [x[i::8] for i in range(8)]
    serial = [model.predict(c, batch_size=16, verbose=0) for c in chunks]
    barrier = threading.Barrier(8)

    def run(i):
        barrier.wait()  # all threads call predict at the same moment
        return [model.predict(chunks[i], batch_size=16, verbose=0) for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, range(8)))
    for i, repeats in enumerate(results):
        for got in repeats:
            np.testing.assert_array_equal(got, serial[i])


def test_fit_while_another_thread_predicts_leaves_the_same_weights():
    x, y = _data()
    alone = _model()
    alone.fit(x, y, epochs=3, batch_size=16, verbose=0)

    model = _model()
    done = threading.Event()
    errors, predictions = [], []

    def predict_loop():
        while not done.is_set():
            try:
                predictions.append(model.predict(x[:64], batch_size=64, verbose=0))
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return

    reader = threading.Thread(target=predict_loop)
    reader.start()
    try:
        model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    finally:
        done.set()
        reader.join()
    assert not errors, errors
    assert predictions  # the reader really ran alongside
    for a, b in zip(model.get_weights(), alone.get_weights()):
        np.testing.assert_array_equal(a, b)
    for p in predictions:
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    # And the model is left in inference mode, usable.
    final = model.predict(x[:64], verbose=0)
    np.testing.assert_array_equal(final, alone.predict(x[:64], verbose=0))


def _soak_module():
    spec = importlib.util.spec_from_file_location(
        "soak", ROOT / "benchmarks" / "soak.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_soak_smoke():
    report = _soak_module().run(cycles=2, warmup=1, samples=128)
    assert [s["at"] for s in report["snapshots"]] == ["start", "after warm-up", "end"]
    assert report["leaked_fds"] == []


@pytest.mark.slow
def test_soak_500_cycles_memory_flat_and_no_leaked_descriptors():
    report = _soak_module().run(cycles=500, warmup=20, samples=256)
    start, warm, end = report["snapshots"]
    assert report["rss_growth_after_warmup"] < 0.05, report
    assert report["leaked_fds"] == [], report
    assert end["open_fds"] <= warm["open_fds"], report
    assert end["threads"] <= warm["threads"], report
