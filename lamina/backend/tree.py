"""Nested structures of leaves: Keras 3's ``keras.tree`` (public as `lamina.tree`).

A structure is a leaf or a node of structures. The nodes are Keras's: ``list``,
``tuple``, namedtuples (and struct sequences such as ``torch.return_types``),
``dict``, ``OrderedDict``, ``defaultdict`` and ``deque``. Everything else is a
leaf: ``None``, numbers, strings, sets, tensors, ``torch.Size`` and subclasses
of ``list`` or ``dict``.

Order: a ``dict`` (or ``defaultdict``) is walked in sorted key order, an
``OrderedDict`` in its own order, so a structure flattens the same way wherever
it was built; a rebuilt dict keeps the key order of the structure it copies.
Structures that must match (`map_structure`, `assert_same_structure`) match
when their nodes have the same type and length, any two kinds of dict matching
when they have the same keys.

Where Keras's own backends disagree (its torch backend's pytree sorts rebuilt
dicts and misplaces the paths of namedtuple fields; its optree
`map_structure_up_to` rejects the docstring's own example), this module does
what Keras's docstrings say.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

_NODE_TYPES = frozenset({list, tuple, dict, OrderedDict, defaultdict, deque})
_DICT_TYPES = (dict, OrderedDict, defaultdict)


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Returned by a `traverse` function to replace a sub-structure with None."""


# ------------------------------------------------------------------ nodes


def _is_named_tuple(cls: type) -> bool:
    return issubclass(cls, tuple) and (
        hasattr(cls, "_fields") or hasattr(cls, "n_sequence_fields")
    )


def is_nested(structure: Any) -> bool:
    """Whether `structure` is a node (a sequence, mapping or namedtuple).

    Example:

    >>> from lamina import tree
    >>> tree.is_nested(42), tree.is_nested({"foo": 42}), tree.is_nested(None)
    (False, True, False)
    """
    cls = type(structure)
    return cls in _NODE_TYPES or _is_named_tuple(cls)


def _sorted_keys(mapping) -> list:
    try:
        return sorted(mapping)
    except TypeError:  # keys of mixed types: keep the mapping's order
        return list(mapping)


def _keys(node) -> list:
    """The node's keys in flatten order: positions, or a mapping's keys."""
    cls = type(node)
    if cls is dict or cls is defaultdict:
        return _sorted_keys(node)
    if cls is OrderedDict:
        return list(node)
    return list(range(len(node)))


def _children(node) -> Any:
    """The node's children in flatten order, or None when `node` is a leaf."""
    cls = type(node)
    if cls is list or cls is tuple or cls is deque:
        return node
    if cls is dict or cls is defaultdict:
        return [node[k] for k in _sorted_keys(node)]
    if cls is OrderedDict:
        return list(node.values())
    if _is_named_tuple(cls):
        return node
    return None


def _rebuild(node, children: list) -> Any:
    """A node of `node`'s type holding `children` (given in flatten order)."""
    cls = type(node)
    if cls is list:
        return children
    if cls is tuple:
        return tuple(children)
    if cls is dict or cls is defaultdict:
        by_key = dict(zip(_sorted_keys(node), children))
        values = {k: by_key[k] for k in node}
        return values if cls is dict else defaultdict(node.default_factory, values)
    if cls is OrderedDict:
        return OrderedDict(zip(node, children))
    if cls is deque:
        return deque(children, maxlen=node.maxlen)
    if hasattr(cls, "_fields"):
        return cls(*children)
    return cls(children)  # a struct sequence


def _aligned_children(node, other) -> list:
    """`other`'s children in the order of `node`'s (dicts are matched by key)."""
    if isinstance(node, _DICT_TYPES):
        return [other[k] for k in _keys(node)]
    return list(other)


def _structure_error(a, b, why: str) -> ValueError:
    return ValueError(
        f"The structures don't have the same nested structure: {why}. "
        f"First: {_short(a)}; second: {_short(b)}."
    )


def _short(x) -> str:
    text = repr(x)
    return text if len(text) <= 200 else text[:197] + "..."


