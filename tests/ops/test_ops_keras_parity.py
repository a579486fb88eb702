"""lamina.ops against real Keras 3 on its torch backend, case by case.

The cases live in tests/ops/cases_*.py; tests/fixtures/make_ops_keras.py ran
each with ``keras.ops`` and stored the results in ``ops_<module>.npz``. Here
each runs with ``lamina.ops`` on the same inputs (as torch tensors) and must
give the same values (tight tolerances, NaN where Keras has NaN), shapes and
dtypes, or raise where Keras raises.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import pytest
import torch

from lamina import ops
from tests.ops.cases import Inputs, all_cases, flatten_output

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"

# Default tolerances by result dtype; a case may set its own.
TOLERANCES = {
    "float16": (2e-3, 2e-3),
    "bfloat16": (2e-2, 2e-2),
    "float32": (1e-5, 1e-6),
    "float64": (1e-6, 1e-9),
    "complex64": (1e-5, 1e-6),
}


def _load(name: str):
    data = np.load(FIXTURES / f"ops_{name}.npz")
    return data, json.loads(str(data["meta"]))


def _params():
    for name, cases in all_cases().items():
        for case in cases:
            yield pytest.param(name, case, id=case.id)


_FIXTURE_CACHE: dict = {}


def _fixture(name: str):
    if name not in _FIXTURE_CACHE:
        _FIXTURE_CACHE[name] = _load(name)
    return _FIXTURE_CACHE[name]


def _lamina_inputs(data) -> Inputs:
    arrays = {
        key[len("in/") :]: torch.from_numpy(np.array(data[key]))
        for key in data.files
        if key.startswith("in/")
    }
    return Inputs(arrays)


def _as_numpy(leaf) -> tuple[np.ndarray, str]:
    if isinstance(leaf, torch.Tensor):
        dtype = ops.dtype(leaf)
        leaf = leaf.detach().cpu()
        if leaf.dtype == torch.bfloat16:
            leaf = leaf.float()
        return leaf.numpy(), dtype
    if isinstance(leaf, np.ndarray):
        return leaf, ops.dtype(torch.from_numpy(leaf))
    for kind in (bool, int, float, str):
        if type(leaf) is kind:
            return np.asarray(leaf), f"py.{kind.__name__}"
    raise AssertionError(f"unexpected result leaf of type {type(leaf).__name__}")


@pytest.mark.parametrize(("module", "case"), list(_params()))
def test_matches_keras(module, case):
    data, meta = _fixture(module)
    expected = meta[case.id]
    inputs = _lamina_inputs(data)
    if expected["error"]:
        with pytest.raises(Exception):  # noqa: B017 - Keras's class varies by backend
            case.run(ops, inputs)
        return
    leaves = flatten_output(case.run(ops, inputs))
    assert len(leaves) == len(expected["dtypes"]), "number of outputs"
    for k, (leaf, dtype) in enumerate(zip(leaves, expected["dtypes"])):
        actual, actual_dtype = _as_numpy(leaf)
        want = data[f"out/{case.id}/{k}"]
        assert actual_dtype == dtype, f"output {k}: dtype"
        assert actual.shape == want.shape, f"output {k}: shape"
        if want.dtype.kind in "biuU" or want.dtype == bool:
            np.testing.assert_array_equal(actual, want, err_msg=f"output {k}")
        else:
            rtol, atol = TOLERANCES.get(dtype, (1e-5, 1e-6))
            rtol = case.rtol if case.rtol is not None else rtol
            atol = case.atol if case.atol is not None else atol
            np.testing.assert_allclose(
                actual,
                want,
                rtol=rtol,
                atol=atol,
                equal_nan=True,
                err_msg=f"output {k}",
            )
