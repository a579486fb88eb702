"""Optimizers (``lamina.optimizers``): Keras 3's optimizers on fused torch updates."""

from __future__ import annotations

from typing import Any

from lamina import serialization
from lamina.errors import ArgumentError
from lamina.optimizers import schedules
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lion import Lion
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.sgd import SGD

ALL_OBJECTS = (
    Optimizer,
    Adam,
    SGD,
    RMSprop,
    Adadelta,
    AdamW,
    Adagrad,
    Adamax,
    Nadam,
    Ftrl,
    Lion,
    Adafactor,
    LossScaleOptimizer,
)
# Keras looks built-in names up in lower case: "Adam", "adam" and "ADAM" all work.
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


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
    if not isinstance(config, dict) or "class_name" not in config:
        raise ArgumentError(
            "Could not deserialize optimizer: expected a dict with a 'class_name' "
            f"key, received {config!r}"
        )
    config = dict(config)
    if str(config["class_name"]).lower() in ALL_OBJECTS_DICT:
        config["class_name"] = str(config["class_name"]).lower()
    return serialization.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="optimizer",
    )


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


__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lion",
    "LossScaleOptimizer",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "deserialize",
    "get",
    "schedules",
    "serialize",
]
