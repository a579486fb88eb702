"""ReLU: the rectified linear unit as a layer."""

from __future__ import annotations

from lamina import activations
from lamina.errors import ArgumentError
from lamina.layers.activations.activation_layer import ActivationLayer


class ReLU(ActivationLayer):
    """Rectified linear unit, with Keras's optional cap, slope and threshold.

    ``f(x) = max_value`` if ``x >= max_value``; ``x`` if
    ``threshold <= x < max_value``; ``negative_slope * (x - threshold)`` otherwise.

    Example:
        >>> layer = lamina.layers.ReLU(max_value=10, negative_slope=0.5)
        >>> layer(torch.tensor([-10.0, -5.0, 0.0, 5.0, 10.0]))
        tensor([-5.0000, -2.5000,  0.0000,  5.0000, 10.0000])

    Args:
        max_value: float >= 0, the largest output; ``None`` for no cap.
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float >= 0, where the unit switches on.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        the input's.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ArgumentError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ArgumentError(
                "negative_slope of a ReLU layer cannot be None or a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ArgumentError(
                "threshold of a ReLU layer cannot be None or a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "max_value": self.max_value,
                "negative_slope": self.negative_slope,
                "threshold": self.threshold,
            }
        )
        return config
