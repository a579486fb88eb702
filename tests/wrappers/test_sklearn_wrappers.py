"""scikit-learn wrappers: Keras 2's KerasClassifier/Regressor, Keras 3's SKLearn*."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from lamina.wrappers.scikit_learn import KerasClassifier, KerasRegressor  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import lamina as keras  # noqa: E402
from lamina import errors  # noqa: E402
from lamina.layers import Dense, Input  # noqa: E402
from lamina.wrappers import (  # noqa: E402
    SKLearnClassifier,
    SKLearnRegressor,
    SKLearnTransformer,
)

rng = np.random.default_rng(0)
X = rng.standard_normal((60, 4)).astype("float32")
Y_REG = X @ np.array([1.0, -2.0, 0.5, 0.0], dtype="float32")
Y_CLS = (X[:, 0] + X[:, 1] > 0).astype("int64")


def build_regressor(n_hidden=1, n_neurons=8, learning_rate=3e-3):
    model = keras.Sequential([Input((4,))])
    for _ in range(n_hidden):
        model.add(Dense(n_neurons, activation="relu"))
    model.add(Dense(1))
    model.compile(
        loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate)
    )
    return model


def build_classifier(n_neurons=8):
    model = keras.Sequential(
        [
            Input((4,)),
            Dense(n_neurons, activation="relu"),
            Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"]
    )
    return model


def test_keras2_regressor_fit_score_predict_and_search():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        reg = KerasRegressor(build_regressor, epochs=2, verbose=0)
    history = reg.fit(X, Y_REG)
    assert len(history.history["loss"]) == 2
    assert reg.score(X, Y_REG) <= 0  # the negated loss
    assert reg.predict(X[:3]).shape == (3,)
    assert clone(reg).get_params()["epochs"] == 2
    search = GridSearchCV(reg, {"n_hidden": [1, 2], "n_neurons": [4]}, cv=2)
    search.fit(X, Y_REG)
    assert search.best_params_["n_hidden"] in (1, 2)
    assert len(search.cv_results_["params"]) == 2
    assert isinstance(search.best_estimator_.model, keras.Model)
    randomized = RandomizedSearchCV(
        reg, {"learning_rate": [1e-3, 1e-2]}, n_iter=2, cv=2, random_state=0
    )
    randomized.fit(X, Y_REG, epochs=1)
    assert set(randomized.best_params_) == {"learning_rate"}


def test_keras2_classifier_labels_probabilities_and_pipeline():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        clf = KerasClassifier(build_classifier, epochs=3, verbose=0)
    labels = np.where(Y_CLS == 1, "yes", "no")
    clf.fit(X, labels)
    assert list(clf.classes_) == ["no", "yes"]
    assert set(clf.predict(X)) <= {"no", "yes"}
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert 0.0 <= clf.score(X, labels) <= 1.0
    scores = cross_val_score(make_pipeline(StandardScaler(), clf), X, Y_CLS, cv=2)
    assert scores.shape == (2,)


def test_keras2_illegal_parameter():
    with pytest.raises(errors.ArgumentError, match="not_a_param is not a legal"):
        KerasRegressor(build_regressor, not_a_param=3)


def make_classifier(X, y, width=8):
    model = keras.Sequential(
        [
            Input(X.shape[1:]),
            Dense(width, activation="relu"),
            Dense(y.shape[1], activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


def make_regressor(X, y):
    model = keras.Sequential([Input(X.shape[1:]), Dense(y.shape[1])])
    model.compile(loss="mse", optimizer="adam")
    return model


def test_keras3_wrappers_in_search_and_pipeline():
    clf = SKLearnClassifier(
        model=make_classifier, model_kwargs={"width": 4}, fit_kwargs={"epochs": 2}
    )
    clf.fit(X, Y_CLS)
    assert set(clf.predict(X)) <= {0, 1} and clf.epoch_ == 2
    search = GridSearchCV(clf, {"model_kwargs": [{"width": 2}, {"width": 6}]}, cv=2)
    search.fit(X, Y_CLS)
    assert search.best_params_["model_kwargs"]["width"] in (2, 6)
    reg = make_pipeline(StandardScaler(), SKLearnRegressor(model=make_regressor))
    reg.fit(X, Y_REG)
    assert reg.predict(X).shape == (60,)
    transformer = SKLearnTransformer(model=make_regressor).fit(X, Y_REG)
    assert transformer.transform(X).shape == (60, 1)


def test_keras3_model_instance_is_cloned_and_must_be_compiled():
    model = build_regressor()
    wrapper = SKLearnRegressor(model=model, fit_kwargs={"epochs": 1})
    wrapper.fit(X, Y_REG)
    assert wrapper.model_ is not model
    with pytest.raises(errors.ArgumentError, match="compiled"):
        SKLearnRegressor(
            model=lambda X, y: keras.Sequential([Input((4,)), Dense(1)])
        ).fit(X, Y_REG)


def test_keras3_classifier_rejects_continuous_targets():
    with pytest.raises(ValueError):
        SKLearnClassifier(model=make_classifier).fit(X, Y_REG)
