"""The logs the loops hand to callbacks and return: ``{name: value}``.

During an epoch the values stay device tensors, read only when a callback
asks; at the end of an epoch (or of `evaluate`) they become Python floats.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from lamina.errors import ArgumentError


class LazyLogs(Mapping):
    """Batch logs whose values (0-d tensors) are computed only when read.

    Args:
        sources: log name -> zero-argument function giving the value.
    """

    def __init__(self, sources: dict):
        self._sources = sources

    def __getitem__(self, key):
        return self._sources[key]()

    def __iter__(self):
        return iter(self._sources)

    def __len__(self):
        return len(self._sources)


def logs_to_floats(logs) -> dict:
    """A custom step's returned logs as floats, nested dicts flattened."""
    if logs is None:
        return {}
    if not isinstance(logs, Mapping):
        raise ArgumentError(
            "train_step/test_step must return a dict of metric values, received "
            f"{type(logs).__name__}."
        )
    flat = {}
    for key, value in logs.items():
        if isinstance(value, Mapping):
            flat.update(logs_to_floats(value))
        else:
            flat[key] = to_float(value)
    return flat


def to_float(value) -> float:
    """A log value (tensor or number; a dict of them) as a float."""
    if isinstance(value, torch.Tensor):
        return float(value.detach())
    if isinstance(value, dict):
        return {k: to_float(v) for k, v in value.items()}
    return float(value)
