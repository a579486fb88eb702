"""`keras.tree`: flatten, map and rebuild nested structures of leaves.

The functions live in `lamina.backend.tree`, where the layers and the trainer
use them; this is their public name, as ``keras.tree`` is Keras's.

Example:

>>> from lamina import tree
>>> tree.flatten({"b": [1, 2], "a": 3})
[3, 1, 2]
>>> tree.map_structure(lambda x: x * 10, {"b": [1, 2], "a": 3})
{'b': [10, 20], 'a': 30}
"""

from __future__ import annotations

from lamina.backend.tree import (
    MAP_TO_NONE,
    assert_same_paths,
    assert_same_structure,
    flatten,
    flatten_with_path,
    is_nested,
    lists_to_tuples,
    map_shape_structure,
    map_structure,
    map_structure_up_to,
    pack_sequence_as,
    traverse,
)

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]
