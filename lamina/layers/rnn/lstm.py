"""LSTM: the Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997)."""

from __future__ import annotations

import torch

from lamina import activations, initializers
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import (
    BaseRNNCell,
    CellAttributes,
    cell_property,
    check_use_cudnn,
    constructor_arguments,
    make_layer_cell,
    merge_keras_1_arguments,
    pop_rnn_arguments,
)
from lamina.layers.rnn.rnn import RNN


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

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        arguments, kwargs = constructor_arguments(locals())
        merge_keras_1_arguments("LSTMCell", arguments, kwargs)
        unit_forget_bias = arguments.pop("unit_forget_bias")
        super().__init__(**arguments, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape) -> None:
        units, base = self.units, self.bias_initializer

        def forget_bias_one(shape, dtype=None):
            # Keras: zeros-init (or the given init) with the forget gate's part at 1.
            parts = [
                base((units,), dtype=dtype),
                initializers.get("ones")((units,), dtype=dtype),
                base((2 * units,), dtype=dtype),
            ]
            return torch.cat([torch.as_tensor(p) for p in parts])

        self._add_cell_weights(
            input_shape[-1],
            (4 * units,),
            forget_bias_one if self.unit_forget_bias else None,
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
        config.update(self._cell_config())
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


class LSTM(CellAttributes, RNN):
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

    Args:
        units: positive int, the size of the output.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint, dropout,
        recurrent_dropout, seed: as in `LSTMCell`.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in
            `RNN`.
        use_cudnn: ``"auto"`` (fused kernel when possible), True (same here) or
            False (always the step loop).
        **kwargs: standard layer arguments; Keras 2's ``implementation`` and
            ``time_major`` and Keras 1's names (``output_dim``,
            ``inner_activation``, ``dropout_W``, ...) are accepted.

    Call arguments:
        inputs: ``(batch, timesteps, features)``.
        mask: boolean ``(batch, timesteps)`` (from ``Embedding(mask_zero=True)``).
        training: whether dropout is active.
        initial_state: ``[h, c]``, each ``(batch, units)``.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, units)``, or ``(batch, timesteps, units)`` with
        ``return_sequences``; with ``return_state`` also ``h`` and ``c``.
    """

    _input_rank = 3

    def __init__(
        self,
        units=None,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        use_cudnn="auto",
        **kwargs,
    ):
        arguments, kwargs = constructor_arguments(locals())
        rnn_arguments = pop_rnn_arguments(arguments)
        use_cudnn = arguments.pop("use_cudnn")
        cell = make_layer_cell("LSTM", LSTMCell, "lstm_cell", arguments, kwargs)
        super().__init__(cell, **rnn_arguments, **kwargs)
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

    units = cell_property("units")
    recurrent_activation = cell_property("recurrent_activation")
    unit_forget_bias = cell_property("unit_forget_bias")


_TANH = activations.get("tanh")
_SIGMOID = activations.get("sigmoid")
