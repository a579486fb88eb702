"""The logs callbacks receive: nested dicts flattened, keys sorted, values as
floats (or as given, for callbacks that take tensors)."""

from __future__ import annotations

from collections.abc import Mapping

import torch


def pythonify_logs(logs: Mapping | None) -> dict:
    """Flattens nested log dicts, sorts the keys and converts values to floats.

    Values that have no float form (strings, arrays of several numbers) are
    kept as they are. This is what Keras passes to every callback.

    Args:
        logs: A mapping of names to numbers, tensors or nested mappings.

    Returns:
        A new dict.
    """
    result = {}
    for key, value in _flat_items(logs):
        try:
            value = (
                float(value.detach())
                if isinstance(value, torch.Tensor)
                else float(value)
            )
        except (TypeError, ValueError, RuntimeError):
            pass
        result[key] = value
    return result


def sorted_logs(logs: Mapping | None) -> dict:
    """Like `pythonify_logs` but values stay as given (no host sync)."""
    return dict(_flat_items(logs))


def _flat_items(logs: Mapping | None) -> list:
    """Items sorted by key, a nested mapping's items in place of its key."""
    items = []
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, Mapping):
            items.extend(_flat_items(value))
        else:
            items.append((key, value))
    return items
