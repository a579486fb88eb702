"""GRU: the Gated Recurrent Unit layer (Cho et al., 2014) and its cell."""

from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import BaseRNNCell
from lamina.layers.rnn.builtin_rnn import (
    BuiltinRNN,
    check_use_cudnn,
    docstring_tail,
    layer_parameters,
)
from lamina.layers.rnn.keras_1_arguments import rename_keras_1_arguments
from lamina.signatures import keras_signature


class GRUCell(BaseRNNCell):
    """One step of a GRU: the cell of `GRU` and `RNN(GRUCell(...))`.

    Weights in Keras layout, gates in the order update, reset, candidate
    (``z, r, h``): ``kernel (input_dim, 3 * units)``, ``recurrent_kernel
    (units, 3 * units)`` and ``bias`` of shape ``(2, 3 * units)`` (input and
    recurrent biases) with ``reset_after=True``, ``(3 * units,)`` otherwise::

        z = sigmoid(x W_z + h U_z + b_z);  r = sigmoid(x W_r + h U_r + b_r)
        reset_after=True:  hh = tanh(x W_h + b_h + r * (h U_h + b'_h))
        reset_after=False: hh = tanh(x W_h + b_h + (r * h) U_h)
        h' = z * h + (1 - z) * hh

    Example:
        >>> cell = lamina.layers.GRUCell(4)
        >>> h, [h2] = cell(torch.zeros(2, 3), [torch.zeros(2, 4)])
        >>> h.shape
        torch.Size([2, 4])

    Args:
        units: positive int, the size of the output and state.
        activation / recurrent_activation: ``tanh`` / ``sigmoid``.
        use_bias: whether to add biases.
        kernel_initializer / recurrent_initializer / bias_initializer:
            ``glorot_uniform`` / ``orthogonal`` / ``zeros``.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: penalties.
        kernel_constraint / recurrent_constraint / bias_constraint: constraints.
        dropout / recurrent_dropout: fractions of inputs / state to drop.
        reset_after: apply the reset gate after the recurrent matrix product
            (Keras 3 and cuDNN convention, default) or before it.
        seed: seed of the dropout masks.
        **kwargs: standard layer arguments; Keras 2's ``implementation`` is
            accepted.
    """

    gates = 3

    @keras_signature(
        BaseRNNCell, after="recurrent_dropout", rename=rename_keras_1_arguments
    )
    def __init__(self, units, *, reset_after: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def build(self, input_shape) -> None:
        units = self.units
        self._add_cell_weights(
            (input_shape[-1], 3 * units),
            (units, 3 * units),
            (2, 3 * units) if self.reset_after else (3 * units,),
            self.bias_initializer,
        )
        self.built = True

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    def step(self, x_proj, states, training=None):
        """One step from the projected input ``x @ kernel + input bias``."""
        h = states[0] if isinstance(states, (list, tuple)) else states
        units = self.units
        x_z, x_r, x_h = x_proj.chunk(3, dim=1)
        hs = self._recurrent_inputs(h, training)
        kernel = self.recurrent_kernel
        gate = self.recurrent_activation
        if self.reset_after:
            if hs is None:
                inner = h @ kernel
            else:
                per_gate = kernel.view(units, 3, units).transpose(0, 1)
                inner = torch.bmm(hs, per_gate).transpose(0, 1).reshape(h.shape[0], -1)
            if self.bias is not None:
                inner = inner + self.bias[1]
            r_z, r_r, r_h = inner.chunk(3, dim=1)
            z = gate(x_z + r_z)
            r = gate(x_r + r_r)
            hh = self.activation(x_h + r * r_h)
        else:
            h_z, h_r, h_h = (h, h, h) if hs is None else hs.unbind(0)
            if hs is None:
                r_z, r_r = (h @ kernel[:, : 2 * units]).chunk(2, dim=1)
            else:
                r_z, r_r = h_z @ kernel[:, :units], h_r @ kernel[:, units : 2 * units]
            z = gate(x_z + r_z)
            r = gate(x_r + r_r)
            hh = self.activation(x_h + (r * h_h) @ kernel[:, 2 * units :])
        h = z * h + (1 - z) * hh
        return h, [h] if isinstance(states, (list, tuple)) else h

    def get_config(self) -> dict:
        config = super().get_config()
        config["reset_after"] = self.reset_after
        return config


class GRU(BuiltinRNN):
    """Gated Recurrent Unit layer (Cho et al., 2014).

    Runs on torch's fused GRU kernel (cuDNN on CUDA) when the configuration
    allows it, as Keras uses cuDNN: ``reset_after=True`` (torch's formula),
    ``activation="tanh"``, ``recurrent_activation="sigmoid"``, no recurrent
    dropout while training, ``unroll=False`` and a mask that is absent or
    right-padded (with ``go_backwards=False``); a step loop otherwise, with
    the same numbers. Weights stay in Keras layout (see `GRUCell`).

    Example:
        >>> gru = lamina.layers.GRU(4, return_sequences=True)
        >>> gru(torch.zeros(32, 10, 8)).shape
        torch.Size([32, 10, 4])
    """

    # The sections every built-in recurrent layer shares.
    __doc__ += docstring_tail(GRUCell, ("h",), use_cudnn=True)

    _input_rank = 3
    _cell_class = GRUCell
    _cell_name = "gru_cell"

    # ``units`` may be None when Keras 1's ``output_dim`` stands for it; Keras
    # lists ``reset_after`` after the RNN's arguments.
    @keras_signature(layer_parameters(GRUCell), rename=rename_keras_1_arguments)
    def __init__(
        self, units=None, *, reset_after: bool = True, use_cudnn="auto", **kwargs
    ):
        super().__init__(units=units, reset_after=reset_after, **kwargs)
        self.use_cudnn = check_use_cudnn(use_cudnn)

    def _fused_call(self, sequences, states, mask, training):
        cell = self.cell
        if (
            not cell.reset_after
            or cell.activation is not _TANH
            or cell.recurrent_activation is not _SIGMOID
            or (training and cell.recurrent_dropout > 0)
        ):
            return None
        return self._run_fused(
            "gru", fused_kernels.gru_weights(cell), sequences, states, mask, training
        )


_TANH = activations.get("tanh")
_SIGMOID = activations.get("sigmoid")
