"""Keras 2's ``keras.layers.noise`` module path."""

from lamina.layers.regularization import AlphaDropout, GaussianDropout, GaussianNoise

__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise"]
