"""compile(jit_compile=True): the compiled train/test steps against the eager ones.

Each test compiles a small model (inductor: a few seconds on a CPU, less once
its kernel cache is warm), so the cases are few and share models.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest
import torch
from torch._dynamo.utils import counters

import lamina as keras
from lamina.errors import ArgumentError


def _data(n=330, features=20, classes=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, rng.integers(0, classes, n)


def _mlp(dropout=0.0, batchnorm=False):
    layers = [keras.Input((20,)), keras.layers.Dense(32, activation="relu")]
    if batchnorm:
        layers.append(keras.layers.BatchNormalization())
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(5, activation="softmax"))
    return keras.Sequential(layers)


def _fit(jit, optimizer="rmsprop", epochs=2, **model_kwargs):
    """Per-batch training losses, the History and the model, from a fixed seed."""
    keras.utils.set_random_seed(1)
    model = _mlp(**model_kwargs)
    model.compile(
        optimizer,
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=jit,
    )
    x, y = _data()
    losses = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(logs["loss"])
    )
    history = model.fit(
        x,
        y,
        batch_size=32,  # 330 samples: 10 full batches and a partial one of 10
        epochs=epochs,
        verbose=0,
        shuffle=False,
        callbacks=[record],
        validation_data=(x[:100], y[:100]),
    )
    return np.array(losses), history.history, model


@pytest.mark.parametrize(
    "optimizer",
    [
        "rmsprop",
        pytest.param("adam", marks=pytest.mark.slow),
        pytest.param("sgd", marks=pytest.mark.slow),
    ],
)
def test_compiled_loss_curve_equals_eager(optimizer):
    eager_losses, eager_history, eager_model = _fit(False, optimizer)
    counters.clear()
    jit_losses, jit_history, jit_model = _fit(True, optimizer)
    assert jit_model.jit_compile is True and not jit_model._jit_steps.failed
    assert counters["stats"]["unique_graphs"] >= 2  # it did compile
    # 22 steps (2 epochs of 10 full batches and a partial one): the same curve.
    assert len(jit_losses) == 22
    np.testing.assert_allclose(jit_losses, eager_losses, rtol=1e-5)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(jit_history[key], eager_history[key], rtol=1e-5)
    for w_jit, w_eager in zip(jit_model.get_weights(), eager_model.get_weights()):
        np.testing.assert_allclose(w_jit, w_eager, rtol=1e-4, atol=1e-6)
    x, y = _data(seed=3)
    np.testing.assert_allclose(
        jit_model.evaluate(x, y, verbose=0),
        eager_model.evaluate(x, y, verbose=0),
        rtol=1e-5,
    )


def test_partial_batches_and_later_fits_do_not_recompile():
    counters.clear()
    _, _, model = _fit(True, "sgd", epochs=2)
    # The train forward, the optimizer update and the test forward: one graph
    # each, although every epoch ends with a partial batch (run eagerly).
    assert counters["stats"]["unique_graphs"] == 3
    x, y = _data(seed=4)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    model.evaluate(x, y, batch_size=32, verbose=0)
    assert counters["stats"]["unique_graphs"] == 3  # cached across fit calls
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert counters["stats"]["unique_graphs"] == 5  # compile() starts afresh


@pytest.mark.slow
def test_compiled_batchnorm_and_dropout():
    # BatchNormalization's moving statistics are updated by the compiled graph.
    eager_losses, _, eager_model = _fit(False, "adam", batchnorm=True)
    jit_losses, _, jit_model = _fit(True, "adam", batchnorm=True)
    np.testing.assert_allclose(jit_losses, eager_losses, rtol=1e-5)
    moving = [w.name for w in jit_model.weights if "moving" in w.name]
    assert moving
    for w_jit, w_eager in zip(jit_model.get_weights(), eager_model.get_weights()):
        np.testing.assert_allclose(w_jit, w_eager, rtol=1e-4, atol=1e-6)
    # Dropout: compiled masks come from inductor's generator, seeded from
    # torch's: a fixed seed gives the same run twice.
    first, _, _ = _fit(True, "rmsprop", epochs=1, dropout=0.3)
    second, _, _ = _fit(True, "rmsprop", epochs=1, dropout=0.3)
    np.testing.assert_array_equal(first, second)


class _ReadsBack(keras.layers.Layer):
    """A layer torch.compile cannot trace whole: it reads a value to the host."""

    def call(self, inputs):
        return inputs * float(inputs.abs().mean() > -1.0)


def test_untraceable_model_falls_back_to_eager_with_one_warning():
    x, y = _data()
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [keras.Input((20,)), _ReadsBack(), keras.layers.Dense(5, activation="softmax")]
    )
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, batch_size=32, epochs=2, verbose=0)
        model.evaluate(x, y, verbose=0)
    messages = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    assert len(messages) == 1, messages
    assert "runs eagerly instead" in messages[0] and model.name in messages[0]
    assert model._jit_steps.failed
    # Training went on eagerly: the same numbers as an eager model.
    keras.utils.set_random_seed(2)
    eager = keras.Sequential(
        [keras.Input((20,)), _ReadsBack(), keras.layers.Dense(5, activation="softmax")]
    )
    eager.compile("sgd", "sparse_categorical_crossentropy")
    eager_history = eager.fit(x, y, batch_size=32, epochs=2, verbose=0)
    np.testing.assert_allclose(
        history.history["loss"], eager_history.history["loss"], rtol=1e-6
    )


def test_jit_compile_argument():
    model = _mlp()
    model.compile("sgd", "mse")
    assert model.jit_compile is False  # "auto" is eager, as Keras's torch backend
    assert model.get_compile_config()["jit_compile"] == "auto"
    with pytest.warns(UserWarning, match="Disabling `jit_compile`"):
        model.compile("sgd", "mse", run_eagerly=True, jit_compile=True)
    assert model.jit_compile is False
    with pytest.raises(ArgumentError, match="`jit_compile` must be True, False"):
        model.compile("sgd", "mse", jit_compile="xla")
    model.compile("sgd", "mse", jit_compile=True)
    assert model.get_compile_config()["jit_compile"] is True
    # The optimizer's compiled update is installed only under jit_compile.
    assert model.optimizer._update_hook is not None
    model.compile(model.optimizer, "mse")
    assert model.optimizer._update_hook is None


def test_compiled_model_copies_and_pickles():
    _, _, model = _fit(True, "rmsprop", epochs=1)
    x, _ = _data(seed=5)
    expected = model.predict(x, verbose=0)
    for clone in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert clone._jit_steps is not model._jit_steps
        np.testing.assert_allclose(clone.predict(x, verbose=0), expected, rtol=1e-6)
        assert clone.jit_compile is True


def test_compiled_step_on_cuda():
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    eager_losses, _, _ = _fit(False, "rmsprop", epochs=1)
    jit_losses, _, model = _fit(True, "rmsprop", epochs=1)
    assert next(model.parameters()).device.type == "cuda"
    np.testing.assert_allclose(jit_losses, eager_losses, rtol=1e-4)
