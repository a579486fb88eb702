"""Discretization: bucket continuous values into integer bins."""

from __future__ import annotations

import numpy as np
import torch

from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding


class Discretization(Layer):
    """Buckets values: bin ``i`` holds ``bin_boundaries[i-1] <= x < bin_boundaries[i]``.

    The boundaries are given, or learned by `adapt` as approximate quantiles
    (``num_bins`` bins of about equal counts, with Keras's summary algorithm and
    ``epsilon`` tolerance, so the boundaries equal Keras's). The bin indices
    can be encoded as in `CategoryEncoding`.

    Example:
        >>> layer = lamina.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> layer(torch.tensor([[-1.5, 1.0, 3.4, 0.5]])).tolist()
        [[0, 2, 3, 1]]

    Args:
        bin_boundaries: sorted list of boundaries (``len + 1`` bins).
        num_bins: number of bins to learn with `adapt` (instead of boundaries).
        epsilon: the error tolerance of the learned quantiles (``0.01``).
        output_mode: ``"int"`` (default, int32 bin indices), ``"one_hot"``,
            ``"multi_hot"`` or ``"count"``.
        sparse: must be False.

    Input shape:
        Any (values are read as floats).

    Output shape:
        Same as the input for ``"int"``; see `CategoryEncoding` otherwise.
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon: float = 0.01,
        output_mode: str = "int",
        sparse: bool = False,
        dtype=None,
        name=None,
    ):
        super().__init__(name=name, dtype=dtype)
        encoding.validate_output_mode(
            "Discretization", output_mode, ("int", "one_hot", "multi_hot", "count")
        )
        if sparse:
            raise ArgumentError("Discretization: `sparse=True` is not supported.")
        if num_bins is not None and (not isinstance(num_bins, int) or num_bins < 0):
            raise ArgumentError(
                "Discretization: `num_bins` must be an integer >= 0. Received: "
                f"num_bins={num_bins!r}"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ArgumentError(
                "Discretization: set `num_bins` or `bin_boundaries`, not both. "
                f"Received: num_bins={num_bins} and bin_boundaries={bin_boundaries}"
            )
        if num_bins is None and bin_boundaries is None:
            raise ArgumentError(
                "Discretization: you need to set either `num_bins` or `bin_boundaries`."
            )
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b > a for a, b in zip(bin_boundaries[1:], bin_boundaries)):
                raise ArgumentError(
                    "Discretization: `bin_boundaries` must be sorted. Received: "
                    f"bin_boundaries={bin_boundaries}"
                )
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self._summary = np.array([[], []], dtype="float32")
        self._boundaries = None
        self.built = True

    @property
    def _output_dtype(self) -> torch.dtype:
        return torch.int32 if self.output_mode == "int" else self._compute_dtype

    def adapt(self, data, steps: int | None = None) -> None:
        """Learn ``num_bins`` quantile boundaries from ``data``.

        Args:
            data: a numpy array or tensor, or an iterable of batches.
            steps: with an iterable, the number of batches to read.
        """
        if self.num_bins is None:
            raise ArgumentError(
                "Discretization: cannot adapt a layer that was created with "
                "`bin_boundaries`; use `num_bins` instead."
            )
        self._summary = np.array([[], []], dtype="float32")
        if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(
            data, "__iter__"
        ):
            self._update(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self._update(batch)
        self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[
            0, :-1
        ].tolist()
        self._boundaries = None

    def _update(self, batch) -> None:
        if isinstance(batch, torch.Tensor):
            batch = batch.detach().cpu().numpy()
        merged = np.concatenate(
            (
                _summarize(np.asarray(batch, dtype="float32"), self.epsilon),
                self._summary,
            ),
            axis=1,
        )
        merged = np.take(merged, np.argsort(merged[0]), axis=1)
        self._summary = _compress(merged, self.epsilon)

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ArgumentError(
                f"Discretization '{self.name}': pass `bin_boundaries` or call "
                "`adapt()` before using the layer."
            )
        if self._boundaries is None or self._boundaries.device != inputs.device:
            self._boundaries = torch.tensor(
                self.bin_boundaries, dtype=torch.float32, device=inputs.device
            )
        if inputs.dtype != torch.float32:
            inputs = inputs.to(torch.float32)
        indices = torch.bucketize(inputs.contiguous(), self._boundaries, right=True)
        return encoding.encode(
            indices, self.output_mode, len(self.bin_boundaries) + 1, self._output_dtype
        )

    def compute_output_shape(self, input_shape):
        depth = (
            len(self.bin_boundaries) + 1
            if self.bin_boundaries is not None
            else self.num_bins
        )
        return encoding.encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        dtype = "int32" if self.output_mode == "int" else self.dtype
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self) -> dict:
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if (
            config.get("bin_boundaries") is not None
            and config.get("num_bins") is not None
        ):
            # An adapted layer has both; the constructor takes one.
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)


def _summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Every ``n * epsilon``-th sorted value, with its weight: a quantile sketch."""
    values = np.sort(values.reshape(-1))
    step = max(values.size / (1.0 / epsilon), 1)  # Keras's rounding, exactly
    boundaries = values[int(step - 1) :: int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bin a sketch to ``1 / epsilon`` points by interpolating its CDF."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")
