"""ELU: the exponential linear unit as a layer."""

from __future__ import annotations

from lamina import activations
from lamina.layers.activations.activation_layer import ActivationLayer


class ELU(ActivationLayer):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> lamina.layers.ELU()(torch.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])

    Args:
        alpha: the scale of the negative part (1.0).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        the input's.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        config = super().get_config()
        config["alpha"] = self.alpha
        return config
