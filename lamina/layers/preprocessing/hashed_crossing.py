"""HashedCrossing: hash the crosses of categorical features into bins (on the host)."""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.fingerprints import farmhash_fingerprint64
from lamina.layers.preprocessing.string_lookup import to_string_array

_UINT64 = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995  # TensorFlow's FingerprintCat64 multiplier
_HASH_KEY = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default key


class HashedCrossing(Layer):
    """Crosses categorical features with a hash, as Keras (TensorFlow's
    ``tf.sparse.cross_hashed``) does, and takes the result modulo ``num_bins``.

    Each feature value hashes to itself (integers) or to its FarmHash
    ``Fingerprint64`` (strings); the hashes of one example's features are
    chained with TensorFlow's ``FingerprintCat64``, so the bins equal Keras's.
    The hashes run on the host in Python: the layer takes a tuple (or list) of
    two or more integer tensors or arrays, or lists / numpy arrays of
    ``str``, all of one shape ``()``, ``(batch,)`` or ``(batch, 1)``.

    Example:
        >>> layer = lamina.layers.HashedCrossing(num_bins=5)
        >>> layer((np.array([1, 2, 3]), np.array(["A", "B", "C"]))).tolist()
        [2, 3, 3]

    Args:
        num_bins: the number of bins, a positive int.
        output_mode: ``"int"`` (default; bin indices) or ``"one_hot"``.
        sparse: must be False (sparse outputs are TensorFlow's).
        name: the layer's name.
        dtype: the output dtype; ``"int64"`` by default in ``int`` mode, float32
            otherwise.

    Output shape:
        The inputs' shape in ``int`` mode; ``(batch, num_bins)`` with
        ``one_hot``.
    """

    def __init__(
        self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs
    ):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1:
            raise ArgumentError(
                "HashedCrossing: `num_bins` must be a positive integer. Received: "
                f"num_bins={num_bins!r}"
            )
        encoding.validate_output_mode("HashedCrossing", output_mode, ("int", "one_hot"))
        if sparse:
            raise ArgumentError(
                "HashedCrossing: `sparse=True` can only be used with the TensorFlow "
                "backend."
            )
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _convert_inputs(self, inputs):
        if not isinstance(inputs, (tuple, list)) or len(inputs) < 2:
            raise ArgumentError(
                "HashedCrossing should be called on a list or tuple of at least two "
                f"inputs. Received: inputs={inputs!r}"
            )
        return [_feature(x) for x in inputs]

    def call(self, inputs):
        features = self._convert_inputs(inputs)
        shape = tuple(features[0].shape)
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ShapeError(
                "All HashedCrossing inputs should have shape (), (batch_size) or "
                f"(batch_size, 1). Received shapes: {[tuple(f.shape) for f in features]}"
            )
        if any(tuple(f.shape) != shape for f in features[1:]):
            raise ShapeError(
                "All HashedCrossing inputs should have equal shape. Received shapes: "
                f"{[tuple(f.shape) for f in features]}"
            )
        device = next(
            (x.device for x in inputs if isinstance(x, torch.Tensor)), backend.device()
        )
        columns = [_hashes(f) for f in features]
        bins = [_cross(values) % self.num_bins for values in zip(*columns)]
        bins = torch.tensor(bins, dtype=torch.int64).reshape(shape).to(device)
        if self.output_mode == "one_hot" and bins.dim() == 2:
            bins = bins[..., 0]
        return encoding.encode(
            bins, self.output_mode, self.num_bins, self._compute_dtype
        )

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        if shape and shape[-1] == 1:
            shape = shape[:-1]
        return (*shape, self.num_bins) if shape else (self.num_bins,)

    def get_config(self) -> dict:
        # Keras's config, to the key: no `trainable`, the dtype as a name.
        return {
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }


def _feature(values):
    """One input as a tensor of integers or a numpy array of ``str``."""
    if isinstance(values, torch.Tensor):
        tensor = values
    else:
        array = np.asarray(values)
        if array.dtype.kind in "USO":
            return to_string_array(array, "utf-8", "HashedCrossing")
        tensor = torch.as_tensor(array)
    if tensor.is_floating_point() or tensor.is_complex() or tensor.dtype == torch.bool:
        raise ArgumentError(
            "All HashedCrossing inputs should have an integer or string dtype. "
            f"Received dtype: {tensor.dtype}"
        )
    return tensor


def _hashes(feature) -> list[int]:
    """TensorFlow's feature hashes: the value (integers), Fingerprint64 (str)."""
    if isinstance(feature, np.ndarray):
        flat = feature.reshape(-1).tolist()
        hashes = {s: farmhash_fingerprint64(s.encode("utf-8")) for s in set(flat)}
        return [hashes[s] for s in flat]
    return [value & _UINT64 for value in feature.reshape(-1).tolist()]


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def _cross(hashes) -> int:
    """TensorFlow's ``FingerprintCat64`` chain over one example's hashes."""
    result = _HASH_KEY
    for value in hashes:
        mixed = result ^ _MUL
        mixed ^= (_shift_mix((value * _MUL) & _UINT64) * _MUL) & _UINT64
        mixed = (mixed * _MUL) & _UINT64
        result = _shift_mix((_shift_mix(mixed) * _MUL) & _UINT64)
    return result
