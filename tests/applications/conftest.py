"""Shared fixtures of the applications' tests: Keras's arrays, no network."""

from __future__ import annotations

import urllib.error

import numpy as np
import pytest
import torch

import lamina.initializers
from lamina.datasets import _files
from tests.applications.keras_files import FIXTURES


@pytest.fixture(scope="session")
def keras_arrays():
    with np.load(FIXTURES / "applications.npz") as f:
        return dict(f)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No test reaches the network, and Keras's cache is a fresh folder."""

    def refuse(url):
        raise urllib.error.URLError(f"tests are offline (asked for {url})")

    monkeypatch.setattr(_files, "_open_url", refuse)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))


@pytest.fixture
def fast_init(monkeypatch):
    """Weights without random draws, for tests of structure rather than values
    (drawing every weight of the large architectures dominates their build)."""

    def empty(shape, *args, **kwargs):
        dtype = args[2] if len(args) > 2 else kwargs.get("dtype")
        return torch.empty(shape, dtype=dtype)

    for name in ("_normal", "_uniform", "_truncated_normal"):
        monkeypatch.setattr(lamina.initializers, name, empty)
