"""BaseConvTranspose: what the 1-D, 2-D and 3-D transposed convolutions share."""

from __future__ import annotations

import torch.nn.functional as F

from lamina.errors import ArgumentError
from lamina.layers.convolutional import base_conv, conv_arguments, conv_utils
from lamina.layers.convolutional.base_conv import keras_to_torch_axes, store_for_torch

CONV_TRANSPOSE_FUNCTIONS = {
    1: F.conv_transpose1d,
    2: F.conv_transpose2d,
    3: F.conv_transpose3d,
}


def transpose_crops(
    kernel: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> tuple[int, int]:
    """How much to cut from each end of torch's full transposed output.

    torch's unpadded ``conv_transpose`` output has length ``(n - 1) * stride +
    effective_kernel``; Keras (TensorFlow semantics) keeps a window of it that
    depends only on the arguments. A negative amount means zeros are added.
    """
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = (
            max(effective, stride) - effective
            if output_padding is None
            else output_padding
        )
        return 0, -extra
    if output_padding is None:
        total = stride + effective - 2  # output length n * stride
    else:
        total = effective + effective % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, effective - 1)
    return effective - 1 - left, effective - 1 - (total - left)


def transpose_output_length(
    size,
    kernel: int,
    stride: int,
    dilation: int,
    padding: str,
    output_padding: int | None,
):
    if size is None:
        return None
    effective = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = (
            max(effective, stride) - effective
            if output_padding is None
            else output_padding
        )
        return (size - 1) * stride + effective + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + effective % 2 + output_padding


TRANSPOSE_ARGUMENTS = (
    "filters kernel_size strides padding output_padding data_format dilation_rate "
    "activation use_bias kernel_initializer bias_initializer kernel_regularizer "
    "bias_regularizer activity_regularizer kernel_constraint bias_constraint"
)
# Keras's Conv3DTranspose alone takes data_format before output_padding.
TRANSPOSE_3D_ARGUMENTS = TRANSPOSE_ARGUMENTS.replace(
    "output_padding data_format", "data_format output_padding"
)


def docstring(rank: int, example: tuple[str, str, str]) -> str:
    """The docstring of ``Conv{rank}DTranspose``."""
    return base_conv.family_docstring(
        rank,
        "{rank}-D transposed convolution: the gradient of a convolution, used to "
        "upsample.",
        "Each input position scatters a ``kernel_size`` window of ``filters`` "
        "outputs, ``strides`` apart. The kernel has Keras's shape "
        '``(*kernel_size, filters, input_channels)``. With ``padding="same"`` '
        "(and no ``output_padding``) the output size is ``input_size * strides``.",
        example,
        TRANSPOSE_3D_ARGUMENTS if rank == 3 else TRANSPOSE_ARGUMENTS,
        padding='``"valid"`` (output ``(n - 1) * stride + max(kernel, stride)``) '
        'or ``"same"``.',
    )


class BaseConvTranspose(base_conv.BaseConv):
    """N-D transposed convolution (private base of Conv1D/2D/3DTranspose).

    The kernel has Keras's shape ``(*kernel_size, filters, input_channels)``.
    Output sizes and values follow Keras (TensorFlow semantics): with
    ``"same"`` padding and no ``output_padding`` the output is ``input *
    strides``. Where torch's symmetric ``padding`` plus right ``output_padding``
    can express Keras's window, torch does the cropping; otherwise the full
    output is sliced (a view) or zero-padded. The arguments are `BaseConv`'s
    without ``groups``, plus ``output_padding``: int or tuple of ``rank``
    ints, extra size added at the end of each spatial axis; each must be less
    than its stride.
    """

    __init__ = conv_arguments.conv_constructor(TRANSPOSE_ARGUMENTS)

    def _init(self, args, **kwargs) -> None:
        if kwargs.pop("groups", 1) != 1:
            raise ArgumentError(f"{type(self).__name__} does not take `groups`.")
        args.groups = 1
        super()._init(args, **kwargs)
        cls = type(self).__name__
        if self.padding == "causal":
            raise ArgumentError(
                f"{cls}: the `padding` argument must be one of 'valid', 'same'. "
                f"Received: padding={args.padding!r}"
            )
        self.output_padding = (
            None
            if args.output_padding is None
            else conv_utils.normalize_tuple(
                args.output_padding, self.rank, "output_padding", cls, allow_zero=True
            )
        )
        if self.output_padding is not None:
            for i, (extra, stride) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= stride:
                    raise ArgumentError(
                        f"{cls}: `output_padding` must be strictly less than "
                        f"`strides` for all dimensions. At dimension {i}, "
                        f"`output_padding` is {extra} but `strides` is {stride}. "
                        f"Received: output_padding={self.output_padding}, "
                        f"strides={self.strides}"
                    )
        self._plan_torch_call()

    def _plan_torch_call(self) -> None:
        """Turn Keras's output window into torch's padding/output_padding."""
        extras = self.output_padding or (None,) * self.rank
        crops = [
            transpose_crops(k, s, d, self.padding, e)
            for k, s, d, e in zip(
                self.kernel_size, self.strides, self.dilation_rate, extras
            )
        ]
        # torch crops `p` from both ends, then adds `op` (< stride or dilation)
        # back at the end: that is a crop of (p, p - op).
        fits = all(
            left >= 0 and 0 <= left - right < max(s, d)
            for (left, right), s, d in zip(crops, self.strides, self.dilation_rate)
        )
        if fits:
            self._torch_padding = [left for left, _ in crops]
            self._torch_output_padding = [left - right for left, right in crops]
            self._crops = None
        else:
            self._torch_padding, self._torch_output_padding = 0, 0
            self._crops = crops

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape, check_window=False)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        # Keras (k..., filters, in) -> torch's conv_transpose (in, filters, k...).
        self._torch_axes = keras_to_torch_axes(self.rank)
        store_for_torch(self.kernel, self._torch_axes)
        self._add_bias(self.filters)
        self.built = True

    def call(self, inputs):
        x = self._to_torch(inputs)
        bias = self.bias if self._crops is None else None
        x = CONV_TRANSPOSE_FUNCTIONS[self.rank](
            x,
            self.kernel.permute(self._torch_axes),
            bias,
            self.strides,
            self._torch_padding,
            self._torch_output_padding,
            1,
            self.dilation_rate,
        )
        if self._crops is not None:
            x = self._crop(x)
            if self.bias is not None:
                x = x + self.bias.view(-1, *([1] * self.rank))
        return self._finish(x)

    def _crop(self, x):
        index = [slice(None), slice(None)]
        pads = []
        for left, right in self._crops:
            index.append(slice(max(left, 0), -right if right > 0 else None))
        x = x[tuple(index)]
        for left, right in reversed(self._crops):  # F.pad: last axis first
            pads += [max(-left, 0), max(-right, 0)]
        return F.pad(x, pads) if any(pads) else x

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        extras = self.output_padding or (None,) * self.rank
        sizes = tuple(
            transpose_output_length(n, k, s, d, self.padding, e)
            for n, k, s, d, e in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate, extras
            )
        )
        if self._channels_last:
            return (input_shape[0], *sizes, self.filters)
        return (input_shape[0], self.filters, *sizes)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["groups"]
        config["output_padding"] = self.output_padding
        return config
