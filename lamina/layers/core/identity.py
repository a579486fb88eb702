"""Identity: a layer that returns its input unchanged."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Identity(Layer):
    """Returns its inputs unchanged (masks included): a placeholder layer.

    Example:
        >>> lamina.layers.Identity()(torch.ones(2, 3)).shape
        torch.Size([2, 3])

    Args:
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
