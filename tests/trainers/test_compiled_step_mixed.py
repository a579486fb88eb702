"""compile(jit_compile=True) under mixed precision: the compiled step against
the eager step under the same policy (on the CPU; the CUDA cases skip without
a GPU). The data-parallel case (2 gloo processes) is in
tests/distribution/test_torchrun.py.
"""

from __future__ import annotations

import json
import pathlib
import warnings

import numpy as np
import pytest
import torch
from torch._dynamo.utils import counters

import lamina as keras
from lamina import mixed_precision

KERAS = json.loads(
    (
        pathlib.Path(__file__).parents[1] / "fixtures" / "mixed_precision.json"
    ).read_text()
)


@pytest.fixture(autouse=True)
def _float32_afterwards():
    yield
    keras.utils.clear_session()


def _fit(jit, policy, epochs=2):
    """Per-batch losses, History, the model and the jit warnings of one fit."""
    mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(5),
            keras.layers.Activation("softmax", dtype="float32"),
        ]
    )
    model.compile(
        "rmsprop",
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=jit,
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(330, 20)).astype("float32")
    y = rng.integers(0, 5, 330)
    losses = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: losses.append(logs["loss"])
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(
            x,
            y,
            batch_size=32,  # 10 full batches and a partial one of 10 per epoch
            epochs=epochs,
            verbose=0,
            shuffle=False,
            callbacks=[record],
        )
    jit_warnings = [str(w.message) for w in caught if "jit_compile" in str(w.message)]
    return np.array(losses), history.history, model, jit_warnings


def _compare(policy):
    eager_losses, eager_history, eager_model, _ = _fit(False, policy)
    counters.clear()
    jit_losses, jit_history, jit_model, jit_warnings = _fit(True, policy)
    # It compiled (no fallback warning) and computes in the policy's dtype.
    assert jit_warnings == [] and not jit_model._jit_steps.failed
    assert counters["stats"]["unique_graphs"] >= 1
    assert jit_model.layers[0].compute_dtype == policy.split("_")[1]
    assert len(jit_losses) == 22
    # The tolerances of test_compiled_step.py: the compiled graph rounds the
    # half-precision products as the eager step does.
    np.testing.assert_allclose(jit_losses, eager_losses, rtol=1e-5)
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(jit_history[key], eager_history[key], rtol=1e-5)
    for w_jit, w_eager in zip(jit_model.get_weights(), eager_model.get_weights()):
        assert w_jit.dtype == np.float32  # variables stay float32
        np.testing.assert_allclose(w_jit, w_eager, rtol=1e-4, atol=1e-6)
    return eager_model, jit_model


def test_compiled_step_under_mixed_bfloat16_equals_eager():
    _compare("mixed_bfloat16")


@pytest.mark.slow
def test_compiled_step_under_mixed_float16_with_loss_scaling_equals_eager():
    eager_model, jit_model = _compare("mixed_float16")
    # compile() wrapped the optimizer in a LossScaleOptimizer, as Keras does;
    # torch.compile traces the scaled forward and the scale stays in step.
    assert type(jit_model.optimizer).__name__ == "LossScaleOptimizer"
    assert float(jit_model.optimizer.dynamic_scale) == float(
        eager_model.optimizer.dynamic_scale
    )
    assert int(jit_model.optimizer.iterations) == int(eager_model.optimizer.iterations)


def test_compiled_step_skips_overflowing_steps_and_halves_the_scale():
    # Keras 3's trajectory (the fixture test_mixed_precision.py checks in the
    # eager step): overflowing steps skipped, the scale halved each time.
    case = KERAS["fit_loss_scale"]
    mixed_precision.set_global_policy("mixed_float16")
    head = keras.layers.Dense(1, dtype="float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), head])
    model.set_weights([np.full(w.shape, case["weight"], "f4") for w in model.weights])
    model.compile(keras.optimizers.SGD(case["learning_rate"]), "mse", jit_compile=True)

    class Scales(keras.callbacks.Callback):
        seen = []

        def on_train_batch_end(self, batch, logs=None):
            self.seen.append(float(self.model.optimizer.dynamic_scale))

    x = np.full((case["samples"], 4), case["x"], "f4")
    y = np.full((case["samples"], 1), case["y"], "f4")
    model.fit(x, y, case["batch_size"], shuffle=False, verbose=0, callbacks=[Scales()])
    assert not model._jit_steps.failed
    assert Scales.seen == case["scales"]
    assert int(model.optimizer.iterations) == case["iterations"]


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_compiled_mixed_step_on_cuda(policy):
    if not torch.cuda.is_available():
        pytest.skip("needs CUDA")
    eager_losses, _, _, _ = _fit(False, policy, epochs=1)
    jit_losses, _, model, jit_warnings = _fit(True, policy, epochs=1)
    assert next(model.parameters()).device.type == "cuda"
    assert jit_warnings == [] and not model._jit_steps.failed
    # Inductor's fused CUDA kernels round half precision in their own order.
    np.testing.assert_allclose(jit_losses, eager_losses, rtol=1e-3)
