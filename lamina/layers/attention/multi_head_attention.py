"""MultiHeadAttention: scaled dot-product attention over several heads."""

from __future__ import annotations

import math
import string

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


class MultiHeadAttention(BaseMultiHeadAttention):
    """Multi-head attention, as in "Attention is all you Need" (Vaswani et al.).

    The query, key and value are projected (`EinsumDense` sublayers ``query``,
    ``key``, ``value``) to ``num_heads`` heads; each head computes
    ``softmax(query . key / sqrt(key_dim)) . value`` over the attention axes;
    the heads are projected back (sublayer ``attention_output``) to the query's
    last size or to `output_shape`. With ``query is value`` this is
    self-attention.

    The weights and their order are Keras's: query kernel
    ``(dim, num_heads, key_dim)`` and bias ``(num_heads, key_dim)``, key, value
    (``value_dim``), then the output kernel ``(num_heads, value_dim, dim)`` and
    bias ``(dim,)``. On 3-D inputs the attention itself runs in torch's fused
    ``scaled_dot_product_attention`` unless scores are returned or dropped out
    with a mask present (Keras computes them explicitly then, and so does
    lamina, with the same numbers).

    Example:
        >>> layer = lamina.layers.MultiHeadAttention(num_heads=2, key_dim=8)
        >>> target = torch.zeros(4, 6, 16)
        >>> source = torch.zeros(4, 5, 16)
        >>> out, scores = layer(target, source, return_attention_scores=True)
        >>> tuple(out.shape), tuple(scores.shape)
        ((4, 6, 16), (4, 2, 6, 5))

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for the query and key.
        value_dim: size of each head for the value (``key_dim`` by default).
        dropout: dropout rate on the attention probabilities.
        use_bias: whether the projections have biases.
        output_shape: the output's shape besides the batch and attention axes
            (an int or tuple); the query's last size by default.
        attention_axes: the axes attention runs over (by default all axes but
            the batch, heads and features), e.g. ``(2, 3)`` for 2-D attention on
            ``(batch, x, y, features)`` inputs.
        sliding_window: if set, each query position attends only to key
            positions fewer than `sliding_window` steps away.
        flash_attention: accepted for Keras compatibility; lamina uses the fused
            kernel whenever it gives Keras's numbers. ``True`` forbids dropout
            and returning scores, as in Keras.
        kernel_initializer / bias_initializer: initializers of the projections.
        kernel_regularizer / bias_regularizer / activity_regularizer: penalties
            on the projections' weights and outputs.
        kernel_constraint / bias_constraint: constraints on the projections.
        use_gate: add a sigmoid gate projected from the query (sublayer
            ``gate``) that multiplies the heads' outputs.
        seed: int seed of the dropout.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        query: ``(B, T, dim)`` (or ``(B, ..., dim)`` with `attention_axes`).
        value: ``(B, S, dim_v)``.
        key: ``(B, S, dim_k)``; `value` by default.
        query_mask / value_mask / key_mask: boolean ``(B, T)`` / ``(B, S)``
            masks; taken from the inputs' Keras masks (``_keras_mask``) when not
            given.
        attention_mask: boolean mask broadcastable to ``(B, T, S)``; True
            positions may be attended to.
        return_attention_scores: also return the attention probabilities
            ``(B, num_heads, T, S)``.
        training: whether dropout is active.
        use_causal_mask: forbid position i to attend to positions j > i.

    Output shape:
        ``(B, T, dim)``, or ``(B, T, *output_shape)``; the output carries the
        query's mask.
    """

    @keras_signature(BaseMultiHeadAttention, after="use_bias")
    def __init__(
        self,
        num_heads,
        key_dim,
        value_dim=None,
        *,
        output_shape=None,
        attention_axes=None,
        **kwargs,
    ):
        # Keras 2 configs carry the input shapes, to build at once on loading.
        keras_2_shapes = [
            kwargs.pop(k, None) for k in ("query_shape", "value_shape", "key_shape")
        ]
        validate_positive_int("MultiHeadAttention", "num_heads", num_heads)
        validate_positive_int("MultiHeadAttention", "key_dim", key_dim)
        validate_positive_int("MultiHeadAttention", "value_dim", value_dim, True)
        super().__init__(**kwargs)
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim or key_dim
        self._output_shape = _standardize_output_shape(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes is not None:
            if not isinstance(attention_axes, (list, tuple)) or not all(
                isinstance(a, int) and not isinstance(a, bool) for a in attention_axes
            ):
                raise ArgumentError(
                    "MultiHeadAttention: `attention_axes` must be an int, list, or "
                    f"tuple of ints. Received: attention_axes={attention_axes!r}"
                )
            attention_axes = tuple(attention_axes)
        self._attention_axes = attention_axes
        self._scale = 1.0 / math.sqrt(float(key_dim))
        if keras_2_shapes[0] is not None and keras_2_shapes[1] is not None:
            self.build(*keras_2_shapes)

    _output_carries_query_mask = True

    # Keras's read-only attributes (`output_shape` stays the graph property).
    num_heads = read_only("_num_heads")
    key_dim = read_only("_key_dim")
    value_dim = read_only("_value_dim")
    attention_axes = read_only("_attention_axes")

    # The projections are registered under Keras's public property names,
    # which are also the names Keras's `.keras` files store them under.
    _query_dense = read_only("query_dense")
    _key_dense = read_only("key_dense")
    _value_dense = read_only("value_dense")
    _output_dense = read_only("output_dense")

    # ------------------------------------------------------------------ building
    def _check_shapes(self, query_shape, value_shape, key_shape) -> None:
        name = f"Layer '{self.name}' (MultiHeadAttention)"
        shapes = (query_shape, value_shape, key_shape)
        for label, shape in zip(("query", "value", "key"), shapes):
            if len(shape) < 3:
                raise ShapeError(
                    f"{name} expects a `{label}` of rank 3 or more (batch, ..., "
                    f"features), received shape {shape}."
                )
            if shape[-1] is None:
                raise ShapeError(
                    f"{name}: the last dimension of `{label}` must be known, "
                    f"received shape {shape}."
                )
        if len(value_shape) != len(query_shape):
            raise ShapeError(
                f"{name}: `query` and `value` must have the same rank. Received: "
                f"query_shape={query_shape} and value_shape={value_shape}"
            )
        check_value_and_key(name, value_shape, key_shape)
        rank = len(query_shape)
        axes = self._attention_axes
        if axes is not None:
            normalized = tuple(a if a >= 0 else rank + a for a in axes)
            if any(not 1 <= a <= rank - 2 for a in normalized) or len(
                set(normalized)
            ) != len(normalized):
                raise ArgumentError(
                    f"{name}: `attention_axes` must be distinct axes of the query "
                    f"other than the batch (0) and feature (-1) axes; received "
                    f"attention_axes={axes} for query shape {query_shape}."
                )
        else:
            normalized = tuple(range(1, rank - 1))
        for i in range(rank - 1):
            q, v = query_shape[i], value_shape[i]
            if i not in normalized and q is not None and v is not None and q != v:
                raise ShapeError(
                    f"{name}: `query` and `value` must agree on the non-attention "
                    f"axis {i}. Received: query_shape={query_shape} and "
                    f"value_shape={value_shape}"
                )

    def _make_sublayers(self, query_shape, value_shape, key_shape) -> None:
        rank = len(query_shape)
        heads_q = [self._num_heads, self._key_dim]
        heads_v = [self._num_heads, self._value_dim]
        bias = self._use_bias
        self.query_dense = _projection(
            rank, heads_q, bias, "query", self._sublayer_kwargs()
        )
        self.query_dense.build(query_shape)
        self.key_dense = _projection(
            rank, heads_q, bias, "key", self._sublayer_kwargs()
        )
        self.key_dense.build(key_shape)
        if self._use_gate:
            self._gate_dense = _projection(
                rank, heads_v, bias, "gate", self._sublayer_kwargs(), "sigmoid"
            )
            self._gate_dense.build(query_shape)
        self.value_dense = _projection(
            rank, heads_v, bias, "value", self._sublayer_kwargs()
        )
        self.value_dense.build(value_shape)

        # Attention over the projections (B, ..., N, H), of rank `rank + 1`.
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 1))
        else:
            self._attention_axes = tuple(
                a if a >= 0 else rank + a for a in self._attention_axes
            )
        self._dot_product_equation, self._combine_equation, scores_rank = (
            _attention_equations(rank + 1, self._attention_axes)
        )
        n = len(self._attention_axes)
        self._softmax = Softmax(
            axis=tuple(range(scores_rank - n, scores_rank)), dtype=self.dtype_policy
        )
        self._dropout_layer = Dropout(
            rate=self._dropout, seed=self.seed, dtype=self.dtype
        )

        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes = _projection_equation(rank - 1, 2, len(output_shape))
        self.output_dense = EinsumDense(
            equation,
            output_shape=[None] * (rank - 2) + list(output_shape),
            bias_axes=bias_axes if bias else None,
            name="attention_output",
            **self._sublayer_kwargs(),
        )
        self.output_dense.build((*query_shape[:-1], self._num_heads, self._value_dim))

    # ------------------------------------------------------------------ calling
    def _explicit_attention(self, query, key, value, mask, training):
        scores = torch.einsum(self._dot_product_equation, key, query * self._scale)
        return self._combine(
            scores,
            value,
            mask,
            len(self._attention_axes),
            self._combine_equation,
            training,
        )

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        shape = super().compute_output_shape(query_shape, value_shape, key_shape)
        if self._output_shape:
            return shape[:-1] + self._output_shape
        return shape

    def _scores_shape(self, query_shape, value_shape, key_shape) -> tuple:
        rank = len(query_shape) + 1
        q = (*query_shape[:-1], self._num_heads)
        batch_axes = [i for i in range(rank - 1) if i not in self._attention_axes]
        return tuple(
            [q[i] for i in batch_axes]
            + [query_shape[i] for i in self._attention_axes]
            + [value_shape[i] for i in self._attention_axes]
        )

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
            }
        )
        config.update(self._common_config())
        return config


