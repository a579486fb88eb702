"""Other names of the loss functions: Keras's short names and Keras 2's.

``mse``, ``mae``, ``mape``, ``msle``, ``kld`` and ``bce`` (and their capitals)
are Keras 3's; ``kullback_leibler_divergence``, ``logcosh``, ``huber_loss`` and
``cosine_proximity`` come from Keras 2 and tf.keras; ``squared_log`` is the
course's name for the mean squared logarithmic error. Each is the function
itself, not a copy: ``losses.mse is losses.mean_squared_error``. Keras's
``keras.metrics`` exports the short names too, for the same functions.

Example:

>>> mse is mean_squared_error
True
"""

from __future__ import annotations

from lamina.losses.probabilistic_losses import binary_crossentropy, kl_divergence
from lamina.losses.regression_losses import (
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh
huber_loss = huber
cosine_proximity = cosine_similarity
squared_log = mean_squared_logarithmic_error

__all__ = [
    "BCE",
    "KLD",
    "MAE",
    "MAPE",
    "MSE",
    "MSLE",
    "bce",
    "cosine_proximity",
    "huber_loss",
    "kld",
    "kullback_leibler_divergence",
    "logcosh",
    "mae",
    "mape",
    "mse",
    "msle",
    "squared_log",
]
