"""The Keras loss classes, each a `LossFunctionWrapper` over one loss function,
and the lookup of losses by name (`get`, `serialize`, `deserialize`).

As in Keras's ``keras/src/losses/losses.py``, `MeanSquaredError`,
`BinaryCrossentropy`, ... wrap the function of the same name with the
function's options as constructor arguments, attributes and config keys. The
functions live in the family modules (``regression_losses``,
``probabilistic_losses``, ``hinge_losses``, ``segmentation_losses``,
``distance_losses``, ``metric_learning_losses``). The lookup lives here, next to
the wrapper, whose ``from_config`` finds its function by name with `get`.

Example:

>>> get("mse") is mean_squared_error
True
>>> float(MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from lamina import signatures
from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, UnknownObjectError
from lamina.losses import aliases
from lamina.losses.distance_losses import (
    cauchy_schwarz_divergence,
    chebyshev_loss,
    expectation_loss,
    regularized_expectation_loss,
)
from lamina.losses.docs import COMMON_ARGS, docstring_with
from lamina.losses.hinge_losses import (
    categorical_hinge,
    cubed_hinge,
    hinge,
    squared_hinge,
)
from lamina.losses.loss import Loss
from lamina.losses.metric_learning_losses import circle
from lamina.losses.probabilistic_losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    check_axis,
    ctc,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from lamina.losses.regression_losses import (
    cosine_similarity,
    huber,
    l1_loss,
    l2_loss,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from lamina.losses.segmentation_losses import dice, tanimoto_loss, tversky
from lamina.serialization import (
    deserialize_keras_object,
    get_registered_object,
    serialize_keras_object,
)

# Losses whose mean over the last axis and then the batch is one torch kernel.
_FUSED_MEANS = {
    mean_squared_error: F.mse_loss,
    mean_absolute_error: F.l1_loss,
}


def _serialize_function(fn: Callable) -> Any:
    # Keras 3 writes its own loss functions in this exact form.
    if _LOSSES.get(getattr(fn, "__name__", None)) is fn:
        return {
            "module": "builtins",
            "class_name": "function",
            "config": fn.__name__,
            "registered_name": "function",
        }
    return serialize_keras_object(fn)


class LossFunctionWrapper(Loss):
    """A `Loss` that calls a loss function with fixed keyword arguments.

    ``y_true`` and ``y_pred`` first get the same rank by Keras's rule
    (`squeeze_or_expand_to_same_rank`). A trainer wraps loss functions given to
    ``compile`` in this class.

    Args:
        fn: ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses.
        reduction: See `Loss`.
        name: Name of the loss instance.
        dtype: Float type of the computation.
        **kwargs: Passed to ``fn`` on every call.

    Example:

    >>> loss = LossFunctionWrapper(binary_crossentropy, from_logits=True)
    """

    def __init__(
        self,
        fn: Callable,
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype=None,
        **kwargs,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def _fused_mean(self, y_true, y_pred) -> torch.Tensor | None:
        # mean over the last axis, then over the batch, is one global mean when
        # every sample has the same number of entries.
        fused = _FUSED_MEANS.get(self.fn)
        if (
            fused is None
            or self._fn_kwargs
            or y_true.shape != y_pred.shape
            or (y_pred.dim() == 0)
        ):
            return None
        return fused(y_pred, y_true)

    def call(self, y_true, y_pred) -> torch.Tensor:
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["fn"] = _serialize_function(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        config = dict(config)
        fn = config.pop("fn", None)  # Keras 2 subclasses wrote it too: ignore there
        if cls is LossFunctionWrapper:
            config["fn"] = get(fn) if isinstance(fn, (str, dict)) else fn
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({self.fn.__name__}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A Keras loss class: a wrapper whose options are attributes and config keys.

    `_keras_loss` gives each subclass its function and Keras's constructor.
    """

    # The options `get_config` returns, in Keras's order: by default the
    # constructor's (set by `_keras_loss`).
    _config_keys: tuple[str, ...] = ()

    def __init__(self, fn, reduction, name, dtype, **options):
        options = self._checked_options(**options)
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def _checked_options(self, **options) -> dict[str, Any]:
        """The options, checked (Keras's messages) and normalised where needed."""
        return options

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({key: self._fn_kwargs[key] for key in self._config_keys})
        return config


