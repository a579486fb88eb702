"""GroupQueryAttention: attention whose query heads share fewer key/value heads."""

from __future__ import annotations

import math

import torch

from lamina.errors import ArgumentError, ShapeError
from lamina.layers.activations.softmax import Softmax
from lamina.layers.attention.base_multi_head_attention import (
    BaseMultiHeadAttention,
    check_value_and_key,
    read_only,
    validate_positive_int,
)
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.regularization.dropout import Dropout
from lamina.signatures import keras_signature


class GroupedQueryAttention(BaseMultiHeadAttention):
    """Grouped-query attention (Ainslie et al., 2023).

    The query is projected to `num_query_heads` heads and the key and value to
    `num_key_value_heads` heads; each key/value head serves a group of
    ``num_query_heads // num_key_value_heads`` consecutive query heads. One
    key/value head is multi-query attention; as many as query heads is
    multi-head attention.

    Keras 3 exports this class as ``keras.layers.GroupQueryAttention`` while
    its Python class (hence default layer names and summaries) is
    ``GroupedQueryAttention``; lamina offers both names and, as Keras, writes
    ``"class_name": "GroupQueryAttention"`` in configs.

    The weights and their order are Keras's: query kernel
    ``(dim, num_query_heads, head_dim)`` and bias, key and value kernels
    ``(dim, num_key_value_heads, head_dim)`` and biases, then the output
    kernel ``(num_query_heads, head_dim, dim)`` and bias ``(dim,)``. Torch's
    fused ``scaled_dot_product_attention`` (with ``enable_gqa``, so the
    key/value heads are never copied) runs unless scores are returned or
    dropped out with a mask present.

    Example:
        >>> layer = lamina.layers.GroupQueryAttention(
        ...     head_dim=8, num_query_heads=4, num_key_value_heads=2)
        >>> layer(torch.zeros(2, 6, 16), torch.zeros(2, 5, 16)).shape
        torch.Size([2, 6, 16])

    Args:
        head_dim: size of each attention head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key and value heads; must divide
            `num_query_heads`.
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        sliding_window: if set, each query position attends only to key
            positions fewer than `sliding_window` steps away.
        flash_attention: accepted for Keras compatibility (see
            `MultiHeadAttention`).
        kernel_initializer / bias_initializer: initializers of the projections.
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties
            on the projections' weights and outputs.
        kernel_constraint / bias_constraint: constraints on the projections.
        use_gate: add a sigmoid gate projected from the query (sublayer
            ``gate``) that multiplies the heads' outputs.
        seed: int seed of the dropout.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        query: ``(B, T, dim)``.
        value: ``(B, S, dim)``.
        key: ``(B, S, dim)``; `value` by default.
        query_mask / value_mask / key_mask: boolean ``(B, T)`` / ``(B, S)``
            masks; taken from the inputs' Keras masks when not given.
        attention_mask: boolean mask broadcastable to ``(B, T, S)``.
        return_attention_scores: also return the attention probabilities
            ``(B, num_query_heads, T, S)``.
        training: whether dropout is active.
        use_causal_mask: forbid position i to attend to positions j > i.

    Output shape:
        ``(B, T, dim)``, carrying the query's mask.
    """

    @keras_signature(BaseMultiHeadAttention)
    def __init__(self, head_dim, num_query_heads, num_key_value_heads, **kwargs):
        cls = "GroupQueryAttention"
        validate_positive_int(cls, "head_dim", head_dim)
        validate_positive_int(cls, "num_query_heads", num_query_heads)
        validate_positive_int(cls, "num_key_value_heads", num_key_value_heads)
        if num_query_heads % num_key_value_heads != 0:
            raise ArgumentError(
                f"{cls}: `num_query_heads` must be divisible by "
                f"`num_key_value_heads`. Received: num_query_heads="
                f"{num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        super().__init__(**kwargs)
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        # Keras's GroupedQueryAttention also regularizes its own outputs (its
        # sublayers' outputs too), unlike MultiHeadAttention.
        self.activity_regularizer = self._activity_regularizer
        self._scale = 1.0 / math.sqrt(float(head_dim))

    # Keras's public attribute names.
    use_gate = read_only("_use_gate")
    sliding_window = read_only("_sliding_window")
    kernel_initializer = read_only("_kernel_initializer")
    bias_initializer = read_only("_bias_initializer")

    # ------------------------------------------------------------------ building
    def _check_shapes(self, query_shape, value_shape, key_shape) -> None:
        name = f"Layer '{self.name}' (GroupQueryAttention)"
        shapes = (query_shape, value_shape, key_shape)
        for label, shape in zip(("query", "value", "key"), shapes):
            if len(shape) != 3 or shape[-1] is None:
                raise ShapeError(
                    f"{name} expects a 3-D `{label}` (batch, sequence, features) "
                    f"with a known feature size, received shape {shape}."
                )
        if query_shape[-1] != value_shape[-1]:
            raise ShapeError(
                f"{name}: the last dimension of `query_shape` and `value_shape` "
                f"must be equal, but are {query_shape[-1]}, {value_shape[-1]}. "
                f"Received: query_shape={query_shape}, value_shape={value_shape}"
            )
        check_value_and_key(name, value_shape, key_shape)

    def _make_sublayers(self, query_shape, value_shape, key_shape) -> None:
        def projection(equation, heads, bias_axes, name, activation=None):
            return EinsumDense(
                equation,
                output_shape=(None, heads, self.head_dim),
                bias_axes=bias_axes if self._use_bias else None,
                activation=activation,
                name=name,
                **self._sublayer_kwargs(),
            )

        self.feature_dim = query_shape[-1]
        self._query_dense = projection(
            "bqm,muh->bquh", self.num_query_heads, "uh", "query"
        )
        self._query_dense.build(query_shape)
        self._key_dense = projection(
            "bkm,mvh->bkvh", self.num_key_value_heads, "vh", "key"
        )
        self._key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = projection(
                "bqm,muh->bquh", self.num_query_heads, "uh", "gate", "sigmoid"
            )
            self._gate_dense.build(query_shape)
        self._value_dense = projection(
            "bkm,mvh->bkvh", self.num_key_value_heads, "vh", "value"
        )
        self._value_dense.build(value_shape)
        self._softmax = Softmax(axis=-1, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(
            rate=self._dropout, seed=self.seed, dtype=self.dtype_policy
        )
        self._output_dense = EinsumDense(
            "bquh,uhm->bqm",
            output_shape=(None, self.feature_dim),
            bias_axes="m" if self._use_bias else None,
            name="attention_output",
            **self._sublayer_kwargs(),
        )
        self._output_dense.build((None, None, self.num_query_heads, self.head_dim))

    # ------------------------------------------------------------------ calling
    def _explicit_attention(self, query, key, value, mask, training):
        if self.num_repeats > 1:
            key = key.repeat_interleave(self.num_repeats, dim=2)
            value = value.repeat_interleave(self.num_repeats, dim=2)
        scores = torch.einsum("bquh,bkuh->buqk", query * self._scale, key)
        return self._combine(scores, value, mask, 1, "buqk,bkuh->bquh", training)

    # ------------------------------------------------------------------ shapes
    def _scores_shape(self, query_shape, value_shape, key_shape) -> tuple:
        source = value_shape if key_shape is None else key_shape
        return (query_shape[0], self.num_query_heads, query_shape[1], source[1])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads,
            }
        )
        config.update(self._common_config())
        return config

    def _serialization_extras(self) -> dict:
        # Keras serializes the class under its exported name.
        return {"class_name": "GroupQueryAttention"}


# The name Keras 3 exports.
GroupQueryAttention = GroupedQueryAttention
