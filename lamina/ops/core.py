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
import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.backend.dtypes import result_type
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, ShapeError


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


def _python_scalar_dtype(x: bool | int | float | complex) -> torch.dtype:
    # Keras's dtypes for Python numbers: int32 (int64 past its range), floatx,
    # complex64.
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int32 if -(2**31) <= x < 2**31 else torch.int64
    if isinstance(x, float):
        return backend.to_torch_dtype(backend.floatx())
    return torch.complex64


def _tensor(x: Any, dtype: Any = None, device: Any = None) -> torch.Tensor:
    """``x`` as a torch tensor, with the dtype Keras gives it.

    A tensor stays on its own device with its own dtype. Python numbers become
    int32 (int64 when too large), floatx, bool or complex64; lists take the
    promoted dtype of their elements (`result_type`), so ``[1, 2]`` is int32 and
    ``[1, 2.5]`` floatx; numpy arrays keep their dtype (uint32, which torch
    barely supports, becomes int64). New tensors go to ``device``, by default
    lamina's device.
    """
    torch_dtype = None if dtype is None else backend.to_torch_dtype(dtype)
    if isinstance(x, torch.Tensor):
        if torch_dtype is not None and x.dtype != torch_dtype:
            return x.to(torch_dtype)
        return x
    if _is_symbolic(x):
        raise _symbolic_error()
    if isinstance(x, (list, tuple)):
        if any(isinstance(i, torch.Tensor) for i in x):
            t = torch.stack([_tensor(i, device=device) for i in x])
            return t if torch_dtype is None else t.to(torch_dtype)
        if torch_dtype is None:
            leaves = tree.flatten(x)
            names = [getattr(leaf, "dtype", type(leaf)) for leaf in leaves]
            torch_dtype = backend.to_torch_dtype(result_type(*names))
        data = np.asarray(x) if x else x
    elif isinstance(x, (bool, int, float, complex)):
        data = x
        torch_dtype = torch_dtype or _python_scalar_dtype(x)
    else:
        data = np.asarray(x)
        if data.dtype == np.uint32:
            data = data.astype(np.int64)
    return torch.as_tensor(data, dtype=torch_dtype, device=device or backend.device())


