"""Shared pieces of the cropping, padding and up-sampling layers."""

from __future__ import annotations

from lamina.errors import ArgumentError, ShapeError

_ORDINALS = ("1st", "2nd", "3rd")


def standardize_tuple(
    value, n: int, name: str, layer: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """An int or ``n`` ints as a tuple of ``n`` ints, checked (Keras's rules)."""
    error = (
        f"{layer}: the `{name}` argument must be a tuple of {n} integers. "
        f"Received {name}={value!r}"
    )
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ArgumentError(error) from None
        if len(values) != n or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise ArgumentError(error)
    bad = [v for v in values if (v < 0 if allow_zero else v <= 0)]
    if bad:
        raise ArgumentError(
            f"{error}, including values {bad} that do not satisfy "
            f"`value {'>= 0' if allow_zero else '> 0'}`"
        )
    return values


def standardize_pairs(value, n: int, name: str, layer: str) -> tuple:
    """``int``, ``n`` ints or ``n`` pairs of ints as ``n`` (before, after) pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ArgumentError(
                f"{layer}: `{name}` cannot be negative. Received: {name}={value}."
            )
        return ((value, value),) * n
    if not hasattr(value, "__len__") or isinstance(value, str):
        raise ArgumentError(
            f"{layer}: `{name}` should be either an int, a tuple of {n} ints or a "
            f"tuple of {n} tuples of 2 ints. Received: {name}={value!r}."
        )
    if len(value) != n:
        raise ArgumentError(
            f"{layer}: `{name}` should have {n} elements. Received: {name}={value!r}."
        )
    return tuple(
        standardize_tuple(
            v, 2, f"{_ORDINALS[i]} entry of {name}", layer, allow_zero=True
        )
        for i, v in enumerate(value)
    )


def spatial_axes(rank: int, data_format: str) -> list[int]:
    """The spatial axes of a rank-``rank`` input in ``data_format``."""
    start = 2 if data_format == "channels_first" else 1
    return list(range(start, start + rank - 2))


def check_rank(layer, shape, rank: int, layout: str) -> None:
    if len(shape) != rank:
        raise ShapeError(
            f"{type(layer).__name__} expects a {rank}-D input {layout}, received "
            f"shape {tuple(shape)} (layer '{layer.name}')."
        )
