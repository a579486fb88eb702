"""The process's global random state, as data: saved with a backup, put back on resume.

Training draws from four global generators: torch's (dropout masks, shuffled
batch orders, a DataLoader's sampler, initializers), CUDA's when used, numpy's
legacy global one and Python's `random` (user code, augmentation helpers).
`get_state` returns all of them as JSON-ready data; `set_state` puts them back,
so the numbers drawn afterwards are the ones an uninterrupted run draws.
"""

from __future__ import annotations

import base64
import random

import numpy as np
import torch


def get_state() -> dict:
    """The global generators' states, as a JSON-serializable dict."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = {
        "torch": _encode(torch.get_rng_state()),
        "numpy": [kind, _encode(keys), int(pos), int(has_gauss), float(cached)],
        "python": [version, list(internal), gauss_next],
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = [_encode(s) for s in torch.cuda.get_rng_state_all()]
    return state


def set_state(state: dict) -> None:
    """Put back what `get_state` returned."""
    torch.set_rng_state(_decode(state["torch"], torch.uint8))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, _decode(keys, np.uint32), pos, has_gauss, cached))
    version, internal, gauss_next = state["python"]
    random.setstate((version, tuple(internal), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([_decode(s, torch.uint8) for s in state["cuda"]])


def generator_state(generator: torch.Generator) -> str:
    """One `torch.Generator`'s state, as text."""
    return _encode(generator.get_state())


def set_generator_state(generator: torch.Generator, text: str) -> None:
    generator.set_state(_decode(text, torch.uint8))


def _encode(array) -> str:
    data = array.numpy() if isinstance(array, torch.Tensor) else np.asarray(array)
    return base64.b64encode(np.ascontiguousarray(data).tobytes()).decode("ascii")


def _decode(text: str, dtype):
    if dtype is torch.uint8:
        raw = np.frombuffer(base64.b64decode(text), dtype=np.uint8).copy()
        return torch.from_numpy(raw)
    return np.frombuffer(base64.b64decode(text), dtype=dtype).copy()
