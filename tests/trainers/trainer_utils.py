"""Shared pieces of the trainer tests: small models and the Keras fixture."""

from __future__ import annotations

import os

import numpy as np

import lamina

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "trainer.npz")

_fixture = None


def keras_numbers() -> dict:
    """The arrays written by tests/fixtures/make_trainer.py (Keras 3's numbers)."""
    global _fixture
    if _fixture is None:
        with np.load(FIXTURE) as data:
            _fixture = {key: data[key] for key in data.files}
    return _fixture


def fixed_weights(case: str) -> list[np.ndarray]:
    data = keras_numbers()
    count = sum(1 for key in data if key.startswith(f"{case}/w"))
    return [data[f"{case}/w{i}"] for i in range(count)]


def assert_weights_match(model, case: str, what: str = "after") -> None:
    data = keras_numbers()
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, data[f"{case}/{what}{i}"], rtol=1e-5, atol=1e-6)


def binary_model(seed: int = 0) -> lamina.Model:
    """4 -> Dense(5, relu) -> Dense(1, sigmoid): the fixture's binary model."""
    lamina.utils.set_random_seed(seed)
    return lamina.Sequential(
        [
            lamina.Input((4,)),
            lamina.layers.Dense(5, activation="relu"),
            lamina.layers.Dense(1, activation="sigmoid"),
        ]
    )


def softmax_model(classes: int = 3, seed: int = 0) -> lamina.Model:
    lamina.utils.set_random_seed(seed)
    return lamina.Sequential(
        [lamina.Input((4,)), lamina.layers.Dense(classes, activation="softmax")]
    )


def two_output_model(seed: int = 0) -> lamina.Model:
    """features(4) -> tanh(4) -> reg (2 units) and cls (3-way softmax)."""
    lamina.utils.set_random_seed(seed)
    inp = lamina.Input((4,), name="features")
    hidden = lamina.layers.Dense(4, activation="tanh")(inp)
    reg = lamina.layers.Dense(2, name="reg")(hidden)
    cls = lamina.layers.Dense(3, activation="softmax", name="cls")(hidden)
    return lamina.Model(inp, [reg, cls])


def two_input_model(seed: int = 0) -> lamina.Model:
    """Inputs "a" (4) and "b" (2), concatenated, -> one regression unit."""
    lamina.utils.set_random_seed(seed)
    a = lamina.Input((4,), name="a")
    b = lamina.Input((2,), name="b")
    merged = lamina.layers.Concatenate()([a, b])
    out = lamina.layers.Dense(1)(lamina.layers.Dense(3, activation="relu")(merged))
    return lamina.Model([a, b], out)


def data(n: int = 24, seed: int = 0):
    """Small float32 inputs with binary, sparse 3-class and regression targets."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y_bin = (x[:, :1] > 0).astype("float32")
    y_cls = rng.integers(0, 3, size=(n,))
    y_reg = (x @ rng.normal(size=(4, 1))).astype("float32")
    return x, y_bin, y_cls, y_reg
