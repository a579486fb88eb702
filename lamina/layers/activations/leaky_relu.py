"""LeakyReLU: a ReLU with a small slope for negative inputs."""

from __future__ import annotations

from lamina import activations
from lamina.errors import ArgumentError, warn_deprecated_once
from lamina.layers.activations.activation_layer import ActivationLayer


class LeakyReLU(ActivationLayer):
    """Leaky rectified linear unit: ``x`` if ``x >= 0`` else ``negative_slope * x``.

    Example:
        >>> layer = lamina.layers.LeakyReLU(negative_slope=0.5)
        >>> layer(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]))
        tensor([-5.0000, -2.5000,  0.0000,  5.0000, 10.0000])

    Args:
        negative_slope: float >= 0, the slope for negative inputs (0.3).
        alpha: Keras 2 name of ``negative_slope`` (deprecated).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        the input's.
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            warn_deprecated_once(
                "LeakyReLU.alpha",
                "LeakyReLU(alpha=...) is deprecated; use negative_slope=...",
            )
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ArgumentError(
                "The negative_slope value of a Leaky ReLU layer cannot be None or "
                f"negative value. Expected a float. Received: "
                f"negative_slope={negative_slope}"
            )
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config
