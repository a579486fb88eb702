"""Parity cases for ``ops.nn`` (see cases.py): activations, normalization,
crossentropies, convolution and pooling (1-D to 3-D, both data formats,
"same" padding with even and uneven pads), CTC and attention."""

from __future__ import annotations

from tests.ops.cases import Cases

CASES = Cases()
c = CASES

# fmt: off
# ------------------------------------------------------------ activations
for op in ("relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish",
           "gelu", "elu", "selu", "leaky_relu", "hard_sigmoid", "celu",
           "hard_silu", "hard_swish", "hard_tanh", "log_sigmoid", "tanh_shrink",
           "sparse_plus", "sparse_sigmoid", "hard_shrink", "soft_shrink",
           "squareplus", "softmax", "log_softmax", "sparsemax"):
    c(op, "f32", lambda o, t, op=op: getattr(o, op)(t.f * 3))
    c(op, "f16", lambda o, t, op=op: getattr(o, op)(t.f16 * 3), rtol=3e-3, atol=3e-3)
    c(op, "special", lambda o, t, op=op: getattr(o, op)(t.halves * 1.5))
for op in ("relu", "relu6", "hard_tanh"):
    c(op, "i32", lambda o, t, op=op: getattr(o, op)(t.i * 2))
c("gelu", "exact", lambda o, t: o.gelu(t.f, approximate=False))
c("elu", "alpha", lambda o, t: o.elu(t.f, alpha=0.5))
c("celu", "alpha", lambda o, t: o.celu(t.f, alpha=2.0))
c("leaky_relu", "slope", lambda o, t: o.leaky_relu(t.f, negative_slope=0.01))
c("hard_shrink", "threshold", lambda o, t: o.hard_shrink(t.f, threshold=1.0))
c("soft_shrink", "threshold", lambda o, t: o.soft_shrink(t.f, threshold=1.0))
c("squareplus", "b", lambda o, t: o.squareplus(t.f, b=1))
c("threshold", "f32", lambda o, t: o.threshold(t.f, 0.2, -1.0))
c("threshold", "i32", lambda o, t: o.threshold(t.i, 1, 0))
c("glu", "last", lambda o, t: o.glu(t.f))
c("glu", "axis0", lambda o, t: o.glu(t.cube, axis=0))
for op in ("softmax", "log_softmax", "sparsemax"):
    c(op, "axis0", lambda o, t, op=op: getattr(o, op)(t.f, axis=0))
    c(op, "cube", lambda o, t, op=op: getattr(o, op)(t.cube, axis=1))
for op in ("softmax", "log_softmax"):
    c(op, "axes", lambda o, t, op=op: getattr(o, op)(t.cube, axis=(0, 2)))
c("sparsemax", "ties", lambda o, t: o.sparsemax(o.zeros((2, 4))))
c("polar", "f32", lambda o, t: o.real(o.polar(t.pos, t.f)))
c("polar", "imag", lambda o, t: o.imag(o.polar(t.pos, t.f)))
c("polar", "dtype", lambda o, t: o.dtype(o.polar(t.pos, t.f)))
c("psnr", "f32", lambda o, t: o.psnr(t.probs, t.probs * 0.9, 1.0))
c("psnr", "max_val", lambda o, t: o.psnr(t.img, t.img + 0.01, 2.0))
c("psnr", "shapes", lambda o, t: o.psnr(t.f, t.v, 1.0))

# ---------------------------------------------------------- one-hot etc.
c("one_hot", "default", lambda o, t: o.one_hot(t.labels, 4))
c("one_hot", "axis0", lambda o, t: o.one_hot(t.i, 6, axis=0))
c("one_hot", "negative", lambda o, t: o.one_hot(t.iv, 5))
c("one_hot", "dtype", lambda o, t: o.one_hot(t.labels, 4, dtype="int32"))
c("one_hot", "sparse", lambda o, t: o.one_hot(t.labels, 4, sparse=True))
c("multi_hot", "rows", lambda o, t: o.multi_hot(o.abs(t.i), 6))
c("multi_hot", "vector", lambda o, t: o.multi_hot(t.labels, 5))
c("multi_hot", "num_tokens", lambda o, t: o.multi_hot(t.labels, num_tokens=5))
c("multi_hot", "dtype_axis", lambda o, t: o.multi_hot(o.abs(t.i), 6, axis=0, dtype="int32"))