def _pair(x1: Any, x2: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Two operands as tensors on one device.

    Python numbers become 0-d tensors, which torch's promotion ranks below
    tensors with dimensions: an int8 tensor plus ``2`` stays int8, as in Keras.
    """
    if isinstance(x1, torch.Tensor) and isinstance(x2, torch.Tensor):
        return x1, x2
    ref = x1 if isinstance(x1, torch.Tensor) else x2
    device = ref.device if isinstance(ref, torch.Tensor) else None
    return _tensor(x1, device=device), _tensor(x2, device=device)


def _floating(x: torch.Tensor) -> torch.Tensor:
    """Integers and bools as floatx, for ops whose result is a real number."""
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(backend.to_torch_dtype(backend.floatx()))


def _keras_dtype(x: torch.Tensor) -> str:
    return backend.standardize_dtype(x.dtype)


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
        dtype: Target dtype; by default the value's own (Python ints are
            int32, floats floatx; lists take their elements' promoted dtype).
        sparse: Sparse tensors are not supported; must be falsy.
        ragged: Ragged tensors are not supported; must be falsy.

    Example:

    >>> convert_to_tensor([1, 2]).dtype
    torch.int32
    """
    if sparse or ragged:
        raise ArgumentError(
            "convert_to_tensor: sparse and ragged tensors are not supported, "
            f"received sparse={sparse!r}, ragged={ragged!r}."
        )
    return _tensor(x, dtype=dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A numpy array holding the values of ``x`` (copied to the host).

    bfloat16, which numpy lacks, comes back as float32; a list of tensors
    becomes one stacked array.

    Example:

    >>> convert_to_numpy(torch.tensor([1, 2]))
    array([1, 2])
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    if _is_symbolic(x):
        raise _symbolic_error()
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(item) for item in x])
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
        indices: Integer tensor of shape ``(..., k)``: positions, each
            indexing the first ``k`` axes.
        values: Tensor of shape ``indices.shape[:-1] + shape[k:]``.
        shape: The output shape.

    Example:

    >>> scatter([[0], [2], [2]], [1.0, 2.0, 3.0], (4,))
    tensor([1., 0., 5., 0.])
    """
    values = _tensor(values)
    indices = _tensor(indices, device=values.device).long()
    shape = tuple(int(s) for s in shape)
    k = indices.shape[-1]
    indices = indices.reshape(-1, k)
    values = values.reshape((indices.shape[0],) + shape[k:])
    out = torch.zeros(shape, dtype=values.dtype, device=values.device)
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


def scatter_update(
    inputs: Any, indices: Any, updates: Any, reduction: str | None = None
) -> torch.Tensor:
    """A copy of ``inputs`` with ``updates`` written (or combined) at ``indices``.

    Args:
        inputs: The tensor to update.
        indices: Integer tensor of shape ``(N, k)``: ``N`` positions, each
            indexing the first ``k`` axes of ``inputs``.
        updates: Tensor of shape ``(N,) + inputs.shape[k:]``.
        reduction: ``None`` (overwrite), ``"add"``, ``"max"``, ``"min"`` or
            ``"mul"``: how an update combines with the value already there;
            repeated indices combine in turn.

    Example:

    >>> scatter_update(torch.zeros(4), [[1], [3]], torch.tensor([5.0, 6.0]))
    tensor([0., 5., 0., 6.])
    """
    reductions = {"add": "sum", "max": "amax", "min": "amin", "mul": "prod"}
    if reduction is not None:
        reduction = reduction.lower()
        if reduction not in reductions:
            raise ArgumentError(
                "scatter_update: `reduction` must be None, 'add', 'max', 'min' "
                f"or 'mul', received reduction={reduction!r}."
            )
    inputs = _tensor(inputs)
    indices = _tensor(indices, device=inputs.device).long()
    updates = _tensor(updates, dtype=inputs.dtype, device=inputs.device)
    out = inputs.clone()
    if reduction is None:
        out[tuple(indices.unbind(-1))] = updates
        return out
    # The indexed leading axes flattened into one, so one index_reduce_ call
    # handles slices and repeated indices alike.
    k = indices.shape[-1]
    lead = inputs.shape[:k]
    flat_index = torch.zeros(indices.shape[:-1], dtype=torch.long, device=out.device)
    for axis, size in enumerate(lead):
        flat_index = flat_index * size + indices[..., axis]
    flat = out.reshape((-1,) + tuple(inputs.shape[k:]))
    source = updates.reshape((-1,) + tuple(inputs.shape[k:]))
    index = flat_index.reshape((-1,) + (1,) * (source.ndim - 1)).expand_as(source)
    flat.scatter_reduce_(0, index, source, reductions[reduction])
    return flat.reshape(inputs.shape)


def saturate_cast(x: Any, dtype: Any) -> torch.Tensor:
    """Cast to ``dtype``, first clipping values to the range ``dtype`` can hold.

    A plain cast wraps around (``cast(300.0, "uint8")`` is 44); this one
    saturates (255), and maps infinities to the range's ends.

    Example:

    >>> saturate_cast(torch.tensor([-1.5, 300.0]), "uint8")
    tensor([  0, 255], dtype=torch.uint8)
    """
    x = _tensor(x)
    target = backend.to_torch_dtype(dtype)
    low, high = _dtype_range(x.dtype, target)
    return torch.clamp(x, low, high).to(target)


def _range_of(dtype: torch.dtype) -> tuple[float | int, float | int]:
    if dtype == torch.bool:
        return 0, 1
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    return info.min, info.max


def _dtype_range(source: torch.dtype, target: torch.dtype) -> tuple[Any, Any]:
    """The target's range as values of the source dtype, rounded inwards.

    ``int32``'s maximum is not a float32: the nearest float32 rounds up past
    it, so the bound steps down to the next float32 below.
    """
    (in_low, in_high), (out_low, out_high) = _range_of(source), _range_of(target)
    np_source = np.dtype(str(source).removeprefix("torch."))
    low = np.asarray(builtins.max(in_low, out_low)).astype(np_source)
    high = np.asarray(builtins.min(in_high, out_high)).astype(np_source)
    if low.item() < out_low:
        low = np.nextafter(low, np.zeros((), np_source))
    if high.item() > out_high:
        high = np.nextafter(high, np.zeros((), np_source))
    return low.item(), high.item()


def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """Call ``branches[index](*operands)``; ``index`` is clipped into range.

    Example:

    >>> switch(1, [lambda x: x + 1, lambda x: x * 10], 3)
    30
    """
    if _is_symbolic(index):
        raise _symbolic_error()
    position = int(index)
    return branches[builtins.min(builtins.max(position, 0), len(branches) - 1)](
        *operands
    )


def while_loop(
    cond: Callable,
    body: Callable,
    loop_vars: Any,
    maximum_iterations: int | None = None,
) -> Any:
    """Run ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` holds.

    Args:
        cond: Returns whether to run another iteration (read on the host).
        body: Returns the next loop variables, in the same structure.
        loop_vars: A value or a tuple/list of values (converted to tensors).
        maximum_iterations: Stop after this many iterations at the latest.

    Returns:
        The final loop variables, in the structure of ``loop_vars``.

    Example:

    >>> while_loop(lambda i: i < 10, lambda i: i + 3, 0)
    tensor(12, dtype=torch.int32)
    """
    is_sequence = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)
    state = tree.map_structure(_tensor, state)
    iteration = 0
    while (maximum_iterations is None or iteration < maximum_iterations) and cond(
        *state
    ):
        state = body(*state)
        state = tuple(state) if isinstance(state, (list, tuple)) else (state,)
        iteration += 1
    return state if is_sequence else state[0]


def fori_loop(lower: int, upper: int, body_fun: Callable, init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` from ``lower`` to ``upper - 1``.

    Example:

    >>> fori_loop(0, 5, lambda i, total: total + i, 0)
    10
    """
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def _leading_size(flat: list[torch.Tensor]) -> int:
    return int(flat[0].shape[0])


def _stack_structures(results: list[Any]) -> Any:
    """Per-step outputs of one structure stacked leaf by leaf on a new axis 0."""
    columns = zip(*(tree.flatten(r) for r in results))
    return tree.pack_sequence_as(results[0], [torch.stack(c) for c in columns])


def scan(
    f: Callable,
    init: Any,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``.

    Args:
        f: ``(carry, x) -> (carry, y)``; ``y`` may be None.
        init: The first carry (any structure of tensors).
        xs: What to scan over (any structure of tensors), or None with
            ``length``.
        length: The number of steps when ``xs`` is None.
        reverse: Scan from the last element to the first (``ys`` keep the
            order of ``xs``).
        unroll: Accepted for Keras (a positive int or a bool); the loop runs
            eagerly.

    Returns:
        The final carry and the stacked ``y`` values (zeros shaped like the
        carry's leaves where ``f`` returns no ``y``).

    Example:

    >>> carry, ys = scan(lambda c, x: (c + x, c), 0.0, torch.tensor([1.0, 2.0]))
    >>> carry, ys
    (tensor(3.), tensor([0., 1.]))
    """
    if not callable(f):
        raise ArgumentError(f"scan: `f` must be callable, received f={f!r}.")
    if not isinstance(unroll, bool) and (not isinstance(unroll, int) or unroll < 1):
        raise ArgumentError(
            "scan: `unroll` must be a positive integer or a bool, received "
            f"unroll={unroll!r}."
        )
    if _is_symbolic([init, xs]):
        raise _symbolic_error()
    if xs is None and length is None:
        raise ArgumentError("scan: give `xs` to scan over, or a `length`.")
    xs_flat = [] if xs is None else [_tensor(x) for x in tree.flatten(xs)]
    steps = int(length) if length is not None else _leading_size(xs_flat)
    init_flat = [_tensor(leaf) for leaf in tree.flatten(init)]
    carry = tree.pack_sequence_as(init, init_flat)
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    ys = []
    for i in order:
        x = (
            tree.pack_sequence_as(xs, [leaf[i] for leaf in xs_flat])
            if xs_flat
            else None
        )
        carry, y = f(carry, x)
        ys.append(y if y is not None else [torch.zeros_like(v) for v in init_flat])
    if reverse:
        ys.reverse()
    return carry, _stack_structures(ys) if ys else ys


