"""ActivityRegularization: add an L1/L2 penalty on the activity passing through."""

from __future__ import annotations

from lamina import regularizers
from lamina.layers.layer import Layer


class ActivityRegularization(Layer):
    """Passes its input through and adds ``l1 * sum(|x|) + l2 * sum(x**2)`` to `losses`.

    As for every activity regularizer in Keras, the penalty is divided by the
    batch size.

    Example:
        >>> layer = lamina.layers.ActivityRegularization(l1=0.1)
        >>> y = layer(torch.ones(2, 3))
        >>> float(layer.losses[0])
        0.30000001192092896

    Args:
        l1: non-negative float, the L1 factor.
        l2: non-negative float, the L2 factor.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape / Output shape:
        any; the output is the input.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # rebuilt from l1 and l2
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