# --------------------------------------------------------- crossentropies
c("binary_crossentropy", "probs", lambda o, t: o.binary_crossentropy(o.cast(t.c, "float32"), t.probs))
c("binary_crossentropy", "logits", lambda o, t: o.binary_crossentropy(o.cast(t.c, "float32"), t.f, from_logits=True))
c("binary_crossentropy", "saturated", lambda o, t: o.binary_crossentropy(o.cast(t.c, "float32"), o.cast(t.b, "float32")))
c("binary_crossentropy", "shapes", lambda o, t: o.binary_crossentropy(t.f, t.v))
c("categorical_crossentropy", "probs", lambda o, t: o.categorical_crossentropy(o.one_hot(t.labels, 4), t.probs))
c("categorical_crossentropy", "logits", lambda o, t: o.categorical_crossentropy(t.probs, t.f, from_logits=True))
c("categorical_crossentropy", "axis0", lambda o, t: o.categorical_crossentropy(t.probs, t.f, from_logits=True, axis=0))
c("categorical_crossentropy", "shapes", lambda o, t: o.categorical_crossentropy(t.f, t.v))
c("sparse_categorical_crossentropy", "probs", lambda o, t: o.sparse_categorical_crossentropy(t.labels, t.probs))
c("sparse_categorical_crossentropy", "logits", lambda o, t: o.sparse_categorical_crossentropy(t.labels, t.f, from_logits=True))
c("sparse_categorical_crossentropy", "column", lambda o, t: o.sparse_categorical_crossentropy(o.expand_dims(t.labels, -1), t.f, from_logits=True))
c("sparse_categorical_crossentropy", "seq", lambda o, t: o.sparse_categorical_crossentropy(o.zeros((2, 7), "int32"), t.seq, from_logits=True))

# ------------------------------------------------------------ statistics
c("moments", "axis0", lambda o, t: o.moments(t.f, axes=[0]))
c("moments", "keep", lambda o, t: o.moments(t.cube, axes=[0, 2], keepdims=True))
c("moments", "f16", lambda o, t: o.moments(t.f16, axes=[1]), rtol=3e-3, atol=3e-3)
c("normalize", "l2", lambda o, t: o.normalize(t.f))
c("normalize", "l1_axis0", lambda o, t: o.normalize(t.f, axis=0, order=1))
c("normalize", "l3", lambda o, t: o.normalize(t.f, order=3))
c("normalize", "zeros", lambda o, t: o.normalize(o.zeros((2, 3))))
c("normalize", "bad_order", lambda o, t: o.normalize(t.f, order=0))
c("batch_normalization", "last", lambda o, t: o.batch_normalization(t.img, t.bn_mean, t.bn_var, axis=-1))
c("batch_normalization", "offset_scale", lambda o, t: o.batch_normalization(t.img, t.bn_mean, t.bn_var, axis=-1, offset=t.bn_mean * 0.1, scale=t.bn_var, epsilon=1e-2))
c("batch_normalization", "axis1", lambda o, t: o.batch_normalization(t.img_cf, t.bn_mean, t.bn_var, axis=1, scale=t.bn_var))
c("layer_normalization", "last", lambda o, t: o.layer_normalization(t.f))
c("layer_normalization", "gamma_beta", lambda o, t: o.layer_normalization(t.f, gamma=t.v, beta=t.w, epsilon=1e-3))
c("layer_normalization", "axes", lambda o, t: o.layer_normalization(t.cube, axis=(1, 2)))
c("layer_normalization", "outer_axes", lambda o, t: o.layer_normalization(t.cube, gamma=t.f[:2], beta=t.g[:2], axis=(0, 2)))
c("layer_normalization", "f16", lambda o, t: o.layer_normalization(t.f16), rtol=3e-3, atol=3e-3)
c("rms_normalization", "last", lambda o, t: o.rms_normalization(t.f))
c("rms_normalization", "scale", lambda o, t: o.rms_normalization(t.f, scale=t.v, epsilon=1e-3))
c("rms_normalization", "axes", lambda o, t: o.rms_normalization(t.cube, axis=(1, 2)))
c("rms_normalization", "f16", lambda o, t: o.rms_normalization(t.f16), rtol=3e-3, atol=3e-3)

