"""ConvLSTM: the LSTM whose products are convolutions (Shi et al., 2015), base of
ConvLSTM1D/2D/3D, and its cell."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from lamina import backend
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.rnn.base_rnn_cell import BaseRNNCell
from lamina.layers.rnn.builtin_rnn import BuiltinRNN, layer_parameters
from lamina.layers.rnn.lstm import lstm_bias_initializer
from lamina.signatures import keras_signature

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _tuple(value, rank: int, name: str, layer: str) -> tuple:
    """An int or a sequence of ``rank`` positive ints, as a tuple."""
    values = (value,) * rank if isinstance(value, int) else tuple(value)
    if len(values) != rank or any(
        not isinstance(v, int) or isinstance(v, bool) or v <= 0 for v in values
    ):
        raise ArgumentError(
            f"{layer}: `{name}` must be a positive integer or a tuple of {rank} "
            f"positive integers, received {name}={value!r}."
        )
    return values


def _same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple:
    """Keras's "same": total padding for ceil(size / stride) outputs, the odd
    pixel at the end."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + effective - size)
    return total // 2, total - total // 2


class ConvLSTMCell(BaseRNNCell):
    """One step of a ConvLSTM: an `LSTMCell` whose products are convolutions.

    Weights in Keras layout: ``kernel (*kernel_size, channels, 4 * filters)``,
    ``recurrent_kernel (*kernel_size, filters, 4 * filters)``, ``bias (4 *
    filters,)``, gates ``i, f, c, o``. The input convolution uses ``strides``,
    ``padding`` and ``dilation_rate``; the recurrent one is "same" with stride
    1. As in Keras, dropout draws one mask per gate.

    Example:
        >>> cell = lamina.layers.rnn.conv_lstm.ConvLSTMCell(2, 4, 3, padding="same")
        >>> cell.build((None, 8, 8, 3))
        >>> h, (h2, c2) = cell(torch.zeros(1, 8, 8, 3), cell.get_initial_state(1))
        >>> h.shape
        torch.Size([1, 8, 8, 4])

    Args:
        rank: 1, 2 or 3, the number of spatial dimensions.
        filters: positive int, the number of output channels.
        kernel_size / strides / dilation_rate: int or tuple of ``rank`` ints.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout,
        recurrent_dropout, seed: as in `LSTMCell`.
    """

    gates = 4

    @keras_signature(BaseRNNCell, after="bias_initializer", drop=("units",))
    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        *,
        unit_forget_bias: bool = True,
        **kwargs,
    ):
        name = f"ConvLSTM{rank}D"
        if rank not in (1, 2, 3):
            raise ArgumentError(
                f"ConvLSTMCell: rank must be 1, 2 or 3, received rank={rank!r}."
            )
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ArgumentError(
                f"{name}: received an invalid value for argument `filters`, expected "
                f"a positive integer, got filters={filters!r}."
            )
        super().__init__(filters, **kwargs)
        self.dropout_mask_count = 4  # Keras: one mask per gate, always
        self.rank = rank
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size", name)
        self.strides = _tuple(strides, rank, "strides", name)
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate", name)
        padding = padding.lower() if isinstance(padding, str) else padding
        if padding not in ("valid", "same"):
            raise ArgumentError(
                f"{name}: `padding` must be 'valid' or 'same', received "
                f"padding={padding!r}."
            )
        self.padding = padding
        data_format = data_format or backend.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ArgumentError(
                f"{name}: `data_format` must be 'channels_last' or 'channels_first', "
                f"received data_format={data_format!r}."
            )
        self.data_format = data_format
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ArgumentError(
                f"{name}: specifying `strides > 1` is not compatible with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.spatial_dims = None
        self.input_dim = None

    @property
    def state_size(self):
        return -1  # Keras: the states are feature maps, see get_initial_state

    def _split(self, shape):
        """(channels, spatial dims) of a step shape ``(batch, ...)``."""
        if self.data_format == "channels_first":
            return shape[1], tuple(shape[2:])
        return shape[-1], tuple(shape[1:-1])

    def build(self, input_shape) -> None:
        channels, spatial = self._split(tuple(input_shape))
        if None in spatial or channels is None:
            raise ShapeError(
                f"ConvLSTM{self.rank}D layers need static spatial and channel "
                f"dimensions. Received input shape: {tuple(input_shape)}"
            )
        self.spatial_dims, self.input_dim = spatial, channels
        out = self._output_spatial(spatial)
        if any(d <= 0 for d in out):
            raise ShapeError(
                f"ConvLSTM{self.rank}D: kernel_size={self.kernel_size} (dilation "
                f"{self.dilation_rate}) is larger than the input's spatial size "
                f"{spatial} with padding='valid'."
            )
        filters = self.filters
        self._add_cell_weights(
            (*self.kernel_size, channels, 4 * filters),
            (*self.kernel_size, filters, 4 * filters),
            (4 * filters,),
            lstm_bias_initializer(self),
        )
        self.built = True

    def _output_spatial(self, spatial) -> tuple:
        sizes = []
        for size, k, s, d in zip(
            spatial, self.kernel_size, self.strides, self.dilation_rate
        ):
            if self.padding == "same":
                sizes.append(-(-size // s))
            else:
                sizes.append((size - (k - 1) * d - 1) // s + 1)
        return tuple(sizes)

    def state_shape(self, batch_size) -> tuple:
        out = self._output_spatial(self.spatial_dims)
        if self.data_format == "channels_first":
            return (batch_size, self.filters, *out)
        return (batch_size, *out, self.filters)

    def get_initial_state(self, batch_size=None):
        shape = self.state_shape(batch_size)
        device = self.kernel.device if self.built else None
        return [
            torch.zeros(shape, dtype=self._compute_dtype, device=device)
            for _ in range(2)
        ]

    # Internally everything is channels-first (torch's layout); these move the
    # channel axis of a (batch, ...) tensor to and from the user's data_format.
    def _to_cf(self, x):
        if self.data_format == "channels_first":
            return x
        return x.movedim(-1, 1)

    def _from_cf(self, x):
        if self.data_format == "channels_first":
            return x
        return x.movedim(1, -1)

    @staticmethod
    def _torch_kernel(kernel):
        # (*k, in, out) -> (out, in, *k)
        rank = kernel.dim() - 2
        return kernel.permute(rank + 1, rank, *range(rank))

    def _conv(self, x, kernel, groups: int, input_conv: bool):
        """Convolve channels-first ``x``; ``groups=4`` convolves gate ``g``'s
        input block with gate ``g``'s kernel (per-gate dropout masks)."""
        # (4F, in, *k); with groups=4, gate g's output channels read input block g.
        weight = self._torch_kernel(kernel)
        ones = (1,) * self.rank
        # The recurrent convolution is "same" with stride 1 and no dilation.
        strides, dilation, mode = (
            (self.strides, self.dilation_rate, self.padding)
            if input_conv
            else (ones, ones, "same")
        )
        padding = 0
        if mode == "same":
            pads = [
                _same_padding(size, k, s, d)
                for size, k, s, d in zip(
                    x.shape[2:], self.kernel_size, strides, dilation
                )
            ]
            if all(a == b for a, b in pads):
                padding = tuple(a for a, _ in pads)
            else:  # an even kernel: the extra pixel goes at the end, as in Keras
                x = F.pad(x, [p for pair in reversed(pads) for p in pair])
        return _CONV[self.rank](
            x, weight, stride=strides, padding=padding, dilation=dilation, groups=groups
        )

    def project_inputs(self, inputs, training=None):
        """Input convolutions (plus bias) of a step ``(batch, ...)`` or of a
        sequence ``(batch, time, ...)`` at once, channels-first:
        ``([batch, time,] 4 * filters, *spatial_out)``."""
        seq = inputs.dim() == self.rank + 3
        step = inputs[:, 0] if seq else inputs
        mask = self._training_dropout_mask(step, training)
        x = inputs.flatten(0, 1) if seq else inputs
        x = self._to_cf(x)
        if mask is None:
            proj = self._conv(x, self.kernel, 1, True)
        else:  # gate g sees x * mask[g]: stack the four along channels, 4 groups
            masks = self._to_cf(mask.flatten(0, 1)).unflatten(
                0, (4, inputs.shape[0])
            )  # (4, batch, C, *S)
            if seq:
                masks = (
                    masks.unsqueeze(2)
                    .expand(-1, -1, inputs.shape[1], *([-1] * (self.rank + 1)))
                    .flatten(1, 2)
                )
            stacked = (x.unsqueeze(0) * masks).transpose(0, 1).flatten(1, 2)
            proj = self._conv(stacked, self.kernel, 4, True)
        if self.bias is not None:
            proj = proj + self.bias.view(-1, *([1] * self.rank))
        return proj.unflatten(0, inputs.shape[:2]) if seq else proj

    def step(self, x_proj, states, training=None):
        """One step from the projected input (channels-first)."""
        h, c = self._to_cf(states[0]), self._to_cf(states[1])
        mask = self._training_recurrent_dropout_mask(states[0], training)
        if mask is not None:
            mask = self._to_cf(mask.flatten(0, 1)).unflatten(0, (4, h.shape[0]))
            stacked = (h.unsqueeze(0) * mask).transpose(0, 1).flatten(1, 2)
            rec = self._conv(stacked, self.recurrent_kernel, 4, False)
        else:
            rec = self._conv(h, self.recurrent_kernel, 1, False)
        z_i, z_f, z_c, z_o = (x_proj + rec).chunk(4, dim=1)
        gate = self.recurrent_activation
        c = gate(z_f) * c + gate(z_i) * self.activation(z_c)
        h = gate(z_o) * self.activation(c)
        h, c = self._from_cf(h), self._from_cf(c)
        return h, [h, c]

    def compute_output_shape(self, inputs_shape, states_shape=None):
        _, spatial = self._split(tuple(inputs_shape))
        out = self._output_spatial(spatial)
        batch = inputs_shape[0]
        shape = (
            (batch, self.filters, *out)
            if self.data_format == "channels_first"
            else (batch, *out, self.filters)
        )
        return shape, [shape, shape]

    def get_config(self) -> dict:
        config = super().get_config()
        del config["units"]
        config.update(
            {
                "rank": self.rank,
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "unit_forget_bias": self.unit_forget_bias,
            }
        )
        return config


class ConvLSTM(BuiltinRNN):
    """Base of ConvLSTM1D/2D/3D: an LSTM whose products are convolutions.

    Always a step loop (as in Keras; torch has no fused ConvLSTM), with the
    input convolutions of all timesteps done at once before it. A subclass
    sets ``_spatial_rank`` and its docstring (`conv_lstm_docstring`).
    """

    _cell_class = ConvLSTMCell
    _cell_name = "conv_lstm_cell"
    _spatial_rank: int

    @keras_signature(layer_parameters(ConvLSTMCell), drop=("rank", "unroll"))
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        rank = self._spatial_rank
        self._input_rank = rank + 3
        spatial = ", ".join(["rows", "cols", "depth"][:rank]) if rank > 1 else "steps"
        self._input_layout = (
            f"(batch, time, {spatial}, channels)"
            if self.cell.data_format == "channels_last"
            else f"(batch, time, channels, {spatial})"
        )

    def _make_cell(self, arguments: dict, kwargs: dict) -> ConvLSTMCell:
        return ConvLSTMCell(
            self._spatial_rank,
            **arguments,
            name=self._cell_name,
            dtype=kwargs.get("dtype"),
        )

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        self._check_rank(shape)
        batch, steps = shape[0], shape[1]
        state = self.cell.compute_output_shape((batch, *shape[2:]))[0][1:]
        output = (batch, steps, *state) if self.return_sequences else (batch, *state)
        if self.return_state:
            return [output, (batch, *state), (batch, *state)]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask, None, None] if self.return_state else output_mask

    def get_config(self) -> dict:
        config = super().get_config()
        del config["rank"]
        return config


_DOCSTRING = """{rank}-D convolutional LSTM: an LSTM whose input and recurrent products are
    {rank}-D convolutions (Shi et al., 2015).

    Example:
        >>> layer = lamina.layers.ConvLSTM{rank}D(4, 3, padding="same")
        >>> layer(torch.zeros(2, 5, {sizes}3)).shape
        torch.Size([2, {sizes}4])

    Args:
        filters: positive int, the number of output channels.
        kernel_size: int or tuple of {rank} ints.
        strides: int or tuple of {rank} ints (input convolution only).
        padding: ``"valid"`` or ``"same"`` (input convolution; the recurrent
            one is always "same").
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        dilation_rate: int or tuple of {rank} ints.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in `LSTM`.
        return_sequences, return_state, go_backwards, stateful: as in `RNN`.
        **kwargs: standard layer arguments.

    Call arguments:
        inputs: ``(batch, time, {spatial}, channels)``.
        mask: boolean ``(batch, time)``.
        training: whether dropout is active.
        initial_state: ``[h, c]``, each of the output's per-step shape.

    Input shape:
        ``(batch, time, {spatial}, channels)``; ``(batch, time, channels,
        {spatial})`` with ``channels_first``.

    Output shape:
        ``(batch, {spatial}, filters)`` with the new spatial sizes (time after
        batch with ``return_sequences``); with ``return_state`` also the final
        ``h`` and ``c``.
    """


def conv_lstm_docstring(rank: int, spatial: str) -> str:
    """The docstring of ConvLSTM{rank}D, whose spatial axes are ``spatial``."""
    return _DOCSTRING.format(rank=rank, spatial=spatial, sizes="6, " * rank)
