"""AdditiveAttention: Bahdanau-style attention, scores ``sum(scale * tanh(q + k))``."""

from __future__ import annotations

import torch

from lamina.layers.attention.attention import Attention


class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Called on ``[query, value]`` or ``[query, value, key]`` like `Attention`,
    but the scores are ``sum(scale * tanh(query + key), axis=-1)`` over every
    query/key pair, with a trainable ``scale`` vector of the feature size.
    This makes a ``(batch, Tq, Tv, dim)`` intermediate, as in Keras.

    Example:
        >>> layer = lamina.layers.AdditiveAttention()
        >>> query, value = torch.zeros(2, 3, 4), torch.zeros(2, 5, 4)
        >>> layer([query, value]).shape
        torch.Size([2, 3, 4])

    Args:
        use_scale: if True (the default), a trainable vector ``scale`` of shape
            ``(dim,)`` weights the features of ``tanh(query + key)``.
        dropout: fraction of the attention weights to drop in training.
        seed: int seed of the dropout.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs / mask / training / return_attention_scores / use_causal_mask:
            as for `Attention`.

    Output shape:
        ``(B, Tq, dim_v)``, and the weights ``(B, Tq, Tv)`` if asked for.
    """

    def __init__(self, use_scale: bool = True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        self.scale = (
            self.add_weight(
                name="scale",
                shape=(input_shape[0][-1],),
                initializer="glorot_uniform",
            )
            if self.use_scale
            else None
        )
        self.built = True

    def _fusable(self) -> bool:
        return False

    def _calculate_scores(self, query, key):
        # (B, Tq, 1, dim) + (B, 1, Tv, dim) -> (B, Tq, Tv, dim); the weighted sum
        # over dim is one matrix-vector product.
        pairs = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is None:
            return pairs.sum(-1)
        return torch.matmul(pairs, self.scale)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
