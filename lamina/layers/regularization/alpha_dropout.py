"""AlphaDropout: dropout that keeps the mean and variance of SELU activations."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.regularization.base_noise import NoiseLayer, check_fraction
from lamina.layers.regularization.dropout import _validate_noise_shape
from lamina.random.seed_generator import layer_generator

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(NoiseLayer):
    """Dropout for self-normalizing networks (Klambauer et al., 2017).

    In training each input is kept with probability ``1 - rate`` or set to
    SELU's negative saturation value ``-alpha * scale``, and the result goes
    through the affine map ``a * x + b`` that restores the input's mean and
    variance (for zero-mean, unit-variance inputs). In inference the input
    passes through unchanged.

    Example:
        >>> layer = lamina.layers.AlphaDropout(0.2, seed=1)
        >>> layer(torch.randn(4, 8), training=True).shape
        torch.Size([4, 8])

    Args:
        rate: float in [0, 1), the drop probability.
        noise_shape: the shape of the keep mask, broadcast over the input;
            ``None`` sizes take the input's.
        seed: an int for reproducible masks (one private generator per layer).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: any tensor.
        training: whether to drop.

    Input shape / Output shape:
        any; the output has the input's shape.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = check_fraction(rate, "rate", "AlphaDropout")
        if self.rate == 1:
            raise ArgumentError(
                "AlphaDropout: `rate` must be below 1 (the affine correction "
                f"((1 - rate) * (1 + rate * alpha'**2)) ** -0.5 is infinite). "
                f"Received: rate={rate}"
            )
        self.noise_shape = _validate_noise_shape(noise_shape)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        uniform = torch.rand(
            self._mask_shape(inputs),
            dtype=inputs.dtype,
            device=inputs.device,
            generator=layer_generator(self, inputs.device),
        )
        keep = uniform.ge_(self.rate)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        # a * (x * keep + alpha_p * (1 - keep)) + b, with one multiply of x.
        return inputs * (keep * a) + (keep * (-a * alpha_p) + (a * alpha_p + b))

    def _mask_shape(self, inputs: torch.Tensor) -> tuple:
        if self.noise_shape is None:
            return tuple(inputs.shape)
        if len(self.noise_shape) != inputs.dim():
            raise ArgumentError(
                f"Layer '{self.name}': noise_shape={self.noise_shape} does not match "
                f"the rank of the input of shape {tuple(inputs.shape)}."
            )
        return tuple(
            i if n is None else n for n, i in zip(self.noise_shape, inputs.shape)
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
        )
        return config
