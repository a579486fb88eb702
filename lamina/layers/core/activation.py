"""Activation: apply an activation function as a layer."""

from __future__ import annotations

from lamina import activations
from lamina.layers.activations.activation_layer import ActivationLayer


class Activation(ActivationLayer):
    """Applies an activation function to its input.

    Example:
        >>> lamina.layers.Activation("relu")(torch.tensor([-3.0, 0.0, 2.0]))
        tensor([0., 0., 2.])

    Args:
        activation: an activation name (``"relu"``) or function.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        the input's.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config
