"""The tutorial MNIST MLP reaches Keras's accuracy on the real MNIST (slow)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import lamina as keras
from lamina.layers import Dense, Dropout

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.mark.slow
def test_tutorial_mlp_reaches_97_percent_in_3_epochs(monkeypatch, tmp_path):
    if not (SHARED_DATA / "mnist").is_dir():
        pytest.skip(f"the real MNIST files are not in {SHARED_DATA / 'mnist'}")
    monkeypatch.setenv("HOME", str(tmp_path))  # no Keras cache: read the IDX files
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("LAMINA_DATA_DIR", str(SHARED_DATA))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and list(y_train[:5]) == [5, 0, 4, 1, 9]
    x_train = x_train.reshape(60000, 784).astype("float32") / 255
    x_test = x_test.reshape(10000, 784).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((784,))])
    for _ in range(3):
        model.add(Dense(512, activation="relu"))
        model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    history = model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=3,
        verbose=0,
        validation_data=(x_test, y_test),
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97, (accuracy, history.history)
    assert np.isclose(accuracy, history.history["val_accuracy"][-1], atol=1e-6)
