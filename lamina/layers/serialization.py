"""``keras.layers.serialize`` and ``deserialize``: a layer to its config and back."""

from __future__ import annotations

from typing import Any

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.serialization import deserialize_keras_object, serialize_keras_object


def serialize(layer: Layer) -> dict:
    """A layer's config in Keras's ``{"module", "class_name", "config",
    "registered_name"}`` form (with its build config).

    Args:
        layer: a layer (or model).

    Example:

    >>> serialize(lamina.layers.Dense(3))["class_name"]
    'Dense'
    """
    return serialize_keras_object(layer)


def deserialize(config: dict, custom_objects: dict[str, Any] | None = None) -> Layer:
    """A new layer (or model) from `serialize`'s output.

    Args:
        config: a serialized layer; a Keras 2 config (no ``"module"``) is looked
            up among lamina's layers and models.
        custom_objects: extra ``{name: class}`` to search first.

    Example:

    >>> layer = deserialize(serialize(lamina.layers.Dense(3, name="d")))
    >>> layer.units, layer.name
    (3, 'd')
    """
    layer = deserialize_keras_object(
        config, custom_objects=custom_objects, printable_module_name="layer"
    )
    if not isinstance(layer, Layer):
        raise ArgumentError(
            "`keras.layers.deserialize` was passed a `config` object that is not a "
            f"`keras.layers.Layer`. Received: {config!r}"
        )
    return layer
