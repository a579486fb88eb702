"""StringLookup: map strings to contiguous vocabulary indices (on the host)."""

from __future__ import annotations

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError
from lamina.layers.preprocessing.index_lookup import IndexLookup, lookup_constructor


class StringLookup(IndexLookup):
    """Maps strings from a vocabulary to indices (or back, with ``invert``).

    torch has no string tensors, so this layer takes Python lists (nested for
    rank 2) or numpy arrays of ``str`` (or ``bytes``) and runs its lookup on
    the host with a dict; its output is an int64 tensor on lamina's device.
    Use it on data before the model (e.g. in a dataset pipeline), not inside a
    model's graph. With ``invert=True`` it takes indices and returns a numpy
    array of strings.

    Index layout: ``[mask] [oov] * num_oov_indices [vocabulary...]``; the
    mask index 0 exists only with ``mask_token`` set and ``output_mode="int"``.

    Example:
        >>> layer = lamina.layers.StringLookup(vocabulary=["a", "b", "c", "d"])
        >>> layer([["a", "c", "d"], ["d", "z", "b"]]).tolist()
        [[1, 3, 4], [4, 0, 2]]

    Args:
        max_tokens: the largest vocabulary size (special indices included),
            for `adapt`; None for no limit.
        num_oov_indices: 0 or 1 indices for unknown strings (default 1). Keras
            hashes strings into several OOV buckets with TensorFlow's
            FarmHash, which lamina does not reproduce, so more than 1 is
            refused. With 0, an unknown string raises an error.
        mask_token: the string meaning "padding" (index 0 in ``int`` mode),
            or None (default).
        oov_token: the string for unknown indices with ``invert`` (``"[UNK]"``).
        vocabulary: the strings (a list, array, or a text file path).
        idf_weights: with ``output_mode="tf_idf"``, one weight per entry.
        invert: map indices back to strings.
        output_mode: ``"int"`` (default), ``"one_hot"``, ``"multi_hot"``,
            ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: encode to ``max_tokens`` columns.
        sparse: must be False.
        encoding: the text encoding of ``bytes`` inputs (``"utf-8"``).

    Output shape:
        Same as the input (int64) in ``int`` mode; see `CategoryEncoding`
        for the others (float32).
    """

    _vocabulary_dtype = "string"

    __init__ = lookup_constructor(
        "max_tokens num_oov_indices mask_token oov_token vocabulary idf_weights "
        "invert output_mode pad_to_max_tokens sparse encoding salt",
        oov_token="[UNK]",
        encoding="utf-8",
    )

    def _init(self, args, **kwargs) -> None:
        if isinstance(args.num_oov_indices, int) and args.num_oov_indices > 1:
            raise ArgumentError(
                "StringLookup: num_oov_indices > 1 is not supported (Keras hashes "
                "strings into OOV buckets with TensorFlow's FarmHash). Received: "
                f"num_oov_indices={args.num_oov_indices}"
            )
        # Set first: the base constructor reads the vocabulary with it.
        self.encoding = args.encoding
        del args.encoding
        super().__init__(**vars(args), **kwargs)

    def _keys_of(self, data) -> np.ndarray:
        return to_string_array(data, self.encoding, f"StringLookup '{self.name}'")

    def _convert_inputs(self, inputs):
        if self.invert:
            return super()._convert_inputs(inputs)
        # Strings stay on the host, as a numpy array of str.
        return self._keys_of(inputs)

    def _lookup(self, inputs) -> torch.Tensor:
        keys = self._keys_of(inputs)
        index = self._index
        flat = [index.get(token, -1) for token in keys.reshape(-1).tolist()]
        return (
            torch.tensor(flat, dtype=torch.int64)
            .reshape(keys.shape)
            .to(backend.device())
        )

    def _is_mask(self, inputs) -> torch.Tensor:
        return torch.as_tensor(self._keys_of(inputs) == self.mask_token).to(
            backend.device()
        )

    def _invert_lookup(self, indices) -> np.ndarray:
        indices = np.asarray(
            indices.detach().cpu() if isinstance(indices, torch.Tensor) else indices
        ).astype("int64")
        vocabulary = np.array(self.get_vocabulary(), dtype=str)
        inside = (indices >= 0) & (indices < len(vocabulary))
        found = vocabulary[np.clip(indices, 0, len(vocabulary) - 1)]
        return np.where(inside, found, self.oov_token)

    def compute_output_spec(self, inputs):
        raise ArgumentError(
            f"StringLookup '{self.name}' runs on the host on lists or numpy arrays "
            "of strings; it cannot be called on a symbolic model input."
        )

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config


def to_string_array(data, encoding: str, who: str) -> np.ndarray:
    """``data`` (str / bytes, nested lists or arrays) as a numpy array of str."""
    if isinstance(data, torch.Tensor):
        raise ArgumentError(
            f"{who}: expected strings (a list or numpy array of str); received a "
            "torch tensor. torch has no string tensors."
        )
    array = np.asarray(data)
    if array.dtype.kind == "U":
        return array
    if array.dtype.kind == "S":
        return np.char.decode(array, encoding)
    if array.dtype.kind == "O" and all(
        isinstance(t, (str, bytes)) for t in array.reshape(-1).tolist()
    ):
        flat = [
            t.decode(encoding) if isinstance(t, bytes) else t
            for t in array.reshape(-1).tolist()
        ]
        return np.array(flat, dtype=str).reshape(array.shape)
    if array.size == 0:
        return array.astype(str)
    raise ArgumentError(
        f"{who}: expected strings (a list or numpy array of str); received values "
        f"of dtype {array.dtype}."
    )
