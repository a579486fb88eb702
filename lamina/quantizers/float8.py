"""Float8 training: Keras's delayed-scaling recipe (scales from amax histories).

A float8 layer keeps, for its inputs, its kernel and its output gradient, a
scale and a history of absolute maxima. Each matmul operand is
quantized to float8 and back (``float8_e4m3fn`` forward, ``float8_e5m2`` for the
output gradient), and each training step rolls the histories and derives the
next scales from them. Keras delivers those new values as the "gradients" of
the scale and history variables, which its optimizer copies in; here the
backward pass writes them into the variables directly, so the optimizer never
sees them (their ``.grad`` stays None) and the numbers are Keras's.
"""

from __future__ import annotations

import torch

from lamina.backend import convert_to_tensor
from lamina.backend import to_torch_dtype as _torch_dtype

_FLOAT8 = {"float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2}
# The largest finite values, the range each recipe scales into.
E4M3_MAX = float(torch.finfo(torch.float8_e4m3fn).max)  # 448
E5M2_MAX = float(torch.finfo(torch.float8_e5m2).max)  # 57344


def compute_float8_scale(amax, scale, dtype_max, margin=0):
    """The next scale: ``amax / dtype_max * 2**margin``, or ``scale`` when
    ``amax`` is 0 or not finite (Transformer Engine's ``update_fp8_metas``).

    Example:
        >>> compute_float8_scale(torch.tensor(4.48), torch.tensor(1.0), 448.0)
        tensor(0.0100)
    """
    amax = convert_to_tensor(amax)
    keep = 1.0 / convert_to_tensor(scale)
    factor = convert_to_tensor(dtype_max) / amax / 2**margin
    factor = torch.where(amax > 0.0, factor, keep)
    factor = torch.where(torch.isfinite(amax), factor, keep)
    return 1.0 / factor


def compute_float8_amax_history(x, amax_history):
    """The history rolled by one, with ``max|x|`` as its first entry.

    Example:
        >>> compute_float8_amax_history(torch.tensor([-3.0, 1.0]), torch.tensor([1.0, 2.0, 0.0]))
        tensor([3., 0., 1.])
    """
    history = convert_to_tensor(amax_history)
    rolled = torch.roll(history, -1, 0)
    rolled[0] = convert_to_tensor(x).abs().max().to(history.dtype)
    return rolled


def quantize_and_dequantize(inputs, scale, quantized_dtype, compute_dtype):
    """``inputs / scale`` cast to a float8 dtype (saturating) and back, times ``scale``.

    Example:
        >>> quantize_and_dequantize(torch.tensor([1.1, 1000.0]), 1.0, "float8_e4m3fn", "float32")
        tensor([  1.1250, 448.0000])

    Args:
        inputs: the tensor.
        scale: the scale (a scalar tensor).
        quantized_dtype: ``"float8_e4m3fn"`` or ``"float8_e5m2"``.
        compute_dtype: the dtype of the computation and of the result.
    """
    compute = _torch_dtype(compute_dtype)
    target = _FLOAT8.get(str(quantized_dtype).replace("torch.", ""), quantized_dtype)
    limit = float(torch.finfo(target).max)
    scale = convert_to_tensor(scale).to(compute)
    x = torch.clamp(convert_to_tensor(inputs) / scale, -limit, limit)
    return x.to(target).to(compute) * scale


def qdq_operand(x, scale, history, training: bool, compute_dtype: torch.dtype):
    """An e4m3 quantized-dequantized matmul operand (the inputs or the kernel).

    The gradient passes straight through; with ``training``, the backward pass
    also stores the next scale and history (computed from this call's ``x``
    and the history so far) in the ``scale`` and ``history`` variables.
    """
    trigger = _TRIGGER if training else None
    return _Float8Operand.apply(x, trigger, scale, history, training, compute_dtype)


def qdq_output_gradient(y, scale, history, compute_dtype: torch.dtype, update=True):
    """``y`` itself; its gradient is quantized-dequantized to e5m2 and, with
    ``update``, the backward pass stores the next scale and history of the
    output gradient."""
    trigger = _TRIGGER if update else None
    return _Float8OutputGradient.apply(y, trigger, scale, history, compute_dtype)


# Keras's scale and history variables take part in autograd (their "gradients"
# are their next values), so a backward pass reaches them even when the inputs
# need no gradient. Here they stay out of autograd (no optimizer ever sees them)
# and this constant leaf stands in for them as an input of the nodes that
# update them.
_TRIGGER = torch.zeros((), requires_grad=True)


def _next_scale(scale, history, dtype_max):
    return compute_float8_scale(torch.amax(history, dim=0), scale, dtype_max)


class _Float8Operand(torch.autograd.Function):
    # The variables travel as attributes of ``ctx``, not saved tensors: they are
    # written in place in the backward pass.
    @staticmethod
    def forward(ctx, x, trigger, scale, history, training, compute_dtype):
        ctx.variables = (scale, history)
        ctx.updates = None
        if training:
            ctx.updates = (
                _next_scale(scale, history, E4M3_MAX),
                compute_float8_amax_history(x, history),
            )
        return quantize_and_dequantize(x, scale, torch.float8_e4m3fn, compute_dtype)

    @staticmethod
    def backward(ctx, upstream):
        if ctx.updates is not None:
            with torch.no_grad():
                for variable, value in zip(ctx.variables, ctx.updates):
                    variable.copy_(value)
        return upstream, None, None, None, None, None


class _Float8OutputGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, y, trigger, scale, history, compute_dtype):
        ctx.variables = (scale, history)
        ctx.compute_dtype = compute_dtype
        ctx.update = trigger is not None
        return y.view_as(y)

    @staticmethod
    def backward(ctx, upstream):
        scale, history = ctx.variables
        with torch.no_grad():
            grad = quantize_and_dequantize(
                upstream, scale, torch.float8_e5m2, ctx.compute_dtype
            )
            if ctx.update:
                new_scale = _next_scale(scale, history, E5M2_MAX)
                history.copy_(compute_float8_amax_history(upstream, history))
                scale.copy_(new_scale)
        return grad, None, None, None, None
