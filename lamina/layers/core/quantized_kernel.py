"""The quantized computations of Dense and EinsumDense: ``inputs (x) kernel + bias``.

Keras's numbers, mode by mode (``(x)`` is the layer's product, a matmul or an
einsum; ``s_k`` the kernel scale per output unit, ``s_x`` the input scale per
row):

- int8: ``q_x (x) q_k / (s_k * s_x)`` with the inputs quantized too (the
  integer product is exact: float32 while it cannot round, else float64), or
  weight-only ``(inputs (x) q_k) / s_k``;
- int4: the kernel as a ``(rows, cols)`` matrix (contracted axes x the rest),
  two values a byte; per channel as int8, or by groups of rows with a zero point,
  ``inputs (x) ((q - zero) * scale)``;
- float8: each operand quantized to float8 and back, and the output gradient too
  (`lamina.quantizers.float8`).

The gradient with respect to the inputs is the one of the product with the
dequantized kernel (the quantized weights themselves do not train).
EinsumDense, on torch, dequantizes its kernel before the product (except for
int8 with quantized inputs): ``_DEQUANTIZE_FIRST`` says so.
"""

from __future__ import annotations

import math

import torch

from lamina.layers.core.quantizable import Quantizable, group_index
from lamina.quantizers import AbsMaxQuantizer, QuantizationConfig
from lamina.quantizers.float8 import qdq_operand, qdq_output_gradient
from lamina.quantizers.quantizers import (
    abs_max_quantize_grouped_with_zero_point,
    dequantize_grouped,
    pack_int4,
    unpack_int4,
)

# An integer product is exact in float32 while every partial sum stays below
# 2**24: int8 values (|v| <= 128) allow 1024 terms.
_EXACT_FLOAT32_TERMS = 1024
_FLOAT8_VARIABLES = (
    "inputs_scale",
    "inputs_amax_history",
    "kernel_scale",
    "kernel_amax_history",
    "outputs_grad_scale",
    "outputs_grad_amax_history",
)


