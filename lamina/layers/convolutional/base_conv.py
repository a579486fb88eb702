"""BaseConv: what Conv1D, Conv2D and Conv3D share (and the depthwise/separable
layers reuse): argument checks, weight layout, padding and the torch call."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import activations
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.convolutional import conv_arguments, conv_utils, rank_docs
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.serialization import serialize_keras_object

CONV_FUNCTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def keras_to_torch_axes(rank: int) -> tuple[int, ...]:
    """Axes turning a Keras kernel ``(k..., a, b)`` into torch's ``(b, a, k...)``."""
    return (rank + 1, rank, *range(rank))


def store_for_torch(weight: torch.nn.Parameter, axes: tuple[int, ...]) -> None:
    """Lay ``weight``'s memory out so that ``weight.permute(axes)`` is contiguous.

    The weight keeps its Keras shape (``get_weights``, ``set_weights``, saved
    files, regularizers and constraints all see Keras's layout), but its strides
    are those of torch's layout, so the permute in ``call`` is a free view and
    torch's kernels get the contiguous ``(out, in, k...)`` weight they want.
    Optimizer states (``zeros_like``) and gradients follow these strides.
    Measured on the tutorial CIFAR CNN's four convolutions (batch 64, forward
    + backward, 2-core CPU, best of 25 interleaved runs): channels_last input
    view with the weight stored like this 41.8 ms; weight in Keras's own
    layout, permuted (copied by torch) at each call 44.5 ms; weight in torch's
    channels_last weight format 44.7 ms; the same with a ``.contiguous()``
    channels-first copy of the input 59-69 ms.
    """
    inverse = tuple(sorted(range(len(axes)), key=axes.__getitem__))
    with torch.no_grad():
        weight.data = weight.data.permute(axes).contiguous().permute(inverse)


CONV_ARGUMENTS = (
    "filters kernel_size strides padding data_format dilation_rate groups "
    "activation use_bias kernel_initializer bias_initializer kernel_regularizer "
    "bias_regularizer activity_regularizer kernel_constraint bias_constraint"
)


def family_docstring(
    rank: int,
    summary: str,
    description: str,
    example: tuple[str, str, str],
    names: str,
    output_channels: str = "filters",
    **texts: str,
) -> str:
    """The docstring of a layer of a convolution family (see `rank_docs.docstring`).

    ``names`` are its constructor arguments, documented from
    `conv_arguments.ARGUMENT_DOCS` or ``texts``; ``output_channels`` says how
    many channels the output has.
    """
    return rank_docs.docstring(
        rank,
        summary,
        description,
        example,
        conv_arguments.args_doc(names, **texts),
        input_shape=(
            "{ndim}-D ``(batch, {axes}, channels)`` (channels_first: "
            "``(batch, channels, {axes})``)."
        ),
        output_shape=(
            f"{{ndim}}-D ``(batch, {{new_axes}}, {output_channels})`` "
            f"(channels_first: ``(batch, {output_channels}, {{new_axes}})``)."
        ),
    )


CAUSAL_PADDING_DOC = (
    '``"valid"``, ``"same"`` or ``"causal"`` (left padding only, so output '
    "``t`` sees inputs up to ``t``: for temporal models)."
)


def docstring(rank: int, summary: str, example: tuple[str, str, str]) -> str:
    """The docstring of ``Conv{rank}D``."""
    padding = conv_arguments.ARGUMENT_DOCS["padding"]
    return family_docstring(
        rank,
        summary,
        "Convolves ``filters`` kernels over the input, adds a bias and applies "
        "``activation``. The kernel has Keras's shape ``(*kernel_size, "
        "input_channels // groups, filters)`` in `get_weights`/`set_weights`.",
        example,
        CONV_ARGUMENTS,
        padding=CAUSAL_PADDING_DOC if rank == 1 else padding,
    )


