"""The ``>>>`` examples in lamina.ops's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest
import torch

MODULES = ["core", "numpy", "nn", "math", "linalg", "image", "einops"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"lamina.ops.{name}")
    result = doctest.testmod(
        module,
        extraglobs={"torch": torch, "np": np},
        optionflags=doctest.NORMALIZE_WHITESPACE,
        report=False,
    )
    assert result.failed == 0
    assert result.attempted > 0


def test_result_type_examples():
    from lamina.backend import dtypes

    assert doctest.testmod(dtypes, report=False).failed == 0