class QuantizedKernel(Quantizable):
    """Keras's int8, int4 and float8 modes for a layer with a ``kernel``.

    The layer defines the product and its geometry: ``_product(x, kernel)``,
    ``_input_gradient(upstream, kernel)``, ``_kernel_shape()``,
    ``_kernel_reduced_axes()`` (the contracted kernel axes),
    ``_inputs_reduced_axes()``, ``_kernel_scale_shape(kernel_shape)``,
    ``_stored_kernel_scale(scale)`` (Keras's layout of an abs-max scale with
    kept dims), ``_kernel_scale_for_kernel(scale)`` (back to the kernel's
    layout) and ``_inputs_scale_for_output(scale)``.
    """

    _QUANTIZED_VARIABLES = {
        "int8": ("kernel", "bias", "kernel_scale"),
        "int4": ("kernel", "bias", "kernel_scale", "kernel_zero", "g_idx"),
        "float8": ("kernel", "bias", *_FLOAT8_VARIABLES),
    }
    _REPLACED = {"int8": ("kernel",), "int4": ("kernel",)}
    # Whether the per-channel product dequantizes the kernel first (Keras's
    # EinsumDense on torch), rather than the product's result (Dense).
    _DEQUANTIZE_FIRST = False

    # ------------------------------------------------------------ quantize
    def _quantized_values(self, config) -> dict:
        kernel = self.kernel.detach()
        if config.mode == "int8":
            quantizer = QuantizationConfig.weight_quantizer_or_default(
                config, AbsMaxQuantizer(axis=self._kernel_reduced_axes())
            )
            q, scale = quantizer(kernel, to_numpy=True)
            return {"kernel": q, "kernel_scale": self._stored_kernel_scale(scale)}
        if config.mode == "float8":
            return {}
        matrix = kernel.reshape(self._kernel_matrix_shape(kernel.shape))
        block_size = config.block_size
        if block_size is not None and block_size > 0:
            q, scale, zero = abs_max_quantize_grouped_with_zero_point(
                matrix, block_size=block_size, to_numpy=True
            )
            return {
                "kernel": pack_int4(q, axis=-1)[0],
                "kernel_scale": scale,
                "kernel_zero": zero,
            }
        quantizer = QuantizationConfig.weight_quantizer_or_default(
            config, AbsMaxQuantizer(axis=0, value_range=(-8, 7))
        )
        q, scale = quantizer(matrix, to_numpy=True)
        return {"kernel": pack_int4(q, axis=-1)[0], "kernel_scale": scale.squeeze(0)}

    def _build_quantized(self) -> None:
        """The mode's variables, zero-initialized, as Keras's ``quantized_build``."""
        mode = self._quantization.mode
        shape = self._kernel_shape()
        if mode == "float8":
            self._build_float8()
        else:
            config = self.quantization_config
            default = AbsMaxQuantizer() if mode == "int8" else None
            self.inputs_quantizer = QuantizationConfig.activation_quantizer_or_default(
                config, default
            )
        if mode == "int8":
            self.kernel = self._add_frozen("kernel", shape, "int8")
            self.kernel_scale = self._add_frozen(
                "kernel_scale", self._kernel_scale_shape(shape)
            )
        elif mode == "int4":
            self._build_int4(shape)
        self._use_quantized_call()

    def _build_int4(self, shape: tuple) -> None:
        rows, cols = self._kernel_matrix_shape(shape)
        self.kernel = self._add_frozen("kernel", (rows, (cols + 1) // 2), "int8")
        block_size = self._quantization.block_size
        if block_size is None:
            self.kernel_scale = self._add_frozen("kernel_scale", (cols,))
            return
        groups = (math.ceil(rows / block_size), cols)
        self.kernel_scale = self._add_frozen("kernel_scale", groups)
        self.kernel_zero = self._add_frozen("kernel_zero", groups, "int8")
        self.g_idx = self._add_frozen("g_idx", (rows,))
        with torch.no_grad():
            self.g_idx.copy_(group_index(rows, block_size))

    def _build_float8(self) -> None:
        # Keras-trainable (counted and saved as such), but written by the
        # backward pass, never by an optimizer: no gradient, no optimizer slots.
        length = self._quantization.amax_history_length
        for name in _FLOAT8_VARIABLES:
            history = name.endswith("history")
            variable = self.add_weight(
                name=name,
                shape=(length,) if history else (),
                initializer="zeros" if history else "ones",
                dtype="float32",
                autocast=False,
                overwrite_with_gradient=True,
            )
            setattr(self, name, variable)

    def _kernel_matrix_shape(self, shape) -> tuple[int, int]:
        """``(rows, cols)``: the contracted kernel axes, and the others."""
        rows = math.prod(shape[a] for a in self._kernel_reduced_axes())
        return rows, math.prod(shape) // rows

    # ------------------------------------------------------------ calls
    def _int8_call(self, inputs, training=None):
        return self._output(self._per_channel_product(inputs, self.kernel))

    def _int4_call(self, inputs, training=None):
        shape = self._kernel_shape()
        rows, cols = self._kernel_matrix_shape(shape)
        q = unpack_int4(self.kernel, cols, axis=-1)
        if self._quantization.block_size is None:
            return self._output(self._per_channel_product(inputs, q))
        scale, zero = self.kernel_scale, self.kernel_zero
        kernel = dequantize_grouped(q, scale, zero, self.g_idx, axis=0)
        kernel = kernel.to(inputs.dtype).reshape(shape)
        return self._output(self._product(inputs, kernel))

    def _float8_call(self, inputs, training=None):
        dtype = inputs.dtype
        # A frozen layer's scales are not updated (Keras computes no gradient
        # for them).
        update = bool(training) and self.trainable
        x = qdq_operand(
            inputs, self.inputs_scale, self.inputs_amax_history, update, dtype
        )
        kernel = qdq_operand(
            self.kernel, self.kernel_scale, self.kernel_amax_history, update, dtype
        )
        x = qdq_output_gradient(
            self._product(x, kernel),
            self.outputs_grad_scale,
            self.outputs_grad_amax_history,
            dtype,
            update=self.trainable,
        )
        if self.bias is not None:
            # Keras rounds a float32 bias to bfloat16 (for XLA's fused bias add).
            bias = self.bias
            if bias.dtype == torch.float32:
                bias = bias.to(torch.bfloat16).to(torch.float32)
            x = x + bias
        return x if self._linear else self.activation(x)

    def _per_channel_product(self, inputs, q):
        """``inputs (x) q`` dequantized by the per-channel ``kernel_scale``."""
        mode = self._quantization.mode
        quantizer = self.inputs_quantizer
        scale = self.kernel_scale
        dtype = inputs.dtype
        shape = self._kernel_shape()
        # An int8 kernel times int8 inputs is an integer product either way.
        dequantize_first = self._DEQUANTIZE_FIRST and not (
            mode == "int8" and quantizer is not None
        )

        def float_kernel():
            if mode == "int8":
                return q.to(dtype) / self._kernel_scale_for_kernel(scale)
            return (q.to(dtype) / scale).reshape(shape)  # int4: the matrix's scale

        def compute(x):
            if quantizer is not None:
                xq, x_scale = quantizer(x, axis=self._inputs_reduced_axes())
                x_scale = self._inputs_scale_for_output(x_scale)
                if dequantize_first:
                    return self._product(xq.to(dtype), float_kernel()) / x_scale
                product = self._exact_product(xq, q.reshape(shape))
                return product.to(dtype) / (scale * x_scale)
            if dequantize_first:
                return self._product(x, float_kernel())
            return self._product(x, q.reshape(shape).to(dtype)) / scale

        return _with_input_gradient(
            inputs,
            compute,
            lambda upstream: self._input_gradient(upstream, float_kernel()),
        )

    def _exact_product(self, xq, q):
        """The product of two integer tensors, exactly (Keras's int32 result)."""
        terms = self._kernel_matrix_shape(q.shape)[0]
        dtype = torch.float32 if terms <= _EXACT_FLOAT32_TERMS else torch.float64
        return self._product(xq.to(dtype), q.to(dtype))

    def _output(self, x):
        if self.bias is not None:
            x = x + self.bias
        return x if self._linear else self.activation(x)


class _InputGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, inputs, compute, input_gradient):
        ctx.input_gradient = input_gradient
        return compute(inputs)

    @staticmethod
    def backward(ctx, upstream):
        return ctx.input_gradient(upstream), None, None


def _with_input_gradient(inputs, compute, input_gradient):
    """``compute(inputs)``, whose gradient w.r.t. ``inputs`` is ``input_gradient``.

    The quantized computation itself (rounding, integer products) has no useful
    gradient; Keras uses the float product's. No autograd node when no
    gradient is wanted.
    """
    if inputs.requires_grad and torch.is_grad_enabled():
        return _InputGradient.apply(inputs, compute, input_gradient)
    return compute(inputs)
