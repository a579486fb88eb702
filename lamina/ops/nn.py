"""Neural-network operations (Keras 3's ``keras.ops.nn``) on torch tensors.

Activations and crossentropies are the functions of `lamina.activations` and
`lamina.backend.nn` (one implementation per concept), under Keras's ``ops``
signatures: ``gelu`` defaults to the tanh approximation here, and
``binary_crossentropy`` is elementwise (the loss averages over the last axis).

Example:

>>> from lamina import ops
>>> ops.softmax(torch.tensor([0.0, 0.0]))
tensor([0.5000, 0.5000])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from lamina import activations, backend
from lamina.backend import nn as backend_nn
from lamina.errors import ArgumentError
from lamina.ops.core import _floating, _tensor


def relu(x: Any) -> torch.Tensor:
    """``max(x, 0)``. Example: ``relu([-1.0, 2.0])``."""
    return activations.relu(_tensor(x))


def relu6(x: Any) -> torch.Tensor:
    """``min(max(x, 0), 6)``. Example: ``relu6([7.0])``."""
    return activations.relu6(_tensor(x))


def sigmoid(x: Any) -> torch.Tensor:
    """``1 / (1 + exp(-x))``. Example: ``sigmoid([0.0])``."""
    return activations.sigmoid(_tensor(x))


def softplus(x: Any) -> torch.Tensor:
    """``log(1 + exp(x))``. Example: ``softplus([0.0])``."""
    return activations.softplus(_tensor(x))


def softsign(x: Any) -> torch.Tensor:
    """``x / (1 + |x|)``. Example: ``softsign([1.0])``."""
    return activations.softsign(_tensor(x))


def silu(x: Any) -> torch.Tensor:
    """``x * sigmoid(x)`` (also called swish). Example: ``silu([1.0])``."""
    return activations.silu(_tensor(x))


swish = silu


def gelu(x: Any, approximate: bool = True) -> torch.Tensor:
    """Gaussian error linear unit; the tanh approximation by default, as
    ``keras.ops.gelu`` (the activation defaults to the exact form).

    Example:

    >>> gelu(torch.tensor([1.0]), approximate=False)
    tensor([0.8413])
    """
    return activations.gelu(_tensor(x), approximate=approximate)


def elu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``x`` if positive, else ``alpha * (exp(x) - 1)``. Example: ``elu([-1.0])``."""
    return activations.elu(_tensor(x), alpha=alpha)


