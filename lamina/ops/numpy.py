"""NumPy-style operations (Keras 3's ``keras.ops.numpy``) on torch tensors.

Names, argument names and defaults are Keras's (and so numpy's): ``axis``,
``keepdims``, ``x1``/``x2``. Inputs may be torch tensors, numpy arrays, Python
scalars or lists; results are torch tensors on the input's device. As in
Keras, ``mean`` of integers is floating, ``std``/``var`` are population
statistics (ddof 0) and ``sort``/``argsort`` work along the last axis.

Example:

>>> from lamina import ops
>>> ops.mean(ops.arange(4))
tensor(1.5000)
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _floating, _pair, _tensor

Axis = int | Sequence[int] | None


def _floatx() -> torch.dtype:
    return backend.to_torch_dtype(backend.floatx())


def _dtype_or_floatx(dtype: Any) -> torch.dtype:
    return _floatx() if dtype is None else backend.to_torch_dtype(dtype)


def _keep_int_dtype(result: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    # torch widens integer sums and products to int64; Keras keeps the input's
    # integer dtype (bools count as int32).
    if x.dtype == torch.bool:
        return result.to(torch.int32)
    if not x.is_floating_point() and not x.is_complex() and result.dtype != x.dtype:
        return result.to(x.dtype)
    return result


def _dims(x: torch.Tensor, axis: Axis) -> tuple[int, ...]:
    """``axis`` as a tuple of non-negative dims (all dims for None)."""
    if axis is None:
        return tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = builtins.max(x.ndim, 1)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ArgumentError(
                f"`axis` must be in [{-ndim}, {ndim}) for an input of shape "
                f"{tuple(x.shape)}, received axis={axis}."
            )
    return tuple(a % ndim for a in axes)


def _reduce(fn, x: torch.Tensor, axis: Axis, keepdims: bool) -> torch.Tensor:
    # torch reductions take a tuple of dims; an empty tuple would mean "all"
    # to some of them, so no axes is handled here as "nothing to reduce".
    dims = _dims(x, axis)
    if x.ndim == 0 or not dims:
        return fn(x) if x.ndim == 0 else x
    return fn(x, dim=dims, keepdim=keepdims)


def _one_axis_reduce(fn, x: torch.Tensor, axis: Axis, keepdims: bool):
    # For torch reductions that accept a single dim only (prod, argmax).
    dims = sorted(_dims(x, axis), reverse=True)
    for d in dims:
        x = fn(x, dim=d, keepdim=keepdims)
    return x


def _named(op, name: str, doc: str):
    """``op`` as the public function ``name`` documented by ``doc``."""
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _unary(name: str, kernel, doc: str):
    """The op ``name(x)``: ``kernel`` on ``x`` as a tensor."""

    def op(x: Any) -> torch.Tensor:
        return kernel(_tensor(x))

    return _named(op, name, doc)


def _floating_unary(name: str, kernel, doc: str):
    """The op ``name(x)``: ``kernel`` on ``x`` as a floating tensor."""

    def op(x: Any) -> torch.Tensor:
        return kernel(_floating(_tensor(x)))

    return _named(op, name, doc)


def _binary(name: str, kernel, doc: str):
    """The op ``name(x1, x2)``: ``kernel`` on the inputs as tensors of one dtype."""

    def op(x1: Any, x2: Any) -> torch.Tensor:
        x1, x2 = _pair(x1, x2)
        return kernel(x1, x2)

    return _named(op, name, doc)


# --------------------------------------------------------------- creation


def array(x: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor from array-like data. Example: ``array([1, 2])``."""
    return _tensor(x, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None):
    """Evenly spaced values in ``[start, stop)``.

    Integer arguments give int32 and float arguments floatx, as in Keras.

    Example:

    >>> arange(1, 7, 2)
    tensor([1, 3, 5], dtype=torch.int32)
    """
    if dtype is None:
        is_float = builtins.any(
            isinstance(v, float) or (hasattr(v, "dtype") and "float" in str(v.dtype))
            for v in (start, stop, step)
        )
        dtype = backend.floatx() if is_float else "int32"
    if stop is None:
        start, stop = 0, start
    return torch.arange(
        start,
        stop,
        1 if step is None else step,
        dtype=backend.to_torch_dtype(dtype),
        device=backend.device(),
    )


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def empty(shape: Any, dtype: Any = None) -> torch.Tensor:
    """An uninitialised tensor. Example: ``empty((2, 3))``."""
    return torch.empty(
        _shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )


