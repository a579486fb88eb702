"""What MultiHeadAttention and GroupQueryAttention share: building from several
input shapes, the Keras rules that merge masks, and the fused attention kernel."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import constraints, initializers, regularizers
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object

# Keras's torch backend turns a boolean mask into this additive bias for
# `scaled_dot_product_attention`; a fully masked row then averages the values
# (where -inf would give NaN), and lamina must give the same numbers.
_FUSED_MASK_VALUE = {torch.float16: -0.7 * 65500.0}
_FUSED_MASK_DEFAULT = -0.7 * 3.38953e38


def read_only(attribute: str) -> property:
    """A read-only public attribute that reads ``attribute``, as Keras's
    attention layers expose their arguments and sublayers."""
    return property(lambda self: getattr(self, attribute))


class BaseMultiHeadAttention(Layer):
    """Base class of the multi-head attention layers (not exported).

    A subclass sets ``_scale`` (the scores' factor) in ``__init__`` and
    defines ``_check_shapes`` and ``_make_sublayers`` (called by `build` with
    all three input shapes; they make the ``_query_dense``, ``_key_dense``,
    ``_value_dense``, ``_output_dense`` and optional ``_gate_dense``
    projections), ``_explicit_attention`` and ``_scores_shape``; `call` is
    shared. lamina's `Layer` builds a layer from its first input only, so
    `build` without a ``value_shape`` does nothing and the weights are made at
    the first call, which sees the query, value and key together
    (``_build_from_inputs``).

    This constructor's arguments are those the subclasses share, in Keras's
    order and with Keras's defaults; a subclass names only its own and takes
    these through `keras_signature`.
    """

    def __init__(
        self,
        dropout=0.0,
        use_bias: bool = True,
        sliding_window=None,
        flash_attention=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        use_gate: bool = False,
        seed=None,
        **kwargs,
    ):
        # As in Keras, the activity regularizer goes to the projection
        # sublayers, not to this layer's own outputs.
        super().__init__(**kwargs)
        cls = type(self).__name__
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, (int, float))
            or not 0 <= dropout < 1
        ):
            raise ArgumentError(
                f"{cls}: invalid value for argument `dropout`, expected a float in "
                f"[0, 1). Received: dropout={dropout!r}"
            )
        if sliding_window is not None and (
            not isinstance(sliding_window, int)
            or isinstance(sliding_window, bool)
            or sliding_window <= 0
        ):
            raise ArgumentError(
                f"{cls}: `sliding_window` must be `None` or a positive integer. "
                f"Received: sliding_window={sliding_window!r}"
            )
        if flash_attention and dropout > 0:
            raise ArgumentError(
                f"{cls}: dropout is not supported when flash attention is enabled. "
                "Set dropout to 0.0 to use flash attention."
            )
        self.supports_masking = True
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._sliding_window = sliding_window
        self._flash_attention = flash_attention
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._shapes_dict = None

    # Keras's public attribute names.
    dropout = read_only("_dropout")
    use_bias = read_only("_use_bias")

    # ------------------------------------------------------------------ building
    def build(self, query_shape, value_shape=None, key_shape=None) -> None:
        """Create the projection sublayers from the query, value and key shapes."""
        if value_shape is None:
            return  # see the class docstring: built at the first call
        query_shape = tuple(query_shape)
        value_shape = tuple(value_shape)
        key_shape = None if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape or value_shape)
        self._make_sublayers(query_shape, value_shape, key_shape or value_shape)
        self._shapes_dict = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not None:
            self._shapes_dict["key_shape"] = key_shape
        self.built = True

    def _build_from_inputs(self, query, value, key) -> None:
        self.build(query.shape, value.shape, None if key is None else key.shape)

    def get_build_config(self) -> dict | None:
        if self._shapes_dict is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._shapes_dict.items()}}

    def build_from_config(self, config: dict) -> None:
        shapes = config.get("shapes_dict")
        if shapes is None:
            return super().build_from_config(config)
        if self._shapes_dict is None:
            self.build(**{k: tuple(v) for k, v in shapes.items()})

    def _sublayer_kwargs(self) -> dict:
        def fresh(init):
            # A new initializer per sublayer, as Keras: one instance drawing for
            # several kernels is not what a user who passed one object meant.
            return init.clone() if hasattr(init, "clone") else init

        return {
            "kernel_initializer": fresh(self._kernel_initializer),
            "bias_initializer": fresh(self._bias_initializer),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype_policy,
        }

    def _common_config(self) -> dict:
        return {
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            "kernel_initializer": serialize_keras_object(self._kernel_initializer),
            "bias_initializer": serialize_keras_object(self._bias_initializer),
            "kernel_regularizer": serialize_keras_object(self._kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self._bias_regularizer),
            "activity_regularizer": serialize_keras_object(self._activity_regularizer),
            "kernel_constraint": serialize_keras_object(self._kernel_constraint),
            "bias_constraint": serialize_keras_object(self._bias_constraint),
            "seed": self.seed,
        }

    # ------------------------------------------------------------------ calling
    # Keras's MultiHeadAttention marks its output with the query's mask itself;
    # its GroupedQueryAttention leaves that to the base layer.
    _output_carries_query_mask = False

    def call(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores: bool = False,
        training=None,
        use_causal_mask: bool = False,
    ):
        # Read the Keras masks before any dtype conversion drops them.
        if query_mask is None:
            query_mask = getattr(query, "_keras_mask", None)
        if value_mask is None:
            value_mask = getattr(value, "_keras_mask", None)
        if key is not None and key_mask is None:
            key_mask = getattr(key, "_keras_mask", None)
        value = self._as_input(value)
        key = None if key is None else self._as_input(key)
        if self._shapes_dict is None:
            self._build_from_inputs(query, value, key)
        if key is None:
            key = value

        mask = self._attention_mask(
            query, value, query_mask, value_mask, key_mask, attention_mask
        )
        if self._use_gate:
            gate = self._gate_dense(query)
        out, scores = self._attend(
            self._query_dense(query),
            self._key_dense(key),
            self._value_dense(value),
            mask,
            use_causal_mask,
            training,
            return_attention_scores,
        )
        if self._use_gate:
            out = out * gate
        out = self._output_dense(out)
        if self._output_carries_query_mask and query_mask is not None:
            out._keras_mask = query_mask
        if return_attention_scores:
            return out, scores
        return out

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape

    def compute_output_spec(
        self,
        query,
        value,
        key=None,
        query_mask=None,
        value_mask=None,
        key_mask=None,
        attention_mask=None,
        return_attention_scores=False,
        training=None,
        use_causal_mask=False,
    ):
        from lamina.backend.keras_tensor import KerasTensor

        key_shape = None if key is None else tuple(key.shape)
        if self._shapes_dict is None:
            self.build(tuple(query.shape), tuple(value.shape), key_shape)
        output = KerasTensor(
            self.compute_output_shape(query.shape, value.shape, key_shape),
            self.compute_dtype,
        )
        if not return_attention_scores:
            return output
        scores = self._scores_shape(tuple(query.shape), tuple(value.shape), key_shape)
        return output, KerasTensor(scores, self.compute_dtype)

    # ------------------------------------------------------------------ inputs
    def _as_input(self, x) -> torch.Tensor:
        """The value or key as a tensor of the layer's dtype (the base layer
        converts only the first argument, the query)."""
        if isinstance(x, torch.Tensor):
            if (
                self.autocast
                and x.is_floating_point()
                and x.dtype != self._compute_dtype
            ):
                return x.to(self._compute_dtype)
            return x
        return self._convert_inputs(x)

    def _attention_mask(
        self, query, value, query_mask, value_mask, key_mask, attention_mask
    ):
        """Keras's merged boolean mask, broadcastable to ``(B, T, S)``, or None.

        The query mask becomes ``(B, T, 1)``, the value and key masks
        ``(B, 1, S)``, the sliding-window mask ``(1, T, S)``; all are combined
        with ``attention_mask`` by logical AND. The causal mask is added by
        `_attend`, which can often leave it to the fused kernel.
        """
        mask = None

        def merge(current, new):
            return new if current is None else current & new

        if query_mask is not None:
            mask = merge(mask, _to_bool(query_mask, query.device).unsqueeze(-1))
        if value_mask is not None:
            mask = merge(mask, _to_bool(value_mask, query.device).unsqueeze(-2))
        if key_mask is not None:
            mask = merge(mask, _to_bool(key_mask, query.device).unsqueeze(-2))
        if self._sliding_window is not None:
            rows = torch.arange(query.shape[1], device=query.device).unsqueeze(-1)
            cols = torch.arange(value.shape[1], device=query.device)
            band = (rows - cols).abs() < self._sliding_window
            mask = merge(mask, band.unsqueeze(0))
        if attention_mask is not None:
            attention_mask = _to_bool(attention_mask, query.device)
            mask = attention_mask if mask is None else attention_mask & mask
        return mask

    def _attend(
        self,
        query,
        key,
        value,
        mask,
        use_causal_mask: bool,
        training,
        return_attention_scores: bool,
    ):
        """Attention on the ``(B, ..., N, H)`` projections: ``(output, scores)``,
        scores None when the fused kernel ran."""
        if self._flash_attention and return_attention_scores:
            raise ArgumentError(
                f"Layer '{self.name}': returning attention scores is not supported "
                "when flash attention is enabled. Disable flash attention to access "
                "attention scores."
            )
        if use_causal_mask and mask is not None:
            mask = mask & causal_mask(query.shape[1], key.shape[1], query.device)
        if self._use_fused(query, mask, training, return_attention_scores):
            out = self._fused_attention(
                query, key, value, mask, use_causal_mask, training
            )
            return out, None
        if use_causal_mask and mask is None:
            mask = causal_mask(query.shape[1], key.shape[1], query.device)
        return self._explicit_attention(query, key, value, mask, training)

    def _use_fused(self, query, mask, training, return_attention_scores) -> bool:
        """Whether `scaled_dot_product_attention` gives Keras's numbers here.

        Keras computes scores explicitly when they are returned or dropped out;
        its masked softmax zeroes a fully masked row where the fused kernel
        averages the values. Without a mask no row is fully masked, so the
        fused kernel (with its own dropout, unless a seed asks for
        reproducible draws) is used then too.
        """
        if return_attention_scores or query.dim() != 4:
            return False
        if self._dropout == 0:
            return True
        if mask is not None:
            return False
        return not training or self.seed is None

    def _fused_attention(
        self,
        query,
        key,
        value,
        mask,
        causal: bool,
        training,
    ) -> torch.Tensor:
        """Attention on ``(B, T, N, H)`` projections with torch's fused kernel;
        fewer key/value heads than query heads serve groups of query heads."""
        if mask is not None:
            while mask.dim() < 4:
                mask = mask.unsqueeze(-3)
            _check_mask_shape(
                self,
                mask,
                (query.shape[0], query.shape[2], query.shape[1], key.shape[1]),
            )
            fill = _FUSED_MASK_VALUE.get(query.dtype, _FUSED_MASK_DEFAULT)
            mask = torch.zeros(
                mask.shape, dtype=query.dtype, device=query.device
            ).masked_fill_(~mask, fill)
            causal = False
        dropout_p = self._dropout if training and self._dropout > 0 else 0.0
        out = F.scaled_dot_product_attention(
            query.transpose(1, 2),
            key.transpose(1, 2),
            value.transpose(1, 2),
            attn_mask=mask,
            dropout_p=dropout_p,
            is_causal=causal,
            scale=self._scale,
            enable_gqa=key.shape[2] != query.shape[2],
        )
        return out.transpose(1, 2)

    def _combine(
        self, scores, value, mask, num_attention_axes: int, equation: str, training
    ):
        """Keras's explicit attention from the raw ``scores``: their softmax
        over the attention axes, masked, dropped out and applied to ``value``
        with the einsum ``equation``; ``(output, probabilities)``."""
        if mask is not None:
            # The mask lacks the head axis (and any axes before it).
            axis = -2 * num_attention_axes - 1
            while mask.dim() < scores.dim():
                mask = mask.unsqueeze(axis)
            _check_mask_shape(self, mask, tuple(scores.shape))
        scores = self._softmax(scores, mask=mask)
        dropped = (
            self._dropout_layer(scores, training=training)
            if self._dropout > 0
            else scores
        )
        return torch.einsum(equation, dropped, value), scores


def _to_bool(mask, device) -> torch.Tensor:
    mask = torch.as_tensor(mask, device=device)
    return mask if mask.dtype == torch.bool else mask != 0


def causal_mask(query_length: int, value_length: int, device) -> torch.Tensor:
    """``(1, T, S)``: position i may attend to positions j <= i."""
    ones = torch.ones(query_length, value_length, dtype=torch.bool, device=device)
    return ones.tril().unsqueeze(0)


def _check_mask_shape(layer, mask: torch.Tensor, scores_shape: tuple) -> None:
    if mask.dim() > len(scores_shape) or any(
        m not in (1, s) for m, s in zip(mask.shape[::-1], scores_shape[::-1])
    ):
        raise ShapeError(
            f"Layer '{layer.name}': the attention mask (merged from "
            "`attention_mask`, the inputs' masks and the causal mask) of shape "
            f"{tuple(mask.shape)} cannot broadcast to the attention scores of "
            f"shape {tuple(scores_shape)} (batch, heads, query, key)."
        )


def check_value_and_key(name: str, value_shape: tuple, key_shape: tuple) -> None:
    """Keras's rule: ``value`` and ``key`` differ at most in their last axis."""
    if value_shape[1:-1] != key_shape[1:-1]:
        raise ShapeError(
            f"{name}: all dimensions of `value` and `key`, except the last one, "
            f"must be equal. Received: value_shape={value_shape} and "
            f"key_shape={key_shape}"
        )


def validate_positive_int(cls_name: str, name: str, value, allow_none=False):
    """Raise an ArgumentError unless ``value`` is a positive int (or None)."""
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        expected = "a positive integer" + (" or `None`" if allow_none else "")
        raise ArgumentError(
            f"{cls_name}: received an invalid value for argument `{name}`, "
            f"expected {expected}. Received: {name}={value!r}"
        )
