"""Shared pieces of the random regularization layers: argument checks, seeds."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.random.seed_generator import layer_generator


def check_fraction(value, name: str, layer: str) -> float:
    """``value`` if it is a number in [0, 1], else a lamina error naming ``name``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (0 <= value <= 1)
    ):
        raise ArgumentError(
            f"{layer}: invalid value received for argument `{name}`. Expected a "
            f"float value between 0 and 1. Received: {name}={value!r}"
        )
    return value


def check_seed(seed, layer: str):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ArgumentError(
            f"{layer}: `seed` must be an int or None. Received: seed={seed!r}"
        )
    return seed


class NoiseLayer(Layer):
    """A layer that draws random numbers in training, from torch's global
    generator, or from a private one seeded with ``seed`` (per device)."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = check_seed(seed, type(self).__name__)
        self._generator = None
        self.supports_masking = True
        self.built = True

    def _randn(self, inputs: torch.Tensor) -> torch.Tensor:
        """Standard normal draws shaped like ``inputs``."""
        if self.seed is None:
            return torch.randn_like(inputs)
        return torch.randn(
            inputs.shape,
            dtype=inputs.dtype,
            device=inputs.device,
            generator=layer_generator(self, inputs.device),
        )

    def compute_output_shape(self, input_shape):
        return input_shape
