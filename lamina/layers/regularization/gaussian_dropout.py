"""GaussianDropout: multiply by Gaussian noise of mean 1 during training."""

from __future__ import annotations

import math

from lamina.errors import ArgumentError
from lamina.layers.regularization.base_noise import NoiseLayer, check_fraction


class GaussianDropout(NoiseLayer):
    """Multiplies the inputs by ``normal(1, sqrt(rate / (1 - rate)))`` noise.

    The noise has the mean and variance of `Dropout`'s scaled Bernoulli mask
    with the same ``rate`` (Srivastava et al., 2014). In inference the input
    passes through unchanged.

    Example:
        >>> layer = lamina.layers.GaussianDropout(0.2, seed=1)
        >>> layer(torch.ones(2, 3)).tolist()
        [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]

    Args:
        rate: float in [0, 1), the drop probability it imitates.
        seed: an int for reproducible noise (one private generator per layer).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: any tensor.
        training: whether to apply the noise.

    Input shape / Output shape:
        any; the output has the input's shape.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = check_fraction(rate, "rate", "GaussianDropout")
        if self.rate == 1:
            raise ArgumentError(
                "GaussianDropout: `rate` must be below 1 (the noise's standard "
                f"deviation sqrt(rate / (1 - rate)) is infinite). Received: rate={rate}"
            )

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * self._randn(inputs).mul_(stddev).add_(1.0)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