def _check_match(a, b, a_is_leaf: bool) -> None:
    """Raise unless node/leaf `a` matches `b` at this level (not below)."""
    b_is_leaf = not is_nested(b)
    if a_is_leaf or b_is_leaf:
        if a_is_leaf != b_is_leaf:
            raise _structure_error(a, b, "a leaf where the other has a node")
        return
    if isinstance(a, _DICT_TYPES) and isinstance(b, _DICT_TYPES):
        if a.keys() != b.keys():
            raise _structure_error(
                a, b, f"keys {sorted(map(str, a))} and {sorted(map(str, b))}"
            )
        return
    if type(a) is not type(b):
        raise _structure_error(a, b, f"a {type(a).__name__} and a {type(b).__name__}")
    if len(a) != len(b):
        raise _structure_error(a, b, f"{len(a)} items and {len(b)} items")


# ------------------------------------------------------------------ reading


def flatten(structure: Any) -> list:
    """The leaves of `structure`, depth first, dicts in sorted key order.

    Example:

    >>> from lamina import tree
    >>> tree.flatten([[1, 2, 3], [4, [5], [[6]]]])
    [1, 2, 3, 4, 5, 6]
    >>> tree.flatten(None)
    [None]
    >>> tree.flatten({100: "world!", 6: "Hello"})
    ['Hello', 'world!']
    """
    leaves: list = []
    _flatten_into(structure, leaves)
    return leaves


def _flatten_into(structure, leaves: list) -> None:
    children = _children(structure)
    if children is None:
        leaves.append(structure)
        return
    for child in children:
        _flatten_into(child, leaves)


def flatten_with_path(structure: Any) -> list[tuple[tuple, Any]]:
    """`flatten`'s leaves as ``(path, leaf)`` pairs.

    A path is the tuple of positions (in sequences and namedtuples) and keys
    (in mappings) that leads from `structure` to the leaf.

    Example:

    >>> from lamina import tree
    >>> tree.flatten_with_path([{"foo": 42}])
    [((0, 'foo'), 42)]
    """
    pairs: list = []

    def walk(node, path: tuple) -> None:
        children = _children(node)
        if children is None:
            pairs.append((path, node))
            return
        for key, child in zip(_keys(node), children):
            walk(child, (*path, key))

    walk(structure, ())
    return pairs


def assert_same_structure(a: Any, b: Any, check_types: bool | None = None) -> None:
    """Raise ValueError unless `a` and `b` are nested in the same way.

    Nodes must have the same type and length (``list`` and ``tuple`` differ, so
    do two namedtuple classes); ``dict``, ``OrderedDict`` and ``defaultdict``
    match when they have the same keys. Leaves may be anything.

    Args:
        a: a structure.
        b: a structure.
        check_types: deprecated, without effect (warns); `assert_same_paths`
            is the looser check.

    Example:

    >>> from lamina import tree
    >>> tree.assert_same_structure([(0, 1)], [(2, 3)])
    """
    if check_types is not None:
        warnings.warn(
            "The `check_types` argument is deprecated and has no effect; remove "
            "it (`lamina.tree.assert_same_paths` is the looser check, where "
            "list, tuple, namedtuple and deque match).",
            DeprecationWarning,
            stacklevel=2,
        )

    def walk(x, y) -> None:
        children = _children(x)
        _check_match(x, y, children is None)
        if children is not None:
            for cx, cy in zip(children, _aligned_children(x, y)):
                walk(cx, cy)

    walk(a, b)


def assert_same_paths(a: Any, b: Any) -> None:
    """Raise ValueError unless `a` and `b` have the same leaf paths.

    Only the paths count (`flatten_with_path`), not the kinds of nodes:
    ``[0, 1]`` and ``(2, 3)`` match.
    """
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths == b_paths:
        return
    message = "`a` and `b` don't have the same paths."
    if a_paths - b_paths:
        message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
    if b_paths - a_paths:
        message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
    raise ValueError(message)


# ------------------------------------------------------------------ building


def map_structure(func: Callable, *structures: Any, none_is_leaf: bool = True) -> Any:
    """Apply `func` to the leaves of `structures`, in a structure like the first.

    Args:
        func: called with one leaf of each structure.
        *structures: structures nested in the same way (see
            `assert_same_structure`).
        none_is_leaf: if False, a None leaf is not passed to `func` and stays
            None (the other structures must hold None there too).

    Example:

    >>> from lamina import tree
    >>> tree.map_structure(lambda v: v**2, [[1], [2], [3]])
    [[1], [4], [9]]
    >>> tree.map_structure(lambda x, y: x * y, [1, (2,)], [3, (4,)])
    [3, (8,)]
    """
    if not structures:
        raise ValueError("map_structure needs at least one structure.")
    if not callable(func):
        raise TypeError(f"map_structure's `func` must be callable, received {func!r}")
    first, *others = structures

    def walk(x, *rest):
        children = _children(x)
        for y in rest:
            _check_match(x, y, children is None)
        if children is not None:
            aligned = [_aligned_children(x, y) for y in rest]
            return _rebuild(x, [walk(*c) for c in zip(children, *aligned)])
        if not none_is_leaf and x is None:
            if any(y is not None for y in rest):
                raise _structure_error(x, rest, "None where another has a value")
            return None
        return func(x, *rest)

    return walk(first, *others)