def map(f: Callable, xs: Any) -> Any:  # noqa: A001
    """``f`` applied to each slice of ``xs`` along its leading axis, stacked.

    Example:

    >>> map(lambda x: x * 2, torch.tensor([1, 2, 3]))
    tensor([2, 4, 6])
    """
    flat = [_tensor(x) for x in tree.flatten(xs)]
    results = [
        f(tree.pack_sequence_as(xs, [leaf[i] for leaf in flat]))
        for i in range(_leading_size(flat))
    ]
    return _stack_structures(results)


def associative_scan(
    f: Callable, elems: Any, reverse: bool = False, axis: int = 0
) -> Any:
    """Prefix scan with an associative ``f``: ``out[i] = f(out[i - 1], elems[i])``.

    Computed in ``log2(n)`` calls of ``f`` on whole slices (each step combines
    elements ``2**k`` apart), so ``f`` must work elementwise on tensors that
    keep the scanned axis.

    Args:
        f: An associative ``(a, b) -> c`` on structures like ``elems``.
        elems: A tensor or a structure of tensors of equal size along ``axis``.
        reverse: Scan from the end backwards.
        axis: The axis to scan along.

    Example:

    >>> associative_scan(lambda a, b: a + b, torch.tensor([1, 2, 3, 4]))
    tensor([ 1,  3,  6, 10])
    """
    if not callable(f):
        raise ArgumentError(
            f"associative_scan: `f` must be callable, received f={f!r}."
        )
    flat = [_tensor(e) for e in tree.flatten(elems)]
    if reverse:
        flat = [torch.flip(e, (axis,)) for e in flat]
    size = int(flat[0].shape[axis])
    if any(int(e.shape[axis]) != size for e in flat):
        raise ShapeError(
            "associative_scan: every input needs the same size along axis "
            f"{axis}, received shapes {[tuple(e.shape) for e in flat]}."
        )
    offset = 1
    while offset < size:
        earlier = [e.narrow(axis, 0, size - offset) for e in flat]
        later = [e.narrow(axis, offset, size - offset) for e in flat]
        combined = tree.flatten(
            f(
                tree.pack_sequence_as(elems, earlier),
                tree.pack_sequence_as(elems, later),
            )
        )
        flat = [
            torch.cat([e.narrow(axis, 0, offset), _tensor(c)], dim=axis)
            for e, c in zip(flat, combined)
        ]
        offset *= 2
    if reverse:
        flat = [torch.flip(e, (axis,)) for e in flat]
    return tree.pack_sequence_as(elems, flat)


