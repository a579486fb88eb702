"""Embedding: turn integer indices into dense vectors of fixed size."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.errors import ArgumentError, warn_deprecated_once
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object


class Embedding(Layer):
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
        if lora_rank is not None or quantization_config is not None:
            raise ArgumentError(
                "Embedding: `lora_rank` and `quantization_config` are not supported "
                "by lamina."
            )
        if kwargs.get("input_length") is not None:
            warn_deprecated_once(
                "Embedding.input_length",
                "Embedding(input_length=...) "
                "is deprecated; use an Input(shape=(length,)) instead.",
            )
        super().__init__(**kwargs)
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
            raise ArgumentError(
                f"Layer '{self.name}': Embedding indices must be in [0, "
                f"{self.input_dim}) (input_dim={self.input_dim}); the input holds an "
                "index outside that range."
            ) from err

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
                "quantization_config": None,
            }
        )
        return config
