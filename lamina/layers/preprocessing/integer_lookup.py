"""IntegerLookup: map integer features to contiguous vocabulary indices."""

from __future__ import annotations

import numpy as np
import torch

from lamina.errors import ArgumentError
from lamina.layers.preprocessing.index_lookup import IndexLookup, lookup_constructor


class IntegerLookup(IndexLookup):
    """Maps integers from a vocabulary to indices (or back, with ``invert``).

    Index layout: ``[mask] [oov] * num_oov_indices [vocabulary...]``; the
    mask index 0 exists only with ``mask_token`` set and ``output_mode="int"``.
    Unknown values share the OOV indices (``value % num_oov_indices`` with
    several). The lookup runs on the device (a sorted key tensor and
    ``torch.searchsorted``), so the layer can sit inside a model.

    Example:
        >>> layer = lamina.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer(torch.tensor([[12, 1138, 42], [42, 1000, 36]])).tolist()
        [[1, 3, 4], [4, 0, 2]]

    Args:
        max_tokens: the largest vocabulary size (special indices included),
            for `adapt`; None for no limit.
        num_oov_indices: indices reserved for unknown values (default 1). With
            0, an unknown value raises an error (checking costs a device
            synchronisation per call).
        mask_token: the value meaning "padding" (index 0 in ``int`` mode),
            or None (default).
        oov_token: the value returned for unknown indices with ``invert``
            (default -1).
        vocabulary: the values (a list, array, tensor, or a text file path).
        vocabulary_dtype: must be ``"int64"``.
        idf_weights: with ``output_mode="tf_idf"``, one weight per entry.
        invert: map indices back to values.
        output_mode: ``"int"`` (default), ``"one_hot"``, ``"multi_hot"``,
            ``"count"`` or ``"tf_idf"``.
        sparse: must be False.
        pad_to_max_tokens: encode to ``max_tokens`` columns.
        oov_method / salt: only Keras's default ``"floormod"`` without salt.

    Output shape:
        Same as the input (int64) in ``int`` mode; see `CategoryEncoding`
        for the others (float32).
    """

    _vocabulary_dtype = "int64"
    # (sorted keys, their indices) on one device, rebuilt when the vocabulary
    # or the device changes.
    _lookup_cache: tuple[torch.Tensor, torch.Tensor] | None = None

    __init__ = lookup_constructor(
        "max_tokens num_oov_indices mask_token oov_token vocabulary vocabulary_dtype "
        "idf_weights invert output_mode sparse pad_to_max_tokens oov_method salt",
        oov_token=-1,
        vocabulary_dtype="int64",
    )

    def _init(self, args, **kwargs) -> None:
        if args.vocabulary_dtype != "int64":
            raise ArgumentError(
                "IntegerLookup: only vocabulary_dtype='int64' is supported. "
                f"Received: vocabulary_dtype={args.vocabulary_dtype!r}"
            )
        del args.vocabulary_dtype
        if args.mask_token is not None:
            args.mask_token = int(args.mask_token)
        if args.oov_token is not None:
            args.oov_token = int(args.oov_token)
        super().__init__(**vars(args), **kwargs)

    def _keys_of(self, data) -> np.ndarray:
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        array = np.asarray(data)
        if array.size and array.dtype.kind not in "iub":
            raise ArgumentError(
                f"IntegerLookup '{self.name}': expected integer values, received "
                f"dtype {array.dtype}."
            )
        return array.astype("int64")

    def _parse_file_token(self, line: str):
        return int(line) if line.strip() else line

    def _vocabulary_changed(self) -> None:
        self._lookup_cache = None

    def _tables(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Sorted keys and their indices on ``device`` (built once per vocabulary)."""
        if self._lookup_cache is None or self._lookup_cache[0].device != device:
            keys = torch.tensor(self._tokens, dtype=torch.int64)
            values = (
                torch.arange(len(self._tokens), dtype=torch.int64)
                + self._token_start_index()
            )
            keys, order = keys.sort()
            self._lookup_cache = (keys.to(device), values[order].to(device))
        return self._lookup_cache

    def call(self, inputs):
        if inputs.is_floating_point():
            inputs = inputs.long()
        return super().call(inputs)

    def _lookup(self, inputs: torch.Tensor) -> torch.Tensor:
        inputs = inputs.long()
        if not self._tokens:
            return torch.full_like(inputs, -1)
        keys, values = self._tables(inputs.device)
        position = torch.searchsorted(keys, inputs.contiguous()).clamp_(
            max=len(keys) - 1
        )
        return torch.where(keys[position] == inputs, values[position], -1)

    def _oov_indices(self, inputs, unknown):
        return torch.remainder(inputs.long(), self.num_oov_indices)

    def _is_mask(self, inputs):
        return inputs == self.mask_token

    def _invert_lookup(self, indices: torch.Tensor) -> torch.Tensor:
        indices = indices.long()
        vocabulary = torch.tensor(
            [self.oov_token if t is None else t for t in self.get_vocabulary()],
            dtype=torch.int64,
            device=indices.device,
        )
        inside = (indices >= 0) & (indices < len(vocabulary))
        found = vocabulary[indices.clamp(0, len(vocabulary) - 1)]
        return torch.where(inside, found, self.oov_token)

    def get_config(self) -> dict:
        config = super().get_config()
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
