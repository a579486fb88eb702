"""Array helpers tutorials use: `to_categorical`, `normalize`."""

from __future__ import annotations

import numpy as np

from lamina.errors import ArgumentError


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """Class indices to one-hot rows (float32), as ``keras.utils.to_categorical``.

    Example:
        >>> to_categorical([0, 2], num_classes=3)
        array([[1., 0., 0.],
               [0., 0., 1.]], dtype=float32)

    Args:
        x: integer class indices, any shape (a trailing axis of size 1 is dropped).
        num_classes: the number of classes; ``max(x) + 1`` by default.

    Returns:
        an array of shape ``x.shape + (num_classes,)``.
    """
    y = np.asarray(x)
    if hasattr(x, "detach"):
        y = x.detach().cpu().numpy()
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(np.equal(np.mod(y, 1), 0)):
            raise ArgumentError(
                "to_categorical expects integer class indices; received non-integer "
                "values."
            )
    y = y.astype("int64")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ArgumentError(
            f"to_categorical: class indices must be non-negative, found {int(y.min())}."
        )
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and int(y.max()) >= num_classes:
        raise ArgumentError(
            f"to_categorical: class index {int(y.max())} is out of range for "
            f"num_classes={num_classes}."
        )
    categorical = np.zeros((y.shape[0], num_classes), dtype="float32")
    categorical[np.arange(y.shape[0]), y] = 1.0
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (zero rows stay zero)."""
    x = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
