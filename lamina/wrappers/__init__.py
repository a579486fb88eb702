"""scikit-learn wrappers (need scikit-learn, lamina's `[sklearn]` extra).

Keras 3's `SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer` here;
Keras 2's `KerasClassifier`/`KerasRegressor` in `lamina.wrappers.scikit_learn`.
"""

# Keras 2's module path (served by lamina.compat's table), so that
# `keras.wrappers.scikit_learn.KerasRegressor` works as an attribute chain.
from lamina.wrappers import scikit_learn
from lamina.wrappers.sklearn_wrapper import (
    SKLearnClassifier,
    SKLearnRegressor,
    SKLearnTransformer,
)

__all__ = [
    "SKLearnClassifier",
    "scikit_learn",
    "SKLearnRegressor",
    "SKLearnTransformer",
]
