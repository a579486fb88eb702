"""Optimizers by name, config or instance: Keras's `get`, `serialize`, `deserialize`."""

from __future__ import annotations

from typing import Any

from lamina import serialization
from lamina.errors import ArgumentError
from lamina.optimizers import lookup
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from lamina.optimizers.optimizer import Optimizer

ALL_OBJECTS = (*lookup.OPTIMIZERS, LossScaleOptimizer, MultiOptimizer, OptimizerMap)
# Keras looks built-in names up in lower case: "Adam", "adam" and "ADAM" all work.
ALL_OBJECTS_DICT = lookup.by_name(ALL_OBJECTS)


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer as Keras's ``{"module", "class_name", "config", ...}`` dict.

    Example:
        >>> serialize(Adam())["class_name"]
        'Adam'
    """
    return serialization.serialize_keras_object(optimizer)


def deserialize(
    config: dict[str, Any], custom_objects: dict | None = None
) -> Optimizer:
    """Rebuild an optimizer from `serialize`'s output (Keras's or lamina's).

    Example:
        >>> deserialize({"class_name": "SGD", "config": {"momentum": 0.9}}).momentum
        0.9
    """
    return lookup.deserialize(config, custom_objects, ALL_OBJECTS_DICT)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name (``"adam"``), a config dict, or an instance.

    Example:
        >>> type(get("rmsprop")).__name__
        'RMSprop'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = deserialize({"class_name": identifier, "config": {}})
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ArgumentError(f"Could not interpret optimizer identifier: {identifier!r}")
