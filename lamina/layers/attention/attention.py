"""Attention: dot-product (Luong-style) attention over a query and a value."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, ShapeError, warn_deprecated_once
from lamina.layers.layer import Layer
from lamina.layers.regularization.dropout import scaled_keep_mask
from lamina.random.seed_generator import layer_generator


class Attention(Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Called on ``[query, value]`` or ``[query, value, key]`` (the key is the
    value when not given): the scores ``query . key`` of shape
    ``(batch, Tq, Tv)`` go through a softmax over ``Tv``, whose weights
    combine the values into ``(batch, Tq, dim_v)``.

    In ``"dot"`` mode the computation runs in torch's fused
    ``scaled_dot_product_attention`` unless the scores are returned or
    dropped out with a seed; the numbers are Keras's either way.

    Example:
        >>> layer = lamina.layers.Attention()
        >>> query, value = torch.zeros(2, 3, 4), torch.zeros(2, 5, 4)
        >>> layer([query, value]).shape
        torch.Size([2, 3, 4])

    Args:
        use_scale: if True, a trainable scalar ``scale`` multiplies the scores.
        score_mode: ``"dot"`` (``query . key``) or ``"concat"``
            (``concat_score_weight * sum(tanh(scale * (query + key)))``).
        dropout: fraction of the attention weights to drop in training.
        seed: int seed of the dropout.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: ``[query (B, Tq, dim), value (B, Tv, dim_v)]`` and optionally a
            ``key (B, Tv, dim)``.
        mask: ``[query_mask (B, Tq), value_mask (B, Tv)]``; taken from the
            inputs' Keras masks when not given. Output rows of masked query
            positions are zero; masked value positions get no weight.
        training: whether dropout is active.
        return_attention_scores: also return the weights ``(B, Tq, Tv)``
            (after masking and softmax).
        use_causal_mask: forbid query position i to attend to positions j > i.

    Output shape:
        ``(B, Tq, dim_v)``, and the weights ``(B, Tq, Tv)`` if asked for; the
        output carries the query's mask.
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout=0.0,
        seed=None,
        **kwargs,
    ):
        # Keras 2 (TF 2.4-2.9) took `causal` at construction and saved it in
        # configs; Keras 3 takes `use_causal_mask` at call time.
        causal = bool(kwargs.pop("causal", False))
        if causal:
            warn_deprecated_once(
                "Attention.causal",
                f"{type(self).__name__}(causal=True) is deprecated; pass "
                "use_causal_mask=True when calling the layer.",
            )
        super().__init__(**kwargs)
        self._causal = causal
        cls = type(self).__name__
        if score_mode not in ("dot", "concat"):
            raise ArgumentError(
                f"{cls}: invalid value for argument score_mode. Expected one of "
                f"{{'dot', 'concat'}}. Received: score_mode={score_mode!r}"
            )
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0 <= dropout < 1
        ):
            raise ArgumentError(
                f"{cls}: invalid value for argument `dropout`, expected a float in "
                f"[0, 1). Received: dropout={dropout!r}"
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True
        self._generator = None

    def build(self, input_shape) -> None:
        self._check_shapes(input_shape)
        # add_weight before the attribute exists, so the torch parameter is
        # registered as "scale", not "scale_1".
        self.scale = (
            self.add_weight(name="scale", shape=(), initializer="ones")
            if self.use_scale
            else None
        )
        self.concat_score_weight = (
            self.add_weight(name="concat_score_weight", shape=(), initializer="ones")
            if self.score_mode == "concat"
            else None
        )
        self.built = True

    def _check_shapes(self, input_shape) -> None:
        cls = type(self).__name__
        where = f"Layer '{self.name}' ({cls})"
        if not isinstance(input_shape, list) or not all(
            isinstance(s, (tuple, list)) for s in input_shape
        ):
            raise ArgumentError(
                f"{where} must be called on a list of inputs, namely [query, value] "
                f"or [query, value, key]. Received an input of shape {input_shape}."
            )
        if not 2 <= len(input_shape) <= 3:
            raise ArgumentError(
                f"{where} accepts a list of 2 or 3 inputs, namely [query, value] or "
                f"[query, value, key]. Received {len(input_shape)} inputs."
            )
        query, value = tuple(input_shape[0]), tuple(input_shape[1])
        key = tuple(input_shape[2]) if len(input_shape) == 3 else value
        for label, shape in (("query", query), ("value", value), ("key", key)):
            if len(shape) < 3 or len(shape) != len(query):
                raise ShapeError(
                    f"{where} expects query, value and key of the same rank, 3 or "
                    f"more (batch, steps, features); received {label} shape {shape} "
                    f"(query shape {query})."
                )
        if query[-1] is not None and key[-1] is not None and query[-1] != key[-1]:
            raise ShapeError(
                f"{where}: the last dimension of the query ({query[-1]}) must equal "
                f"that of the {'key' if len(input_shape) == 3 else 'value'} "
                f"({key[-1]}). Received: query shape {query}, key shape {key}."
            )
        if value[-2] is not None and key[-2] is not None and value[-2] != key[-2]:
            raise ShapeError(
                f"{where}: the value and the key must have the same number of steps. "
                f"Received: value shape {value}, key shape {key}."
            )

    # ------------------------------------------------------------------ scores
    def _fusable(self) -> bool:
        """Whether the scores are a scaled dot product (so SDPA computes them)."""
        return self.score_mode == "dot"

    def _calculate_scores(self, query, key):
        """The ``(B, Tq, Tv)`` attention scores."""
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores if self.scale is None else scores * self.scale
        # concat: (B, Tq, 1, dim) + (B, 1, Tv, dim), summed over dim.
        pairs = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * torch.tanh(pairs).sum(-1)

    def _score_mask(self, scores_shape, value_mask, use_causal_mask, device):
        """Boolean ``(B, 1, Tv)`` / ``(B|1, Tq, Tv)`` mask of allowed scores."""
        mask = None
        if value_mask is not None:
            mask = torch.as_tensor(value_mask, device=device)
            mask = (mask if mask.dtype == torch.bool else mask != 0).unsqueeze(-2)
        if use_causal_mask:
            causal = torch.ones(
                scores_shape[-2], scores_shape[-1], dtype=torch.bool, device=device
            ).tril()
            mask = causal.unsqueeze(0) if mask is None else mask & causal
        return mask

    def _drop(self, weights: torch.Tensor) -> torch.Tensor:
        generator = layer_generator(self, weights.device)
        return weights * scaled_keep_mask(
            weights.shape, self.dropout, weights, generator
        )

    # ------------------------------------------------------------------ calling
    def call(
        self,
        inputs,
        mask=None,
        training=None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ):
        self._check_call(inputs, mask)
        use_causal_mask = use_causal_mask or self._causal
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        # Keras subtracts this from masked scores (65504 is float16's maximum).
        big = 65504.0 if query.dtype == torch.float16 else 1.0e9
        drop = bool(training) and self.dropout > 0
        scores_shape = (*query.shape[:-1], key.shape[-2])
        score_mask = self._score_mask(
            scores_shape, value_mask, use_causal_mask, query.device
        )
        if (
            self._fusable()
            and not return_attention_scores
            and (not drop or self.seed is None)
        ):
            bias = None
            if score_mask is not None:
                bias = torch.zeros(
                    score_mask.shape, dtype=query.dtype, device=query.device
                ).masked_fill_(~score_mask, -big)
            if self.scale is not None:
                query = query * self.scale
            output = F.scaled_dot_product_attention(
                query,
                key,
                value,
                attn_mask=bias,
                dropout_p=self.dropout if drop else 0.0,
                scale=1.0,
            )
            weights = None
        else:
            scores = self._calculate_scores(query, key)
            if score_mask is not None:
                scores = torch.where(score_mask, scores, scores - big)
            weights = torch.softmax(scores, dim=-1)
            output = torch.matmul(self._drop(weights) if drop else weights, value)
        if query_mask is not None:
            query_mask = torch.as_tensor(query_mask, device=output.device)
            if query_mask.dtype != torch.bool:
                query_mask = query_mask != 0
            output = torch.where(query_mask.unsqueeze(-1), output, 0.0)
        if return_attention_scores:
            return output, weights
        return output

    def _check_call(self, inputs, mask) -> None:
        where = f"Layer '{self.name}' ({type(self).__name__})"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ArgumentError(
                f"{where} must be called on a list of 2 or 3 inputs, namely "
                f"[query, value] or [query, value, key]. Received: {type(inputs)}"
            )
        if mask is not None and (
            not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3
        ):
            raise ArgumentError(
                f"{where}: `mask` must be a list of 2 or 3 masks, namely "
                f"[query_mask, value_mask]. Received: mask={mask!r}"
            )

    def compute_mask(self, inputs, mask=None):
        if mask is None or mask[0] is None:
            return None
        return torch.as_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        query_shape, value_shape = input_shape[0], input_shape[1]
        return (*tuple(query_shape)[:-1], tuple(value_shape)[-1])

    def compute_output_spec(
        self,
        inputs,
        mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        self._check_call(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(
            self.compute_output_shape([query.shape, value.shape]), self.compute_dtype
        )
        if not return_attention_scores:
            return output
        return output, KerasTensor(
            (*query.shape[:-1], key.shape[-2]), self.compute_dtype
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "use_scale": self.use_scale,
                "score_mode": self.score_mode,
                "dropout": self.dropout,
                "seed": self.seed,
            }
        )
        return config
