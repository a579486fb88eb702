"""Embedding: turn integer indices into dense vectors of fixed size."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.errors import ArgumentError, warn_deprecated_once
from lamina.layers.core.quantizable import (
    Quantizable,
    group_index,
    quantization_config_of,
    take_quantized_dtype,
)
from lamina.layers.layer import Layer
from lamina.quantizers import AbsMaxQuantizer, QuantizationConfig
from lamina.quantizers.quantizers import (
    abs_max_quantize_grouped_with_zero_point,
    dequantize_grouped,
    pack_int4,
    unpack_int4,
)
from lamina.serialization import serialize_keras_object


class Embedding(Quantizable, Layer):
    """Maps each integer index in ``[0, input_dim)`` to a learned vector.

    The weight ``embeddings`` has Keras's shape ``(input_dim, output_dim)``,
    which is also torch's, so the lookup is one ``F.embedding`` call.

    Example:
        >>> layer = lamina.layers.Embedding(1000, 64)
        >>> layer(torch.randint(0, 1000, (32, 10))).shape
        torch.Size([32, 10, 64])

    Args:
        input_dim: positive int, the vocabulary size (largest index + 1).
        output_dim: positive int, the size of each vector.
        embeddings_initializer: initializer of the vectors (``"uniform"``:
            uniform in [-0.05, 0.05]).
        embeddings_regularizer / activity_regularizer: penalties.
        embeddings_constraint: constraint on the vectors.
        mask_zero: whether index 0 is padding; the output then carries a mask
            (``inputs != 0``) that downstream layers (LSTM, ...) respect.
        weights: optional initial value, ``[embeddings]``.
        quantization_config: a `lamina.quantizers.QuantizationConfig`, used by a
            layer made with a quantized ``dtype``; `quantize` quantizes a built
            layer (int8, int4: one scale per row, or per group of columns).
        input_length: Keras 2 argument (deprecated): the sequence length, used
            as the input shape of a Sequential model's first layer.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        integer tensor ``(batch, ...)``.

    Output shape:
        ``(batch, ..., output_dim)``.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero: bool = False,
        weights=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ArgumentError(
                    f"`{name}` must be a positive integer. Received: {name}={value!r} "
                    f"(of type {type(value).__name__})."
                )
        if lora_rank is not None:
            raise ArgumentError("Embedding: `lora_rank` is not supported by lamina.")
        if kwargs.get("input_length") is not None:
            warn_deprecated_once(
                "Embedding.input_length",
                "Embedding(input_length=...) "
                "is deprecated; use an Input(shape=(length,)) instead.",
            )
        quantization = take_quantized_dtype(kwargs)
        super().__init__(**kwargs)
        self._quantization = quantization
        self.quantization_config = quantization_config_of(quantization_config)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False  # indices stay integers
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        if self._quantization is not None:  # a quantized layer being loaded
            self._build_quantized()
        else:
            self.embeddings = self.add_weight(
                shape=(self.input_dim, self.output_dim),
                name="embeddings",
                initializer=self.embeddings_initializer,
                regularizer=self.embeddings_regularizer,
                constraint=self.embeddings_constraint,
            )
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.to(torch.int64)
        try:
            return F.embedding(inputs, self.embeddings)
        except IndexError as err:  # raised by the CPU kernel; free on the happy path
            raise self._index_error(inputs) from err

    # ------------------------------------------------------------ quantization
    # Int8 and int4 rows, each with its scale (int4: or a scale and a zero point
    # per group of columns); Keras has no float8 embeddings.
    _QUANTIZED_VARIABLES = {
        "int8": ("embeddings", "embeddings_scale"),
        "int4": ("embeddings", "embeddings_scale", "embeddings_zero", "g_idx"),
    }
    _REPLACED = {"int8": ("embeddings",), "int4": ("embeddings",)}

    def _quantized_values(self, config) -> dict:
        table = self.embeddings.detach()
        block_size = getattr(config, "block_size", None)
        if config.mode == "int4" and block_size is not None and block_size > 0:
            # Groups of columns: the grouped quantizer groups rows, so transpose.
            q, scale, zero = abs_max_quantize_grouped_with_zero_point(
                table.t(), block_size=block_size, to_numpy=True
            )
            return {
                "embeddings": pack_int4(q.t().contiguous(), axis=-1)[0],
                "embeddings_scale": scale.t(),
                "embeddings_zero": zero.t(),
            }
        value_range = (-127, 127) if config.mode == "int8" else (-8, 7)
        quantizer = QuantizationConfig.weight_quantizer_or_default(
            config, AbsMaxQuantizer(axis=-1, value_range=value_range)
        )
        q, scale = quantizer(table, to_numpy=True)
        if config.mode == "int4":
            q = pack_int4(q, axis=-1)[0]
        return {"embeddings": q, "embeddings_scale": scale.squeeze(-1)}

    def _build_quantized(self) -> None:
        columns = self.output_dim
        block_size = self._quantization.block_size
        if self._quantization.mode == "int4":
            columns = (self.output_dim + 1) // 2
        scale_shape = (self.input_dim,)
        if self._quantization.mode == "int4" and block_size is not None:
            scale_shape = (self.input_dim, math.ceil(self.output_dim / block_size))
        self.embeddings = self._add_frozen(
            "embeddings", (self.input_dim, columns), "int8"
        )
        self.embeddings_scale = self._add_frozen("embeddings_scale", scale_shape)
        if scale_shape != (self.input_dim,):
            self.embeddings_zero = self._add_frozen(
                "embeddings_zero", scale_shape, "int8"
            )
            self.g_idx = self._add_frozen("g_idx", (self.output_dim,))
            with torch.no_grad():
                self.g_idx.copy_(group_index(self.output_dim, block_size))
        self._use_quantized_call()

    def _int8_call(self, inputs, training=None):
        rows, scale = self._lookup(inputs, self.embeddings, self.embeddings_scale)
        return rows.to(self._compute_dtype) / scale

    def _int4_call(self, inputs, training=None):
        tables = [self.embeddings, self.embeddings_scale]
        if self._quantization.block_size is not None:
            tables.append(self.embeddings_zero)
        rows, scale, *zero = self._lookup(inputs, *tables)
        rows = unpack_int4(rows, self.output_dim, axis=-1).to(self._compute_dtype)
        if not zero:
            return rows / scale
        return dequantize_grouped(rows, scale, zero[0], self.g_idx, axis=-1)

    def _lookup(self, inputs, *tables):
        """The rows of ``inputs`` in each table (a 1-D table as a column)."""
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.to(torch.int64)
        try:  # F.embedding, not indexing: a negative index is an error too
            return [
                F.embedding(inputs, table if table.dim() == 2 else table[:, None])
                for table in tables
            ]
        except IndexError as err:
            raise self._index_error(inputs) from err

    def _index_error(self, inputs) -> ArgumentError:
        """The error for indices outside [0, input_dim), naming a few of them."""
        bad = inputs[(inputs < 0) | (inputs >= self.input_dim)]
        return ArgumentError(
            f"Layer '{self.name}': Embedding indices must be in [0, "
            f"{self.input_dim}) (input_dim={self.input_dim}); the input holds "
            f"{bad.unique()[:5].tolist()}. Raise `input_dim` to the vocabulary "
            "size (the largest index + 1)."
        )

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize_keras_object(
                    self.embeddings_initializer
                ),
                "embeddings_regularizer": serialize_keras_object(
                    self.embeddings_regularizer
                ),
                "activity_regularizer": serialize_keras_object(
                    self.activity_regularizer
                ),
                "embeddings_constraint": serialize_keras_object(
                    self.embeddings_constraint
                ),
                "mask_zero": self.mask_zero,
            }
        )
        return self._quantized_get_config(config)
