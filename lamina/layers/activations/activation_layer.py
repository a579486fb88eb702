"""ActivationLayer: what the activation layers (ELU, ReLU, Softmax, ...) share."""

from __future__ import annotations

from lamina.layers.layer import Layer


class ActivationLayer(Layer):
    """Base of the weightless activation layers: an element-wise function.

    It has nothing to build, keeps the input's shape and passes the input's
    mask on. A subclass stores its arguments in ``__init__`` and defines
    ``call`` and ``get_config``.
    """

    supports_masking = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True  # no weights

    def compute_output_shape(self, input_shape):
        return input_shape
