"""Counting confusion-matrix cells (true/false positives/negatives) at thresholds.

The confusion metrics (`Precision`, `AUC`, ...) add each batch's counts to
their state with `update_confusion_matrix_variables`, with Keras's thresholds,
bucketing and `top_k` filtering, so the numbers agree with Keras's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from lamina import backend
from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ArgumentError, ShapeError
from lamina.metrics._tensors import broadcast_weights, to_tensor
from lamina.metrics.metric import Metric

# The threshold used with `top_k`: every kept score is above it.
NEG_INF = -1e10


def parse_thresholds(thresholds, default: float) -> list[float]:
    """``thresholds`` (a float or a list of them) as a list, checked to lie in [0, 1]."""
    if thresholds is None:
        return [default]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
    invalid = [t for t in values if t is None or t < 0 or t > 1]
    if invalid:
        raise ArgumentError(
            f"Argument `thresholds`: values must be in [0, 1]. Received: {invalid}"
        )
    return values


def is_evenly_distributed(thresholds: Sequence[float]) -> bool:
    """Whether ``thresholds`` are 3 or more evenly spaced values from 0 to 1."""
    # Evenly spaced thresholds let one bucketing pass replace a (thresholds x
    # samples) comparison; Keras takes the same shortcut.
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


def _filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    indices = torch.topk(x, k, dim=-1).indices
    mask = torch.zeros_like(x).scatter_(-1, indices, 1.0)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix_variables(
    variables: dict[str, torch.Tensor],
    y_true,
    y_pred,
    thresholds: torch.Tensor,
    *,
    evenly_distributed: bool,
    with_epsilon: bool = False,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight=None,
    multi_label: bool = False,
    label_weights: torch.Tensor | None = None,
    where: str = "metric",
) -> None:
    """Add this batch's confusion counts at each threshold to ``variables``.

    ``variables`` maps any of ``"tp"``, ``"fp"``, ``"tn"``, ``"fn"`` to a state
    tensor of shape ``(num_thresholds,)`` (or ``(num_thresholds, num_labels)``
    with ``multi_label``). A prediction counts as positive when it is strictly
    above the threshold. ``with_epsilon`` says the outer thresholds lie just
    outside ``[0, 1]`` (AUC's), so no prediction falls below them all. Only
    in-place torch ops: no host synchronisation.
    """
    dtype, device = thresholds.dtype, thresholds.device
    y_true = to_tensor(y_true, dtype=dtype, device=device)
    y_pred = to_tensor(y_pred, dtype=dtype, device=device)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"{where}: `y_true` and `y_pred` must have the same shape. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=device)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight.unsqueeze(-1), expand_rank_1=False
        )
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.dim() == 1:
            raise ShapeError(
                f"{where}: when `class_id` is given, `y_pred` must have shape "
                "(num_samples, num_classes). Received: "
                f"y_pred.shape={tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id : class_id + 1]
        y_pred = y_pred[..., class_id : class_id + 1]

    weights = None
    if sample_weight is not None:
        weights = broadcast_weights(sample_weight, y_pred.shape, where)
    if label_weights is not None and not multi_label:
        lw = label_weights.unsqueeze(0).broadcast_to(y_pred.shape)
        weights = lw if weights is None else weights * lw
    labels = y_true != 0
    if not multi_label:
        labels, y_pred = labels.reshape(-1), y_pred.reshape(-1)
        weights = None if weights is None else weights.reshape(-1)

    if evenly_distributed:
        counts = _bucketed_counts(
            labels,
            y_pred,
            weights,
            thresholds.shape[0],
            with_epsilon,
            multi_label,
            need_negatives=("tn" in variables or "fn" in variables),
        )
    else:
        counts = _compared_counts(
            labels, y_pred, weights, thresholds, multi_label, variables.keys()
        )
    for key, variable in variables.items():
        variable.add_(counts[key])


def _bucketed_counts(
    labels, y_pred, weights, num_thresholds, with_epsilon, multi_label, need_negatives
):
    # Each prediction falls in one bucket between evenly spaced thresholds; a
    # reversed cumulative sum of the bucket totals gives the count above each
    # threshold. O(samples + thresholds) instead of O(samples x thresholds).
    dtype = y_pred.dtype
    true_labels = labels.to(dtype)
    false_labels = 1.0 - true_labels
    if weights is not None:
        true_labels = true_labels * weights
        false_labels = false_labels * weights
    y_pred = y_pred.clamp(0.0, 1.0)
    buckets = torch.ceil(y_pred * (num_thresholds - 1)) - 1
    if with_epsilon:
        buckets = torch.relu(buckets)
    buckets = buckets.long()
    # Predictions below every threshold (bucket -1) go to an extra slot that is
    # dropped afterwards; index_add_ cannot take negative indices.
    slots = num_thresholds + 1
    buckets = torch.where(buckets >= 0, buckets, num_thresholds)
    if multi_label:
        num_labels = y_pred.shape[-1]
        offsets = torch.arange(num_labels, device=y_pred.device) * slots
        flat = (buckets + offsets).reshape(-1)
        shape = (num_labels, slots)
    else:
        flat = buckets
        shape = (slots,)

    def above_each_threshold(values):
        totals = torch.zeros(shape, dtype=dtype, device=y_pred.device).view(-1)
        totals.index_add_(0, flat, values.reshape(-1))
        totals = totals.view(shape)[..., :num_thresholds]
        cumulative = totals.flip(-1).cumsum(-1).flip(-1)
        return cumulative.T if multi_label else cumulative

    tp = above_each_threshold(true_labels)
    fp = above_each_threshold(false_labels)
    counts = {"tp": tp, "fp": fp}
    if need_negatives:
        total_true = true_labels.sum(0) if multi_label else true_labels.sum()
        total_false = false_labels.sum(0) if multi_label else false_labels.sum()
        counts["fn"] = total_true - tp
        counts["tn"] = total_false - fp
    return counts


def _compared_counts(labels, y_pred, weights, thresholds, multi_label, keys):
    # Compare every prediction with every threshold: (thresholds, samples[, labels]).
    extra = (1, 1) if multi_label else (1,)
    pred_is_pos = y_pred.unsqueeze(0) > thresholds.view(-1, *extra)
    label_is_pos = labels.unsqueeze(0)
    dtype = y_pred.dtype

    def count(label_mask, pred_mask):
        both = label_mask & pred_mask
        if weights is None:
            return both.to(dtype).sum(1)
        return torch.where(both, weights.unsqueeze(0), 0.0).sum(1)

    counts = {}
    if "tp" in keys:
        counts["tp"] = count(label_is_pos, pred_is_pos)
    if "fp" in keys:
        counts["fp"] = count(~label_is_pos, pred_is_pos)
    if "fn" in keys:
        counts["fn"] = count(label_is_pos, ~pred_is_pos)
    if "tn" in keys:
        counts["tn"] = count(~label_is_pos, ~pred_is_pos)
    return counts


def thresholds_tensor(thresholds: Sequence[float], metric: Metric) -> torch.Tensor:
    """``thresholds`` as a tensor of ``metric``'s dtype on its device."""
    return torch.tensor(
        np.asarray(thresholds, dtype=np.float64),
        dtype=metric._torch_dtype,
        device=metric._device,
    )


# Keras's names of the state tensors that count each cell.
COUNT_NAMES = {
    "tp": "true_positives",
    "fp": "false_positives",
    "tn": "true_negatives",
    "fn": "false_negatives",
}


def add_count_variables(metric: Metric, cells: str, shape) -> dict[str, torch.Tensor]:
    """Create ``metric``'s state tensors counting ``cells`` (``"tp fp"``, ...).

    Each is also an attribute of ``metric`` named as Keras names it
    (``metric.true_positives``, ...). Returns them by cell, as
    `update_confusion_matrix_variables` takes them.
    """
    counts = {}
    for cell in cells.split():
        name = COUNT_NAMES[cell]
        counts[cell] = metric.add_variable(shape, "zeros", name=name)
        setattr(metric, name, counts[cell])
    return counts
