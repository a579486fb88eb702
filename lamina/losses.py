"""Loss functions and classes, as ``keras.losses``.

Every Keras 3 loss exists here twice, with Keras's names, arguments, defaults and
config keys: as a function ``fn(y_true, y_pred, **options)`` returning one loss
value per sample, and as a `Loss` class that applies a reduction and sample
weights. A few losses from the course material that Keras lacks (`L1Loss`,
`L2Loss`, `ExpectationLoss`, `RegularizedExpectationLoss`, `ChebyshevLoss`,
`CubedHinge`, `TanimotoLoss`, `CauchySchwarzDivergence`) follow the same pattern.

The reduction of per-sample losses lives in one place, `reduce_weighted_values`;
every `Loss.__call__` ends there. All loss computations are plain torch ops on
the device: no host synchronisation, no numpy, so they are cheap to call on
every training step. Checks that need to read values (label ranges) are in
`validate_targets`, which a trainer calls once, on the first batch.

Example:

>>> from lamina import losses
>>> losses.get("mse") is losses.mean_squared_error
True
>>> float(losses.MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
0.5
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lamina import backend
from lamina.backend.naming import auto_name
from lamina.backend.tensor_ops import (
    divide_no_nan,
    l2_normalize,
    squeeze_or_expand_to_same_rank,
)
from lamina.errors import ArgumentError, ShapeError, UnknownObjectError
from lamina.serialization import (
    deserialize_keras_object,
    get_registered_object,
    serialize_keras_object,
)

# --------------------------------------------------------------------------
# Reduction: the one place where per-sample losses become the training loss.
# --------------------------------------------------------------------------

_REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)
_warned_auto_reduction = False


class Reduction:
    """Keras 2's reduction names (``keras.losses.Reduction``), kept for old code.

    ``AUTO`` means ``"sum_over_batch_size"``, as it did outside distribution
    strategies in Keras 2.

    Example:

    >>> loss = MeanSquaredError(reduction=Reduction.SUM)
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        if key not in cls.all():
            raise ArgumentError(
                f"Invalid Reduction Key: {key!r}. Expected keys are {cls.all()}."
            )


