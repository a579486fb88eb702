"""NumPy-style operations (Keras 3's ``keras.ops.numpy``) on torch tensors.

Names, argument names and defaults are Keras's (and so numpy's): ``axis``,
``keepdims``, ``x1``/``x2``. Inputs may be torch tensors, numpy arrays, Python
scalars or lists; results are torch tensors on the input's device.

Result dtypes are those Keras gives on its torch backend: most elementwise
ops follow torch's promotion (where a Python number never widens a tensor),
and the ops Keras promotes itself use `lamina.backend.result_type` (so
``matmul`` of int8 gives int32, ``mean`` of integers floatx, ``sum`` of bools
int32, ``argmax`` int32). ``std``/``var`` are population statistics (ddof 0)
and ``sort``/``argsort`` work along the last axis.

Example:

>>> from lamina import ops
>>> ops.mean(ops.arange(4))
tensor(1.5000)
"""

from __future__ import annotations

import builtins
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lamina import backend
from lamina.backend.dtypes import result_type
from lamina.errors import ArgumentError, ShapeError
from lamina.ops.core import _floating, _is_symbolic, _pair, _symbolic_error, _tensor

Axis = int | Sequence[int] | None


def _floatx() -> torch.dtype:
    return backend.to_torch_dtype(backend.floatx())


def _dtype_or_floatx(dtype: Any) -> torch.dtype:
    return _floatx() if dtype is None else backend.to_torch_dtype(dtype)


def _name(x: torch.Tensor) -> str:
    return backend.standardize_dtype(x.dtype)


def _torch(dtype_name: str) -> torch.dtype:
    return backend.to_torch_dtype(dtype_name)


def _is_int_or_bool(x: torch.Tensor) -> bool:
    return not x.is_floating_point() and not x.is_complex()


def _weak(x: Any) -> Any:
    """What `result_type` should see for ``x``: a Python number stays weak."""
    if isinstance(x, (int, float)) and not isinstance(x, (bool, np.generic)):
        return type(x)
    return _tensor(x).dtype


def _promote(*xs: Any, floating: bool = False) -> list[torch.Tensor]:
    """The inputs as tensors of their `result_type` (with ``float`` when
    ``floating``), on the first tensor's device. Python numbers are weak."""
    kinds = [_weak(x) for x in xs] + ([float] if floating else [])
    target = _torch(result_type(*kinds))
    ref = next((x for x in xs if isinstance(x, torch.Tensor)), None)
    device = None if ref is None else ref.device
    return [_tensor(x, dtype=target, device=device) for x in xs]


def _sum_dtype(x: torch.Tensor) -> torch.dtype:
    # Keras (like JAX) sums small integers and bools in int32 and keeps every
    # other dtype, int64 included.
    if x.dtype in (torch.bool, torch.uint8, torch.int8, torch.int16):
        return torch.int32
    return x.dtype


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


def _no_axes(axis: Axis) -> bool:
    """Keras reads ``axis=()`` (or ``[]``) as "reduce nothing"."""
    return axis is not None and not isinstance(axis, int) and len(axis) == 0


def _reduce(fn, x: torch.Tensor, axis: Axis, keepdims: bool) -> torch.Tensor:
    # torch reductions take a tuple of dims; an empty tuple would mean "all"
    # to some of them, so no axes is handled here as "nothing to reduce".
    dims = _dims(x, axis)
    if x.ndim == 0:
        return fn(x)
    if not dims:
        return x
    return fn(x, dim=dims, keepdim=keepdims)


def _one_axis_reduce(fn, x: torch.Tensor, axis: Axis, keepdims: bool, **kwargs):
    # For torch reductions that accept a single dim only (prod).
    for d in sorted(_dims(x, axis), reverse=True):
        x = fn(x, dim=d, keepdim=keepdims, **kwargs)
    return x


def _check_nonempty(x: torch.Tensor, op: str) -> None:
    if x.numel() == 0:
        raise ShapeError(
            f"{op}: cannot reduce an empty tensor (shape {tuple(x.shape)}) "
            "without an `initial` value."
        )


def _named(op, name: str, doc: str):
    """``op`` as the public function ``name`` documented by ``doc``."""
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _unary(name: str, kernel, doc: str):
    """The op ``name(x)``: ``kernel`` on ``x`` as a tensor (torch's dtype rules)."""

    def op(x: Any) -> torch.Tensor:
        return kernel(_tensor(x))

    return _named(op, name, doc)


def _floating_unary(name: str, kernel, doc: str):
    """The op ``name(x)``: ``kernel`` on ``x`` with integers and bools as floatx."""

    def op(x: Any) -> torch.Tensor:
        return kernel(_floating(_tensor(x)))

    return _named(op, name, doc)


# How a two-argument op types its result: "torch" (torch's promotion, with
# Python numbers as 0-d tensors that never widen a tensor), or `result_type`
# of the inputs, Python numbers weak ("weak") or first made int32/floatx
# tensors ("tensors"), with ``float`` added for the "_float" rules.
_PROMOTIONS = {
    "torch": None,
    "weak": (True, False),
    "weak_float": (True, True),
    "tensors": (False, False),
    "tensors_float": (False, True),
}


def _binary(name: str, kernel, promotion: str, doc: str):
    """The op ``name(x1, x2)``: ``kernel`` on both inputs, typed as
    ``promotion`` says (see `_PROMOTIONS`)."""
    rule = _PROMOTIONS[promotion]

    def op(x1: Any, x2: Any) -> torch.Tensor:
        if rule is None:
            return kernel(*_pair(x1, x2))
        weak, floating = rule
        if not weak:
            x1, x2 = _pair(x1, x2)
        return kernel(*_promote(x1, x2, floating=floating))

    return _named(op, name, doc)


def _bitwise(name: str, kernel, doc: str):
    """The op ``name(x, y)`` (Keras's argument names for the bitwise ops)."""

    def op(x: Any, y: Any) -> torch.Tensor:
        x = _tensor(x)
        return kernel(x, y if isinstance(y, int) else _tensor(y, device=x.device))

    return _named(op, name, doc)


# --------------------------------------------------------------- creation