# ------------------------------------------------------------ convolution
c("conv", "1d", lambda o, t: o.conv(t.seq, t.k1d))
c("conv", "1d_same_stride", lambda o, t: o.conv(t.seq, t.k1d, strides=2, padding="same"))
c("conv", "1d_dilation", lambda o, t: o.conv(t.seq, t.k1d, dilation_rate=2, padding="same"))
c("conv", "2d", lambda o, t: o.conv(t.img, t.k2d))
c("conv", "2d_same", lambda o, t: o.conv(t.img, t.k2d, padding="same"))
c("conv", "2d_same_uneven", lambda o, t: o.conv(t.img, t.k2d, strides=2, padding="same"))
c("conv", "2d_strides_tuple", lambda o, t: o.conv(t.img, t.k2d, strides=(1, 2)))
c("conv", "2d_dilation", lambda o, t: o.conv(t.img, t.k2d, dilation_rate=(2, 1)))
c("conv", "2d_channels_first", lambda o, t: o.conv(t.img_cf, t.k2d, padding="same", data_format="channels_first"))
c("conv", "2d_groups", lambda o, t: o.conv(t.img, t.kg2d, padding="same"))
c("conv", "3d", lambda o, t: o.conv(t.vol, t.k3d, padding="same"))
c("conv", "3d_strides", lambda o, t: o.conv(t.vol, t.k3d, strides=2))
c("depthwise_conv", "2d", lambda o, t: o.depthwise_conv(t.img, t.dk2d))
c("depthwise_conv", "2d_same_stride", lambda o, t: o.depthwise_conv(t.img, t.dk2d, strides=2, padding="same"))
c("depthwise_conv", "1d", lambda o, t: o.depthwise_conv(t.seq, t.k1d[:, :, :2], padding="same"))
c("depthwise_conv", "channels_first", lambda o, t: o.depthwise_conv(t.img_cf, t.dk2d, data_format="channels_first"))
c("separable_conv", "2d", lambda o, t: o.separable_conv(t.img, t.dk2d, t.pk2d))
c("separable_conv", "2d_same", lambda o, t: o.separable_conv(t.img, t.dk2d, t.pk2d, padding="same", strides=2))
c("separable_conv", "1d", lambda o, t: o.separable_conv(t.seq, t.k1d[:, :, :2], t.pk2d[0], padding="same"))
for pad in ("valid", "same"):
    for s in (1, 2, 3):
        c("conv_transpose", f"2d_{pad}_s{s}", lambda o, t, p=pad, s=s: o.conv_transpose(t.img, t.kt2d, strides=s, padding=p))
    c("conv_transpose", f"1d_{pad}", lambda o, t, p=pad: o.conv_transpose(t.seq, t.kt1d, strides=2, padding=p))
    c("conv_transpose", f"3d_{pad}", lambda o, t, p=pad: o.conv_transpose(t.vol, t.kt3d, strides=2, padding=p))
    c("conv_transpose", f"2d_{pad}_output_padding", lambda o, t, p=pad: o.conv_transpose(t.img, t.kt2d, strides=3, padding=p, output_padding=1))
    c("conv_transpose", f"2d_{pad}_dilation", lambda o, t, p=pad: o.conv_transpose(t.img, t.kt2d, padding=p, dilation_rate=2))
c("conv_transpose", "channels_first", lambda o, t: o.conv_transpose(t.img_cf, t.kt2d, strides=2, padding="same", data_format="channels_first"))
c("conv_transpose", "even_kernel", lambda o, t: o.conv_transpose(t.img, t.kt2d[:2, :2], strides=2, padding="same"))

# ----------------------------------------------------------------- pooling
for op in ("max_pool", "average_pool"):
    c(op, "2d", lambda o, t, op=op: getattr(o, op)(t.img, 2))
    c(op, "2d_strides", lambda o, t, op=op: getattr(o, op)(t.img, (3, 2), strides=(1, 2)))
    c(op, "2d_same_even", lambda o, t, op=op: getattr(o, op)(t.img, 3, strides=1, padding="same"))
    c(op, "1d", lambda o, t, op=op: getattr(o, op)(t.seq, 2))
    c(op, "1d_same", lambda o, t, op=op: getattr(o, op)(t.seq, 3, strides=1, padding="same"))
    c(op, "3d", lambda o, t, op=op: getattr(o, op)(t.vol, 2))
    c(op, "channels_first", lambda o, t, op=op: getattr(o, op)(t.img_cf, 2, data_format="channels_first"))
c("max_pool", "2d_same_uneven", lambda o, t: o.max_pool(t.img, 2, padding="same"))
c("max_pool", "1d_same_uneven", lambda o, t: o.max_pool(t.seq, 2, padding="same"))
for op in ("adaptive_average_pool", "adaptive_max_pool"):
    c(op, "2d", lambda o, t, op=op: getattr(o, op)(t.img, (2, 4)))
    c(op, "2d_int", lambda o, t, op=op: getattr(o, op)(t.img, 3))
    c(op, "1d", lambda o, t, op=op: getattr(o, op)(t.seq, 4))
    c(op, "3d", lambda o, t, op=op: getattr(o, op)(t.vol, (2, 3, 1)))
    c(op, "channels_first", lambda o, t, op=op: getattr(o, op)(t.img_cf, (4, 3), data_format="channels_first"))
