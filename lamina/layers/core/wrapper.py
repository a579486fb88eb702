"""Wrapper: the base class of layers that wrap another layer."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.serialization import deserialize_keras_object, serialize_keras_object


class Wrapper(Layer):
    """Base class of the layers that wrap one layer (`TimeDistributed`, ...).

    The wrapped layer is a sublayer: its weights are the wrapper's weights,
    and it is saved inside the wrapper's config under ``"layer"``.

    Example:
        >>> class Twice(lamina.layers.Wrapper):
        ...     def call(self, x):
        ...         return self.layer(self.layer(x))
        >>> Twice(lamina.layers.Dense(4))(torch.zeros(2, 4)).shape
        torch.Size([2, 4])

    Args:
        layer: the layer to wrap.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Layer {layer!r} supplied to Wrapper isn't a supported layer type. "
                "Please ensure wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer._maybe_build(input_shape)
        self.built = True

    def get_config(self) -> dict:
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        layer = deserialize_keras_object(
            config.pop("layer"), custom_objects=custom_objects
        )
        return super().from_config({**config, "layer": layer})