def zeros(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of zeros (floatx by default). Example: ``zeros((2, 3))``."""
    return torch.zeros(
        _shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )


def ones(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ones (floatx by default). Example: ``ones((2, 3))``."""
    return torch.ones(
        _shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )


def full(shape: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (broadcast), floatx
    unless ``dtype`` is given, as in Keras.

    Example:

    >>> full((2,), 7.0)
    tensor([7., 7.])
    """
    value = _tensor(fill_value, dtype=_dtype_or_floatx(dtype))
    return torch.broadcast_to(value, _shape(shape)).clone()


def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Zeros with the shape (and dtype) of ``x``. Example: ``zeros_like(x)``."""
    x = _tensor(x)
    return torch.zeros_like(
        x, dtype=None if dtype is None else backend.to_torch_dtype(dtype)
    )


def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Ones with the shape (and dtype) of ``x``. Example: ``ones_like(x)``."""
    x = _tensor(x)
    return torch.ones_like(
        x, dtype=None if dtype is None else backend.to_torch_dtype(dtype)
    )


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """``fill_value`` with the shape (and dtype) of ``x``.

    Example:

    >>> full_like(torch.zeros(2), 3)
    tensor([3., 3.])
    """
    x = _tensor(x)
    value = _tensor(fill_value, dtype=dtype or x.dtype, device=x.device)
    return torch.broadcast_to(value, x.shape).clone()


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:  # noqa: N803 - Keras's names
    """A 2-D tensor with ones on the ``k``-th diagonal.

    Example:

    >>> eye(2, 3, k=1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
    """
    M = N if M is None else M  # noqa: N806
    ones_ = torch.ones(N, M, dtype=_dtype_or_floatx(dtype), device=backend.device())
    return ones_.triu(k).tril(k)


def identity(n: int, dtype: Any = None) -> torch.Tensor:
    """The ``n`` x ``n`` identity matrix. Example: ``identity(3)``."""
    return eye(n, dtype=dtype)


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
):
    """``num`` evenly spaced samples from ``start`` to ``stop``.

    ``start`` and ``stop`` may be arrays; the samples then run along ``axis``.

    Args:
        start: First value(s).
        stop: Last value(s) (excluded when ``endpoint=False``).
        num: Number of samples.
        endpoint: Whether ``stop`` is the last sample.
        retstep: Also return the spacing.
        dtype: Result dtype; floatx by default.
        axis: Where the sample axis goes when ``start``/``stop`` are arrays.

    Example:

    >>> linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start_t, stop_t = _pair(start, stop)
    start_t, stop_t = _floating(start_t), _floating(stop_t)
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / builtins.max(div, 1)
    steps = torch.arange(num, dtype=step.dtype, device=step.device)
    steps = steps.reshape((num,) + (1,) * step.ndim)
    samples = start_t + steps * step
    if endpoint and num > 1:
        samples[-1] = stop_t  # exact last sample, as numpy
    samples = torch.movedim(samples, 0, axis) if samples.ndim > 1 else samples
    samples = samples.to(_dtype_or_floatx(dtype))
    return (samples, step) if retstep else samples


def meshgrid(*x: Any, indexing: str = "xy") -> list[torch.Tensor]:
    """Coordinate grids from 1-D coordinate vectors.

    Example:

    >>> [g.shape for g in meshgrid([1, 2, 3], [4, 5])]
    [torch.Size([2, 3]), torch.Size([2, 3])]
    """
    if indexing not in ("xy", "ij"):
        raise ArgumentError(
            f"meshgrid: `indexing` must be 'xy' or 'ij', received {indexing!r}."
        )
    return list(torch.meshgrid(*[_tensor(v) for v in x], indexing=indexing))


def copy(x: Any) -> torch.Tensor:
    """A copy of ``x``. Example: ``copy(x)``."""
    return _tensor(x).clone()


# ------------------------------------------------------------ elementwise
# One-argument ops, one a line: name, torch kernel, docstring.

# fmt: off
abs = _unary("abs", torch.abs, "Elementwise absolute value. Example: ``abs([-1, 2])``.")  # noqa: A001
negative = _unary("negative", torch.neg, "Elementwise ``-x``. Example: ``negative([1, -2])``.")
sign = _unary("sign", torch.sign, "Elementwise sign (-1, 0 or 1). Example: ``sign([-3.0, 0.0, 2.0])``.")
square = _unary("square", torch.square, "Elementwise square. Example: ``square([3])``.")
isfinite = _unary("isfinite", torch.isfinite, 'Elementwise: neither inf nor NaN. Example: ``isfinite([1.0, float("inf")])``.')
isinf = _unary("isinf", torch.isinf, "Elementwise: positive or negative infinity. Example: ``isinf([1.0])``.")
isnan = _unary("isnan", torch.isnan, 'Elementwise: NaN. Example: ``isnan([float("nan")])``.')
logical_not = _unary("logical_not", torch.logical_not, "Elementwise logical NOT. Example: ``logical_not([True, False])``.")
# fmt: on

# The same, computed in floating point (integer inputs become floatx first).
# fmt: off
ceil = _floating_unary("ceil", torch.ceil, "Elementwise ceiling (integers become floatx). Example: ``ceil([1.2])``.")
floor = _floating_unary("floor", torch.floor, "Elementwise floor (integers become floatx). Example: ``floor([1.8])``.")
sqrt = _floating_unary("sqrt", torch.sqrt, "Elementwise square root. Example: ``sqrt([4.0])``.")
reciprocal = _floating_unary("reciprocal", torch.reciprocal, "Elementwise ``1 / x``. Example: ``reciprocal([4.0])``.")
exp = _floating_unary("exp", torch.exp, "Elementwise exponential. Example: ``exp([0.0])``.")
log = _floating_unary("log", torch.log, "Elementwise natural logarithm. Example: ``log([1.0])``.")
log1p = _floating_unary("log1p", torch.log1p, "Elementwise ``log(1 + x)``, exact for small ``x``. Example: ``log1p([0.0])``.")
log2 = _floating_unary("log2", torch.log2, "Elementwise base-2 logarithm. Example: ``log2([8.0])``.")
log10 = _floating_unary("log10", torch.log10, "Elementwise base-10 logarithm. Example: ``log10([100.0])``.")
sin = _floating_unary("sin", torch.sin, "Elementwise sine. Example: ``sin([0.0])``.")
cos = _floating_unary("cos", torch.cos, "Elementwise cosine. Example: ``cos([0.0])``.")
tan = _floating_unary("tan", torch.tan, "Elementwise tangent. Example: ``tan([0.0])``.")
sinh = _floating_unary("sinh", torch.sinh, "Elementwise hyperbolic sine. Example: ``sinh([0.0])``.")
cosh = _floating_unary("cosh", torch.cosh, "Elementwise hyperbolic cosine. Example: ``cosh([0.0])``.")
tanh = _floating_unary("tanh", torch.tanh, "Elementwise hyperbolic tangent. Example: ``tanh([0.0])``.")
# fmt: on


def round(x: Any, decimals: int = 0) -> torch.Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` places. Example: ``round([2.5])``."""
    x = _tensor(x)
    if not x.is_floating_point():
        if decimals >= 0:
            return x
        scale = 10 ** (-decimals)
        return (torch.round(x.double() / scale) * scale).to(x.dtype)
    return torch.round(x, decimals=decimals)


def clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    """Limit values to ``[x_min, x_max]``.

    Example:

    >>> clip(torch.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.int()
    x_min = (
        x_min if isinstance(x_min, (int, float)) else _tensor(x_min, device=x.device)
    )
    x_max = (
        x_max if isinstance(x_max, (int, float)) else _tensor(x_max, device=x.device)
    )
    return torch.clamp(x, x_min, x_max)


# ---------------------------------------------------------------- binary
# Two-argument ops on the inputs as tensors of one dtype, one a line: name,
# torch kernel, docstring.

# fmt: off
add = _binary("add", torch.add, "Elementwise ``x1 + x2``, broadcasting. Example: ``add([1, 2], 3)``.")
subtract = _binary("subtract", torch.subtract, "Elementwise ``x1 - x2``. Example: ``subtract([1, 2], 3)``.")
multiply = _binary("multiply", torch.multiply, "Elementwise ``x1 * x2``. Example: ``multiply([1, 2], 3)``.")
divide = _binary("divide", torch.true_divide, "Elementwise true division (integers give floats). Example: ``divide(1, 4)``.")
floor_divide = _binary("floor_divide", torch.floor_divide, "Elementwise ``floor(x1 / x2)``. Example: ``floor_divide([7, -7], 2)``.")
power = _binary("power", torch.pow, "Elementwise ``x1 ** x2``. Example: ``power([2, 3], 2)``.")
maximum = _binary("maximum", torch.maximum, "Elementwise maximum. Example: ``maximum([1, 5], 3)``.")
minimum = _binary("minimum", torch.minimum, "Elementwise minimum. Example: ``minimum([1, 5], 3)``.")
equal = _binary("equal", torch.eq, "Elementwise ``x1 == x2``. Example: ``equal([1, 2], 2)``.")
not_equal = _binary("not_equal", torch.ne, "Elementwise ``x1 != x2``. Example: ``not_equal([1, 2], 2)``.")
greater = _binary("greater", torch.gt, "Elementwise ``x1 > x2``. Example: ``greater([1, 3], 2)``.")
greater_equal = _binary("greater_equal", torch.ge, "Elementwise ``x1 >= x2``. Example: ``greater_equal([1, 2], 2)``.")
less = _binary("less", torch.lt, "Elementwise ``x1 < x2``. Example: ``less([1, 3], 2)``.")
less_equal = _binary("less_equal", torch.le, "Elementwise ``x1 <= x2``. Example: ``less_equal([1, 3], 2)``.")
logical_and = _binary("logical_and", torch.logical_and, "Elementwise logical AND. Example: ``logical_and([True, True], [True, False])``.")
logical_or = _binary("logical_or", torch.logical_or, "Elementwise logical OR. Example: ``logical_or([True, False], False)``.")
matmul = _binary("matmul", torch.matmul, "Matrix product with numpy's broadcasting rules. Example: ``matmul(a, b)``.")
# fmt: on


def mod(x1: Any, x2: Any) -> torch.Tensor:
    """Elementwise remainder with the sign of ``x2`` (numpy's ``mod``).

    Example:

    >>> mod(torch.tensor([-7, 7]), 3)
    tensor([2, 1])
    """
    x1, x2 = _pair(x1, x2)
    return torch.remainder(x1, x2)


def where(condition: Any, x1: Any = None, x2: Any = None):
    """``x1`` where ``condition`` holds, else ``x2``.

    With only ``condition``, the indices of its non-zero elements, one tensor
    per axis (numpy's ``nonzero``).

    Example:

    >>> where(torch.tensor([True, False]), 1.0, 0.0)
    tensor([1., 0.])
    """
    condition = _tensor(condition)
    if x1 is None and x2 is None:
        return torch.nonzero(condition, as_tuple=True)
    if x1 is None or x2 is None:
        raise ArgumentError(
            "where: give both `x1` and `x2`, or neither; received "
            f"x1={'None' if x1 is None else 'a value'}, "
            f"x2={'None' if x2 is None else 'a value'}."
        )
    x1, x2 = _pair(x1, x2)
    return torch.where(condition.to(device=x1.device, dtype=torch.bool), x1, x2)


# ------------------------------------------------------------- reductions


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes when None).

    Example: ``sum([[1, 2], [3, 4]], axis=0)``.
    """
    x = _tensor(x)
    return _keep_int_dtype(_reduce(torch.sum, x, axis, keepdims), x)


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Arithmetic mean over ``axis``; integer input gives floatx.

    Example:

    >>> mean(torch.tensor([1, 2]))
    tensor(1.5000)
    """
    return _reduce(torch.mean, _floating(_tensor(x)), axis, keepdims)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (ddof 0) over ``axis``. Example: ``var([1.0, 3.0])``."""
    x = _floating(_tensor(x))
    dims = _dims(x, axis)
    return torch.var(x, dim=dims, correction=0, keepdim=keepdims)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (ddof 0). Example: ``std([1.0, 3.0])``."""
    x = _floating(_tensor(x))
    dims = _dims(x, axis)
    return torch.std(x, dim=dims, correction=0, keepdim=keepdims)


def max(  # noqa: A001
    x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None
) -> torch.Tensor:
    """Maximum over ``axis``, at least ``initial`` when given.

    Example:

    >>> max(torch.tensor([[1, 5], [3, 2]]), axis=1)
    tensor([5, 3])
    """
    result = _reduce(torch.amax, _tensor(x), axis, keepdims)
    return result if initial is None else torch.clamp(result, min=initial)


def min(  # noqa: A001
    x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None
) -> torch.Tensor:
    """Minimum over ``axis``, at most ``initial`` when given.

    Example: ``min(x, axis=0)``.
    """
    result = _reduce(torch.amin, _tensor(x), axis, keepdims)
    return result if initial is None else torch.clamp(result, max=initial)


def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Maximum over ``axis``. Example: ``amax([1, 5])``."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Minimum over ``axis``. Example: ``amin([1, 5])``."""
    return min(x, axis=axis, keepdims=keepdims)


def prod(
    x: Any, axis: Axis = None, keepdims: bool = False, dtype: Any = None
) -> torch.Tensor:
    """Product over ``axis``. Example: ``prod([[1, 2], [3, 4]], axis=1)``."""
    x = _tensor(x, dtype=dtype)
    if axis is None:
        result = torch.prod(x)
        result = result.reshape((1,) * x.ndim) if keepdims else result
    else:
        result = _one_axis_reduce(torch.prod, x, axis, keepdims)
    return _keep_int_dtype(result, x)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether every element over ``axis`` is true. Example: ``all([True, False])``."""
    return _reduce(torch.all, _tensor(x).bool(), axis, keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether some element over ``axis`` is true. Example: ``any([True, False])``."""
    return _reduce(torch.any, _tensor(x).bool(), axis, keepdims)


def count_nonzero(x: Any, axis: Axis = None) -> torch.Tensor:
    """Number of non-zero elements over ``axis``.

    Example: ``count_nonzero([0, 1, 2])``.
    """
    x = _tensor(x)
    return torch.count_nonzero(x, dim=_dims(x, axis))


def _arg_reduce(fn, x: Any, axis: int | None, keepdims: bool) -> torch.Tensor:
    x = _tensor(x)
    if axis is None:
        result = fn(x.reshape(-1))
        return result.reshape((1,) * x.ndim) if keepdims else result
    return fn(x, dim=_dims(x, axis)[0], keepdim=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the largest value (first one on ties), over the flat tensor when
    ``axis`` is None.

    Example:

    >>> argmax(torch.tensor([[1, 5], [7, 2]]), axis=1)
    tensor([1, 0])
    """
    return _arg_reduce(torch.argmax, x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the smallest value (first one on ties).

    Example: ``argmin([3, 1, 2])``.
    """
    return _arg_reduce(torch.argmin, x, axis, keepdims)


def average(x: Any, axis: Axis = None, weights: Any = None) -> torch.Tensor:
    """Weighted mean over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis to average over; all axes when None.
        weights: Same shape as ``x``, or 1-D along ``axis``.

    Example:

    >>> average(torch.tensor([1.0, 3.0]), weights=torch.tensor([3.0, 1.0]))
    tensor(1.5000)
    """
    x = _floating(_tensor(x))
    if weights is None:
        return mean(x, axis=axis)
    w = _tensor(weights, dtype=x.dtype, device=x.device)
    if w.ndim == 1 and x.ndim > 1 and isinstance(axis, int):
        shape = [1] * x.ndim
        shape[_dims(x, axis)[0]] = w.shape[0]
        w = w.reshape(shape)
    return sum(x * w, axis=axis) / sum(torch.broadcast_to(w, x.shape), axis=axis)


def quantile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th quantile(s) over ``axis``.

    Args:
        x: Input tensor.
        q: Quantile(s) in [0, 1]; a 1-D ``q`` adds a leading result axis.
        axis: Axis or axes to compute over; all when None.
        method: ``"linear"``, ``"lower"``, ``"higher"``, ``"midpoint"`` or
            ``"nearest"``.
        keepdims: Keep the reduced axes with size 1.

    Example:

    >>> quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
    tensor(2.5000)
    """
    methods = ("linear", "lower", "higher", "midpoint", "nearest")
    if method not in methods:
        raise ArgumentError(
            f"quantile: `method` must be one of {methods}, received {method!r}."
        )
    x = _floating(_tensor(x))
    q_t = _tensor(q, dtype=x.dtype, device=x.device)
    dims = _dims(x, axis)
    kept = [d for d in range(x.ndim) if d not in dims]
    # Move the reduced axes to the end and flatten them into one.
    moved = x.permute(kept + list(dims)).reshape([x.shape[d] for d in kept] + [-1])
    result = torch.quantile(moved, q_t, dim=-1, interpolation=method)
    if keepdims:
        shape = list(x.shape)
        for d in dims:
            shape[d] = 1
        result = result.reshape(tuple(q_t.shape) + tuple(shape))
    return result


def median(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Median over ``axis`` (the mean of the middle two for even counts).

    Example:

    >>> median(torch.tensor([1.0, 4.0, 2.0, 3.0]))
    tensor(2.5000)
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative sum along ``axis`` (the flat tensor when None).

    Example:

    >>> cumsum(torch.tensor([1, 2, 3]))
    tensor([1, 3, 6])
    """
    x = _tensor(x, dtype=dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return _keep_int_dtype(torch.cumsum(x, dim=axis), x)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative product along ``axis`` (the flat tensor when None).

    Example:

    >>> cumprod(torch.tensor([1, 2, 3]))
    tensor([1, 2, 6])
    """
    x = _tensor(x, dtype=dtype)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return _keep_int_dtype(torch.cumprod(x, dim=axis), x)


def sort(x: Any, axis: int = -1) -> torch.Tensor:
    """Sorted values along ``axis`` (the flat tensor when None).

    Example:

    >>> sort(torch.tensor([3, 1, 2]))
    tensor([1, 2, 3])
    """
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x: Any, axis: int = -1) -> torch.Tensor:
    """Indices that sort ``x`` along ``axis`` (stable).

    Example:

    >>> argsort(torch.tensor([3, 1, 2]))
    tensor([1, 2, 0])
    """
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True)


# ----------------------------------------------------------- linear algebra


def dot(x1: Any, x2: Any) -> torch.Tensor:
    """numpy's ``dot``: inner product for 1-D, matrix product for 2-D, and for
    N-D a sum over the last axis of ``x1`` and the second-to-last of ``x2``.

    Example:

    >>> dot(torch.tensor([1, 2]), torch.tensor([3, 4]))
    tensor(11)
    """
    x1, x2 = _pair(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return x1 * x2
    if x2.ndim == 1:
        return torch.tensordot(x1, x2, dims=([x1.ndim - 1], [0]))
    return torch.tensordot(x1, x2, dims=([x1.ndim - 1], [x2.ndim - 2]))


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> torch.Tensor:
    """Sum of products over ``axes`` (an int, or two lists of axes).

    Example:

    >>> tensordot(torch.ones(2, 3), torch.ones(3, 4), axes=1).shape
    torch.Size([2, 4])
    """
    x1, x2 = _pair(x1, x2)
    if not isinstance(axes, int):
        axes = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return torch.tensordot(x1, x2, dims=axes)


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> torch.Tensor:
    """Einstein summation. Example: ``einsum("ij,jk->ik", a, b)``."""
    tensors = [_tensor(o) for o in operands]
    return torch.einsum(subscripts, *tensors)


def outer(x1: Any, x2: Any) -> torch.Tensor:
    """Outer product of the flattened inputs. Example: ``outer([1, 2], [3, 4])``."""
    x1, x2 = _pair(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


def diag(x: Any, k: int = 0) -> torch.Tensor:
    """A diagonal matrix from a 1-D tensor, or the ``k``-th diagonal of a 2-D one.

    Example:

    >>> diag(torch.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    x = _tensor(x)
    if x.ndim not in (1, 2):
        raise ShapeError(
            f"diag: `x` must be 1-D or 2-D, received shape {tuple(x.shape)}."
        )
    return torch.diag(x, diagonal=k)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """The diagonal over ``axis1``/``axis2``, as a new last axis.

    Example:

    >>> diagonal(torch.arange(9).reshape(3, 3))
    tensor([0, 4, 8])
    """
    return torch.diagonal(_tensor(x), offset=offset, dim1=axis1, dim2=axis2)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Sum along a diagonal. Example: ``trace(eye(3))``."""
    return diagonal(x, offset, axis1, axis2).sum(-1)


def tril(x: Any, k: int = 0) -> torch.Tensor:
    """Lower triangle (elements above the ``k``-th diagonal zeroed).

    Example: ``tril(x)``.
    """
    return torch.tril(_tensor(x), diagonal=k)


def triu(x: Any, k: int = 0) -> torch.Tensor:
    """Upper triangle (elements below the ``k``-th diagonal zeroed).

    Example: ``triu(x)``.
    """
    return torch.triu(_tensor(x), diagonal=k)


# ----------------------------------------------------------- shape & layout


def reshape(x: Any, newshape: Any) -> torch.Tensor:
    """``x`` with a new shape (one entry may be -1).

    Example: ``reshape(x, (2, -1))``.
    """
    return torch.reshape(_tensor(x), _shape(newshape))


def ravel(x: Any) -> torch.Tensor:
    """``x`` flattened to 1-D. Example: ``ravel([[1, 2], [3, 4]])``."""
    return _tensor(x).reshape(-1)


def expand_dims(x: Any, axis: int | Sequence[int]) -> torch.Tensor:
    """Insert size-1 axes at ``axis`` (an int or a tuple, in the output's axes).

    Example:

    >>> expand_dims(torch.zeros(2, 3), (0, -1)).shape
    torch.Size([1, 2, 3, 1])
    """
    x = _tensor(x)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    for a in sorted(a % out_ndim for a in axes):
        x = x.unsqueeze(a)
    return x


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> torch.Tensor:
    """Remove size-1 axes (all of them, or those in ``axis``).

    Example:

    >>> squeeze(torch.zeros(1, 2, 1), axis=0).shape
    torch.Size([2, 1])
    """
    x = _tensor(x)
    if axis is None:
        return x.squeeze()
    dims = _dims(x, axis)
    for d in dims:
        if x.shape[d] != 1:
            raise ShapeError(
                f"squeeze: axis {d} of an input of shape {tuple(x.shape)} has "
                f"size {x.shape[d]}, expected size 1."
            )
    return x.squeeze(dims)


def transpose(x: Any, axes: Sequence[int] | None = None) -> torch.Tensor:
    """Permute the axes (reverse them when ``axes`` is None).

    Example: ``transpose(x)``.
    """
    x = _tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim - 1, -1, -1))
    return x.permute(tuple(axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> torch.Tensor:
    """Swap two axes. Example: ``swapaxes(x, 0, 1)``."""
    return torch.swapaxes(_tensor(x), axis1, axis2)


def moveaxis(x: Any, source: Any, destination: Any) -> torch.Tensor:
    """Move axes to new positions. Example: ``moveaxis(x, 0, -1)``."""
    return torch.movedim(_tensor(x), source, destination)


def broadcast_to(x: Any, shape: Any) -> torch.Tensor:
    """``x`` broadcast to ``shape``. Example: ``broadcast_to([1, 2], (3, 2))``."""
    return torch.broadcast_to(_tensor(x), _shape(shape))


def flip(x: Any, axis: Axis = None) -> torch.Tensor:
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example:

    >>> flip(torch.tensor([1, 2, 3]))
    tensor([3, 2, 1])
    """
    x = _tensor(x)
    return torch.flip(x, _dims(x, axis))


def tile(x: Any, repeats: Any) -> torch.Tensor:
    """Repeat the whole tensor ``repeats`` times per axis.

    Example: ``tile(x, (2, 1))``.
    """
    return torch.tile(_tensor(x), _shape(repeats))


def repeat(x: Any, repeats: Any, axis: int | None = None) -> torch.Tensor:
    """Repeat each element ``repeats`` times along ``axis`` (flat when None).

    Example:

    >>> repeat(torch.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    x = _tensor(x)
    if not isinstance(repeats, int):
        repeats = _tensor(repeats, device=x.device).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


def concatenate(xs: Sequence[Any], axis: int | None = 0) -> torch.Tensor:
    """Join tensors along an existing axis (flattened first when None).

    Example:

    >>> concatenate([torch.zeros(1, 2), torch.ones(1, 2)]).shape
    torch.Size([2, 2])
    """
    tensors = [_tensor(x) for x in xs]
    if axis is None:
        return torch.cat([t.reshape(-1) for t in tensors])
    return torch.cat(tensors, dim=axis)


def append(x1: Any, x2: Any, axis: int | None = None) -> torch.Tensor:
    """``x2`` appended to ``x1`` along ``axis`` (both flattened when None).

    Example:

    >>> append(torch.tensor([1, 2]), torch.tensor([[3]]))
    tensor([1, 2, 3])
    """
    x1, x2 = _pair(x1, x2)
    return concatenate([x1, x2], axis=axis)


def stack(x: Sequence[Any], axis: int = 0) -> torch.Tensor:
    """Join same-shape tensors along a new axis. Example: ``stack([a, b], axis=1)``."""
    return torch.stack([_tensor(t) for t in x], dim=axis)


def hstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along axis 1 (axis 0 for 1-D inputs). Example: ``hstack([a, b])``."""
    tensors = [_tensor(x) for x in xs]
    return torch.hstack(tensors)


def vstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along axis 0, 1-D inputs as rows. Example: ``vstack([a, b])``."""
    tensors = [_tensor(x) for x in xs]
    return torch.vstack(tensors)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[torch.Tensor]:
    """Split into equal sections, or at the given indices, along ``axis``.

    Example:

    >>> [t.tolist() for t in split(torch.arange(6), 3)]
    [[0, 1], [2, 3], [4, 5]]
    """
    x = _tensor(x)
    if isinstance(indices_or_sections, int):
        size = x.shape[axis]
        if size % indices_or_sections:
            raise ArgumentError(
                f"split: axis {axis} of size {size} cannot be split into "
                f"{indices_or_sections} equal sections; pass a list of split "
                "indices instead."
            )
        return list(torch.tensor_split(x, indices_or_sections, dim=axis))
    indices = [int(i) for i in indices_or_sections]
    return list(torch.tensor_split(x, indices, dim=axis))


def take(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """Elements of ``x`` at ``indices`` along ``axis`` (the flat tensor when None).

    Negative indices count from the end.

    Example:

    >>> take(torch.tensor([[1, 2], [3, 4]]), [1, -1], axis=1)
    tensor([[2, 2],
            [4, 4]])
    """
    x = _tensor(x)
    idx = _tensor(indices, device=x.device).long()
    if axis is None:
        return x.reshape(-1)[idx]
    axis = _dims(x, axis)[0]
    return x[(builtins.slice(None),) * axis + (idx,)]


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """Pick values along ``axis`` by matching index tensors (as numpy).

    Example:

    >>> take_along_axis(torch.tensor([[10, 30, 20]]), torch.tensor([[1]]), axis=1)
    tensor([[30]])
    """
    x = _tensor(x)
    idx = _tensor(indices, device=x.device).long()
    if axis is None:
        x, idx, axis = x.reshape(-1), idx.reshape(-1), 0
    size = x.shape[axis]
    idx = torch.where(idx < 0, idx + size, idx)
    return torch.take_along_dim(x, idx, dim=axis)


def pad(
    x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None
) -> torch.Tensor:
    """Pad ``x`` as numpy's ``pad`` does.

    Args:
        x: Input tensor.
        pad_width: An int, a ``(before, after)`` pair for every axis, or one
            pair per axis.
        mode: ``"constant"``, ``"edge"``, ``"reflect"``, ``"symmetric"`` or
            ``"wrap"``.
        constant_values: The fill value for ``"constant"`` (0 by default).

    Example:

    >>> pad(torch.tensor([1, 2]), (1, 2))
    tensor([0, 1, 2, 0, 0])
    """
    modes = ("constant", "edge", "reflect", "symmetric", "wrap")
    if mode not in modes:
        raise ArgumentError(f"pad: `mode` must be one of {modes}, received {mode!r}.")
    if constant_values is not None and mode != "constant":
        raise ArgumentError(
            f"pad: `constant_values` applies to mode='constant' only, received "
            f"mode={mode!r} with constant_values={constant_values!r}."
        )
    x = _tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    if mode == "constant":
        # torch's pad lists (before, after) pairs from the last axis backwards.
        flat = [int(w) for pair in widths[::-1] for w in pair]
        value = 0 if constant_values is None else constant_values
        return F.pad(x, flat, mode="constant", value=value)
    # Other modes are a gather along each axis: numpy's own pad of the index
    # range gives exactly which source element lands where.
    for axis, (before, after) in enumerate(widths):
        if before or after:
            idx = np.pad(np.arange(x.shape[axis]), (before, after), mode=mode)
            x = x.index_select(axis, torch.as_tensor(idx, device=x.device))
    return x


# numpy's other names for two of the ops above.
absolute = abs
true_divide = divide

__all__ = [
    "abs",
    "absolute",
    "add",
    "all",
    "amax",
    "amin",
    "any",
    "append",
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "array",
    "average",
    "broadcast_to",
    "ceil",
    "clip",
    "concatenate",
    "copy",
    "cos",
    "cosh",
    "count_nonzero",
    "cumprod",
    "cumsum",
    "diag",
    "diagonal",
    "divide",
    "dot",
    "einsum",
    "empty",
    "equal",
    "exp",
    "expand_dims",
    "eye",
    "flip",
    "floor",
    "floor_divide",
    "full",
    "full_like",
    "greater",
    "greater_equal",
    "hstack",
    "identity",
    "isfinite",
    "isinf",
    "isnan",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log10",
    "log1p",
    "log2",
    "logical_and",
    "logical_not",
    "logical_or",
    "matmul",
    "max",
    "maximum",
    "mean",
    "median",
    "meshgrid",
    "min",
    "minimum",
    "mod",
    "moveaxis",
    "multiply",
    "negative",
    "not_equal",
    "ones",
    "ones_like",
    "outer",
    "pad",
    "power",
    "prod",
    "quantile",
    "ravel",
    "reciprocal",
    "repeat",
    "reshape",
    "round",
    "sign",
    "sin",
    "sinh",
    "sort",
    "split",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "subtract",
    "sum",
    "swapaxes",
    "take",
    "take_along_axis",
    "tan",
    "tanh",
    "tensordot",
    "tile",
    "trace",
    "transpose",
    "tril",
    "triu",
    "true_divide",
    "var",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
]