# Keras's unfold and fold take tensors only (no numpy conversion).
c("unfold", "2", lambda o, t: o.unfold(o.convert_to_tensor(t.nchw), 2))
c("unfold", "args", lambda o, t: o.unfold(o.convert_to_tensor(t.nchw), (2, 3), dilation=1, padding=1, stride=2))
c("unfold", "rank", lambda o, t: o.unfold(o.convert_to_tensor(t.f), 2))
c("fold", "roundtrip", lambda o, t: o.fold(o.unfold(o.convert_to_tensor(t.nchw), 2, stride=2), (4, 6), 2, stride=2))
c("fold", "overlap", lambda o, t: o.fold(o.unfold(o.convert_to_tensor(t.nchw), (2, 3), padding=1), (5, 6), (2, 3), padding=1))
for fmt in ("channels_last", "channels_first"):
    c("depth_to_space", fmt, lambda o, t, f=fmt: o.depth_to_space(o.reshape(o.arange(96.0), (2, 2, 3, 8) if f == "channels_last" else (2, 8, 2, 3)), 2, data_format=f))
    c("space_to_depth", fmt, lambda o, t, f=fmt: o.space_to_depth(o.reshape(o.arange(96.0), (2, 4, 6, 2) if f == "channels_last" else (2, 2, 4, 6)), 2, data_format=f))
c("depth_to_space", "block3", lambda o, t: o.depth_to_space(o.reshape(o.arange(72.0), (1, 2, 2, 18)), 3))
c("space_to_depth", "small_block", lambda o, t: o.space_to_depth(t.img, 1))

# --------------------------------------------------------------------- CTC
c("ctc_loss", "default", lambda o, t: o.ctc_loss(t.ctc_labels, t.ctc_logits, t.ctc_label_lengths, t.ctc_lengths))
c("ctc_loss", "mask_index", lambda o, t: o.ctc_loss(t.ctc_labels, t.ctc_logits, t.ctc_label_lengths, t.ctc_lengths, mask_index=4))
c("ctc_decode", "greedy", lambda o, t: o.ctc_decode(t.ctc_logits, t.ctc_lengths))
c("ctc_decode", "greedy_no_merge", lambda o, t: o.ctc_decode(t.ctc_logits, t.ctc_lengths, merge_repeated=False, mask_index=4))
c("ctc_decode", "greedy_repeats", lambda o, t: o.ctc_decode(o.one_hot(o.array([[1, 1, 0, 1, 2, 2], [3, 0, 3, 3, 0, 0]]), 4) * 5.0, o.array([6, 5])))
c("ctc_decode", "beam", lambda o, t: o.ctc_decode(t.ctc_logits, t.ctc_lengths, strategy="beam_search", beam_width=4, top_paths=2))
c("ctc_decode", "beam_mask_last", lambda o, t: o.ctc_decode(t.ctc_logits, t.ctc_lengths, strategy="beam_search", beam_width=8, top_paths=3, mask_index=4))
c("ctc_decode", "bad_strategy", lambda o, t: o.ctc_decode(t.ctc_logits, t.ctc_lengths, strategy="best"))

# --------------------------------------------------------------- attention
c("dot_product_attention", "plain", lambda o, t: o.dot_product_attention(t.q, t.k, t.k))
c("dot_product_attention", "scale_bias", lambda o, t: o.dot_product_attention(t.q, t.k, t.k, bias=o.ones((2, 4, 5, 6)) * 0.5, scale=0.3))
c("dot_product_attention", "mask", lambda o, t: o.dot_product_attention(t.q, t.k, t.k, mask=t.attn_mask))
c("dot_product_attention", "causal", lambda o, t: o.dot_product_attention(t.q, t.k[:, :5], t.k[:, :5], is_causal=True))
c("dot_product_attention", "causal_mask", lambda o, t: o.dot_product_attention(t.q, t.k[:, :5], t.k[:, :5], mask=t.attn_mask[:, :, :, :5], is_causal=True))
c("dot_product_attention", "gqa", lambda o, t: o.dot_product_attention(t.q, t.kv2, t.kv2))
c("dot_product_attention", "f16", lambda o, t: o.dot_product_attention(t.qf16, t.qf16, t.qf16), rtol=3e-3, atol=3e-3)
c("dot_product_attention", "bias_and_mask", lambda o, t: o.dot_product_attention(t.q, t.k, t.k, bias=o.zeros((2, 4, 5, 6)), mask=t.attn_mask))
c("dot_product_attention", "rank", lambda o, t: o.dot_product_attention(t.f, t.f, t.f))
c("dot_product_attention", "soft_cap", lambda o, t: o.dot_product_attention(t.q, t.k, t.k, attn_logits_soft_cap=20.0))
# fmt: on
