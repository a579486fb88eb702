"""Pipeline: preprocessing layers applied one after the other."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.serialization import deserialize_keras_object, serialize_keras_object


class Pipeline(Layer):
    """Applies a list of layers in sequence, as one layer.

    Unlike a `Sequential` model it is a plain layer: it fits in a data
    pipeline (image augmentation on Keras's ``{"images", "labels"}`` dicts,
    say) as well as in a model. Each layer gets the ``training`` flag (a
    direct call is ``training=True``, as for the augmentation layers) and the
    mask the previous one set.

    Example:
        >>> pipeline = lamina.layers.Pipeline(
        ...     [lamina.layers.AutoContrast(), lamina.layers.RandomFlip(seed=1)]
        ... )
        >>> pipeline(torch.rand(2, 8, 8, 3) * 255).shape
        torch.Size([2, 8, 8, 3])

    Args:
        layers: the layers, in the order they run.
        name: the layer's name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list[Layer]:
        return self._pipeline_layers

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if layer._call_takes_mask:
                kwargs["mask"] = mask
            if layer._call_takes_training and training is not None:
                kwargs["training"] = training
            outputs = layer(outputs, **kwargs)
            mask = getattr(outputs, "_keras_mask", None)
            mask = mask if isinstance(outputs, torch.Tensor) else None
        return outputs

    def get_config(self) -> dict:
        return {
            "layers": serialize_keras_object(self._pipeline_layers),
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> Pipeline:
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ArgumentError(
                "`Pipeline` config must contain a `layers` key mapping to a list of "
                f"serialized layers. Received config with layers={layers!r}."
            )
        layers = [deserialize_keras_object(layer) for layer in layers]
        return cls(**{**config, "layers": layers})