def array(x: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor from array-like data. Example: ``array([1, 2])``."""
    return _tensor(x, dtype=dtype)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, torch.Tensor):
        shape = shape.tolist()
    return (int(shape),) if isinstance(shape, int) else tuple(int(s) for s in shape)


def _new(factory, shape: Any, dtype: Any) -> torch.Tensor:
    return factory(
        _shape(shape), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )


def empty(shape: Any, dtype: Any = None) -> torch.Tensor:
    """An uninitialised tensor (floatx by default). Example: ``empty((2, 3))``."""
    return _new(torch.empty, shape, dtype)


def zeros(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of zeros (floatx by default). Example: ``zeros((2, 3))``."""
    return _new(torch.zeros, shape, dtype)


def ones(shape: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ones (floatx by default). Example: ``ones((2, 3))``."""
    return _new(torch.ones, shape, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (broadcast), floatx
    unless ``dtype`` is given, as in Keras.

    Example:

    >>> full((2,), 7.0)
    tensor([7., 7.])
    """
    value = _tensor(fill_value, dtype=_dtype_or_floatx(dtype))
    return torch.broadcast_to(value, _shape(shape)).clone()


def _like(factory, x: Any, dtype: Any) -> torch.Tensor:
    x = _tensor(x)
    return factory(x, dtype=None if dtype is None else backend.to_torch_dtype(dtype))


def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Zeros with the shape (and dtype) of ``x``. Example: ``zeros_like(x)``."""
    return _like(torch.zeros_like, x, dtype)


def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Ones with the shape (and dtype) of ``x``. Example: ``ones_like(x)``."""
    return _like(torch.ones_like, x, dtype)


def empty_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """An uninitialised tensor with the shape (and dtype) of ``x``.

    Example: ``empty_like(x)``.
    """
    return _like(torch.empty_like, x, dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """``fill_value`` with the shape (and dtype) of ``x``.

    Example:

    >>> full_like(torch.zeros(2), 3)
    tensor([3., 3.])
    """
    x = _tensor(x)
    value = _tensor(fill_value, dtype=dtype or x.dtype, device=x.device)
    return torch.broadcast_to(value, x.shape).clone()


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None):
    """Evenly spaced values in ``[start, stop)``.

    The dtype is the promotion of the arguments' (Python ints give int32,
    floats floatx), as in Keras.

    Example:

    >>> arange(1, 7, 2)
    tensor([1, 3, 5], dtype=torch.int32)
    """
    if _is_symbolic([start, stop, step]):
        raise _symbolic_error()
    if dtype is None:
        given = [v for v in (start, stop, step) if v is not None]
        dtype = result_type(*[getattr(v, "dtype", type(v)) for v in given])
    if stop is None:
        start, stop = 0, start
    return torch.arange(
        _number(start),
        _number(stop),
        1 if step is None else _number(step),
        dtype=backend.to_torch_dtype(dtype),
        device=backend.device(),
    )


def _number(x: Any) -> int | float:
    return x.item() if isinstance(x, (torch.Tensor, np.generic, np.ndarray)) else x


def _check_int(value: Any, argument: str, op: str) -> None:
    if isinstance(value, float) or "float" in str(getattr(value, "dtype", "")):
        raise ArgumentError(
            f"{op}: `{argument}` must be an integer, received {argument}={value!r}."
        )


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:
    """A 2-D tensor with ones on the ``k``-th diagonal (floatx by default).

    Example:

    >>> eye(2, 3, k=1)
    tensor([[0., 1., 0.],
            [0., 0., 1.]])
    """
    _check_int(N, "N", "eye")
    _check_int(M, "M", "eye")
    M = N if M is None else M
    k = 0 if k is None else k
    ones_ = torch.ones(
        int(N), int(M), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )
    return ones_.triu(k).tril(k)


def identity(n: int, dtype: Any = None) -> torch.Tensor:
    """The ``n`` x ``n`` identity matrix. Example: ``identity(3)``."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:
    """Ones at and below the ``k``-th diagonal of an ``N`` x ``M`` matrix.

    Example:

    >>> tri(2, 3)
    tensor([[1., 0., 0.],
            [1., 1., 0.]])
    """
    M = M or N
    ones_ = torch.ones(
        int(N), int(M), dtype=_dtype_or_floatx(dtype), device=backend.device()
    )
    return torch.tril(ones_, diagonal=k)


def _sample_points(start, stop, num: int, endpoint: bool, dtype) -> torch.Tensor:
    """``num`` points from ``start`` to ``stop`` on a new leading axis."""
    start_t, stop_t = _pair(start, stop)
    compute = (
        torch.promote_types(dtype, torch.float32)
        if dtype.is_floating_point
        else torch.float64
    )
    start_t, stop_t = start_t.to(compute), stop_t.to(compute)
    div = (num - 1) if endpoint else num
    step = (stop_t - start_t) / builtins.max(div, 1)
    steps = torch.arange(num, dtype=compute, device=step.device)
    steps = steps.reshape((num,) + (1,) * step.ndim)
    samples = start_t + steps * step
    if endpoint and num > 1:
        samples[-1] = stop_t  # the exact last sample, as numpy
    return samples, step


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
        dtype: Result dtype; by default the promotion of the inputs' with
            float (floatx for Python numbers).
        axis: Where the sample axis goes when ``start``/``stop`` are arrays.

    Example:

    >>> linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if dtype is None:
        dtype = result_type(_weak(start), _weak(stop), float)
    target = backend.to_torch_dtype(dtype)
    samples, step = _sample_points(start, stop, num, endpoint, target)
    if samples.ndim > 1:
        samples = torch.movedim(samples, 0, axis)
    samples = (
        samples.to(target) if target.is_floating_point else samples.floor().to(target)
    )
    if not retstep:
        return samples
    # Python endpoints give a Python step, as in Keras.
    python = builtins.all(isinstance(v, (int, float)) for v in (start, stop))
    return samples, (step.item() if python else step.to(target))


def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: float = 10,
    dtype: Any = None,
    axis: int = 0,
) -> torch.Tensor:
    """``base ** linspace(start, stop, num)``: samples evenly spaced in log space.

    Example:

    >>> logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    if dtype is None:
        dtype = result_type(_weak(start), _weak(stop), float)
    target = backend.to_torch_dtype(dtype)
    exponents, _ = _sample_points(start, stop, num, endpoint, target)
    samples = torch.pow(torch.as_tensor(base, dtype=exponents.dtype), exponents)
    if samples.ndim > 1:
        samples = torch.movedim(samples, 0, axis)
    return samples.to(target)


def geomspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    dtype: Any = None,
    axis: int = 0,
) -> torch.Tensor:
    """Samples evenly spaced on a log scale from ``start`` to ``stop`` (same sign).

    Example:

    >>> geomspace(1, 1000, 4)
    tensor([   1.,   10.,  100., 1000.])
    """
    if dtype is None:
        dtype = result_type(_weak(start), _weak(stop), float)
    target = backend.to_torch_dtype(dtype)
    start_t, stop_t = _pair(start, stop)
    compute = (
        torch.promote_types(target, torch.float32)
        if target.is_floating_point
        else torch.float64
    )
    start_t, stop_t = start_t.to(compute), stop_t.to(compute)
    exponents, _ = _sample_points(
        torch.log10(start_t.abs()), torch.log10(stop_t.abs()), num, endpoint, compute
    )
    samples = torch.pow(10.0, exponents) * torch.sign(start_t)
    if num > 0:
        samples[0] = start_t
    if endpoint and num > 1:
        samples[-1] = stop_t
    if samples.ndim > 1:
        samples = torch.movedim(samples, 0, axis)
    return samples.to(target)


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


def diagflat(x: Any, k: int = 0) -> torch.Tensor:
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal.

    Example: ``diagflat([[1, 2], [3, 4]])``.
    """
    return torch.diagflat(_tensor(x), offset=k)


def vander(x: Any, N: int | None = None, increasing: bool = False) -> torch.Tensor:
    """The Vandermonde matrix of the 1-D ``x``: columns are powers of ``x``.

    Example:

    >>> vander(torch.tensor([1, 2, 3]), 3)
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]], dtype=torch.int32)
    """
    x = _tensor(x)
    if x.ndim != 1:
        raise ShapeError(f"vander: `x` must be 1-D, received shape {tuple(x.shape)}.")
    if N is not None and (not isinstance(N, int) or N < 0):
        raise ArgumentError(f"vander: `N` must be an int >= 0, received N={N!r}.")
    if not isinstance(increasing, bool):
        raise ArgumentError(
            f"vander: `increasing` must be a bool, received {increasing!r}."
        )
    out = torch.vander(x, N=N, increasing=increasing)
    return out.to(_torch(result_type(x.dtype)))


# ------------------------------------------------------------ elementwise
# One-argument ops, one a line: name, torch kernel, docstring. torch's own
# dtype rules apply (integers give float32 for the transcendental functions).


def _keep_bool(kernel):
    """``kernel``, except that a bool input is returned as it is."""
    return lambda x: x if x.dtype == torch.bool else kernel(x)


def _bool_as_int32(kernel):
    return lambda x: kernel(x.to(torch.int32) if x.dtype == torch.bool else x)


def _conj(x: torch.Tensor) -> torch.Tensor:
    return torch.conj(x).resolve_conj()


# fmt: off
abs = _unary("abs", _keep_bool(torch.abs), "Elementwise absolute value. Example: ``abs([-1, 2])``.")  # noqa: A001
negative = _unary("negative", torch.neg, "Elementwise ``-x``. Example: ``negative([1, -2])``.")
sign = _unary("sign", torch.sign, "Elementwise sign (-1, 0 or 1). Example: ``sign([-3.0, 0.0, 2.0])``.")
square = _unary("square", _bool_as_int32(torch.square), "Elementwise square (bools as int32). Example: ``square([3])``.")
trunc = _unary("trunc", _keep_bool(torch.trunc), "Elementwise rounding towards zero. Example: ``trunc([-1.7, 1.7])``.")
isfinite = _unary("isfinite", torch.isfinite, 'Elementwise: neither inf nor NaN. Example: ``isfinite([1.0, float("inf")])``.')
isinf = _unary("isinf", torch.isinf, "Elementwise: positive or negative infinity. Example: ``isinf([1.0])``.")
isnan = _unary("isnan", torch.isnan, 'Elementwise: NaN. Example: ``isnan([float("nan")])``.')
isneginf = _unary("isneginf", torch.isneginf, 'Elementwise: negative infinity. Example: ``isneginf([-float("inf")])``.')
isposinf = _unary("isposinf", torch.isposinf, 'Elementwise: positive infinity. Example: ``isposinf([float("inf")])``.')
isreal = _unary("isreal", torch.isreal, "Elementwise: the imaginary part is zero (always for real dtypes). Example: ``isreal([1.0])``.")
signbit = _unary("signbit", torch.signbit, "Elementwise: the sign bit is set (negative numbers and -0.0). Example: ``signbit([-0.0, 1.0])``.")
logical_not = _unary("logical_not", torch.logical_not, "Elementwise logical NOT. Example: ``logical_not([True, False])``.")
bitwise_invert = _unary("bitwise_invert", torch.bitwise_not, "Elementwise bitwise NOT of integers (logical NOT of bools). Example: ``bitwise_invert([0, 5])``.")
bitwise_not = _unary("bitwise_not", torch.bitwise_not, "Elementwise bitwise NOT (same as ``bitwise_invert``). Example: ``bitwise_not([0, 5])``.")
sin = _unary("sin", torch.sin, "Elementwise sine. Example: ``sin([0.0])``.")
cos = _unary("cos", torch.cos, "Elementwise cosine. Example: ``cos([0.0])``.")
tan = _unary("tan", torch.tan, "Elementwise tangent. Example: ``tan([0.0])``.")
arcsin = _unary("arcsin", torch.arcsin, "Elementwise inverse sine. Example: ``arcsin([1.0])``.")
arccos = _unary("arccos", torch.arccos, "Elementwise inverse cosine. Example: ``arccos([1.0])``.")
arctan = _unary("arctan", torch.arctan, "Elementwise inverse tangent. Example: ``arctan([1.0])``.")
sinh = _unary("sinh", torch.sinh, "Elementwise hyperbolic sine. Example: ``sinh([0.0])``.")
cosh = _unary("cosh", torch.cosh, "Elementwise hyperbolic cosine. Example: ``cosh([0.0])``.")
tanh = _unary("tanh", torch.tanh, "Elementwise hyperbolic tangent. Example: ``tanh([0.0])``.")
arcsinh = _unary("arcsinh", torch.arcsinh, "Elementwise inverse hyperbolic sine. Example: ``arcsinh([1.0])``.")
arccosh = _unary("arccosh", torch.arccosh, "Elementwise inverse hyperbolic cosine. Example: ``arccosh([2.0])``.")
arctanh = _unary("arctanh", torch.arctanh, "Elementwise inverse hyperbolic tangent. Example: ``arctanh([0.5])``.")
log = _unary("log", torch.log, "Elementwise natural logarithm. Example: ``log([1.0])``.")
log1p = _unary("log1p", torch.log1p, "Elementwise ``log(1 + x)``, exact for small ``x``. Example: ``log1p([0.0])``.")
log2 = _unary("log2", torch.log2, "Elementwise base-2 logarithm. Example: ``log2([8.0])``.")
log10 = _unary("log10", torch.log10, "Elementwise base-10 logarithm. Example: ``log10([100.0])``.")
reciprocal = _unary("reciprocal", torch.reciprocal, "Elementwise ``1 / x``. Example: ``reciprocal([4.0])``.")
sinc = _unary("sinc", torch.sinc, "Elementwise normalised sinc, ``sin(pi x) / (pi x)``. Example: ``sinc([0.0, 0.5])``.")
angle = _unary("angle", torch.angle, "Elementwise argument of complex numbers (0 or pi for reals). Example: ``angle([-1.0])``.")
real = _unary("real", torch.real, "Elementwise real part. Example: ``real(x)``.")
imag = _unary("imag", torch.imag, "Elementwise imaginary part (of a complex tensor). Example: ``imag(x)``.")
conj = _unary("conj", _conj, "Elementwise complex conjugate. Example: ``conj(x)``.")
conjugate = _unary("conjugate", _conj, "Elementwise complex conjugate (same as ``conj``). Example: ``conjugate(x)``.")
# fmt: on

# The same, computed in floating point: integers and bools become floatx first.
# fmt: off
sqrt = _floating_unary("sqrt", torch.sqrt, "Elementwise square root. Example: ``sqrt([4.0])``.")
exp = _floating_unary("exp", torch.exp, "Elementwise exponential. Example: ``exp([0.0])``.")
exp2 = _floating_unary("exp2", torch.exp2, "Elementwise ``2 ** x``. Example: ``exp2([3.0])``.")
expm1 = _floating_unary("expm1", torch.expm1, "Elementwise ``exp(x) - 1``, exact for small ``x``. Example: ``expm1([0.0])``.")
fabs = _floating_unary("fabs", torch.abs, "Elementwise absolute value as a float. Example: ``fabs([-2])``.")
# fmt: on


def _float_result(kernel):
    """``kernel`` on ``x`` in `result_type(x, float)` (int64 in floatx), as Keras
    computes ``ceil`` and ``floor``."""

    def run(x: torch.Tensor) -> torch.Tensor:
        target = (
            _floatx() if x.dtype == torch.int64 else _torch(result_type(x.dtype, float))
        )
        return kernel(x.to(target))

    return run


# fmt: off
ceil = _unary("ceil", _float_result(torch.ceil), "Elementwise ceiling, as a float. Example: ``ceil([1.2])``.")
floor = _unary("floor", _float_result(torch.floor), "Elementwise floor, as a float. Example: ``floor([1.8])``.")
# fmt: on


def _float64_for_int64(x: torch.Tensor, kernel) -> torch.Tensor:
    # Keras gives int64 inputs of these ops a float64 result.
    return kernel(x).to(torch.float64) if x.dtype == torch.int64 else kernel(x)


def deg2rad(x: Any) -> torch.Tensor:
    """Degrees to radians. Example: ``deg2rad([180.0])``."""
    return _float64_for_int64(_tensor(x), torch.deg2rad)


def rad2deg(x: Any) -> torch.Tensor:
    """Radians to degrees. Example: ``rad2deg([3.1416])``."""
    return _float64_for_int64(_tensor(x), torch.rad2deg)


def cbrt(x: Any) -> torch.Tensor:
    """Elementwise cube root (of negative numbers too). Example: ``cbrt([-8.0])``."""
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    elif x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.sign(x) * torch.abs(x) ** (1.0 / 3.0)


def i0(x: Any) -> torch.Tensor:
    """The modified Bessel function of the first kind, order 0.

    Example: ``i0([0.0, 1.0])``.
    """
    x = _tensor(x)
    if x.dtype in (torch.int64, torch.float64):
        x = x.to(torch.float64)
    elif x.dtype not in (torch.float16, torch.bfloat16):
        x = x.to(_floatx())
    return torch.i0(x)


def round(x: Any, decimals: int = 0) -> torch.Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` places. Example: ``round([2.5])``."""
    x = _tensor(x)
    if _is_int_or_bool(x) and x.dtype != torch.bool:
        rounded = torch.round(x.to(_floatx()), decimals=decimals)
        return rounded.to(x.dtype)
    return torch.round(x, decimals=decimals)


def clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    """Limit values to ``[x_min, x_max]`` (bools become int32).

    Example:

    >>> clip(torch.tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    low = _tensor(x_min, device=x.device)
    high = _tensor(x_max, device=x.device)
    if x.dtype == torch.float16 and x.device.type == "cpu":
        return torch.clip(x.float(), low, high).to(torch.float16)
    return torch.clip(x, low, high)


def nan_to_num(
    x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> torch.Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (the
    dtype's largest and smallest values by default).

    Example:

    >>> nan_to_num(torch.tensor([float("nan"), 1.0]))
    tensor([0., 1.])
    """
    return torch.nan_to_num(_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


def where(condition: Any, x1: Any = None, x2: Any = None):
    """``x1`` where ``condition`` holds, else ``x2``.

    With only ``condition``, the indices of its non-zero elements as one
    ``(ndim, count)`` tensor (row ``i`` holds the indices along axis ``i``),
    as Keras returns them on torch.

    Example:

    >>> where(torch.tensor([True, False]), 1.0, 0.0)
    tensor([1., 0.])
    """
    if (x1 is None) != (x2 is None):
        raise ArgumentError(
            "where: give both `x1` and `x2`, or neither; received "
            f"x1={'None' if x1 is None else 'a value'}, "
            f"x2={'None' if x2 is None else 'a value'}."
        )
    condition = _tensor(condition)
    if x1 is None:
        return torch.stack(torch.where(condition.to(torch.bool)), dim=0)
    x1, x2 = _pair(x1, x2)
    return torch.where(condition.to(device=x1.device, dtype=torch.bool), x1, x2)


def select(condlist: Sequence, choicelist: Sequence, default: Any = 0) -> torch.Tensor:
    """Elementwise, the choice of the first condition that holds, else ``default``.

    Example:

    >>> x = torch.tensor([-2, 0, 3])
    >>> select([x < 0, x > 0], [-x, x * 10], default=7)
    tensor([ 2,  7, 30])
    """
    if not isinstance(condlist, (list, tuple)) or not isinstance(
        choicelist, (list, tuple)
    ):
        raise ArgumentError(
            "select: `condlist` and `choicelist` must be lists, received "
            f"{type(condlist).__name__} and {type(choicelist).__name__}."
        )
    if not condlist or not choicelist:
        raise ArgumentError("select: `condlist` and `choicelist` must not be empty.")
    conditions = [_tensor(c) for c in condlist]
    choices = [_tensor(c) for c in choicelist]
    out = _tensor(default, device=conditions[0].device)
    for condition, choice in reversed(list(zip(conditions, choices))):
        out = torch.where(condition.to(torch.bool), choice, out)
    return out


# ---------------------------------------------------------------- binary
# Two-argument ops, one a line: name, torch kernel, how the result is typed
# (`_PROMOTIONS`: the rule Keras's torch backend follows for that op),
# docstring.


def _without_bool(kernel):
    """``kernel`` for ops torch refuses on bools (these count as int32)."""

    def run(x1, x2):
        if x1.dtype == torch.bool and x2.dtype == torch.bool:
            x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
        return kernel(x1, x2)

    return run


def _subtract(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    # torch cannot subtract bools: a bool operand takes the other's dtype.
    if x1.dtype == torch.bool:
        x1 = x1.to(x2.dtype)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.subtract(x1, x2)


def _float_unless_float(kernel):
    """``kernel`` on inputs whose common type is floating (ints as floatx)."""

    def run(x1, x2):
        if _is_int_or_bool(x1) and x1.dtype != torch.bool:
            x1, x2 = x1.to(_floatx()), x2.to(_floatx())
        return kernel(x1, x2)

    return run


def _in_float64(kernel):
    return lambda x1, x2: kernel(x1.double(), x2.double()).to(x1.dtype)


def _divide_no_nan(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    # Zero divisors are replaced before dividing, so the gradient stays finite.
    zero = x2 == 0
    safe = torch.where(zero, torch.ones_like(x2), x2)
    return torch.where(zero, torch.zeros_like(x1), x1 / safe)


# fmt: off
add = _binary("add", torch.add, "torch", "Elementwise ``x1 + x2``, broadcasting. Example: ``add([1, 2], 3)``.")
subtract = _binary("subtract", _subtract, "torch", "Elementwise ``x1 - x2``. Example: ``subtract([1, 2], 3)``.")
multiply = _binary("multiply", torch.multiply, "torch", "Elementwise ``x1 * x2``. Example: ``multiply([1, 2], 3)``.")
divide = _binary("divide", torch.true_divide, "torch", "Elementwise true division (integers give floats). Example: ``divide(1, 4)``.")
true_divide = _binary("true_divide", torch.true_divide, "torch", "Elementwise true division (same as ``divide``). Example: ``true_divide(1, 4)``.")
power = _binary("power", torch.pow, "torch", "Elementwise ``x1 ** x2``. Example: ``power([2, 3], 2)``.")
mod = _binary("mod", _without_bool(torch.remainder), "torch", "Elementwise remainder with the sign of ``x2`` (numpy's ``mod``). Example: ``mod([-7, 7], 3)``.")
fmod = _binary("fmod", _without_bool(torch.fmod), "torch", "Elementwise remainder with the sign of ``x1`` (C's ``fmod``). Example: ``fmod([-7, 7], 3)``.")
equal = _binary("equal", torch.eq, "torch", "Elementwise ``x1 == x2``. Example: ``equal([1, 2], 2)``.")
not_equal = _binary("not_equal", torch.ne, "torch", "Elementwise ``x1 != x2``. Example: ``not_equal([1, 2], 2)``.")
greater = _binary("greater", torch.gt, "torch", "Elementwise ``x1 > x2``. Example: ``greater([1, 3], 2)``.")
greater_equal = _binary("greater_equal", torch.ge, "torch", "Elementwise ``x1 >= x2``. Example: ``greater_equal([1, 2], 2)``.")
less = _binary("less", torch.lt, "torch", "Elementwise ``x1 < x2``. Example: ``less([1, 3], 2)``.")
less_equal = _binary("less_equal", torch.le, "torch", "Elementwise ``x1 <= x2``. Example: ``less_equal([1, 3], 2)``.")
logical_and = _binary("logical_and", torch.logical_and, "torch", "Elementwise logical AND. Example: ``logical_and([True, True], [True, False])``.")
logical_or = _binary("logical_or", torch.logical_or, "torch", "Elementwise logical OR. Example: ``logical_or([True, False], False)``.")
logical_xor = _binary("logical_xor", torch.logical_xor, "torch", "Elementwise logical XOR. Example: ``logical_xor([True, True], [True, False])``.")
gcd = _binary("gcd", torch.gcd, "torch", "Elementwise greatest common divisor of integers. Example: ``gcd([12, 7], 8)``.")
lcm = _binary("lcm", torch.lcm, "torch", "Elementwise least common multiple of integers. Example: ``lcm([4, 6], 10)``.")
maximum = _binary("maximum", torch.maximum, "weak", "Elementwise maximum (NaN wins). Example: ``maximum([1, 5], 3)``.")
minimum = _binary("minimum", torch.minimum, "weak", "Elementwise minimum (NaN wins). Example: ``minimum([1, 5], 3)``.")
fmax = _binary("fmax", torch.fmax, "weak", "Elementwise maximum ignoring NaN. Example: ``fmax([1.0, float('nan')], 0.0)``.")
fmin = _binary("fmin", torch.fmin, "weak", "Elementwise minimum ignoring NaN. Example: ``fmin([1.0, float('nan')], 0.0)``.")
arctan2 = _binary("arctan2", torch.arctan2, "tensors_float", "Elementwise angle of the point ``(x2, x1)``, in ``[-pi, pi]``. Example: ``arctan2(1.0, -1.0)``.")
logaddexp = _binary("logaddexp", torch.logaddexp, "tensors_float", "Elementwise ``log(exp(x1) + exp(x2))``, computed stably. Example: ``logaddexp(0.0, 0.0)``.")
logaddexp2 = _binary("logaddexp2", torch.logaddexp2, "tensors_float", "Elementwise ``log2(2**x1 + 2**x2)``, computed stably. Example: ``logaddexp2(1.0, 1.0)``.")
hypot = _binary("hypot", _float_unless_float(torch.hypot), "tensors", "Elementwise ``sqrt(x1**2 + x2**2)``. Example: ``hypot(3, 4)``.")
heaviside = _binary("heaviside", _float_unless_float(torch.heaviside), "tensors", "Elementwise step: 0 for ``x1 < 0``, ``x2`` at 0, 1 above. Example: ``heaviside([-1.0, 0.0, 2.0], 0.5)``.")
nextafter = _binary("nextafter", _in_float64(torch.nextafter), "tensors_float", "Elementwise next representable value after ``x1`` towards ``x2``. Example: ``nextafter(1.0, 2.0)``.")
divide_no_nan = _binary("divide_no_nan", _divide_no_nan, "weak_float", "Elementwise ``x1 / x2``, with 0 wherever ``x2`` is 0. Example: ``divide_no_nan([1.0, 2.0], [2.0, 0.0])``.")
bitwise_and = _bitwise("bitwise_and", torch.bitwise_and, "Elementwise bitwise AND. Example: ``bitwise_and([12, 10], 6)``.")
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or, "Elementwise bitwise OR. Example: ``bitwise_or([12, 10], 6)``.")
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor, "Elementwise bitwise XOR. Example: ``bitwise_xor([12, 10], 6)``.")
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift, "Elementwise ``x << y``. Example: ``bitwise_left_shift([1, 3], 2)``.")
left_shift = _bitwise("left_shift", torch.bitwise_left_shift, "Elementwise ``x << y`` (same as ``bitwise_left_shift``). Example: ``left_shift([1, 3], 2)``.")
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift, "Elementwise ``x >> y``. Example: ``bitwise_right_shift([8, 12], 2)``.")
right_shift = _bitwise("right_shift", torch.bitwise_right_shift, "Elementwise ``x >> y`` (same as ``bitwise_right_shift``). Example: ``right_shift([8, 12], 2)``.")
# fmt: on


