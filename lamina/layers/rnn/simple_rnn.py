"""SimpleRNN: the fully connected recurrent layer, and its cell."""

from __future__ import annotations

import torch

from lamina import activations
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import (
    BaseRNNCell,
    CellAttributes,
    cell_property,
    constructor_arguments,
    make_layer_cell,
    merge_keras_1_arguments,
    pop_rnn_arguments,
)
from lamina.layers.rnn.rnn import RNN


class SimpleRNNCell(BaseRNNCell):
    """One step of a fully connected RNN: ``h' = activation(x @ kernel + h @
    recurrent_kernel + bias)``; the output is ``h'``.

    Example:
        >>> cell = lamina.layers.SimpleRNNCell(4)
        >>> out, [h] = cell(torch.zeros(2, 3), [torch.zeros(2, 4)])
        >>> out.shape
        torch.Size([2, 4])

    Args:
        units: positive int, the size of the output and state.
        activation: ``tanh`` by default.
        use_bias: whether to add a bias.
        kernel_initializer / recurrent_initializer / bias_initializer:
            ``glorot_uniform`` / ``orthogonal`` / ``zeros``.
        kernel_regularizer / recurrent_regularizer / bias_regularizer: penalties.
        kernel_constraint / recurrent_constraint / bias_constraint: constraints.
        dropout / recurrent_dropout: fractions of inputs / state to drop.
        seed: seed of the dropout masks.
        **kwargs: standard layer arguments.
    """

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
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
        merge_keras_1_arguments("SimpleRNNCell", arguments, kwargs)
        super().__init__(recurrent_activation=None, **arguments, **kwargs)

    def build(self, input_shape) -> None:
        self._add_cell_weights(input_shape[-1], (self.units,))
        self.built = True

    def step(self, x_proj, states, training=None):
        """One step from the projected input ``x @ kernel + bias``."""
        h = states[0] if isinstance(states, (list, tuple)) else states
        dropped = self._recurrent_inputs(h, training)
        output = torch.addmm(
            x_proj, h if dropped is None else dropped, self.recurrent_kernel
        )
        output = self.activation(output)
        return output, [output] if isinstance(states, (list, tuple)) else output

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._cell_config())
        del config["recurrent_activation"]
        return config


class SimpleRNN(CellAttributes, RNN):
    """Fully connected RNN whose output is fed back as the next state.

    Runs on torch's fused ``rnn_tanh`` / ``rnn_relu`` kernel (cuDNN on CUDA)
    for ``activation="tanh"`` or ``"relu"`` with no recurrent dropout while
    training, ``unroll=False`` and a mask absent or right-padded; a step loop
    otherwise, with the same numbers.

    Example:
        >>> rnn = lamina.layers.SimpleRNN(4)
        >>> rnn(torch.zeros(32, 10, 8)).shape
        torch.Size([32, 4])

    Args:
        units: positive int, the size of the output.
        activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer,
        bias_regularizer, kernel_constraint, recurrent_constraint,
        bias_constraint, dropout, recurrent_dropout, seed: as in
            `SimpleRNNCell`.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as in
            `RNN`.
        **kwargs: standard layer arguments; Keras 2's ``time_major`` and Keras
            1's argument names are accepted.

    Call arguments:
        inputs: ``(batch, timesteps, features)``.
        mask: boolean ``(batch, timesteps)``.
        training: whether dropout is active.
        initial_state: ``[h]``, ``(batch, units)``.

    Input shape:
        ``(batch, timesteps, features)``.

    Output shape:
        ``(batch, units)`` or ``(batch, timesteps, units)``; with
        ``return_state`` also the final state.
    """

    _input_rank = 3

    def __init__(
        self,
        units=None,
        activation="tanh",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed=None,
        **kwargs,
    ):
        arguments, kwargs = constructor_arguments(locals())
        rnn_arguments = pop_rnn_arguments(arguments)
        cell = make_layer_cell(
            "SimpleRNN", SimpleRNNCell, "simple_rnn_cell", arguments, kwargs
        )
        super().__init__(cell, **rnn_arguments, **kwargs)

    def _fused_call(self, sequences, states, mask, training):
        cell = self.cell
        kind = _FUSED.get(cell.activation)
        if kind is None or (training and cell.recurrent_dropout > 0):
            return None
        return self._run_fused(
            kind,
            fused_kernels.simple_rnn_weights(cell),
            sequences,
            states,
            mask,
            training,
        )

    units = cell_property("units")

    def get_config(self) -> dict:
        config = super().get_config()
        del config["seed"]  # Keras's SimpleRNN config has no seed
        return config


_FUSED = {activations.get("tanh"): "rnn_tanh", activations.get("relu"): "rnn_relu"}
