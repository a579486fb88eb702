"""Turning integer indices into one_hot / multi_hot / count / tf_idf vectors.

Shared by CategoryEncoding, Discretization, IntegerLookup, StringLookup and
TextVectorization, with Keras's conventions: a rank 0 input is one sample; a
rank 1 input is one sample of several indices for ``multi_hot``/``count`` (one
output row), but a batch of single indices for ``one_hot``; rank 2 inputs
``(batch, n)`` give ``(batch, depth)``. ``one_hot`` drops a trailing axis of
size 1. Indices outside ``[0, depth)`` give all-zero rows (checking them would
cost a device synchronisation per call).
"""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def validate_output_mode(
    layer_name: str, output_mode: str, allowed=OUTPUT_MODES
) -> None:
    if output_mode not in allowed:
        raise ArgumentError(
            f"{layer_name}: invalid value for argument `output_mode`. Expected one of "
            f"{tuple(allowed)}. Received: output_mode={output_mode!r}"
        )


def encode(
    indices: torch.Tensor,
    output_mode: str,
    depth: int,
    dtype: torch.dtype,
    count_weights: torch.Tensor | None = None,
    idf_weights: torch.Tensor | None = None,
) -> torch.Tensor:
    """Encode integer ``indices`` as ``output_mode`` vectors of length ``depth``."""
    if output_mode == "int":
        return indices.to(dtype)
    if indices.dim() == 0:
        indices = indices.reshape(1)
    indices = indices.long()
    if output_mode == "one_hot":
        if indices.dim() > 1 and indices.shape[-1] == 1:
            indices = indices.squeeze(-1)
        return _one_hot(indices, depth, dtype)
    if indices.dim() != 2:
        # Rank 1: one sample; rank 3+: reduce axis 1 as Keras does.
        if indices.dim() == 1:
            return encode(
                indices.unsqueeze(0),
                output_mode,
                depth,
                dtype,
                None if count_weights is None else count_weights.unsqueeze(0),
                idf_weights,
            ).squeeze(0)
        hot = _one_hot(indices, depth, dtype)
        if output_mode == "multi_hot":
            return hot.amax(dim=1)
        if count_weights is not None:
            hot = hot * count_weights.unsqueeze(-1).to(dtype)
        out = hot.sum(dim=1)
        return out if idf_weights is None else out * idf_weights.to(dtype)
    # Rank 2: scatter into (batch, depth + 1); the extra column takes invalid ids.
    valid = (indices >= 0) & (indices < depth)
    target = torch.where(valid, indices, depth)
    out = torch.zeros(indices.shape[0], depth + 1, dtype=dtype, device=indices.device)
    if output_mode == "multi_hot":
        out.scatter_(1, target, 1.0)
    else:
        values = (
            torch.ones_like(target, dtype=dtype)
            if count_weights is None
            else count_weights.to(dtype)
        )
        out.scatter_add_(1, target, values)
    out = out[:, :depth]
    if output_mode == "tf_idf":
        out = out * idf_weights.to(dtype)
    return out


def _one_hot(indices: torch.Tensor, depth: int, dtype: torch.dtype) -> torch.Tensor:
    classes = torch.arange(depth, device=indices.device)
    return (indices.unsqueeze(-1) == classes).to(dtype)


def encoded_shape(input_shape, output_mode: str, depth: int) -> tuple:
    """The output shape `encode` gives for ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return (*shape, depth)
    if len(shape) == 1:
        return (depth,)
    return (shape[0], *shape[2:], depth)
