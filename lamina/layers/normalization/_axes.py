"""Axis helpers shared by the normalization layers."""

from __future__ import annotations

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.input_spec import InputSpec


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
