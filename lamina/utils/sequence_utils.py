"""`pad_sequences`: lists of variable-length sequences to one 2D (or more) array."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lamina.errors import ArgumentError, ShapeError


def pad_sequences(
    sequences: Sequence,
    maxlen: int | None = None,
    dtype: str | type = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: float | str = 0.0,
) -> np.ndarray:
    """Pads (and truncates) sequences to the same length.

    Sequences shorter than ``maxlen`` (default: the longest one) are filled
    with ``value``; longer ones lose their first (``truncating="pre"``) or
    last (``"post"``) items. Each item may itself be an array: all of them
    must have the shape of the first non-empty sequence's items.

    Example:
        >>> lamina.utils.pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2)
        array([[0, 1],
               [2, 3],
               [5, 6]], dtype=int32)

    Args:
        sequences: a list of sequences (lists or arrays of numbers).
        maxlen: the output length; default: the longest sequence's length.
        dtype: the output dtype (``object`` for variable length strings).
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a longer sequence
            is cut off.
        value: the padding value.

    Returns:
        A numpy array of shape ``(len(sequences), maxlen) + item_shape``.
    """
    if not hasattr(sequences, "__len__"):
        raise ArgumentError(
            f"pad_sequences: `sequences` must be a list of sequences, received "
            f"{type(sequences).__name__}."
        )
    if padding not in ("pre", "post"):
        raise ArgumentError(
            f'pad_sequences: `padding` must be "pre" or "post", received {padding!r}.'
        )
    if truncating not in ("pre", "post"):
        raise ArgumentError(
            f'pad_sequences: `truncating` must be "pre" or "post", received '
            f"{truncating!r}."
        )
    lengths = []
    item_shape: tuple = ()
    found_item_shape = False
    for index, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ArgumentError(
                f"pad_sequences: `sequences` must be a list of sequences; the item at "
                f"position {index} is not one: {seq!r}."
            )
        lengths.append(len(seq))
        if not found_item_shape and len(seq):
            item_shape = np.asarray(seq).shape[1:]
            found_item_shape = True
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0
    elif maxlen < 0:
        raise ArgumentError(f"pad_sequences: `maxlen` must be >= 0, received {maxlen}.")
    is_text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text_dtype:
        raise ArgumentError(
            f"pad_sequences: `dtype` {dtype} cannot hold the string `value` "
            f"{value!r}; pass dtype=object for variable length strings."
        )
    out = np.full((len(sequences), maxlen) + item_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for index, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ShapeError(
                f"pad_sequences: the items of the sequence at position {index} have "
                f"shape {kept.shape[1:]}, expected {item_shape} (the shape of the "
                "first non-empty sequence's items)."
            )
        if padding == "post":
            out[index, : len(kept)] = kept
        else:
            out[index, -len(kept) :] = kept
    return out
