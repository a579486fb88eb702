"""LSTM: the Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997)."""

from __future__ import annotations

import torch

from lamina import activations, initializers
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


class LSTMCell(BaseRNNCell):
    """One step of an LSTM: the cell of `LSTM` and `RNN(LSTMCell(...))`.

    Weights in Keras layout: ``kernel (input_dim, 4 * units)``,
    ``recurrent_kernel (units, 4 * units)``, ``bias (4 * units,)``, with the
    gates in the order input, forget, cell, output (``i, f, c, o``)::

        z = x @ kernel + h @ recurrent_kernel + bias
        c' = sigmoid(z_f) * c + sigmoid(z_i) * tanh(z_c);  h' = sigmoid(z_o) * tanh(c')

    Example:
        >>> cell = lamina.layers.LSTMCell(4)
        >>> states = [torch.zeros(2, 4), torch.zeros(2, 4)]
        >>> h, (h2, c2) = cell(torch.zeros(2, 3), states)
        >>> h.shape
        torch.Size([2, 4])

    Args:
        units: positive int, the size of the output and states.
        activation: activation of the cell input and output (``tanh``).
        recurrent_activation: activation of the gates (``sigmoid``).
        use_bias: whether to add a bias.
        kernel_initializer / recurrent_initializer / bias_initializer:
            ``glorot_uniform`` / ``orthogonal`` / ``zeros``.
        unit_forget_bias: start the forget-gate bias at 1 (Jozefowicz et al.).
        kernel_regularizer / recurrent_regularizer / bias_regularizer: penalties.
        kernel_constraint / recurrent_constraint / bias_constraint: constraints.
        dropout: fraction of the inputs to drop (one mask for all steps).
        recurrent_dropout: fraction of the state to drop in the recurrence.
        seed: seed of the dropout masks.
        **kwargs: standard layer arguments; Keras 2's ``implementation`` is
            accepted and has no effect.

    Call arguments:
        inputs: ``(batch, features)``.
        states: ``[h, c]``, each ``(batch, units)``.
        training: whether dropout is active.
    """

    gates = 4

    @keras_signature(
        BaseRNNCell, after="bias_initializer", rename=rename_keras_1_arguments
    )
    def __init__(self, units, *, unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape) -> None:
        units = self.units
        self._add_cell_weights(
            (input_shape[-1], 4 * units),
            (units, 4 * units),
            (4 * units,),
            lstm_bias_initializer(self),
        )
        self.built = True

    def step(self, x_proj, states, training=None):
        """One step from the projected input ``x @ kernel + bias``."""
        h, c = states[0], states[1]
        hs = self._recurrent_inputs(h, training)
        units = self.units
        if hs is None:
            z = torch.addmm(x_proj, h, self.recurrent_kernel)
            z_i, z_f, z_c, z_o = z.chunk(4, dim=1)
        else:  # one dropped-out state per gate: (4, batch, units) @ (4, units, units)
            kernel = self.recurrent_kernel.view(units, 4, units).transpose(0, 1)
            z = x_proj.view(-1, 4, units).transpose(0, 1) + torch.bmm(hs, kernel)
            z_i, z_f, z_c, z_o = z.unbind(0)
        gate = self.recurrent_activation
        c = gate(z_f) * c + gate(z_i) * self.activation(z_c)
        h = gate(z_o) * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        config = super().get_config()
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class LSTM(BuiltinRNN):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997).

    Runs on torch's fused LSTM kernel (cuDNN on CUDA) when the configuration
    allows it, as Keras uses cuDNN: ``activation="tanh"``,
    ``recurrent_activation="sigmoid"``, no recurrent dropout while training,
    ``unroll=False`` and a mask that is absent or right-padded (with
    ``go_backwards=False``). Otherwise a step loop computes the same numbers.
    The weights stay in Keras layout (see `LSTMCell`), so ``get_weights`` and
    saved files match Keras's.

    Example:
        >>> lstm = lamina.layers.LSTM(4, return_sequences=True, return_state=True)
        >>> seq, h, c = lstm(torch.zeros(32, 10, 8))
        >>> seq.shape, h.shape, c.shape
        (torch.Size([32, 10, 4]), torch.Size([32, 4]), torch.Size([32, 4]))
    """

    # The sections every built-in recurrent layer shares.
    __doc__ += docstring_tail(LSTMCell, ("h", "c"), use_cudnn=True)

    _input_rank = 3
    _cell_class = LSTMCell
    _cell_name = "lstm_cell"

    # ``units`` may be None when Keras 1's ``output_dim`` stands for it.
    @keras_signature(layer_parameters(LSTMCell), rename=rename_keras_1_arguments)
    def __init__(self, units=None, *, use_cudnn="auto", **kwargs):
        super().__init__(units=units, **kwargs)
        self.use_cudnn = check_use_cudnn(use_cudnn)

    def _fused_call(self, sequences, states, mask, training):
        cell = self.cell
        if (
            cell.activation is not _TANH
            or cell.recurrent_activation is not _SIGMOID
            or (training and cell.recurrent_dropout > 0)
        ):
            return None
        return self._run_fused(
            "lstm", fused_kernels.lstm_weights(cell), sequences, states, mask, training
        )


_TANH = activations.get("tanh")
_SIGMOID = activations.get("sigmoid")


def lstm_bias_initializer(cell):
    """The bias initializer of an LSTM-like cell with 4 gates ``i, f, c, o``:
    ``bias_initializer``, with the forget gate's part at 1 when
    ``unit_forget_bias`` (Jozefowicz et al., 2015), as in Keras."""
    base = cell.bias_initializer
    if not cell.unit_forget_bias:
        return base
    units = cell.units

    def forget_bias_one(shape, dtype=None):
        parts = [
            base((units,), dtype=dtype),
            initializers.get("ones")((units,), dtype=dtype),
            base((2 * units,), dtype=dtype),
        ]
        return torch.cat([torch.as_tensor(p) for p in parts])

    return forget_bias_one
