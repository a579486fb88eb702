"""LayerNormalization: normalize each example over its feature axes."""

from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.layers.normalization._axes import (
    check_axes_in_shape,
    check_axis_argument,
    is_trailing,
    normalized_axes_spec,
    positive_axes,
)
from lamina.serialization import serialize_keras_object

_LOW_PRECISION = (torch.float16, torch.bfloat16)


class LayerNormalization(Layer):
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

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This argument "
                "incorrectly scales the input by the variance, not the root mean "
                "square. To correctly use RMS Normalization, please use "
                "`lamina.layers.RMSNormalization` instead.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.axis = check_axis_argument(axis, "LayerNormalization")
        if (
            isinstance(epsilon, bool)
            or not isinstance(epsilon, (int, float))
            or epsilon < 0
        ):
            raise ArgumentError(
                "LayerNormalization: `epsilon` must be a non-negative number. "
                f"Received: epsilon={epsilon!r}"
            )
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        axes = positive_axes(self.axis, input_shape, self.name)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ShapeError(
                f"Layer '{self.name}': the normalized axes {self.axis} must have "
                f"defined sizes. Received input shape {tuple(input_shape)}."
            )
        # Keras turns `axis` into a sorted list when it builds (get_config shows it).
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        self._axes = axes
        self._rank = len(input_shape)
        # The normalized axes moved last (a no-op when they already are).
        self._last_axes = list(range(self._rank - len(axes), self._rank))
        self._trailing = is_trailing(axes, self._rank)
        self._normalized_shape = shape
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if self.scale or self.rms_scaling
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
            if self.center and not self.rms_scaling
            else None
        )
        self.input_spec = normalized_axes_spec(axes, shape, self._rank)
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in _LOW_PRECISION else inputs
        gamma, beta = self.gamma, self.beta
        if gamma is not None and gamma.dtype != x.dtype:
            gamma = gamma.to(x.dtype)
        if beta is not None and beta.dtype != x.dtype:
            beta = beta.to(x.dtype)
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
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": serialize_keras_object(self.beta_initializer),
                "gamma_initializer": serialize_keras_object(self.gamma_initializer),
                "beta_regularizer": serialize_keras_object(self.beta_regularizer),
                "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
                "beta_constraint": serialize_keras_object(self.beta_constraint),
                "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            }
        )
        return config
