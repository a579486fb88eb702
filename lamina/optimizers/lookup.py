"""Finding an optimizer class by name, as Keras does, in a table of built-ins.

`LossScaleOptimizer` rebuilds the optimizer it wraps from a config, so the
lookup and the table of the optimizers it may wrap live below it, here;
`optimizers_api` adds the wrapper itself to the table that
``lamina.optimizers.get`` and ``deserialize`` search.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lamina import serialization
from lamina.errors import ArgumentError
from lamina.optimizers.adadelta import Adadelta
from lamina.optimizers.adafactor import Adafactor
from lamina.optimizers.adagrad import Adagrad
from lamina.optimizers.adam import Adam
from lamina.optimizers.adamax import Adamax
from lamina.optimizers.adamw import AdamW
from lamina.optimizers.ftrl import Ftrl
from lamina.optimizers.lamb import Lamb
from lamina.optimizers.lion import Lion
from lamina.optimizers.muon import Muon
from lamina.optimizers.nadam import Nadam
from lamina.optimizers.optimizer import Optimizer
from lamina.optimizers.rmsprop import RMSprop
from lamina.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from lamina.optimizers.sgd import SGD

# Every built-in optimizer but the wrappers (LossScaleOptimizer, MultiOptimizer).
# Lamb too, which Keras 3.15 leaves out of its table (`get("lamb")` fails there).
OPTIMIZERS = (
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
    Lamb,
    Muon,
    ScheduleFreeAdamW,
)


def by_name(classes: Iterable[type]) -> dict[str, type]:
    """``classes`` by lower-case name: Keras finds "Adam", "adam" and "ADAM"."""
    return {cls.__name__.lower(): cls for cls in classes}


def deserialize(
    config: dict[str, Any], custom_objects: dict | None, module_objects: dict
) -> Optimizer:
    """The optimizer a config dict describes, its class looked up in ``module_objects``.

    Args:
        config: Keras's ``{"class_name", "config", ...}`` dict (lamina's too).
        custom_objects: extra ``{name: class}`` to search first.
        module_objects: the built-in classes by lower-case name (`by_name`).
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ArgumentError(
            "Could not deserialize optimizer: expected a dict with a 'class_name' "
            f"key, received {config!r}"
        )
    config = dict(config)
    if str(config["class_name"]).lower() in module_objects:
        config["class_name"] = str(config["class_name"]).lower()
    return serialization.deserialize_keras_object(
        config,
        module_objects=module_objects,
        custom_objects=custom_objects,
        printable_module_name="optimizer",
    )
