"""`SwapEMAWeights` against Keras 3 (callbacks_ema.npz, made by
tests/fixtures/make_callbacks_ema.py): validation and evaluation losses on the
EMA weights, and the weights a model ends with."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch

import lamina
from lamina.callbacks import SwapEMAWeights
from lamina.errors import ArgumentError

K = np.load(pathlib.Path(__file__).parent.parent / "fixtures" / "callbacks_ema.npz")


def _model(optimizer=None):
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    model.set_weights([K["kernel"], K["bias"]])
    model.compile(
        optimizer
        or lamina.optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.9),
        "mse",
    )
    return model


@pytest.mark.parametrize(
    "case, swap_on_epoch", [("plain", False), ("on_epoch", True), ("none", None)]
)
def test_swap_ema_weights_matches_keras(case, swap_on_epoch):
    model = _model()
    callbacks = [] if swap_on_epoch is None else [SwapEMAWeights(swap_on_epoch)]
    history = model.fit(
        K["x"], K["y"], batch_size=4, epochs=3, shuffle=False, verbose=0,
        validation_data=(K["vx"], K["vy"]), callbacks=callbacks,
    )  # fmt: skip
    np.testing.assert_allclose(history.history["loss"], K[f"{case}/loss"], rtol=1e-5)
    np.testing.assert_allclose(
        history.history["val_loss"], K[f"{case}/val_loss"], rtol=1e-5
    )
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, K[f"{case}/after_fit/{i}"], rtol=1e-5, atol=1e-6)
    evaluated = model.evaluate(
        K["vx"], K["vy"], verbose=0, callbacks=[SwapEMAWeights()]
    )
    np.testing.assert_allclose(evaluated, K[f"{case}/evaluate"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(
            w, K[f"{case}/after_evaluate/{i}"], rtol=1e-5, atol=1e-6
        )


def test_predict_uses_the_averages_and_puts_the_weights_back():
    model = _model()
    model.fit(K["x"], K["y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    trained = [w.copy() for w in model.get_weights()]
    averages = [a.detach().cpu().numpy() for a in model.optimizer._averages]
    with_ema = model.predict(K["vx"], verbose=0, callbacks=[SwapEMAWeights()])
    expected = K["vx"] @ averages[0] + averages[1]
    np.testing.assert_allclose(with_ema, expected, rtol=1e-5, atol=1e-6)
    for w, t in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(w, t)


def test_swap_ema_weights_needs_ema():
    model = _model(lamina.optimizers.SGD())
    model.fit(K["x"], K["y"], verbose=0)
    with pytest.raises(ArgumentError, match="use_ema=True"):
        model.evaluate(K["vx"], K["vy"], verbose=0, callbacks=[SwapEMAWeights()])
    multi = lamina.optimizers.MultiOptimizer(
        lamina.optimizers.OptimizerMap(lamina.optimizers.SGD())
    )
    model = _model(multi)
    model.fit(K["x"], K["y"], verbose=0)
    with pytest.raises(ArgumentError, match="at least one inner optimizer"):
        model.evaluate(K["vx"], K["vy"], verbose=0, callbacks=[SwapEMAWeights()])
    assert torch.is_grad_enabled()
