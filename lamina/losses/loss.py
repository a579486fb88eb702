"""The `Loss` base class and the reduction of per-sample losses, as Keras's
``keras/src/losses/loss.py``.

The reduction of per-sample losses lives in one place, `reduce_weighted_values`;
every `Loss.__call__` ends there. All loss computations are plain torch ops on
the device: no host synchronisation, no numpy, so they are cheap to call on
every training step.

Example:

>>> float(reduce_weighted_values(torch.tensor([1.0, 3.0]), [1.0, 0.0]))
0.5
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend.naming import auto_name
from lamina.backend.tensor_ops import divide_no_nan, squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, ShapeError
from lamina.losses.docs import COMMON_ARGS, docstring_with

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


def _torch_dtype_of(dtype) -> torch.dtype:
    if dtype is None:
        return backend.to_torch_dtype(backend.floatx())
    compute = getattr(dtype, "compute_dtype", None)  # a DTypePolicy
    if isinstance(compute, str):
        dtype = compute
    elif isinstance(dtype, str) and dtype.startswith("mixed_"):
        dtype = dtype[len("mixed_") :]
    return backend.to_torch_dtype(dtype)


@docstring_with(common=COMMON_ARGS)
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


__all__ = [
    "Loss",
    "Reduction",
    "reduce_values",
    "reduce_weighted_values",
    "squeeze_or_expand_to_same_rank",
    "standardize_reduction",
]