def floor_divide(x1: Any, x2: Any) -> torch.Tensor:
    """Elementwise ``floor(x1 / x2)``, in the inputs' promoted dtype.

    Example:

    >>> floor_divide(torch.tensor([7, -7]), 2)
    tensor([ 3, -4], dtype=torch.int32)
    """
    target = _torch(result_type(_weak(x1), _weak(x2)))
    return torch.floor_divide(*_pair(x1, x2)).to(target)


def ldexp(x1: Any, x2: Any) -> torch.Tensor:
    """Elementwise ``x1 * 2 ** x2`` for an integer exponent ``x2``.

    Example:

    >>> ldexp(torch.tensor([1.0, 3.0]), torch.tensor([2, 1]))
    tensor([4., 6.])
    """
    x1, x2 = _pair(x1, x2)
    if not _is_int_or_bool(x2) or x2.dtype == torch.bool:
        raise ArgumentError(
            f"ldexp: the exponent `x2` must be an integer tensor, received dtype "
            f"{_name(x2)}."
        )
    target = _torch(result_type(x1.dtype, x2.dtype, float))
    return torch.ldexp(x1, x2).to(target)


def isclose(
    x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> torch.Tensor:
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|`` (exact equality for ints).

    Example:

    >>> isclose(torch.tensor([1.0, 1.1]), 1.0)
    tensor([ True, False])
    """
    x1, x2 = _promote(*_pair(x1, x2))
    if x1.is_floating_point() or x1.is_complex():
        return torch.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return torch.eq(x1, x2)


def allclose(
    x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> torch.Tensor:
    """Whether `isclose` holds everywhere, as a 0-d bool tensor.

    Example: ``allclose([1.0, 2.0], [1.0, 2.0 + 1e-9])``.
    """
    return torch.all(isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isin(
    x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False
) -> torch.Tensor:
    """Elementwise: whether each element of ``x1`` occurs in ``x2``.

    Example:

    >>> isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5]))
    tensor([False,  True, False])
    """
    x1, x2 = _pair(x1, x2)
    if x1.dtype == torch.bool and x2.dtype == torch.bool:
        x1, x2 = x1.to(torch.int32), x2.to(torch.int32)
    if x1.dtype == torch.bool:
        x1 = x1.to(x2.dtype)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


# ------------------------------------------------------------- reductions


def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Sum over ``axis`` (all axes when None); bools and small integers sum
    in int32, as in Keras.

    Example: ``sum([[1, 2], [3, 4]], axis=0)``.
    """
    x = _tensor(x)
    if _no_axes(axis):
        return x
    return _reduce(torch.sum, x, axis, keepdims).to(_sum_dtype(x))


def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Arithmetic mean over ``axis``; integers and bools give floatx.

    Half-precision inputs are averaged in float32 and returned in their dtype.

    Example:

    >>> mean(torch.tensor([1, 2]))
    tensor(1.5000)
    """
    x = _tensor(x)
    if _no_axes(axis):
        return x
    result_dtype = x.dtype if not _is_int_or_bool(x) else _floatx()
    compute = torch.promote_types(result_dtype, torch.float32)
    return _reduce(torch.mean, x.to(compute), axis, keepdims).to(result_dtype)


def _statistic(kernel, x: torch.Tensor, target: torch.dtype, axis, keepdims):
    if _no_axes(axis):
        return torch.zeros_like(x, dtype=target)
    compute = torch.promote_types(target, torch.float32)
    dims = _dims(x, axis)
    return kernel(x.to(compute), dim=dims, correction=0, keepdim=keepdims).to(target)


def var(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (ddof 0) over ``axis``. Example: ``var([1.0, 3.0])``."""
    x = _tensor(x)
    return _statistic(torch.var, x, _torch(result_type(x.dtype, float)), axis, keepdims)


