"""Normalization: shift and scale features to mean 0 and variance 1."""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer


class Normalization(Layer):
    """Normalizes inputs as ``(inputs - mean) / sqrt(variance)``.

    The mean and variance are given at construction or learned with `adapt`
    (the variance is the biased one, dividing by ``n``, as in Keras). Learned
    values are the layer's non-trainable weights ``mean``, ``variance`` (and
    Keras's legacy ``count``), so they are saved with the model. The square
    root is floored at ``lamina.backend.epsilon()``.

    Example:
        >>> layer = lamina.layers.Normalization(axis=None)
        >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0], dtype="float32"))
        >>> layer(np.array([1.0, 2.0, 3.0], dtype="float32"))
        tensor([-1.4142, -0.7071,  0.0000])

    Args:
        axis: the axis or axes that keep separate statistics (``-1``, one per
            feature, by default); ``None`` for one scalar mean and variance.
        mean: the mean, broadcast to the kept axes (with ``variance``).
        variance: the variance, broadcast to the kept axes (with ``mean``).
        invert: apply the inverse, ``inputs * sqrt(variance) + mean``.

    Input shape:
        Any; the sizes of the kept axes are fixed at build.

    Output shape:
        Same as the input (float).
    """

    def __init__(
        self, axis=-1, mean=None, variance=None, invert: bool = False, **kwargs
    ):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        if not all(isinstance(a, int) and not isinstance(a, bool) for a in axis):
            raise ArgumentError(
                f"Normalization: `axis` must be an int, a tuple of ints or None. "
                f"Received: axis={axis!r}"
            )
        if (mean is None) != (variance is None):
            raise ArgumentError(
                "Normalization: when setting values directly, both `mean` and "
                f"`variance` must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ArgumentError(
                    "Normalization: `mean` and `variance` must have the same shape. "
                    f"Received: mean shape {np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(axis):
                raise ArgumentError(
                    "Normalization: the rank of `mean` must be at most the number of "
                    f"axes ({len(axis)}). Received: mean shape {np.shape(mean)} for "
                    f"axis={axis}"
                )
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True

    def build(self, input_shape) -> None:
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ShapeError(
                f"Normalization '{self.name}': all `axis` values must be in the range "
                f"[-ndim, ndim). Received inputs with ndim={ndim} (shape "
                f"{tuple(input_shape)}), while axis={self.axis}"
            )
        keep = tuple(sorted(a % ndim for a in self.axis))
        unknown = [d for d in keep if input_shape[d] is None]
        if unknown:
            raise ShapeError(
                f"Normalization '{self.name}': the kept axes must have a known size. "
                f"Received axis={self.axis} and input shape {tuple(input_shape)}, "
                f"with unknown axis at index {unknown[0]}"
            )
        self._build_input_shape = tuple(input_shape)
        self._keep_axis = keep
        self._reduce_axis = tuple(d for d in range(ndim) if d not in keep)
        self._broadcast_shape = tuple(
            input_shape[d] if d in keep else 1 for d in range(ndim)
        )
        self._mean_and_var_shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=self._mean_and_var_shape,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=self._mean_and_var_shape,
                initializer="ones",
                trainable=False,
            )
            # Kept only because Keras saves it.
            self.count = self.add_weight(
                name="count",
                shape=(),
                dtype="int32",
                initializer="zeros",
                trainable=False,
            )
        else:
            self.register_buffer(
                "_fixed_mean", self._broadcast(self.input_mean), persistent=False
            )
            self.register_buffer(
                "_fixed_variance",
                self._broadcast(self.input_variance),
                persistent=False,
            )
        self.built = True

    def _broadcast(self, value) -> torch.Tensor:
        """Align ``value``'s axes with the kept axes (right to left), as Keras."""
        value = torch.as_tensor(np.asarray(value), dtype=self._compute_dtype)
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, value.dim() + 1):
            shape[self._keep_axis[-i]] = value.shape[-i]
        try:
            return (
                value.reshape(shape)
                .expand(self._broadcast_shape)
                .clone()
                .to(backend.device())
            )
        except RuntimeError:
            raise ShapeError(
                f"Normalization '{self.name}': `mean` of shape {tuple(value.shape)} "
                f"cannot be broadcast to the kept axes of shape "
                f"{self._mean_and_var_shape} (axis={self.axis})"
            ) from None

    def call(self, inputs):
        inputs = inputs.to(self._compute_dtype)
        if self.input_mean is None:
            mean = self.adapt_mean.reshape(self._broadcast_shape)
            variance = self.adapt_variance.reshape(self._broadcast_shape)
        else:
            mean, variance = self._fixed_mean, self._fixed_variance
        std = torch.sqrt(variance).clamp_min(backend.epsilon())
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def adapt(self, data) -> None:
        """Learn the mean and variance of ``data`` (in one pass).

        Args:
            data: a numpy array, a torch tensor, or an iterable of batches
                (arrays or tensors; ``(x, y)`` tuples use ``x``).
        """
        if self.input_mean is not None:
            raise ArgumentError(
                f"Normalization '{self.name}': cannot adapt a layer built with an "
                "explicit `mean` and `variance`."
            )
        batches = None
        if isinstance(data, (np.ndarray, torch.Tensor)):
            shape = tuple(data.shape)
        elif hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ArgumentError(
                    f"Normalization '{self.name}': adapt() received an empty iterable "
                    "(no batches)."
                )
            first = _first_of(first)
            if not hasattr(first, "shape"):
                raise ArgumentError(
                    f"Normalization '{self.name}': adapt() expects an iterable of "
                    f"arrays or tensors; got an element of type {type(first).__name__}."
                )
            shape = tuple(first.shape)
            batches = itertools.chain([first], (_first_of(b) for b in iterator))
        else:
            raise ArgumentError(
                f"Normalization '{self.name}': adapt() takes a numpy array, a tensor "
                f"or an iterable of batches. Received: {type(data).__name__}"
            )
        if not self.built:
            self._maybe_build(shape)
        self._check_adapt_shape(shape)
        if isinstance(data, np.ndarray):
            mean = np.mean(data, axis=self._reduce_axis)
            variance = np.var(data, axis=self._reduce_axis)
        elif isinstance(data, torch.Tensor):
            mean, variance = _moments(data.to(self._compute_dtype), self._reduce_axis)
        else:
            mean, variance = self._streamed_moments(batches)
        self.adapt_mean.assign(torch.as_tensor(mean))
        self.adapt_variance.assign(torch.as_tensor(variance))

    def _check_adapt_shape(self, shape) -> None:
        if len(shape) != len(self._build_input_shape) or any(
            shape[d] != self._build_input_shape[d] for d in self._keep_axis
        ):
            raise ShapeError(
                f"Normalization '{self.name}': the layer was built with input shape "
                f"{self._build_input_shape}, but adapt() received data with the "
                f"incompatible shape {shape} (axis={self.axis})"
            )

    def _streamed_moments(self, batches):
        """Merge per-batch moments (Chan et al.'s parallel formula), in float64."""
        total_mean = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
        total_var = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
        total_count = 0
        for batch in batches:
            batch = torch.as_tensor(
                np.asarray(batch) if not isinstance(batch, torch.Tensor) else batch
            )
            self._check_adapt_shape(tuple(batch.shape))
            batch_mean, batch_var = _moments(
                batch.detach().cpu().double(), self._reduce_axis
            )
            count = math.prod(batch.shape[d] for d in self._reduce_axis)
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1 - weight) + batch_mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + (
                batch_var + (batch_mean - new_mean) ** 2
            ) * weight
            total_mean = new_mean
        return total_mean.float(), total_var.float()

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist(),
            }
        )
        return config


def _first_of(batch):
    """``x`` from an ``(x, y)`` or ``(x, y, sample_weight)`` batch."""
    return batch[0] if isinstance(batch, tuple) else batch


def _moments(x: torch.Tensor, axes: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    if not axes:  # every axis kept: each element is its own mean
        return x, torch.zeros_like(x)
    return x.mean(dim=axes), x.var(dim=axes, correction=0)
