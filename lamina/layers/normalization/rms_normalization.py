"""RMSNormalization: scale each example by the root mean square of its features."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.layers.layer import Layer
from lamina.layers.normalization._axes import (
    LOW_PRECISION,
    build_axes,
    check_axes_in_shape,
    check_axis_argument,
    check_epsilon,
    normalized_axes_spec,
)


class RMSNormalization(Layer):
    """Root mean square normalization: ``x * rsqrt(mean(x**2) + epsilon) * scale``.

    The mean is taken over ``axis`` for each example; there is no centering
    and no offset (Zhang and Sennrich, 2019). Trailing axes use torch's fused
    ``F.rms_norm``.

    Example:
        >>> layer = lamina.layers.RMSNormalization()
        >>> layer(torch.randn(2, 5, 8)).shape
        torch.Size([2, 5, 8])

    Args:
        axis: int or list of ints, the axes to normalize over (``-1``).
        epsilon: small float added to the mean square (``1e-6``).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        same as the input.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "RMSNormalization")
        check_epsilon("RMSNormalization", epsilon)
        self.epsilon = epsilon

    def build(self, input_shape) -> None:
        shape = build_axes(self, input_shape)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.input_spec = normalized_axes_spec(self._axes, shape, self._rank)
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in LOW_PRECISION else inputs
        scale = self.scale if self.scale.dtype == x.dtype else self.scale.to(x.dtype)
        if self._trailing:
            out = F.rms_norm(x, tuple(scale.shape), scale, self.epsilon)
        else:
            mean_square = x.square().mean(dim=self._axes, keepdim=True)
            shape = [x.shape[d] if d in self._axes else 1 for d in range(self._rank)]
            out = x * (mean_square + self.epsilon).rsqrt() * scale.reshape(shape)
        return out.to(dtype) if out.dtype != dtype else out

    def compute_output_shape(self, input_shape):
        return check_axes_in_shape(self.axis, input_shape, self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
