"""Nested structures (lists, tuples, dicts of leaves): flatten, map, repack.

Dicts are walked in sorted key order, as Keras's ``tree`` does, so a structure
flattens the same way wherever it was built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))


def flatten(x: Any) -> list:
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [leaf for item in x for leaf in flatten(item)]
    return [x]


def map_structure(fn: Callable, x: Any) -> Any:
    if isinstance(x, dict):
        return {k: map_structure(fn, v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):  # namedtuple
        return type(x)(*(map_structure(fn, v) for v in x))
    if isinstance(x, (list, tuple)):
        return type(x)(map_structure(fn, v) for v in x)
    return fn(x)


def pack_sequence_as(structure: Any, flat: list) -> Any:
    """Rebuild ``structure`` with the leaves of ``flat``, in `flatten`'s order."""
    leaves = iter(flat)

    def rebuild(s):
        if isinstance(s, dict):
            values = {k: rebuild(s[k]) for k in sorted(s)}
            return {k: values[k] for k in s}
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return type(s)(*(rebuild(v) for v in s))
        if isinstance(s, (list, tuple)):
            return type(s)(rebuild(v) for v in s)
        return next(leaves)

    return rebuild(structure)
