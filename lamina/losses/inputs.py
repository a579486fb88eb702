"""How the loss functions take ``y_true`` and ``y_pred``: as tensors on one device.

``y_pred`` becomes a floating tensor (floatx unless it already is one);
``y_true`` follows its dtype and device, or becomes int64 class labels. The
conversions cost nothing when the inputs already are such tensors, as they
are on every training step.

Example:

>>> y_true, y_pred = float_pair([[0, 1]], [[0.2, 0.8]])
>>> y_true.dtype
torch.float32
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from lamina import backend


def float_tensor(x: Any) -> torch.Tensor:
    """``y_pred`` as a floating tensor (floatx unless it already is one).

    Example:

    >>> float_tensor([1, 2]).dtype
    torch.float32
    """
    if not isinstance(x, torch.Tensor):
        x = backend.convert_to_tensor(x)
    return (
        x if x.is_floating_point() else x.to(backend.to_torch_dtype(backend.floatx()))
    )


def tensor_like(x: Any, ref: torch.Tensor) -> torch.Tensor:
    """``y_true`` in ``ref``'s dtype and on ``ref``'s device.

    Example:

    >>> tensor_like([1, 0], torch.zeros(2)).dtype
    torch.float32
    """
    if isinstance(x, torch.Tensor):
        if x.dtype == ref.dtype and x.device == ref.device:
            return x
        return x.to(device=ref.device, dtype=ref.dtype)
    return torch.as_tensor(np.asarray(x), dtype=ref.dtype, device=ref.device)


def label_tensor(x: Any, ref: torch.Tensor) -> torch.Tensor:
    """Integer class labels as int64 on ``ref``'s device.

    Example:

    >>> label_tensor([1.0, 2.0], torch.zeros(2, 3)).dtype
    torch.int64
    """
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.long and x.device == ref.device:
            return x
        return x.to(device=ref.device, dtype=torch.long)
    return torch.as_tensor(np.asarray(x), device=ref.device).long()


def float_pair(y_true: Any, y_pred: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """``(y_true, y_pred)``: `float_tensor` of ``y_pred``, ``y_true`` like it.

    Example:

    >>> y_true, y_pred = float_pair([[0, 1]], [[0.2, 0.8]])
    """
    y_pred = float_tensor(y_pred)
    return tensor_like(y_true, y_pred), y_pred
