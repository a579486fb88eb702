"""The inputs and cases behind the Keras parity fixtures of ``lamina.ops``.

A case is a function of an ops module and the named inputs: the fixture
script (tests/fixtures/make_ops_keras.py) calls it with real Keras's
``keras.ops`` and numpy inputs and stores what comes back (values and dtypes,
or the error raised); tests/ops/test_ops_keras_parity.py calls the same
function with ``lamina.ops`` and torch tensors and compares. Writing each case
once, as code, keeps both sides calling exactly the same thing.

This module imports nothing from lamina or Keras, so both can load it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Case:
    """One call: ``run(ops, inputs)`` for the op ``op``, named ``id``."""

    op: str
    id: str
    run: Callable
    rtol: float | None = None
    atol: float | None = None


class Cases(list):
    """A list of cases with a one-line way to add one."""

    def __call__(self, op: str, name: str, run: Callable, rtol=None, atol=None):
        case_id = f"{op}-{name}"
        if any(c.id == case_id for c in self):
            raise ValueError(f"duplicate case id {case_id}")
        self.append(Case(op, case_id, run, rtol, atol))


def make_inputs() -> dict[str, np.ndarray]:
    """The named input arrays every case module draws from."""
    rng = np.random.default_rng(12)

    def normal(*shape, dtype="float32"):
        return rng.normal(size=shape).astype(dtype)

    def ints(low, high, *shape, dtype="int32"):
        return rng.integers(low, high, size=shape).astype(dtype)

    spd = rng.normal(size=(4, 4))
    spd = (spd @ spd.T + 4 * np.eye(4)).astype("float32")
    special = np.array([1.5, np.nan, -np.inf, np.inf, 0.0, -0.0, -2.5, 3.0])
    inputs = {
        # floats
        "f": normal(3, 4),
        "g": normal(3, 4),
        "v": normal(4),
        "w": normal(4),
        "row": normal(1, 4),
        "col": normal(3, 1),
        "cube": normal(2, 3, 4),
        "m45": normal(4, 5),
        "sq": normal(4, 4),
        "spd": spd,
        "pos": rng.uniform(0.5, 3.0, size=(3, 4)).astype("float32"),
        "pos64": rng.uniform(0.5, 3.0, size=(3, 4)),
        "unit": rng.uniform(-0.9, 0.9, size=(3, 4)).astype("float32"),
        "probs": rng.uniform(0.05, 0.95, size=(3, 4)).astype("float32"),
        "halves": np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype="float32"),
        "special": special.astype("float32"),
        "nan_rows": np.array(
            [
                [1.0, np.nan, 3.0, 0.5],
                [np.nan, np.nan, np.nan, np.nan],
                [2.0, -1.0, 4.0, np.nan],
            ],
            dtype="float32",
        ),
        "empty": np.zeros((0, 4), dtype="float32"),
        "scalar": np.array(2.5, dtype="float32"),
        "f16": normal(3, 4, dtype="float16"),
        "f64": normal(3, 4, dtype="float64"),
        # integers and bools
        "i": ints(-5, 6, 3, 4),
        "j": ints(1, 6, 3, 4),
        "iv": ints(-5, 6, 4),
        "i8": ints(-100, 100, 3, 4, dtype="int8"),
        "u8": ints(0, 250, 3, 4, dtype="uint8"),
        "i16": ints(-300, 300, 3, 4, dtype="int16"),
        "i64": ints(-50, 50, 3, 4, dtype="int64"),
        "b": rng.uniform(size=(3, 4)) > 0.5,
        "c": rng.uniform(size=(3, 4)) > 0.5,
        "labels": np.array([2, 0, 3], dtype="int32"),
        "sorted": np.array([-3.0, -1.0, 0.0, 0.0, 2.0, 5.0], dtype="float32"),
        "dupes": np.array([3, 1, 3, 0, 1, 3, 7], dtype="int32"),
        # images, sequences
        "img": rng.uniform(size=(2, 5, 6, 3)).astype("float32"),
        "img1": rng.uniform(size=(5, 6, 3)).astype("float32"),
        "img_u8": rng.integers(0, 256, size=(2, 5, 6, 3)).astype("uint8"),
        "seq": normal(2, 7, 3),
        "vol": normal(1, 4, 4, 4, 2),
        "signal": normal(2, 32),
        # kernels, Keras's layouts: (*spatial, in, out); transposed (*spatial, out, in)
        "k1d": normal(3, 3, 4),
        "k2d": normal(3, 3, 3, 4),
        "k3d": normal(2, 2, 2, 2, 3),
        "kg2d": normal(3, 3, 1, 6),
        "dk2d": normal(3, 3, 3, 2),
        "pk2d": normal(1, 1, 6, 4),
        "kt1d": normal(3, 5, 3),
        "kt2d": normal(3, 3, 5, 3),
        "kt3d": normal(2, 2, 2, 4, 2),
        # attention (batch, length, heads, dim)
        "q": normal(2, 5, 4, 8),
        "k": normal(2, 6, 4, 8),
        "kv2": normal(2, 6, 2, 8),
        "qf16": normal(2, 5, 4, 8, dtype="float16"),
        "attn_mask": rng.uniform(size=(2, 1, 5, 6)) > 0.3,
        # CTC: logits (batch, time, classes), labels (batch, max_label)
        "ctc_logits": normal(2, 8, 5) * 2,
        "ctc_labels": np.array([[1, 2, 2], [3, 1, 0]], dtype="int32"),
        "ctc_label_lengths": np.array([3, 2], dtype="int32"),
        "ctc_lengths": np.array([8, 6], dtype="int32"),
        "img_cf": rng.uniform(size=(2, 3, 6, 8)).astype("float32"),
        "nchw": normal(2, 3, 5, 6),
        "bn_mean": normal(3),
        "bn_var": rng.uniform(0.5, 2.0, size=(3,)).astype("float32"),
    }
    return inputs


class Inputs:
    """Attribute access to the named inputs (``t.f`` is ``inputs["f"]``)."""

    def __init__(self, arrays: dict):
        self.__dict__.update(arrays)


def flatten_output(out) -> list:
    """A result as a flat list of array-likes (tuples, lists and dicts opened)."""
    if isinstance(out, dict):
        return [leaf for key in sorted(out) for leaf in flatten_output(out[key])]
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in flatten_output(item)]
    return [out]


def all_cases() -> dict[str, Cases]:
    """{fixture name: cases}: one fixture file per module of cases."""
    from tests.ops import (
        cases_core_math,
        cases_image,
        cases_linalg,
        cases_nn,
        cases_numpy,
    )

    return {
        "numpy": cases_numpy.CASES,
        "nn": cases_nn.CASES,
        "core_math": cases_core_math.CASES,
        "linalg": cases_linalg.CASES,
        "image": cases_image.CASES,
    }
