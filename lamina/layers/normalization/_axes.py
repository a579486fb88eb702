"""Argument and axis checks shared by the normalization layers."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.input_spec import InputSpec

# Inputs of these dtypes are normalized in float32.
LOW_PRECISION = (torch.float16, torch.bfloat16)


def check_epsilon(layer: str, epsilon) -> None:
    """An ArgumentError unless ``epsilon`` is a non-negative number."""
    if (
        isinstance(epsilon, bool)
        or not isinstance(epsilon, (int, float))
        or epsilon < 0
    ):
        raise ArgumentError(
            f"{layer}: `epsilon` must be a non-negative number. "
            f"Received: epsilon={epsilon!r}"
        )


def check_axis_argument(axis, layer: str):
    """``axis`` as given (an int or a list of ints), validated; tuples become lists."""
    if isinstance(axis, (list, tuple)):
        if not axis or not all(
            isinstance(a, int) and not isinstance(a, bool) for a in axis
        ):
            raise ArgumentError(
                f"{layer}: `axis` must be an int or a non-empty list of ints. "
                f"Received: axis={axis!r}"
            )
        return list(axis)
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ArgumentError(
            f"{layer}: `axis` must be an int or a list of ints. Received: axis={axis!r}"
        )
    return axis


def positive_axes(axis, input_shape, layer_name: str) -> list[int]:
    """The sorted, non-negative axes of ``axis`` for an input of ``input_shape``."""
    rank = len(input_shape)
    axes = axis if isinstance(axis, list) else [axis]
    for a in axes:
        if not -rank <= a < rank:
            raise ShapeError(
                f"Layer '{layer_name}': axis {a} is out of bounds for an input of "
                f"shape {tuple(input_shape)} (rank {rank}). Received: axis={axis}"
            )
    result = sorted({a % rank for a in axes})
    if len(result) != len(axes):
        raise ArgumentError(
            f"Layer '{layer_name}': `axis` has repeated axes. Received: axis={axis}"
        )
    return result


def build_axes(layer, input_shape) -> tuple:
    """The sizes of the input along ``layer.axis``, which must be known, as
    LayerNormalization and RMSNormalization build.

    Sets ``layer.axis`` to the sorted list Keras shows in the config once
    built, ``layer._axes`` (non-negative), ``layer._rank`` and
    ``layer._trailing`` (whether the axes are the last ones).
    """
    axes = positive_axes(layer.axis, input_shape, layer.name)
    shape = tuple(input_shape[a] for a in axes)
    if None in shape:
        raise ShapeError(
            f"Layer '{layer.name}': the normalized axes {layer.axis} must have "
            f"defined sizes. Received input shape {tuple(input_shape)}."
        )
    layer.axis = sorted(layer.axis) if isinstance(layer.axis, list) else [layer.axis]
    layer._axes = axes
    layer._rank = len(input_shape)
    layer._trailing = is_trailing(axes, layer._rank)
    return shape


def is_trailing(axes: list[int], rank: int) -> bool:
    """Whether ``axes`` are the last ``len(axes)`` axes, in order."""
    return axes == list(range(rank - len(axes), rank))


def check_axes_in_shape(axis, input_shape, layer_name: str):
    """Keras's compute_output_shape check: every axis fits in the input's rank."""
    positive_axes(axis, input_shape, layer_name)
    return tuple(input_shape)


def normalized_axes_spec(axes: list[int], shape: tuple, rank: int) -> InputSpec:
    """Sizes of the normalized axes fixed; any rank when they are the last ones."""
    if is_trailing(axes, rank):
        return InputSpec(
            min_ndim=len(axes), axes={a - rank: n for a, n in zip(axes, shape)}
        )
    return InputSpec(ndim=rank, axes=dict(zip(axes, shape)))
