"""UnitNormalization: scale each example to unit L2 norm."""

from __future__ import annotations

from lamina.layers.layer import Layer
from lamina.layers.normalization._axes import check_axes_in_shape, check_axis_argument

# Keras bounds the inverse norm by 1 / 1e-12, so all-zero inputs stay zero.
_MAX_INVERSE_NORM = 1e12


class UnitNormalization(Layer):
    """Divides each example by its L2 norm over ``axis``.

    Computes ``x * min(rsqrt(sum(x**2)), 1e12)`` as Keras does, so an all-zero
    input gives zeros rather than NaNs.

    Example:
        >>> layer = lamina.layers.UnitNormalization()
        >>> y = layer(torch.tensor([[3.0, 4.0]]))
        >>> y.tolist()
        [[0.6000000238418579, 0.800000011920929]]

    Args:
        axis: int or list of ints, the axes whose norm is taken (``-1``).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        same as the input.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "UnitNormalization")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        check_axes_in_shape(self.axis, tuple(inputs.shape), self.name)
        square_sum = inputs.square().sum(dim=self.axis, keepdim=True)
        return inputs * square_sum.rsqrt().clamp_max(_MAX_INVERSE_NORM)

    def compute_output_shape(self, input_shape):
        return check_axes_in_shape(self.axis, input_shape, self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axis": self.axis})
        return config
