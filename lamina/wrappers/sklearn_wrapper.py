"""Keras 3's scikit-learn wrappers: SKLearnClassifier, SKLearnRegressor, SKLearnTransformer.

``model`` is a compiled `Model` (cloned before each fit unless ``warm_start``) or
a callable ``model(X=..., y=..., **model_kwargs)`` returning one.
"""

from __future__ import annotations

import copy

import numpy as np

from lamina.errors import ArgumentError

try:
    import sklearn
    import sklearn.pipeline
    import sklearn.preprocessing
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        RegressorMixin,
        TransformerMixin,
    )
    from sklearn.utils.multiclass import type_of_target
    from sklearn.utils.validation import check_is_fitted, validate_data
except ImportError as err:  # pragma: no cover - the [sklearn] extra is missing
    raise ImportError(
        "lamina.wrappers needs scikit-learn: `pip install scikit-learn` (or lamina's "
        "`[sklearn]` extra)."
    ) from err


class _TargetReshaper(TransformerMixin, BaseEstimator):
    """1-D targets to (n, 1) columns and back."""

    def fit(self, y):
        self.ndim_ = np.ndim(y)
        return self

    def transform(self, y):
        y = np.asarray(y)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        y = np.asarray(y)
        return (
            y.reshape(-1) if self.ndim_ == 1 and y.ndim == 2 and y.shape[1] == 1 else y
        )


class SKLBase(BaseEstimator):
    """Shared parts of the Keras 3 wrappers.

    Args:
        model: a compiled `lamina.Model`, or a callable returning one from
            ``X``, ``y`` and ``model_kwargs``.
        warm_start: reuse the fitted model's weights on the next fit.
        model_kwargs: extra arguments of the ``model`` callable.
        fit_kwargs: arguments of ``model.fit`` (``fit``'s own keywords win).

    Attributes:
        model_: the fitted model.
        history_: the ``history`` dict of the last fit.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_clone__(self):
        model = (
            self.model
            if callable(self.model) and not hasattr(self.model, "fit")
            else copy.deepcopy(self.model)
        )
        return type(self)(
            model=model,
            warm_start=self.warm_start,
            model_kwargs=self.model_kwargs,
            fit_kwargs=self.fit_kwargs,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    @property
    def epoch_(self) -> int:
        return len(getattr(self, "history_", {}).get("loss", []))

    def _get_model(self, X, y):
        from lamina.models.cloning import clone_model
        from lamina.models.model import Model

        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            model = clone_model(self.model)
            config = self.model.get_compile_config()
            if config is not None:
                model.compile_from_config(config)
            return model
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Train a fresh (or, with warm_start, the previous) model on ``X``, ``y``."""
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=False)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        if (
            not getattr(model, "compiled", False)
            or model.optimizer is None
            or getattr(model, "loss", None) is None
        ):
            raise ArgumentError(
                "The model given to the scikit-learn wrapper must be compiled, with a "
                "loss and an optimizer."
            )
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.setdefault("verbose", 0)
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(X, y, **fit_kwargs).history
        self.model_ = model
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        raw = self.model_.predict(X, verbose=0)
        return self._reverse_process_target(raw)

    def _process_target(self, y, reset=False):
        type_of_target(y, raise_unknown=True)
        if reset:
            self._target_encoder = _TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a lamina model (targets one-hot encoded).

    Example:
        >>> def make(X, y, layers=(10,)):
        ...     model = lamina.Sequential([lamina.Input(X.shape[1:])] +
        ...         [lamina.layers.Dense(n, activation="relu") for n in layers] +
        ...         [lamina.layers.Dense(y.shape[1], activation="softmax")])
        ...     model.compile(loss="categorical_crossentropy", optimizer="adam")
        ...     return model
        >>> clf = SKLearnClassifier(model=make, model_kwargs={"layers": (20,)})
    """

    def _process_target(self, y, reset=False):
        target_type = type_of_target(y, raise_unknown=True)
        if target_type not in ("binary", "multiclass"):
            raise ArgumentError(
                "Only binary and multiclass targets are supported; the target is "
                f"{target_type!r}."
            )
        if reset:
            self._target_encoder = sklearn.pipeline.make_pipeline(
                _TargetReshaper(),
                sklearn.preprocessing.OneHotEncoder(sparse_output=False),
            ).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ArgumentError(
                    "Classifier can't train when only one class is present."
                )
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X, verbose=0)


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A scikit-learn regressor around a lamina model."""


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer: ``transform(X)`` is the model's prediction."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # predictions are float32
        return tags

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X, verbose=0)
