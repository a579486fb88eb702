"""Math operations (Keras 3's ``keras.ops.math``) on torch tensors.

Example:

>>> from lamina import ops
>>> ops.logsumexp(torch.zeros(2))
tensor(0.6931)
"""

from __future__ import annotations

from typing import Any

import torch

from lamina.errors import ArgumentError
from lamina.ops.core import _floating, _tensor


def logsumexp(
    x: Any, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> torch.Tensor:
    """``log(sum(exp(x)))`` over ``axis`` (all axes when None), computed stably.

    Example:

    >>> logsumexp(torch.tensor([[0.0, 0.0]]), axis=1)
    tensor([0.6931])
    """
    x = _floating(_tensor(x))
    dims = tuple(range(x.ndim)) if axis is None else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple[torch.Tensor, torch.Tensor]:  # noqa: A002
    """The ``k`` largest values along the last axis and their indices.

    Example:

    >>> top_k(torch.tensor([1.0, 3.0, 2.0]), 2)
    torch.return_types.topk(
    values=tensor([3., 2.]),
    indices=tensor([1, 2]))
    """
    return torch.topk(_tensor(x), k, dim=-1, largest=True, sorted=sorted)


def in_top_k(targets: Any, predictions: Any, k: int) -> torch.Tensor:
    """Whether each target class is among the ``k`` highest predictions.

    Ties with the ``k``-th largest value count as inside, as in Keras.

    Args:
        targets: Integer class ids, shape ``(batch,)``.
        predictions: Scores, shape ``(batch, classes)``.
        k: How many top predictions to consider.

    Example:

    >>> scores = torch.tensor([[0.9, 0.1, 0.0], [0.5, 0.3, 0.2]])
    >>> in_top_k(torch.tensor([0, 2]), scores, 2)
    tensor([ True, False])
    """
    predictions = _tensor(predictions)
    targets = _tensor(targets, device=predictions.device).long()
    kth = torch.topk(predictions, k, dim=-1).values[..., -1:]
    target_score = predictions.gather(-1, targets.unsqueeze(-1))
    return (target_score >= kth).squeeze(-1)


def erf(x: Any) -> torch.Tensor:
    """The Gauss error function. Example: ``erf([0.5])``."""
    return torch.erf(_floating(_tensor(x)))


def rsqrt(x: Any) -> torch.Tensor:
    """``1 / sqrt(x)``. Example: ``rsqrt([4.0])``."""
    return torch.rsqrt(_floating(_tensor(x)))


def segment_sum(
    data: Any,
    segment_ids: Any,
    num_segments: int | None = None,
    sorted: bool = False,  # noqa: A002
) -> torch.Tensor:
    """Sums of the rows of ``data`` that share a segment id.

    Args:
        data: Tensor whose first axis is split into segments.
        segment_ids: Integer ids, shape ``(data.shape[0],)``; rows with an id
            outside ``[0, num_segments)`` are dropped.
        num_segments: Number of segments; ``max(segment_ids) + 1`` when None
            (one host sync).
        sorted: Whether the ids are sorted (accepted for Keras; not needed).

    Example:

    >>> segment_sum(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0, 0, 1]))
    tensor([3., 3.])
    """
    data = _tensor(data)
    ids = _tensor(segment_ids, device=data.device).long()
    if ids.ndim != 1 or ids.shape[0] != data.shape[0]:
        raise ArgumentError(
            "segment_sum: `segment_ids` must be 1-D with one id per row of "
            f"`data`: expected shape ({data.shape[0]},), received "
            f"{tuple(ids.shape)}."
        )
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    # Out-of-range ids go to one extra, discarded row: no boolean mask, so no
    # host sync and a fixed output shape.
    valid = (ids >= 0) & (ids < num_segments)
    ids = torch.where(valid, ids, torch.full_like(ids, num_segments))
    out = torch.zeros(
        (num_segments + 1,) + tuple(data.shape[1:]),
        dtype=data.dtype,
        device=data.device,
    )
    return out.index_add(0, ids, data)[:num_segments]


__all__ = ["erf", "in_top_k", "logsumexp", "rsqrt", "segment_sum", "top_k"]
