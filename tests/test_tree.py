"""`lamina.tree` against Keras 3's `keras.tree` (tests/fixtures/tree_keras.json).

Each fixture case is an expression that make_tree.py evaluated with real Keras
on its jax backend (optree, the implementation Keras's docstrings describe) and
its torch backend (torch's pytree). lamina must give the jax backend's result:
the same repr, or an exception of the same class. Where the two backends
differ, `FOLLOW_TORCH` names the cases where the torch backend is the one that
does what Keras's docstrings say.
"""

from __future__ import annotations

import collections
import doctest
import json
import pathlib
import warnings

import pytest
import torch

import lamina
from lamina import tree
from lamina.backend import tree as backend_tree

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "tree_keras.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]

# optree's map_structure_up_to rejects a shallow structure of Nones (Keras's own
# docstring example, ['[1, 1]', ['2', '2']], fails there); torch's gives it.
FOLLOW_TORCH = {
    "tree.map_structure_up_to([None, None], len, [[1, 1], [2, 2]])",
    "tree.map_structure_up_to([None, [None, None]], str, [[1, 1], [2, 2]])",
    "tree.map_structure_up_to({'b': None, 'a': None}, len, {'a': [1], 'b': [1, 2]})",
    "tree.map_structure_up_to([None, None], lambda x, y: x + y, [1, 2], [3, 4])",
}

P = collections.namedtuple("P", ["b", "a"])
Q = collections.namedtuple("Q", ["b", "a"])


class MyList(list):
    pass


def _run(expression: str) -> dict:
    namespace = {"tree": tree, "P": P, "Q": Q, "MyList": MyList}
    namespace.update(collections=collections, torch=torch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = {"repr": repr(eval(expression, namespace))}
        except Exception as e:  # noqa: BLE001 - the class is compared
            result = {"error": type(e).__name__}
    if any(issubclass(w.category, DeprecationWarning) for w in caught):
        result["deprecation"] = True
    return result


@pytest.mark.parametrize("expression", sorted(CASES))
def test_matches_keras(expression):
    backend = "torch" if expression in FOLLOW_TORCH else "jax"
    assert _run(expression) == CASES[expression][backend]


def test_follow_torch_cases_are_fixture_cases_where_the_backends_differ():
    for expression in FOLLOW_TORCH:
        assert CASES[expression]["jax"] != CASES[expression]["torch"]


def test_public_module_is_the_backend_module():
    # One implementation: lamina.tree re-exports lamina.backend.tree.
    public = {
        name
        for name, value in vars(backend_tree).items()
        if not name.startswith("_")
        and getattr(value, "__module__", None) == backend_tree.__name__
    }
    assert public == set(tree.__all__)
    assert all(getattr(tree, name) is getattr(backend_tree, name) for name in public)
    assert lamina.tree is tree


def test_docstring_examples_run():
    for module in (tree, backend_tree):
        failed, attempted = doctest.testmod(module)
        assert attempted and not failed


def test_deep_structure_round_trip():
    structure = {
        "x": [torch.ones(1), (None, 2.0)],
        "a": collections.OrderedDict(z=P(1, [2]), y=collections.deque([3])),
    }
    flat = tree.flatten(structure)
    assert flat[:3] == [1, 2, 3] and flat[4:] == [None, 2.0]
    packed = tree.pack_sequence_as(structure, list(range(6)))
    assert list(packed) == ["x", "a"]
    assert packed["a"]["z"] == P(0, [1])
    assert [p for p, _ in tree.flatten_with_path(structure)][0] == ("a", "z", 0)
    tree.assert_same_structure(structure, packed)
    doubled = tree.map_structure(lambda a, b: (a, b), packed, packed)
    assert doubled["x"] == [(3, 3), ((4, 4), (5, 5))]


def test_errors_name_the_mismatch():
    with pytest.raises(ValueError, match="a list and a tuple"):
        tree.assert_same_structure([1, 2], (1, 2))
    with pytest.raises(ValueError, match="2 items and 1 items"):
        tree.map_structure(lambda a, b: a, [1, 2], [1])
    with pytest.raises(ValueError, match="holds 2 leaves but flat_sequence has 3"):
        tree.pack_sequence_as([0, 0], [1, 2, 3])
    with pytest.raises(TypeError, match="callable"):
        tree.map_structure(3, [1])
