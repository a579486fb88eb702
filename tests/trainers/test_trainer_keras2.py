"""Keras 2 spellings that tutorials still use: thin aliases that warn once."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import lamina
from lamina import errors as errors_module
from tests.trainers.trainer_utils import binary_model, data, softmax_model

X, Y, CLASSES, _ = data(30)


def _deprecations(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [w for w in caught if issubclass(w.category, DeprecationWarning)]


def _fresh(key):
    """Forget that the warning `key` was given, so this test sees it."""
    errors_module._WARNED.discard(key)


def _generator():
    while True:
        for i in range(3):
            yield X[i * 10 : (i + 1) * 10], Y[i * 10 : (i + 1) * 10]


def _binary():
    model = binary_model(seed=5)
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy"])
    return model


def test_predict_classes_for_one_sigmoid_unit():
    _fresh("predict_classes")
    model = _binary()
    classes, caught = _deprecations(lambda: model.predict_classes(X))
    assert len(caught) == 1 and "predict_classes" in str(caught[0].message)
    assert classes.shape == (30, 1) and classes.dtype == np.int32
    expected = (model.predict(X, verbose=0) > 0.5).astype("int32")
    np.testing.assert_array_equal(classes, expected)
    _, again = _deprecations(lambda: model.predict_classes(X))
    assert again == []  # once only


def test_predict_classes_argmax_for_several_classes_and_predict_proba():
    model = softmax_model(3, seed=1)
    model.compile("sgd", "sparse_categorical_crossentropy")
    classes = model.predict_classes(X)
    proba = model.predict_proba(X)
    assert classes.shape == (30,)
    np.testing.assert_array_equal(classes, proba.argmax(axis=-1))
    np.testing.assert_allclose(proba, model.predict(X, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=-1), 1.0, rtol=1e-5)


def test_predict_proba_warns_once():
    _fresh("predict_proba")
    model = _binary()
    _, caught = _deprecations(lambda: model.predict_proba(X))
    assert len(caught) == 1 and "predict()" in str(caught[0].message)


def test_fit_generator_evaluate_generator_predict_generator():
    for key in ("fit_generator", "evaluate_generator", "predict_generator"):
        _fresh(key)
    model = _binary()
    history, caught = _deprecations(
        lambda: model.fit_generator(
            _generator(),
            steps_per_epoch=3,
            epochs=2,
            verbose=0,
            validation_data=_generator(),
            validation_steps=3,
            workers=2,
        )
    )
    assert len(caught) == 1 and "fit_generator" in str(caught[0].message)
    assert history.params["steps"] == 3 and len(history.history["val_loss"]) == 2
    values, caught = _deprecations(lambda: model.evaluate_generator(_generator(), 3))
    assert len(caught) == 1
    np.testing.assert_allclose(values, model.evaluate(X, Y, verbose=0), rtol=1e-5)
    predicted, caught = _deprecations(
        lambda: model.predict_generator(_generator(), steps=3)
    )
    assert len(caught) == 1
    np.testing.assert_allclose(predicted, model.predict(X, verbose=0), rtol=1e-6)


def test_nb_epoch_means_epochs():
    _fresh("fit.nb_epoch")
    model = _binary()
    history, caught = _deprecations(lambda: model.fit(X, Y, nb_epoch=3, verbose=0))
    assert len(history.history["loss"]) == 3
    assert len(caught) == 1 and "epochs" in str(caught[0].message)


def test_optimizer_lr_and_decay():
    model = _binary()
    optimizer = lamina.optimizers.SGD(lr=0.5, decay=0.1)
    model.compile(optimizer, "mse")
    assert optimizer.learning_rate == pytest.approx(0.5)
    reference = _binary()
    reference.compile(lamina.optimizers.SGD(learning_rate=0.5, decay=0.1), "mse")
    model.fit(X, Y, batch_size=10, shuffle=False, verbose=0)
    reference.fit(X, Y, batch_size=10, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # decay shrinks later steps: three steps without decay move further.
    no_decay = _binary()
    no_decay.compile(lamina.optimizers.SGD(learning_rate=0.5), "mse")
    no_decay.fit(X, Y, batch_size=10, shuffle=False, verbose=0)
    start = _binary().get_weights()[0]
    assert (
        np.abs(no_decay.get_weights()[0] - start).sum()
        > np.abs(model.get_weights()[0] - start).sum()
    )


def test_metrics_as_third_positional_argument():
    _fresh("compile.positional_metrics")
    model = binary_model()
    _, caught = _deprecations(
        lambda: model.compile("sgd", "binary_crossentropy", ["accuracy"])
    )
    assert len(caught) == 1
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]


def test_keras2_compile_and_fit_arguments_are_accepted():
    model = binary_model()
    _fresh("compile.sample_weight_mode")
    _, caught = _deprecations(
        lambda: model.compile("sgd", "mse", sample_weight_mode=None)
    )
    assert len(caught) == 1
    history = model.fit(
        X, Y, verbose=0, workers=4, use_multiprocessing=False, max_queue_size=5
    )
    assert len(history.history["loss"]) == 1
    model.evaluate(X, Y, verbose=0, workers=2)
    model.predict(X, verbose=0, workers=2)


def test_acc_keeps_its_name():
    model = binary_model()
    model.compile("sgd", "binary_crossentropy", metrics=["acc"])
    history = model.fit(X, Y, verbose=0, validation_data=(X, Y))
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]
