"""RMSNormalization: scale each example by the root mean square of its features."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.layers.normalization._axes import (
    check_axes_in_shape,
    check_axis_argument,
    is_trailing,
    normalized_axes_spec,
    positive_axes,
)

_LOW_PRECISION = (torch.float16, torch.bfloat16)


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
        if (
            isinstance(epsilon, bool)
            or not isinstance(epsilon, (int, float))
            or epsilon < 0
        ):
            raise ArgumentError(
                "RMSNormalization: `epsilon` must be a non-negative number. "
                f"Received: epsilon={epsilon!r}"
            )
        self.epsilon = epsilon

    def build(self, input_shape) -> None:
        axes = positive_axes(self.axis, input_shape, self.name)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ShapeError(
                f"Layer '{self.name}': the normalized axes {self.axis} must have "
                f"defined sizes. Received input shape {tuple(input_shape)}."
            )
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self._axes = axes
        self._rank = len(input_shape)
        self._trailing = is_trailing(axes, self._rank)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.input_spec = normalized_axes_spec(axes, shape, self._rank)
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in _LOW_PRECISION else inputs
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
