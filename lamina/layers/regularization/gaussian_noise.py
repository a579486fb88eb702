"""GaussianNoise: add zero-mean Gaussian noise during training."""

from __future__ import annotations

from lamina.layers.regularization.base_noise import NoiseLayer, check_fraction


class GaussianNoise(NoiseLayer):
    """Adds ``normal(0, stddev)`` noise to the inputs, only when training.

    A regularizer against overfitting, and a form of data augmentation for
    real-valued inputs. In inference the input passes through unchanged.

    Example:
        >>> layer = lamina.layers.GaussianNoise(0.1, seed=1)
        >>> layer(torch.zeros(2, 3), training=False).tolist()
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]

    Args:
        stddev: float in [0, 1], the standard deviation of the noise.
        seed: an int for reproducible noise (one private generator per layer).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: any tensor.
        training: whether to add noise.

    Input shape / Output shape:
        any; the output has the input's shape.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = check_fraction(stddev, "stddev", "GaussianNoise")

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        return inputs + self._randn(inputs).mul_(self.stddev)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config
