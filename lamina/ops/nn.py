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

import builtins
import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as tnn

from lamina import activations, backend
from lamina.backend import nn as backend_nn
from lamina.backend.dtypes import result_type
from lamina.errors import ArgumentError, ShapeError, warn_deprecated_once
from lamina.ops.core import _floating, _pair, _tensor


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


# ------------------------------------------------------- more activations


def _activation(name: str, kernel, doc: str):
    """The op ``name(x)``: ``kernel`` on ``x`` as a tensor."""

    def op(x: Any) -> torch.Tensor:
        return kernel(_tensor(x))

    op.__name__ = op.__qualname__ = name
    op.__module__ = __name__
    op.__doc__ = doc
    return op


def _sparse_plus(x: torch.Tensor) -> torch.Tensor:
    quadratic = 0.25 * (x + 1) ** 2
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x < 1, quadratic, x))


def _sparse_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return torch.clamp(0.5 * (x + 1), 0.0, 1.0).to(x.dtype)


# fmt: off
hard_silu = _activation("hard_silu", tnn.hardswish, "``x * relu6(x + 3) / 6``. Example: ``hard_silu([-1.0, 1.0])``.")
hard_swish = _activation("hard_swish", tnn.hardswish, "Same as ``hard_silu``. Example: ``hard_swish([-1.0, 1.0])``.")
hard_tanh = _activation("hard_tanh", tnn.hardtanh, "``x`` clipped to ``[-1, 1]``. Example: ``hard_tanh([-2.0, 0.5])``.")
log_sigmoid = _activation("log_sigmoid", tnn.logsigmoid, "``log(sigmoid(x))``, computed stably. Example: ``log_sigmoid([0.0])``.")
tanh_shrink = _activation("tanh_shrink", tnn.tanhshrink, "``x - tanh(x)``. Example: ``tanh_shrink([1.0])``.")
sparse_plus = _activation("sparse_plus", _sparse_plus, "0 below -1, ``(x + 1)**2 / 4`` up to 1, then ``x``. Example: ``sparse_plus([0.0])``.")
sparse_sigmoid = _activation("sparse_sigmoid", _sparse_sigmoid, "0 below -1, ``(x + 1) / 2`` up to 1, then 1. Example: ``sparse_sigmoid([0.0])``.")
# fmt: on


def celu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``.

    Example: ``celu([-1.0, 1.0])``.
    """
    return tnn.celu(_tensor(x), alpha=alpha)


def glu(x: Any, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the
    second.

    Example: ``glu([[1.0, 2.0, 0.0, 0.0]])``.
    """
    return tnn.glu(_tensor(x), dim=axis)


def hard_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold``, else 0. Example: ``hard_shrink([0.3, 0.7])``."""
    return tnn.hardshrink(_tensor(x), lambd=threshold)


def soft_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """``x`` moved ``threshold`` towards zero, 0 inside ``[-threshold, threshold]``.

    Example: ``soft_shrink([0.3, 0.7])``.
    """
    return tnn.softshrink(_tensor(x), lambd=threshold)


def squareplus(x: Any, b: float = 4) -> torch.Tensor:
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU. Example: ``squareplus([0.0])``."""
    x = _tensor(x)
    return (x + torch.sqrt(x**2 + _tensor(b, device=x.device))) / 2