def standardize_reduction(reduction: str | None) -> str | None:
    """Return ``reduction`` if valid; Keras 2's ``"auto"`` becomes the default.

    Args:
        reduction: One of ``"sum_over_batch_size"``, ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or ``None``.

    Example:

    >>> standardize_reduction("sum")
    'sum'
    """
    global _warned_auto_reduction
    if reduction == "auto":
        if not _warned_auto_reduction:
            _warned_auto_reduction = True
            warnings.warn(
                "reduction='auto' is a Keras 2 spelling; use "
                "reduction='sum_over_batch_size'.",
                DeprecationWarning,
                stacklevel=3,
            )
        return "sum_over_batch_size"
    if reduction not in _REDUCTIONS:
        raise ArgumentError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(_REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def _match_sample_weight(
    values: torch.Tensor, sample_weight: torch.Tensor, argument: str = "sample_weight"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Align weights with per-sample losses: Keras's rank rule, then left-aligned.

    Weights of shape ``(batch,)`` on losses of shape ``(batch, steps)`` weight
    whole samples (Keras 2's behaviour; Keras 3 would broadcast them along the
    last axis). Shapes that cannot be aligned raise instead of broadcasting.
    """
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    if sample_weight.dim() == 0 or values.dim() == 0:
        return values, sample_weight
    missing = values.dim() - sample_weight.dim()
    if missing > 0:
        sample_weight = sample_weight.reshape(*sample_weight.shape, *([1] * missing))
    if missing < 0 or any(
        w != 1 and w != v for w, v in zip(sample_weight.shape, values.shape)
    ):
        raise ShapeError(
            f"`{argument}` of shape {tuple(sample_weight.shape)} does not match the "
            f"per-sample losses of shape {tuple(values.shape)}. Expected a scalar, "
            "one weight per sample (batch,) or (batch, 1), or the losses' shape."
        )
    return values, sample_weight


def reduce_values(
    values: torch.Tensor,
    sample_weight: torch.Tensor | None = None,
    reduction: str | None = "sum_over_batch_size",
) -> torch.Tensor:
    """Sum, average or keep already weighted per-sample losses.

    Args:
        values: Weighted per-sample losses.
        sample_weight: The weights (used by ``"mean_with_sample_weight"``).
        reduction: See `Loss`.

    Example:

    >>> float(reduce_values(torch.tensor([1.0, 3.0]), reduction="sum"))
    4.0
    """
    if reduction is None or reduction == "none" or values.dim() == 0:
        return values
    if values.dim() == 1 and values.shape[0] == 0:
        return values
    if sample_weight is None and reduction != "sum" and values.numel():
        return values.mean()  # one kernel for sum-then-divide
    loss = values.sum()
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        if sample_weight.dim() == 0:
            divisor = sample_weight
        else:
            divisor = torch.broadcast_to(sample_weight, values.shape).sum()
        return divide_no_nan(loss, divisor.to(loss.dtype))
    count = values.numel()  # a Python int from the static shape: no host sync
    return loss / count if count else loss


def reduce_weighted_values(
    values: torch.Tensor,
    sample_weight: Any = None,
    mask: torch.Tensor | None = None,
    reduction: str | None = "sum_over_batch_size",
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Apply a mask and sample weights to per-sample losses, then reduce them.

    With ``"sum_over_batch_size"`` or ``"mean"`` a mask makes the result the
    average over the unmasked entries, as in Keras.

    Args:
        values: Per-sample losses, e.g. of shape ``(batch,)``.
        sample_weight: ``None``, a scalar, ``(batch,)``, ``(batch, 1)`` or the
            shape of ``values``.
        mask: Boolean tensor, ``True`` for the entries that count.
        reduction: See `Loss`.
        dtype: Torch dtype to compute in (``values``'s by default).

    Example:

    >>> float(reduce_weighted_values(torch.tensor([1.0, 3.0]), [1.0, 0.0]))
    0.5
    """
    reduction = standardize_reduction(reduction)
    if dtype is not None and values.dtype != dtype:
        values = values.to(dtype)
    if sample_weight is not None:
        sample_weight = torch.as_tensor(
            sample_weight, dtype=values.dtype, device=values.device
        )
    if mask is not None:
        float_mask = mask.to(values.dtype)
        if reduction in ("mean", "sum_over_batch_size"):
            # Valid entries get weight total/valid, so the later division by the
            # total count becomes a division by the number of valid entries.
            valid = float_mask.sum()
            total = torch.tensor(mask.numel(), dtype=values.dtype, device=values.device)
            float_mask = float_mask * divide_no_nan(total, valid)
        if sample_weight is None:
            sample_weight = float_mask
        else:
            float_mask, sample_weight = _match_sample_weight(float_mask, sample_weight)
            sample_weight = sample_weight * float_mask
    if sample_weight is not None:
        values, sample_weight = _match_sample_weight(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


# --------------------------------------------------------------------------
# Tensor conversion (cheap when the inputs are already tensors on the device).
# --------------------------------------------------------------------------


def _to_float(x: Any, dtype: torch.dtype | None = None) -> torch.Tensor:
    """``y_pred`` as a floating tensor (floatx unless it already is one)."""
    if not isinstance(x, torch.Tensor):
        x = backend.convert_to_tensor(x)
    if dtype is not None:
        return x if x.dtype == dtype else x.to(dtype)
    return (
        x if x.is_floating_point() else x.to(backend.to_torch_dtype(backend.floatx()))
    )


def _like(x: Any, ref: torch.Tensor) -> torch.Tensor:
    """``y_true`` in ``ref``'s dtype and on ``ref``'s device."""
    if isinstance(x, torch.Tensor):
        if x.dtype == ref.dtype and x.device == ref.device:
            return x
        return x.to(device=ref.device, dtype=ref.dtype)
    return torch.as_tensor(np.asarray(x), dtype=ref.dtype, device=ref.device)


def _labels(x: Any, ref: torch.Tensor) -> torch.Tensor:
    """Integer class labels as int64 on ``ref``'s device."""
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.long and x.device == ref.device:
            return x
        return x.to(device=ref.device, dtype=torch.long)
    return torch.as_tensor(np.asarray(x), device=ref.device).long()


def _pair(y_true: Any, y_pred: Any) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = _to_float(y_pred)
    return _like(y_true, y_pred), y_pred


def _reduce_sum(x: torch.Tensor, axis) -> torch.Tensor:
    if axis is None:
        return x.sum()
    return x.sum(dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


def _check_axis(axis, function: str) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ArgumentError(
            f"In {function}, `axis` must be of type `int`. "
            f"Received: axis={axis!r} of type {type(axis).__name__}"
        )


def _check_same_shape(
    y_true: torch.Tensor, y_pred: torch.Tensor, function: str
) -> None:
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"In {function}, `y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={tuple(y_true.shape)}, "
            f"y_pred.shape={tuple(y_pred.shape)}"
        )


def _smooth_binary(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def _smooth_categorical(y_true: torch.Tensor, label_smoothing: float) -> torch.Tensor:
    # As Keras: the number of classes is the last axis, whatever `axis` is.
    return y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]


def _warn_one_class(function: str, y_pred: torch.Tensor) -> None:
    if y_pred.dim() and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {function}, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{tuple(y_pred.shape)}. Consider using 'binary_crossentropy' if you "
            "only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _hinge_labels(y_true: torch.Tensor) -> torch.Tensor:
    # {0, 1} labels become {-1, 1}; a tensor-valued condition keeps it sync-free.
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


# --------------------------------------------------------------------------
# Loss functions (one value per sample, no reduction over the batch).
# --------------------------------------------------------------------------


def mean_squared_error(y_true, y_pred) -> torch.Tensor:
    """Mean squared error per sample: ``mean(square(y_true - y_pred), axis=-1)``.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    # One fused kernel for the squared error instead of a subtract and a square.
    return F.mse_loss(y_pred, y_true, reduction="none").mean(dim=-1)


def mean_absolute_error(y_true, y_pred) -> torch.Tensor:
    """Mean absolute error per sample: ``mean(abs(y_true - y_pred), axis=-1)``.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> mean_absolute_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return F.l1_loss(y_pred, y_true, reduction="none").mean(dim=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> torch.Tensor:
    """Mean absolute percentage error per sample.

    ``100 * mean(abs((y_true - y_pred) / maximum(abs(y_true), epsilon)), axis=-1)``
    with ``epsilon = backend.epsilon()`` (1e-7), so a zero target never divides
    by zero.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> mean_absolute_percentage_error([[100.0, 200.0]], [[90.0, 220.0]])
    tensor([10.])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    diff = ((y_true - y_pred) / y_true.abs().clamp_min(backend.epsilon())).abs()
    return 100.0 * diff.mean(dim=-1)


def mean_squared_logarithmic_error(y_true, y_pred) -> torch.Tensor:
    """Mean squared logarithmic error per sample.

    ``mean(square(log(maximum(y_pred, eps) + 1) - log(maximum(y_true, eps) + 1)),
    axis=-1)``: values at or below zero are replaced by ``eps`` (1e-7).
    The course's "squared log" loss, ``mean((log(1 + p) - log(1 + y))^2)``, is
    this loss; ``squared_log`` is an alias.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> loss = mean_squared_logarithmic_error([[1.0, 3.0]], [[1.0, 1.0]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    eps = backend.epsilon()
    # log(x + 1), not log1p, to give Keras's numbers to the last bit.
    first_log = torch.log(y_pred.clamp_min(eps) + 1.0)
    second_log = torch.log(y_true.clamp_min(eps) + 1.0)
    return (first_log - second_log).square().mean(dim=-1)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> torch.Tensor:
    """Negative cosine similarity: ``-sum(l2_norm(y_true) * l2_norm(y_pred))``.

    The result lies in ``[-1, 1]``; -1 means the vectors point the same way,
    which makes it a loss to minimise. A zero vector gives 0.

    Args:
        y_true: Ground truth.
        y_pred: Predictions.
        axis: Axis along which the similarity is computed. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
    tensor([-0.0000, -1.0000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return -(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis)).sum(dim=axis)


def huber(y_true, y_pred, delta: float = 1.0) -> torch.Tensor:
    """Huber loss per sample.

    With ``x = y_pred - y_true``: ``0.5 * x^2`` where ``|x| <= delta``, else
    ``delta * |x| - 0.5 * delta^2``; then the mean over the last axis.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.
        delta: Where the loss changes from quadratic to linear. Defaults to 1.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> huber([[0.0, 1.0], [0.0, 0.0]], [[0.6, 0.4], [0.4, 0.6]])
    tensor([0.1800, 0.1300])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)).mean(
        dim=-1
    )


def log_cosh(y_true, y_pred) -> torch.Tensor:
    """Logarithm of the hyperbolic cosine of the error, averaged per sample.

    ``mean(log(cosh(x)), axis=-1)`` with ``x = y_pred - y_true``, computed as
    ``x + softplus(-2x) - log(2)`` so large errors do not overflow. It behaves
    like ``x^2 / 2`` for small errors and like ``|x| - log(2)`` for large ones.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> loss = log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    x = y_pred - y_true
    return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(dim=-1)


def hinge(y_true, y_pred) -> torch.Tensor:
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``.

    Labels are expected in {-1, 1}; labels that are all in {0, 1} are mapped
    to {-1, 1} first.

    Args:
        y_true: Labels, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> hinge([[1.0, 0.0]], [[0.5, -0.5]])
    tensor([0.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return (1.0 - y_true * y_pred).clamp_min(0.0).mean(dim=-1)


def squared_hinge(y_true, y_pred) -> torch.Tensor:
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``.

    Labels are expected in {-1, 1}; {0, 1} labels are mapped to {-1, 1}.

    Args:
        y_true: Labels, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> squared_hinge([[1.0, 0.0]], [[0.5, -0.5]])
    tensor([0.2500])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return (1.0 - y_true * y_pred).clamp_min(0.0).square().mean(dim=-1)


def cubed_hinge(y_true, y_pred) -> torch.Tensor:
    """Cubed hinge loss (not in Keras): ``mean(maximum(1 - y_true * y_pred, 0)^3)``.

    The mean runs over the last axis. Labels are expected in {-1, 1}; {0, 1}
    labels are mapped to {-1, 1}, as for `hinge`.

    Args:
        y_true: Labels, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> cubed_hinge([[1.0, 0.0]], [[0.0, -0.5]])
    tensor([0.5625])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return (1.0 - y_true * y_pred).clamp_min(0.0).pow(3).mean(dim=-1)


def categorical_hinge(y_true, y_pred) -> torch.Tensor:
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)``.

    ``pos = sum(y_true * y_pred, axis=-1)`` and
    ``neg = max((1 - y_true) * y_pred, axis=-1)``.

    Args:
        y_true: One-hot labels (or {-1, 1}), shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.6]])
    tensor([0.7000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(dim=-1)
    neg = ((1.0 - y_true) * y_pred).amax(dim=-1)
    return (neg - pos + 1.0).clamp_min(0.0)


def kl_divergence(y_true, y_pred) -> torch.Tensor:
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred), axis=-1)``.

    Both inputs are clipped to ``[epsilon, 1]`` first.

    Args:
        y_true: Target distributions.
        y_pred: Predicted distributions.

    Returns:
        Tensor with the last axis reduced.

    Example:

    >>> loss = kl_divergence([[0.0, 1.0]], [[0.4, 0.6]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    y_true = y_true.clamp(eps, 1.0)
    y_pred = y_pred.clamp(eps, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=-1)


def poisson(y_true, y_pred) -> torch.Tensor:
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``.

    Args:
        y_true: Ground truth counts, shape ``(batch, d0, ..., dN)``.
        y_pred: Predicted rates, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> loss = poisson([[1.0, 0.0]], [[1.0, 0.5]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + backend.epsilon())).mean(dim=-1)


def categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical crossentropy: ``-sum(y_true * log(p), axis)``.

    With ``from_logits=True``, ``log(p)`` is ``log_softmax(y_pred)``, which is
    exact for any logits. Otherwise ``p = y_pred / sum(y_pred)`` is clipped to
    ``[epsilon, 1 - epsilon]`` (epsilon 1e-7) before the log, so a saturated
    softmax gives at most ``-log(1e-7) ~ 16.1`` and never inf or NaN.

    Args:
        y_true: One-hot (or soft) targets, same shape as ``y_pred``.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In ``[0, 1]``; targets become
            ``y_true * (1 - label_smoothing) + label_smoothing / num_classes``.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = categorical_crossentropy([[0, 1, 0]], [[0.05, 0.95, 0.0]])
    """
    _check_axis(axis, "categorical_crossentropy")
    y_pred = _to_float(y_pred)
    y_true = _like(y_true, y_pred)
    _warn_one_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing)
    _check_same_shape(y_true, y_pred, "categorical_crossentropy")
    if from_logits:
        log_prob = torch.log_softmax(y_pred, dim=axis)
    else:
        eps = backend.epsilon()
        output = y_pred / y_pred.sum(dim=axis, keepdim=True)
        log_prob = torch.log(output.clamp(eps, 1.0 - eps))
    return -(y_true * log_prob).sum(dim=axis)


def categorical_focal_crossentropy(
    y_true,
    y_pred,
    alpha=0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Alpha-balanced focal crossentropy for one-hot targets.

    ``sum(alpha * (1 - p)^gamma * -y_true * log(p), axis)`` where ``p`` is the
    normalised, clipped probability (``softmax(y_pred)`` with
    ``from_logits=True``). ``gamma=0`` and ``alpha=1`` give plain crossentropy.

    Args:
        y_true: One-hot targets.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        alpha: Weight, a float or one float per class. Defaults to 0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in `categorical_crossentropy`.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = categorical_focal_crossentropy([[0, 1, 0]], [[0.05, 0.9, 0.05]])
    """
    _check_axis(axis, "categorical_focal_crossentropy")
    y_pred = _to_float(y_pred)
    y_true = _like(y_true, y_pred)
    _warn_one_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = backend.epsilon()
    output = (y_pred / y_pred.sum(dim=axis, keepdim=True)).clamp(eps, 1.0 - eps)
    if not isinstance(alpha, (int, float)):
        alpha = torch.as_tensor(alpha, dtype=output.dtype, device=output.device)
    focal = torch.pow(1.0 - output, gamma) * alpha * (-y_true * torch.log(output))
    return focal.sum(dim=axis)


def sparse_categorical_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> torch.Tensor:
    """Crossentropy with integer class labels: ``-log(p[y_true])``.

    ``p`` is ``softmax(y_pred)`` (computed as one fused log-softmax) with
    ``from_logits=True``; otherwise ``y_pred / sum(y_pred)`` clipped to
    ``[epsilon, 1 - epsilon]``. No one-hot matrix is built.

    Args:
        y_true: Class indices, shape ``y_pred.shape`` without the class axis
            (a trailing axis of size 1 is accepted).
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        ignore_class: A label whose entries get loss 0 and are left out of the
            average (e.g. -1 or 255 for "void" pixels). ``None`` keeps all.
        axis: The class axis. Defaults to -1.

    Returns:
        Tensor with the class axis removed.

    Example:

    >>> probs = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    >>> loss = sparse_categorical_crossentropy([1, 2], probs)
    """
    y_pred = _to_float(y_pred)
    y_true = _labels(y_true, y_pred)
    rank = y_pred.dim()
    if rank < 1:
        raise ShapeError(
            "In sparse_categorical_crossentropy, `y_pred` must be at least rank 1. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    class_axis = axis % rank
    if y_true.dim() == rank and y_true.shape[class_axis] == 1:
        y_true = y_true.squeeze(class_axis)
    expected = y_pred.shape[:class_axis] + y_pred.shape[class_axis + 1 :]
    if y_true.shape != expected:
        raise ShapeError(
            "In sparse_categorical_crossentropy, `y_true` must have the shape of "
            "`y_pred` without its class axis: expected y_true.shape="
            f"{tuple(expected)}, received y_true.shape={tuple(y_true.shape)} "
            f"(y_pred.shape={tuple(y_pred.shape)})."
        )
    valid = None
    if ignore_class is not None:
        valid = y_true != ignore_class
        y_true = torch.where(valid, y_true, torch.zeros_like(y_true))
    if class_axis != rank - 1:
        y_pred = y_pred.movedim(class_axis, -1)
    num_classes = y_pred.shape[-1]
    if from_logits:
        flat = F.cross_entropy(
            y_pred.reshape(-1, num_classes), y_true.reshape(-1), reduction="none"
        )
        result = flat.reshape(y_true.shape)
    else:
        # Pick the target's probability before the log: the same numbers as
        # normalising, clipping and logging the whole row, in one pass less.
        eps = backend.epsilon()
        picked = y_pred.gather(-1, y_true.unsqueeze(-1)).squeeze(-1)
        prob = picked / y_pred.sum(dim=-1)
        result = -torch.log(prob.clamp(eps, 1.0 - eps))
    if valid is not None:
        result = torch.where(valid, result, torch.zeros_like(result))
        result._keras_mask = valid
    return result


def binary_crossentropy(
    y_true,
    y_pred,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary crossentropy, averaged over ``axis``.

    ``-(y * log(p) + (1 - y) * log(1 - p))`` with ``p`` clipped to
    ``[epsilon, 1 - epsilon]``; with ``from_logits=True`` it is computed from
    the logits directly (``binary_cross_entropy_with_logits``), exact for any
    logit.

    Args:
        y_true: Targets in [0, 1], same shape as ``y_pred``.
        y_pred: Probabilities, or logits with ``from_logits=True``.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: In ``[0, 1]``; targets are squeezed towards 0.5:
            ``y_true * (1 - label_smoothing) + 0.5 * label_smoothing``.
        axis: The axis the mean is taken over. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = _smooth_binary(y_true, label_smoothing)
    _check_same_shape(y_true, y_pred, "binary_crossentropy")
    if from_logits:
        bce = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        eps = backend.epsilon()
        bce = F.binary_cross_entropy(
            y_pred.clamp(eps, 1.0 - eps), y_true, reduction="none"
        )
    return bce.mean(dim=axis)


def binary_focal_crossentropy(
    y_true,
    y_pred,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary focal crossentropy, averaged over ``axis``.

    ``(1 - p_t)^gamma * bce`` with ``p_t = y * p + (1 - y) * (1 - p)``; with
    ``apply_class_balancing`` each term is also weighted by ``alpha`` for
    class 1 and ``1 - alpha`` for class 0. ``gamma=0`` gives binary
    crossentropy.

    Args:
        y_true: Targets in [0, 1].
        y_pred: Probabilities, or logits with ``from_logits=True``.
        apply_class_balancing: Whether to weight the classes by ``alpha``.
        alpha: Weight of class 1. Defaults to 0.25.
        gamma: Focusing parameter. Defaults to 2.
        from_logits: Whether ``y_pred`` holds logits.
        label_smoothing: As in `binary_crossentropy`.
        axis: The axis the mean is taken over. Defaults to -1.

    Returns:
        Tensor with ``axis`` reduced.

    Example:

    >>> loss = binary_focal_crossentropy([[0, 1]], [[0.6, 0.4]], gamma=2)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        y_pred = torch.sigmoid(y_pred)
    _check_same_shape(y_true, y_pred, "binary_focal_crossentropy")
    eps = backend.epsilon()
    bce = F.binary_cross_entropy(y_pred.clamp(eps, 1.0 - eps), y_true, reduction="none")
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal_bce
    return focal_bce.mean(dim=axis)


def ctc(y_true, y_pred) -> torch.Tensor:
    """Connectionist Temporal Classification loss, one value per sequence.

    Label 0 is the blank and also pads ``y_true``: a sequence's label length is
    its number of non-zero entries; every input sequence is used in full.

    Args:
        y_true: Integer labels, shape ``(batch, max_label_length)``.
        y_pred: Logits (not softmaxed), shape ``(batch, time, num_classes)``.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = ctc([[1, 2, 0]], torch.randn(1, 5, 4))
    """
    y_pred = _to_float(y_pred)
    y_true = _labels(y_true, y_pred)
    if y_true.dim() != 2:
        raise ShapeError(
            "Targets `y_true` are expected to be a tensor of shape "
            "`(batch_size, max_length)` in integer format. "
            f"Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.dim() != 3:
        raise ShapeError(
            "Logits `y_pred` are expected to be a tensor of shape "
            "`(batch_size, max_length, num_classes)`. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    input_length = torch.full((batch,), steps, dtype=torch.long, device=y_pred.device)
    label_length = (y_true != 0).sum(dim=-1)
    log_probs = torch.log_softmax(y_pred.transpose(0, 1), dim=-1)
    # torch's CTC kernels read the lengths on the host: this loss synchronises.
    return F.ctc_loss(
        log_probs, y_true, input_length, label_length, blank=0, reduction="none"
    )


def dice(y_true, y_pred, axis=None) -> torch.Tensor:
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps)``.

    Args:
        y_true: Targets (e.g. masks).
        y_pred: Predictions.
        axis: Axes the sums run over; ``None`` (default) sums everything and
            returns a scalar.

    Returns:
        Dice loss.

    Example:

    >>> loss = dice([[1.0, 1.0, 0.0]], [[0.0, 1.0, 1.0]], axis=(1,))
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection = _reduce_sum(y_true * y_pred, axis)
    denominator = (
        _reduce_sum(y_true, axis) + _reduce_sum(y_pred, axis) + backend.epsilon()
    )
    return 1.0 - 2.0 * intersection / denominator


def tversky(
    y_true, y_pred, alpha: float = 0.5, beta: float = 0.5, axis=None
) -> torch.Tensor:
    """Tversky loss: ``1 - tp / (tp + alpha * fp + beta * fn + eps)``.

    ``tp = sum(y_true * y_pred)``, ``fp = sum((1 - y_pred) * y_true)``,
    ``fn = sum(y_pred * (1 - y_true))`` (Keras's definitions). With
    ``alpha = beta = 0.5`` it equals the Dice loss.

    Args:
        y_true: Targets.
        y_pred: Predictions.
        alpha: Weight of the ``fp`` term. Defaults to 0.5.
        beta: Weight of the ``fn`` term. Defaults to 0.5.
        axis: Axes the sums run over; ``None`` sums everything.

    Returns:
        Tversky loss.

    Example:

    >>> loss = tversky([[1.0, 1.0, 0.0]], [[0.0, 1.0, 1.0]], alpha=0.7, beta=0.3)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    intersection = _reduce_sum(y_true * y_pred, axis)
    fp = _reduce_sum((1.0 - y_pred) * y_true, axis)
    fn = _reduce_sum(y_pred * (1.0 - y_true), axis)
    return 1.0 - intersection / (
        intersection + fp * alpha + fn * beta + backend.epsilon()
    )


def circle(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> torch.Tensor:
    """Circle loss for metric learning on L2-normalised embeddings.

    With cosine distances ``d = maximum(1 - y_pred @ ref_embeddings.T, 0)``,
    positives (same label) and negatives (other labels):
    ``softplus(logsumexp(-gamma * relu(margin + d) * (margin - d))  [positives]
    + logsumexp(gamma * relu(1 + margin - d) * (1 - margin - d)))  [negatives]``.
    Samples with zero loss are left out of the average (Keras's mask).

    Args:
        y_true: Integer labels, shape ``(batch,)``.
        y_pred: L2-normalised embeddings, shape ``(batch, dim)``.
        ref_labels: Labels of the reference embeddings; ``y_true`` by default.
        ref_embeddings: Reference embeddings; ``y_pred`` by default.
        remove_diagonal: Whether a sample is not its own positive.
        gamma: Scale. Defaults to 80.
        margin: Relaxation margin. Defaults to 0.4.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> emb = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
    >>> loss = circle([0, 0, 1, 1], emb)
    """
    y_pred = _to_float(y_pred)
    y_true = _labels(y_true, y_pred).reshape(-1, 1)
    ref_embeddings = y_pred if ref_embeddings is None else _like(ref_embeddings, y_pred)
    ref_labels = y_true if ref_labels is None else _labels(ref_labels, y_pred)
    ref_labels = ref_labels.reshape(-1, 1)

    distances = (1.0 - y_pred @ ref_embeddings.T).clamp_min(0.0)
    positive = y_true == ref_labels.T
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~torch.eye(
            *positive.shape, dtype=torch.bool, device=positive.device
        )
    pos_weights = ((margin + distances) * positive).clamp_min(0.0)
    neg_weights = ((1.0 + margin - distances) * negative).clamp_min(0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = torch.tensor(
        float("-inf"), dtype=distances.dtype, device=distances.device
    )
    p_loss = torch.logsumexp(torch.where(positive, pos_logits, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_logits, minus_inf), dim=1)
    loss = F.softplus(p_loss + n_loss)
    loss._keras_mask = loss > 0
    return loss


def categorical_generalized_cross_entropy(
    y_true, y_pred, q: float = 0.5
) -> torch.Tensor:
    """Generalized crossentropy (noise-robust): ``(1 - p^q) / q``.

    ``p`` is the predicted probability of the true class. ``q -> 0`` behaves
    like crossentropy, ``q = 1`` like mean absolute error.

    Args:
        y_true: Integer labels, shape ``(batch,)`` or ``(batch, 1)``.
        y_pred: Probabilities, shape ``(batch, num_classes)``.
        q: Noise parameter in ``(0, 1)``. Defaults to 0.5.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = categorical_generalized_cross_entropy([0, 1], [[0.7, 0.3], [0.2, 0.8]])
    """
    y_pred = _to_float(y_pred)
    y_true = _labels(y_true, y_pred)
    if y_true.dim() == y_pred.dim() and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
    p = y_pred.gather(-1, y_true.unsqueeze(-1)).squeeze(-1)
    return (1.0 - torch.pow(p, q)) / q


def l1_loss(y_true, y_pred) -> torch.Tensor:
    """L1 loss (not in Keras): ``sum(abs(y_true - y_pred), axis=-1)``.

    The sum, not the mean, of absolute errors of each sample.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> l1_loss([[0.0, 1.0]], [[1.0, 3.0]])
    tensor([3.])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true - y_pred).abs().sum(dim=-1)


def l2_loss(y_true, y_pred) -> torch.Tensor:
    """L2 loss (not in Keras): ``sum(square(y_true - y_pred), axis=-1)``.

    The sum, not the mean, of squared errors of each sample.

    Args:
        y_true: Ground truth, shape ``(batch, d0, ..., dN)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch, d0, ..., dN-1)``.

    Example:

    >>> l2_loss([[0.0, 1.0]], [[1.0, 3.0]])
    tensor([5.])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true - y_pred).square().sum(dim=-1)


def _probabilities(y_pred: torch.Tensor, from_logits: bool) -> torch.Tensor:
    return torch.softmax(y_pred, dim=-1) if from_logits else y_pred


def expectation_loss(y_true, y_pred, from_logits: bool = True) -> torch.Tensor:
    """Expectation loss (not in Keras): ``sum(abs(y_true - softmax(y_pred)), axis=-1)``.

    The L1 distance between the one-hot targets and the predicted
    distribution.

    Args:
        y_true: One-hot targets, shape ``(batch, classes)``.
        y_pred: Logits (softmax is applied), or probabilities with
            ``from_logits=False``.
        from_logits: Whether ``y_pred`` holds logits. Defaults to ``True``, as
            the formula is defined on the network's raw outputs.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = expectation_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_true - _probabilities(y_pred, from_logits)).abs().sum(dim=-1)


def regularized_expectation_loss(
    y_true, y_pred, from_logits: bool = True
) -> torch.Tensor:
    """Regularised expectation loss (not in Keras).

    ``sum(square(y_true - softmax(y_pred)), axis=-1)``: the squared L2
    distance between the one-hot targets and the predicted distribution.

    Args:
        y_true: One-hot targets, shape ``(batch, classes)``.
        y_pred: Logits, or probabilities with ``from_logits=False``.
        from_logits: Whether ``y_pred`` holds logits. Defaults to ``True``.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = regularized_expectation_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_true - _probabilities(y_pred, from_logits)).square().sum(dim=-1)


def chebyshev_loss(y_true, y_pred, from_logits: bool = True) -> torch.Tensor:
    """Chebyshev loss (not in Keras): ``max(abs(softmax(y_pred) - y_true), axis=-1)``.

    The L-infinity distance between the predicted distribution and the targets.

    Args:
        y_true: One-hot targets, shape ``(batch, classes)``.
        y_pred: Logits, or probabilities with ``from_logits=False``.
        from_logits: Whether ``y_pred`` holds logits. Defaults to ``True``.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = chebyshev_loss([[0.0, 1.0]], [[0.0, 2.0]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return (_probabilities(y_pred, from_logits) - y_true).abs().amax(dim=-1)


def tanimoto_loss(y_true, y_pred) -> torch.Tensor:
    """Tanimoto loss (not in Keras).

    ``1 - sum(y * p) / (sum(y^2) + sum(p^2) - sum(y * p) + epsilon)`` over the
    last axis, with ``y = y_true`` and ``p = y_pred`` (use probabilities, e.g.
    a softmax output). It is 0 when ``p == y``; epsilon keeps an all-zero pair
    finite.

    Args:
        y_true: Targets, shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> tanimoto_loss([[0.0, 1.0]], [[0.0, 1.0]])
    tensor([1.1921e-07])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    dot = (y_true * y_pred).sum(dim=-1)
    denominator = (
        y_true.square().sum(dim=-1)
        + y_pred.square().sum(dim=-1)
        - dot
        + backend.epsilon()
    )
    return 1.0 - dot / denominator


def cauchy_schwarz_divergence(y_true, y_pred) -> torch.Tensor:
    """Cauchy-Schwarz divergence (not in Keras).

    ``-log(sum(y * p) / sqrt(sum(y^2) * sum(p^2)))`` over the last axis, with
    ``y = y_true`` and ``p = y_pred`` (non-negative, e.g. probabilities). The
    ratio (the cosine of the angle between ``y`` and ``p``) is clipped to
    ``[epsilon, 1]`` so orthogonal or zero vectors give ``-log(1e-7)`` instead
    of inf.

    Args:
        y_true: Targets, shape ``(batch, classes)``.
        y_pred: Predictions, same shape.

    Returns:
        Tensor of shape ``(batch,)``.

    Example:

    >>> loss = cauchy_schwarz_divergence([[0.0, 1.0]], [[0.2, 0.8]])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = backend.epsilon()
    dot = (y_true * y_pred).sum(dim=-1)
    norms = torch.sqrt(y_true.square().sum(dim=-1) * y_pred.square().sum(dim=-1))
    return -torch.log((dot / norms.clamp_min(eps)).clamp(eps, 1.0))


# Keras 2 and tf.keras aliases, and the course's "squared log".
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
squared_log = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh
huber_loss = huber
cosine_proximity = cosine_similarity


# --------------------------------------------------------------------------
# Loss classes.
# --------------------------------------------------------------------------

_COMMON_ARGS = """reduction: How the per-sample losses become one value.
            ``"sum_over_batch_size"`` (default) and ``"mean"`` divide the
            weighted sum by the number of entries, ``"sum"`` keeps the sum,
            ``"mean_with_sample_weight"`` divides by the sum of the sample
            weights, ``"none"`` and ``None`` return the per-sample losses.
        name: Name of the loss instance (for `Loss` subclasses a unique
            snake-case name by default).
        dtype: Float type of the computation; ``backend.floatx()`` by
            default."""


def _document(cls):
    # The reduction/name/dtype arguments read the same on every class.
    cls.__doc__ = cls.__doc__.replace("{common}", _COMMON_ARGS)
    return cls


def _torch_dtype_of(dtype) -> torch.dtype:
    if dtype is None:
        return backend.to_torch_dtype(backend.floatx())
    compute = getattr(dtype, "compute_dtype", None)  # a DTypePolicy
    if isinstance(compute, str):
        dtype = compute
    elif isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_") :]
    return backend.to_torch_dtype(dtype)


@_document
class Loss:
    """Base class of all losses: subclass it and implement ``call``.

    ``loss(y_true, y_pred, sample_weight=None)`` converts the inputs to
    tensors, calls ``call(y_true, y_pred)`` for the per-sample losses and
    reduces them with `reduce_weighted_values`. A ``_keras_mask`` attribute on
    ``y_pred`` or on the per-sample losses masks entries out.

    Args:
        {common}

    Example:

    >>> class MeanSquared(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return (y_pred - y_true).square().mean(dim=-1)
    >>> float(MeanSquared()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    """

    # Losses whose y_true holds integer labels keep an integer y_true as is
    # instead of casting it to the float dtype (the result is the same).
    _integer_labels = False

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype=None,
    ):
        self.name = name or auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._torch_dtype = _torch_dtype_of(dtype)

    @property
    def dtype(self) -> str:
        """The name of the float type the loss computes in."""
        return backend.standardize_dtype(self._torch_dtype)

    def __call__(self, y_true, y_pred, sample_weight=None) -> torch.Tensor:
        if (
            sample_weight is None
            and type(y_pred) is torch.Tensor
            and type(y_true) is torch.Tensor
            and y_pred.dtype == self._torch_dtype
            and y_true.device == y_pred.device
            and (
                y_true.dtype == y_pred.dtype
                or (self._integer_labels and not y_true.is_floating_point())
            )
            and self.reduction in ("sum_over_batch_size", "mean")
            and getattr(y_pred, "_keras_mask", None) is None
        ):
            # The training step's common case, without the general path's
            # conversions: per-sample losses, then one mean.
            losses = self._fused_mean(y_true, y_pred)
            if losses is not None:
                return losses
            losses = self.call(y_true, y_pred)
            out_mask = getattr(losses, "_keras_mask", None)
            if out_mask is None and losses.dim() and losses.numel():
                return losses.mean()
            return reduce_weighted_values(
                losses, mask=out_mask, reduction=self.reduction, dtype=self._torch_dtype
            )
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = _convert_structure(y_pred, self._torch_dtype, None)
        device = y_pred.device if isinstance(y_pred, torch.Tensor) else None
        y_true = _convert_structure(
            y_true, self._torch_dtype, device, keep_integers=self._integer_labels
        )
        losses = self.call(y_true, y_pred)
        out_mask = getattr(losses, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = in_mask & out_mask
        else:
            mask = in_mask if out_mask is None else out_mask
        return reduce_weighted_values(
            losses,
            sample_weight=sample_weight,
            mask=mask,
            reduction=self.reduction,
            dtype=self._torch_dtype,
        )

    def _fused_mean(self, y_true, y_pred) -> torch.Tensor | None:
        """The reduced loss in one kernel when a loss has one, else None."""
        return None

    def call(self, y_true, y_pred) -> torch.Tensor:
        """Per-sample losses; subclasses implement it."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred)."
        )

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)


def _convert_structure(x, dtype: torch.dtype, device, keep_integers: bool = False):
    if isinstance(x, torch.Tensor):
        if keep_integers and not x.is_floating_point():
            return x if device is None or x.device == device else x.to(device)
        if x.dtype == dtype and (device is None or x.device == device):
            return x
        return x.to(device=device, dtype=dtype) if device is not None else x.to(dtype)
    if isinstance(x, (list, tuple)) and x and not _is_numeric_nest(x):
        return type(x)(_convert_structure(v, dtype, device, keep_integers) for v in x)
    if isinstance(x, dict):
        return {
            k: _convert_structure(v, dtype, device, keep_integers) for k, v in x.items()
        }
    array = np.asarray(x)
    if keep_integers and array.dtype.kind in "iub":
        return torch.as_tensor(array, device=device or backend.device())
    return torch.as_tensor(array, dtype=dtype, device=device or backend.device())


def _is_numeric_nest(x) -> bool:
    # A nested list of numbers is one array; a list holding tensors or arrays
    # is a structure of several inputs.
    first = x[0]
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    return not isinstance(first, (torch.Tensor, np.ndarray, dict))


def _serialize_function(fn: Callable) -> Any:
    # Keras 3 writes its own loss functions in this exact form.
    if getattr(fn, "__module__", None) == __name__ and _LOSSES.get(fn.__name__) is fn:
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
    """A Keras loss class: a wrapper whose options are attributes and config keys."""

    _config_keys: tuple[str, ...] = ()

    def __init__(self, fn, name, reduction, dtype, **options):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({key: self._fn_kwargs[key] for key in self._config_keys})
        return config


def _check_label_smoothing(label_smoothing) -> None:
    if not isinstance(label_smoothing, (int, float)) or not 0 <= label_smoothing <= 1:
        raise ArgumentError(
            "`label_smoothing` must be a float in [0, 1]. "
            f"Received: label_smoothing={label_smoothing!r}"
        )


@_document
class MeanSquaredError(_BuiltinLoss):
    """Mean of squares of errors: ``mean(square(y_true - y_pred))``.

    Args:
        {common}

    Example:

    >>> round(float(MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])), 6)
    0.02
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None
    ):
        super().__init__(mean_squared_error, name, reduction, dtype)


@_document
class MeanAbsoluteError(_BuiltinLoss):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``.

    Args:
        {common}

    Example:

    >>> loss = MeanAbsoluteError()([1.0, 0.3, 1.0], [1.9, 0.3, 1.8])
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None
    ):
        super().__init__(mean_absolute_error, name, reduction, dtype)


@_document
class MeanAbsolutePercentageError(_BuiltinLoss):
    """Mean absolute percentage error: ``100 * mean(abs((y_true - y_pred) / y_true))``.

    The divisor is ``maximum(abs(y_true), 1e-7)``.

    Args:
        {common}

    Example:

    >>> loss = MeanAbsolutePercentageError()([100.0, 200.0], [90.0, 210.0])
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_absolute_percentage_error",
        dtype=None,
    ):
        super().__init__(mean_absolute_percentage_error, name, reduction, dtype)


@_document
class MeanSquaredLogarithmicError(_BuiltinLoss):
    """Mean squared logarithmic error.

    ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Inputs at or below zero are replaced by 1e-7. The course's "squared log"
    loss is this one (``SquaredLog`` and ``"squared_log"`` are aliases).

    Args:
        {common}

    Example:

    >>> loss = MeanSquaredLogarithmicError()([[1.0, 3.0]], [[1.0, 1.0]])
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="mean_squared_logarithmic_error",
        dtype=None,
    ):
        super().__init__(mean_squared_logarithmic_error, name, reduction, dtype)


@_document
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

    _config_keys = ("axis",)

    def __init__(
        self,
        axis=-1,
        reduction="sum_over_batch_size",
        name="cosine_similarity",
        dtype=None,
    ):
        super().__init__(cosine_similarity, name, reduction, dtype, axis=axis)


@_document
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

    _config_keys = ("delta",)

    def __init__(
        self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None
    ):
        super().__init__(huber, name, reduction, dtype, delta=delta)


@_document
class LogCosh(_BuiltinLoss):
    """Log of the hyperbolic cosine of the error: ``mean(log(cosh(y_pred - y_true)))``.

    Args:
        {common}

    Example:

    >>> loss = LogCosh()([[0.0, 1.0]], [[1.0, 1.0]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name, reduction, dtype)


@_document
class Hinge(_BuiltinLoss):
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0))``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    Args:
        {common}

    Example:

    >>> loss = Hinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name, reduction, dtype)


@_document
class SquaredHinge(_BuiltinLoss):
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)))``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    Args:
        {common}

    Example:

    >>> loss = SquaredHinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None
    ):
        super().__init__(squared_hinge, name, reduction, dtype)


@_document
class CubedHinge(_BuiltinLoss):
    """Cubed hinge loss (not in Keras): ``mean(maximum(1 - y_true * y_pred, 0)^3)``.

    Labels in {-1, 1}; {0, 1} labels are converted.

    Args:
        {common}

    Example:

    >>> loss = CubedHinge()([[1.0, -1.0]], [[0.6, 0.4]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="cubed_hinge", dtype=None):
        super().__init__(cubed_hinge, name, reduction, dtype)


@_document
class CategoricalHinge(_BuiltinLoss):
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)``.

    ``pos = sum(y_true * y_pred)``, ``neg = max((1 - y_true) * y_pred)``.

    Args:
        {common}

    Example:

    >>> loss = CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.6]])
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None
    ):
        super().__init__(categorical_hinge, name, reduction, dtype)