class BaseConv(Layer):
    """N-D convolution (private base of Conv1D, Conv2D and Conv3D).

    ``outputs = activation(conv(inputs, kernel) + bias)``. The kernel has
    Keras's shape ``(*kernel_size, input_channels // groups, filters)``.
    Channels-last inputs are handed to torch as a permuted view (torch's
    channels_last memory format), so no copy is made on the way in or out.
    A subclass sets ``rank`` (1, 2 or 3, the number of spatial axes); the
    arguments are Keras's (`CONV_ARGUMENTS`, documented in `docstring`).
    """

    rank: int

    # Keras 1's nb_filter / nb_row, nb_col may stand for filters / kernel_size.
    __init__ = conv_arguments.conv_constructor(
        CONV_ARGUMENTS, filters=None, kernel_size=None
    )

    def _init(self, args, **kwargs) -> None:
        cls = type(self).__name__
        conv_utils.apply_keras_1_arguments(cls, args, kwargs)
        for key in ("lora_rank", "lora_alpha"):
            if kwargs.get(key) is not None:
                raise ArgumentError(f"{cls}: `{key}` is not supported by lamina.")
            kwargs.pop(key, None)
        super().__init__(activity_regularizer=args.activity_regularizer, **kwargs)
        self.filters = conv_utils.positive_int(args.filters, "filters", cls)
        self.groups = conv_utils.positive_int(args.groups, "groups", cls)
        if self.filters % self.groups:
            raise ArgumentError(
                f"{cls}: the number of filters must be evenly divisible by the "
                f"number of groups. Received: groups={args.groups}, "
                f"filters={args.filters}."
            )
        self._set_window_arguments(args, allow_causal=self.rank == 1)
        self._set_activation_and_bias(args)
        conv_arguments.set_weight_arguments(self, args, "kernel", "bias")

    def _set_window_arguments(self, args, allow_causal: bool = False) -> None:
        """Check and store the arguments every convolution has."""
        cls, rank = type(self).__name__, self.rank
        self.kernel_size = conv_utils.normalize_tuple(
            args.kernel_size, rank, "kernel_size", cls
        )
        self.strides = conv_utils.normalize_tuple(args.strides, rank, "strides", cls)
        self.dilation_rate = conv_utils.normalize_tuple(
            args.dilation_rate, rank, "dilation_rate", cls
        )
        self.padding = conv_utils.normalize_padding(args.padding, cls, allow_causal)
        self.data_format = conv_utils.normalize_data_format(args.data_format, cls)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ArgumentError(
                f"{cls}: `strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self._channels_last = self.data_format == "channels_last"
        self.input_spec = None  # the rank is checked in build, with a clear message

    def _set_activation_and_bias(self, args) -> None:
        self.activation = activations.get(args.activation)
        self._linear = self.activation is activations.get(None)
        self.use_bias = bool(args.use_bias)

    # ------------------------------------------------------------------ building
    def _input_channels(self, input_shape, check_window: bool = True) -> int:
        """Check the input's rank, channels and size; return its channel count."""
        channels = conv_utils.check_input_rank(
            self, input_shape, self.rank, self.data_format
        )
        if channels is None:
            raise ShapeError(
                f"Layer '{self.name}': the channel dimension of the inputs to "
                f"{type(self).__name__} should be defined. Found None. Full input "
                f"shape: {tuple(input_shape)}"
            )
        if self.padding == "valid" and check_window:
            window = tuple(
                (k - 1) * d + 1 for k, d in zip(self.kernel_size, self.dilation_rate)
            )
            conv_utils.check_window_fits(self, input_shape, window, self.data_format)
        axis = -1 if self._channels_last else 1
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        return channels

    def _add_bias(self, size: int) -> None:
        self.bias = (
            self.add_weight(
                name="bias",
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
            if self.use_bias
            else None
        )

    def build(self, input_shape) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ShapeError(
                f"Layer '{self.name}': the number of input channels must be evenly "
                f"divisible by the number of groups. Received groups={self.groups}, "
                f"but the input has {channels} channels (full input shape is "
                f"{tuple(input_shape)})."
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._torch_axes = keras_to_torch_axes(self.rank)
        store_for_torch(self.kernel, self._torch_axes)
        self._add_bias(self.filters)
        self.built = True

    # ------------------------------------------------------------------ calling
    def _pad(self, x: torch.Tensor):
        """``(x, padding)`` for a torch call on the channels-first tensor ``x``."""
        if self.padding == "valid":
            return x, 0
        if self.padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            return F.pad(x, [left, 0]), 0
        return conv_utils.pad_for_same(
            x, self.kernel_size, self.strides, self.dilation_rate
        )

    def _to_torch(self, inputs: torch.Tensor) -> torch.Tensor:
        # (N, *spatial, C) -> (N, C, *spatial): a view with channels_last strides.
        # For 1-D, routing through conv2d on an (N, C, 1, L) channels_last view
        # measured the same as conv1d on this view (78 vs 81 ms, 64x200x64, k=5,
        # forward + backward); a .contiguous() copy first measured 114 ms.
        return inputs.movedim(-1, 1) if self._channels_last else inputs

    def _finish(self, x: torch.Tensor) -> torch.Tensor:
        if self._channels_last:
            x = x.movedim(1, -1)  # a view again: contiguous (N, *spatial, C)
        return x if self._linear else self.activation(x)

    def call(self, inputs):
        x, padding = self._pad(self._to_torch(inputs))
        x = CONV_FUNCTIONS[self.rank](
            x,
            self.kernel.permute(self._torch_axes),
            self.bias,
            self.strides,
            padding,
            self.dilation_rate,
            self.groups,
        )
        return self._finish(x)

    def _output_shape(self, input_shape, channels):
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        sizes = tuple(
            conv_utils.conv_output_length(n, k, self.padding, s, d)
            for n, k, s, d in zip(
                spatial, self.kernel_size, self.strides, self.dilation_rate
            )
        )
        if self._channels_last:
            return (input_shape[0], *sizes, channels)
        return (input_shape[0], channels, *sizes)

    def compute_output_shape(self, input_shape):
        conv_utils.check_input_rank(self, input_shape, self.rank, self.data_format)
        return self._output_shape(tuple(input_shape), self.filters)

    # ------------------------------------------------------------------ config
    def _window_config(self) -> dict:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _common_config(self) -> dict:
        return {
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        }

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                **self._window_config(),
                "groups": self.groups,
                **self._common_config(),
                **conv_arguments.weight_config(self, "kernel"),
            }
        )
        return config
