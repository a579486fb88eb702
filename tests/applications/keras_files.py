"""The fixture files of the applications' tests, written by Keras (see
tests/fixtures/make_applications.py and make_applications_keras2.py)."""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import shutil

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures"


def load_keras_numbers() -> dict:
    """applications.json.gz: structures, errors and decoded predictions."""
    with gzip.open(FIXTURES / "applications.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


KERAS = load_keras_numbers()


def unpack(name: str, folder: pathlib.Path, target: str) -> pathlib.Path:
    """The gzipped fixture file ``name``, unpacked as ``folder/target``."""
    path = folder / target
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(FIXTURES / name, "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def models_cache() -> pathlib.Path:
    """Keras's cache of weights files, `$KERAS_HOME/models` (a fresh folder in
    each test, see conftest.py)."""
    return pathlib.Path(os.environ["KERAS_HOME"]) / "models"