@_document
class KLDivergence(_BuiltinLoss):
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred))``.

    Both inputs are clipped to ``[1e-7, 1]``.

    Args:
        {common}

    Example:

    >>> loss = KLDivergence()([[0.0, 1.0]], [[0.4, 0.6]])
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None
    ):
        super().__init__(kl_divergence, name, reduction, dtype)


@_document
class Poisson(_BuiltinLoss):
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + 1e-7))``.

    Args:
        {common}

    Example:

    >>> loss = Poisson()([[1.0, 0.0]], [[1.0, 0.5]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name, reduction, dtype)


@_document
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

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        _check_label_smoothing(label_smoothing)
        super().__init__(
            binary_crossentropy,
            name,
            reduction,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_document
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

    _config_keys = (
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    )

    def __init__(
        self,
        apply_class_balancing=False,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        _check_label_smoothing(label_smoothing)
        super().__init__(
            binary_focal_crossentropy,
            name,
            reduction,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_document
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

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        _check_label_smoothing(label_smoothing)
        _check_axis(axis, "CategoricalCrossentropy")
        super().__init__(
            categorical_crossentropy,
            name,
            reduction,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_document
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

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha=0.25,
        gamma=2.0,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        _check_label_smoothing(label_smoothing)
        _check_axis(axis, "CategoricalFocalCrossentropy")
        super().__init__(
            categorical_focal_crossentropy,
            name,
            reduction,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@_document
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

    _config_keys = ("from_logits", "ignore_class", "axis")
    _integer_labels = True

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        if ignore_class is not None and (
            isinstance(ignore_class, bool) or not isinstance(ignore_class, int)
        ):
            raise ArgumentError(
                "`ignore_class` must be None or an int. "
                f"Received: ignore_class={ignore_class!r}"
            )
        _check_axis(axis, "SparseCategoricalCrossentropy")
        super().__init__(
            sparse_categorical_crossentropy,
            name,
            reduction,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )


@_document
class CTC(_BuiltinLoss):
    """Connectionist Temporal Classification loss.

    ``y_true``: integer labels ``(batch, max_label_length)``, 0 is the blank
    and the padding. ``y_pred``: logits ``(batch, time, num_classes)``.

    Args:
        {common}

    Example:

    >>> loss = CTC()([[1, 2, 0]], torch.randn(1, 5, 4))
    """

    _integer_labels = True

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name, reduction, dtype)


@_document
class Dice(_BuiltinLoss):
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``.

    Args:
        {common}
        axis: Axes the sums run over; ``None`` (default) sums everything.

    Example:

    >>> masks = torch.ones(2, 2, 2, 1)
    >>> loss = Dice(axis=(1, 2, 3), reduction=None)(masks, masks)
    """

    _config_keys = ("axis",)

    def __init__(
        self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None
    ):
        super().__init__(dice, name, reduction, dtype, axis=_axis_tuple(axis))


@_document
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

    _config_keys = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha=0.5,
        beta=0.5,
        reduction="sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            tversky,
            name,
            reduction,
            dtype,
            alpha=alpha,
            beta=beta,
            axis=_axis_tuple(axis),
        )


def _axis_tuple(axis):
    # Configs read from JSON hold lists; keep Keras's tuple.
    return tuple(axis) if isinstance(axis, list) else axis


@_document
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

    _config_keys = ("gamma", "margin", "remove_diagonal")
    _integer_labels = True

    def __init__(
        self,
        gamma=80.0,
        margin=0.4,
        remove_diagonal=True,
        reduction="sum_over_batch_size",
        name="circle",
        dtype=None,
    ):
        super().__init__(
            circle,
            name,
            reduction,
            dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )


@_document
class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized crossentropy (noise-robust): ``(1 - p^q) / q``.

    ``p`` is the predicted probability of the true class; labels are integers.

    Args:
        q: Noise parameter in (0, 1). Defaults to 0.5.
        {common}

    Example:

    >>> loss = CategoricalGeneralizedCrossEntropy()([0, 1], [[0.7, 0.3], [0.2, 0.8]])
    """

    _config_keys = ("q",)
    _integer_labels = True

    def __init__(
        self,
        q=0.5,
        reduction="sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if not isinstance(q, (int, float)) or not 0 < q < 1:
            raise ArgumentError(
                f"`q` must be in the interval (0, 1). Received: q={q!r}"
            )
        super().__init__(
            categorical_generalized_cross_entropy, name, reduction, dtype, q=q
        )


@_document
class L1Loss(_BuiltinLoss):
    """L1 loss (not in Keras): ``sum(abs(y_true - y_pred), axis=-1)`` per sample.

    Args:
        {common}

    Example:

    >>> loss = L1Loss()([[0.0, 1.0]], [[1.0, 3.0]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="l1_loss", dtype=None):
        super().__init__(l1_loss, name, reduction, dtype)


@_document
class L2Loss(_BuiltinLoss):
    """L2 loss (not in Keras): ``sum(square(y_true - y_pred), axis=-1)`` per sample.

    Args:
        {common}

    Example:

    >>> loss = L2Loss()([[0.0, 1.0]], [[1.0, 3.0]])
    """

    def __init__(self, reduction="sum_over_batch_size", name="l2_loss", dtype=None):
        super().__init__(l2_loss, name, reduction, dtype)


@_document
class ExpectationLoss(_BuiltinLoss):
    """Expectation loss (not in Keras): ``sum(abs(y_true - softmax(y_pred)))``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (softmax is applied).
            Defaults to ``True``; pass ``False`` for a softmax output.
        {common}

    Example:

    >>> loss = ExpectationLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """

    _config_keys = ("from_logits",)

    def __init__(
        self,
        from_logits=True,
        reduction="sum_over_batch_size",
        name="expectation_loss",
        dtype=None,
    ):
        super().__init__(
            expectation_loss, name, reduction, dtype, from_logits=from_logits
        )


@_document
class RegularizedExpectationLoss(_BuiltinLoss):
    """Regularised expectation loss (not in Keras).

    ``sum(square(y_true - softmax(y_pred)))``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (softmax is applied).
            Defaults to ``True``; pass ``False`` for a softmax output.
        {common}

    Example:

    >>> loss = RegularizedExpectationLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """

    _config_keys = ("from_logits",)

    def __init__(
        self,
        from_logits=True,
        reduction="sum_over_batch_size",
        name="regularized_expectation_loss",
        dtype=None,
    ):
        super().__init__(
            regularized_expectation_loss,
            name,
            reduction,
            dtype,
            from_logits=from_logits,
        )


@_document
class ChebyshevLoss(_BuiltinLoss):
    """Chebyshev loss (not in Keras): ``max(abs(softmax(y_pred) - y_true))``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (softmax is applied).
            Defaults to ``True``; pass ``False`` for a softmax output.
        {common}

    Example:

    >>> loss = ChebyshevLoss()([[0.0, 1.0]], [[0.0, 2.0]])
    """

    _config_keys = ("from_logits",)

    def __init__(
        self,
        from_logits=True,
        reduction="sum_over_batch_size",
        name="chebyshev_loss",
        dtype=None,
    ):
        super().__init__(
            chebyshev_loss, name, reduction, dtype, from_logits=from_logits
        )


@_document
class TanimotoLoss(_BuiltinLoss):
    """Tanimoto loss (not in Keras).

    ``1 - sum(y*p) / (sum(y^2) + sum(p^2) - sum(y*p))``.

    ``p = y_pred`` should be probabilities (e.g. a softmax output).

    Args:
        {common}

    Example:

    >>> loss = TanimotoLoss()([[0.0, 1.0]], [[0.2, 0.8]])
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="tanimoto_loss", dtype=None
    ):
        super().__init__(tanimoto_loss, name, reduction, dtype)


@_document
class CauchySchwarzDivergence(_BuiltinLoss):
    """Cauchy-Schwarz divergence (not in Keras).

    ``-log(sum(y*p) / sqrt(sum(y^2) * sum(p^2)))``.

    ``p = y_pred`` should be non-negative (e.g. a softmax output).

    Args:
        {common}

    Example:

    >>> loss = CauchySchwarzDivergence()([[0.0, 1.0]], [[0.2, 0.8]])
    """

    def __init__(
        self,
        reduction="sum_over_batch_size",
        name="cauchy_schwarz_divergence",
        dtype=None,
    ):
        super().__init__(cauchy_schwarz_divergence, name, reduction, dtype)


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
_FUNCTIONS = (
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
_LOSSES: dict[str, Any] = {obj.__name__: obj for obj in (*_CLASSES, *_FUNCTIONS)}
_LOSSES.update(
    {
        # Keras 3's string aliases.
        "bce": binary_crossentropy,
        "BCE": binary_crossentropy,
        "kld": kl_divergence,
        "KLD": kl_divergence,
        "mae": mean_absolute_error,
        "MAE": mean_absolute_error,
        "mse": mean_squared_error,
        "MSE": mean_squared_error,
        "mape": mean_absolute_percentage_error,
        "MAPE": mean_absolute_percentage_error,
        "msle": mean_squared_logarithmic_error,
        "MSLE": mean_squared_logarithmic_error,
        # Keras 2 / tf.keras names.
        "kullback_leibler_divergence": kl_divergence,
        "logcosh": log_cosh,
        "huber_loss": huber,
        "cosine_proximity": cosine_similarity,
        "cosine": cosine_similarity,
        # The course's names for the losses Keras lacks.
        "l1": l1_loss,
        "l2": l2_loss,
        "regularised_expectation_loss": regularized_expectation_loss,
        "chebyshev": chebyshev_loss,
        "squared_log": mean_squared_logarithmic_error,
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


# --------------------------------------------------------------------------
# validate_targets: the trainer's one-time check of the first batch.
# --------------------------------------------------------------------------

_SPARSE = (sparse_categorical_crossentropy, categorical_generalized_cross_entropy)
_CATEGORICAL = (categorical_crossentropy, categorical_focal_crossentropy)
# Losses that take y_true and y_pred of one shape (after Keras's rank rule).
_SAME_SHAPE = (
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    huber,
    log_cosh,
    hinge,
    squared_hinge,
    cubed_hinge,
    categorical_hinge,
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    dice,
    tversky,
    l1_loss,
    l2_loss,
    expectation_loss,
    regularized_expectation_loss,
    chebyshev_loss,
    tanimoto_loss,
    cauchy_schwarz_divergence,
    *_CATEGORICAL,
)


def _loss_function(loss) -> tuple[Callable | None, dict[str, Any], str]:
    if isinstance(loss, str):
        loss = get(loss)
    if isinstance(loss, LossFunctionWrapper):
        return loss.fn, loss._fn_kwargs, loss.name
    if isinstance(loss, Loss):
        return None, {}, loss.name
    return loss, {}, getattr(loss, "__name__", type(loss).__name__)


def _shape(x) -> tuple[int, ...]:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _as_numpy(x) -> np.ndarray:
    return backend.to_numpy(x)


def validate_targets(loss, y_true, y_pred) -> None:
    """Check one batch of targets against a loss, with a clear error if they misfit.

    It reads the labels' values (one host transfer), so a trainer calls it
    once, on the first batch, not on every step. Custom losses are not checked.

    Args:
        loss: A `Loss` instance, a loss function or a loss name.
        y_true: The targets of one batch.
        y_pred: The model's outputs for that batch.

    Raises:
        ArgumentError: Sparse labels out of ``[0, num_classes)``, one-hot
            targets given to a sparse crossentropy, or class indices given to
            a categorical crossentropy.
        ShapeError: Shapes of ``y_true`` and ``y_pred`` the loss cannot match.

    Example:

    >>> validate_targets("sparse_categorical_crossentropy", [0, 2], torch.rand(2, 3))
    """
    fn, options, name = _loss_function(loss)
    if fn is None:
        return
    true_shape, pred_shape = _shape(y_true), _shape(y_pred)
    if fn in _SPARSE:
        _validate_sparse(fn, options, name, y_true, true_shape, pred_shape)
        return
    if fn in _CATEGORICAL and len(pred_shape) >= 2 and pred_shape[-1] > 1:
        class_index_shapes = (pred_shape[:-1], (*pred_shape[:-1], 1))
        if true_shape in class_index_shapes:
            raise ArgumentError(
                f"Loss {name!r} expects one-hot targets of shape {pred_shape}, but "
                f"y_true has shape {true_shape}: integer class indices. Use "
                "loss='sparse_categorical_crossentropy' for class indices, or "
                "one-hot encode them (lamina.utils.to_categorical)."
            )
    if fn in _SAME_SHAPE:
        true_t = torch.empty(true_shape, device="meta")
        pred_t = torch.empty(pred_shape, device="meta")
        true_t, pred_t = squeeze_or_expand_to_same_rank(true_t, pred_t)
        if true_t.shape != pred_t.shape:
            raise ShapeError(
                f"Loss {name!r} needs y_true and y_pred of the same shape, received "
                f"y_true.shape={true_shape} and y_pred.shape={pred_shape}. Check the "
                "model's output layer against the targets."
            )


def _validate_sparse(fn, options, name, y_true, true_shape, pred_shape) -> None:
    axis = options.get("axis", -1)
    if len(pred_shape) < 1:
        raise ShapeError(
            f"Loss {name!r} needs y_pred with a class axis, received "
            f"y_pred.shape={pred_shape}."
        )
    class_axis = axis % len(pred_shape)
    num_classes = pred_shape[class_axis]
    without_classes = pred_shape[:class_axis] + pred_shape[class_axis + 1 :]
    if (
        len(true_shape) == len(pred_shape)
        and true_shape == pred_shape
        and num_classes > 1
        and len(pred_shape) >= 2
    ):
        raise ArgumentError(
            f"Loss {name!r} expects integer class indices of shape {without_classes}, "
            f"but y_true has shape {true_shape}, the shape of y_pred: one-hot "
            "targets. Use loss='categorical_crossentropy' for one-hot targets, or "
            "pass the class indices (y.argmax(-1))."
        )
    squeezed = true_shape
    if len(true_shape) == len(pred_shape) and true_shape[class_axis] == 1:
        squeezed = true_shape[:class_axis] + true_shape[class_axis + 1 :]
    if fn is categorical_generalized_cross_entropy and squeezed != without_classes:
        squeezed = true_shape[:-1] if true_shape and true_shape[-1] == 1 else true_shape
    if squeezed != without_classes:
        raise ShapeError(
            f"Loss {name!r} needs y_true of shape {without_classes} (y_pred's shape "
            f"{pred_shape} without its class axis), received y_true.shape="
            f"{true_shape}."
        )
    labels = _as_numpy(y_true)
    if labels.size == 0:
        return
    ignore_class = options.get("ignore_class")
    if ignore_class is not None:
        labels = labels[labels != ignore_class]
        if labels.size == 0:
            return
    if labels.dtype.kind == "f":
        fractional = labels[~(np.isfinite(labels) & (labels == np.round(labels)))]
        if fractional.size:
            raise ArgumentError(
                f"Loss {name!r} expects integer class indices, but y_true holds "
                f"non-integer values such as {fractional[:3].tolist()}."
            )
    low, high = labels.min(), labels.max()
    if low < 0 or high >= num_classes:
        bad = labels[(labels < 0) | (labels >= num_classes)]
        raise ArgumentError(
            f"Loss {name!r}: class labels must be in [0, {num_classes - 1}] for "
            f"y_pred with {num_classes} classes, but y_true holds "
            f"{sorted(set(bad.astype(np.int64).tolist()))[:5]} (min {low:g}, max "
            f"{high:g}). Check the number of units of the output layer, or the "
            "labels (1-based labels need y - 1)."
        )


__all__ = [
    "BCE",
    "CTC",
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
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
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "Reduction",
    "RegularizedExpectationLoss",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "SquaredLog",
    "TanimotoLoss",
    "Tversky",
    "bce",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "cauchy_schwarz_divergence",
    "chebyshev_loss",
    "circle",
    "cosine_proximity",
    "cosine_similarity",
    "ctc",
    "cubed_hinge",
    "deserialize",
    "dice",
    "expectation_loss",
    "get",
    "hinge",
    "huber",
    "huber_loss",
    "kl_divergence",
    "kld",
    "kullback_leibler_divergence",
    "l1_loss",
    "l2_loss",
    "log_cosh",
    "logcosh",
    "mae",
    "mape",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "mse",
    "msle",
    "poisson",
    "reduce_values",
    "reduce_weighted_values",
    "regularized_expectation_loss",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "squared_log",
    "squeeze_or_expand_to_same_rank",
    "standardize_reduction",
    "tanimoto_loss",
    "tversky",
    "validate_targets",
]


# Losses whose mean over the last axis and then the batch is one torch kernel.
_FUSED_MEANS = {
    mean_squared_error: F.mse_loss,
    mean_absolute_error: F.l1_loss,
}