def _standardize_output_shape(output_shape):
    if not output_shape:
        return None
    if isinstance(output_shape, int) and not isinstance(output_shape, bool):
        output_shape = (output_shape,)
    try:
        output_shape = tuple(output_shape)
    except TypeError:
        output_shape = None
    if output_shape is None or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in output_shape
    ):
        raise ArgumentError(
            "MultiHeadAttention: `output_shape` must be a positive int or a tuple or "
            f"list of positive ints. Received: output_shape={output_shape!r}"
        )
    return output_shape


def _projection_equation(free_dims: int, bound_dims: int, output_dims: int):
    """``"abc,cde->abde"``-style equation (and bias axes) of a projection: the
    input's free axes pass through, its bound axes are contracted with the
    kernel, which adds the output axes."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims : free_dims + bound_dims]
    out = letters[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _projection(rank, heads, use_bias, name, kwargs, activation=None):
    equation, bias_axes = _projection_equation(rank - 1, 1, 2)
    return EinsumDense(
        equation,
        output_shape=[None] * (rank - 2) + list(heads),
        bias_axes=bias_axes if use_bias else None,
        activation=activation,
        name=name,
        **kwargs,
    )


def _attention_equations(rank: int, attention_axes: tuple):
    """Einsum equations of the key . query product and of the combination.

    The projections are ``(B, <other axes>, <attention axes>, N, H)``; the
    scores are ``(<batch axes incl. heads>, <query attention axes>,
    <key attention axes>)``.
    """
    letters = string.ascii_lowercase
    target = letters[:rank]
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    source = list(target)
    for n, axis in enumerate(attention_axes):
        source[axis] = letters[rank + n]
    source = "".join(source)
    product = (
        "".join(target[i] for i in batch_axes)
        + "".join(target[i] for i in attention_axes)
        + "".join(source[i] for i in attention_axes)
    )
    return (
        f"{source},{target}->{product}",
        f"{product},{source}->{target}",
        len(product),
    )
