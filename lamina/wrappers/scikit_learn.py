"""Keras 2's scikit-learn wrappers: `KerasClassifier` and `KerasRegressor`.

The Keras 2 contract: ``build_fn`` returns a compiled model, and ``**sk_params``
mixes its arguments with those of ``fit``/``predict``/``evaluate``; each call
takes the ones its function accepts. They work with scikit-learn's ``clone``,
``GridSearchCV``, ``RandomizedSearchCV``, ``cross_val_score`` and ``Pipeline``.
Keras 3's wrappers are `lamina.wrappers.SKLearnClassifier` and friends.
"""

from __future__ import annotations

import copy
import inspect
import types

import numpy as np

from lamina.errors import ArgumentError, warn_deprecated_once

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
except ImportError as err:  # pragma: no cover - the [sklearn] extra is missing
    raise ImportError(
        "lamina.wrappers.scikit_learn needs scikit-learn: `pip install scikit-learn` "
        "(or lamina's `[sklearn]` extra)."
    ) from err


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
