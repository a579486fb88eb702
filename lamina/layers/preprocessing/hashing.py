"""Hashing: hash strings or integers into a fixed number of bins (on the host)."""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.layers.preprocessing.fingerprints import farmhash_fingerprint64, siphash24
from lamina.layers.preprocessing.string_lookup import to_string_array


class Hashing(Layer):
    """Hashes values into ``num_bins`` bins, with Keras's (TensorFlow's) hashes.

    Values are hashed as strings (integers by their decimal text, floats first
    truncated to integers) with FarmHash ``Fingerprint64``, or with SipHash-2-4
    keyed by ``salt`` when one is given, then taken modulo the number of bins,
    so the bins equal Keras's. With ``mask_value``, that value goes to bin 0
    and the others to bins ``1 .. num_bins - 1``.

    The hashes run on the host in Python (each distinct value once per call):
    the layer takes lists or numpy arrays of ``str``, or integer tensors /
    arrays, and returns a tensor. It is meant for input pipelines; inside a
    model it moves its input to the host and back.

    Example:
        >>> layer = lamina.layers.Hashing(num_bins=3)
        >>> layer([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist()
        [[1], [0], [1], [1], [2]]

    Args:
        num_bins: the number of bins (including the mask bin), a positive int.
        mask_value: a value sent to bin 0, or None.
        salt: None (FarmHash), an int, or a pair of ints (SipHash key; an int
            ``s`` means ``(s, s)``).
        output_mode: ``"int"`` (default; bin indices), ``"one_hot"``,
            ``"multi_hot"`` or ``"count"`` (see `CategoryEncoding`).
        sparse: must be False.
        **kwargs: standard layer arguments; ``dtype`` (the output dtype)
            defaults to ``"int64"`` in ``int`` mode and to float32 otherwise.

    Output shape:
        Same as the input in ``int`` mode; see `CategoryEncoding` otherwise.
    """

    def __init__(
        self,
        num_bins,
        mask_value=None,
        salt=None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs,
    ):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else backend.floatx()
        super().__init__(**kwargs)
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins <= 0:
            raise ArgumentError(
                "Hashing: `num_bins` must be a positive integer. Received: "
                f"num_bins={num_bins!r}"
            )
        encoding.validate_output_mode(
            "Hashing", output_mode, ("int", "one_hot", "multi_hot", "count")
        )
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ArgumentError(
                "Hashing: with output_mode='int', `dtype` must be 'int32' or "
                f"'int64'. Received: dtype={self.dtype!r}"
            )
        if sparse:
            raise ArgumentError("Hashing: `sparse=True` is not supported.")
        if salt is not None:
            if (
                isinstance(salt, (tuple, list))
                and len(salt) == 2
                and all(isinstance(s, int) for s in salt)
            ):
                salt = list(salt)
            elif isinstance(salt, int) and not isinstance(salt, bool):
                salt = [salt, salt]
            else:
                raise ArgumentError(
                    "Hashing: `salt` must be an integer or a pair of integers. "
                    f"Received: salt={salt!r}"
                )
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def _convert_inputs(self, inputs):
        if isinstance(inputs, torch.Tensor):
            return inputs
        array = np.asarray(inputs)
        if array.dtype.kind in "USO":
            return to_string_array(array, "utf-8", f"Hashing '{self.name}'")
        return torch.as_tensor(array)

    def call(self, inputs):
        if self.output_mode == "one_hot" and inputs.ndim and inputs.shape[-1] == 1:
            inputs = inputs[..., 0]
        bins = self._hash_to_bins(inputs)
        return encoding.encode(
            bins, self.output_mode, self.num_bins, self._compute_dtype
        )

    def _hash_to_bins(self, values) -> torch.Tensor:
        device = values.device if isinstance(values, torch.Tensor) else backend.device()
        if isinstance(values, torch.Tensor):
            if values.is_floating_point():
                values = values.long()  # truncation, as tf.cast
            values = values.cpu().numpy()
        shape = values.shape
        flat = values.reshape(-1).tolist()
        hash_bins = self.num_bins
        masked = self.mask_value is not None and hash_bins > 1
        if masked:
            hash_bins -= 1
        cache: dict = {}
        bins = []
        for value in flat:
            if masked and value == self.mask_value:
                bins.append(0)
                continue
            index = cache.get(value)
            if index is None:
                index = self._hash(value) % hash_bins + masked
                cache[value] = index
            bins.append(index)
        return torch.tensor(bins, dtype=torch.int64).reshape(shape).to(device)

    def _hash(self, value) -> int:
        data = (value if isinstance(value, str) else str(int(value))).encode("utf-8")
        if self.salt is None:
            return farmhash_fingerprint64(data)
        return siphash24(self.salt[0], self.salt[1], data)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "one_hot" and shape and shape[-1] == 1:
            shape = shape[:-1]
        return encoding.encoded_shape(shape, self.output_mode, self.num_bins)

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_bins": self.num_bins,
                "salt": self.salt,
                "mask_value": self.mask_value,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
            }
        )
        return config
