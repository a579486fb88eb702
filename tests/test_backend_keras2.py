"""Keras 2's `keras.backend` functions, as old tutorials use them."""

from __future__ import annotations

import numpy as np
import torch

import lamina
from lamina import backend as K
from lamina.layers import Dense, Input


def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))


def test_custom_loss_and_metric_written_with_backend_functions():
    x = np.random.rand(32, 3).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = lamina.Sequential([Input((3,)), Dense(1)])
    model.compile(optimizer="sgd", loss=rmse, metrics=[rmse])
    history = model.fit(x, y, epochs=2, verbose=0)
    assert set(history.history) == {"loss", "rmse"}
    expected = np.sqrt(((model.predict(x, verbose=0) - y) ** 2).mean(axis=-1)).mean()
    assert np.isclose(model.evaluate(x, y, verbose=0)[0], expected, rtol=1e-5)


def test_values_shapes_and_learning_rate_updates():
    t = torch.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert float(K.max(t)) == 4.0 and K.int_shape(t) == (2, 2)
    assert K.sum(t, axis=0, keepdims=True).shape == (1, 2)
    assert K.cast(t, "int32").dtype == torch.int32
    assert np.allclose(K.clip(t, 0.0, 2.0).numpy(), [[1, 0], [2, 2]])
    optimizer = lamina.optimizers.SGD(learning_rate=0.1)
    K.set_value(optimizer.learning_rate, 0.01)
    assert np.isclose(K.get_value(optimizer.learning_rate), 0.01)
    assert np.isclose(float(optimizer.learning_rate), 0.01)
