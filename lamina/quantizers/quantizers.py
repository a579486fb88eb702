"""Integer quantization: Keras's abs-max quantizers, int4 packing, fake quantization.

A weight is quantized as ``q = clip(round(w * scale), lo, hi)`` with
``scale = hi / (max|w| + epsilon)`` over the reduced axis (abs-max), or, for int4
sub-channel quantization, per group of rows with a zero point:
``q = clip(round(w / scale) + zero, lo, hi)``. Two int4 values share one byte
(`pack_int4`). The functions take arrays or tensors and return torch tensors,
with Keras's numbers.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from lamina.backend import convert_to_tensor, device, epsilon, standardize_dtype
from lamina.backend import to_torch_dtype as _torch_dtype
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError

# Keras's default, read when the module loads (as Keras's signatures do).
_EPSILON = epsilon()


class Quantizer:
    """Base class of quantizers: ``quantizer(x)`` returns the quantized ``x``.

    Subclass it, implement ``__call__`` and ``get_config``.

    Args:
        output_dtype: the dtype of the quantized values (``"int8"``).
    """

    _keras_module = "keras.quantizers"

    def __init__(self, output_dtype="int8"):
        self.output_dtype = output_dtype

    def __call__(self, x):
        """The quantized ``x`` (the base class returns ``x``)."""
        return x

    @classmethod
    def from_config(cls, config: dict):
        """A quantizer from its `get_config` output."""
        return cls(**config)

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")


class AbsMaxQuantizer(Quantizer):
    """Symmetric quantization by the absolute maximum along an axis.

    ``quantizer(x, axis=-1)`` returns ``(q, scale)`` from `abs_max_quantize`;
    ``q / scale`` approximates ``x``.

    Example:
        >>> q, scale = AbsMaxQuantizer()(torch.tensor([[1.0, -2.0, 0.5]]))
        >>> q
        tensor([[ 64, -127,  32]], dtype=torch.int8)

    Args:
        axis: the default axis (or axes) to reduce; deprecated in Keras in favour
            of the ``axis`` of the call. -1 when neither is given.
        value_range: ``(lo, hi)`` of the quantized values.
        epsilon: added to the maximum to avoid dividing by zero.
        output_dtype: the dtype of the quantized values.
    """

    _keras_module = "keras.quantizers"

    def __init__(
        self, axis=None, value_range=(-127, 127), epsilon=_EPSILON, output_dtype="int8"
    ):
        super().__init__(output_dtype=output_dtype)
        if isinstance(axis, int):
            axis = (axis,)
        self.axis = None if axis is None else tuple(axis)
        self.value_range = tuple(value_range)
        self.epsilon = epsilon
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ArgumentError(
                "Quantizer with output_dtype='int8' requires value_range to be "
                "within the interval [-128, 127]. Received: "
                f"value_range={self.value_range}"
            )

    def __call__(self, x, axis=None, to_numpy: bool = False):
        """``(q, scale)`` for ``x``, reducing ``axis`` (or the constructor's, or -1)."""
        if axis is None:
            axis = -1 if self.axis is None else self.axis
        return abs_max_quantize(
            x, axis, self.value_range, self.output_dtype, self.epsilon, to_numpy
        )

    def get_config(self) -> dict:
        config = {
            "value_range": self.value_range,
            "epsilon": self.epsilon,
            "output_dtype": self.output_dtype,
        }
        if self.axis is not None:
            config["axis"] = self.axis
        return config


def abs_max_quantize(
    inputs,
    axis,
    value_range=(-127, 127),
    dtype="int8",
    epsilon=_EPSILON,
    to_numpy: bool = False,
):
    """Quantize by the absolute maximum along ``axis``: returns ``(q, scale)``.

    ``scale = value_range[1] / (max|inputs| + epsilon)`` (kept dims, in the
    inputs' dtype) and ``q = clip(round(inputs * scale), *value_range)`` of
    ``dtype``.

    Example:
        >>> q, scale = abs_max_quantize(torch.tensor([[4.0, -2.0], [1.0, 0.5]]), 0)
        >>> q
        tensor([[ 127, -127],
                [  32,   32]], dtype=torch.int8)

    Args:
        inputs: the tensor to quantize.
        axis: the axis or axes to reduce.
        value_range: ``(lo, hi)`` of the quantized values.
        dtype: the dtype of ``q``.
        epsilon: added to the maximum to avoid dividing by zero.
        to_numpy: compute on the host (saves device memory while quantizing a
            large weight); the result goes back to the device.
    """
    x = _as_float_tensor(inputs)
    if to_numpy:
        x = x.detach().cpu()
    dims = _dims(axis, x.dim())
    # Keras's device path makes epsilon a float32 tensor first (its host path,
    # numpy, adds it in the inputs' dtype). And torch's `number / tensor` would be
    # `reciprocal(tensor) * number`, rounded twice.
    amax = torch.amax(x.abs(), dim=dims, keepdim=True)
    amax = amax + (epsilon if to_numpy else torch.tensor(epsilon))
    scale = torch.div(torch.tensor(value_range[1]), amax)
    scale = scale.to(x.dtype)
    q = torch.clamp(torch.round(x * scale), value_range[0], value_range[1])
    q = q.to(_torch_dtype(dtype))
    if to_numpy:
        q, scale = q.to(device()), scale.to(device())
    return q, scale


def abs_max_quantize_grouped_with_zero_point(
    inputs,
    block_size,
    value_range=(-8, 7),
    dtype="int8",
    epsilon=_EPSILON,
    to_numpy: bool = False,
):
    """Asymmetric quantization of a matrix by groups of ``block_size`` rows.

    Each group of rows has, per column, a scale and a zero point:
    ``q = clip(round(inputs / scale) + zero, *value_range)``, so that
    ``(q - zero) * scale`` approximates ``inputs``. The last group is padded with
    zeros.

    Example:
        >>> q, scale, zero = abs_max_quantize_grouped_with_zero_point(
        ...     torch.ones(6, 2), block_size=4
        ... )
        >>> scale.shape, zero.shape
        (torch.Size([2, 2]), torch.Size([2, 2]))

    Args:
        inputs: a ``(input_dim, output_dim)`` tensor.
        block_size: rows per group.
        value_range: ``(lo, hi)`` of the quantized values.
        dtype: the dtype of ``q``.
        epsilon: added to each group's range before dividing.
        to_numpy: quantize on the host, as Keras's layers do. Keras's two paths
            differ in two details, kept here: the host path includes the padding
            zeros in a lone group's minimum and maximum, and the device path
            widens a constant group's range by 1 on each side.

    Returns:
        ``(q, scale, zero)``: ``q`` shaped like ``inputs``; ``scale`` and
        ``zero`` (int8) shaped ``(ceil(input_dim / block_size), output_dim)``.
    """
    x = _as_float_tensor(inputs)
    if to_numpy:
        x = x.detach().cpu()
    rows, cols = x.shape
    groups = math.ceil(rows / block_size)
    qmin, qmax = value_range
    padded = torch.cat([x, x.new_zeros(groups * block_size - rows, cols)])
    blocks = padded.reshape(groups, block_size, cols)
    if to_numpy or groups > 1:
        low, high = blocks.amin(dim=1), blocks.amax(dim=1)
    else:
        low, high = x.amin(dim=0, keepdim=True), x.amax(dim=0, keepdim=True)
    if not to_numpy:
        constant = low == high
        low, high = (
            torch.where(constant, low - 1, low),
            torch.where(constant, high + 1, high),
        )
    scale = (high - low + epsilon) / float(qmax - qmin)
    if not to_numpy:
        scale = torch.where(scale <= 0, torch.full_like(scale, 1e-8), scale)
    zero = torch.clamp(torch.round(-low / scale) + qmin, qmin, qmax)
    q = torch.round(blocks / scale[:, None]) + zero[:, None]
    q = torch.clamp(q, qmin, qmax).to(_torch_dtype(dtype)).reshape(-1, cols)[:rows]
    zero = zero.to(torch.int8)
    if to_numpy:
        q, scale, zero = q.to(device()), scale.to(device()), zero.to(device())
    return q, scale, zero


def dequantize_grouped(q, scale, zero, group_of, axis: int):
    """``(q - zero) * scale`` with the scale and zero of each group spread out.

    Args:
        q: quantized values.
        scale / zero: per-group values, the groups along ``axis``.
        group_of: for each index along ``axis`` of ``q``, its group (Keras's
            ``g_idx``, stored as floats).
        axis: the grouped axis.
    """
    index = group_of.to(torch.long)
    scale = torch.index_select(scale, axis, index)
    zero = torch.index_select(zero, axis, index).to(scale.dtype)
    return (q - zero) * scale


def pack_int4(arr, axis: int = 0, dtype="int8"):
    """Pack int4 values (int8 in ``[-8, 7]``) two to a byte along ``axis``.

    Of each pair of consecutive entries, the first goes in the low nibble and
    the second in the high nibble; an odd length is padded with a zero.

    Example:
        >>> packed, shape, length = pack_int4(
        ...     torch.tensor([[-3, 7], [2, -8], [1, 0]], dtype=torch.int8)
        ... )
        >>> packed
        tensor([[  45, -121],
                [   1,    0]], dtype=torch.int8)

    Args:
        arr: an int8 (or uint8) tensor of int4 values.
        axis: the axis to pack along.
        dtype: ``"int8"`` or ``"uint8"``, the dtype of ``arr`` and of the result.

    Returns:
        ``(packed, packed_shape, original_length)``.
    """
    if dtype not in ("int8", "uint8"):
        raise ArgumentError(
            f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'."
        )
    x = convert_to_tensor(arr)
    if standardize_dtype(x.dtype) != dtype:
        raise TypeError(
            f"Expected {dtype} tensor for packing, got {standardize_dtype(x.dtype)}."
        )
    x = torch.movedim(x, axis, 0)
    length = x.shape[0]
    if length % 2:
        x = torch.cat([x, x.new_zeros(1, *x.shape[1:])])
    # Bit operations in uint8 so that shifting never overflows a signed byte.
    nibbles = x.view(torch.uint8) & 0x0F
    packed = (nibbles[0::2] | (nibbles[1::2] << 4)).view(x.dtype)
    packed = torch.movedim(packed, 0, axis)
    return packed, tuple(packed.shape), length


def unpack_int4(packed, orig_len: int, axis: int = 0, dtype="int8"):
    """Undo `pack_int4`: two values from each byte along ``axis``, cut to ``orig_len``.

    Example:
        >>> unpack_int4(torch.tensor([[45, -121], [1, 0]], dtype=torch.int8), 3)
        tensor([[-3,  7],
                [ 2, -8],
                [ 1,  0]], dtype=torch.int8)

    Args:
        packed: an int8 or uint8 tensor of packed pairs.
        orig_len: the length of ``axis`` before packing.
        axis: the packed axis.
        dtype: ``"int8"`` (values in ``[-8, 7]``) or ``"uint8"`` (``[0, 15]``).
    """
    if dtype not in ("int8", "uint8"):
        raise ArgumentError(
            f"Expected dtype to be 'int8' or 'uint8', but got '{dtype}'."
        )
    x = convert_to_tensor(packed)
    if x.dtype not in (torch.int8, torch.uint8):
        raise TypeError(
            f"Expected int8 or uint8 tensor for unpacking, got {standardize_dtype(x.dtype)}"
        )
    x = torch.movedim(x.view(torch.uint8), axis, -1)
    low, high = x & 0x0F, x >> 4
    if dtype == "int8":  # nibble 8..15 is -8..-1
        low, high = (low ^ 8).to(torch.int8) - 8, (high ^ 8).to(torch.int8) - 8
    pairs = torch.stack([low, high], dim=-1).reshape(*x.shape[:-1], -1)
    return torch.movedim(pairs[..., :orig_len], -1, axis).to(_torch_dtype(dtype))


def fake_quant_with_min_max_vars(
    inputs, min_vals, max_vals, num_bits=8, narrow_range=False, axis=None
):
    """Quantize to ``num_bits`` levels inside ``[min_vals, max_vals]``, then back.

    The range is nudged so that zero is exactly representable, as TensorFlow's
    ``fake_quant_with_min_max_vars``. Gradients pass through to the inputs
    inside the range, and to ``min_vals``/``max_vals`` from the inputs clipped
    to them, so the range can be trained.

    Example:
        >>> fake_quant_with_min_max_vars(torch.tensor([0.3, 2.0]), 0.0, 1.0, num_bits=2)
        tensor([0.3333, 1.0000])

    Args:
        inputs: a float tensor.
        min_vals / max_vals: the range, scalars or one value per channel.
        num_bits: the quantization bit width.
        narrow_range: use levels ``[1, 2^num_bits - 1]`` instead of from 0.
        axis: the channel axis of per-channel ranges (None: per tensor).
    """
    if isinstance(inputs, KerasTensor):
        return KerasTensor(inputs.shape, inputs.dtype)
    x = _as_float_tensor(inputs)
    low = convert_to_tensor(min_vals)
    high = convert_to_tensor(max_vals)
    if axis is not None:
        axis = axis % x.dim()
    return _FakeQuant.apply(x, low, high, int(num_bits), bool(narrow_range), axis)


class _FakeQuant(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, low, high, num_bits, narrow_range, axis):
        compute = torch.promote_types(low.dtype, torch.float32)
        low, high = low.to(compute), high.to(compute)
        level_max = (1 << num_bits) - 1
        level_min = 1 if narrow_range else 0
        step = (high - low) / (level_max - level_min)
        inverse = (level_max - level_min) / (high - low)
        zero = torch.round(torch.clamp(level_min - low / step, level_min, level_max))
        nudged_low = (level_min - zero) * step
        nudged_high = (level_max - zero) * step
        zero_level = torch.floor(-nudged_low * inverse + 0.5)
        shifted = torch.clamp(x.to(compute), nudged_low, nudged_high) - nudged_low
        result = torch.floor(shifted * inverse - zero_level + 0.5) * step
        ctx.save_for_backward(x, nudged_low, nudged_high)
        ctx.shapes = (low.shape, high.shape)
        ctx.axis = axis
        return result.to(x.dtype)

    @staticmethod
    def backward(ctx, upstream):
        x, nudged_low, nudged_high = ctx.saved_tensors
        zero = torch.zeros((), dtype=upstream.dtype, device=upstream.device)
        inside = (x >= nudged_low) & (x <= nudged_high)
        grad_x = torch.where(inside, upstream, zero)
        dims = [d for d in range(upstream.dim()) if d != ctx.axis]

        def range_grad(mask, shape):
            grad = torch.where(mask, upstream, zero)
            grad = grad.sum(dim=dims) if ctx.axis is not None else grad.sum()
            return grad.reshape(shape)

        return (
            grad_x,
            range_grad(x <= nudged_low, ctx.shapes[0]),
            range_grad(x >= nudged_high, ctx.shapes[1]),
            None,
            None,
            None,
        )


def _as_float_tensor(x) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return torch.as_tensor(x).to(device())
    return convert_to_tensor(x)


def _dims(axis, ndim: int) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(a % ndim for a in axes)