def threshold(x: Any, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``.

    Example: ``threshold([0.5, 2.0], 1.0, 0.0)``.
    """
    return tnn.threshold(_tensor(x), threshold=threshold, value=default_value)


def sparsemax(x: Any, axis: int = -1) -> torch.Tensor:
    """Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of ``x``
    onto the probability simplex along ``axis``; unlike softmax, it gives
    exact zeros.

    Example:

    >>> sparsemax(torch.tensor([2.0, 1.0, -1.0]))
    tensor([1., 0., 0.])
    """
    x = _tensor(x)
    ordered = torch.sort(x, dim=axis, descending=True).values
    running = torch.cumsum(ordered, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    rank = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype, device=x.device).view(
        shape
    )
    in_support = ordered - (running - 1) / rank > 0
    size = in_support.sum(dim=axis, keepdim=True)
    total = torch.where(in_support, running, 0.0).sum(dim=axis, keepdim=True)
    tau = (total - 1) / size
    return torch.clamp(x - tau, min=0.0)


def polar(abs_: Any, angle: Any) -> torch.Tensor:
    """The complex numbers of magnitude ``abs_`` and angle ``angle`` (radians).

    Example: ``polar([1.0], [0.0])``.
    """
    abs_, angle = _pair(abs_, angle)
    return torch.complex(abs_ * torch.cos(angle), abs_ * torch.sin(angle))


def psnr(x1: Any, x2: Any, max_val: Any) -> torch.Tensor:
    """Peak signal-to-noise ratio (dB) of ``x2`` against ``x1``, whose values
    range up to ``max_val``.

    Example: ``psnr(image, noisy_image, 1.0)``.
    """
    x1, x2 = _pair(x1, x2)
    if x1.shape != x2.shape:
        raise ShapeError(
            f"psnr: the inputs must have the same shape, received {tuple(x1.shape)} "
            f"and {tuple(x2.shape)}."
        )
    peak = _tensor(max_val, dtype=x1.dtype, device=x1.device)
    mse = torch.mean((x1 - x2) ** 2)
    return 20 * torch.log10(peak) - 10 * torch.log10(mse)


# ----------------------------------------------------------- normalization


def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    axis: int,
    offset: Any = None,
    scale: Any = None,
    epsilon: float = 1e-3,
) -> torch.Tensor:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, with the 1-D
    statistics laid along ``axis``.

    Example: ``batch_normalization(x, mean, variance, axis=-1)``.
    """
    x = _tensor(x)
    shape = [1] * x.ndim
    shape[axis] = -1

    def along_axis(v):
        return None if v is None else _tensor(v, device=x.device).reshape(shape)

    mean, variance = along_axis(mean), along_axis(variance)
    offset, scale = along_axis(offset), along_axis(scale)
    inv = torch.rsqrt(variance + epsilon)
    if scale is not None:
        inv = inv * scale
    out = (x - mean) * inv
    return out if offset is None else out + offset


def _reduced_axes(x: torch.Tensor, axis) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    return sorted(a % x.ndim for a in axes)


def _is_trailing(axes: list[int], ndim: int) -> bool:
    """Whether ``axes`` are the last ones, which torch's fused kernels take."""
    return axes == list(range(ndim - len(axes), ndim))


def layer_normalization(
    x: Any,
    gamma: Any = None,
    beta: Any = None,
    axis: int | Sequence[int] = -1,
    epsilon: float | None = None,
    **kwargs: Any,
) -> torch.Tensor:
    """Normalize ``x`` to zero mean and unit variance over ``axis``, then scale
    by ``gamma`` and shift by ``beta``. Computed in at least float32; the
    result has ``x``'s dtype.

    Args:
        x: Input tensor.
        gamma: Optional scale, shaped like the normalized axes.
        beta: Optional shift, shaped like the normalized axes.
        axis: The axis or axes to normalize over.
        epsilon: Added to the variance (``backend.epsilon()`` by default).

    Example: ``layer_normalization(x, axis=-1)``.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise ArgumentError(
            f"layer_normalization: unexpected arguments {sorted(kwargs)}."
        )
    if rms_scaling:
        warn_deprecated_once(
            "layer_normalization(rms_scaling=True)",
            "`rms_scaling=True` scales by the variance, not the root mean "
            "square; use `lamina.ops.rms_normalization` instead.",
        )
    epsilon = backend.epsilon() if epsilon is None else epsilon
    x = _tensor(x)
    original = x.dtype
    x = x.to(torch.promote_types(original, torch.float32))
    axes = _reduced_axes(x, axis)
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]

    def prepared(v):
        if v is None:
            return None
        v = _tensor(v, dtype=x.dtype, device=x.device)
        return v.reshape(shape) if v.ndim != x.ndim else v

    gamma, beta = prepared(gamma), prepared(beta)
    if rms_scaling:
        out = x * torch.rsqrt(x.var(dim=axes, correction=0, keepdim=True) + epsilon)
        out = out if gamma is None else out * gamma
    elif _is_trailing(axes, x.ndim):
        normalized = tuple(x.shape[a] for a in axes)
        gamma = None if gamma is None else gamma.reshape(normalized)
        beta = None if beta is None else beta.reshape(normalized)
        out = tnn.layer_norm(x, normalized, gamma, beta, epsilon)
    else:
        var, mean = torch.var_mean(x, dim=axes, correction=0, keepdim=True)
        out = (x - mean) * torch.rsqrt(var + epsilon)
        out = out if gamma is None else out * gamma
        out = out if beta is None else out + beta
    return out.to(original)


def rms_normalization(
    x: Any,
    scale: Any = None,
    axis: int | Sequence[int] = -1,
    epsilon: float | None = None,
) -> torch.Tensor:
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``, computed in at
    least float32; the result has ``x``'s dtype.

    Example: ``rms_normalization(x, scale=gamma)``.
    """
    epsilon = backend.epsilon() if epsilon is None else epsilon
    x = _tensor(x)
    original = x.dtype
    x = x.to(torch.promote_types(original, torch.float32))
    if x.ndim == 0:
        x = x.reshape(1)
    axes = _reduced_axes(x, axis)
    scale = None if scale is None else _tensor(scale, dtype=x.dtype, device=x.device)
    out = x * torch.rsqrt(torch.mean(x * x, dim=axes, keepdim=True) + epsilon)
    if scale is not None:
        out = out * scale
    return out.to(original)


# ------------------------------------------------- convolution and pooling
# The ops take Keras's layouts (channels last by default; kernels shaped
# (*spatial, in_channels, out_channels)) and run torch's channels-first
# kernels. Keras's "same" padding is TensorFlow's: the odd element of an
# uneven padding goes at the end, so those cases pad explicitly first.


def _data_format(data_format: str | None) -> str:
    data_format = backend.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            "`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def _channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return x.movedim(-1, 1) if data_format == "channels_last" else x


def _restore_layout(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return x.movedim(1, -1) if data_format == "channels_last" else x


def _spatial_tuple(value, rank: int, name: str) -> tuple[int, ...]:
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or not builtins.all(
        isinstance(v, int) and v > 0 for v in values
    ):
        raise ArgumentError(
            f"`{name}` must be a positive int or a tuple of {rank} positive ints, "
            f"received {name}={value!r}."
        )
    return values


def _spatial_rank(x: torch.Tensor, op: str) -> int:
    if x.ndim not in (3, 4, 5):
        raise ShapeError(
            f"{op}: the input must be 3-D, 4-D or 5-D (batch, spatial axes, "
            f"channels), received shape {tuple(x.shape)}."
        )
    return x.ndim - 2


def _padding(padding: str) -> str:
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ArgumentError(
            f"`padding` must be 'valid' or 'same', received {padding!r}."
        )
    return padding


def _same_pads(sizes, kernel, strides, dilation) -> list[tuple[int, int]]:
    """TensorFlow's "same" (before, after) padding of each spatial axis."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        span = (k - 1) * d + 1
        total = builtins.max((math.ceil(n / s) - 1) * s + span - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _apply_same(x: torch.Tensor, pads, value: float = 0.0):
    """``x`` and the ``padding=`` argument for torch: symmetric pads go to the
    kernel; uneven ones are applied here with ``value``."""
    if builtins.all(before == after for before, after in pads):
        return x, [before for before, _ in pads]
    flat = [p for pair in reversed(pads) for p in pair]
    return tnn.pad(x, flat, value=value), 0


_MAX_POOL = {1: tnn.max_pool1d, 2: tnn.max_pool2d, 3: tnn.max_pool3d}
_AVG_POOL = {1: tnn.avg_pool1d, 2: tnn.avg_pool2d, 3: tnn.avg_pool3d}


def max_pool(
    inputs: Any,
    pool_size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Maximum over each window of ``pool_size`` (1-D, 2-D or 3-D inputs).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first).
        pool_size: The window size, an int or one per spatial axis.
        strides: The window step; ``pool_size`` by default.
        padding: ``"valid"`` or ``"same"`` (output size ``ceil(n / stride)``).
        data_format: ``"channels_last"`` or ``"channels_first"``;
            ``image_data_format()`` by default.

    Example: ``max_pool(images, 2)``.
    """
    data_format = _data_format(data_format)
    x = _tensor(inputs)
    rank = _spatial_rank(x, "max_pool")
    pool_size = _spatial_tuple(pool_size, rank, "pool_size")
    strides = pool_size if strides is None else _spatial_tuple(strides, rank, "strides")
    x = _channels_first(x, data_format)
    pad = 0
    if _padding(padding) == "same":
        pads = _same_pads(x.shape[2:], pool_size, strides, (1,) * rank)
        x, pad = _apply_same(x, pads, value=-math.inf)
    out = _MAX_POOL[rank](x, pool_size, strides, pad)
    return _restore_layout(out, data_format)


def average_pool(
    inputs: Any,
    pool_size: int | Sequence[int],
    strides: int | Sequence[int] | None = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> torch.Tensor:
    """Mean over each window of ``pool_size``; with ``"same"`` padding, over the
    window's real elements only (as TensorFlow).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first).
        pool_size: The window size, an int or one per spatial axis.
        strides: The window step; ``pool_size`` by default.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example: ``average_pool(images, 2)``.
    """
    data_format = _data_format(data_format)
    x = _tensor(inputs)
    rank = _spatial_rank(x, "average_pool")
    pool_size = _spatial_tuple(pool_size, rank, "pool_size")
    strides = pool_size if strides is None else _spatial_tuple(strides, rank, "strides")
    x = _channels_first(x, data_format)
    pool = functools.partial(_AVG_POOL[rank], kernel_size=pool_size, stride=strides)
    if _padding(padding) == "valid":
        out = pool(x)
    else:
        pads = _same_pads(x.shape[2:], pool_size, strides, (1,) * rank)
        padded, pad = _apply_same(x, pads)
        if padded is x:
            out = pool(x, padding=pad, count_include_pad=False)
        else:
            # Uneven padding: sum over the zero-padded input, divided by the
            # number of real elements in each window.
            ones = _apply_same(torch.ones_like(x[:1, :1]), pads)[0]
            out = pool(padded) / pool(ones)
    return _restore_layout(out, data_format)


_ADAPTIVE = {
    "average": {
        1: tnn.adaptive_avg_pool1d,
        2: tnn.adaptive_avg_pool2d,
        3: tnn.adaptive_avg_pool3d,
    },
    "max": {
        1: tnn.adaptive_max_pool1d,
        2: tnn.adaptive_max_pool2d,
        3: tnn.adaptive_max_pool3d,
    },
}


def _adaptive_pool(kind: str, inputs, output_size, data_format) -> torch.Tensor:
    data_format = _data_format(data_format)
    x = _tensor(inputs)
    rank = _spatial_rank(x, f"adaptive_{kind}_pool")
    size = _spatial_tuple(output_size, rank, "output_size")
    out = _ADAPTIVE[kind][rank](_channels_first(x, data_format), size)
    return _restore_layout(out, data_format)


def adaptive_average_pool(
    inputs: Any, output_size: int | Sequence[int], data_format: str | None = None
) -> torch.Tensor:
    """Average pooling to a fixed ``output_size``: each output element averages
    the input window ``[floor(i * n / m), ceil((i + 1) * n / m))``.

    Example: ``adaptive_average_pool(images, (2, 2))``.
    """
    return _adaptive_pool("average", inputs, output_size, data_format)


def adaptive_max_pool(
    inputs: Any, output_size: int | Sequence[int], data_format: str | None = None
) -> torch.Tensor:
    """Max pooling to a fixed ``output_size`` (windows as in
    `adaptive_average_pool`).

    Example: ``adaptive_max_pool(images, (2, 2))``.
    """
    return _adaptive_pool("max", inputs, output_size, data_format)


_CONV = {1: tnn.conv1d, 2: tnn.conv2d, 3: tnn.conv3d}
_CONV_TRANSPOSE = {
    1: tnn.conv_transpose1d,
    2: tnn.conv_transpose2d,
    3: tnn.conv_transpose3d,
}


def _torch_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """Keras's ``(*spatial, a, b)`` kernel as torch's ``(b, a, *spatial)``."""
    spatial = tuple(range(kernel.ndim - 2))
    return kernel.permute(kernel.ndim - 1, kernel.ndim - 2, *spatial)


def _common(x: torch.Tensor, kernel: torch.Tensor):
    if x.dtype == kernel.dtype:
        return x, kernel
    common = backend.to_torch_dtype(result_type(x.dtype, kernel.dtype))
    return x.to(common), kernel.to(common)


def conv(
    inputs: Any,
    kernel: Any,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """N-D convolution (cross-correlation, as in every deep learning library).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first), 1 to 3
            spatial axes.
        kernel: ``(*kernel_size, in_channels / groups, out_channels)``; an
            input with ``groups`` times the kernel's channels is a grouped
            convolution.
        strides: The step, an int or one per spatial axis.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: The kernel's dilation, an int or one per spatial axis.

    Example: ``conv(images, kernel, padding="same")``.
    """
    data_format = _data_format(data_format)
    x, kernel = _common(_tensor(inputs), _tensor(kernel))
    x = _channels_first(x, data_format)
    return _restore_layout(
        _conv_channels_first(x, kernel, strides, padding, dilation_rate), data_format
    )


def _conv_channels_first(x, kernel, strides, padding, dilation_rate) -> torch.Tensor:
    rank = _spatial_rank(x, "conv")
    strides = _spatial_tuple(strides, rank, "strides")
    dilation = _spatial_tuple(dilation_rate, rank, "dilation_rate")
    weight = _torch_kernel(kernel)
    if x.shape[1] % weight.shape[1]:
        raise ShapeError(
            f"conv: the input's {x.shape[1]} channels are not a multiple of the "
            f"kernel's {weight.shape[1]} input channels."
        )
    groups = x.shape[1] // weight.shape[1]
    pad = 0
    if _padding(padding) == "same":
        pads = _same_pads(x.shape[2:], weight.shape[2:], strides, dilation)
        x, pad = _apply_same(x, pads)
    return _CONV[rank](x, weight, None, strides, pad, dilation, groups)


def depthwise_conv(
    inputs: Any,
    kernel: Any,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """Convolve each input channel separately, with ``depth_multiplier``
    filters each.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first).
        kernel: ``(*kernel_size, channels, depth_multiplier)``.
        strides, padding, data_format, dilation_rate: as in `conv`.

    Example: ``depthwise_conv(images, kernel)``.
    """
    kernel = _tensor(kernel)
    channels = kernel.shape[-2] * kernel.shape[-1]
    grouped = kernel.reshape(tuple(kernel.shape[:-2]) + (1, channels))
    _check_depthwise_channels(_tensor(inputs), kernel, data_format)
    return conv(inputs, grouped, strides, padding, data_format, dilation_rate)


def _check_depthwise_channels(x: torch.Tensor, kernel: torch.Tensor, data_format):
    channels = x.shape[-1 if _data_format(data_format) == "channels_last" else 1]
    if channels != kernel.shape[-2]:
        raise ShapeError(
            f"depthwise_conv: the input has {channels} channels but the kernel "
            f"expects {kernel.shape[-2]} (its second-to-last axis)."
        )


def separable_conv(
    inputs: Any,
    depthwise_kernel: Any,
    pointwise_kernel: Any,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """A `depthwise_conv`, then a 1x1 `conv` mixing the channels.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first).
        depthwise_kernel: ``(*kernel_size, channels, depth_multiplier)``.
        pointwise_kernel: ``(1, ..., channels * depth_multiplier, filters)``.
        strides, padding, data_format, dilation_rate: as in `conv` (for the
            depthwise step).

    Example: ``separable_conv(images, depthwise, pointwise)``.
    """
    depthwise = depthwise_conv(
        inputs, depthwise_kernel, strides, padding, data_format, dilation_rate
    )
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, dilation_rate)


def _transpose_crops(kernel, stride, dilation, padding, output_padding):
    """(left, right) amounts to cut from torch's full transposed output (negative:
    zeros to add) so its length is Keras's."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = (
            builtins.max(span, stride) - span
            if output_padding is None
            else output_padding
        )
        return 0, -extra
    if output_padding is None:
        total = stride + span - 2  # an output of size * stride
    else:
        total = span + span % 2 - 2 + output_padding
    left = builtins.min(total // 2 + total % 2, span - 1)
    return span - 1 - left, span - 1 - (total - left)


def conv_transpose(
    inputs: Any,
    kernel: Any,
    strides: int | Sequence[int] = 1,
    padding: str = "valid",
    output_padding: int | Sequence[int] | None = None,
    data_format: str | None = None,
    dilation_rate: int | Sequence[int] = 1,
) -> torch.Tensor:
    """Transposed convolution (the gradient of `conv`), with Keras's output
    sizes: ``"same"`` gives ``size * stride``, ``"valid"`` ``(size - 1) *
    stride + max(kernel, stride)``, unless ``output_padding`` says otherwise.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels first).
        kernel: ``(*kernel_size, out_channels, in_channels)``.
        strides: The step, an int or one per spatial axis.
        padding: ``"valid"`` or ``"same"``.
        output_padding: Extra size at the end of each spatial axis.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        dilation_rate: The kernel's dilation.

    Example: ``conv_transpose(images, kernel, strides=2, padding="same")``.
    """
    data_format = _data_format(data_format)
    x, kernel = _common(_tensor(inputs), _tensor(kernel))
    x = _channels_first(x, data_format)
    rank = _spatial_rank(x, "conv_transpose")
    strides = _spatial_tuple(strides, rank, "strides")
    dilation = _spatial_tuple(dilation_rate, rank, "dilation_rate")
    extras = (
        (None,) * rank
        if output_padding is None
        else (
            (output_padding,) * rank
            if isinstance(output_padding, int)
            else tuple(output_padding)
        )
    )
    padding = _padding(padding)
    if x.shape[1] != kernel.shape[-1]:
        raise ShapeError(
            f"conv_transpose: the input has {x.shape[1]} channels but the kernel "
            f"expects {kernel.shape[-1]} (its last axis)."
        )
    # torch's unpadded output, (size - 1) * stride + span long, then cut (or
    # zero-extended) at each end to Keras's window.
    out = _CONV_TRANSPOSE[rank](
        x, _torch_kernel(kernel), None, strides, 0, 0, 1, dilation
    )
    settings = zip(kernel.shape[:-2], strides, dilation, extras)
    for dim, (k, s, d, extra) in enumerate(settings, start=2):
        left, right = _transpose_crops(k, s, d, padding, extra)
        cut_left, cut_right = builtins.max(left, 0), builtins.max(right, 0)
        out = out.narrow(dim, cut_left, out.shape[dim] - cut_left - cut_right)
        if left < 0 or right < 0:
            after = [0, 0] * (out.ndim - dim - 1)
            out = tnn.pad(
                out, after + [builtins.max(-left, 0), builtins.max(-right, 0)]
            )
    return _restore_layout(out, data_format)


def unfold(
    x: Any,
    kernel_size: int | Sequence[int],
    dilation: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    stride: int | Sequence[int] = 1,
) -> torch.Tensor:
    """Sliding blocks of a ``(N, C, H, W)`` tensor as columns: ``(N, C * kh *
    kw, blocks)`` (im2col).

    Example: ``unfold(images_nchw, 2)``.
    """
    x = _tensor(x)
    if x.ndim != 4:
        raise ShapeError(
            f"unfold: the input must be 4-D, received shape {tuple(x.shape)}."
        )
    return tnn.unfold(x, kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(
    x: Any,
    output_size: int | Sequence[int],
    kernel_size: int | Sequence[int],
    dilation: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    stride: int | Sequence[int] = 1,
) -> torch.Tensor:
    """The inverse of `unfold`: ``(N, C * kh * kw, blocks)`` columns summed back
    into a ``(N, C, *output_size)`` tensor (col2im; overlaps add up).

    Example: ``fold(columns, (4, 4), 2)``.
    """
    x = _tensor(x)
    if x.ndim != 3:
        raise ShapeError(
            f"fold: the input must be 3-D, received shape {tuple(x.shape)}."
        )
    return tnn.fold(
        x, output_size, kernel_size, dilation=dilation, padding=padding, stride=stride
    )


def _block_size(block_size: int) -> int:
    if block_size < 2:
        raise ArgumentError(f"`block_size` must be at least 2, received {block_size}.")
    return block_size


def depth_to_space(
    x: Any, block_size: int, data_format: str = "channels_last"
) -> torch.Tensor:
    """Move channel blocks into ``block_size x block_size`` spatial tiles:
    ``(N, H, W, C)`` becomes ``(N, H * b, W * b, C / b**2)`` (TensorFlow's order).

    Example: ``depth_to_space(x, 2)``.
    """
    b = _block_size(block_size)
    data_format = _data_format(data_format)
    x = _channels_first(_tensor(x), data_format)
    n, c, h, w = x.shape
    if data_format == "channels_last":
        # Channels ordered (block row, block column, channel), as TensorFlow.
        x = x.reshape(n, b, b, c // b**2, h, w).permute(0, 3, 4, 1, 5, 2)
    else:
        x = x.reshape(n, c // b**2, b, b, h, w).permute(0, 1, 4, 2, 5, 3)
    x = x.reshape(n, c // b**2, h * b, w * b)
    return _restore_layout(x, data_format)


def space_to_depth(
    x: Any, block_size: int, data_format: str = "channels_last"
) -> torch.Tensor:
    """The inverse of `depth_to_space`: ``block_size x block_size`` spatial tiles
    stacked into channels, ``(N, H, W, C)`` to ``(N, H / b, W / b, C * b**2)``.

    Example: ``space_to_depth(x, 2)``.
    """
    b = _block_size(block_size)
    data_format = _data_format(data_format)
    x = _channels_first(_tensor(x), data_format)
    n, c, h, w = x.shape
    x = x.reshape(n, c, h // b, b, w // b, b)
    if data_format == "channels_last":
        x = x.permute(0, 3, 5, 1, 2, 4)  # channels ordered (row, column, channel)
    else:
        x = x.permute(0, 1, 3, 5, 2, 4)  # channels ordered (channel, row, column)
    x = x.reshape(n, c * b * b, h // b, w // b)
    return _restore_layout(x, data_format)


# ---------------------------------------------------------------- CTC


def ctc_loss(
    target: Any,
    output: Any,
    target_length: Any,
    output_length: Any,
    mask_index: int = 0,
) -> torch.Tensor:
    """Connectionist temporal classification loss per sequence.

    Args:
        target: Integer labels, ``(batch, max_label_length)`` (padding past
            ``target_length`` is ignored).
        output: Logits, ``(batch, max_time, classes)``.
        target_length: Each label sequence's length, ``(batch,)``.
        output_length: Each logit sequence's length, ``(batch,)``.
        mask_index: The blank class.

    Returns:
        ``(batch,)`` negative log-likelihoods (at least float32).

    Example: ``ctc_loss(labels, logits, label_lengths, logit_lengths)``.
    """
    target = _tensor(target)
    output = _tensor(output)
    output = output.to(torch.promote_types(output.dtype, torch.float32))
    device = output.device
    log_probs = tnn.log_softmax(output.transpose(0, 1), dim=-1)
    return tnn.ctc_loss(
        log_probs,
        target.to(device).long(),
        _tensor(output_length, device=device).long(),
        _tensor(target_length, device=device).long(),
        blank=mask_index,
        reduction="none",
    )


def ctc_decode(
    inputs: Any,
    sequence_lengths: Any,
    strategy: str = "greedy",
    beam_width: int = 100,
    top_paths: int = 1,
    merge_repeated: bool = True,
    mask_index: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Decode CTC outputs into label sequences.

    Args:
        inputs: ``(batch, max_time, classes)`` scores (logits or log
            probabilities).
        sequence_lengths: Each sequence's length, ``(batch,)``.
        strategy: ``"greedy"`` (the best class per step) or ``"beam_search"``.
        beam_width: Beams kept per step (beam search).
        top_paths: How many best paths to return (beam search).
        merge_repeated: Greedy: merge repeated classes.
        mask_index: The blank class (None: the last class).

    Returns:
        ``(paths, scores)``: ``paths`` is ``(top_paths, batch, max_time)``
        int32, each path's labels followed by -1 padding; ``scores`` is
        ``(batch, top_paths)``: for greedy, minus the sum of the chosen
        scores; for beam search, each path's log probability.

    Example: ``paths, scores = ctc_decode(logits, lengths)``.
    """
    inputs = _tensor(inputs)
    inputs = inputs.to(torch.promote_types(inputs.dtype, torch.float32))
    lengths = _tensor(sequence_lengths, device=inputs.device).long()
    blank = inputs.shape[-1] - 1 if mask_index is None else mask_index
    if strategy == "greedy":
        return _ctc_greedy(inputs, lengths, merge_repeated, blank)
    if strategy == "beam_search":
        return _ctc_beam_search(inputs, lengths, beam_width, top_paths, blank)
    raise ArgumentError(
        f"ctc_decode: `strategy` must be 'greedy' or 'beam_search', received {strategy!r}."
    )


def _ctc_greedy(inputs, lengths, merge_repeated: bool, blank: int):
    batch, steps, _ = inputs.shape
    best, labels = inputs.max(dim=-1)
    past_end = torch.arange(steps, device=inputs.device) >= lengths[:, None]
    labels = torch.where(past_end, blank, labels)
    best = torch.where(past_end, 0.0, best)
    if merge_repeated:
        repeated = torch.zeros_like(past_end)
        repeated[:, 1:] = labels[:, 1:] == labels[:, :-1]
        labels = torch.where(repeated, blank, labels)
    dropped = labels == blank
    # Kept labels first, in order; the dropped ones become -1 at the end.
    order = torch.where(dropped, steps, torch.arange(steps, device=inputs.device))
    order = torch.argsort(order, dim=-1, stable=True)
    labels = torch.where(dropped, -1, labels).gather(-1, order)
    return labels.to(torch.int32).unsqueeze(0), -best.sum(dim=1, keepdim=True)


def _ctc_beam_search(inputs, lengths, beam_width: int, top_paths: int, blank: int):
    """CTC prefix beam search, one sequence at a time, in log space."""
    batch, steps, _ = inputs.shape
    log_probs = tnn.log_softmax(inputs, dim=-1).detach().cpu().double().numpy()
    paths = np.full((top_paths, batch, steps), -1, dtype=np.int32)
    scores = np.full((batch, top_paths), -np.inf)
    for b in range(batch):
        best = _prefix_beam_search(log_probs[b, : int(lengths[b])], beam_width, blank)
        for rank, (prefix, score) in enumerate(best[:top_paths]):
            paths[rank, b, : len(prefix)] = prefix
            scores[b, rank] = score
    paths_t = torch.as_tensor(paths, device=inputs.device)
    return paths_t, torch.as_tensor(scores, dtype=inputs.dtype, device=inputs.device)


def _log_accumulate(table: dict, prefix: tuple, index: int, value: float) -> None:
    entry = table.setdefault(prefix, [-np.inf, -np.inf])
    entry[index] = np.logaddexp(entry[index], value)


def _prefix_beam_search(log_probs: np.ndarray, beam_width: int, blank: int):
    """The best label prefixes of one sequence with their log probabilities,
    best first. Each beam tracks two log probabilities: ending in a blank,
    and ending in its last label (so "a a" and "a _ a" stay apart)."""
    beams = {(): (0.0, -np.inf)}  # prefix -> (log p ending blank, ending label)
    for row in log_probs:
        extended: dict[tuple, list[float]] = {}
        add = functools.partial(_log_accumulate, extended)
        for prefix, (ends_blank, ends_label) in beams.items():
            total = np.logaddexp(ends_blank, ends_label)
            add(prefix, 0, total + row[blank])
            for label, value in enumerate(row):
                if label == blank:
                    continue
                if prefix and prefix[-1] == label:
                    add(prefix, 1, ends_label + value)  # repeat, merged
                    add(
                        prefix + (label,), 1, ends_blank + value
                    )  # repeat after a blank
                else:
                    add(prefix + (label,), 1, total + value)
        ranked = sorted(
            extended.items(), key=lambda item: np.logaddexp(*item[1]), reverse=True
        )
        beams = {prefix: tuple(p) for prefix, p in ranked[:beam_width]}
    final = [(prefix, float(np.logaddexp(*p))) for prefix, p in beams.items()]
    return sorted(final, key=lambda item: item[1], reverse=True)


# -------------------------------------------------------------- attention


def _large_negative(dtype: torch.dtype) -> float:
    # Not -inf: a fully masked row must stay finite, as in Keras.
    return -0.7 * (65500.0 if dtype == torch.float16 else 3.38953e38)


def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    bias: Any = None,
    mask: Any = None,
    scale: float | None = None,
    is_causal: bool = False,
    flash_attention: bool | None = None,
    attn_logits_soft_cap: float | None = None,
) -> torch.Tensor:
    """Scaled dot-product attention on ``(batch, length, heads, head_dim)``
    tensors, with torch's fused kernels.

    Args:
        query: ``(batch, query_length, heads, head_dim)``.
        key: ``(batch, key_length, kv_heads, head_dim)``; fewer heads than
            the query are shared in groups (grouped-query attention).
        value: ``(batch, key_length, kv_heads, value_dim)``.
        bias: Added to the attention logits (not with ``mask``).
        mask: Boolean, True where attention is allowed; broadcast to
            ``(batch, heads, query_length, key_length)``.
        scale: Multiplies the logits; ``1 / sqrt(head_dim)`` by default.
        is_causal: Let each query attend to keys up to its own position only.
        flash_attention: True requires torch's flash kernel (CUDA, half
            precision); None lets torch choose.
        attn_logits_soft_cap: Not supported outside JAX on TPU, as in Keras.

    Returns:
        ``(batch, query_length, heads, value_dim)``.

    Example: ``dot_product_attention(q, k, v, is_causal=True)``.
    """
    if attn_logits_soft_cap is not None:
        raise ArgumentError(
            "dot_product_attention: `attn_logits_soft_cap` is only supported by "
            "Keras's JAX backend on TPU; pass None."
        )
    query, key, value = (_tensor(t) for t in (query, key, value))
    if query.ndim != 4 or key.ndim != 4 or value.ndim != 4:
        raise ShapeError(
            "dot_product_attention: query, key and value must be 4-D (batch, "
            f"length, heads, dim), received {tuple(query.shape)}, "
            f"{tuple(key.shape)}, {tuple(value.shape)}."
        )
    if bias is not None and mask is not None:
        raise ArgumentError("dot_product_attention: give `bias` or `mask`, not both.")
    common = backend.to_torch_dtype(result_type(query.dtype, key.dtype, value.dtype))
    query, key, value = (t.to(common).transpose(1, 2) for t in (query, key, value))
    heads, kv_heads = query.shape[1], key.shape[1]
    if heads > kv_heads > 1:
        key = key.repeat_interleave(heads // kv_heads, dim=1)
        value = value.repeat_interleave(heads // kv_heads, dim=1)
    logits_mask = None
    if mask is not None:
        allowed = _tensor(mask, device=query.device).to(torch.bool)
        if is_causal:
            causal = torch.ones(
                query.shape[2], key.shape[2], dtype=torch.bool, device=query.device
            )
            allowed = allowed & causal.tril()
            is_causal = False
        logits_mask = torch.where(allowed, 0.0, _large_negative(common)).to(common)
    elif bias is not None:
        logits_mask = _tensor(bias, dtype=common, device=query.device)
    attend = functools.partial(
        tnn.scaled_dot_product_attention,
        query.contiguous(),
        key.contiguous(),
        value.contiguous(),
        attn_mask=logits_mask,
        is_causal=is_causal,
        scale=scale,
    )
    if flash_attention:
        from torch.nn.attention import SDPBackend, sdpa_kernel

        try:
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
                out = attend()
        except RuntimeError as error:
            raise ArgumentError(
                "dot_product_attention: flash_attention=True, but torch's flash "
                f"kernel cannot run these inputs ({error})."
            ) from error
    else:
        out = attend()
    return out.transpose(1, 2)


__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "batch_normalization",
    "binary_crossentropy",
    "categorical_crossentropy",
    "celu",
    "conv",
    "conv_transpose",
    "ctc_decode",
    "ctc_loss",
    "depth_to_space",
    "depthwise_conv",
    "dot_product_attention",
    "elu",
    "fold",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "layer_normalization",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "max_pool",
    "moments",
    "multi_hot",
    "normalize",
    "one_hot",
    "polar",
    "psnr",
    "relu",
    "relu6",
    "rms_normalization",
    "selu",
    "separable_conv",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "space_to_depth",
    "sparse_categorical_crossentropy",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh_shrink",
    "threshold",
    "unfold",
]
