"""ReversibleEmbedding: an embedding that can also project back to the vocabulary."""

from __future__ import annotations

import torch

from lamina.backend.keras_tensor import KerasTensor
from lamina.layers.core.embedding import Embedding


class ReversibleEmbedding(Embedding):
    """An `Embedding` that, called with ``reverse=True``, maps vectors to logits.

    The reverse projection multiplies by the transposed embedding table (tied
    weights, the default) or by a separate ``reverse_embeddings`` weight of
    shape ``(output_dim, input_dim)``. No bias.

    Example:
        >>> layer = lamina.layers.ReversibleEmbedding(100, 32)
        >>> hidden = layer(torch.randint(0, 100, (16, 50)))
        >>> layer(hidden, reverse=True).shape
        torch.Size([16, 50, 100])

    Args:
        input_dim: vocabulary size.
        output_dim: size of each vector.
        tie_weights: whether the reverse projection reuses the embedding table.
        embeddings_initializer / embeddings_regularizer / embeddings_constraint /
            mask_zero: as in `Embedding`.
        reverse_dtype: dtype of the reverse product (the layer's by default).
        logit_soft_cap: if set, reverse logits become
            ``tanh(logits / cap) * cap``.
        **kwargs: other `Embedding` arguments.

    Call arguments:
        inputs: indices, or vectors ``(..., output_dim)`` when reversing.
        reverse: project vectors back to ``input_dim`` logits.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        tie_weights: bool = True,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero: bool = False,
        reverse_dtype=None,
        logit_soft_cap=None,
        **kwargs,
    ):
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = tie_weights
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim),
                name="reverse_embeddings",
                initializer=self.embeddings_initializer,
            )

    def call(self, inputs, reverse: bool = False):
        if not reverse:
            return super().call(inputs)
        kernel = self.embeddings.t() if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            from lamina import backend

            dtype = backend.to_torch_dtype(self.reverse_dtype)
            inputs, kernel = inputs.to(dtype), kernel.to(dtype)
        logits = torch.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = torch.tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        # Reverse calls take vectors, not indices: only forward calls mask.
        if not self.mask_zero or inputs.is_floating_point():
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape, reverse: bool = False):
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return (*tuple(input_shape), self.output_dim)

    def compute_output_spec(self, inputs, reverse: bool = False, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse), self.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap,
            }
        )
        return config