# A loss class's docstring has the shared Args text as ``{common}`` after its
# own arguments, or as ``{common_args}`` (the whole Args section) where it has
# none; ``{softmax_args}`` for the course's losses on a predicted distribution.
_class_docs = docstring_with(
    common=COMMON_ARGS,
    common_args=f"Args:\n        {COMMON_ARGS}",
    softmax_args=f"""Args:
        from_logits: Whether ``y_pred`` holds logits (softmax is applied).
            Defaults to ``True``; pass ``False`` for a softmax output.
        {COMMON_ARGS}""",
)
_SHARED_ARGUMENTS = ("reduction", "name", "dtype")


def _keras_loss(fn: Callable, **arguments: Any) -> Callable[[type], type]:
    """Class decorator: a `_BuiltinLoss` over ``fn`` with Keras's constructor.

    ``arguments`` are the class's own arguments with their defaults, in
    Keras's order; ``reduction``, ``name`` (``fn``'s name by default) and
    ``dtype`` follow, unless named there to take another place. The
    constructor binds a call to that signature (`signatures.keras_signature`),
    which ``inspect.signature`` and ``help()`` show, and passes the options on
    to `_BuiltinLoss`.

    Example:

    >>> @_keras_loss(l1_loss)
    ... class L1Loss(_BuiltinLoss):
    ...     \"\"\"L1 loss. Args: {common}\"\"\"
    >>> import inspect
    >>> inspect.signature(L1Loss)
    <Signature (reduction='sum_over_batch_size', name='l1_loss', dtype=None)>
    """
    defaults = dict(arguments)
    defaults.setdefault("reduction", "sum_over_batch_size")
    defaults.setdefault("name", fn.__name__)
    defaults.setdefault("dtype", None)
    signature = signatures.constructor_signature(signatures.parameters(defaults))

    def decorate(cls: type) -> type:
        @signatures.keras_signature(signature)
        def __init__(self, **arguments):  # noqa: N807 (it becomes an __init__)
            _BuiltinLoss.__init__(self, fn, **arguments)

        __init__.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = __init__
        if "_config_keys" not in cls.__dict__:
            cls._config_keys = tuple(k for k in defaults if k not in _SHARED_ARGUMENTS)
        return _class_docs(cls)

    return decorate


def _check_label_smoothing(label_smoothing) -> None:
    if not isinstance(label_smoothing, (int, float)) or not 0 <= label_smoothing <= 1:
        raise ArgumentError(
            "`label_smoothing` must be a float in [0, 1]. "
            f"Received: label_smoothing={label_smoothing!r}"
        )


def _axis_tuple(axis):
    # Configs read from JSON hold lists; keep Keras's tuple.
    return tuple(axis) if isinstance(axis, list) else axis


@_keras_loss(mean_squared_error)
class MeanSquaredError(_BuiltinLoss):
    """Mean of squares of errors: ``mean(square(y_true - y_pred))``.

    {common_args}

    Example:

    >>> round(float(MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])), 6)
    0.02
    """


@_keras_loss(mean_absolute_error)
class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``.

    {common_args}

    Example:

    >>> loss = MeanAbsoluteError()([1.0, 0.3, 1.0], [1.9, 0.3, 1.8])
    """


@_keras_loss(mean_absolute_percentage_error)
class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute percentage error: ``100 * mean(abs((y_true - y_pred) / y_true))``.

    The divisor is ``maximum(abs(y_true), 1e-7)``.

    {common_args}

    Example:

    >>> loss = MeanAbsolutePercentageError()([100.0, 200.0], [90.0, 210.0])
    """


@_keras_loss(mean_squared_logarithmic_error)
class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared logarithmic error.

    ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Inputs at or below zero are replaced by 1e-7. The course's "squared log"
    loss is this one (``SquaredLog`` and ``"squared_log"`` are aliases).

    {common_args}

    Example:

    >>> loss = MeanSquaredLogarithmicError()([[1.0, 3.0]], [[1.0, 1.0]])
    """


@_keras_loss(cosine_similarity, axis=-1)
class CosineSimilarity(_BuiltinLoss):
    """Negative cosine similarity: ``-sum(l2_norm(y_true) * l2_norm(y_pred))``.

    Values lie in [-1, 1]; -1 is the best. Unlike Keras, the config keeps
    ``axis`` so a round trip does not lose it.

    Args:
        axis: The axis along which the similarity is computed. Defaults to -1.
        {common}

    Example:

    >>> loss = CosineSimilarity(axis=1)([[0.0, 1.0]], [[1.0, 1.0]])
    """


@_keras_loss(huber, delta=1.0, reduction="sum_over_batch_size", name="huber_loss")
class Huber(_BuiltinLoss):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond.

    ``0.5 * x^2`` if ``|x| <= delta`` else ``delta * |x| - 0.5 * delta^2``,
    with ``x = y_pred - y_true``. Unlike Keras, the config keeps ``delta``.

    Args:
        delta: Where the loss changes from quadratic to linear. Defaults to 1.
        {common}

    Example:

    >>> loss = Huber(delta=2.0)([[0.0, 1.0]], [[0.6, 4.0]])
    """


