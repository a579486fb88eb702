"""Core tensor operations (Keras 3's ``keras.ops.core``) on torch tensors.

Also home of the one conversion helper every ``lamina.ops`` function uses:
it turns numpy arrays, Python scalars and lists into torch tensors (float64
becomes floatx, as in `lamina.backend.convert_to_tensor`), leaves torch tensors
where they are, and refuses symbolic KerasTensors with one clear message.

Example:

>>> from lamina import ops
>>> ops.shape(ops.slice(ops.zeros((4, 5)), (1, 0), (2, 3)))
(2, 3)
"""

from __future__ import annotations

import builtins
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError


def _is_symbolic(x: Any) -> bool:
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return any(_is_symbolic(item) for item in x)
    return False


def _symbolic_error() -> ArgumentError:
    # The public op is the first frame up the stack that is not a private
    # helper; looked up only on this error path, so the normal path pays nothing.
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name.startswith("_"):
        frame = frame.f_back
    op = frame.f_code.co_name if frame is not None else "op"
    return ArgumentError(
        f"lamina.ops.{op} runs on real torch tensors, but received a symbolic "
        "KerasTensor (a functional-model input or layer output). To use ops in "
        "a functional model, wrap the computation in a layer, e.g. "
        f"`lamina.layers.Lambda(lambda t: lamina.ops.{op}(t, ...))(x)`, or call "
        "it inside a custom layer's `call`."
    )


def _tensor(x: Any, dtype: Any = None, device: Any = None) -> torch.Tensor:
    """``x`` as a torch tensor; a tensor stays on its own device."""
    if isinstance(x, torch.Tensor):
        if dtype is not None:
            torch_dtype = backend.to_torch_dtype(dtype)
            if x.dtype != torch_dtype:
                return x.to(torch_dtype)
        return x
    if _is_symbolic(x):
        raise _symbolic_error()
    if isinstance(x, (list, tuple)) and any(isinstance(i, torch.Tensor) for i in x):
        t = torch.stack([_tensor(i, device=device) for i in x])
        return t if dtype is None else t.to(backend.to_torch_dtype(dtype))
    t = backend.convert_to_tensor(x, dtype)
    return t if device is None else t.to(device)


