"""RepeatVector: repeat a vector n times along a new time axis."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class RepeatVector(Layer):
    """Repeats the input `n` times: ``(batch, features)`` to ``(batch, n, features)``.

    Example:
        >>> x = lamina.Input(shape=(32,))
        >>> lamina.layers.RepeatVector(3)(x).shape
        (None, 3, 32)

    Args:
        n: positive int, the number of repetitions.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, features)``.

    Output shape:
        ``(batch, n, features)``.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ArgumentError(
                f"Argument `n` of RepeatVector should be a positive integer. "
                f"Received: n={n!r}"
            )
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return inputs.unsqueeze(1).repeat(1, self.n, 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config["n"] = self.n
        return config
