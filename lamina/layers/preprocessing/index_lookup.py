"""IndexLookup: the vocabulary machinery shared by IntegerLookup and StringLookup.

A vocabulary maps tokens to consecutive indices laid out as Keras lays them
out: ``[mask] [oov] * num_oov_indices [tokens...]`` (the mask index exists only
with ``output_mode="int"``). Subclasses say how tokens are looked up (a sorted
tensor and ``searchsorted`` on the device for integers, a dict on the host for
strings); everything else (vocabulary checks, `adapt`'s counting, TF-IDF
weights, output encodings, config) lives here.
"""

from __future__ import annotations

import collections
import inspect
import math
import os

import numpy as np
import torch

from lamina import backend
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding
from lamina.signatures import keras_constructor

# Stands for a masked position in the non-int modes: outside every encoding, so
# the position adds nothing to one_hot / multi_hot / count rows.
_MASKED = -2


class IndexLookup(Layer):
    """Base of the lookup layers (use `IntegerLookup` or `StringLookup`).

    Its constructor's defaults are Keras's for both lookup layers (see
    `lookup_constructor`), but for ``oov_token``.

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: how many indices out-of-vocabulary tokens share.
        mask_token: the token that means "padding" (index 0 in ``int`` mode).
        oov_token: the token returned for unknown indices with ``invert``.
        vocabulary: the tokens (a list, array, tensor or a text file path).
        idf_weights: with ``output_mode="tf_idf"``, one weight per token.
        invert: map indices back to tokens.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"``
            or ``"tf_idf"``.
        pad_to_max_tokens: encode to ``max_tokens`` columns whatever the
            vocabulary size.
        sparse: must be False.
        oov_method / salt: Keras's hashing options; only the default
            ``"floormod"`` without salt is supported.
    """

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token=None,
        vocabulary=None,
        idf_weights=None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt=None,
        **kwargs,
    ):
        name = type(self).__name__
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop(
            "has_input_vocabulary", vocabulary is not None
        )
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        encoding.validate_output_mode(name, output_mode)
        if max_tokens is not None and (
            not isinstance(max_tokens, int) or max_tokens <= 1
        ):
            raise ArgumentError(
                f"{name}: if set, `max_tokens` must be an integer greater than 1. "
                f"Received: max_tokens={max_tokens!r}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ArgumentError(
                f"{name}: pad_to_max_tokens=True needs `max_tokens`. Received: "
                "max_tokens=None"
            )
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ArgumentError(
                f"{name}: `num_oov_indices` must be an integer >= 0. Received: "
                f"num_oov_indices={num_oov_indices!r}"
            )
        if invert and output_mode != "int":
            raise ArgumentError(
                f"{name}: `output_mode` must be 'int' when `invert` is true. "
                f"Received: output_mode={output_mode!r}"
            )
        if idf_weights is not None and output_mode != "tf_idf":
            raise ArgumentError(
                f"{name}: `idf_weights` should only be set if `output_mode` is "
                f"'tf_idf'. Received: output_mode={output_mode!r}"
            )
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ArgumentError(
                f"{name}: with a `vocabulary` in 'tf_idf' output mode, the "
                "`idf_weights` argument must also be provided."
            )
        if sparse:
            raise ArgumentError(f"{name}: `sparse=True` is not supported.")
        if oov_method != "floormod" or salt is not None:
            raise ArgumentError(
                f"{name}: only oov_method='floormod' without `salt` is supported "
                "(Keras's 'farmhash' needs TensorFlow's FarmHash). Received: "
                f"oov_method={oov_method!r}, salt={salt!r}"
            )
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.invert = invert
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.oov_method = oov_method
        self.salt = salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._frozen_vocab_size = frozen_size
        self._tokens: list = []
        self._index: dict = {}
        self.register_buffer("idf_weights", None, persistent=False)
        self._reset_counts()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------ token hooks
    def _keys_of(self, data) -> np.ndarray:
        """``data`` as a numpy array of tokens (for adapt and vocabularies)."""
        raise NotImplementedError

    def _lookup(self, inputs) -> torch.Tensor:
        """Vocabulary indices of ``inputs`` (int64), ``-1`` where unknown."""
        raise NotImplementedError

    def _oov_indices(self, inputs, unknown: torch.Tensor) -> torch.Tensor:
        """OOV indices (before the offset) with several OOV buckets."""
        raise NotImplementedError

    def _is_mask(self, inputs) -> torch.Tensor:
        raise NotImplementedError

    def _invert_lookup(self, indices: torch.Tensor):
        raise NotImplementedError

    def _parse_file_token(self, line: str):
        return line

    # ------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The vocabulary size, mask and OOV indices included."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary, in index order.

        Args:
            include_special_tokens: include the mask and OOV tokens, so that a
                token's position is its index.
        """
        special = [self.mask_token] * self._oov_start_index() + [
            self.oov_token
        ] * self.num_oov_indices
        tokens = [_plain(t) for t in self._tokens]
        return special + tokens if include_special_tokens else tokens

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and TF-IDF weights), replacing any present.

        Args:
            vocabulary: a list, tuple, 1-D array or tensor of tokens, or the
                path of a text file with one token per line. It may start
                with the special tokens, in layout order.
            idf_weights: one weight per vocabulary entry (``tf_idf`` only).
        """
        name = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ArgumentError(
                f"{name}: `idf_weights` must be set if output_mode is 'tf_idf'."
            )
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ArgumentError(
                f"{name}: `idf_weights` should only be set if output_mode is "
                f"'tf_idf'. Received: output_mode={self.output_mode!r}"
            )
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ArgumentError(
                    f"{name}: vocabulary file {vocabulary!r} does not exist."
                )
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [
                    self._parse_file_token(line) for line in f.read().splitlines()
                ]
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        vocabulary = [_plain(t) for t in self._keys_of(vocabulary).reshape(-1)]
        if not vocabulary:
            raise ArgumentError(f"{name}: cannot set an empty vocabulary.")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [
            self.oov_token
        ] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ArgumentError(
                f"{name}: the vocabulary has repeated terms; please make it unique. "
                f"The repeated terms are: {repeated}"
            )
        reserved = [("mask_token", self.mask_token)]
        if self.invert:
            reserved.append(("oov_token", self.oov_token))
        for argument, token in reserved:
            if token is not None and token in tokens:
                raise ArgumentError(
                    f"{name}: found the reserved {argument}={token!r} at an "
                    "unexpected position in `vocabulary`. Leave the mask and OOV "
                    "tokens out, or put them first in exactly this order: "
                    f"{special}."
                )
        size = token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ArgumentError(
                f"{name}: the vocabulary size {size} exceeds max_tokens="
                f"{self.max_tokens}."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            weights = np.asarray(
                idf_weights.detach().cpu()
                if isinstance(idf_weights, torch.Tensor)
                else idf_weights,
                dtype="float64",
            )
            if weights.ndim != 1 or len(weights) != len(vocabulary):
                raise ArgumentError(
                    f"{name}: `idf_weights` must be 1-D with one weight per "
                    f"vocabulary entry ({len(vocabulary)}); received shape "
                    f"{weights.shape}."
                )
            front = 0 if found_special else token_start
            self._set_idf(
                np.pad(weights, (front, 0), constant_values=np.average(weights))
            )

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._frozen_vocab_size = self.vocabulary_size()
        self._vocabulary_changed()

    def _vocabulary_changed(self) -> None:
        """Drop cached lookup structures (subclasses cache device tensors)."""

    def _set_idf(self, weights: np.ndarray) -> None:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - len(weights)))
        self.idf_weights = torch.as_tensor(
            weights, dtype=torch.float32, device=backend.device()
        )

    # ------------------------------------------------------------ adapt
    def adapt(self, data, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data``: tokens by decreasing count.

        Ties are broken by decreasing token order, as in Keras; ``max_tokens``
        keeps the most frequent. With ``output_mode="tf_idf"`` the document
        frequencies are learned too (a row of the data is a document).

        Args:
            data: an array, tensor or list of tokens (a 1-D one is a batch of
                one-token documents), or an iterable of batches.
            steps: with an iterable, the number of batches to read.
        """
        if self._has_input_vocabulary:
            raise ArgumentError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary "
                "via the `vocabulary` argument or `set_vocabulary()`."
            )
        self._reset_counts()
        if _is_batch_iterable(data):
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self._update_counts(
                    self._documents(self._keys_of(batch), one_row_when_1d=True)
                )
        else:
            self._update_counts(
                self._documents(self._keys_of(data), one_row_when_1d=False)
            )
        self._finalize_counts()

    def _documents(self, keys: np.ndarray, one_row_when_1d: bool) -> list:
        """Rows of tokens; Keras reads a 1-D array as one token per document,
        but a 1-D batch from an iterable as one document."""
        if keys.ndim == 0:
            return [[keys.item()]]
        if keys.ndim == 1:
            return [list(keys)] if one_row_when_1d else [[k] for k in keys]
        return [list(row.reshape(-1)) for row in keys]

    def _reset_counts(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    def _update_counts(self, documents: list) -> None:
        for document in documents:
            document = [_plain(t) for t in document]
            self._token_counts.update(document)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(document))
        self._num_documents += len(documents)

    def _finalize_counts(self) -> None:
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        if not counts:
            return
        ordered = sorted(
            counts.items(), key=lambda item: (item[1], item[0]), reverse=True
        )
        if self.max_tokens:
            ordered = ordered[: self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ordered]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.array(
                [
                    math.log(1 + self._num_documents / (1 + self._document_counts[t]))
                    for t in tokens
                ],
                dtype="float32",
            )
            self._set_idf(
                np.pad(
                    idf, (self._token_start_index(), 0), constant_values=np.mean(idf)
                )
            )
        self._reset_counts()

    # ------------------------------------------------------------ calling
    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise ArgumentError(
                f"{type(self).__name__} '{self.name}': with output_mode="
                f"{self.output_mode!r} and pad_to_max_tokens=False, set the "
                "vocabulary (`vocabulary=` or `adapt()`) before calling the layer."
            )
        return self._frozen_vocab_size

    def call(self, inputs):
        if self.invert:
            return self._invert_lookup(inputs)
        indices = self._lookup(inputs)
        unknown = indices < 0
        oov_start = self._oov_start_index()
        if self.num_oov_indices == 1:
            indices = torch.where(unknown, oov_start, indices)
        elif self.num_oov_indices > 1:
            indices = torch.where(
                unknown, self._oov_indices(inputs, unknown) + oov_start, indices
            )
        if self.mask_token is not None:
            mask_value = 0 if self.output_mode == "int" else _MASKED
            indices = torch.where(self._is_mask(inputs), mask_value, indices)
        if self.num_oov_indices == 0:
            self._check_no_oov(inputs, indices)
        if self.output_mode == "int":
            return indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        idf = self.idf_weights if self.output_mode == "tf_idf" else None
        if self.output_mode == "tf_idf" and idf is None:
            raise ArgumentError(
                f"{type(self).__name__} '{self.name}': 'tf_idf' "
                "output needs idf weights (adapt or set_vocabulary)."
            )
        out = encoding.encode(indices, mode, self._depth(), torch.float32)
        return out if idf is None else out * idf.to(out.device)

    def _check_no_oov(self, inputs, indices: torch.Tensor) -> None:
        # A host synchronisation, paid only with num_oov_indices=0 (Keras asserts).
        if bool((indices == -1).any()):
            unknown = np.asarray(self._keys_of(inputs))[
                (indices == -1).cpu().numpy()
            ].tolist()
            raise ArgumentError(
                f"{type(self).__name__} '{self.name}': with num_oov_indices=0 all "
                f"inputs should be in the vocabulary; found OOV values {unknown}. "
                "Consider num_oov_indices=1."
            )

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return encoding.encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        dtype = "int64" if self.output_mode == "int" else "float32"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    # ------------------------------------------------------------ saving
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "invert": self.invert,
                "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices,
                "oov_token": self.oov_token,
                "mask_token": self.mask_token,
                "output_mode": self.output_mode,
                "sparse": self.sparse,
                "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self._vocabulary_dtype,
                "idf_weights": _listify(self.input_idf_weights),
                "vocabulary": _listify(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size,
                "oov_method": self.oov_method,
                "salt": self.salt,
            }
        )
        return config

    def save_own_variables(self, store) -> None:
        """Keras's layout: the TF-IDF weights, if any (the vocabulary is an asset)."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = self.idf_weights.detach().cpu().numpy()

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = torch.as_tensor(
                np.asarray(store["idf_weights"]),
                dtype=torch.float32,
                device=backend.device(),
            )

    def save_assets(self, dir_path: str) -> None:
        """Write an adapted vocabulary to ``vocabulary.txt`` (Keras's asset)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(t) for t in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary written by `save_assets` (or by Keras)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [self._parse_file_token(line) for line in lines]
        idf = None
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            idf = self.idf_weights.cpu().numpy()[: len(values)]
        self.set_vocabulary(values, idf_weights=idf)


def _plain(token):
    """numpy scalars to Python ones, so tokens hash and compare simply."""
    if isinstance(token, np.generic):
        return token.item()
    if isinstance(token, bytes):
        return token.decode("utf-8")
    return token


def _listify(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return list(value)
    return value


def _is_batch_iterable(data) -> bool:
    """Generators and datasets, but not arrays, tensors, lists or tuples."""
    return hasattr(data, "__iter__") and not isinstance(
        data, (list, tuple, np.ndarray, torch.Tensor, str, bytes)
    )


def lookup_constructor(names: str, **defaults):
    """The ``__init__`` of a lookup layer (see `keras_constructor`).

    Args:
        names: the layer's arguments in Keras's order, separated by white space.
        **defaults: the defaults that are not `IndexLookup`'s.
    """
    parameters = inspect.signature(IndexLookup).parameters.items()
    shared = {name: parameter.default for name, parameter in parameters}
    return keras_constructor(names, {**shared, **defaults})
