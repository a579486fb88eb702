"""BaseNormalization: what BatchNormalization, LayerNormalization and
GroupNormalization share: ``epsilon`` and the learned scale ``gamma`` and offset
``beta`` (their arguments, weights and config)."""

from __future__ import annotations

import torch

from lamina import constraints, initializers, regularizers
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object

# How a weight's ``<weight>_initializer/_regularizer/_constraint`` arguments are
# read, in Keras's order.
_GETTERS = {
    "initializer": initializers.get,
    "regularizer": regularizers.get,
    "constraint": constraints.get,
}


class BaseNormalization(Layer):
    """Base of BatchNormalization, LayerNormalization and GroupNormalization.

    This constructor's arguments are those the three layers share, in Keras's
    order and with Keras's defaults; a layer names only its own and takes these
    through `keras_signature`.

    Args:
        epsilon: small float added to the variance (``1e-3``).
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
        beta_initializer / gamma_initializer: initializers (``zeros`` / ``ones``).
        beta_regularizer / gamma_regularizer: penalties.
        beta_constraint / gamma_constraint: constraints.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).
    """

    def __init__(
        self,
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
        super().__init__(**kwargs)
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

    def _add_gamma_beta(self, shape: tuple, gamma: bool, beta: bool) -> None:
        """The ``gamma`` and ``beta`` weights of ``shape``, each if asked (else
        None), in Keras's order."""
        for name, wanted in (("gamma", gamma), ("beta", beta)):
            weight = None
            if wanted:
                weight = self.add_weight(
                    name=name,
                    shape=shape,
                    initializer=getattr(self, f"{name}_initializer"),
                    regularizer=getattr(self, f"{name}_regularizer"),
                    constraint=getattr(self, f"{name}_constraint"),
                    autocast=False,  # read in float32 under a mixed policy (Keras)
                )
            setattr(self, name, weight)

    def _affine(self, dtype: torch.dtype):
        """``(gamma, beta)`` in ``dtype`` (None where absent)."""
        gamma, beta = self.gamma, self.beta
        if gamma is not None and gamma.dtype != dtype:
            gamma = gamma.to(dtype)
        if beta is not None and beta.dtype != dtype:
            beta = beta.to(dtype)
        return gamma, beta

    def _weight_arguments_config(self, *weights: str) -> dict:
        """The serialized initializers, then regularizers, then constraints of
        ``weights`` (those the layer has), in Keras's config order."""
        return {
            f"{weight}_{kind}": serialize_keras_object(
                getattr(self, f"{weight}_{kind}")
            )
            for kind in _GETTERS
            for weight in weights
            if hasattr(self, f"{weight}_{kind}")
        }