@_keras_loss(log_cosh)
class LogCosh(_BuiltinLoss):
    """Log of the hyperbolic cosine of the error: ``mean(log(cosh(y_pred - y_true)))``.

    {common_args}

    Example:

    >>> loss = LogCosh()([[0.0, 1.0]], [[1.0, 1.0]])
    """


@_keras_loss(hinge)
class Hinge(_BuiltinLoss):
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0))``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    {common_args}

    Example:

    >>> loss = Hinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """


@_keras_loss(squared_hinge)
class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)))``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    {common_args}

    Example:

    >>> loss = SquaredHinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """


@_keras_loss(cubed_hinge)
class CubedHinge(_BuiltinLoss):
    """Cubed hinge loss (not in Keras): ``mean(maximum(1 - y_true * y_pred, 0)^3)``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    {common_args}

    Example:

    >>> loss = CubedHinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """


@_keras_loss(categorical_hinge)
class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)``.

    ``pos = sum(y_true * y_pred)``, ``neg = max((1 - y_true) * y_pred)``.

    {common_args}

    Example:

    >>> loss = CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.6]])
    """


@_keras_loss(kl_divergence)
class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred))``.

    Both inputs are clipped to ``[1e-7, 1]``.

    {common_args}

    Example:

    >>> loss = KLDivergence()([[0.0, 1.0]], [[0.4, 0.6]])
    """


@_keras_loss(poisson)
class Poisson(_BuiltinLoss):
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + 1e-7))``.

    {common_args}

    Example:

    >>> loss = Poisson()([[1.0, 0.0]], [[1.0, 0.5]])
    """


@_keras_loss(binary_crossentropy, from_logits=False, label_smoothing=0.0, axis=-1)
class BinaryCrossentropy(_BuiltinLoss):
    """Binary crossentropy for 0/1 targets.

    ``-(y * log(p) + (1 - y) * log(1 - p))`` averaged over ``axis``, ``p``
    clipped to ``[1e-7, 1 - 1e-7]``; exact for any logit with
    ``from_logits=True``.

    Args:
        from_logits: Whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: In [0, 1]; squeezes the targets towards 0.5.
        axis: The axis the mean is taken over. Defaults to -1.
        {common}

    Example:

    >>> bce = BinaryCrossentropy(from_logits=True)
    >>> loss = bce([[0.0, 1.0]], [[-18.6, 0.51]])
    """

    def _checked_options(self, **options) -> dict[str, Any]:
        _check_label_smoothing(options["label_smoothing"])
        return options


@_keras_loss(
    binary_focal_crossentropy,
    apply_class_balancing=False,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary focal crossentropy: ``(1 - p_t)^gamma * bce``, averaged over ``axis``.

    ``p_t = y * p + (1 - y) * (1 - p)``; with ``apply_class_balancing`` each
    term is also weighted by ``alpha`` (class 1) or ``1 - alpha`` (class 0).

    Args:
        apply_class_balancing: Whether to weight the classes by ``alpha``.
        alpha: Weight of class 1. Defaults to 0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In [0, 1]; squeezes the targets towards 0.5.
        axis: The axis the mean is taken over. Defaults to -1.
        {common}

    Example:

    >>> focal = BinaryFocalCrossentropy(gamma=2, from_logits=True)
    >>> loss = focal([[0, 1]], [[-1.0, 0.5]])
    """

    # Keras's config order, not its argument order.
    _config_keys = (
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    )

    def _checked_options(self, **options) -> dict[str, Any]:
        _check_label_smoothing(options["label_smoothing"])
        return options


