"""GroupNormalization: normalize groups of channels of each example."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization._axes import check_axes_in_shape
from lamina.serialization import serialize_keras_object

_LOW_PRECISION = (torch.float16, torch.bfloat16)


class GroupNormalization(Layer):
    """Splits the channels into ``groups`` and normalizes each group per example.

    ``groups=1`` is layer normalization over all non-batch axes; ``groups=-1``
    (one channel per group) is instance normalization. The computation is
    torch's fused ``F.group_norm`` on a view of the input with the channels
    axis moved to position 1.

    Example:
        >>> layer = lamina.layers.GroupNormalization(groups=4)
        >>> layer(torch.randn(2, 5, 5, 8)).shape
        torch.Size([2, 5, 5, 8])

    Args:
        groups: positive int dividing the number of channels (``32``), or ``-1``
            for one group per channel.
        axis: int, the channels axis (``-1``).
        epsilon: small float added to the variance (``1e-3``).
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        beta_initializer / gamma_initializer: initializers (``zeros`` / ``ones``).
        beta_regularizer / gamma_regularizer: penalties.
        beta_constraint / gamma_constraint: constraints.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        any rank >= 2, with ``axis`` the channels axis.

    Output shape:
        same as the input.
    """

    def __init__(
        self,
        groups=32,
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
        if (
            isinstance(groups, bool)
            or not isinstance(groups, int)
            or (groups <= 0 and groups != -1)
        ):
            raise ArgumentError(
                "GroupNormalization: received an invalid value for argument "
                "`groups`, expected a positive integer (or `-1` for instance "
                f"normalization). Received: groups={groups!r}"
            )
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ArgumentError(
                f"GroupNormalization: `axis` must be an int. Received: axis={axis!r}"
            )
        super().__init__(**kwargs)
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        if rank < 2 or not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ShapeError(
                f"Layer '{self.name}': axis {self.axis} is not a valid channels axis "
                f"for an input of shape {tuple(input_shape)}."
            )
        dim = input_shape[self.axis]
        if dim is None:
            raise ShapeError(
                f"Layer '{self.name}': axis {self.axis} of the input should have a "
                f"defined dimension, but the input has shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = dim  # Keras stores the resolved value.
        if dim < self.groups:
            raise ShapeError(
                f"Layer '{self.name}': the number of groups ({self.groups}) cannot be "
                f"more than the number of channels ({dim})."
            )
        if dim % self.groups != 0:
            raise ShapeError(
                f"Layer '{self.name}': the number of channels ({dim}) must be a "
                f"multiple of the number of groups ({self.groups})."
            )
        self._axis = self.axis % rank
        self.input_spec = InputSpec(ndim=rank, axes={self._axis: dim})
        self.gamma = (
            self.add_weight(
                name="gamma",
                shape=(dim,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(
                name="beta",
                shape=(dim,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
            if self.center
            else None
        )
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in _LOW_PRECISION else inputs
        gamma, beta = self.gamma, self.beta
        if gamma is not None and gamma.dtype != x.dtype:
            gamma = gamma.to(x.dtype)
        if beta is not None and beta.dtype != x.dtype:
            beta = beta.to(x.dtype)
        # torch's group_norm backward fails for a bias without a weight
        # ("tensor does not have a device"): add such a bias separately.
        bias_apart = gamma is None and beta is not None
        # A view with the channels on axis 1. For channels-last images this is
        # torch's channels_last memory format, which F.group_norm handles
        # natively: measured 0.57 ms against 16 ms for a reduction over the
        # split channels axis (32x16x16x32, forward + backward, 1 thread).
        moved = x if self._axis == 1 else x.movedim(self._axis, 1)
        out = F.group_norm(
            moved, self.groups, gamma, None if bias_apart else beta, self.epsilon
        )
        if bias_apart:
            out = out + beta.view(-1, *([1] * (out.dim() - 2)))
        if self._axis != 1:
            out = out.movedim(1, self._axis)
        return out.to(dtype) if out.dtype != dtype else out

    def compute_output_shape(self, input_shape):
        return check_axes_in_shape(self.axis, input_shape, self.name)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": serialize_keras_object(self.beta_initializer),
                "gamma_initializer": serialize_keras_object(self.gamma_initializer),
                "beta_regularizer": serialize_keras_object(self.beta_regularizer),
                "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
                "beta_constraint": serialize_keras_object(self.beta_constraint),
                "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            }
        )
        return config
