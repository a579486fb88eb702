"""Turning metric inputs into torch tensors and lining up their ranks.

Everything here runs once per training step, so it only looks at shapes and
dtypes (host-side facts) and never reads tensor values back to the host.
"""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.backend.tensor_ops import squeeze_or_expand_to_same_rank
from lamina.errors import ShapeError


def to_tensor(x, dtype: torch.dtype | None = None, device=None) -> torch.Tensor:
    """``x`` as a torch tensor on ``device``.

    Without ``device``, a tensor stays where it is and anything else goes to
    lamina's device. A tensor already right is returned as it is (no copy).
    Python floats and float64 arrays become ``floatx`` unless ``dtype`` says
    otherwise, as Keras converts them.
    """
    if isinstance(x, torch.Tensor):
        return x.to(device=device, dtype=dtype)
    if device is None:
        device = backend.device()
    array = np.asarray(x)
    if dtype is None and array.dtype == np.float64:
        dtype = backend.to_torch_dtype(backend.floatx())
    return torch.as_tensor(array, dtype=dtype, device=device)


def tensor_like(x, reference: torch.Tensor) -> torch.Tensor:
    """``x`` on ``reference``'s device with ``reference``'s dtype."""
    return to_tensor(x, dtype=reference.dtype, device=reference.device)


def to_float_tensor(x) -> torch.Tensor:
    """``x`` as a tensor; integer and bool data become ``floatx``."""
    x = to_tensor(x)
    if not x.is_floating_point():
        x = x.to(backend.to_torch_dtype(backend.floatx()))
    return x


def float_pair(y_true, y_pred, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``y_true`` and ``y_pred`` as float tensors of one shape (Keras's rank rule).

    ``y_true`` takes ``y_pred``'s dtype and device; a trailing axis of size 1
    is added or dropped as Keras does; then the shapes must be equal.
    """
    y_pred = to_float_tensor(y_pred)
    y_true = tensor_like(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    check_same_shape(y_true, y_pred, where)
    return y_true, y_pred


def check_same_shape(y_true: torch.Tensor, y_pred: torch.Tensor, where: str) -> None:
    """Raise a ShapeError unless ``y_true`` and ``y_pred`` have one shape.

    Element-wise metrics would otherwise broadcast ``(n,)`` against ``(m, n)``
    into a number that means nothing.
    """
    if y_true.shape != y_pred.shape:
        raise ShapeError(
            f"{where}: `y_true` and `y_pred` must have the same shape (after "
            "dropping a trailing axis of size 1). Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )


def broadcast_weights(
    sample_weight: torch.Tensor, shape: torch.Size, where: str
) -> torch.Tensor:
    """``sample_weight`` broadcast to ``shape``, or a ShapeError saying why not."""
    try:
        return sample_weight.broadcast_to(shape)
    except RuntimeError:
        raise ShapeError(
            f"{where}: `sample_weight` of shape {tuple(sample_weight.shape)} cannot "
            f"be broadcast to the values' shape {tuple(shape)}. Pass one weight "
            "per sample, shape (batch_size,), or a shape that broadcasts."
        ) from None
