"""Keras 2's object configs: ``{"class_name": ..., "config": ...}``, no module.

`keras.legacy.saving` and `keras.utils.legacy` hold these two functions for code
written against tf.keras 2; Keras 3's own form (with ``"module"`` and
``"registered_name"``) is `lamina.saving.serialize_keras_object`.
"""

from __future__ import annotations

import inspect
from typing import Any

from lamina import serialization


def serialize_keras_object(instance) -> Any:
    """Keras 2's config of an object: ``{"class_name", "config"}``, or a function's name.

    Example:

    >>> from lamina import initializers
    >>> serialize_keras_object(initializers.Zeros())
    {'class_name': 'Zeros', 'config': {}}

    Args:
        instance: an object with ``get_config``, a function, or None.
    """
    instance = inspect.unwrap(instance)
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str) or not (
                hasattr(item, "get_config") or callable(item)
            ):
                config[key] = item
                continue
            serialized = serialize_keras_object(item)
            if isinstance(serialized, dict):
                # Keras 2's mark for objects serialized inside a config.
                serialized["__passive_serialization__"] = True
            config[key] = serialized
        name = serialization.get_registered_name(type(instance))
        return {"class_name": name, "config": config}
    if hasattr(instance, "__name__"):
        return serialization.get_registered_name(instance)
    raise ValueError(
        f"Cannot serialize {instance} because it doesn't implement `get_config()`."
    )


def deserialize_keras_object(
    identifier,
    module_objects: dict | None = None,
    custom_objects: dict | None = None,
    printable_module_name: str = "object",
) -> Any:
    """The object a Keras 2 config, a name or a Keras 3 config stands for.

    Example:

    >>> from lamina import layers
    >>> layer = deserialize_keras_object(
    ...     {"class_name": "Dense", "config": {"units": 3}},
    ...     module_objects={"Dense": layers.Dense},
    ... )
    >>> layer.units
    3

    Args:
        identifier: a config dict (Keras 2's or 3's) or a name.
        module_objects: ``{name: object}`` to look names up in.
        custom_objects: ``{name: object}`` to look names up in first.
        printable_module_name: what to call the object in error messages.
    """
    return serialization.deserialize_keras_object(
        identifier,
        custom_objects=custom_objects,
        module_objects=module_objects,
        printable_module_name=printable_module_name,
    )


__all__ = ["deserialize_keras_object", "serialize_keras_object"]