def map_structure_up_to(shallow_structure: Any, func: Callable, *structures: Any):
    """`map_structure` down to the leaves of `shallow_structure` only.

    `func` receives whole sub-structures of `structures` where
    `shallow_structure` has a leaf; the result is shaped like
    `shallow_structure`.

    Example:

    >>> from lamina import tree
    >>> tree.map_structure_up_to([None, None], len, [[1, 1], [2, 2]])
    [2, 2]
    >>> tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]])
    ['[1, 1]', ['2', '2']]
    """
    if not structures:
        raise ValueError("map_structure_up_to needs at least one structure.")

    def walk(shallow, *rest):
        children = _children(shallow)
        if children is None:
            return func(*rest)
        for y in rest:
            _check_match(shallow, y, False)
        aligned = [_aligned_children(shallow, y) for y in rest]
        return _rebuild(shallow, [walk(*c) for c in zip(children, *aligned)])

    return walk(shallow_structure, *structures)


def pack_sequence_as(structure: Any, flat_sequence: Iterable) -> Any:
    """`structure` with its leaves replaced, in `flatten`'s order, by `flat_sequence`.

    Example:

    >>> from lamina import tree
    >>> tree.pack_sequence_as({"key3": "", "key1": "", "key2": ""}, [1, 2, 3])
    {'key3': 3, 'key1': 1, 'key2': 2}
    """
    flat = list(flat_sequence)
    values = iter(flat)
    count = 0

    def rebuild(node):
        nonlocal count
        children = _children(node)
        if children is None:
            count += 1
            return next(values, _MISSING)
        return _rebuild(node, [rebuild(child) for child in children])

    packed = rebuild(structure)
    if count != len(flat):
        raise ValueError(
            f"pack_sequence_as: the structure holds {count} leaves but "
            f"flat_sequence has {len(flat)} items. Structure: {_short(structure)}."
        )
    return packed


_MISSING = object()


def traverse(func: Callable, structure: Any, top_down: bool = True) -> Any:
    """Apply `func` to every sub-structure of `structure`, depth first.

    Top down (parents before children): where ``func(s)`` is not None, the
    result replaces ``s`` and its children are not visited. Bottom up: ``func``
    sees ``s`` with its children already traversed, and a non-None result
    replaces it. Return `MAP_TO_NONE` to replace a sub-structure with None.

    Example:

    >>> from lamina import tree
    >>> seen = []
    >>> tree.traverse(seen.append, [(1, 2), [3]])
    [(1, 2), [3]]
    >>> seen
    [[(1, 2), [3]], (1, 2), 1, 2, [3], 3]
    """
    if not callable(func):
        raise TypeError(f"traverse's `func` must be callable, received {func!r}")

    def visit(node):
        if top_down:
            result = func(node)
            if result is None:
                children = _children(node)
                if children is None:
                    return node
                return _rebuild(node, [visit(child) for child in children])
        else:
            children = _children(node)
            if children is not None:
                node = _rebuild(node, [visit(child) for child in children])
            result = func(node)
            if result is None:
                return node
        return None if result is MAP_TO_NONE else result

    return visit(structure)


def lists_to_tuples(structure: Any) -> Any:
    """`structure` with every list turned into a tuple."""
    return traverse(
        lambda x: tuple(x) if isinstance(x, list) else None, structure, top_down=False
    )


def _is_shape(x) -> bool:
    return isinstance(x, (list, tuple)) and all(
        e is None or isinstance(e, int) for e in x
    )


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """`map_structure` where a list or tuple of ints and Nones is one leaf (a shape).

    Example:

    >>> from lamina import tree
    >>> tree.map_shape_structure(len, {"a": (None, 3), "b": [(1, 2), [4]]})
    {'a': 2, 'b': [2, 1]}
    """

    def walk(x):
        children = None if _is_shape(x) else _children(x)
        if children is None:
            return func(x)
        return _rebuild(x, [walk(child) for child in children])

    return walk(structure)
