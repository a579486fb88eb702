"""LayerNormalization: normalize each example over its feature axes."""

from __future__ import annotations

import warnings

import torch.nn.functional as F

from lamina.layers.normalization._axes import (
    LOW_PRECISION,
    build_axes,
    check_axes_in_shape,
    check_axis_argument,
    check_epsilon,
    normalized_axes_spec,
)
from lamina.layers.normalization.base_normalization import BaseNormalization
from lamina.signatures import keras_signature


class LayerNormalization(BaseNormalization):
    """Normalizes each example over ``axis``: ``gamma * (x - mean) / std + beta``.

    Unlike `BatchNormalization`, the statistics are those of each example
    alone, so training and inference behave the same. The computation is
    torch's fused ``F.layer_norm`` (axes that are not the last ones are moved
    last first); half-precision inputs are normalized in float32.

    Example:
        >>> layer = lamina.layers.LayerNormalization()
        >>> layer(torch.randn(2, 5, 8)).shape
        torch.Size([2, 5, 8])

    Args:
        axis: int or list of ints, the axes to normalize over (``-1``). The
            weights have the input's sizes along these axes.
        epsilon: small float added to the variance (``1e-3``).
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        rms_scaling: deprecated in Keras: divide by the standard deviation
            without centering (use `RMSNormalization` instead).
        beta_initializer / gamma_initializer: initializers (``zeros`` / ``ones``).
        beta_regularizer / gamma_regularizer: penalties.
        beta_constraint / gamma_constraint: constraints.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any.

    Output shape:
        same as the input.
    """

    @keras_signature(BaseNormalization)
    def __init__(self, axis=-1, **kwargs):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This argument "
                "incorrectly scales the input by the variance, not the root mean "
                "square. To correctly use RMS Normalization, please use "
                "`lamina.layers.RMSNormalization` instead.",
                stacklevel=3,
            )
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "LayerNormalization")
        check_epsilon("LayerNormalization", self.epsilon)
        self.rms_scaling = rms_scaling

    def build(self, input_shape) -> None:
        shape = build_axes(self, input_shape)
        # The normalized axes moved last (a no-op when they already are).
        self._last_axes = list(range(self._rank - len(shape), self._rank))
        self._normalized_shape = shape
        self._add_gamma_beta(
            shape,
            gamma=self.scale or self.rms_scaling,
            beta=self.center and not self.rms_scaling,
        )
        self.input_spec = normalized_axes_spec(self._axes, shape, self._rank)
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in LOW_PRECISION else inputs
        gamma, beta = self._affine(x.dtype)
        if not self._trailing:
            x = x.movedim(self._axes, self._last_axes)
        if self.rms_scaling:
            variance = x.var(dim=self._last_axes, correction=0, keepdim=True)
            out = x * (variance + self.epsilon).rsqrt()
            if gamma is not None:
                out = out * gamma
        else:
            out = F.layer_norm(x, self._normalized_shape, gamma, beta, self.epsilon)
        if not self._trailing:
            out = out.movedim(self._last_axes, self._axes)
        return out.to(dtype) if out.dtype != dtype else out

    def compute_output_shape(self, input_shape):
        return check_axes_in_shape(self.axis, input_shape, self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        names = ("axis", "epsilon", "center", "scale", "rms_scaling")
        config.update({name: getattr(self, name) for name in names})
        config.update(self._weight_arguments_config("beta", "gamma"))
        return config
