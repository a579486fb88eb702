"""Regularization layers: dropout variants, noise, activity penalties."""

from lamina.layers.regularization.activity_regularization import ActivityRegularization
from lamina.layers.regularization.alpha_dropout import AlphaDropout
from lamina.layers.regularization.dropout import Dropout
from lamina.layers.regularization.gaussian_dropout import GaussianDropout
from lamina.layers.regularization.gaussian_noise import GaussianNoise
from lamina.layers.regularization.spatial_dropout import (
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
