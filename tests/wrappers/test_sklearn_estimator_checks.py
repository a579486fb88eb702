"""scikit-learn's estimator checks on the Keras 3 wrappers (slow).

Skipped checks, as Keras's own test skips them, and why:
- check_classifiers_one_label_sample_weights: a zero sample weight is not ignored
  by the loss reduction the way the check expects;
- check_classifiers_classes, check_classifier_data_not_an_array,
  check_supervised_y_2d, check_fit_idempotent: the checks assume that two fits give
  the same model, but each fit starts from new random weights;
- check_classifiers_train: decision_function returns probabilities, not margins;
- check_parameters_default_constructible: `model` has no default (fine in
  scikit-learn >= 1.6).
"""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import lamina as keras  # noqa: E402
from lamina.layers import Dense, Input  # noqa: E402
from lamina.wrappers import (  # noqa: E402
    SKLearnClassifier,
    SKLearnRegressor,
    SKLearnTransformer,
)

NOT_REPRODUCIBLE = "the check assumes two fits give the same model"
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": NOT_REPRODUCIBLE,
        "check_classifier_data_not_an_array": NOT_REPRODUCIBLE,
        "check_supervised_y_2d": NOT_REPRODUCIBLE,
        "check_fit_idempotent": NOT_REPRODUCIBLE,
        "check_classifiers_train": "decision_function returns probabilities",
        "check_parameters_default_constructible": "`model` has no default",
    },
    "SKLearnRegressor": {
        "check_regressor_data_not_an_array": NOT_REPRODUCIBLE,
        "check_regressors_int": NOT_REPRODUCIBLE,
        "check_supervised_y_2d": NOT_REPRODUCIBLE,
        "check_fit_idempotent": NOT_REPRODUCIBLE,
        "check_parameters_default_constructible": "`model` has no default",
    },
    "SKLearnTransformer": {
        "check_fit_idempotent": NOT_REPRODUCIBLE,
        "check_transformer_general": NOT_REPRODUCIBLE,
        "check_transformer_data_not_an_array": NOT_REPRODUCIBLE,
        "check_parameters_default_constructible": "`model` has no default",
    },
}


def dynamic_model(X, y, loss, out_activation="softmax", layers=(10,)):
    inputs = Input(shape=(X.shape[1],))
    hidden = inputs
    for size in layers:
        hidden = Dense(size, activation="relu")(hidden)
    outputs = Dense(y.shape[1] if y.ndim > 1 else 1, activation=out_activation)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


@pytest.mark.slow
@parametrize_with_checks(
    [
        SKLearnClassifier(
            model=dynamic_model,
            model_kwargs={"loss": "categorical_crossentropy", "layers": (20, 20, 20)},
            fit_kwargs={"epochs": 5},
        ),
        SKLearnRegressor(
            model=dynamic_model,
            model_kwargs={"loss": "mse", "out_activation": "linear", "layers": (20,)},
            fit_kwargs={"epochs": 30},
        ),
        SKLearnTransformer(model=dynamic_model, model_kwargs={"loss": "mse"}),
    ],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS[
        type(estimator).__name__
    ],
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
