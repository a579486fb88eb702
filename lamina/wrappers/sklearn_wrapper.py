"""scikit-learn wrappers: Keras 3's and Keras 2's.

Keras 3's `SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer`: ``model``
is a compiled `Model` (cloned before each fit unless ``warm_start``) or a callable
``model(X=..., y=..., **model_kwargs)`` returning one.

Keras 2's `KerasClassifier` and `KerasRegressor` (``keras.wrappers.scikit_learn``,
a path served by `lamina.compat`): ``build_fn`` returns a compiled model, and
``**sk_params`` mixes its arguments with those of ``fit``/``predict``/``evaluate``;
each call takes the ones its function accepts. They work with scikit-learn's
``clone``, ``GridSearchCV``, ``RandomizedSearchCV``, ``cross_val_score`` and
``Pipeline``.
"""

from __future__ import annotations

import copy
import inspect
import types

import numpy as np

from lamina.errors import ArgumentError, warn_deprecated_once

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


# Keras 2: `keras.wrappers.scikit_learn`.


def _accepts(fn, name: str) -> bool:
    """Whether ``fn`` takes an argument called ``name`` (by name, not **kwargs)."""
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters and parameters[name].kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


class BaseWrapper(BaseEstimator):
    """Shared parts of the Keras 2 wrappers (see the module docstring).

    Args:
        build_fn: a function (or callable object) returning a compiled model; None
            means the subclass's own ``__call__``.
        **sk_params: arguments of ``build_fn`` and of ``fit``/``predict``/``evaluate``
            (e.g. ``epochs=10, batch_size=32, n_hidden=2``).
    """

    def __init__(self, build_fn=None, **sk_params):
        warn_deprecated_once(
            "keras.wrappers.scikit_learn",
            "keras.wrappers.scikit_learn is Keras 2 API; Keras 3 offers "
            "keras.wrappers.SKLearnClassifier/SKLearnRegressor.",
        )
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    # scikit-learn's parameter protocol, over build_fn + sk_params (not __init__'s
    # signature, which has **sk_params).
    def get_params(self, deep: bool = True) -> dict:
        params = dict(self.sk_params)
        params["build_fn"] = self.build_fn
        return params

    def set_params(self, **params):
        self.check_params(params)
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.sk_params.update(params)
        return self

    def _build_function(self):
        if self.build_fn is None:
            return self.__call__
        if not isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn.__call__
        return self.build_fn

    def check_params(self, params: dict) -> None:
        """Refuse a parameter that neither the build function nor fit/predict take."""
        from lamina.models.sequential import Sequential

        legal = [Sequential.fit, Sequential.predict, Sequential.evaluate]
        if self.build_fn is not None or type(self).__call__ is not BaseWrapper.__call__:
            legal.append(self._build_function())
        if isinstance(self, KerasClassifier):
            legal.append(Sequential.predict_proba)
        for name in params:
            if name == "build_fn":
                continue
            if not any(_accepts(fn, name) for fn in legal):
                raise ArgumentError(f"{name} is not a legal parameter")

    def filter_sk_params(self, fn, override: dict | None = None) -> dict:
        """The sk_params that ``fn`` accepts, updated with ``override``."""
        result = {
            name: value for name, value in self.sk_params.items() if _accepts(fn, name)
        }
        result.update(override or {})
        return result

    def _build(self):
        fn = self._build_function()
        return fn(**self.filter_sk_params(fn))

    def fit(self, x, y, **kwargs):
        """Build a new model with ``build_fn`` and train it; returns the History."""
        from lamina.models.sequential import Sequential

        self.model = self._build()
        loss = getattr(self.model, "loss", None)
        loss_name = getattr(loss, "__name__", loss)
        y = np.asarray(y)
        if loss_name == "categorical_crossentropy" and y.ndim != 2:
            from lamina.utils.numerical import to_categorical

            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)

    def __call__(self, **kwargs):
        raise ArgumentError(
            f"{type(self).__name__} needs a `build_fn`, or a subclass defining "
            "__call__ that returns a compiled model."
        )


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a model built by ``build_fn`` (Keras 2 API)."""

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ArgumentError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted class labels (from ``classes_``)."""
        from lamina.models.sequential import Sequential

        proba = self.model.predict(
            x, **self.filter_sk_params(Sequential.predict, kwargs)
        )
        if proba.shape[-1] > 1:
            classes = proba.argmax(axis=-1)
        else:
            classes = (proba > 0.5).astype("int32").reshape(-1)
        return self.classes_[classes]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, two columns for a single sigmoid output."""
        from lamina.models.sequential import Sequential

        probs = self.model.predict(
            x, **self.filter_sk_params(Sequential.predict, kwargs)
        )
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy on ``(x, y)`` (needs ``metrics=['accuracy']``)."""
        from lamina.models.sequential import Sequential

        y = np.searchsorted(self.classes_, np.asarray(y))
        loss = getattr(self.model, "loss", None)
        if (
            getattr(loss, "__name__", loss) == "categorical_crossentropy"
            and y.ndim != 2
        ):
            from lamina.utils.numerical import to_categorical

            y = to_categorical(y, len(self.classes_))
        kwargs = self.filter_sk_params(Sequential.evaluate, kwargs)
        outputs = self.model.evaluate(
            x,
            y,
            return_dict=True,
            **{k: v for k, v in kwargs.items() if k != "return_dict"},
        )
        for name in ("accuracy", "acc"):
            if name in outputs:
                return outputs[name]
        raise ArgumentError(
            "The model is not configured to compute accuracy. You should pass "
            '`metrics=["accuracy"]` to the `model.compile()` method.'
        )


class KerasRegressor(RegressorMixin, BaseWrapper):
    """scikit-learn regressor around a model built by ``build_fn`` (Keras 2 API)."""

    def predict(self, x, **kwargs):
        """Predictions, with a one-unit output squeezed to shape (n,)."""
        from lamina.models.sequential import Sequential

        out = self.model.predict(x, **self.filter_sk_params(Sequential.predict, kwargs))
        return np.squeeze(out, axis=-1) if out.ndim > 1 and out.shape[-1] == 1 else out

    def score(self, x, y, **kwargs):
        """The negated loss (scikit-learn maximizes scores)."""
        from lamina.models.sequential import Sequential

        loss = self.model.evaluate(
            x, y, **self.filter_sk_params(Sequential.evaluate, kwargs)
        )
        return -loss[0] if isinstance(loss, list) else -loss
