"""Shared pieces of the cropping, padding and up-sampling layers."""

from __future__ import annotations

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.convolutional import rank_docs
from lamina.layers.convolutional.conv_utils import as_tuple
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.reshaping.flatten import standardize_data_format

_ORDINALS = ("1st", "2nd", "3rd")


def standardize_tuple(
    value, n: int, name: str, layer: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """An int or ``n`` ints as a tuple of ``n`` ints, checked (Keras's rules)."""
    error = (
        f"{layer}: the `{name}` argument must be a tuple of {n} integers. "
        f"Received {name}={value!r}"
    )
    values = as_tuple(value, n)
    if values is None or not all(
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


# The axes of an input of each rank, as the error messages name them.
LAYOUTS = {
    3: "(batch, steps, features)",
    4: "(batch, rows, cols, channels)",
    5: "(batch, dim1, dim2, dim3, channels)",
}


def check_rank(layer, shape, rank: int) -> None:
    if len(shape) != rank:
        raise ShapeError(
            f"{type(layer).__name__} expects a {rank}-D input {LAYOUTS[rank]}, "
            f"received shape {tuple(shape)} (layer '{layer.name}')."
        )


# Per argument (layer family): its summary, what happens to each spatial size,
# and the docstring example per spatial rank: (layer, input shape, output shape).
_EDGE_DOCS = {
    "cropping": (
        "Crops the spatial axes of {rank}-D feature maps; the output is a view.",
        "reduced",
        {
            2: ("Cropping2D(cropping=((2, 2), (1, 1)))", "2, 8, 8, 3", "2, 4, 6, 3"),
            3: ("Cropping3D(cropping=1)", "2, 6, 6, 6, 3", "2, 4, 4, 4, 3"),
        },
    ),
    "padding": (
        "Adds zeros around the spatial axes of {rank}-D feature maps.",
        "grown",
        {
            2: ("ZeroPadding2D(padding=(1, 2))", "2, 4, 4, 3", "2, 6, 8, 3"),
            3: ("ZeroPadding3D(padding=1)", "2, 3, 3, 3, 4", "2, 5, 5, 5, 4"),
        },
    ),
}


def edges_docstring(argument: str, rank: int, default) -> str:
    """The docstring of ``Cropping{rank}D`` or ``ZeroPadding{rank}D`` (2-D, 3-D).

    Args:
        argument: ``"cropping"`` or ``"padding"``.
        rank: the number of spatial axes.
        default: the argument's default, as the signature shows it.
    """
    summary, effect, examples = _EDGE_DOCS[argument]
    amounts = (
        "int (the same on every side), {rank} ints (symmetric per axis), or "
        "{rank} pairs of non-negative ints ``(before, after)``, one per spatial "
        f"axis (default ``{default}``)."
    )
    return rank_docs.docstring(
        rank,
        summary,
        "",
        examples[rank],
        [(argument, amounts), ("data_format", rank_docs.DATA_FORMAT_DOC)],
        "{ndim}-D ``(batch, {axes}, channels)`` or ``(batch, channels, {axes})``.",
        f"the same, each spatial size {effect} by its ``before + after``.",
    )


class BaseEdges(Layer):
    """Cropping or zero padding: a ``(before, after)`` amount per spatial axis.

    Subclasses set ``_rank`` (the input's rank) and ``_argument``
    (``"cropping"`` or ``"padding"``: the name of the amounts' argument,
    attribute and config entry).
    """

    _rank = 3
    _argument = ""

    def __init__(self, amounts, data_format=None, **kwargs):
        super().__init__(**kwargs)
        name, argument = type(self).__name__, self._argument
        self.data_format = standardize_data_format(data_format, name)
        if self._rank == 3:  # one spatial axis: a single (before, after) pair
            value = standardize_tuple(amounts, 2, argument, name, allow_zero=True)
            self._pairs = (value,)
        else:
            value = standardize_pairs(amounts, self._rank - 2, argument, name)
            self._pairs = value
        setattr(self, argument, value)
        self.input_spec = InputSpec(ndim=self._rank)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                self._argument: getattr(self, self._argument),
                "data_format": self.data_format,
            }
        )
        return config