def vectorized_map(function: Callable, elements: Any) -> Any:
    """``function`` mapped over the leading axis of ``elements`` with `torch.vmap`.

    ``function`` sees one slice at a time but runs once, batched; it must not
    read tensor values back to Python.

    Example:

    >>> vectorized_map(lambda row: row.sum(), torch.ones(3, 2))
    tensor([2., 2., 2.])
    """
    if _is_symbolic(elements):
        raise _symbolic_error()
    return torch.vmap(function)(elements)


class _CustomGradient(torch.autograd.Function):
    """Runs a Keras-style ``forward -> (output, grad_fn)`` under autograd."""

    @staticmethod
    def forward(ctx, forward_fn, *args):
        ctx.tensor_positions = [
            i for i, a in enumerate(args) if isinstance(a, torch.Tensor)
        ]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_positions))
        ctx.num_args = len(args)
        output, ctx.grad_fn = forward_fn(*args)
        return output

    @staticmethod
    def backward(ctx, upstream):
        grads = ctx.grad_fn(*ctx.saved_tensors, upstream=upstream)
        grads = grads if isinstance(grads, (list, tuple)) else (grads,)
        by_position = [None] * ctx.num_args
        for position, grad in zip(ctx.tensor_positions, grads):
            by_position[position] = grad
        return (None, *by_position)


def custom_gradient(f: Callable) -> Callable:
    """Decorate ``f`` so that its own gradient function is used by autograd.

    ``f(*args)`` returns ``(output, grad_fn)``; in the backward pass autograd
    calls ``grad_fn(*args, upstream=upstream_gradient)`` (the tensor arguments
    of the call) and takes its result as the gradients of those arguments.

    Example:

    >>> @custom_gradient
    ... def clipped_identity(x):
    ...     def grad_fn(*args, upstream=None):
    ...         return torch.clamp(upstream, -1.0, 1.0)
    ...     return x, grad_fn
    >>> x = torch.tensor([2.0], requires_grad=True)
    >>> (clipped_identity(x) * 5).sum().backward()
    >>> x.grad
    tensor([1.])
    """

    @functools.wraps(f)
    def wrapped(*args):
        if _is_symbolic(list(args)):
            raise _symbolic_error()
        return _CustomGradient.apply(f, *args)

    return wrapped


__all__ = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "is_tensor",
    "map",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
]
