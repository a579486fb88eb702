"""lamina.ops has every public name of Keras 3.15's ``keras.ops`` (and of its
``numpy``, ``nn``, ``image`` and ``linalg`` modules), with Keras's signatures,
and every op refuses the functional API's symbolic tensors with a hint.

tests/fixtures/ops_signatures.json lists Keras's names and parameters
(written by make_ops_keras.py from real Keras).
"""

from __future__ import annotations

import importlib
import inspect
import json
import pathlib
import pickle

import pytest
import torch

import lamina
from lamina import ops
from lamina.errors import ArgumentError
from tests.ops.cases import all_cases

KERAS = json.loads(
    (
        pathlib.Path(__file__).resolve().parent.parent
        / "fixtures"
        / "ops_signatures.json"
    ).read_text()
)
NAMES = [
    (module, name, params)
    for module, entries in sorted(KERAS.items())
    for name, params in sorted(entries.items())
]


def _lamina(module: str):
    return importlib.import_module("lamina." + module)


def _params(fn) -> list[list]:
    return [
        [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
        for p in inspect.signature(fn).parameters.values()
    ]


@pytest.mark.parametrize(
    ("module", "name", "params"), NAMES, ids=[f"{m}.{n}" for m, n, _ in NAMES]
)
def test_keras_name_with_keras_signature(module, name, params):
    value = getattr(_lamina(module), name)
    if params == "module":
        assert inspect.ismodule(value)
        return
    assert _params(value) == params


def test_counts_match_keras():
    for module, entries in KERAS.items():
        have = [n for n in entries if hasattr(_lamina(module), n)]
        assert len(have) == len(entries), module
    assert len(KERAS["ops"]) == 341


def test_top_level_names_are_the_module_functions():
    for module in (ops.numpy, ops.nn, ops.linalg, ops.math, ops.core, ops.einops):
        for name in module.__all__:
            assert getattr(ops, name) is getattr(module, name), name
    assert not hasattr(ops, "resize")  # image ops live in ops.image only, as in Keras


def test_every_function_is_named_documented_and_picklable():
    modules = (ops.numpy, ops.nn, ops.linalg, ops.math, ops.core, ops.einops, ops.image)
    for module in modules:
        for name in module.__all__:
            fn = getattr(module, name)
            assert fn.__doc__ and "xample" in fn.__doc__, f"{module.__name__}.{name}"
            if inspect.isfunction(fn):
                assert pickle.loads(pickle.dumps(fn)) is fn, name


# Every Keras name has Keras-parity cases, except these, checked by property
# tests instead (test_properties.py), since their results are random or not
# unique (eig's order and phases).
PROPERTY_TESTED = {"elastic_transform", "empty", "empty_like"}


def test_every_op_has_keras_parity_cases():
    covered = {case.op for cases in all_cases().values() for case in cases}
    functions = {
        name
        for entries in KERAS.values()
        for name, params in entries.items()
        if params != "module"
    }
    assert functions - covered - PROPERTY_TESTED == set()


# ------------------------------------------------ symbolic tensors are refused

TENSOR_PARAMETERS = (
    "x", "x1", "inputs", "images", "a", "tensor", "data", "array", "y", "target",
    "query", "abs_", "condition", "sorted_sequence", "indices", "volumes",
    "image1", "elements", "xs", "elems", "variable", "primals", "start",
    "condlist", "pred", "index", "init",
)  # fmt: skip
# Plain values for the other required arguments.
FILLERS = {
    "x2": torch.ones(3), "b": torch.ones(3), "y": torch.ones(3), "output": torch.ones(3),
    "key": torch.ones(1, 2, 1, 2), "value": torch.ones(1, 2, 1, 2),
    "kernel": torch.ones(1, 1, 1), "depthwise_kernel": torch.ones(1, 1, 1),
    "pointwise_kernel": torch.ones(1, 1, 1), "mean": torch.ones(1),
    "variance": torch.ones(1), "axis": 0, "angle": torch.ones(3), "x_min": 0,
    "x_max": 1, "q": 0.5, "kth": 0, "k": 1, "shift": 1, "repeats": 1, "reps": 1,
    "shape": (3,), "newshape": (3,), "axis1": 0, "axis2": 1, "source": 0,
    "destination": 0, "indices_or_sections": 1, "dtype": "float32",
    "num_classes": 2, "pool_size": 1, "output_size": 1, "block_size": 2,
    "kernel_size": 1, "sequence_length": 1, "sequence_stride": 1, "fft_length": 2,
    "segment_ids": torch.zeros(3), "start_indices": (0,), "updates": torch.ones(1),
    "values": torch.ones(1), "choicelist": [torch.ones(3)], "bins": torch.ones(3),
    "beta": 1.0, "threshold": 0.5, "default_value": 0.0, "max_val": 1.0,
    "transform": torch.zeros(8), "coordinates": [torch.zeros(2)], "order": 0,
    "size": (2, 2), "start_points": torch.zeros(4, 2), "end_points": torch.zeros(4, 2),
    "output_shape": (3,), "scale": [1.0], "translation": [0.0], "spatial_dims": (0,),
    "method": "linear", "image2": torch.ones(3, 3, 3), "target_length": torch.ones(1),
    "output_length": torch.ones(1), "sequence_lengths": torch.ones(1),
    "predictions": torch.ones(1, 2), "targets": torch.ones(1), "key_": 0,
    "stop": 1.0, "true_fn": lambda: 0, "false_fn": lambda: 1, "branches": [lambda: 0],
    "f": lambda *a: a[0], "fun": lambda x: x, "function": lambda x: x, "tangents": (torch.ones(1),),
    "cond": lambda *a: False, "body": lambda *a: a, "loop_vars": 0, "lower": 0,
    "upper": 1, "body_fun": lambda i, v: v, "init_val": 0, "pattern": "a -> a",
}  # fmt: skip
SEQUENCE_INPUTS = {"map", "scan", "associative_scan", "vectorized_map", "concatenate",
                   "stack", "hstack", "vstack", "dstack", "select"}  # fmt: skip
NO_TENSORS = {"is_tensor", "convert_to_numpy", "dtype", "bartlett", "blackman",
              "hamming", "hanning", "kaiser"}  # fmt: skip


def _symbolic_calls():
    seen = set()
    for module, entries in sorted(KERAS.items()):
        for name, params in sorted(entries.items()):
            if params == "module" or name in seen:
                continue
            seen.add(name)
            names = [p[0] for p in params]
            first = next((n for n in names if n in TENSOR_PARAMETERS), None)
            if first is None:
                continue
            yield pytest.param(module, name, params, first, id=f"{module}.{name}")


@pytest.mark.parametrize(
    ("module", "name", "params", "symbolic"), list(_symbolic_calls())
)
def test_symbolic_tensors_are_refused_with_a_lambda_hint(
    module, name, params, symbolic
):
    fn = getattr(_lamina(module), name)
    placeholder = lamina.Input((3,))
    kwargs = {}
    for pname, kind, default in params:
        if kind in ("VAR_POSITIONAL", "VAR_KEYWORD"):
            continue
        if pname == symbolic:
            kwargs[pname] = placeholder
        elif default is None and kind != "KEYWORD_ONLY":
            kwargs[pname] = FILLERS.get(pname, torch.ones(3))
    if name in SEQUENCE_INPUTS:
        kwargs[symbolic] = [placeholder]
    if name == "multi_hot":
        kwargs["num_classes"] = 2
    if name in NO_TENSORS:
        return
    with pytest.raises(ArgumentError, match="real torch tensors") as info:
        fn(**kwargs) if name != "meshgrid" else fn(placeholder)
    assert "lamina.layers.Lambda" in str(info.value)