@_keras_loss(categorical_crossentropy, from_logits=False, label_smoothing=0.0, axis=-1)
class CategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy for one-hot targets: ``-sum(y_true * log(p))``.

    ``p`` is ``softmax(y_pred)`` (as a log-softmax) with ``from_logits=True``,
    else ``y_pred`` normalised and clipped to ``[1e-7, 1 - 1e-7]``. For integer
    labels use `SparseCategoricalCrossentropy`.

    Args:
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In [0, 1]; targets become
            ``y * (1 - label_smoothing) + label_smoothing / num_classes``.
        axis: The class axis. Defaults to -1.
        {common}

    Example:

    >>> cce = CategoricalCrossentropy()
    >>> loss = cce([[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    """

    def _checked_options(self, **options) -> dict[str, Any]:
        _check_label_smoothing(options["label_smoothing"])
        check_axis(options["axis"], "CategoricalCrossentropy")
        return options


@_keras_loss(
    categorical_focal_crossentropy,
    alpha=0.25,
    gamma=2.0,
    from_logits=False,
    label_smoothing=0.0,
    axis=-1,
)
class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Alpha-balanced focal crossentropy: ``sum(alpha * (1 - p)^gamma * -y * log(p))``.

    Args:
        alpha: Weight, a float or a list with one float per class. Defaults to
            0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in `CategoricalCrossentropy`.
        axis: The class axis. Defaults to -1.
        {common}

    Example:

    >>> loss = CategoricalFocalCrossentropy()([[0, 1, 0]], [[0.05, 0.95, 0.0]])
    """

    # Keras's config order, not its argument order.
    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def _checked_options(self, **options) -> dict[str, Any]:
        _check_label_smoothing(options["label_smoothing"])
        check_axis(options["axis"], "CategoricalFocalCrossentropy")
        return options


@_keras_loss(
    sparse_categorical_crossentropy,
    from_logits=False,
    ignore_class=None,
    reduction="sum_over_batch_size",
    axis=-1,
)
class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy for integer class labels: ``-log(p[y_true])``.

    ``y_true`` has the shape of ``y_pred`` without the class axis (or with a
    class axis of size 1). For one-hot targets use `CategoricalCrossentropy`.
    Unlike Keras, the config keeps ``axis``.

    Args:
        from_logits: Whether ``y_pred`` holds logits.
        ignore_class: A label whose entries count neither in the loss nor in
            the average (e.g. -1 or 255). ``None`` keeps all.
        {common}
        axis: The class axis. Defaults to -1.

    Example:

    >>> scce = SparseCategoricalCrossentropy()
    >>> loss = scce([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]])
    """

    _integer_labels = True

    def _checked_options(self, **options) -> dict[str, Any]:
        ignore_class = options["ignore_class"]
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, int)
        ):
            raise ArgumentError(
                "`ignore_class` must be None or an int. "
                f"Received: ignore_class={ignore_class!r}"
            )
        check_axis(options["axis"], "SparseCategoricalCrossentropy")
        return options


@_keras_loss(ctc)
class CTC(_BuiltinLoss):
    """Connectionist Temporal Classification loss.

    ``y_true``: integer labels ``(batch, max_label_length)``, 0 is the blank
    and the padding. ``y_pred``: logits ``(batch, time, num_classes)``.

    {common_args}

    Example:

    >>> loss = CTC()([[1, 2, 0]], torch.randn(1, 5, 4))
    """

    _integer_labels = True


@_keras_loss(dice, reduction="sum_over_batch_size", name="dice", axis=None)
class Dice(_BuiltinLoss):
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``.

    Args:
        {common}
        axis: Axes the sums run over; ``None`` (default) sums everything.

    Example:

    >>> masks = torch.ones(2, 2, 2, 1)
    >>> loss = Dice(axis=(1, 2, 3), reduction=None)(masks, masks)
    """

    def _checked_options(self, axis) -> dict[str, Any]:
        return {"axis": _axis_tuple(axis)}


@_keras_loss(
    tversky,
    alpha=0.5,
    beta=0.5,
    reduction="sum_over_batch_size",
    name="tversky",
    axis=None,
)
class Tversky(_BuiltinLoss):
    """Tversky loss: ``1 - tp / (tp + alpha * fp + beta * fn)``.

    With ``alpha = beta = 0.5`` it equals the Dice loss.

    Args:
        alpha: Weight of false positives. Defaults to 0.5.
        beta: Weight of false negatives. Defaults to 0.5.
        {common}
        axis: Axes the sums run over; ``None`` (default) sums everything.

    Example:

    >>> loss = Tversky(alpha=0.7, beta=0.3)([[1.0, 0.0]], [[0.8, 0.3]])
    """

    def _checked_options(self, axis, **options) -> dict[str, Any]:
        return {**options, "axis": _axis_tuple(axis)}


@_keras_loss(circle, gamma=80.0, margin=0.4, remove_diagonal=True)
class Circle(_BuiltinLoss):
    """Circle loss for metric learning (integer labels, L2-normalised embeddings).

    See `circle` for the formula. The model should end with a linear layer
    followed by ``UnitNormalization``.

    Args:
        gamma: Scale. Defaults to 80.
        margin: Relaxation margin. Defaults to 0.4.
        remove_diagonal: Whether a sample is not its own positive.
        {common}

    Example:

    >>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
    >>> loss = Circle()([0, 0, 1, 1], emb)
    """

    _integer_labels = True


@_keras_loss(categorical_generalized_cross_entropy, q=0.5)
class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized crossentropy (noise-robust): ``(1 - p^q) / q``.

    ``p`` is the predicted probability of the true class; labels are integers.

    Args:
        q: Noise parameter in (0, 1). Defaults to 0.5.
        {common}

    Example:

    >>> loss = CategoricalGeneralizedCrossEntropy()([0, 1], [[0.7, 0.3], [0.2, 0.8]])
    """

    _integer_labels = True

    def _checked_options(self, q) -> dict[str, Any]:
        if not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ArgumentError(
                f"`q` must be in the interval (0, 1). Received: q={q!r}"
            )
        return {"q": q}


@_keras_loss(l1_loss)
class L1Loss(_BuiltinLoss):
    """L1 loss (not in Keras): ``sum(abs(y_true - y_pred), axis=-1)`` per sample.

    {common_args}

    Example:

    >>> loss = L1Loss()([[0.0, 1.0]], [[1.0, 3.0]])
    """


@_keras_loss(l2_loss)
class L2Loss(_BuiltinLoss):
    """L2 loss (not in Keras): ``sum(square(y_true - y_pred), axis=-1)`` per sample.

    {common_args}

    Example:

    >>> loss = L2Loss()([[0.0, 1.0]], [[1.0, 3.0]])
    """


@_keras_loss(expectation_loss, from_logits=True)
class ExpectationLoss(_BuiltinLoss):
    """Expectation loss (not in Keras): ``sum(abs(y_true - softmax(y_pred)))``.

    {softmax_args}

    Example:

    >>> loss = ExpectationLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """


@_keras_loss(regularized_expectation_loss, from_logits=True)
class RegularizedExpectationLoss(_BuiltinLoss):
    """Regularised expectation loss (not in Keras).

    ``sum(square(y_true - softmax(y_pred)))``.

    {softmax_args}

    Example:

    >>> loss = RegularizedExpectationLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """


@_keras_loss(chebyshev_loss, from_logits=True)
class ChebyshevLoss(_BuiltinLoss):
    """Chebyshev loss (not in Keras): ``max(abs(softmax(y_pred) - y_true))``.

    {softmax_args}

    Example:

    >>> loss = ChebyshevLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """


@_keras_loss(tanimoto_loss)
class TanimotoLoss(_BuiltinLoss):
    """Tanimoto loss (not in Keras).

    ``1 - sum(y*p) / (sum(y^2) + sum(p^2) - sum(y*p))``.

    ``p = y_pred`` should be probabilities (e.g. a softmax output).

    {common_args}

    Example:

    >>> loss = TanimotoLoss()([[0.0, 1.0]], [[0.2, 0.8]])
    """


@_keras_loss(cauchy_schwarz_divergence)
class CauchySchwarzDivergence(_BuiltinLoss):
    """Cauchy-Schwarz divergence (not in Keras).

    ``-log(sum(y*p) / sqrt(sum(y^2) * sum(p^2)))``.

    ``p = y_pred`` should be non-negative (e.g. a softmax output).

    {common_args}

    Example:

    >>> loss = CauchySchwarzDivergence()([[0.0, 1.0]], [[0.2, 0.8]])
    """


SquaredLog = MeanSquaredLogarithmicError


# --------------------------------------------------------------------------
# Lookup by name, serialization.
# --------------------------------------------------------------------------

_CLASSES = (
    Loss,
    LossFunctionWrapper,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCosh,
    Huber,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    Dice,
    Tversky,
    Circle,
    CTC,
    CategoricalGeneralizedCrossEntropy,
    L1Loss,
    L2Loss,
    ExpectationLoss,
    RegularizedExpectationLoss,
    ChebyshevLoss,
    CubedHinge,
    TanimotoLoss,
    CauchySchwarzDivergence,
)
# The built-in loss functions (each has its class above).
LOSS_FUNCTIONS = (
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    log_cosh,
    huber,
    hinge,
    squared_hinge,
    categorical_hinge,
    dice,
    tversky,
    circle,
    ctc,
    categorical_generalized_cross_entropy,
    l1_loss,
    l2_loss,
    expectation_loss,
    regularized_expectation_loss,
    chebyshev_loss,
    cubed_hinge,
    tanimoto_loss,
    cauchy_schwarz_divergence,
)
_LOSSES: dict[str, Any] = {obj.__name__: obj for obj in (*_CLASSES, *LOSS_FUNCTIONS)}
# Keras's short names, Keras 2's and the course's: the function objects.
_LOSSES.update({name: getattr(aliases, name) for name in aliases.__all__})
_LOSSES.update(
    {
        # Names that only `get` knows: tf.keras's "cosine" and the course's.
        "cosine": cosine_similarity,
        "l1": l1_loss,
        "l2": l2_loss,
        "regularised_expectation_loss": regularized_expectation_loss,
        "chebyshev": chebyshev_loss,
        "SquaredLog": MeanSquaredLogarithmicError,
        "tanimoto": tanimoto_loss,
        "cauchy_schwarz": cauchy_schwarz_divergence,
    }
)


def serialize(loss) -> Any:
    """Serialize a `Loss` or a loss function into Keras's config format.

    Args:
        loss: A `Loss` instance or a loss function.

    Returns:
        A dict ``{"module", "class_name", "config", "registered_name"}``.

    Example:

    >>> serialize(MeanSquaredError())["class_name"]
    'MeanSquaredError'
    """
    if loss is None:
        return None
    if callable(loss) and not isinstance(loss, Loss) and not isinstance(loss, type):
        return _serialize_function(loss)
    return serialize_keras_object(loss)


def deserialize(name, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a loss from `serialize`'s output or from its name.

    Args:
        name: A config dict or a name (``"mse"``, ``"MeanSquaredError"``).
        custom_objects: Extra ``{name: class_or_function}`` to search first.

    Returns:
        A `Loss` instance or a loss function.

    Example:

    >>> deserialize("mse") is mean_squared_error
    True
    """
    return deserialize_keras_object(
        name,
        custom_objects=custom_objects,
        module_objects=_LOSSES,
        printable_module_name="loss function",
    )


def get(identifier) -> Any:
    """A loss function or `Loss` instance from a name, config, function or instance.

    A class name or a class gives an instance with default arguments; a
    function name gives the function.

    Args:
        identifier: ``None``, a name, a config dict, a function, a `Loss`
            class or instance.

    Returns:
        A loss function or a `Loss` instance (``None`` for ``None``).

    Raises:
        UnknownObjectError: For an unknown name (the message lists the closest).
        ArgumentError: For anything else that is not a loss.

    Example:

    >>> get("categorical_crossentropy") is categorical_crossentropy
    True
    >>> type(get("CategoricalCrossentropy")).__name__
    'CategoricalCrossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = get_registered_object(identifier, module_objects=_LOSSES)
        if obj is None:
            raise UnknownObjectError.for_name("loss", identifier, _LOSSES)
    else:
        obj = identifier
    if isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ArgumentError(f"Could not interpret loss identifier: {identifier!r}")


__all__ = [
    "CTC",
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "CauchySchwarzDivergence",
    "ChebyshevLoss",
    "Circle",
    "CosineSimilarity",
    "CubedHinge",
    "Dice",
    "ExpectationLoss",
    "Hinge",
    "Huber",
    "KLDivergence",
    "L1Loss",
    "L2Loss",
    "LogCosh",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "RegularizedExpectationLoss",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "SquaredLog",
    "TanimotoLoss",
    "Tversky",
    "deserialize",
    "get",
    "serialize",
]