def _pair(x1: Any, x2: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Two operands as tensors on one device, Python scalars weakly typed."""
    if isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor):
        return x1, x2
    if isinstance(x1, torch.Tensor):
        return x1, _scalar_like(x2, x1)
    if isinstance(x2, torch.Tensor):
        return _scalar_like(x1, x2), x2
    return _tensor(x1), _tensor(x2)


def _scalar_like(x: Any, ref: torch.Tensor) -> torch.Tensor:
    # A Python number takes the tensor's dtype when it fits its kind
    # (float32 tensor + 2.0 stays float32), as in Keras and numpy 2.
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        return torch.as_tensor(x, dtype=torch.result_type(ref, x), device=ref.device)
    return _tensor(x, device=ref.device)


def _floating(x: torch.Tensor) -> torch.Tensor:
    """Integers and bools as floatx, for ops whose result is a real number."""
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(backend.to_torch_dtype(backend.floatx()))


# ------------------------------------------------------------ public ops


def cast(x: Any, dtype: Any) -> torch.Tensor:
    """Cast a tensor to ``dtype``.

    Args:
        x: Input tensor.
        dtype: Target dtype, a Keras name (``"float32"``) or a torch dtype.

    Example:

    >>> cast([1.7, -2.2], "int32")
    tensor([ 1, -2], dtype=torch.int32)
    """
    return _tensor(x, dtype=dtype)


def convert_to_tensor(
    x: Any, dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None
) -> torch.Tensor:
    """Convert an array, list, scalar or tensor to a torch tensor.

    Args:
        x: The value to convert.
        dtype: Target dtype; by default the value's own (float64 becomes floatx).
        sparse: Sparse tensors are not supported; must be falsy.
        ragged: Ragged tensors are not supported; must be falsy.

    Example:

    >>> convert_to_tensor(np.ones(2)).dtype
    torch.float32
    """
    if sparse or ragged:
        raise ArgumentError(
            "convert_to_tensor: sparse and ragged tensors are not supported, "
            f"received sparse={sparse!r}, ragged={ragged!r}."
        )
    return _tensor(x, dtype=dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A numpy array holding the values of ``x`` (copied to the host).

    Example:

    >>> convert_to_numpy(torch.tensor([1, 2]))
    array([1, 2])
    """
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if _is_symbolic(x):
        raise _symbolic_error()
    return np.asarray(x)


def shape(x: Any) -> tuple[int, ...]:
    """The shape of ``x`` as a tuple of ints.

    Example:

    >>> shape(torch.zeros(2, 3))
    (2, 3)
    """
    return tuple(_tensor(x).shape)


def dtype(x: Any) -> str:
    """The Keras dtype name of ``x`` (e.g. ``"float32"``).

    Example:

    >>> dtype(torch.zeros(2))
    'float32'
    """
    return backend.standardize_dtype(_tensor(x).dtype)


def stop_gradient(variable: Any) -> torch.Tensor:
    """The same values, with no gradient flowing back through them.

    Example:

    >>> stop_gradient(torch.ones(2, requires_grad=True)).requires_grad
    False
    """
    return _tensor(variable).detach()


def _check_start(inputs: torch.Tensor, start_indices: Sequence, op: str) -> None:
    if len(start_indices) != inputs.ndim:
        raise ArgumentError(
            f"{op}: `start_indices` needs one index per axis of the input "
            f"(rank {inputs.ndim}), received start_indices={tuple(start_indices)}."
        )


def _starts(start_indices: Any) -> list[int]:
    if isinstance(start_indices, torch.Tensor):
        return [int(i) for i in start_indices.tolist()]
    return [int(i) for i in start_indices]


def slice(inputs: Any, start_indices: Any, shape: Sequence[int]) -> torch.Tensor:  # noqa: A001
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``.

    Args:
        inputs: Input tensor.
        start_indices: One start index per axis.
        shape: The size of the block along each axis.

    Example:

    >>> slice(torch.arange(10).reshape(2, 5), (0, 1), (2, 2))
    tensor([[1, 2],
            [6, 7]])
    """
    inputs = _tensor(inputs)
    starts = _starts(start_indices)
    _check_start(inputs, starts, "slice")
    out = inputs
    for axis, (start, size) in enumerate(zip(starts, shape)):
        out = out.narrow(axis, start, int(size))
    return out


def slice_update(inputs: Any, start_indices: Any, updates: Any) -> torch.Tensor:
    """A copy of ``inputs`` with the block at ``start_indices`` set to ``updates``.

    Example:

    >>> slice_update(torch.zeros(4), (1,), torch.ones(2))
    tensor([0., 1., 1., 0.])
    """
    inputs = _tensor(inputs)
    updates = _tensor(updates, dtype=inputs.dtype, device=inputs.device)
    starts = _starts(start_indices)
    _check_start(inputs, starts, "slice_update")
    index = tuple(
        builtins.slice(start, start + size)
        for start, size in zip(starts, updates.shape)
    )
    out = inputs.clone()
    out[index] = updates
    return out


def scatter(indices: Any, values: Any, shape: Sequence[int]) -> torch.Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``indices``.

    Repeated indices add up, as in Keras.

    Args:
        indices: Integer tensor of shape ``(N, k)``: ``N`` positions, each
            indexing the first ``k`` axes.
        values: Tensor of shape ``(N,) + shape[k:]``.
        shape: The output shape.

    Example:

    >>> scatter([[0], [2], [2]], [1.0, 2.0, 3.0], (4,))
    tensor([1., 0., 5., 0.])
    """
    values = _tensor(values)
    indices = _tensor(indices, device=values.device).long()
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    out.index_put_(tuple(indices.unbind(-1)), values, accumulate=True)
    return out


def cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    """``true_fn()`` if ``pred`` is true, else ``false_fn()``.

    A tensor ``pred`` is read on the host (one sync).

    Example:

    >>> cond(torch.tensor(True), lambda: 1, lambda: 2)
    1
    """
    if _is_symbolic(pred):
        raise _symbolic_error()
    return true_fn() if bool(pred) else false_fn()


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor.

    Example:

    >>> is_tensor(torch.zeros(1)), is_tensor([0.0])
    (True, False)
    """
    return isinstance(x, torch.Tensor)


def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[torch.Tensor]:
    """Split ``x`` along ``axis`` into a list of tensors of one rank less.

    Example:

    >>> [t.tolist() for t in unstack(torch.tensor([[1, 2], [3, 4]]))]
    [[1, 2], [3, 4]]
    """
    x = _tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ArgumentError(
            f"unstack: `num` must equal the size of axis {axis}, "
            f"{x.shape[axis]}, received num={num}."
        )
    return list(torch.unbind(x, dim=axis))


__all__ = [
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "dtype",
    "is_tensor",
    "scatter",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "unstack",
]
