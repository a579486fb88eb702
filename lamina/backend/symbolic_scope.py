"""The symbolic stage: running code on KerasTensors (shapes, no values).

`run_symbolically` is how a layer or operation called on KerasTensors learns
its output shapes: its code runs on stand-in tensors inside a `SymbolicScope`,
which code can test with `in_symbolic_scope` (to skip work that only real
values need).
"""

from __future__ import annotations

import torch

from lamina.backend import global_state, tree
from lamina.backend.config import device, standardize_dtype, to_torch_dtype
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, ShapeError

_KIND = "symbolic_scope"


class SymbolicScope:
    """Marks the code inside as running on symbolic tensors.

    Example:

    >>> with SymbolicScope():
    ...     in_symbolic_scope()
    True
    >>> in_symbolic_scope()
    False
    """

    def __enter__(self) -> SymbolicScope:
        global_state.scope_stack(_KIND).append(self)
        return self

    def __exit__(self, *exc) -> None:
        stack = global_state.scope_stack(_KIND)
        if stack and stack[-1] is self:
            stack.pop()


def get_symbolic_scope() -> SymbolicScope | None:
    return global_state.innermost_scope(_KIND)


def in_symbolic_scope() -> bool:
    return global_state.innermost_scope(_KIND) is not None


def run_symbolically(fn, args, kwargs):
    """Run ``fn`` on stand-ins for its KerasTensor arguments; return KerasTensors.

    The stand-ins live on torch's ``meta`` device, so no arithmetic happens.
    Unknown sizes are filled with 83 and then 89; an output size that differs
    between the two runs is unknown (``None``) in the result, as in Keras.
    """

    def call(fill: int, where: str):
        def to_tensor(x):
            if isinstance(x, KerasTensor):
                shape = [fill if d is None else d for d in x.shape]
                return torch.ones(shape, dtype=to_torch_dtype(x.dtype), device=where)
            return x

        a, k = tree.map_structure(to_tensor, (list(args), kwargs))
        return fn(*a, **k)

    def run(fill: int):
        try:
            return call(fill, "meta")
        except (ShapeError, ArgumentError):
            raise
        except Exception:  # some ops have no meta kernel: trace on real zeros
            return call(fill, str(device()))

    has_unknown = any(
        isinstance(x, KerasTensor) and None in x.shape
        for x in tree.flatten((list(args), kwargs))
    )
    with torch.no_grad(), SymbolicScope():
        first = run(83)
        second = run(89) if has_unknown else first
    flat1, flat2 = tree.flatten(first), tree.flatten(second)
    specs = []
    for a, b in zip(flat1, flat2):
        if not isinstance(a, torch.Tensor):
            specs.append(a)
            continue
        shape = [None if d1 != d2 else d1 for d1, d2 in zip(a.shape, b.shape)]
        specs.append(KerasTensor(shape, standardize_dtype(a.dtype)))
    return tree.pack_sequence_as(first, specs)
