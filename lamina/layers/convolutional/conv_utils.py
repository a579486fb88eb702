"""Argument checks and padding arithmetic shared by convolution and pooling layers.

Keras's ``"same"`` padding is TensorFlow's: the total padding along an axis is
``max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)`` and the odd element goes
at the end (bottom/right). torch's ``padding=`` is symmetric, so where the two
sides differ the layers pad explicitly with ``F.pad`` first.
"""

from __future__ import annotations

import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError

AXIS_NAMES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}


def as_tuple(value, n: int) -> tuple | None:
    """An int repeated ``n`` times, or ``n`` items, as a tuple; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    try:
        values = tuple(value)
    except TypeError:
        return None
    return values if len(values) == n else None


def normalize_tuple(
    value, n: int, name: str, layer: str, allow_zero: bool = False
) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints as a tuple of ``n`` positive ints.

    Raises:
        ArgumentError: naming ``layer`` and ``name`` when the value is not ``n``
            integers, or one of them is negative (or zero, unless ``allow_zero``).
    """
    kind = "non-negative" if allow_zero else "positive"
    message = (
        f"{layer}: the `{name}` argument must be a {kind} integer or a tuple "
        f"of {n} {kind} integers. Received: {name}={value!r}"
    )
    values = as_tuple(value, n)
    if values is None:
        raise ArgumentError(message)
    result = []
    for item in values:
        if isinstance(item, float) and item.is_integer():
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            raise ArgumentError(message)
        if item < 0 or (item == 0 and not allow_zero):
            raise ArgumentError(message)
        result.append(int(item))
    return tuple(result)


