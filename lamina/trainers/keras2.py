"""Keras 2's training names, in one place: thin aliases that warn once.

`Keras2Methods` holds the methods Keras 3 removed (`predict_classes`,
`predict_proba` and the ``*_generator`` methods); the functions below map the
arguments Keras 2 took (``nb_epoch``, ``workers``, metrics in the third
position of `compile`) onto what `Trainer` takes now.
"""

from __future__ import annotations

from lamina.errors import ArgumentError, warn_deprecated_once

# compile() arguments of Keras 2 that lamina accepts and ignores, with a warning.
_KERAS2_COMPILE_ARGS = (
    "sample_weight_mode",
    "target_tensors",
    "distribute",
    "experimental_run_tf_function",
    "options",
)
# fit/evaluate/predict arguments of Keras 2 (its data queue), silently ignored.
_KERAS2_LOOP_ARGS = ("max_queue_size", "workers", "use_multiprocessing")


def check_compile_kwargs(kwargs: dict) -> None:
    """Drop (with a warning) Keras 2's extra compile arguments; refuse any other."""
    for key in list(kwargs):
        if key in _KERAS2_COMPILE_ARGS:
            warn_deprecated_once(
                f"compile.{key}",
                f"compile({key}=...) is a Keras 2 argument that lamina ignores.",
            )
            kwargs.pop(key)
    if kwargs:
        raise ArgumentError(f"compile() got unexpected arguments: {sorted(kwargs)}.")


def check_loop_kwargs(method: str, kwargs: dict) -> None:
    """Drop Keras 2's data-queue arguments of fit/evaluate/predict; refuse any other."""
    for key in _KERAS2_LOOP_ARGS:
        kwargs.pop(key, None)
    if kwargs:
        raise ArgumentError(f"{method}() got unexpected arguments: {sorted(kwargs)}.")


def fit_epochs(epochs, kwargs: dict):
    """`epochs`, or Keras 2's ``nb_epoch`` (taken out of ``kwargs``) when given."""
    if "nb_epoch" not in kwargs:
        return epochs
    warn_deprecated_once(
        "fit.nb_epoch", "fit(nb_epoch=...) is deprecated; use epochs=..."
    )
    return kwargs.pop("nb_epoch")


def compile_metrics_order(metrics, loss_weights) -> tuple:
    """``(metrics, loss_weights)``, reading Keras 2's ``compile(opt, loss, [metrics])``.

    Keras 2's order was compile(optimizer, loss, metrics, loss_weights), so a
    list of metric names in the third position (Keras 3's `loss_weights`) is
    taken for the metrics.
    """
    if metrics is not None or not _looks_like_metrics(loss_weights):
        return metrics, loss_weights
    warn_deprecated_once(
        "compile.positional_metrics",
        "compile(optimizer, loss, [metrics]) is Keras 2's argument order; in "
        "Keras 3 the third argument is `loss_weights`. Pass metrics=[...].",
    )
    return loss_weights, None


def _looks_like_metrics(value) -> bool:
    """True for a list of metric names/objects passed where loss_weights go."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    return all(
        isinstance(v, str)
        or (callable(v) and not isinstance(v, (int, float)))
        or isinstance(v, (list, tuple))
        and _looks_like_metrics(v)
        for v in value
    )


def _generator_alias(method: str):
    """Keras 2's ``<method>_generator``: `method` itself, which takes generators."""

    def alias(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        warn_deprecated_once(
            f"{method}_generator",
            f"`model.{method}_generator()` is deprecated; use model.{method}().",
        )
        return getattr(self, method)(
            generator, steps=steps, callbacks=callbacks, verbose=verbose
        )

    alias.__name__ = f"{method}_generator"
    alias.__qualname__ = f"Keras2Methods.{alias.__name__}"
    alias.__doc__ = f"Keras 2: `{method}` on a generator."
    return alias


# fit_generator's arguments that `fit` does not take: Keras 2's queue arguments
# have no counterpart (PyDataset has its own workers).
_NOT_FIT_ARGUMENTS = (
    "self",
    "generator",
    "max_queue_size",
    "workers",
    "use_multiprocessing",
)


class Keras2Methods:
    """The Keras 2 methods of `Model` that Keras 3 removed, each warning once."""

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2: class indices (argmax), or 0/1 of shape (n, 1) for one unit."""
        warn_deprecated_once(
            "predict_classes",
            "`model.predict_classes()` is deprecated; "
            "use np.argmax(model.predict(x), axis=-1) or "
            "(model.predict(x) > 0.5).astype('int32').",
        )
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2: the model's output probabilities (same as predict)."""
        warn_deprecated_once(
            "predict_proba",
            "`model.predict_proba()` is deprecated; use model.predict().",
        )
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """Keras 2: `fit` on a generator."""
        warn_deprecated_once(
            "fit_generator",
            "`model.fit_generator()` is deprecated; "
            "use model.fit(), which accepts generators.",
        )
        options = {k: v for k, v in locals().items() if k not in _NOT_FIT_ARGUMENTS}
        return self.fit(generator, **options)

    evaluate_generator = _generator_alias("evaluate")
    predict_generator = _generator_alias("predict")
