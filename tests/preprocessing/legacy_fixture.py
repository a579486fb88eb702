"""Loads tests/fixtures/preprocessing.npz: Keras's numbers (make_preprocessing.py)."""

from __future__ import annotations

import functools
import json
import pathlib

import numpy as np

PATH = pathlib.Path(__file__).parent.parent / "fixtures" / "preprocessing.npz"


@functools.cache
def keras_numbers() -> dict:
    with np.load(PATH) as data:
        return {key: data[key] for key in data.files}


def keras_json(key: str):
    return json.loads(str(keras_numbers()[f"json/{key}"]))


def cases() -> dict:
    return keras_json("cases")