def selu(x: Any) -> torch.Tensor:
    """Scaled ELU (Klambauer et al., 2017). Example: ``selu([-1.0])``."""
    return activations.selu(_tensor(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` if positive, else ``negative_slope * x``.

    Example: ``leaky_relu([-1.0])``.
    """
    return activations.leaky_relu(_tensor(x), negative_slope=negative_slope)


def hard_sigmoid(x: Any) -> torch.Tensor:
    """Piecewise-linear sigmoid ``clip(x / 6 + 0.5, 0, 1)``.

    Example: ``hard_sigmoid([0.0])``.
    """
    return activations.hard_sigmoid(_tensor(x))


def softmax(x: Any, axis: int = -1) -> torch.Tensor:
    """Softmax over ``axis``. Example: ``softmax([1.0, 2.0])``."""
    return activations.softmax(_floating(_tensor(x)), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> torch.Tensor:
    """``log(softmax(x))`` computed stably. Example: ``log_softmax([1.0, 2.0])``."""
    return activations.log_softmax(_floating(_tensor(x)), axis=axis)


def _check_dense(sparse: bool, op: str) -> None:
    if sparse:
        raise ArgumentError(
            f"{op}: sparse outputs are not supported, received sparse=True."
        )


def one_hot(
    x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
) -> torch.Tensor:
    """One-hot encoding of integer class ids; ids outside
    ``[0, num_classes)`` (such as -1) give all-zero rows, as in Keras.

    Args:
        x: Integer class ids.
        num_classes: Size of the class axis.
        axis: Where the class axis goes in the output.
        dtype: Output dtype; floatx by default.
        sparse: Must be False.

    Example:

    >>> one_hot(torch.tensor([1, -1]), 3)
    tensor([[0., 1., 0.],
            [0., 0., 0.]])
    """
    _check_dense(sparse, "one_hot")
    x = _tensor(x).long()
    classes = torch.arange(num_classes, device=x.device)
    # A comparison rather than F.one_hot: out-of-range ids become zero rows
    # instead of an error, with no host sync to check them.
    out = (x.unsqueeze(-1) == classes).to(
        backend.to_torch_dtype(dtype or backend.floatx())
    )
    return out if axis == -1 else out.movedim(-1, axis)


def multi_hot(
    inputs: Any,
    num_classes: int | None = None,
    axis: int = -1,
    dtype: Any = None,
    sparse: bool = False,
    **kwargs: Any,
) -> torch.Tensor:
    """Multi-hot encoding: for each sample (row), 1 at every class it lists.

    Args:
        inputs: Integer class ids, ``(samples, ids)`` or a single ``(ids,)``.
        num_classes: Size of the class axis (``num_tokens`` is accepted).
        axis: Where the class axis goes in the output.
        dtype: Output dtype; floatx by default.
        sparse: Must be False.

    Example:

    >>> multi_hot(torch.tensor([[0, 2], [1, 1]]), 3)
    tensor([[1., 0., 1.],
            [0., 1., 0.]])
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if kwargs:
        raise ArgumentError(f"multi_hot: unexpected arguments {sorted(kwargs)}.")
    if num_classes is None:
        raise ArgumentError("multi_hot: `num_classes` is required, received None.")
    _check_dense(sparse, "multi_hot")
    x = _tensor(inputs)
    encoded = one_hot(x, num_classes, axis=axis, dtype=dtype)
    return torch.amax(encoded, dim=1 if x.ndim > 1 else 0)


def binary_crossentropy(
    target: Any, output: Any, from_logits: bool = False
) -> torch.Tensor:
    """Elementwise binary crossentropy (no mean over any axis).

    Example:

    >>> binary_crossentropy(torch.tensor([1.0, 0.0]), torch.tensor([0.9, 0.2]))
    tensor([0.1054, 0.2231])
    """
    output = _floating(_tensor(output))
    target = _tensor(target, dtype=output.dtype).to(output.device)
    return backend_nn.binary_crossentropy(target, output, from_logits)


def categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Crossentropy between one-hot (or soft) targets and probabilities or logits.

    Example:

    >>> categorical_crossentropy(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]]))
    tensor([0.6931])
    """
    output = _floating(_tensor(output))
    target = _tensor(target).to(output.device, output.dtype)
    return backend_nn.categorical_crossentropy(target, output, from_logits, axis)


def sparse_categorical_crossentropy(
    target: Any, output: Any, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Crossentropy between integer class ids and probabilities or logits.

    Example:

    >>> sparse_categorical_crossentropy(torch.tensor([1]), torch.tensor([[0.5, 0.5]]))
    tensor([0.6931])
    """
    output = _floating(_tensor(output))
    target = _tensor(target).to(output.device, torch.long)
    return backend_nn.sparse_categorical_crossentropy(target, output, from_logits, axis)


def moments(
    x: Any, axes: Sequence[int], keepdims: bool = False, synchronized: bool = False
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (population) variance over ``axes``.

    Args:
        x: Input tensor.
        axes: Axes to reduce.
        keepdims: Keep the reduced axes with size 1.
        synchronized: Only meaningful for distributed TensorFlow; ignored.

    Example:

    >>> moments(torch.tensor([1.0, 3.0]), axes=[0])
    (tensor(2.), tensor(1.))
    """
    x = _floating(_tensor(x))
    dims = tuple(axes) if not isinstance(axes, int) else (axes,)
    var, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=keepdims)
    return mean, var


def normalize(
    x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None
) -> torch.Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``).

    Example:

    >>> normalize(torch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    if not isinstance(order, int) or order < 1:
        raise ArgumentError(
            f"normalize: `order` must be an int >= 1, received order={order!r}."
        )
    x = _floating(_tensor(x))
    if x.ndim == 0:
        x = x.unsqueeze(0)
    epsilon = backend.epsilon() if epsilon is None else epsilon
    if order == 2:
        # As Keras: x * rsqrt(sum(x^2)), the inverse norm capped at 1 / epsilon.
        inv_norm = torch.rsqrt(torch.square(x).sum(dim=axis, keepdim=True))
        return x * torch.clamp(inv_norm, max=1.0 / epsilon)
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(norm, min=epsilon)


__all__ = [
    "binary_crossentropy",
    "categorical_crossentropy",
    "elu",
    "gelu",
    "hard_sigmoid",
    "leaky_relu",
    "log_softmax",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "sparse_categorical_crossentropy",
    "swish",
]