def std(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (ddof 0). Example: ``std([1.0, 3.0])``."""
    x = _tensor(x)
    target = torch.float32 if _is_int_or_bool(x) else x.dtype
    return _statistic(torch.std, x, target, axis, keepdims)


def _extreme(fn, pick, x: Any, axis: Axis, keepdims: bool, initial: Any, op: str):
    x = _tensor(x)
    if x.numel() == 0 and initial is not None:
        shape = (1,) * x.ndim if keepdims else ()
        return torch.full(shape, initial, dtype=x.dtype, device=x.device)
    _check_nonempty(x, op)
    result = _reduce(fn, x, axis, keepdims)
    if initial is None:
        return result
    return pick(
        result, torch.as_tensor(initial, dtype=result.dtype, device=result.device)
    )


def max(  # noqa: A001
    x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None
) -> torch.Tensor:
    """Maximum over ``axis``, at least ``initial`` when given.

    An empty input needs ``initial``, which is then the result.

    Example:

    >>> max(torch.tensor([[1, 5], [3, 2]]), axis=1)
    tensor([5, 3])
    """
    return _extreme(torch.amax, torch.maximum, x, axis, keepdims, initial, "max")


def min(  # noqa: A001
    x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None
) -> torch.Tensor:
    """Minimum over ``axis``, at most ``initial`` when given.

    Example: ``min(x, axis=0)``.
    """
    return _extreme(torch.amin, torch.minimum, x, axis, keepdims, initial, "min")


def amax(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Maximum over ``axis``. Example: ``amax([1, 5])``."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Minimum over ``axis``. Example: ``amin([1, 5])``."""
    return min(x, axis=axis, keepdims=keepdims)


def ptp(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Range (maximum minus minimum) over ``axis``. Example: ``ptp([3, 1, 7])``."""
    x = _tensor(x)
    if _no_axes(axis):
        return torch.zeros_like(x)
    return max(x, axis, keepdims) - min(x, axis, keepdims)


def _prod_dtype(x: torch.Tensor, dtype: Any) -> torch.dtype:
    if dtype is not None:
        return backend.to_torch_dtype(dtype)
    name = result_type(x.dtype)
    return torch.int32 if name in ("bool", "uint8", "int8", "int16") else _torch(name)


def prod(
    x: Any, axis: Axis = None, keepdims: bool = False, dtype: Any = None
) -> torch.Tensor:
    """Product over ``axis``; bools and small integers multiply in int32.

    Example: ``prod([[1, 2], [3, 4]], axis=1)``.
    """
    x = _tensor(x)
    target = _prod_dtype(x, dtype)
    compute = (
        torch.float32 if target == torch.float16 and x.device.type == "cpu" else target
    )
    if axis is None:
        result = torch.prod(x, dtype=compute)
        result = result.reshape((1,) * x.ndim) if keepdims else result
    else:
        result = _one_axis_reduce(torch.prod, x, axis, keepdims, dtype=compute)
    return result.to(target)


def all(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether every element over ``axis`` is true. Example: ``all([True, False])``."""
    return _reduce(torch.all, _tensor(x).bool(), axis, keepdims)


def any(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether some element over ``axis`` is true. Example: ``any([True, False])``."""
    return _reduce(torch.any, _tensor(x).bool(), axis, keepdims)


def count_nonzero(x: Any, axis: Axis = None) -> torch.Tensor:
    """Number of non-zero elements over ``axis``, as int32.

    Example: ``count_nonzero([0, 1, 2])``.
    """
    x = _tensor(x)
    if _no_axes(axis):
        return torch.ne(x, 0).to(torch.int32)
    return torch.count_nonzero(x, dim=_dims(x, axis)).to(torch.int32)


def _arg_reduce(fn, x: torch.Tensor, axis: int | None, keepdims: bool) -> torch.Tensor:
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        result = fn(x.reshape(-1))
        result = result.reshape((1,) * x.ndim) if keepdims else result
    else:
        result = fn(x, dim=_dims(x, axis)[0], keepdim=keepdims)
    return result.to(torch.int32)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the largest value (the first on ties), over the flat
    tensor when ``axis`` is None.

    Example:

    >>> argmax(torch.tensor([[1, 5], [7, 2]]), axis=1)
    tensor([1, 0], dtype=torch.int32)
    """
    return _arg_reduce(torch.argmax, _tensor(x), axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the smallest value (the first on ties).

    Example: ``argmin([3, 1, 2])``.
    """
    return _arg_reduce(torch.argmin, _tensor(x), axis, keepdims)


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
    x = _tensor(x)
    kinds = [x.dtype, float] + ([] if weights is None else [_tensor(weights).dtype])
    target = _torch(result_type(*kinds))
    x = x.to(target)
    if _no_axes(axis):
        return x
    if weights is None:
        return mean(x, axis=axis)
    w = _tensor(weights, dtype=target, device=x.device)
    if w.ndim == 1 and x.ndim > 1 and isinstance(axis, int):
        shape = [1] * x.ndim
        shape[_dims(x, axis)[0]] = w.shape[0]
        w = w.reshape(shape)
    total = _reduce(torch.sum, x * w, axis, False)
    return total / _reduce(torch.sum, torch.broadcast_to(w, x.shape), axis, False)


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(kernel, x: Any, q: Any, axis: Axis, method: str, keepdims: bool):
    if method not in _QUANTILE_METHODS:
        raise ArgumentError(
            f"quantile: `method` must be one of {_QUANTILE_METHODS}, received "
            f"{method!r}."
        )
    x = _tensor(x)
    result_dtype = _torch(result_type(x.dtype, float))
    x = x.to(_torch(result_type(x.dtype, "float32")))
    q_t = _tensor(q, dtype=x.dtype, device=x.device)
    dims = _dims(x, axis)
    kept = [d for d in range(x.ndim) if d not in dims]
    # Move the reduced axes to the end and flatten them into one.
    moved = x.permute(kept + list(dims)).reshape([x.shape[d] for d in kept] + [-1])
    result = kernel(moved, q_t, dim=-1, interpolation=method)
    if keepdims:
        shape = list(x.shape)
        for d in dims:
            shape[d] = 1
        result = result.reshape(tuple(q_t.shape) + tuple(shape))
    return result.to(result_dtype)


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
    return _quantile(torch.quantile, x, q, axis, method, keepdims)


def percentile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """The ``q``-th percentile(s) over ``axis`` (``q`` in [0, 100]).

    Example: ``percentile([1.0, 2.0, 3.0, 4.0], 50)``.
    """
    q = _tensor(q, dtype=_floatx()) / 100.0
    return quantile(x, q, axis=axis, method=method, keepdims=keepdims)


def median(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Median over ``axis`` (the mean of the middle two for even counts).

    Example:

    >>> median(torch.tensor([1.0, 4.0, 2.0, 3.0]))
    tensor(2.5000)
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _cumulative(kernel, x: Any, axis: int | None, dtype: Any) -> torch.Tensor:
    x = _tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    target = _torch(result_type(dtype or x.dtype))
    if target == torch.bool:
        target = torch.int32
    if target == torch.float16 and x.device.type == "cpu":
        return kernel(x, dim=axis, dtype=torch.float32).to(target)
    return kernel(x, dim=axis, dtype=target)


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative sum along ``axis`` (the flat tensor when None).

    Example:

    >>> cumsum(torch.tensor([1, 2, 3]))  # int64 narrowed to int32, as in Keras
    tensor([1, 3, 6], dtype=torch.int32)
    """
    return _cumulative(torch.cumsum, x, axis, dtype)


def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """Cumulative product along ``axis`` (the flat tensor when None).

    Example:

    >>> cumprod(torch.tensor([1, 2, 3]))  # int64 narrowed to int32, as in Keras
    tensor([1, 2, 6], dtype=torch.int32)
    """
    return _cumulative(torch.cumprod, x, axis, dtype)


# --------------------------------------------------- NaN-ignoring reductions


def nansum(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Sum over ``axis`` with NaNs counted as zero. Example: ``nansum([1.0, nan])``."""
    x = _tensor(x)
    if _no_axes(axis):
        return torch.nan_to_num(x, nan=0).to(_sum_dtype(x))
    return _reduce(torch.nansum, x, axis, keepdims).to(_sum_dtype(x))


def nanprod(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Product over ``axis`` with NaNs counted as one. Example: ``nanprod([2.0, nan])``."""
    x = _tensor(x)
    if _no_axes(axis):
        return torch.nan_to_num(x, nan=1)
    if x.is_floating_point():
        x = torch.where(
            torch.isnan(x), torch.ones((), dtype=x.dtype, device=x.device), x
        )
    return prod(x, axis=axis, keepdims=keepdims)


def nanmean(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Mean over ``axis`` of the non-NaN elements. Example: ``nanmean([1.0, nan, 3.0])``."""
    x = _tensor(x)
    if _no_axes(axis):
        return x
    x = x.to(_torch(result_type(x.dtype, float)))
    return _reduce(torch.nanmean, x, axis, keepdims)


def nanvar(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance over ``axis`` of the non-NaN elements.

    Example: ``nanvar([1.0, nan, 3.0])``.
    """
    x = _tensor(x)
    x = x.to(_torch(result_type(x.dtype, float)))
    if _no_axes(axis):
        return torch.where(
            torch.isnan(x), x, torch.zeros((), dtype=x.dtype, device=x.device)
        )
    dims = _dims(x, axis)
    valid = ~torch.isnan(x)
    centred = torch.where(valid, x - torch.nanmean(x, dim=dims, keepdim=True), 0.0)
    squares = (
        (centred * centred.conj()).real if centred.is_complex() else centred.square()
    )
    count = valid.sum(dim=dims, keepdim=keepdims)
    return squares.sum(dim=dims, keepdim=keepdims) / count


def nanstd(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation over ``axis`` of the non-NaN elements.

    Example: ``nanstd([1.0, nan, 3.0])``.
    """
    return torch.sqrt(nanvar(x, axis=axis, keepdims=keepdims))


def _nan_extreme(fn, fill: float, x: Any, axis: Axis, keepdims: bool) -> torch.Tensor:
    x = _tensor(x)
    if not x.is_floating_point():
        return _reduce(fn, x, axis, keepdims)
    if _no_axes(axis):
        return x
    nan = torch.isnan(x)
    out = _reduce(fn, torch.where(nan, fill, x), axis, keepdims)
    all_nan = _reduce(torch.all, nan, axis, keepdims)
    return torch.where(
        all_nan, torch.full((), math.nan, dtype=x.dtype, device=x.device), out
    )


def nanmax(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Maximum over ``axis`` ignoring NaNs (NaN where all are NaN).

    Example: ``nanmax([1.0, nan, 3.0])``.
    """
    return _nan_extreme(torch.amax, -math.inf, x, axis, keepdims)


def nanmin(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Minimum over ``axis`` ignoring NaNs (NaN where all are NaN).

    Example: ``nanmin([1.0, nan, 3.0])``.
    """
    return _nan_extreme(torch.amin, math.inf, x, axis, keepdims)


def _nan_arg(fn, fill: float, x: Any, axis: int | None, keepdims: bool) -> torch.Tensor:
    x = _tensor(x)
    if not x.is_floating_point():
        return _arg_reduce(fn, x, axis, keepdims)
    nan = torch.isnan(x)
    index = _arg_reduce(fn, torch.where(nan, fill, x), axis, keepdims)
    if axis is None:
        all_nan = nan.all().reshape((1,) * x.ndim if keepdims else ())
    else:
        all_nan = nan.all(dim=_dims(x, axis)[0], keepdim=keepdims)
    return torch.where(all_nan, torch.full_like(index, -1), index)


def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the largest non-NaN value; -1 where all are NaN.

    Example: ``nanargmax([1.0, nan, 3.0])``.
    """
    return _nan_arg(torch.argmax, -math.inf, x, axis, keepdims)


def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index (int32) of the smallest non-NaN value; -1 where all are NaN.

    Example: ``nanargmin([1.0, nan, 3.0])``.
    """
    return _nan_arg(torch.argmin, math.inf, x, axis, keepdims)


def nanquantile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """`quantile` of the non-NaN elements. Example: ``nanquantile([1.0, nan, 3.0], 0.5)``."""
    return _quantile(torch.nanquantile, x, q, axis, method, keepdims)


def nanpercentile(
    x: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False
) -> torch.Tensor:
    """`percentile` of the non-NaN elements. Example: ``nanpercentile([1.0, nan], 50)``."""
    q = _tensor(q, dtype=_floatx()) / 100.0
    return nanquantile(x, q, axis=axis, method=method, keepdims=keepdims)


def nanmedian(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Median of the non-NaN elements. Example: ``nanmedian([1.0, nan, 3.0])``."""
    x = _tensor(x)
    if _no_axes(axis):
        return x
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)


def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """`cumsum` with NaNs counted as zero. Example: ``nancumsum([1.0, nan, 2.0])``."""
    return cumsum(nan_to_num(x), axis=axis, dtype=dtype)


def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    """`cumprod` with NaNs counted as one. Example: ``nancumprod([2.0, nan, 3.0])``."""
    return cumprod(nan_to_num(x, nan=1.0), axis=axis, dtype=dtype)


# --------------------------------------------------- sorting and searching


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
    """Indices (int32) that sort ``x`` along ``axis`` (stable; flat when None).

    Example:

    >>> argsort(torch.tensor([3, 1, 2]))
    tensor([1, 2, 0], dtype=torch.int32)
    """
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def argpartition(x: Any, kth: int, axis: int = -1) -> torch.Tensor:
    """Indices (int32) that partition ``x`` along ``axis`` around its ``kth``
    smallest element: that element lands at position ``kth``, smaller ones
    before it, the others after (in no promised order, as in numpy).

    Example:

    >>> argpartition(torch.tensor([3, 4, 2, 1]), 2)[2]
    tensor(0, dtype=torch.int32)
    """
    # A full stable sort is one valid partition (and torch has no
    # selection-only kernel for every dtype).
    return argsort(x, axis=axis)


def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> torch.Tensor:
    """Where ``values`` would be inserted into the 1-D ``sorted_sequence`` to
    keep it sorted (int32 indices).

    Args:
        sorted_sequence: A sorted 1-D tensor.
        values: The values to place.
        side: ``"left"`` (before equal elements) or ``"right"`` (after them).

    Example:

    >>> searchsorted(torch.tensor([1, 3, 5]), torch.tensor([3, 6]))
    tensor([1, 3], dtype=torch.int32)
    """
    sequence, values = _pair(sorted_sequence, values)
    if sequence.ndim != 1:
        raise ShapeError(
            "searchsorted: `sorted_sequence` must be 1-D (use vectorized_map for "
            f"more dimensions), received shape {tuple(sequence.shape)}."
        )
    if side not in ("left", "right"):
        raise ArgumentError(
            f"searchsorted: `side` must be 'left' or 'right', received {side!r}."
        )
    common = torch.promote_types(sequence.dtype, values.dtype)
    out_int32 = sequence.shape[0] <= np.iinfo(np.int32).max
    return torch.searchsorted(
        sequence.to(common), values.to(common), side=side, out_int32=out_int32
    )


def digitize(x: Any, bins: Any) -> torch.Tensor:
    """For each element, the index (int32) of the bin it falls in: ``i`` with
    ``bins[i - 1] <= x < bins[i]`` for increasing ``bins``.

    Example:

    >>> digitize(torch.tensor([0.5, 1.0, 2.5]), torch.tensor([1.0, 2.0]))
    tensor([0, 1, 2], dtype=torch.int32)
    """
    x, bins = _pair(x, bins)
    if x.dtype == torch.bool:
        x = x.to(torch.uint8)
    common = torch.promote_types(x.dtype, bins.dtype)
    return torch.bucketize(x.to(common), bins.to(common), right=True).to(torch.int32)


def nonzero(x: Any) -> torch.Tensor:
    """Indices (int32) of the non-zero elements, as one ``(ndim, count)`` tensor.

    Example:

    >>> nonzero(torch.tensor([[0, 3], [4, 0]]))
    tensor([[0, 1],
            [1, 0]], dtype=torch.int32)
    """
    return torch.nonzero(_tensor(x)).T.to(torch.int32)


def unravel_index(indices: Any, shape: Sequence[int]) -> tuple[torch.Tensor, ...]:
    """Flat ``indices`` as one index tensor per axis of ``shape``.

    Example:

    >>> unravel_index(torch.tensor([5, 7]), (2, 4))
    (tensor([1, 1], dtype=torch.int32), tensor([1, 3], dtype=torch.int32))
    """
    indices = _tensor(indices)
    target = _torch(result_type(indices.dtype))
    return tuple(i.to(target) for i in torch.unravel_index(indices, _shape(shape)))


def unique(
    x: Any,
    sorted: bool = True,  # noqa: A002
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    size: int | None = None,
    fill_value: Any = None,
):
    """The distinct values of ``x`` (rows or slices with ``axis``), sorted.

    Args:
        x: Input tensor (flattened when ``axis`` is None).
        sorted: Accepted for Keras; torch returns the values sorted.
        return_index: Also return where each value first occurs in ``x``.
        return_inverse: Also return, for each element, its value's position
            in the result.
        return_counts: Also return how often each value occurs.
        axis: Find unique slices along this axis instead of elements.
        size: Pad (with ``fill_value``, zero by default) or cut the result to
            this many values, for a fixed shape.
        fill_value: The padding value for ``size``.

    Returns:
        The values, followed by the indices, inverse and counts asked for.

    Example:

    >>> unique(torch.tensor([3, 1, 3, 2]), return_counts=True)
    (tensor([1, 2, 3]), tensor([1, 1, 2]))
    """
    x = _tensor(x)
    values, inverse, counts = torch.unique(
        x, sorted=True, return_inverse=True, return_counts=True, dim=axis
    )
    dim = 0 if axis is None else _dims(x, axis)[0]
    first = None
    if return_index:
        flat_inverse = inverse.reshape(-1)
        positions = torch.arange(flat_inverse.numel(), device=x.device)
        first = torch.full((values.shape[dim],), positions.numel(), device=x.device)
        first = first.scatter_reduce(0, flat_inverse, positions, "amin")
    if size is not None:
        values, first, counts = _fit_unique(
            values, first, counts, dim, size, fill_value
        )
    outputs = [values]
    if return_index:
        outputs.append(first)
    if return_inverse:
        outputs.append(inverse)
    if return_counts:
        outputs.append(counts)
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _fit_unique(values, first, counts, dim: int, size: int, fill_value: Any):
    """Cut or pad unique results to ``size`` entries along ``dim``."""
    found = values.shape[dim]
    if found >= size:
        cut = functools.partial(torch.narrow, dim=0, start=0, length=size)
        return (
            values.narrow(dim, 0, size),
            None if first is None else cut(first),
            cut(counts),
        )
    missing = size - found
    pad_shape = list(values.shape)
    pad_shape[dim] = missing
    fill = torch.full(
        pad_shape,
        0 if fill_value is None else fill_value,
        dtype=values.dtype,
        device=values.device,
    )
    values = torch.cat([values, fill], dim=dim)
    counts = F.pad(counts, (0, missing))
    if first is not None:
        first = F.pad(first, (0, missing), value=1)
    return values, first, counts


def bincount(
    x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False
) -> torch.Tensor:
    """How often each non-negative integer occurs in ``x`` (weighted sums with
    ``weights``); a 2-D ``x`` is counted row by row.

    Args:
        x: Non-negative integers, 1-D or 2-D.
        weights: Same shape as ``x``: sum these instead of counting.
        minlength: The result has at least this many bins.
        sparse: Must be False.

    Example:

    >>> bincount(torch.tensor([0, 2, 2]))
    tensor([1, 0, 2], dtype=torch.int32)
    """
    if sparse:
        raise ArgumentError("bincount: sparse outputs are not supported.")
    x = _tensor(x)
    if weights is None:
        target = torch.int32
    else:
        weights = _tensor(weights, device=x.device)
        target = _torch(result_type(x.dtype, weights.dtype))
    if x.ndim == 2:
        # One bincount over rows offset by (row * bins) keeps it to one kernel.
        bins = builtins.max(int(x.max()) + 1 if x.numel() else 0, minlength)
        offsets = torch.arange(x.shape[0], device=x.device).unsqueeze(1) * bins
        flat = (x.long() + offsets).reshape(-1)
        w = None if weights is None else weights.reshape(-1)
        counts = torch.bincount(flat, w, minlength=bins * x.shape[0])
        return counts.reshape(x.shape[0], bins).to(target)
    return torch.bincount(x.long(), weights, minlength).to(target)


def histogram(x: Any, bins: int = 10, range: Any = None):  # noqa: A002
    """Counts of the 1-D ``x`` in ``bins`` equal bins over ``range``, and the
    bin edges.

    Args:
        x: A 1-D tensor.
        bins: The number of bins.
        range: ``(low, high)``; the minimum and maximum of ``x`` by default.
            The last bin includes ``high``; values outside are not counted.

    Returns:
        ``(counts, edges)``, of ``bins`` and ``bins + 1`` floats.

    Example:

    >>> histogram(torch.tensor([0.0, 1.0, 1.5, 4.0]), bins=2)[0]
    tensor([3., 1.])
    """
    if not isinstance(bins, int) or bins < 0:
        raise ArgumentError(
            f"histogram: `bins` must be an int >= 0, received {bins!r}."
        )
    if range is not None and (
        not isinstance(range, tuple) or len(range) != 2 or range[1] < range[0]
    ):
        raise ArgumentError(
            "histogram: `range` must be a tuple (low, high) with low <= high, "
            f"received {range!r}."
        )
    x = _floating(_tensor(x))
    if x.ndim > 1:
        raise ShapeError(
            f"histogram: `x` must be 1-D, received shape {tuple(x.shape)}."
        )
    low, high = range if range is not None else (x.min().item(), x.max().item())
    if low == high:
        low, high = low - 0.5, high + 0.5
    edges = torch.linspace(low, high, bins + 1, dtype=x.dtype, device=x.device)
    inside = (x >= low) & (x <= high)
    index = torch.bucketize(x, edges[1:-1], right=True)
    counts = torch.zeros(bins, dtype=x.dtype, device=x.device)
    counts.index_add_(0, index[inside], torch.ones_like(x[inside]))
    return counts, edges


# ----------------------------------------------------------- linear algebra


def _float_compute(x1: torch.Tensor, x2: torch.Tensor, result: torch.dtype):
    """Both inputs in a float dtype torch multiplies on every device (float16
    becomes float32 on the CPU)."""
    compute = _torch(result_type(result, float))
    if compute == torch.float16 and x1.device.type == "cpu":
        compute = torch.float32
    return x1.to(compute), x2.to(compute)


def matmul(x1: Any, x2: Any) -> torch.Tensor:
    """Matrix product with numpy's broadcasting rules (int8 inputs give int32).

    Example: ``matmul(a, b)``.
    """
    x1, x2 = _pair(x1, x2)
    if x1.dtype == torch.int8 and x2.dtype == torch.int8:
        result = torch.int32
    else:
        result = _torch(result_type(x1.dtype, x2.dtype))
    compute = result
    if compute == torch.bool:
        compute = _floatx()
    elif compute == torch.float16 and x1.device.type == "cpu":
        compute = torch.float32
    elif (
        x1.device.type == "cuda"
        and not compute.is_floating_point
        and not compute.is_complex
    ):
        compute = _floatx()  # CUDA has no integer matmul kernels
    return torch.matmul(x1.to(compute), x2.to(compute)).to(result)


def dot(x1: Any, x2: Any) -> torch.Tensor:
    """numpy's ``dot``: inner product for 1-D, matrix product for 2-D, and for
    N-D a sum over the last axis of ``x1`` and the second-to-last of ``x2``.

    Example:

    >>> dot(torch.tensor([1, 2]), torch.tensor([3, 4]))
    tensor(11, dtype=torch.int32)
    """
    x1, x2 = _pair(x1, x2)
    result = _torch(result_type(x1.dtype, x2.dtype))
    x1, x2 = _float_compute(x1, x2, result)
    if x1.ndim == 0 or x2.ndim == 0:
        return (x1 * x2).to(result)
    if x2.ndim == 1:
        out = torch.tensordot(x1, x2, dims=([x1.ndim - 1], [0]))
    else:
        out = torch.tensordot(x1, x2, dims=([x1.ndim - 1], [x2.ndim - 2]))
    return out.to(result)


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> torch.Tensor:
    """Sum of products over ``axes`` (an int, or two lists of axes).

    Example:

    >>> tensordot(torch.ones(2, 3), torch.ones(3, 4), axes=1).shape
    torch.Size([2, 4])
    """
    x1, x2 = _pair(x1, x2)
    result = _torch(result_type(x1.dtype, x2.dtype))
    x1, x2 = _float_compute(x1, x2, result)
    if not isinstance(axes, int):
        axes = [list(a) if isinstance(a, (list, tuple)) else [a] for a in axes]
    return torch.tensordot(x1, x2, dims=axes).to(result)


def vdot(x1: Any, x2: Any) -> torch.Tensor:
    """Dot product of the flattened inputs (the first conjugated).

    Example: ``vdot([1.0, 2.0], [3.0, 4.0])``.
    """
    x1, x2 = _pair(x1, x2)
    result = _torch(result_type(x1.dtype, x2.dtype))
    x1, x2 = _float_compute(x1, x2, result)
    return torch.vdot(x1.reshape(-1), x2.reshape(-1)).to(result)


def inner(x1: Any, x2: Any) -> torch.Tensor:
    """Inner product over the last axes (an ordinary product for scalars).

    Example: ``inner([1.0, 2.0], [3.0, 4.0])``.
    """
    x1, x2 = _pair(x1, x2)
    result = _torch(result_type(x1.dtype, x2.dtype))
    x1, x2 = _float_compute(x1, x2, result)
    return torch.inner(x1, x2).to(result)


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> torch.Tensor:
    """Einstein summation; int8 operands give int32, mixed dtypes promote.

    Example: ``einsum("ij,jk->ik", a, b)``.
    """
    tensors = [_tensor(o) for o in operands]
    kinds = {t.dtype for t in tensors}
    if kinds == {torch.int8}:
        compute = _floatx() if tensors[0].device.type == "cuda" else torch.int32
        return torch.einsum(subscripts, *[t.to(compute) for t in tensors]).to(
            torch.int32
        )
    if len(kinds) > 1:
        common = _torch(result_type(*kinds))
        tensors = [t.to(common) for t in tensors]
    return torch.einsum(subscripts, *tensors)


def outer(x1: Any, x2: Any) -> torch.Tensor:
    """Outer product of the flattened inputs. Example: ``outer([1, 2], [3, 4])``."""
    x1, x2 = _pair(x1, x2)
    return torch.outer(x1.reshape(-1), x2.reshape(-1))


def kron(x1: Any, x2: Any) -> torch.Tensor:
    """Kronecker product: ``x2`` scaled by each element of ``x1``, tiled.

    Example: ``kron([[1, 2]], [[1], [10]])``.
    """
    return torch.kron(*_pair(x1, x2))


def cross(
    x1: Any,
    x2: Any,
    axisa: int = -1,
    axisb: int = -1,
    axisc: int = -1,
    axis: int | None = None,
) -> torch.Tensor:
    """Cross product of 3-element (or 2-element) vectors along an axis.

    Args:
        x1: First vectors, along ``axisa``.
        x2: Second vectors, along ``axisb``; broadcasts against ``x1``.
        axisa: The vector axis of ``x1``.
        axisb: The vector axis of ``x2``.
        axisc: Where the result's vector axis goes.
        axis: If given, the vector axis of all three.

    With two 2-element vectors the result is the z-component only, as in
    numpy.

    Example:

    >>> cross(torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _pair(x1, x2)
    result = _torch(result_type(x1.dtype, x2.dtype))
    compute = (
        torch.float32 if result == torch.float16 and x1.device.type == "cpu" else result
    )
    a = torch.movedim(x1.to(compute), axisa, -1)
    b = torch.movedim(x2.to(compute), axisb, -1)
    for v in (a, b):
        if v.shape[-1] not in (2, 3):
            raise ShapeError(
                "cross: the vector axis must have 2 or 3 elements, received "
                f"shapes {tuple(x1.shape)} and {tuple(x2.shape)}."
            )
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]).to(result)
    a, b = (F.pad(v, (0, 3 - v.shape[-1])) for v in (a, b))
    a, b = torch.broadcast_tensors(a, b)
    return torch.movedim(torch.linalg.cross(a, b, dim=-1), -1, axisc).to(result)


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """The diagonal over ``axis1``/``axis2``, as a new last axis.

    Example:

    >>> diagonal(torch.arange(9).reshape(3, 3))
    tensor([0, 4, 8])
    """
    x = _tensor(x)
    if _dims(x, axis1) == _dims(x, axis2):
        raise ArgumentError(
            f"diagonal: `axis1` and `axis2` must differ, received {axis1} and {axis2}."
        )
    return torch.diagonal(x, offset=offset, dim1=axis1, dim2=axis2)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Sum along a diagonal (bools and small integers summed in int32).

    Example: ``trace(eye(3))``.
    """
    x = _tensor(x)
    return torch.sum(diagonal(x, offset, axis1, axis2), dim=-1, dtype=_sum_dtype(x))


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


def slogdet(x: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Sign and natural log of the absolute determinant of square matrices.

    Example:

    >>> slogdet(torch.tensor([[2.0, 0.0], [0.0, 3.0]]))
    (tensor(1.), tensor(1.7918))
    """
    return tuple(torch.linalg.slogdet(_tensor(x)))


# ----------------------------------------------------------- shape & layout


def reshape(x: Any, newshape: Any) -> torch.Tensor:
    """``x`` with a new shape (one entry may be -1).

    Example: ``reshape(x, (2, -1))``.
    """
    return torch.reshape(_tensor(x), _shape(newshape))


def ravel(x: Any) -> torch.Tensor:
    """``x`` flattened to 1-D. Example: ``ravel([[1, 2], [3, 4]])``."""
    return _tensor(x).reshape(-1)


def ndim(x: Any) -> int:
    """The number of axes of ``x``. Example: ``ndim(torch.zeros(2, 3))``."""
    return _tensor(x).ndim


def size(x: Any) -> torch.Tensor:
    """The number of elements of ``x``, as a 0-d int64 tensor.

    Example: ``size(torch.zeros(2, 3))``.
    """
    x = _tensor(x)
    return torch.tensor(x.numel(), dtype=torch.int64, device=x.device)


def get_item(x: Any, key: Any) -> torch.Tensor:
    """``x[key]``, for code written as a function call.

    Example: ``get_item(torch.arange(5), slice(1, 3))``.
    """
    return _tensor(x)[key]


def view(x: Any, dtype: Any = None) -> torch.Tensor:
    """The same bytes read as ``dtype`` (floatx by default).

    Example: ``view(torch.tensor([1.0]), "int32")``.
    """
    return _tensor(x).view(backend.to_torch_dtype(dtype))


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


def fliplr(x: Any) -> torch.Tensor:
    """Reverse the order along axis 1 (left/right). Example: ``fliplr(x)``."""
    return torch.fliplr(_tensor(x))


def flipud(x: Any) -> torch.Tensor:
    """Reverse the order along axis 0 (up/down). Example: ``flipud(x)``."""
    return torch.flipud(_tensor(x))


def rot90(array: Any, k: int = 1, axes: tuple[int, int] = (0, 1)) -> torch.Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (from the first
    axis towards the second).

    Example:

    >>> rot90(torch.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    x = _tensor(array)
    if x.ndim < 2:
        raise ShapeError(
            f"rot90: the input must have at least 2 axes, received shape {tuple(x.shape)}."
        )
    if len(axes) != 2 or _dims(x, axes[0]) == _dims(x, axes[1]):
        raise ArgumentError(
            f"rot90: `axes` must be two different axes, received {axes}."
        )
    return torch.rot90(x, k=k, dims=tuple(_dims(x, axes)))


def roll(x: Any, shift: Any, axis: Axis = None) -> torch.Tensor:
    """Shift elements along ``axis`` (of the flattened tensor when None),
    wrapping around.

    Example:

    >>> roll(torch.tensor([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    """
    return torch.roll(_tensor(x), shift, dims=axis)


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
    return torch.hstack([_tensor(x) for x in xs])


def vstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along axis 0, 1-D inputs as rows. Example: ``vstack([a, b])``."""
    return torch.vstack([_tensor(x) for x in xs])


def dstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along axis 2, smaller inputs first made 3-D. Example: ``dstack([a, b])``."""
    return torch.dstack([_tensor(x) for x in xs])


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
    return list(torch.tensor_split(x, _split_points(indices_or_sections), dim=axis))


def _split_points(indices_or_sections: Any) -> int | list[int]:
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    if isinstance(indices_or_sections, torch.Tensor):
        indices_or_sections = indices_or_sections.tolist()
    return [int(i) for i in indices_or_sections]


def array_split(x: Any, indices_or_sections: int, axis: int = 0) -> list[torch.Tensor]:
    """Split into ``indices_or_sections`` nearly equal parts along ``axis`` (the
    first parts one longer where the size does not divide).

    Example:

    >>> [t.tolist() for t in array_split(torch.arange(5), 2)]
    [[0, 1, 2], [3, 4]]
    """
    if not isinstance(indices_or_sections, int) or indices_or_sections <= 0:
        raise ArgumentError(
            "array_split: `indices_or_sections` must be a positive int, received "
            f"{indices_or_sections!r}."
        )
    if not isinstance(axis, int):
        raise ArgumentError(f"array_split: `axis` must be an int, received {axis!r}.")
    return list(torch.tensor_split(_tensor(x), indices_or_sections, dim=axis))


def hsplit(x: Any, indices_or_sections: Any) -> list[torch.Tensor]:
    """`split` along axis 1 (axis 0 for 1-D inputs). Example: ``hsplit(x, 2)``."""
    return list(torch.hsplit(_tensor(x), _split_points(indices_or_sections)))


def vsplit(x: Any, indices_or_sections: Any) -> list[torch.Tensor]:
    """`split` along axis 0. Example: ``vsplit(x, 2)``."""
    return list(torch.vsplit(_tensor(x), _split_points(indices_or_sections)))


def dsplit(x: Any, indices_or_sections: Any) -> list[torch.Tensor]:
    """`split` along axis 2. Example: ``dsplit(x, 2)``."""
    return list(torch.dsplit(_tensor(x), _split_points(indices_or_sections)))


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


# ------------------------------------------------ windows, signals, calculus


def _window(kernel, x: Any, **kwargs) -> torch.Tensor:
    if _is_symbolic(x):
        raise _symbolic_error()
    length = int(_number(x))
    return kernel(length, dtype=_floatx(), device=backend.device(), **kwargs)


def bartlett(x: int) -> torch.Tensor:
    """The Bartlett (triangular) window of ``x`` points. Example: ``bartlett(5)``."""
    return _window(torch.signal.windows.bartlett, x)


def blackman(x: int) -> torch.Tensor:
    """The Blackman window of ``x`` points. Example: ``blackman(5)``."""
    return _window(torch.signal.windows.blackman, x)


def hamming(x: int) -> torch.Tensor:
    """The Hamming window of ``x`` points. Example: ``hamming(5)``."""
    return _window(torch.signal.windows.hamming, x)


def hanning(x: int) -> torch.Tensor:
    """The Hann window of ``x`` points. Example: ``hanning(5)``."""
    return _window(torch.signal.windows.hann, x)


def kaiser(x: int, beta: float) -> torch.Tensor:
    """The Kaiser window of ``x`` points with shape parameter ``beta``.

    Example: ``kaiser(5, 14.0)``.
    """
    return _window(torch.signal.windows.kaiser, x, beta=float(beta))


def correlate(x1: Any, x2: Any, mode: str = "valid") -> torch.Tensor:
    """Cross-correlation of two 1-D sequences, ``c[k] = sum_n x1[n + k] * x2[n]``.

    Args:
        x1: The first sequence.
        x2: The second sequence.
        mode: ``"full"`` (every overlap), ``"same"`` (the length of ``x1``,
            centred) or ``"valid"`` (where the two overlap completely).

    Example:

    >>> correlate(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.0, 1.0]))
    tensor([2., 3.])
    """
    if mode not in ("full", "same", "valid"):
        raise ArgumentError(
            f"correlate: `mode` must be 'full', 'same' or 'valid', received {mode!r}."
        )
    x1, x2 = _pair(x1, x2)
    name = result_type(x1.dtype, x2.dtype)
    compute = _torch(name if name in ("bfloat16", "float16") else "float32")
    n1, n2 = x1.shape[-1], x2.shape[-1]
    # conv1d is a cross-correlation; padding by n2 - 1 gives every overlap.
    full = F.conv1d(
        x1.to(compute).reshape(1, 1, n1),
        x2.to(compute).reshape(1, 1, n2),
        padding=n2 - 1,
    ).reshape(-1)
    if mode == "valid":
        length = builtins.max(n1, n2) - builtins.min(n1, n2) + 1
        full = full.narrow(0, (full.shape[0] - length) // 2, length)
    elif mode == "same":
        full = full.narrow(0, (full.shape[0] - n1) // 2, n1)
    return full.squeeze()


def corrcoef(x: Any) -> torch.Tensor:
    """Pearson correlation coefficients of the rows of ``x`` (variables).

    Example: ``corrcoef([[1.0, 2.0, 3.0], [2.0, 4.0, 7.0]])``.
    """
    x = _tensor(x)
    if x.dtype == torch.bool:
        x = x.to(_floatx())
    elif x.dtype == torch.int64:
        x = x.to(torch.float64)
    return torch.corrcoef(x)


def diff(a: Any, n: int = 1, axis: int = -1) -> torch.Tensor:
    """The ``n``-th discrete difference along ``axis``.

    Example:

    >>> diff(torch.tensor([1, 4, 9, 16]))
    tensor([3, 5, 7])
    """
    return torch.diff(_tensor(a), n=n, dim=axis)


def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> torch.Tensor:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule, at sample
    points ``x`` (or spaced ``dx`` apart).

    Example:

    >>> trapezoid(torch.tensor([1.0, 2.0, 3.0]))
    tensor(4.)
    """
    y = _tensor(y)
    if _is_int_or_bool(y):
        y = y.to(_floatx())
    if x is not None:
        return torch.trapezoid(y, x=_tensor(x, device=y.device), dim=axis)
    return torch.trapezoid(y, dx=_number(dx), dim=axis)


# ------------------------------------------------------------ vectorization


def _parse_gufunc_signature(signature: str):
    """``"(m,n),(n)->(m)"`` as per-input and output core-dimension names."""
    inputs, _, outputs = signature.replace(" ", "").partition("->")

    def groups(text: str) -> list[tuple[str, ...]]:
        found = []
        for part in text.split(")")[:-1]:
            names = part.lstrip(",").lstrip("(")
            found.append(tuple(n for n in names.split(",") if n))
        return found

    return groups(inputs), groups(outputs)


def vectorize(
    pyfunc: Callable, *, excluded: Any = None, signature: str | None = None
) -> Callable:
    """``pyfunc`` turned into a function that maps over the leading (broadcast)
    axes of its tensor arguments, with `torch.vmap`.

    Args:
        pyfunc: A function of tensors (of the core shapes).
        excluded: Positions or keyword names of arguments passed through
            unchanged.
        signature: A generalized-ufunc signature like ``"(n),(n)->()"``: the
            trailing core axes each argument keeps; by default every argument
            is mapped element by element.

    Example:

    >>> dot_rows = vectorize(lambda a, b: (a * b).sum(), signature="(n),(n)->()")
    >>> dot_rows(torch.ones(4, 3), torch.ones(4, 3))
    tensor([3., 3., 3., 3.])
    """
    if not callable(pyfunc):
        raise ArgumentError(
            f"vectorize: `pyfunc` must be callable, received {pyfunc!r}."
        )
    excluded = set(excluded or ())
    core_inputs = None if signature is None else _parse_gufunc_signature(signature)[0]

    @functools.wraps(pyfunc)
    def vectorized(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        fixed_kwargs = {k: v for k, v in kwargs.items() if k in excluded}
        tensors = [_tensor(args[i]) for i in mapped]
        if kwargs.keys() - fixed_kwargs.keys():
            names = sorted(kwargs.keys() - fixed_kwargs.keys())
            raise ArgumentError(
                f"vectorize: keyword arguments {names} are not vectorized; list "
                "them in `excluded` or pass them by position."
            )
        cores = core_inputs or [()] * len(tensors)
        loop_shape = torch.broadcast_shapes(
            *(t.shape[: t.ndim - len(c)] for t, c in zip(tensors, cores))
        )
        tensors = [
            t.broadcast_to(loop_shape + t.shape[t.ndim - len(c) :])
            for t, c in zip(tensors, cores)
        ]

        def call(*mapped_values):
            full = list(args)
            for i, value in zip(mapped, mapped_values):
                full[i] = value
            return pyfunc(*full, **fixed_kwargs)

        for _ in loop_shape:
            call = torch.vmap(call)
        return call(*tensors)

    return vectorized


# numpy's other name for one of the ops above.
absolute = abs

__all__ = [
    "abs",
    "absolute",
    "add",
    "all",
    "allclose",
    "amax",
    "amin",
    "angle",
    "any",
    "append",
    "arange",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "argmax",
    "argmin",
    "argpartition",
    "argsort",
    "array",
    "array_split",
    "average",
    "bartlett",
    "bincount",
    "bitwise_and",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "blackman",
    "broadcast_to",
    "cbrt",
    "ceil",
    "clip",
    "concatenate",
    "conj",
    "conjugate",
    "copy",
    "corrcoef",
    "correlate",
    "cos",
    "cosh",
    "count_nonzero",
    "cross",
    "cumprod",
    "cumsum",
    "deg2rad",
    "diag",
    "diagflat",
    "diagonal",
    "diff",
    "digitize",
    "divide",
    "divide_no_nan",
    "dot",
    "dsplit",
    "dstack",
    "einsum",
    "empty",
    "empty_like",
    "equal",
    "exp",
    "exp2",
    "expand_dims",
    "expm1",
    "eye",
    "fabs",
    "flip",
    "fliplr",
    "flipud",
    "floor",
    "floor_divide",
    "fmax",
    "fmin",
    "fmod",
    "full",
    "full_like",
    "gcd",
    "geomspace",
    "get_item",
    "greater",
    "greater_equal",
    "hamming",
    "hanning",
    "heaviside",
    "histogram",
    "hsplit",
    "hstack",
    "hypot",
    "i0",
    "identity",
    "imag",
    "inner",
    "isclose",
    "isfinite",
    "isin",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "kaiser",
    "kron",
    "lcm",
    "ldexp",
    "left_shift",
    "less",
    "less_equal",
    "linspace",
    "log",
    "log10",
    "log1p",
    "log2",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "logspace",
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
    "nan_to_num",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmedian",
    "nanmin",
    "nanpercentile",
    "nanprod",
    "nanquantile",
    "nanstd",
    "nansum",
    "nanvar",
    "ndim",
    "negative",
    "nextafter",
    "nonzero",
    "not_equal",
    "ones",
    "ones_like",
    "outer",
    "pad",
    "percentile",
    "power",
    "prod",
    "ptp",
    "quantile",
    "rad2deg",
    "ravel",
    "real",
    "reciprocal",
    "repeat",
    "reshape",
    "right_shift",
    "roll",
    "rot90",
    "round",
    "searchsorted",
    "select",
    "sign",
    "signbit",
    "sin",
    "sinc",
    "sinh",
    "size",
    "slogdet",
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
    "trapezoid",
    "tri",
    "tril",
    "triu",
    "true_divide",
    "trunc",
    "unique",
    "unravel_index",
    "vander",
    "var",
    "vdot",
    "vectorize",
    "view",
    "vsplit",
    "vstack",
    "where",
    "zeros",
    "zeros_like",
]
