"""Keras 2's `keras.backend` functions, as old tutorials use them."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import backend as K
from lamina import errors
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
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


# ------------------------------------------- Keras 2's graph functions, eagerly


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which deprecation warnings were given, so each test sees its own."""
    monkeypatch.setattr(errors, "_WARNED", set())


def _graph():
    x = Input((4,), name="x")
    hidden = Dense(3, kernel_initializer="ones", name="hidden")(x)
    dropped = lamina.layers.Dropout(0.5)(hidden)
    out = Dense(2, kernel_initializer="ones", name="out")(dropped)
    return x, hidden, out


def test_function_runs_the_graph_as_tf_keras_2(fresh_warnings):
    x, hidden, out = _graph()
    data = np.arange(8, dtype="float32").reshape(2, 4)
    expected_hidden = data.sum(axis=1, keepdims=True).repeat(3, axis=1)
    with pytest.warns(DeprecationWarning, match=r"use `keras\.Model\(inputs") as rec:
        get_hidden = K.function([x], [hidden])
    assert rec[0].filename == __file__
    result = get_hidden([data])
    assert isinstance(result, list) and len(result) == 1
    assert isinstance(result[0], np.ndarray)
    np.testing.assert_allclose(result[0], expected_hidden)
    # One input and one output, not in lists: one array in, one array out.
    single = K.function(x, hidden)
    np.testing.assert_allclose(single(data), expected_hidden)
    np.testing.assert_allclose(single([data]), expected_hidden)
    # Inference mode: Dropout passes values through.
    both = K.function([x], [hidden, out])([data])
    np.testing.assert_allclose(both[1], expected_hidden.sum(1, keepdims=True) * [1, 1])
    with pytest.raises(ArgumentError, match="updates"):
        K.function([x], [out], updates=[("v", 1)])
    with pytest.raises(ArgumentError, match="foo"):
        K.function([x], [out], foo=1)


def test_placeholder_is_an_input(fresh_warnings):
    with pytest.warns(DeprecationWarning, match=r"keras\.Input\(batch_shape=shape\)"):
        p = K.placeholder(shape=(None, 4), name="p")
    assert isinstance(p, KerasTensor) and p.shape == (None, 4) and p.dtype == "float32"
    assert K.placeholder(ndim=3).shape == (None, None, None)
    assert K.placeholder(shape=(2, 3), dtype="float64").dtype == "float64"
    y = Dense(2, kernel_initializer="ones")(p)
    np.testing.assert_allclose(K.function([p], [y])([np.ones((1, 4))])[0], [[4, 4]])
    with pytest.raises(ArgumentError, match="`shape` or `ndim`"):
        K.placeholder()
    with pytest.raises(ArgumentError, match="sparse"):
        K.placeholder(shape=(None, 3), sparse=True)


def test_gradients_eagerly(fresh_warnings):
    v = K.variable([1.0, 2.0, 3.0])
    w = lamina.Variable(np.ones((2, 2), "float32"))
    unused = lamina.Variable([5.0])
    with pytest.warns(DeprecationWarning, match=r"torch\.autograd\.grad") as rec:
        grads = K.gradients(K.sum(v * v) + K.sum(w), [v, w, unused])
    assert rec[0].filename == __file__
    np.testing.assert_allclose(grads[0].detach().numpy(), [2.0, 4.0, 6.0])
    np.testing.assert_allclose(grads[1].detach().numpy(), np.ones((2, 2)))
    assert grads[2] is None  # as tf.gradients: None where the loss does not depend
    # One variable, not in a list; a non-scalar loss and a list of losses are summed.
    (g,) = K.gradients(v * v, v)
    np.testing.assert_allclose(g.detach().numpy(), [2.0, 4.0, 6.0])
    (g,) = K.gradients([K.sum(v), K.sum(3 * v)], [v])
    np.testing.assert_allclose(g.detach().numpy(), [4.0, 4.0, 4.0])
    # The gradients can be differentiated again (e.g. a gradient penalty).
    (g,) = K.gradients(K.sum(v**3), [v])
    (gg,) = K.gradients(K.sum(g), [v])
    np.testing.assert_allclose(gg.detach().numpy(), [6.0, 12.0, 18.0])
    # A loss that depends on none of them.
    assert K.gradients(torch.tensor(2.0), [v]) == [None]


def test_gradients_of_a_model_with_respect_to_its_input(fresh_warnings):
    x, _, out = _graph()
    model = lamina.Model(x, out)
    image = lamina.Variable(np.ones((1, 4), "float32"))
    (g,) = K.gradients(K.mean(model(image)), [image])
    reference = image.detach().clone().requires_grad_()
    (expected,) = torch.autograd.grad(model(reference).mean(), [reference])
    np.testing.assert_allclose(g.detach().numpy(), expected.numpy(), rtol=1e-6)


def test_gradients_refuse_graph_mode_and_untracked_tensors(fresh_warnings):
    x, _, out = _graph()
    with pytest.raises(ArgumentError, match="symbolic KerasTensor.*eagerly"):
        K.gradients(out, x)
    with pytest.raises(ArgumentError, match=r"requires_grad_\(\)"):
        K.gradients(torch.ones(2).sum(), [torch.ones(2)])


def test_each_keras2_backend_function_warns_once(fresh_warnings):
    v = K.variable([1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            K.gradients(K.sum(v), [v])
            K.placeholder(shape=(None, 1))
    assert len(caught) == 2
