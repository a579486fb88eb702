"""lamina.backend.result_type against keras.backend.result_type.

tests/fixtures/ops_result_type.json holds Keras's answer for every dtype alone,
every pair of dtypes (Python ``int``/``float`` and None among them) and a few
triples; "error" where Keras refuses the promotion.
"""

from __future__ import annotations

import json
import pathlib

import pytest

from lamina import backend
from lamina.backend.dtypes import is_float_dtype, is_int_dtype, result_type
from lamina.errors import ArgumentError

TABLE = json.loads(
    (
        pathlib.Path(__file__).resolve().parent.parent
        / "fixtures"
        / "ops_result_type.json"
    ).read_text()
)
PYTHON = {"int": int, "float": float, "None": None}


@pytest.mark.parametrize(("combo", "expected"), sorted(TABLE.items()))
def test_result_type_matches_keras(combo, expected):
    dtypes = [PYTHON.get(name, name) for name in combo.split(",")]
    if expected == "error":
        with pytest.raises(ArgumentError):
            result_type(*dtypes)
    else:
        assert result_type(*dtypes) == expected


def test_result_type_takes_torch_and_numpy_dtypes():
    import numpy as np
    import torch

    assert result_type(torch.int8, np.dtype("uint8")) == "int16"
    assert result_type() == backend.floatx()
    assert backend.result_type is result_type
    with pytest.raises(ArgumentError, match="float8"):
        result_type("float8_e4m3fn", "float32")


def test_weak_types_follow_floatx():
    backend.set_floatx("float16")
    try:
        assert result_type(int, float) == "float16"
        assert result_type("int8", float) == "float16"
    finally:
        backend.set_floatx("float32")


def test_dtype_kinds():
    assert is_float_dtype("bfloat16") and is_float_dtype(float)
    assert not is_float_dtype("int32")
    assert is_int_dtype("uint8") and is_int_dtype(int)
    assert not is_int_dtype("bool") and not is_int_dtype("float16")