def normalize_padding(value, layer: str, allow_causal: bool = False) -> str:
    """``"valid"``, ``"same"`` (or ``"causal"`` where allowed), lower-cased."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ArgumentError(
            f"{layer}: the `padding` argument must be one of "
            f"{', '.join(map(repr, allowed))}. Received: padding={value!r}"
        )
    return padding


def normalize_data_format(value, layer: str) -> str:
    """``data_format`` or the global default (``image_data_format()``), checked."""
    if value is None:
        return backend.image_data_format()
    data_format = str(value).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            f"{layer}: the `data_format` argument must be one of 'channels_last', "
            f"'channels_first'. Received: data_format={value!r}"
        )
    return data_format


def positive_int(value, name: str, layer: str, allow_none: bool = False):
    """``value`` as a positive int (integral floats accepted), else ArgumentError."""
    if value is None and allow_none:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ArgumentError(
            f"{layer}: the `{name}` argument must be a positive integer. "
            f"Received: {name}={value!r}"
        )
    return value


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1):
    """(before, after) padding of TensorFlow's ``"same"``: extra at the end."""
    effective = (kernel - 1) * dilation + 1
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def conv_output_length(size, kernel: int, padding: str, stride: int, dilation: int = 1):
    """Output length along one axis (``None`` stays ``None``)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - (kernel - 1) * dilation - 1) // stride + 1
    return (size + stride - 1) // stride  # "same" and "causal"


def check_input_rank(layer, input_shape, rank: int, data_format: str) -> int | None:
    """Check the rank of a conv/pooling input; return its channel count.

    Raises:
        ShapeError: e.g. ``Conv2D expects a 4-D input (batch, height, width,
            channels), received shape (None, 28, 28)``.
    """
    shape = tuple(input_shape)
    axes = AXIS_NAMES[rank]
    layout = (
        ("batch", "channels", *axes)
        if data_format == "channels_first"
        else ("batch", *axes, "channels")
    )
    if len(shape) != rank + 2:
        raise ShapeError(
            f"Layer '{layer.name}': {type(layer).__name__} expects a {rank + 2}-D "
            f"input ({', '.join(layout)}), received shape {shape}."
        )
    return shape[1] if data_format == "channels_first" else shape[-1]


def spatial_shape(input_shape, data_format: str) -> tuple:
    shape = tuple(input_shape)
    return shape[2:] if data_format == "channels_first" else shape[1:-1]


def check_window_fits(
    layer, input_shape, window: tuple, data_format: str, what: str = "kernel"
) -> None:
    """With ``"valid"`` padding a window larger than the input has no output."""
    sizes = spatial_shape(input_shape, data_format)
    for size, k in zip(sizes, window):
        if size is not None and k > size:
            raise ShapeError(
                f"Layer '{layer.name}': the {what} (size {window} including dilation) "
                f"is larger than the input's spatial shape {tuple(sizes)} (full input "
                f"shape {tuple(input_shape)}) with padding='valid', so the output "
                "would be empty. Use padding='same', a smaller window or a larger "
                "input."
            )


def pad_for_same(
    x: torch.Tensor, kernel: tuple, strides: tuple, dilation: tuple, value: float = 0.0
):
    """Prepare a channels-first tensor for a ``"same"`` torch convolution/pooling.

    Returns ``(x, padding)``: when every axis pads evenly, ``x`` is unchanged and
    ``padding`` is the per-axis amount for torch's symmetric ``padding=``;
    otherwise ``x`` is explicitly padded (extra at the end, as TensorFlow) and
    ``padding`` is 0.
    """
    pads = [
        same_padding(size, k, s, d)
        for size, k, s, d in zip(x.shape[2:], kernel, strides, dilation)
    ]
    if all(before == after for before, after in pads):
        return x, [before for before, _ in pads]
    flat = []
    for before, after in reversed(pads):  # F.pad lists the last axis first
        flat += [before, after]
    return torch.nn.functional.pad(x, flat, value=value), 0


# Keras 1 argument names of the convolution and pooling layers -> Keras 2/3 names.
_KERAS_1_NAMES = {
    "nb_filter": "filters",
    "filter_length": "kernel_size",
    "border_mode": "padding",
    "subsample": "strides",
    "subsample_length": "strides",
    "atrous_rate": "dilation_rate",
    "init": "kernel_initializer",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
    "dim_ordering": "data_format",
    "pool_length": "pool_size",
    "stride": "strides",
}
_DIM_ORDERING = {"tf": "channels_last", "th": "channels_first", "default": None}


def keras_1_arguments(layer: str, kwargs: dict) -> dict:
    """Take Keras 1 argument names out of ``kwargs``; return them renamed.

    ``nb_row``/``nb_col`` become ``kernel_size`` and ``dim_ordering`` values
    ``"tf"``/``"th"`` become ``data_format`` values. Each old name warns once
    (DeprecationWarning) with its modern spelling.
    """
    from lamina.errors import warn_deprecated_once

    modern = {}
    for old, new in _KERAS_1_NAMES.items():
        if old in kwargs:
            warn_deprecated_once(
                f"{layer}.{old}", f"{layer}({old}=...) is deprecated; use {new}=..."
            )
            value = kwargs.pop(old)
            if old == "dim_ordering":
                value = _DIM_ORDERING.get(value, value)
            modern[new] = value
    if "nb_row" in kwargs or "nb_col" in kwargs:
        warn_deprecated_once(
            f"{layer}.nb_row",
            f"{layer}(nb_row=..., nb_col=...) is "
            "deprecated; use kernel_size=(rows, cols)",
        )
        modern["kernel_size"] = (kwargs.pop("nb_row", None), kwargs.pop("nb_col", None))
    return modern


def apply_keras_1_arguments(layer: str, args, kwargs: dict) -> None:
    """Move Keras 1 names from ``kwargs`` onto the layer's arguments ``args``.

    A Keras 1 name wins over the modern argument's value; one that is not an
    argument of this layer stays in ``kwargs`` (and `Layer` rejects it).
    """
    for name, value in keras_1_arguments(layer, kwargs).items():
        if hasattr(args, name):
            setattr(args, name, value)
        else:
            kwargs[name] = value
