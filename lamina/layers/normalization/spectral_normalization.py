"""SpectralNormalization: divide a layer's kernel by its largest singular value."""

from __future__ import annotations

import torch

from lamina import initializers
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.core.wrapper import Wrapper
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import _unique

# Keras's `ops.normalize` bounds the inverse norm by 1 / backend.epsilon().
_MAX_INVERSE_NORM = 1e7


class SpectralNormalization(Wrapper):
    """Constrains the spectral norm of a wrapped layer's kernel (Miyato et al.).

    In training, each call runs ``power_iterations`` steps of the power method
    on the kernel (reshaped to ``(-1, kernel.shape[-1])``), starting from the
    stored non-trainable vector ``vector_u``, and then *replaces* the kernel
    by ``kernel / sigma`` (as Keras does) before running the wrapped layer.
    An all-zero kernel is left as it is. In inference the wrapped layer runs
    unchanged.

    Example:
        >>> layer = lamina.layers.SpectralNormalization(lamina.layers.Dense(4))
        >>> layer(torch.randn(2, 3), training=True).shape
        torch.Size([2, 4])

    Args:
        layer: the layer to wrap; it must have a ``kernel`` or ``embeddings``
            weight (Dense, Conv2D, Embedding, ...).
        power_iterations: positive int, power-method steps per training call.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape / Output shape:
        those of the wrapped layer.
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if (
            isinstance(power_iterations, bool)
            or not isinstance(power_iterations, int)
            or power_iterations <= 0
        ):
            raise ArgumentError(
                "SpectralNormalization: `power_iterations` should be a positive "
                f"integer. Received: power_iterations={power_iterations!r}"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel") and self.layer.kernel is not None:
            kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            kernel = self.layer.embeddings
        else:
            raise ArgumentError(
                f"SpectralNormalization: {type(self.layer).__name__} object has no "
                "attribute 'kernel' nor 'embeddings'."
            )
        # Not an attribute: the kernel stays registered on the wrapped layer only.
        self._kernel = [kernel]
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            autocast=False,  # updated in place by the call
        )
        self.built = True

    @property
    def kernel(self):
        return self._kernel[0]

    @property
    def weights(self):
        # Keras's order: the wrapped kernel, vector_u, then the wrapped layer's rest.
        if not self.built:
            return super().weights
        return _unique([self.kernel, self.vector_u] + self.layer.weights)

    def call(self, inputs, training=False):
        if training:
            self._normalize_kernel()
        output = self.layer(inputs)
        return output.to(inputs.dtype) if output.dtype != inputs.dtype else output

    @torch.no_grad()
    def _normalize_kernel(self) -> None:
        kernel = self.kernel
        weights = kernel.reshape(-1, kernel.shape[-1])
        vector_u = self.vector_u.to(weights.dtype)
        for _ in range(self.power_iterations):
            vector_v = _normalize(vector_u @ weights.T)
            vector_u = _normalize(vector_v @ weights)
        sigma = (vector_v @ weights) @ vector_u.T
        # torch.where instead of a Python `if`: no host sync on the device.
        all_zero = (kernel == 0).all()
        self.vector_u.copy_(torch.where(all_zero, self.vector_u, vector_u))
        kernel.copy_(torch.where(all_zero, kernel, kernel / sigma))

    def save_own_variables(self, store) -> None:
        # Keras tracks the wrapped kernel on the wrapper too: its file holds
        # [kernel, vector_u] here and the kernel again under the wrapped layer.
        store["0"] = self.kernel.detach().cpu().numpy()
        store["1"] = self.vector_u.detach().cpu().numpy()

    def load_own_variables(self, store) -> None:
        keys = sorted(store.keys())
        if keys != ["0", "1"]:
            raise ShapeError(
                f"Layer '{self.name}' expected 2 saved variables (kernel, "
                f"vector_u), but the file has {len(keys)}."
            )
        for var, key in ((self.kernel, "0"), (self.vector_u, "1")):
            value = torch.as_tensor(store[key])
            if tuple(value.shape) != tuple(var.shape):
                raise ShapeError(
                    f"Layer '{self.name}': saved variable {key} has shape "
                    f"{tuple(value.shape)}, expected {tuple(var.shape)}."
                )
            with torch.no_grad():
                var.copy_(value)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"power_iterations": self.power_iterations})
        return config


def _normalize(x: torch.Tensor) -> torch.Tensor:
    """``x`` over its L2 norm (all elements), as ``ops.normalize(x, axis=None)``."""
    return x * x.square().sum().rsqrt().clamp_max(_MAX_INVERSE_NORM)
